//! Real pdftoppm and real tesseract on a scanned PDF page that is not one
//! image: a synthetic invoice scan cut into two strips, as some scanners
//! write their pages. Such a page is rendered whole and read; without a
//! renderer only its largest strip would be read, and the invoice number,
//! printed on the other strip, would be lost.

use image::GrayImage;
use lopdf::{Document, Object, Stream, dictionary};
use tramite_pipeline::extraction::TextSource;
use tramite_pipeline::read::ReadLimits;
use tramite_pipeline::read::TextLine;
use tramite_pipeline::read::ocr::TesseractOcr;
use tramite_pipeline::read::pdf::{PdfToRead, load_pdf, read_loaded_pdf_observing_pages};
use tramite_pipeline::read::render::PdftoppmRenderer;
use tramite_synthetic::{GeneratorOptions, Rendering, generate};

/// A scanned synthetic invoice page and its printed invoice number.
fn scanned_invoice_page() -> (GrayImage, String) {
    let options = GeneratorOptions { seed: 5, invoices: 3, identities: 0, scanned_share: 1.0, defect_share: 0.0, scan_dpi: 200 };
    let document = generate(&options).into_iter().find(|document| document.rendering == Rendering::Scan).expect("a scan is generated");
    let page = image::load_from_memory(&document.bytes).expect("the synthetic scan decodes").into_luma8();
    (page, document.fields["invoice_number"].clone())
}

/// An 8-bit gray image XObject holding `image`.
fn image_stream(image: &GrayImage) -> Stream {
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

/// A one-page A4 PDF showing `page` as two images: its top `top_share`
/// above the rest, each drawn where it belongs.
fn pdf_with_page_in_two_strips(page: &GrayImage, top_share: f32) -> Vec<u8> {
    let top_rows = (page.height() as f32 * top_share) as u32;
    let top = image::imageops::crop_imm(page, 0, 0, page.width(), top_rows).to_image();
    let bottom = image::imageops::crop_imm(page, 0, top_rows, page.width(), page.height() - top_rows).to_image();
    let (page_width, page_height) = (595.0_f32, 842.0_f32);
    let top_height = page_height * top_rows as f32 / page.height() as f32;
    let mut document = Document::with_version("1.5");
    let pages_id = document.new_object_id();
    let top_id = document.add_object(image_stream(&top));
    let bottom_id = document.add_object(image_stream(&bottom));
    let draw = |name: &str, bottom_edge: f32, height: f32| {
        vec![
            lopdf::content::Operation::new("q", vec![]),
            lopdf::content::Operation::new("cm", vec![page_width.into(), 0.into(), 0.into(), height.into(), 0.into(), bottom_edge.into()]),
            lopdf::content::Operation::new("Do", vec![Object::Name(name.as_bytes().to_vec())]),
            lopdf::content::Operation::new("Q", vec![]),
        ]
    };
    let mut operations = draw("Top", page_height - top_height, top_height);
    operations.extend(draw("Bottom", 0.0, page_height - top_height));
    let content = lopdf::content::Content { operations };
    let content_id = document.add_object(Stream::new(dictionary! {}, content.encode().expect("the content encodes")));
    let page_id = document.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "Top" => top_id, "Bottom" => bottom_id } },
    });
    document.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
    let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    document.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).expect("the PDF saves");
    bytes
}

fn without_spaces(text: &str) -> String {
    text.chars().filter(|character| !character.is_whitespace()).collect()
}

fn lines_hold(lines: &[TextLine], wanted: &str) -> bool {
    let wanted = without_spaces(wanted);
    lines.iter().any(|line| without_spaces(&line.text).contains(&wanted))
}

#[test]
fn a_scanned_page_in_two_strips_is_rendered_whole_and_its_invoice_number_read() {
    let (page, invoice_number) = scanned_invoice_page();
    let bytes = pdf_with_page_in_two_strips(&page, 0.35);
    let document = load_pdf(&bytes).expect("the PDF loads");
    let ocr = TesseractOcr::default();
    let limits = ReadLimits::default();

    let renderer = PdftoppmRenderer::default();
    let rendered = read_loaded_pdf_observing_pages(PdfToRead { document: &document, bytes: &bytes, renderer: Some(&renderer) }, &ocr, &limits, &mut |_| {})
        .expect("the rendered page reads");
    assert_eq!(rendered.source, TextSource::Ocr);
    assert!(lines_hold(&rendered.lines, &invoice_number), "the invoice number {invoice_number} was not read from the rendered page");

    // Without a renderer only the larger strip is read: the invoice
    // number, on the other one, is not there.
    let largest_strip_only = read_loaded_pdf_observing_pages(PdfToRead { document: &document, bytes: &bytes, renderer: None }, &ocr, &limits, &mut |_| {})
        .expect("the larger strip reads");
    assert!(!lines_hold(&largest_strip_only.lines, &invoice_number), "the invoice number is on the top strip, which the larger strip does not show");
}
