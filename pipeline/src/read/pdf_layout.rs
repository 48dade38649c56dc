//! Text with positions from a PDF page's content stream: a small
//! interpreter for the text operators (`BT`/`ET`, `Tf`, `Td`/`TD`/`Tm`/`T*`,
//! `Tj`/`TJ`/`'`/`"`, `Tc`/`Tw`/`Tz`/`TL`/`Ts`) and the graphics state
//! (`q`/`Q`/`cm`), following form XObjects (`Do`). Streams are read by
//! [`super::pdf_content_stream`] (about five times faster than lopdf's
//! `Content::decode`, which still reads the streams that reader declines).
//! Strings are decoded with the fonts' ToUnicode CMaps (read here, see
//! [`to_unicode_cmap`]) or lopdf's other font encodings (Differences,
//! standard encodings); advances use the fonts' `/Widths` or `/W` arrays.
//!
//! Runs are then grouped into visual lines by their vertical position and
//! ordered left to right, so a label and its value printed on one line come
//! out on one line whatever order the stream drew them in, each line with a
//! box in page points, origin top-left.

use std::collections::{BTreeMap, HashMap};

use lopdf::Encoding;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::TextLine;
use super::pdf_content_stream::{ContentOperations, Operand, Step};

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

/// How a font's string bytes become text.
enum FontEncoding<'a> {
    /// A `/ToUnicode` CMap read by [`to_unicode_cmap`] (decodes exactly as
    /// lopdf's `UnicodeMapEncoding` would, without the reverse map lopdf
    /// builds for encoding, which costs tens of milliseconds for a CMap
    /// covering all 65,536 two-byte codes).
    ToUnicode(to_unicode_cmap::ToUnicodeMap),
    /// Any other encoding, as lopdf reads it.
    Lopdf(Encoding<'a>),
}

/// A font as the interpreter needs it: how to decode and how wide glyphs are.
struct FontInfo<'a> {
    encoding: Option<FontEncoding<'a>>,
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
            Some(FontEncoding::ToUnicode(map)) => map.decode(bytes),
            Some(FontEncoding::Lopdf(encoding)) => encoding.bytes_to_string(bytes).unwrap_or_else(|_| bytes.iter().map(|byte| *byte as char).collect()),
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

/// The font's encoding, as lopdf's `get_font_encoding` gives it, except
/// that a `/ToUnicode` CMap lopdf would read is read by
/// [`to_unicode_cmap::ToUnicodeMap::parse`] when that recognises it (same
/// decoding, a fraction of the cost), and one lopdf's parser refuses over
/// its PostScript wrapping is read by
/// [`to_unicode_cmap::ToUnicodeMap::parse_leniently`]; what neither reads
/// goes to lopdf as before.
fn font_encoding<'a>(document: &'a Document, font: &'a Dictionary) -> Option<FontEncoding<'a>> {
    let lopdf_encoding = || font.get_font_encoding(document).ok().map(FontEncoding::Lopdf);
    if !font.has_type(b"Font") {
        return lopdf_encoding();
    }
    // lopdf reads the ToUnicode CMap when there is no /Encoding, or when the
    // /Encoding is Identity-H or Identity-V.
    let reads_to_unicode = match font.get(b"Encoding") {
        Err(_) => true,
        Ok(object) => matches!(resolve(document, object), Some(Object::Name(name)) if name == b"Identity-H" || name == b"Identity-V"),
    };
    if !reads_to_unicode {
        return lopdf_encoding();
    }
    let Some(Ok(stream)) = font.get(b"ToUnicode").ok().and_then(|object| resolve(document, object)).map(Object::as_stream) else {
        return lopdf_encoding();
    };
    let Ok(content) = stream.get_plain_content() else { return lopdf_encoding() };
    // The exact reader first (same result as lopdf), then the tolerant one
    // for CMaps lopdf would refuse (it would warn and fall back to the
    // standard encoding, turning the text into garbage), then lopdf for the
    // rest (overlapping ranges, which it reads by its own rules).
    match to_unicode_cmap::ToUnicodeMap::parse(&content).or_else(|| to_unicode_cmap::ToUnicodeMap::parse_leniently(&content)) {
        Some(map) => Some(FontEncoding::ToUnicode(map)),
        None => lopdf_encoding(),
    }
}

fn font_info<'a>(document: &'a Document, font: &'a Dictionary) -> FontInfo<'a> {
    let subtype = font.get(b"Subtype").and_then(Object::as_name).unwrap_or(b"");
    let encoding = font_encoding(document, font);
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

/// The state of one content stream being run: the graphics state, its
/// saved copies (`q`/`Q`), and the text and line matrices.
struct StreamState {
    state: GraphicsState,
    stack: Vec<GraphicsState>,
    text_matrix: Matrix,
    line_matrix: Matrix,
}

impl StreamState {
    fn new(initial: GraphicsState) -> Self {
        StreamState { state: initial, stack: Vec::new(), text_matrix: IDENTITY, line_matrix: IDENTITY }
    }
}

struct Interpreter<'a> {
    document: &'a Document,
    runs: Vec<TextRun>,
}

impl<'a> Interpreter<'a> {
    /// Runs one content stream: read by [`ContentOperations`] when it is
    /// sure to read it as lopdf does, else (from the start again) by lopdf's
    /// `Content::decode`, so the page reads the same either way.
    fn run_stream(&mut self, content: &[u8], fonts: &BTreeMap<Vec<u8>, FontInfo<'a>>, xobjects: Option<&'a Dictionary>, initial: GraphicsState, depth: usize) {
        let runs_before = self.runs.len();
        let mut stream_state = StreamState::new(initial.clone());
        let mut operations = ContentOperations::new(content);
        let mut operands = Vec::with_capacity(8);
        loop {
            match operations.next_operation(&mut operands) {
                Step::Operation(operator) => self.execute(operator, &operands, &mut stream_state, fonts, xobjects, depth),
                Step::End => return,
                Step::Unsure => break,
            }
        }
        self.runs.truncate(runs_before);
        let Ok(content) = lopdf::content::Content::decode(content) else { return };
        let mut stream_state = StreamState::new(initial);
        for operation in &content.operations {
            let operands: Vec<Operand> = operation.operands.iter().map(Operand::from_lopdf).collect();
            self.execute(operation.operator.as_bytes(), &operands, &mut stream_state, fonts, xobjects, depth);
        }
    }

    /// Applies one operation to the stream's state, drawing text runs.
    fn execute(
        &mut self,
        operator: &[u8],
        operands: &[Operand],
        stream_state: &mut StreamState,
        fonts: &BTreeMap<Vec<u8>, FontInfo<'a>>,
        xobjects: Option<&'a Dictionary>,
        depth: usize,
    ) {
        let StreamState { state, stack, text_matrix, line_matrix } = stream_state;
        let number = |index: usize| operands.get(index).and_then(Operand::as_number).unwrap_or(0.0);
        match operator {
            b"q" => stack.push(state.clone()),
            b"Q" => {
                if let Some(saved) = stack.pop() {
                    *state = saved;
                }
            }
            b"cm" => {
                let matrix = [number(0), number(1), number(2), number(3), number(4), number(5)];
                state.ctm = multiply(&matrix, &state.ctm);
            }
            b"BT" => {
                *text_matrix = IDENTITY;
                *line_matrix = IDENTITY;
            }
            b"Tf" => {
                state.font = match operands.first() {
                    Some(Operand::Name(name)) => Some(name.to_vec()),
                    _ => None,
                };
                state.font_size = number(1);
            }
            b"Tc" => state.character_spacing = number(0),
            b"Tw" => state.word_spacing = number(0),
            b"Tz" => state.horizontal_scale = number(0) / 100.0,
            b"TL" => state.leading = number(0),
            b"Ts" => state.rise = number(0),
            b"Td" | b"TD" => {
                if operator == b"TD" {
                    state.leading = -number(1);
                }
                *line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, number(0), number(1)], line_matrix);
                *text_matrix = *line_matrix;
            }
            b"Tm" => {
                *line_matrix = [number(0), number(1), number(2), number(3), number(4), number(5)];
                *text_matrix = *line_matrix;
            }
            b"T*" => {
                *line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], line_matrix);
                *text_matrix = *line_matrix;
            }
            b"Tj" | b"'" | b"\"" => {
                if operator != b"Tj" {
                    *line_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], line_matrix);
                    *text_matrix = *line_matrix;
                }
                if operator == b"\"" {
                    state.word_spacing = number(0);
                    state.character_spacing = number(1);
                }
                let string_index = if operator == b"\"" { 2 } else { 0 };
                if let Some(Operand::String(bytes)) = operands.get(string_index) {
                    self.show(bytes, fonts, state, text_matrix);
                }
            }
            b"TJ" => {
                let Some(Operand::Array(items)) = operands.first() else { return };
                for item in items {
                    match item {
                        Operand::String(bytes) => self.show(bytes, fonts, state, text_matrix),
                        Operand::Number(adjustment) => {
                            let advance = -adjustment / 1000.0 * state.font_size * state.horizontal_scale;
                            *text_matrix = multiply(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], text_matrix);
                        }
                        _ => {}
                    }
                }
            }
            b"Do" if depth < MAX_FORM_DEPTH => {
                let Some(Operand::Name(name)) = operands.first() else { return };
                self.run_form(name, xobjects, fonts, state, depth);
            }
            _ => {}
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

/// `/ToUnicode` CMaps, read without lopdf's per-code reverse map.
///
/// lopdf turns a ToUnicode CMap into a range map and then, for text
/// *encoding*, a hash map from every mapped Unicode sequence back to its
/// code: one entry per code, so 65,536 allocations for the common
/// "identity over all two-byte codes" CMap, which cost about 30 ms per font.
/// Reading text never uses that reverse map.
///
/// [`ToUnicodeMap::parse`] is a recogniser for the same grammar as lopdf
/// 0.47's `cmap_parser` that is, on purpose, never more lenient: it accepts
/// only CMaps lopdf also accepts, and builds the same code-to-text map from
/// them, so [`ToUnicodeMap::decode`] gives exactly what lopdf's
/// `Encoding::UnicodeMapEncoding` gives. Whatever it does not recognise
/// (another layout, overlapping ranges, an unusual dictionary), it declines
/// with `None` and the caller falls back to lopdf, which then parses it (or
/// fails and falls back to the standard encoding) as before.
mod to_unicode_cmap {
    /// What one range of codes maps to (lopdf's `BfRangeTarget`).
    #[derive(Debug, Clone, PartialEq)]
    enum RangeTarget {
        /// One UTF-16 unit per code: the code plus this offset (wrapping).
        CodePointOffset(u32),
        /// A UTF-16 string whose last unit grows with the code.
        Incrementing(Vec<u16>),
        /// One UTF-16 string per code of the range, in order.
        PerCode(Vec<Vec<u16>>),
    }

    /// One mapped range of codes of one byte length.
    #[derive(Debug, Clone)]
    struct MappedRange {
        first_code: u32,
        last_code: u32,
        target: RangeTarget,
    }

    /// A parsed ToUnicode CMap.
    #[derive(Debug, Default)]
    pub(super) struct ToUnicodeMap {
        /// Mapped ranges per code length (1 to 4 bytes), sorted, disjoint.
        ranges_by_code_length: [Vec<MappedRange>; 4],
        /// `begincodespacerange` entries: first code, last code, byte length.
        codespace_ranges: Vec<(u32, u32, u8)>,
    }

    const REPLACEMENT_CHARACTER: u16 = 0xFFFD;

    impl ToUnicodeMap {
        /// Reads a ToUnicode CMap stream, or `None` when it is not one this
        /// recogniser is sure lopdf reads the same way.
        pub(super) fn parse(content: &[u8]) -> Option<ToUnicodeMap> {
            let mut cursor = Cursor { input: content, position: 0 };
            let mut entries: Vec<(u32, u32, u8, RangeTarget)> = Vec::new();
            let mut codespace_ranges = Vec::new();
            cursor.parse_cmap(&mut entries, &mut codespace_ranges)?;
            ToUnicodeMap::from_entries(entries, codespace_ranges)
        }

        /// Reads a ToUnicode CMap that [`ToUnicodeMap::parse`] declined,
        /// by its sections only ([`lenient::sections`]): any layout of the
        /// PostScript around them, any white space or comments between
        /// tokens. `None` when it has no mapping, ends without `endcmap`, or
        /// holds what the PDF specification does not allow (a range whose
        /// ends differ in length or run backwards, codes longer than four
        /// bytes) or overlapping ranges, whose reading differs between
        /// readers; the caller then falls back to lopdf.
        pub(super) fn parse_leniently(content: &[u8]) -> Option<ToUnicodeMap> {
            let (entries, codespace_ranges) = lenient::sections(content)?;
            if entries.is_empty() {
                return None;
            }
            ToUnicodeMap::from_entries(entries, codespace_ranges)
        }

        /// The map of parsed mappings (first code, last code, code length,
        /// target), or `None` for ranges lopdf would read differently from
        /// one another.
        fn from_entries(entries: Vec<(u32, u32, u8, RangeTarget)>, codespace_ranges: Vec<(u32, u32, u8)>) -> Option<ToUnicodeMap> {
            let mut map = ToUnicodeMap { codespace_ranges, ..ToUnicodeMap::default() };
            for (first_code, last_code, code_length, target) in entries {
                if !(1..=4).contains(&code_length) {
                    return None;
                }
                map.ranges_by_code_length[code_length as usize - 1].push(MappedRange { first_code, last_code, target });
            }
            for ranges in &mut map.ranges_by_code_length {
                ranges.sort_by_key(|range| range.first_code);
                // lopdf's range map lets a later range overwrite part of an
                // earlier one and merges touching ranges with equal targets,
                // which moves the start an incrementing target counts from.
                // Such CMaps are left to lopdf.
                for pair in ranges.windows(2) {
                    let (previous, next) = (&pair[0], &pair[1]);
                    if next.first_code <= previous.last_code {
                        return None;
                    }
                    let touching = previous.last_code.checked_add(1) == Some(next.first_code);
                    if touching && previous.target == next.target && !matches!(previous.target, RangeTarget::CodePointOffset(_)) {
                        return None;
                    }
                }
            }
            Some(map)
        }

        /// lopdf's `ToUnicodeCMap::get`, appending the code's UTF-16 units
        /// to `units`; `false` (nothing appended) for an unmapped code.
        fn append(&self, code: u32, code_length: u8, units: &mut Vec<u16>) -> bool {
            if !(1..=4).contains(&code_length) {
                return false;
            }
            let ranges = &self.ranges_by_code_length[code_length as usize - 1];
            let Some(index) = ranges.partition_point(|range| range.first_code <= code).checked_sub(1) else { return false };
            let range = &ranges[index];
            if code > range.last_code {
                return false;
            }
            match &range.target {
                RangeTarget::CodePointOffset(offset) => units.push(code.wrapping_add(*offset) as u16),
                RangeTarget::Incrementing(target) => {
                    units.extend_from_slice(target);
                    if let Some(last) = units.last_mut() {
                        *last = last.wrapping_add((code - range.first_code) as u16);
                    }
                }
                RangeTarget::PerCode(strings) => match strings.get((code - range.first_code) as usize) {
                    Some(string) => units.extend_from_slice(string),
                    None => units.push(REPLACEMENT_CHARACTER),
                },
            }
            true
        }

        fn append_or_replacement(&self, code: u32, code_length: u8, units: &mut Vec<u16>) {
            if !self.append(code, code_length, units) {
                units.push(REPLACEMENT_CHARACTER);
            }
        }

        /// lopdf's `ToUnicodeCMap::get_for_decoding`: with codespace ranges,
        /// a code inside one of its length is decoded (or replaced), any
        /// other is not a whole code yet (`false`, nothing appended).
        fn append_for_decoding(&self, code: u32, code_length: u8, units: &mut Vec<u16>) -> bool {
            if self.codespace_ranges.is_empty() {
                return self.append(code, code_length, units);
            }
            let inside = self.codespace_ranges.iter().any(|&(low, high, length)| {
                length == code_length
                    && (0..length).all(|index| {
                        let shift = 8 * index as u32;
                        let byte = (code >> shift) as u8;
                        (low >> shift) as u8 <= byte && byte <= (high >> shift) as u8
                    })
            });
            if inside {
                self.append_or_replacement(code, code_length, units);
            }
            inside
        }

        /// The text of a string shown with this CMap, as lopdf's
        /// `Encoding::UnicodeMapEncoding` decodes it.
        pub(super) fn decode(&self, bytes: &[u8]) -> String {
            let mut units: Vec<u16> = Vec::with_capacity(bytes.len());
            let mut bytes_in_code = 0u8;
            let mut code = 0u32;
            for byte in bytes {
                if bytes_in_code == 4 {
                    self.append_or_replacement(code, 4, &mut units);
                    code = 0;
                    bytes_in_code = 0;
                }
                bytes_in_code += 1;
                code = code.wrapping_mul(256).wrapping_add(*byte as u32);
                if self.append_for_decoding(code, bytes_in_code, &mut units) {
                    code = 0;
                    bytes_in_code = 0;
                }
            }
            if bytes_in_code > 0 {
                self.append_or_replacement(code, bytes_in_code, &mut units);
            }
            utf16_big_endian_with_bom_sniffing(&units)
        }
    }

    /// What `encoding_rs::UTF_16BE.decode` makes of the units' big-endian
    /// bytes: a byte order mark at the start picks the encoding (UTF-8,
    /// UTF-16LE or UTF-16BE) and is dropped; malformed sequences become
    /// U+FFFD.
    fn utf16_big_endian_with_bom_sniffing(units: &[u16]) -> String {
        let bytes_at = |index: usize| -> Option<u8> { units.get(index / 2).map(|unit| if index.is_multiple_of(2) { (unit >> 8) as u8 } else { *unit as u8 }) };
        if bytes_at(0) == Some(0xEF) && bytes_at(1) == Some(0xBB) && bytes_at(2) == Some(0xBF) {
            let bytes: Vec<u8> = (3..units.len() * 2).filter_map(bytes_at).collect();
            return String::from_utf8_lossy(&bytes).into_owned();
        }
        match units.first() {
            Some(0xFFFE) => char::decode_utf16(units[1..].iter().map(|unit| unit.swap_bytes())).map(|decoded| decoded.unwrap_or('\u{FFFD}')).collect(),
            Some(0xFEFF) => char::decode_utf16(units[1..].iter().copied()).map(|decoded| decoded.unwrap_or('\u{FFFD}')).collect(),
            _ => char::decode_utf16(units.iter().copied()).map(|decoded| decoded.unwrap_or('\u{FFFD}')).collect(),
        }
    }

    /// A position in the CMap's bytes. Every `expect_*` and `skip_*` mirrors
    /// the lopdf parser of the same name (`tag`, `space0`, `space1`,
    /// `multispace0`, `multispace1`, `digit1`...); any mismatch is `None`.
    struct Cursor<'input> {
        input: &'input [u8],
        position: usize,
    }

    impl Cursor<'_> {
        fn rest(&self) -> &[u8] {
            &self.input[self.position..]
        }

        fn peek(&self) -> Option<u8> {
            self.input.get(self.position).copied()
        }

        fn expect(&mut self, word: &[u8]) -> Option<()> {
            self.rest().starts_with(word).then(|| self.position += word.len())
        }

        /// lopdf's `space0`: spaces and tabs only; returns how many.
        fn skip_spaces(&mut self) -> usize {
            let count = self.rest().iter().take_while(|byte| matches!(byte, b' ' | b'\t')).count();
            self.position += count;
            count
        }

        fn expect_spaces(&mut self) -> Option<()> {
            (self.skip_spaces() > 0).then_some(())
        }

        /// lopdf's `multispace0`: spaces, tabs, line ends and comments that
        /// end with a line end; returns whether anything was skipped.
        fn skip_blanks(&mut self) -> bool {
            let start = self.position;
            loop {
                match self.peek() {
                    Some(b' ' | b'\t' | b'\r' | b'\n') => self.position += 1,
                    Some(b'%') => {
                        let Some(end) = self.rest().iter().position(|byte| matches!(byte, b'\r' | b'\n')) else { break };
                        self.position += end;
                    }
                    _ => break,
                }
            }
            self.position > start
        }

        fn expect_blanks(&mut self) -> Option<()> {
            self.skip_blanks().then_some(())
        }

        fn expect_digits(&mut self) -> Option<&[u8]> {
            let count = self.rest().iter().take_while(|byte| byte.is_ascii_digit()).count();
            let start = self.position;
            self.position += count;
            (count > 0).then(|| &self.input[start..start + count])
        }

        /// A name of regular characters (no `#` escapes), after its `/`.
        fn expect_simple_name(&mut self) -> Option<()> {
            self.expect(b"/")?;
            let count = self
                .rest()
                .iter()
                .take_while(|byte| !b" \t\n\r\0\x0C()<>[]{}/%#".contains(byte))
                .count();
            self.position += count;
            (count > 0 && self.peek() != Some(b'#')).then_some(())
        }

        fn hex_byte(&mut self) -> Option<u8> {
            let pair = self.rest().get(..2)?;
            let value = (char::from(pair[0]).to_digit(16)? << 4) | char::from(pair[1]).to_digit(16)?;
            self.position += 2;
            Some(value as u8)
        }

        /// lopdf's `source_code`: `<` one to four hex bytes `>`.
        fn source_code(&mut self) -> Option<(u32, u8)> {
            self.expect(b"<")?;
            let mut code = 0u32;
            let mut length = 0u8;
            while length < 4 && self.peek() != Some(b'>') {
                code = code * 256 + self.hex_byte()? as u32;
                length += 1;
            }
            self.expect(b">")?;
            (length > 0).then_some((code, length))
        }

        /// lopdf's `code_range_pair`: two source codes of one length.
        fn code_range_pair(&mut self) -> Option<(u32, u32, u8)> {
            let (first, first_length) = self.source_code()?;
            self.skip_spaces();
            let (last, last_length) = self.source_code()?;
            (first_length == last_length).then_some((first, last, first_length))
        }

        /// lopdf's `target_string`: `<` one to 256 UTF-16 units, each
        /// followed by optional white space (comments not accepted here) `>`.
        fn target_string(&mut self) -> Option<Vec<u16>> {
            self.expect(b"<")?;
            let mut units = Vec::new();
            while self.peek() != Some(b'>') {
                if units.len() == 256 {
                    return None;
                }
                let high = self.hex_byte()?;
                let low = self.hex_byte()?;
                units.push(u16::from(high) << 8 | u16::from(low));
                let blanks = self.rest().iter().take_while(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n')).count();
                self.position += blanks;
            }
            self.expect(b">")?;
            (!units.is_empty()).then_some(units)
        }

        /// lopdf's `range_target_array`: `[` target strings separated by spaces `]`.
        fn target_array(&mut self) -> Option<Vec<Vec<u16>>> {
            self.expect(b"[")?;
            self.skip_spaces();
            let mut strings = vec![self.target_string()?];
            loop {
                let spaces = self.skip_spaces();
                match self.peek() {
                    Some(b'<') if spaces > 0 => strings.push(self.target_string()?),
                    Some(b']') => {
                        self.position += 1;
                        return Some(strings);
                    }
                    _ => return None,
                }
            }
        }

        /// The whole stream, as lopdf's `cmap_stream`.
        fn parse_cmap(&mut self, entries: &mut Vec<(u32, u32, u8, RangeTarget)>, codespace_ranges: &mut Vec<(u32, u32, u8)>) -> Option<()> {
            // cidinit_procset
            let _ = self.expect(b"\xEF\xBB\xBF");
            self.skip_blanks();
            self.expect(b"/CIDInit")?;
            self.skip_spaces();
            self.expect(b"/ProcSet").or_else(|| self.expect(b"/Procset"))?;
            self.expect_spaces()?;
            self.expect(b"findresource")?;
            self.expect_spaces()?;
            self.expect(b"begin")?;
            self.expect_blanks()?;
            // cmap_resource_dictionary
            self.expect_digits()?;
            self.expect_spaces()?;
            self.expect(b"dict")?;
            self.expect_spaces()?;
            self.expect(b"begin")?;
            self.expect_blanks()?;
            // cmap_data
            self.expect(b"begincmap")?;
            self.expect_blanks()?;
            let mut metadata_items = 0;
            while self.peek() == Some(b'/') {
                if metadata_items == 7 {
                    return None;
                }
                self.metadata_item()?;
                metadata_items += 1;
            }
            if metadata_items == 0 {
                return None;
            }
            let mut sections = 0;
            while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                self.section(entries, codespace_ranges)?;
                sections += 1;
            }
            if sections == 0 {
                return None;
            }
            self.expect(b"endcmap")?;
            self.expect_blanks()?;
            self.expect(b"CMapName")?;
            self.expect_spaces()?;
            self.expect(b"currentdict")?;
            self.skip_spaces();
            self.expect(b"/CMap")?;
            self.expect_spaces()?;
            self.expect(b"defineresource")?;
            self.expect_spaces()?;
            self.expect(b"pop")?;
            self.expect_blanks()?;
            self.expect(b"end")?;
            self.expect_blanks()?;
            // What follows the last `end` is not looked at, as in lopdf.
            self.expect(b"end")
        }

        /// One of `/CIDSystemInfo`, `/CMapName`, `/CMapType`,
        /// `/CMapVersion`, `/UIDOffset`, `/WMode`, `/XUID` ... `def`.
        fn metadata_item(&mut self) -> Option<()> {
            if self.expect(b"/CIDSystemInfo").is_some() {
                self.skip_blanks();
                self.simple_dictionary()?;
                self.skip_blanks();
            } else if self.expect(b"/CMapName").is_some() {
                self.skip_spaces();
                self.expect_simple_name()?;
                self.expect_spaces()?;
            } else if self.expect(b"/CMapVersion").is_some() {
                self.expect_spaces()?;
                self.expect_digits()?;
                if self.expect(b".").is_some() {
                    self.expect_digits()?;
                }
                self.expect_spaces()?;
            } else if self.expect(b"/CMapType").is_some() || self.expect(b"/UIDOffset").is_some() || self.expect(b"/WMode").is_some() {
                self.expect_spaces()?;
                self.expect_digits()?;
                self.expect_spaces()?;
            } else if self.expect(b"/XUID").is_some() {
                self.expect_spaces()?;
                self.expect(b"[")?;
                self.expect_digits()?;
                while self.skip_spaces() > 0 {
                    self.expect_digits()?;
                }
                self.expect(b"]")?;
                self.expect_spaces()?;
            } else {
                return None;
            }
            self.expect(b"def")?;
            self.expect_blanks()
        }

        /// `<< /Key value ... >>` whose values are simple literal strings
        /// (no parentheses, backslashes or line ends inside), unsigned
        /// integers or simple names: the CIDSystemInfo dictionaries
        /// producers write. Anything else is declined.
        fn simple_dictionary(&mut self) -> Option<()> {
            self.expect(b"<<")?;
            loop {
                self.skip_blanks_without_comments();
                if self.expect(b">>").is_some() {
                    return Some(());
                }
                self.expect_simple_name()?;
                self.skip_blanks_without_comments();
                match self.peek()? {
                    b'(' => {
                        self.position += 1;
                        let length = self.rest().iter().position(|byte| b"()\\\r\n".contains(byte))?;
                        self.position += length;
                        self.expect(b")")?;
                    }
                    b'/' => self.expect_simple_name()?,
                    b'0'..=b'9' => {
                        let digits = self.expect_digits()?;
                        // Longer than an i64 surely holds, or a real: declined.
                        if digits.len() > 18 || self.peek() == Some(b'.') {
                            return None;
                        }
                    }
                    _ => return None,
                }
                // A value must be followed by white space or a delimiter
                // (`>>` or the next name), as lopdf's parsers require.
                if !matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')) {
                    return None;
                }
            }
        }

        fn skip_blanks_without_comments(&mut self) {
            let count = self.rest().iter().take_while(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n')).count();
            self.position += count;
        }

        /// One `begincodespacerange`, `beginbfchar` or `beginbfrange`
        /// section, up to and including the blanks after its end keyword.
        fn section(&mut self, entries: &mut Vec<(u32, u32, u8, RangeTarget)>, codespace_ranges: &mut Vec<(u32, u32, u8)>) -> Option<()> {
            self.expect_digits()?;
            self.expect_spaces()?;
            if self.expect(b"begincodespacerange").is_some() {
                self.expect_blanks()?;
                let mut count = 0;
                while self.peek() == Some(b'<') {
                    codespace_ranges.push(self.code_range_pair()?);
                    self.expect_blanks()?;
                    count += 1;
                }
                if count == 0 {
                    return None;
                }
                self.expect(b"endcodespacerange")?;
            } else if self.expect(b"beginbfchar").is_some() {
                self.expect_blanks()?;
                while self.peek() == Some(b'<') {
                    let (code, length) = self.source_code()?;
                    self.skip_spaces();
                    let units = self.target_string()?;
                    self.expect_blanks()?;
                    let target = if units.len() == 1 { RangeTarget::CodePointOffset((units[0] as u32).wrapping_sub(code)) } else { RangeTarget::Incrementing(units) };
                    entries.push((code, code, length, target));
                }
                self.expect(b"endbfchar")?;
            } else if self.expect(b"beginbfrange").is_some() {
                self.expect_blanks()?;
                while self.peek() == Some(b'<') {
                    let (first, last, length) = self.code_range_pair()?;
                    self.skip_spaces();
                    let strings = match self.peek()? {
                        b'<' => vec![self.target_string()?],
                        b'[' => self.target_array()?,
                        _ => return None,
                    };
                    self.expect_blanks()?;
                    // lopdf refuses the whole CMap for a backwards range.
                    if last < first {
                        return None;
                    }
                    let target = match &strings[..] {
                        [single] if single.len() == 1 => RangeTarget::CodePointOffset((single[0] as u32).wrapping_sub(first)),
                        [single] => RangeTarget::Incrementing(single.clone()),
                        _ => RangeTarget::PerCode(strings),
                    };
                    entries.push((first, last, length, target));
                }
                self.expect(b"endbfrange")?;
            } else {
                return None;
            }
            self.expect_blanks()
        }
    }

    /// A tolerant reader of CMap sections, for CMaps lopdf's parser refuses
    /// over their PostScript wrapping (producers write `/CIDSystemInfo<<`
    /// without a space, `/CMap define resource pop`, extra dictionary
    /// entries, comments in odd places...). It tokenises the stream as
    /// PostScript (PDF 32000-1 §7.2 lexical conventions; Adobe technotes
    /// 5014 and 5411 for the CMap operators) and reads only the
    /// `begincodespacerange`, `beginbfchar` and `beginbfrange` sections;
    /// everything between them is skipped.
    mod lenient {
        use super::RangeTarget;

        /// Mappings (first code, last code, code length, target) and
        /// codespace ranges (low, high, code length).
        type Sections = (Vec<(u32, u32, u8, RangeTarget)>, Vec<(u32, u32, u8)>);

        /// One PostScript token, as far as CMap sections need to tell
        /// tokens apart.
        #[derive(Debug, PartialEq)]
        enum Token<'input> {
            /// `<...>`: the bytes its hex digits spell (an odd last digit is
            /// followed by an implied 0, as PDF hex strings are).
            Hex(Vec<u8>),
            /// `[`
            ArrayStart,
            /// `]`
            ArrayEnd,
            /// An operator or number (`beginbfchar`, `12`, `def`...).
            Word(&'input [u8]),
            /// Anything else: names, literal strings, `<<`, `>>`, `{`, `}`.
            Other,
        }

        fn is_white_space(byte: u8) -> bool {
            matches!(byte, b'\0' | b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
        }

        fn is_delimiter(byte: u8) -> bool {
            matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
        }

        struct Tokens<'input> {
            input: &'input [u8],
            position: usize,
        }

        impl<'input> Tokens<'input> {
            /// The next token, `None` at the end, `Some(None)` for a token
            /// that cannot be read (an unterminated or non-hex `<...>`).
            fn next_token(&mut self) -> Option<Option<Token<'input>>> {
                let input = self.input;
                loop {
                    let byte = *input.get(self.position)?;
                    if is_white_space(byte) {
                        self.position += 1;
                    } else if byte == b'%' {
                        while self.position < input.len() && !matches!(input[self.position], b'\r' | b'\n') {
                            self.position += 1;
                        }
                    } else {
                        break;
                    }
                }
                let start = self.position;
                self.position += 1;
                let token = match input[start] {
                    b'[' => Token::ArrayStart,
                    b']' => Token::ArrayEnd,
                    b'{' | b'}' | b')' => Token::Other,
                    b'<' if input.get(self.position) == Some(&b'<') => {
                        self.position += 1;
                        Token::Other
                    }
                    b'>' => {
                        if input.get(self.position) == Some(&b'>') {
                            self.position += 1;
                        }
                        Token::Other
                    }
                    b'<' => {
                        let mut bytes = Vec::new();
                        let mut pending_high_digit: Option<u8> = None;
                        loop {
                            let Some(&byte) = input.get(self.position) else { return Some(None) };
                            self.position += 1;
                            if byte == b'>' {
                                break;
                            }
                            if is_white_space(byte) {
                                continue;
                            }
                            let Some(digit) = char::from(byte).to_digit(16) else { return Some(None) };
                            match pending_high_digit.take() {
                                Some(high) => bytes.push(high << 4 | digit as u8),
                                None => pending_high_digit = Some(digit as u8),
                            }
                        }
                        if let Some(high) = pending_high_digit {
                            bytes.push(high << 4);
                        }
                        Token::Hex(bytes)
                    }
                    b'(' => {
                        // A literal string: balanced parentheses, `\` escapes.
                        let mut depth = 1;
                        while depth > 0 {
                            let Some(&byte) = input.get(self.position) else { break };
                            self.position += 1;
                            match byte {
                                b'\\' => self.position += 1,
                                b'(' => depth += 1,
                                b')' => depth -= 1,
                                _ => {}
                            }
                        }
                        Token::Other
                    }
                    b'/' => {
                        while self.position < input.len() && !is_white_space(input[self.position]) && !is_delimiter(input[self.position]) {
                            self.position += 1;
                        }
                        Token::Other
                    }
                    _ => {
                        while self.position < input.len() && !is_white_space(input[self.position]) && !is_delimiter(input[self.position]) {
                            self.position += 1;
                        }
                        Token::Word(&input[start..self.position])
                    }
                };
                Some(Some(token))
            }
        }

        /// A source code: one to four bytes, big-endian.
        fn source_code(bytes: &[u8]) -> Option<(u32, u8)> {
            (1..=4).contains(&bytes.len()).then(|| (bytes.iter().fold(0u32, |code, byte| code << 8 | *byte as u32), bytes.len() as u8))
        }

        /// A destination: UTF-16BE, an even number of bytes, at least two.
        fn utf16_units(bytes: &[u8]) -> Option<Vec<u16>> {
            (bytes.len() >= 2 && bytes.len().is_multiple_of(2)).then(|| bytes.chunks(2).map(|pair| u16::from(pair[0]) << 8 | u16::from(pair[1])).collect())
        }

        /// A range's two ends, which must have the same length and be in
        /// order.
        fn code_range(low: &[u8], high: &[u8]) -> Option<(u32, u32, u8)> {
            let (first, length) = source_code(low)?;
            let (last, last_length) = source_code(high)?;
            (length == last_length && first <= last).then_some((first, last, length))
        }

        /// The CMap's sections, or `None` as described at
        /// [`super::ToUnicodeMap::parse_leniently`]. Destinations that are
        /// not UTF-16 strings (names, odd byte counts) are skipped one by
        /// one; a malformed range refuses the whole CMap, as lopdf does.
        pub(super) fn sections(content: &[u8]) -> Option<Sections> {
            let mut tokens = Tokens { input: content, position: 0 };
            let mut entries = Vec::new();
            let mut codespace_ranges = Vec::new();
            let mut ended = false;
            while let Some(token) = tokens.next_token() {
                let Some(Token::Word(word)) = token else { continue };
                match word {
                    b"begincodespacerange" => loop {
                        match tokens.next_token()?? {
                            Token::Hex(low) => {
                                let Token::Hex(high) = tokens.next_token()?? else { return None };
                                codespace_ranges.push(code_range(&low, &high)?);
                            }
                            Token::Word(b"endcodespacerange") => break,
                            _ => return None,
                        }
                    },
                    b"beginbfchar" => loop {
                        match tokens.next_token()?? {
                            Token::Hex(source) => {
                                let (code, length) = source_code(&source)?;
                                match tokens.next_token()?? {
                                    Token::Hex(destination) => {
                                        let Some(units) = utf16_units(&destination) else { continue };
                                        let target = if units.len() == 1 {
                                            RangeTarget::CodePointOffset((units[0] as u32).wrapping_sub(code))
                                        } else {
                                            RangeTarget::Incrementing(units)
                                        };
                                        entries.push((code, code, length, target));
                                    }
                                    Token::Other => {}
                                    _ => return None,
                                }
                            }
                            Token::Word(b"endbfchar") => break,
                            _ => return None,
                        }
                    },
                    b"beginbfrange" => loop {
                        match tokens.next_token()?? {
                            Token::Hex(low) => {
                                let Token::Hex(high) = tokens.next_token()?? else { return None };
                                let (first, last, length) = code_range(&low, &high)?;
                                let target = match tokens.next_token()?? {
                                    Token::Hex(destination) => match utf16_units(&destination) {
                                        Some(units) if units.len() == 1 => RangeTarget::CodePointOffset((units[0] as u32).wrapping_sub(first)),
                                        Some(units) => RangeTarget::Incrementing(units),
                                        None => continue,
                                    },
                                    Token::ArrayStart => {
                                        let mut strings = Vec::new();
                                        loop {
                                            match tokens.next_token()?? {
                                                Token::Hex(destination) => strings.push(utf16_units(&destination).unwrap_or_else(|| vec![0xFFFD])),
                                                Token::ArrayEnd => break,
                                                _ => return None,
                                            }
                                        }
                                        if strings.is_empty() {
                                            continue;
                                        }
                                        RangeTarget::PerCode(strings)
                                    }
                                    _ => return None,
                                };
                                entries.push((first, last, length, target));
                            }
                            Token::Word(b"endbfrange") => break,
                            _ => return None,
                        }
                    },
                    b"endcmap" => {
                        ended = true;
                        break;
                    }
                    _ => {}
                }
            }
            ended.then_some((entries, codespace_ranges))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A document holding one Type0 font whose ToUnicode CMap is `cmap`.
    fn document_with_to_unicode(cmap: &str) -> (Document, ObjectId) {
        let mut document = Document::with_version("1.7");
        let cmap_id = document.add_object(Stream::new(dictionary! {}, cmap.as_bytes().to_vec()));
        let font_id = document.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "Test", "Encoding" => "Identity-H", "ToUnicode" => cmap_id,
        });
        (document, font_id)
    }

    const HEADER: &str = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n";
    const FOOTER: &str = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

    /// Decodes every one- and two-byte code and a few longer strings with
    /// tramite's reading of the font and with lopdf's, and returns whether
    /// tramite's own CMap reader was used.
    fn decodes_like_lopdf(cmap: &str) -> bool {
        let (document, font_id) = document_with_to_unicode(cmap);
        let font = document.get_dictionary(font_id).unwrap();
        let ours = font_encoding(&document, font).unwrap();
        let lopdf = font.get_font_encoding(&document).unwrap();
        let mut strings: Vec<Vec<u8>> = (0..=255u8).map(|byte| vec![byte]).collect();
        strings.extend((0..=65535u16).map(|code| code.to_be_bytes().to_vec()));
        strings.push((0..=255u8).collect());
        strings.push((0..=255u8).rev().cycle().take(777).collect());
        for string in &strings {
            let decoded = match &ours {
                FontEncoding::ToUnicode(map) => map.decode(string),
                FontEncoding::Lopdf(encoding) => encoding.bytes_to_string(string).unwrap(),
            };
            assert_eq!(decoded, lopdf.bytes_to_string(string).unwrap(), "{string:?} with {cmap}");
        }
        matches!(ours, FontEncoding::ToUnicode(_))
    }

    #[test]
    fn an_identity_cmap_over_all_two_byte_codes_is_read_without_lopdf_and_decodes_the_same() {
        let ranges: String = (0..=255u32).map(|high| format!("<{high:02x}00> <{high:02x}ff> <{high:02x}00>\n")).collect();
        let cmap = format!("{HEADER}1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n256 beginbfrange\n{ranges}endbfrange\n{FOOTER}");
        assert!(decodes_like_lopdf(&cmap));
    }

    #[test]
    fn characters_ligatures_and_arrays_decode_as_lopdf_decodes_them() {
        let cmap = format!(
            "{HEADER}1 begincodespacerange\n<0000> <00FF>\nendcodespacerange\n3 beginbfchar\n<0003> <0020>\n<0011> <00660069>\n<0012><D835DC00>\nendbfchar\n\
             2 beginbfrange\n<0020> <0030> [<0041> <00420043> <FEFF0044>]\n<0040><0050> <00E9>\nendbfrange\n{FOOTER}"
        );
        assert!(decodes_like_lopdf(&cmap));
        let one_byte = format!("{HEADER}1 begincodespacerange\n<00> <FF>\nendcodespacerange\n1 beginbfrange\n<20> <7E> <0020>\nendbfrange\n{FOOTER}");
        assert!(decodes_like_lopdf(&one_byte));
    }

    /// A one-byte ToUnicode CMap as LibreOffice wrote it into the
    /// Mustangproject ZUGFeRD samples: no space before `<<`, names glued
    /// together, and `define resource` for `defineresource`, which lopdf's
    /// parser refuses (it then falls back to the standard encoding and the
    /// text comes out as garbage).
    const MUSTANG_SHAPED_CMAP: &str = "/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo<<\n/Registry (Adobe)\n\
        /Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName/Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\n\
        endcodespacerange\n9 beginbfchar\n<01> <0052>\n<02> <0065>\n<03> <0063>\n<04> <0068>\n<05> <006E>\n<06> <0075>\n<07> <0067>\n\
        <08><0020>\n<09> <20AC>\nendbfchar\n2 beginbfrange\n<10> <19> <0030>\n<1A><1B>[<00660069> <00DF>]\nendbfrange\nendcmap\n\
        CMapName currentdict /CMap define resource pop\nend\nend\n";

    /// A simple TrueType font (no `/Encoding`, one-byte codes) whose
    /// ToUnicode CMap is `cmap`.
    fn simple_font_with_to_unicode(cmap: &str) -> (Document, ObjectId) {
        let mut document = Document::with_version("1.7");
        let cmap_id = document.add_object(Stream::new(dictionary! {}, cmap.as_bytes().to_vec()));
        let font_id = document.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "BAAAAA+LiberationSans", "ToUnicode" => cmap_id,
        });
        (document, font_id)
    }

    #[test]
    fn a_cmap_lopdf_refuses_over_its_postscript_wrapping_is_read_by_its_sections() {
        let (document, font_id) = simple_font_with_to_unicode(MUSTANG_SHAPED_CMAP);
        let font = document.get_dictionary(font_id).unwrap();
        assert!(!matches!(font.get_font_encoding(&document).unwrap(), Encoding::UnicodeMapEncoding(_)), "lopdf refuses it");
        let Some(FontEncoding::ToUnicode(map)) = font_encoding(&document, font) else { panic!("the CMap was not read by tramite") };
        assert_eq!(map.decode(&[1, 2, 3, 4, 5, 6, 5, 7, 8, 0x11, 0x12, 0x13, 8, 9]), "Rechnung 123 €");
        assert_eq!(map.decode(&[0x1A, 0x1B]), "fiß");
        // An unmapped code inside the codespace is a replacement character.
        assert_eq!(map.decode(&[0xF0]), "\u{FFFD}");
    }

    #[test]
    fn the_tolerant_reader_accepts_any_white_space_and_comments_between_tokens() {
        let cmap = "%!PS-Adobe-3.0 Resource-CMap\n/CIDInit /ProcSet findresource begin 12 dict begin begincmap\r\
            /CIDSystemInfo 3 dict dup begin /Registry (Adobe) def /Ordering (UCS) def /Supplement 0 def end def\r\
            1 begincodespacerange <0000><FFFF> endcodespacerange % two-byte codes\r\
            1 beginbfchar<0003><0 0 2 0>endbfchar 1 beginbfrange <0041>\t<0043><00 41> endbfrange endcmap";
        let map = to_unicode_cmap::ToUnicodeMap::parse_leniently(cmap.as_bytes()).expect("read");
        assert_eq!(map.decode(&[0, 0x41, 0, 3, 0, 0x43]), "A C");
        assert!(to_unicode_cmap::ToUnicodeMap::parse(cmap.as_bytes()).is_none(), "lopdf's grammar refuses this layout");
    }

    #[test]
    fn the_tolerant_reader_refuses_cmaps_without_mappings_or_end_or_with_malformed_ranges() {
        let read = |cmap: &str| to_unicode_cmap::ToUnicodeMap::parse_leniently(cmap.as_bytes()).is_some();
        assert!(read("1 beginbfchar <01> <0041> endbfchar endcmap"));
        assert!(!read("1 beginbfchar <01> <0041> endbfchar"), "no endcmap");
        assert!(!read("1 begincodespacerange <00> <FF> endcodespacerange endcmap"), "no mapping");
        assert!(!read("1 beginbfrange <0010> <20> <0041> endbfrange endcmap"), "ends of different lengths");
        assert!(!read("1 beginbfrange <20> <10> <0041> endbfrange endcmap"), "backwards range");
        assert!(!read("2 beginbfrange <10> <20> <0041> <18> <19> <0061> endbfrange endcmap"), "overlapping ranges");
        assert!(!read("1 beginbfchar <01> <0041 endcmap"), "unterminated hex string");
    }

    #[test]
    fn cmaps_the_reader_declines_still_decode_as_lopdf_decodes_them() {
        // Overlapping ranges: lopdf's range map rules apply, so lopdf reads it.
        let overlapping = format!("{HEADER}1 beginbfrange\n<0000> <00FF> <0100>\n<0010> <0020> <0041>\nendbfrange\n{FOOTER}");
        assert!(!decodes_like_lopdf(&overlapping));
        // No `endcmap`: lopdf cannot parse it and falls back to the standard encoding.
        let truncated = format!("{HEADER}1 beginbfrange\n<0000> <00FF> <0100>\nendbfrange\n");
        assert!(!decodes_like_lopdf(&truncated));
        // A range whose code lengths differ is refused by lopdf too.
        let mismatched = format!("{HEADER}1 beginbfrange\n<0000> <FF> <0100>\nendbfrange\n{FOOTER}");
        assert!(!decodes_like_lopdf(&mismatched));
    }
}
