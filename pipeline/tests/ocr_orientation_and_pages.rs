//! Real tesseract on synthetic scans: a page fed sideways or upside down
//! still reads (with orientation detection, and without it through the
//! word-confidence trial), a skewed scan is straightened first, every page
//! of a multi-page TIFF is read, a scanned PDF whose page is a CCITT
//! Group 4 fax image is read, and a scanned PDF page cut into two image
//! strips is rendered whole (real pdftoppm) and read.
//!
//! The pages come from `tramite_synthetic::generate` (flatbed scans at
//! 200 dpi); a page "reads its invoice number" when one of its OCR lines
//! holds the ground truth's `invoice_number`.

use std::io::Cursor;

use image::GrayImage;
use lopdf::{Document, Object, Stream, dictionary};
use tramite_pipeline::extraction::TextSource;
use tramite_pipeline::read::image_file::read_document_observing_pages;
use tramite_pipeline::read::ocr::{OcrEngine, OcrError, PixelRegion, TesseractOcr};
use tramite_pipeline::read::pdf::{PdfToRead, load_pdf, read_loaded_pdf_observing_pages};
use tramite_pipeline::read::render::PdftoppmRenderer;
use tramite_pipeline::read::preprocess::{OrientationMethod, PagePreparation, otsu_threshold, rotate_about_center, rotate_quarter_turns_clockwise};
use tramite_pipeline::read::{ReadDocument, ReadLimits, TextLine, read_document};
use tramite_synthetic::{GeneratorOptions, Rendering, generate};

/// Scanned synthetic invoices: each page with its printed invoice number.
fn scanned_invoice_pages(count: usize) -> Vec<(GrayImage, String)> {
    let options = GeneratorOptions { seed: 5, invoices: count * 3, identities: 0, scanned_share: 1.0, defect_share: 0.0, scan_dpi: 200 };
    generate(&options)
        .into_iter()
        .filter(|document| document.rendering == Rendering::Scan)
        .take(count)
        .map(|document| {
            let page = image::load_from_memory(&document.bytes).expect("the synthetic scan decodes").into_luma8();
            (page, document.fields["invoice_number"].clone())
        })
        .collect()
}

fn png(page: &GrayImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    page.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).expect("PNG encodes");
    bytes
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|character| !character.is_whitespace()).collect()
}

fn lines_hold(lines: &[TextLine], wanted: &str) -> bool {
    let wanted = without_spaces(wanted);
    lines.iter().any(|line| without_spaces(&line.text).contains(&wanted))
}

/// Reads a file and keeps what was done to each OCR'd page.
fn read_keeping_preparations(bytes: &[u8], ocr: &dyn OcrEngine) -> (ReadDocument, Vec<PagePreparation>) {
    let mut preparations = Vec::new();
    let document = read_document_observing_pages(bytes, ocr, &ReadLimits::default(), &mut |page| preparations.push(*page.preparation)).expect("the file reads");
    (document, preparations)
}

#[test]
fn a_scanned_invoice_fed_a_quarter_turn_clockwise_still_reads_its_invoice_number() {
    let (page, invoice_number) = scanned_invoice_pages(1).remove(0);
    let sideways = rotate_quarter_turns_clockwise(page, 1);
    let (document, preparations) = read_keeping_preparations(&png(&sideways), &TesseractOcr::default());
    assert_eq!(preparations[0].clockwise_quarter_turns, 3, "{preparations:?}");
    assert!(lines_hold(&document.lines, &invoice_number), "the invoice number was not read from the page turned upright");
}

#[test]
fn a_scanned_invoice_fed_upside_down_still_reads_its_invoice_number() {
    let (page, invoice_number) = scanned_invoice_pages(2).remove(1);
    let upside_down = rotate_quarter_turns_clockwise(page, 2);
    let (document, preparations) = read_keeping_preparations(&png(&upside_down), &TesseractOcr::default());
    assert_eq!(preparations[0].clockwise_quarter_turns, 2, "{preparations:?}");
    assert!(lines_hold(&document.lines, &invoice_number), "the invoice number was not read from the page turned upright");
}

/// Tesseract without orientation detection, as on a machine without
/// `osd.traineddata`: only the trial of turns can find the way up.
struct TesseractWithoutOrientationDetection(TesseractOcr);

impl OcrEngine for TesseractWithoutOrientationDetection {
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
}

#[test]
fn without_orientation_detection_the_word_confidence_trial_turns_a_sideways_page_upright() {
    let (page, invoice_number) = scanned_invoice_pages(1).remove(0);
    let sideways = rotate_quarter_turns_clockwise(page, 3);
    let (document, preparations) = read_keeping_preparations(&png(&sideways), &TesseractWithoutOrientationDetection(TesseractOcr::default()));
    assert_eq!(preparations[0].clockwise_quarter_turns, 1, "{preparations:?}");
    assert_eq!(preparations[0].orientation_method, OrientationMethod::WordConfidenceTrial);
    assert!(lines_hold(&document.lines, &invoice_number), "the invoice number was not read from the page turned upright");
}

#[test]
fn a_scan_skewed_by_three_degrees_is_straightened_before_it_is_read() {
    let (page, invoice_number) = scanned_invoice_pages(1).remove(0);
    let skewed = rotate_about_center(&page, 3.0);
    let (document, preparations) = read_keeping_preparations(&png(&skewed), &TesseractOcr::default());
    let preparation = preparations[0];
    assert_eq!(preparation.orientation_method, OrientationMethod::ReadUpright);
    assert!(preparation.skew_corrected, "{preparation:?}");
    // The scan itself may be up to a degree off before the three added here.
    assert!((preparation.measured_skew_degrees - 3.0).abs() <= 1.2, "{preparation:?}");
    assert!(lines_hold(&document.lines, &invoice_number), "the invoice number was not read from the straightened page");
}

#[test]
fn a_three_page_tiff_gives_three_pages_of_lines() {
    let pages = scanned_invoice_pages(3);
    let mut bytes = Vec::new();
    {
        let mut encoder =
            tiff::encoder::TiffEncoder::new(Cursor::new(&mut bytes)).expect("the TIFF encoder starts").with_compression(tiff::encoder::Compression::Lzw);
        for (page, _) in &pages {
            encoder.write_image::<tiff::encoder::colortype::Gray8>(page.width(), page.height(), page.as_raw()).expect("the page encodes");
        }
    }

    let document = read_document(&bytes, &TesseractOcr::default(), &ReadLimits::default()).expect("the TIFF reads");
    assert_eq!(document.pages, 3);
    assert_eq!(document.source, TextSource::Ocr);
    for (index, (_, invoice_number)) in pages.iter().enumerate() {
        let page_lines: Vec<TextLine> = document.lines.iter().filter(|line| line.page == index as u32 + 1).cloned().collect();
        assert!(page_lines.len() >= 10, "page {} has {} lines", index + 1, page_lines.len());
        assert!(lines_hold(&page_lines, invoice_number), "page {} lacks its own invoice number", index + 1);
    }
}

/// A one-page PDF whose page is `image` (drawn over the whole A4 page).
fn pdf_with_page_image(image: Stream) -> Vec<u8> {
    pdf_with_page_images(vec![("Scan", image, 0.0, A4_HEIGHT)])
}

const A4_WIDTH: f32 = 595.0;
const A4_HEIGHT: f32 = 842.0;

/// A one-page A4 PDF drawing each `(name, image, bottom edge, height)`
/// across the page's width, from its bottom edge up (in points).
fn pdf_with_page_images(images: Vec<(&str, Stream, f32, f32)>) -> Vec<u8> {
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let mut operations = Vec::new();
    let mut xobjects = lopdf::Dictionary::new();
    for (name, image, bottom_edge, height) in images {
        xobjects.set(name, document.add_object(image));
        operations.extend([
            lopdf::content::Operation::new("q", vec![]),
            lopdf::content::Operation::new("cm", vec![A4_WIDTH.into(), 0.into(), 0.into(), height.into(), 0.into(), bottom_edge.into()]),
            lopdf::content::Operation::new("Do", vec![Object::Name(name.as_bytes().to_vec())]),
            lopdf::content::Operation::new("Q", vec![]),
        ]);
    }
    let content = lopdf::content::Content { operations };
    let content_id = document.add_object(Stream::new(dictionary! {}, content.encode().expect("the content encodes")));
    let page_id = document.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "XObject" => xobjects },
    });
    document.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("the PDF saves");
    bytes
}

/// An 8-bit gray image XObject holding `image`.
fn gray_image_stream(image: &GrayImage) -> Stream {
    let mut stream = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => image.width() as i64, "Height" => image.height() as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        image.as_raw().clone(),
    );
    stream.compress().expect("the image compresses");
    stream
}

/// Some scanners write a page as strips: such a page is not one image, so it
/// is rendered whole (real pdftoppm) and read. Without a renderer only its
/// larger strip is read, and the invoice number, printed on the other, is lost.
#[test]
fn a_scanned_page_in_two_strips_is_rendered_whole_and_its_invoice_number_read() {
    let (page, invoice_number) = scanned_invoice_pages(1).remove(0);
    let top_rows = (page.height() as f32 * 0.35) as u32;
    let top = image::imageops::crop_imm(&page, 0, 0, page.width(), top_rows).to_image();
    let bottom = image::imageops::crop_imm(&page, 0, top_rows, page.width(), page.height() - top_rows).to_image();
    let top_height = A4_HEIGHT * top_rows as f32 / page.height() as f32;
    let bytes = pdf_with_page_images(vec![
        ("Top", gray_image_stream(&top), A4_HEIGHT - top_height, top_height),
        ("Bottom", gray_image_stream(&bottom), 0.0, A4_HEIGHT - top_height),
    ]);
    let document = load_pdf(&bytes).expect("the PDF loads");
    let (ocr, limits) = (TesseractOcr::default(), ReadLimits::default());

    let renderer = PdftoppmRenderer::default();
    let rendered = read_loaded_pdf_observing_pages(PdfToRead { document: &document, bytes: &bytes, renderer: Some(&renderer) }, &ocr, &limits, &mut |_| {})
        .expect("the rendered page reads");
    assert_eq!(rendered.source, TextSource::Ocr);
    assert!(lines_hold(&rendered.lines, &invoice_number), "the invoice number {invoice_number} was not read from the rendered page");

    let largest_strip_only = read_loaded_pdf_observing_pages(PdfToRead { document: &document, bytes: &bytes, renderer: None }, &ocr, &limits, &mut |_| {})
        .expect("the larger strip reads");
    assert!(!lines_hold(&largest_strip_only.lines, &invoice_number), "the invoice number is on the top strip, which the larger strip does not show");
}

#[test]
fn a_scanned_pdf_whose_page_is_a_group_4_fax_image_reads_its_invoice_number() {
    let (page, invoice_number) = scanned_invoice_pages(1).remove(0);
    let threshold = otsu_threshold(&page);
    let (width, height) = (page.width() as u16, page.height() as u16);
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for row in page.rows() {
        let pels = row.map(|pixel| if pixel[0] < threshold { fax::Color::Black } else { fax::Color::White });
        encoder.encode_line(pels, width).expect("the row encodes");
    }
    let encoded = encoder.finish().expect("the image encodes").finish();
    let image = Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => width as i64, "Height" => height as i64,
            "ImageMask" => true, "Filter" => "CCITTFaxDecode",
            "DecodeParms" => dictionary! { "K" => -1, "Columns" => width as i64, "Rows" => height as i64 },
        },
        encoded,
    );

    let document = read_document(&pdf_with_page_image(image), &TesseractOcr::default(), &ReadLimits::default()).expect("the PDF reads");
    assert_eq!(document.source, TextSource::Ocr);
    assert!(lines_hold(&document.lines, &invoice_number), "the invoice number was not read from the fax image");
}
