//! Real tesseract on a synthetic 300 dpi scan whose tax line tesseract's
//! automatic layout analysis drops: the first reading finds subtotal and
//! total but no tax, so the page is read a second time as one block of text
//! and the amounts are merged (issue 3, `crate::second_reading`).
//!
//! The page is `tramite_synthetic::generate` seed 102, first invoice, a
//! flatbed scan at 300 dpi; its truth comes from the generator.

use image::GrayImage;
use tramite_pipeline::extract::{extract_document, ExtractOptions};
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::read::ocr::{OcrEngine, OcrError, OrientationEstimate, PixelRegion, TesseractOcr};
use tramite_pipeline::read::TextLine;
use tramite_synthetic::{generate, GeneratedDocument, GeneratorOptions, Rendering};

fn scan_whose_tax_line_the_first_reading_drops() -> GeneratedDocument {
    let options = GeneratorOptions { seed: 102, invoices: 1, identities: 0, scanned_share: 1.0, defect_share: 0.0, scan_dpi: 300 };
    let document = generate(&options).remove(0);
    assert_eq!(document.rendering, Rendering::Scan);
    document
}

fn extract_with(engine: &dyn OcrEngine, document: &GeneratedDocument) -> ExtractedDocument {
    extract_document(&document.file_name, &document.bytes, engine, &ExtractOptions::default())
}

/// Tesseract with no second way to read a page: the first reading alone.
struct TesseractReadingOnce(TesseractOcr);

impl OcrEngine for TesseractReadingOnce {
    fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        self.0.recognize(page, page_number, dots_per_inch)
    }

    fn recognize_region(
        &self,
        page: &GrayImage,
        page_number: u32,
        region: PixelRegion,
        character_whitelist: Option<&str>,
        page_segmentation_mode: u32,
    ) -> Result<Vec<TextLine>, OcrError> {
        self.0.recognize_region(page, page_number, region, character_whitelist, page_segmentation_mode)
    }

    fn detect_orientation(&self, page: &GrayImage, dots_per_inch: Option<u32>) -> Result<Option<OrientationEstimate>, OcrError> {
        self.0.detect_orientation(page, dots_per_inch)
    }
}

#[test]
fn regression_issue_3_a_scan_whose_tax_line_the_layout_analysis_drops_gets_its_tax_from_a_second_reading() {
    let document = scan_whose_tax_line_the_first_reading_drops();

    let first_reading_only = extract_with(&TesseractReadingOnce(TesseractOcr::default()), &document);
    assert_eq!(first_reading_only.value("subtotal"), Some(document.fields["subtotal"].as_str()));
    assert_eq!(first_reading_only.value("tax_amount"), None, "the first reading drops the tax line on this page");

    let read_twice = extract_with(&TesseractOcr::default(), &document);
    for amount in ["subtotal", "tax_amount", "total"] {
        assert_eq!(read_twice.value(amount), Some(document.fields[amount].as_str()), "{amount}");
    }
}
