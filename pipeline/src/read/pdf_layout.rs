//! Text with positions from a PDF page's content stream: a small
//! interpreter for the text operators (`BT`/`ET`, `Tf`, `Td`/`TD`/`Tm`/`T*`,
//! `Tj`/`TJ`/`'`/`"`, `Tc`/`Tw`/`Tz`/`TL`/`Ts`) and the graphics state
//! (`q`/`Q`/`cm`), following form XObjects (`Do`). Strings are decoded with
//! lopdf's font encodings (ToUnicode maps, Differences, standard encodings);
//! advances use the fonts' `/Widths` or `/W` arrays.
//!
//! Runs are then grouped into visual lines by their vertical position and
//! ordered left to right, so a label and its value printed on one line come
//! out on one line whatever order the stream drew them in, each line with a
//! box in page points, origin top-left.

use std::collections::{BTreeMap, HashMap};

use lopdf::Encoding;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::TextLine;

const MAX_CONTENT_BYTES: usize = 64 * 1024 * 1024;
const MAX_FORM_DEPTH: usize = 6;

type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn multiply(first: &Matrix, second: &Matrix) -> Matrix {
    [
        first[0] * second[0] + first[1] * second[2],
        first[0] * second[1] + first[1] * second[3],
        first[2] * second[0] + first[3] * second[2],
        first[2] * second[1] + first[3] * second[3],
        first[4] * second[0] + first[5] * second[2] + second[4],
        first[4] * second[1] + first[5] * second[3] + second[5],
    ]
}

fn transform(matrix: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (x * matrix[0] + y * matrix[2] + matrix[4], x * matrix[1] + y * matrix[3] + matrix[5])
}

/// A font as the interpreter needs it: how to decode and how wide glyphs are.
struct FontInfo<'a> {
    encoding: Option<Encoding<'a>>,
    two_byte_codes: bool,
    simple_widths: Option<(u32, Vec<f32>)>,
    cid_widths: HashMap<u32, f32>,
    default_width: f32,
}

impl FontInfo<'_> {
    fn width(&self, code: u32) -> f32 {
        if let Some((first, widths)) = &self.simple_widths
            && code >= *first
            && let Some(width) = widths.get((code - first) as usize)
        {
            return *width;
        }
        self.cid_widths.get(&code).copied().unwrap_or(self.default_width)
    }

    fn decode(&self, bytes: &[u8]) -> String {
        match &self.encoding {
            Some(encoding) => encoding.bytes_to_string(bytes).unwrap_or_else(|_| bytes.iter().map(|byte| *byte as char).collect()),
            None => bytes.iter().map(|byte| *byte as char).collect(),
        }
    }

    fn codes(&self, bytes: &[u8]) -> Vec<u32> {
        if self.two_byte_codes {
            bytes.chunks(2).map(|pair| pair.iter().fold(0u32, |code, byte| code * 256 + *byte as u32)).collect()
        } else {
            bytes.iter().map(|byte| *byte as u32).collect()
        }
    }
}

fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    document.dereference(object).ok().map(|(_, object)| object)
}

fn numbers(document: &Document, object: Option<&Object>) -> Vec<f32> {
    object
        .and_then(|object| resolve(document, object))
        .and_then(|object| object.as_array().ok())
        .map(|array| array.iter().filter_map(|item| resolve(document, item).and_then(|item| item.as_float().ok())).collect())
        .unwrap_or_default()
}

fn font_info<'a>(document: &'a Document, font: &'a Dictionary) -> FontInfo<'a> {
    let subtype = font.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
    let encoding = font.get_font_encoding(document).ok();
    if subtype == b"Type0" {
        let descendant = font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|object| resolve(document, object))
            .and_then(|object| object.as_array().ok())
            .and_then(|array| array.first())
            .and_then(|object| resolve(document, object))
            .and_then(|object| object.as_dict().ok());
        let mut cid_widths = HashMap::new();
        let mut default_width = 1000.0;
        if let Some(descendant) = descendant {
            default_width = descendant.get(b"DW").ok().and_then(|object| object.as_float().ok()).unwrap_or(1000.0);
            let array = descendant.get(b"W").ok().and_then(|object| resolve(document, object)).and_then(|object| object.as_array().ok());
            if let Some(array) = array {
                let mut index = 0;
                while index + 1 < array.len() {
                    let first = resolve(document, &array[index]).and_then(|object| object.as_float().ok()).unwrap_or(0.0) as u32;
                    match resolve(document, &array[index + 1]) {
                        Some(Object::Array(widths)) => {
                            for (offset, width) in widths.iter().enumerate() {
                                if let Some(width) = resolve(document, width).and_then(|object| object.as_float().ok()) {
                                    cid_widths.insert(first + offset as u32, width);
                                }
                            }
                            index += 2;
                        }
                        Some(last) if index + 2 < array.len() => {
                            let last = last.as_float().unwrap_or(0.0) as u32;
                            let width = resolve(document, &array[index + 2]).and_then(|object| object.as_float().ok()).unwrap_or(default_width);
                            for code in first..=last.min(first + 65_535) {
                                cid_widths.insert(code, width);
                            }
                            index += 3;
                        }
                        _ => break,
                    }
                }
            }
        }
        return FontInfo { encoding, two_byte_codes: true, simple_widths: None, cid_widths, default_width };
    }
    let first_char = font.get(b"FirstChar").ok().and_then(|object| object.as_i64().ok()).unwrap_or(0).max(0) as u32;
    let widths = numbers(document, font.get(b"Widths").ok());
    let simple_widths = (!widths.is_empty()).then_some((first_char, widths));
    FontInfo { encoding, two_byte_codes: false, simple_widths, cid_widths: HashMap::new(), default_width: 500.0 }
}

fn fonts_of_resources<'a>(document: &'a Document, resources: &'a Dictionary) -> BTreeMap<Vec<u8>, FontInfo<'a>> {
    let mut fonts = BTreeMap::new();
    let Some(font_dictionary) = resources.get(b"Font").ok().and_then(|object| resolve(document, object)).and_then(|object| object.as_dict().ok()) else {
        return fonts;
    };
    for (name, value) in font_dictionary.iter() {
        if let Some(font) = resolve(document, value).and_then(|object| object.as_dict().ok()) {
            fonts.insert(name.clone(), font_info(document, font));
        }
    }
    fonts
}

/// A piece of text drawn at one place.
#[derive(Debug, Clone)]
struct TextRun {
    text: String,
    x0: f32,
    x1: f32,
    /// Baseline, in PDF space (y up).
    baseline: f32,
    height: f32,
}

#[derive(Clone)]
struct GraphicsState {
    ctm: Matrix,
    character_spacing: f32,
    word_spacing: f32,
    horizontal_scale: f32,
    leading: f32,
    rise: f32,
    font: Option<Vec<u8>>,
    font_size: f32,
}

impl Default for GraphicsState {
    fn default() -> Self {
        GraphicsState { ctm: IDENTITY, character_spacing: 0.0, word_spacing: 0.0, horizontal_scale: 1.0, leading: 0.0, rise: 0.0, font: None, font_size: 0.0 }
    }
}

struct Interpreter<'a> {
    document: &'a Document,
    runs: Vec<TextRun>,
}

impl<'a> Interpreter<'a> {
    fn run_stream(&mut self, content: &[u8], fonts: &BTreeMap<Vec<u8>, FontInfo<'a>>, xobjects: Option<&'a Dictionary>, initial: GraphicsState, depth: usize) {
        let Ok(content) = lopdf::content::Content::decode(content) else { return };
        let mut state = initial;
        let mut stack: Vec<GraphicsState> = Vec::new();
        let mut text_matrix = IDENTITY;
        let mut line_matrix = IDENTITY;
        for operation in &content.operations {
            let operands = &operation.operands;
            let number = |index: usize| operands.get(index).and_then(|object| object.as_float().ok()).unwrap_or(0.0);
            match operation.operator.as_str() {
                "q" => stack.push(state.clone()),
                "Q" => {
                    if let Some(saved) = stack.pop() {
                        state = saved;
                    }
                }
                "cm" => {
                    let matrix = [number(0), number(1), number(2), number(3), number(4), number(5)];
                    state.ctm = multiply(&matrix, &state.ctm);
                }
                "BT" => {
                    text_matrix = IDENTITY;
                    line_matrix = IDENTITY;
                }
                "Tf" => {
                    state.font = operands.first().and_then(|object| object.as_name().ok()).map(<[u8]>::to_vec);
                    state.font_size = number(1);
                }
                "Tc" => state.character_spacing = number(0),
                "Tw" => state.word_spacing = number(0),
                "Tz" => state.horizontal_scale = number(0) / 100.0,
                "TL" => state.leading = number(0),
                "Ts" => state.rise = number(0),
                "Td" | "TD" => {
                    if operation.operator == "TD" {
                        state.leading = -number(1);
                    }
                    line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, number(0), number(1)], &line_matrix);
                    text_matrix = line_matrix;
                }
                "Tm" => {
                    line_matrix = [number(0), number(1), number(2), number(3), number(4), number(5)];
                    text_matrix = line_matrix;
                }
                "T*" => {
                    line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], &line_matrix);
                    text_matrix = line_matrix;
                }
                "Tj" | "'" | "\"" => {
                    if operation.operator != "Tj" {
                        line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], &line_matrix);
                        text_matrix = line_matrix;
                    }
                    if operation.operator == "\"" {
                        state.word_spacing = number(0);
                        state.character_spacing = number(1);
                    }
                    let string_index = if operation.operator == "\"" { 2 } else { 0 };
                    if let Some(bytes) = operands.get(string_index).and_then(|object| object.as_str().ok()) {
                        self.show(bytes, fonts, &state, &mut text_matrix);
                    }
                }
                "TJ" => {
                    let Some(items) = operands.first().and_then(|object| object.as_array().ok()) else { continue };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => self.show(bytes, fonts, &state, &mut text_matrix),
                            other => {
                                if let Ok(adjustment) = other.as_float() {
                                    let advance = -adjustment / 1000.0 * state.font_size * state.horizontal_scale;
                                    text_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], &text_matrix);
                                }
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    let Some(name) = operands.first().and_then(|object| object.as_name().ok()) else { continue };
                    self.run_form(name, xobjects, fonts, &state, depth);
                }
                _ => {}
            }
        }
    }

    fn run_form(&mut self, name: &[u8], xobjects: Option<&'a Dictionary>, fonts: &BTreeMap<Vec<u8>, FontInfo<'a>>, state: &GraphicsState, depth: usize) {
        let document = self.document;
        let Some(stream) = xobjects
            .and_then(|xobjects| xobjects.get(name).ok())
            .and_then(|object| resolve(document, object))
            .and_then(|object| object.as_stream().ok())
        else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
            return;
        }
        let Ok(content) = stream.decompressed_content().or_else(|_| Ok::<_, lopdf::Error>(stream.content.clone())) else { return };
        if content.len() > MAX_CONTENT_BYTES {
            return;
        }
        let matrix = numbers(document, stream.dict.get(b"Matrix").ok());
        let mut form_state = state.clone();
        if matrix.len() == 6 {
            form_state.ctm = multiply(&[matrix[0], matrix[1], matrix[2], matrix[3], matrix[4], matrix[5]], &state.ctm);
        }
        let resources = stream.dict.get(b"Resources").ok().and_then(|object| resolve(document, object)).and_then(|object| object.as_dict().ok());
        let form_fonts = resources.map(|resources| fonts_of_resources(document, resources)).filter(|fonts| !fonts.is_empty());
        let form_xobjects = resources.and_then(|resources| resources.get(b"XObject").ok()).and_then(|object| resolve(document, object)).and_then(|object| object.as_dict().ok());
        match form_fonts {
            Some(form_fonts) => self.run_stream(&content, &form_fonts, form_xobjects.or(xobjects), form_state, depth + 1),
            None => self.run_stream(&content, fonts, form_xobjects.or(xobjects), form_state, depth + 1),
        }
    }

    fn show(&mut self, bytes: &[u8], fonts: &BTreeMap<Vec<u8>, FontInfo<'a>>, state: &GraphicsState, text_matrix: &mut Matrix) {
        let Some(font) = state.font.as_ref().and_then(|name| fonts.get(name)) else { return };
        let font_size = state.font_size;
        let rendering = multiply(&[font_size * state.horizontal_scale, 0.0, 0.0, font_size, 0.0, state.rise], &multiply(text_matrix, &state.ctm));
        let (start_x, start_y) = transform(&rendering, 0.0, 0.0);
        let mut advance_total = 0.0;
        for code in font.codes(bytes) {
            let glyph_width = font.width(code) / 1000.0;
            let word_spacing = if !font.two_byte_codes && code == 32 { state.word_spacing } else { 0.0 };
            advance_total += (glyph_width * font_size + state.character_spacing + word_spacing) * state.horizontal_scale;
        }
        *text_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, advance_total, 0.0], text_matrix);
        let text = font.decode(bytes);
        if text.trim().is_empty() {
            return;
        }
        let scaled = multiply(text_matrix, &state.ctm);
        let (end_x, _) = transform(&multiply(&[font_size * state.horizontal_scale, 0.0, 0.0, font_size, 0.0, state.rise], &scaled), 0.0, 0.0);
        let height = font_size * (scaled[2] * scaled[2] + scaled[3] * scaled[3]).sqrt();
        self.runs.push(TextRun { text, x0: start_x.min(end_x), x1: start_x.max(end_x), baseline: start_y, height: height.abs().max(1.0) });
    }
}

/// The page's visible area `[x0, y0, x1, y1]`, inherited from the page tree.
fn media_box(document: &Document, page_id: ObjectId) -> [f32; 4] {
    let mut node = document.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let Some(dictionary) = node else { break };
        let found = numbers(document, dictionary.get(b"MediaBox").ok());
        if found.len() == 4 {
            return [found[0].min(found[2]), found[1].min(found[3]), found[0].max(found[2]), found[1].max(found[3])];
        }
        node = dictionary.get(b"Parent").ok().and_then(|object| object.as_reference().ok()).and_then(|id| document.get_dictionary(id).ok());
    }
    [0.0, 0.0, 595.0, 842.0]
}

/// The page's text as visual lines, top to bottom, each with its box in
/// points (origin top-left).
pub fn page_lines(document: &Document, page_id: ObjectId, page_number: u32) -> Vec<TextLine> {
    let Ok(content) = document.get_page_content_with_limit(page_id, MAX_CONTENT_BYTES) else { return Vec::new() };
    let (direct_resources, resource_ids) = document.get_page_resources(page_id).unwrap_or((None, Vec::new()));
    let mut resources: Vec<&Dictionary> = direct_resources.into_iter().collect();
    resources.extend(resource_ids.iter().filter_map(|id| document.get_dictionary(*id).ok()));
    let mut fonts = BTreeMap::new();
    let mut xobjects = None;
    for resource in resources.iter().rev() {
        fonts.extend(fonts_of_resources(document, resource));
        if let Some(found) = resource.get(b"XObject").ok().and_then(|object| resolve(document, object)).and_then(|object| object.as_dict().ok()) {
            xobjects = Some(found);
        }
    }
    let mut interpreter = Interpreter { document, runs: Vec::new() };
    interpreter.run_stream(&content, &fonts, xobjects, GraphicsState::default(), 0);
    let media = media_box(document, page_id);
    group_into_lines(interpreter.runs, media, page_number)
}

fn group_into_lines(mut runs: Vec<TextRun>, media: [f32; 4], page_number: u32) -> Vec<TextLine> {
    runs.sort_by(|first, second| second.baseline.total_cmp(&first.baseline).then(first.x0.total_cmp(&second.x0)));
    let mut lines: Vec<Vec<TextRun>> = Vec::new();
    for run in runs {
        let joins = lines.last().is_some_and(|line| {
            let reference = &line[0];
            (reference.baseline - run.baseline).abs() < 0.45 * reference.height.min(run.height)
        });
        if joins {
            lines.last_mut().expect("a line exists").push(run);
        } else {
            lines.push(vec![run]);
        }
    }
    lines
        .into_iter()
        .map(|mut runs| {
            runs.sort_by(|first, second| first.x0.total_cmp(&second.x0));
            let height = runs.iter().map(|run| run.height).fold(0.0, f32::max);
            // Cells: runs closer than a wide gap belong together.
            let mut cells: Vec<(String, f32, f32)> = Vec::new();
            for run in &runs {
                match cells.last_mut() {
                    Some((text, _, end)) if run.x0 - *end <= 1.2 * height => {
                        let gap = run.x0 - *end;
                        if gap > 0.12 * height && !text.ends_with(' ') && !run.text.starts_with(' ') {
                            text.push(' ');
                        }
                        text.push_str(&run.text);
                        *end = end.max(run.x1);
                    }
                    _ => cells.push((run.text.clone(), run.x0, run.x1)),
                }
            }
            let cells: Vec<(String, f32, f32)> = cells
                .into_iter()
                .map(|(text, x0, x1)| (text.split_whitespace().collect::<Vec<_>>().join(" "), x0, x1))
                .filter(|(text, _, _)| !text.is_empty())
                .collect();
            let text = cells.iter().map(|(text, _, _)| text.as_str()).collect::<Vec<_>>().join("  ");
            let x0 = runs.iter().map(|run| run.x0).fold(f32::MAX, f32::min) - media[0];
            let x1 = runs.iter().map(|run| run.x1).fold(f32::MIN, f32::max) - media[0];
            let top = runs.iter().map(|run| run.baseline + 0.8 * run.height).fold(f32::MIN, f32::max);
            let bottom = runs.iter().map(|run| run.baseline - 0.2 * run.height).fold(f32::MAX, f32::min);
            TextLine {
                page: page_number,
                text,
                bbox: Some([x0, media[3] - top, x1, media[3] - bottom]),
                confidence: 0.99,
                cells: cells.iter().map(|(_, x0, x1)| [x0 - media[0], x1 - media[0]]).collect(),
            }
        })
        .filter(|line| !line.text.is_empty())
        .collect()
}
