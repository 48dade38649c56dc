//! One outside system: the OCR engine. [`TesseractOcr`] drives libtesseract
//! in-process with one engine per thread (tesseract engines are not
//! thread-safe and are slow to create); [`FixedTextOcr`] returns prepared
//! lines for unit tests of the logic above it.
//!
//! Set `OMP_THREAD_LIMIT=1` in the process environment before the first
//! engine starts: tesseract's OpenMP threads otherwise make a page 6x slower
//! on a busy machine. The binary does it first thing in `main`.

use std::cell::RefCell;
use std::collections::BTreeMap;

use image::GrayImage;

use super::TextLine;

/// Recognises the text of one page image. Called on blocking threads.
pub trait OcrEngine: Send + Sync {
    /// Lines of text on the page, in reading order, with pixel boxes.
    fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OCR failed: {0}")]
pub struct OcrError(pub String);

/// libtesseract, in-process.
#[derive(Debug, Clone)]
pub struct TesseractOcr {
    /// Tesseract language codes joined with `+` (default `spa+eng`).
    pub languages: String,
    /// Page segmentation mode; 3 (fully automatic) as the CLI uses by default.
    pub page_segmentation_mode: u32,
}

impl Default for TesseractOcr {
    fn default() -> Self {
        TesseractOcr { languages: "spa+eng".to_string(), page_segmentation_mode: 3 }
    }
}

thread_local! {
    /// This thread's engine, with the languages it was started with.
    static THREAD_ENGINE: RefCell<Option<(String, tesseract::Tesseract)>> = const { RefCell::new(None) };
}

impl TesseractOcr {
    /// Checks that the engine starts with the configured languages (so a
    /// missing language pack is reported at start-up, not per document).
    pub fn check_available(&self) -> Result<(), OcrError> {
        tesseract::Tesseract::new(None, Some(&self.languages)).map(|_| ()).map_err(|error| {
            OcrError(format!(
                "tesseract could not start with languages {:?} ({error}); install the language data, \
                 e.g. `apt-get install tesseract-ocr-eng tesseract-ocr-spa`",
                self.languages
            ))
        })
    }

    fn with_engine<T>(&self, work: impl FnOnce(tesseract::Tesseract) -> Result<(tesseract::Tesseract, T), OcrError>) -> Result<T, OcrError> {
        THREAD_ENGINE.with(|slot| {
            let mut slot = slot.borrow_mut();
            let engine = match slot.take() {
                Some((languages, engine)) if languages == self.languages => engine,
                _ => tesseract::Tesseract::new(None, Some(&self.languages))
                    .map_err(|error| OcrError(format!("could not start tesseract with {:?}: {error}", self.languages)))?
                    // Keep tesseract's diagnostics ("Detected 11 diacritics") off stderr.
                    .set_variable("debug_file", "/dev/null")
                    .map_err(|error| OcrError(format!("could not configure tesseract: {error}")))?,
            };
            let (engine, result) = work(engine)?;
            *slot = Some((self.languages.clone(), engine));
            Ok(result)
        })
    }
}

impl OcrEngine for TesseractOcr {
    fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        let (width, height) = page.dimensions();
        let page_segmentation_mode = self.page_segmentation_mode;
        let tsv = self.with_engine(|engine| {
            let mut engine = engine
                .set_frame(page.as_raw(), width as i32, height as i32, 1, width as i32)
                .map_err(|error| OcrError(format!("could not hand the page to tesseract: {error}")))?
                .set_source_resolution(dots_per_inch.unwrap_or(300) as i32);
            engine.set_page_seg_mode(page_segmentation_mode_from_number(page_segmentation_mode));
            let mut engine = engine.recognize().map_err(|error| OcrError(format!("recognition failed: {error}")))?;
            let tsv = engine.get_tsv_text(0).map_err(|error| OcrError(format!("could not read the result: {error}")))?;
            Ok((engine, tsv))
        })?;
        Ok(lines_from_tsv(&tsv, page_number))
    }
}

fn page_segmentation_mode_from_number(number: u32) -> tesseract::PageSegMode {
    use tesseract::PageSegMode::*;
    match number {
        0 => PsmOsdOnly,
        1 => PsmAutoOsd,
        4 => PsmSingleColumn,
        6 => PsmSingleBlock,
        11 => PsmSparseText,
        12 => PsmSparseTextOsd,
        _ => PsmAuto,
    }
}

/// Groups tesseract's TSV word rows (level 5) into lines, keeping each
/// line's box and mean word confidence.
pub fn lines_from_tsv(tsv: &str, page_number: u32) -> Vec<TextLine> {
    #[derive(Default)]
    struct LineBuilder {
        words: Vec<String>,
        confidences: Vec<f32>,
        bbox: [f32; 4],
    }
    let mut lines: BTreeMap<(u32, u32, u32), LineBuilder> = BTreeMap::new();
    for row in tsv.lines() {
        let columns: Vec<&str> = row.split('\t').collect();
        if columns.len() < 12 || columns[0] != "5" {
            continue;
        }
        let number = |index: usize| columns[index].trim().parse::<f32>().unwrap_or(0.0);
        let text = columns[11].trim();
        if text.is_empty() {
            continue;
        }
        let key = (number(2) as u32, number(3) as u32, number(4) as u32);
        let (left, top, width, height) = (number(6), number(7), number(8), number(9));
        let builder = lines.entry(key).or_insert_with(|| LineBuilder { bbox: [f32::MAX, f32::MAX, 0.0, 0.0], ..LineBuilder::default() });
        builder.words.push(text.to_string());
        builder.confidences.push((number(10) / 100.0).clamp(0.0, 1.0));
        builder.bbox = [builder.bbox[0].min(left), builder.bbox[1].min(top), builder.bbox[2].max(left + width), builder.bbox[3].max(top + height)];
    }
    lines
        .into_values()
        .map(|builder| TextLine {
            page: page_number,
            text: builder.words.join(" "),
            confidence: builder.confidences.iter().sum::<f32>() / builder.confidences.len() as f32,
            bbox: Some(builder.bbox),
            cells: Vec::new(),
        })
        .collect()
}

/// An OCR engine that returns prepared lines, for unit tests.
#[derive(Debug, Clone, Default)]
pub struct FixedTextOcr {
    pub lines: Vec<String>,
}

impl OcrEngine for FixedTextOcr {
    fn recognize(&self, _page: &GrayImage, page_number: u32, _dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        Ok(self
            .lines
            .iter()
            .enumerate()
            .map(|(index, text)| TextLine {
                page: page_number,
                text: text.clone(),
                bbox: Some([0.0, index as f32 * 20.0, 100.0, index as f32 * 20.0 + 15.0]),
                confidence: 0.95,
                cells: Vec::new(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words_are_grouped_into_lines_with_boxes_and_confidence() {
        let tsv = "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t90\tTotal:\n\
                   5\t1\t1\t1\t1\t2\t50\t21\t40\t11\t80\t1.210,00\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t30\t10\t70\tIVA\n";
        let lines = lines_from_tsv(tsv, 1);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Total: 1.210,00");
        assert_eq!(lines[0].bbox, Some([10.0, 20.0, 90.0, 32.0]));
        assert!((lines[0].confidence - 0.85).abs() < 1e-6);
        assert_eq!(lines[1].text, "IVA");
    }
}
