//! Turning a file's bytes into text lines with positions: the PDF text
//! layer (lopdf), the images inside scanned PDFs (or the page rendered by a
//! [`render::PageRenderer`] when it is not one image), and image files
//! through an [`ocr::OcrEngine`]. A file that cannot be read ends as a
//! [`ReadFailure`] with a stable code; it never panics the caller.
//!
//! XML files are recognised too ([`FileFormat::Xml`]) but never OCR'd: a
//! structured e-invoice has no text lines to read, its values are read from
//! its elements by [`crate::einvoice`] (see [`crate::extract`]), and any
//! other XML is refused as `unsupported_format`.

pub mod image_file;
pub mod mrz_band;
pub mod ocr;
pub mod pdf;
pub mod pdf_content_stream;
pub mod pdf_layout;
pub mod plain_text;
pub mod preprocess;
pub mod render;

use crate::einvoice::{sniff_einvoice_xml, SUPPORTED_EINVOICE_FORMATS};
use crate::extraction::TextSource;

/// Bounds that keep one hostile or huge file from hurting the batch.
#[derive(Debug, Clone)]
pub struct ReadLimits {
    /// Files larger than this are refused without being read.
    pub max_file_bytes: u64,
    /// Images larger than this many pixels (width × height) are refused
    /// before decoding (decompression bombs).
    pub max_image_pixels: u64,
    /// PDFs with more pages are refused.
    pub max_pages: u32,
    /// Images smaller than this on either side cannot hold text.
    pub min_image_side: u32,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { max_file_bytes: 100 * 1024 * 1024, max_image_pixels: 80_000_000, max_pages: 200, min_image_side: 32 }
    }
}

/// One line of text on a page, with its box (`[x0, y0, x1, y1]`, origin
/// top-left, in points for PDF text and pixels for images) where known, and
/// the reader's confidence in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    pub page: u32,
    /// The line's text; cells far apart on the line (table columns, a label
    /// and its value across the page) are separated by two spaces.
    pub text: String,
    pub bbox: Option<[f32; 4]>,
    pub confidence: f32,
    /// The horizontal extent `[x0, x1]` of each two-space-separated cell of
    /// `text`, in order, where known (empty otherwise).
    pub cells: Vec<[f32; 2]>,
}

impl TextLine {
    /// The byte range of the cell of `text` holding byte `position`.
    pub fn cell_range(&self, position: usize) -> std::ops::Range<usize> {
        let start = self.text[..position].rfind("  ").map_or(0, |found| found + 2);
        let end = self.text[position..].find("  ").map_or(self.text.len(), |found| position + found);
        start..end
    }

    /// The index of the cell holding byte `position`.
    pub fn cell_index(&self, position: usize) -> usize {
        self.text[..position].matches("  ").count()
    }

    /// The text of cell `index`.
    pub fn cell_text(&self, index: usize) -> Option<&str> {
        self.text.split("  ").nth(index)
    }
}

/// Everything read from one file.
#[derive(Debug, Clone)]
pub struct ReadDocument {
    pub pages: u32,
    pub source: TextSource,
    pub lines: Vec<TextLine>,
}

/// A file that could not be read. `code` is stable and machine-readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ReadFailure {
    pub code: &'static str,
    pub message: String,
}

impl ReadFailure {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ReadFailure { code, message: message.into() }
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Pdf,
    Png,
    Jpeg,
    Tiff,
    /// Text that starts with an XML declaration or a root element (after an
    /// optional byte order mark and whitespace).
    Xml,
    Unknown,
}

/// Recognises a file by its magic bytes, never by its name.
pub fn sniff_format(bytes: &[u8]) -> FileFormat {
    let head = &bytes[..bytes.len().min(1024)];
    if starts_like_xml(head) {
        FileFormat::Xml
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        FileFormat::Png
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        FileFormat::Jpeg
    } else if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        FileFormat::Tiff
    } else if head.windows(5).any(|window| window == b"%PDF-") {
        FileFormat::Pdf
    } else {
        FileFormat::Unknown
    }
}

/// True when the bytes open like an XML document: an optional byte order
/// mark (UTF-8, or UTF-16 in either order), optional whitespace, then `<?xml`,
/// a comment, or a root element's name.
fn starts_like_xml(head: &[u8]) -> bool {
    let text: String = if let Some(rest) = head.strip_prefix(b"\xFF\xFE") {
        rest.chunks_exact(2).take(64).map(|pair| char::from_u32(u32::from(u16::from_le_bytes([pair[0], pair[1]]))).unwrap_or('\u{FFFD}')).collect()
    } else if let Some(rest) = head.strip_prefix(b"\xFE\xFF") {
        rest.chunks_exact(2).take(64).map(|pair| char::from_u32(u32::from(u16::from_be_bytes([pair[0], pair[1]]))).unwrap_or('\u{FFFD}')).collect()
    } else {
        let rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        rest.iter().take(64).map(|&byte| char::from(byte)).collect()
    };
    let Some(after_bracket) = text.trim_start_matches([' ', '\t', '\r', '\n']).strip_prefix('<') else { return false };
    after_bracket.starts_with("?xml") || after_bracket.starts_with("!--") || after_bracket.starts_with(|first: char| first.is_ascii_alphabetic() || first == '_')
}

/// Refuses empty files and files over `read.max_file_bytes`, before any
/// reading.
pub fn check_file_size(bytes: &[u8], limits: &ReadLimits) -> Result<(), ReadFailure> {
    if bytes.is_empty() {
        return Err(ReadFailure::new("empty_file", "the file is empty (0 bytes); upload the complete file again"));
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large_file(bytes.len() as u64, limits));
    }
    Ok(())
}

/// Reads a file: sniffs its format, checks the limits, and returns its text
/// lines. Runs OCR where there is no text layer. An XML e-invoice comes back
/// with no lines and source [`TextSource::Xml`] (its fields are read by
/// [`crate::einvoice`]); any other XML fails as `unsupported_format`.
pub fn read_document(bytes: &[u8], ocr: &dyn ocr::OcrEngine, limits: &ReadLimits) -> Result<ReadDocument, ReadFailure> {
    check_file_size(bytes, limits)?;
    match sniff_format(bytes) {
        FileFormat::Pdf => pdf::read_pdf(bytes, ocr, limits),
        FileFormat::Png | FileFormat::Jpeg | FileFormat::Tiff => image_file::read_image_file(bytes, ocr, limits),
        FileFormat::Xml => match sniff_einvoice_xml(bytes) {
            Some(_) => Ok(ReadDocument { pages: 1, source: TextSource::Xml, lines: Vec::new() }),
            None => Err(unsupported_xml()),
        },
        FileFormat::Unknown => Err(ReadFailure::new(
            "unsupported_format",
            "the file is not a PDF, PNG, JPEG, TIFF or XML e-invoice (its first bytes match none of them, whatever its name says); \
             convert it to PDF or an image and upload it again",
        )),
    }
}

/// The failure for an XML file that is not a supported e-invoice.
pub fn unsupported_xml() -> ReadFailure {
    ReadFailure::new(
        "unsupported_format",
        format!("the file is XML but not an e-invoice tramite reads (supported: {SUPPORTED_EINVOICE_FORMATS}); send the invoice in one of these formats, or as a PDF"),
    )
}

/// The failure for a file over the size limit, with the figures.
pub fn too_large_file(size_bytes: u64, limits: &ReadLimits) -> ReadFailure {
    ReadFailure::new(
        "too_large",
        format!(
            "the file is {} MB, over the {} MB limit (read.max_file_bytes); split it or raise the limit",
            size_bytes / (1024 * 1024),
            limits.max_file_bytes / (1024 * 1024)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_content_not_name() {
        assert_eq!(sniff_format(b"%PDF-1.7\n..."), FileFormat::Pdf);
        assert_eq!(sniff_format(b"\x89PNG\r\n\x1a\n...."), FileFormat::Png);
        assert_eq!(sniff_format(&[0xFF, 0xD8, 0xFF, 0xE0]), FileFormat::Jpeg);
        assert_eq!(sniff_format(b"II*\0...."), FileFormat::Tiff);
        assert_eq!(sniff_format(b"Dear supplier, this is not a PDF"), FileFormat::Unknown);
    }

    #[test]
    fn xml_is_recognised_after_a_byte_order_mark_and_whitespace() {
        assert_eq!(sniff_format(b"<?xml version=\"1.0\"?><Invoice/>"), FileFormat::Xml);
        assert_eq!(sniff_format(b"\xEF\xBB\xBF\r\n  <rsm:CrossIndustryInvoice/>"), FileFormat::Xml);
        assert_eq!(sniff_format(b"<!-- exported --><Invoice/>"), FileFormat::Xml);
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain("<?xml version=\"1.0\"?>".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        assert_eq!(sniff_format(&utf16), FileFormat::Xml);
        assert_eq!(sniff_format(b"< 3 is less than 4"), FileFormat::Unknown);
        assert_eq!(sniff_format(b"%PDF-1.7\n<</Type/Catalog>>"), FileFormat::Pdf);
    }

    #[test]
    fn an_xml_einvoice_is_not_ocrd_and_other_xml_is_unsupported() {
        struct OcrThatMustNotRun;
        impl ocr::OcrEngine for OcrThatMustNotRun {
            fn recognize(&self, _page: &image::GrayImage, _page_number: u32, _dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, ocr::OcrError> {
                panic!("an XML file was sent to OCR")
            }
        }
        let limits = ReadLimits::default();
        let ubl = br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>"#;
        let read = read_document(ubl, &OcrThatMustNotRun, &limits).unwrap();
        assert_eq!(read.source, TextSource::Xml);
        assert!(read.lines.is_empty());
        let failure = read_document(b"<?xml version=\"1.0\"?><html><body/></html>", &OcrThatMustNotRun, &limits).unwrap_err();
        assert_eq!(failure.code, "unsupported_format");
        assert!(failure.message.contains("Facturae") && failure.message.contains("UBL"), "{}", failure.message);
    }

    #[test]
    fn an_empty_file_and_a_text_file_fail_with_their_own_codes() {
        let ocr = ocr::FixedTextOcr::default();
        let limits = ReadLimits::default();
        assert_eq!(read_document(b"", &ocr, &limits).unwrap_err().code, "empty_file");
        assert_eq!(read_document(b"hello", &ocr, &limits).unwrap_err().code, "unsupported_format");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_reading() {
        let limits = ReadLimits { max_file_bytes: 4, ..ReadLimits::default() };
        let failure = read_document(b"%PDF-1.4 more", &ocr::FixedTextOcr::default(), &limits).unwrap_err();
        assert_eq!(failure.code, "too_large");
    }
}
