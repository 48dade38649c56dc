//! PDFs: the text layer per page, with positions ([`super::pdf_layout`]); pages without text are
//! scans, and their embedded images go to OCR (a JPEG stream is handed over
//! as the original bytes; 8-bit Flate images are rebuilt from raw pixels).
//!
//! lopdf is run inside `catch_unwind` by [`crate::extract`], so a malformed
//! PDF that trips a panic in the parser still ends as one document's
//! `corrupt` failure.

use image::{DynamicImage, GrayImage, ImageBuffer, Luma, Rgb};
use lopdf::Document;

use super::image_file::decode_image_within_limits;
use super::ocr::OcrEngine;
use super::{ReadDocument, ReadFailure, ReadLimits};
use crate::extraction::TextSource;

/// Reads every page of a PDF.
pub fn read_pdf(bytes: &[u8], ocr: &dyn OcrEngine, limits: &ReadLimits) -> Result<ReadDocument, ReadFailure> {
    let document = load_pdf(bytes)?;
    let pages = document.get_pages();
    let page_count = pages.len() as u32;
    if page_count == 0 {
        return Err(ReadFailure::new("corrupt", "the PDF has no pages; export it again from the program that made it"));
    }
    if page_count > limits.max_pages {
        return Err(ReadFailure::new(
            "too_large",
            format!("the PDF has {page_count} pages, over the {} page limit (read.max_pages); split it per invoice", limits.max_pages),
        ));
    }
    let mut lines = Vec::new();
    let (mut text_pages, mut ocr_pages) = (0u32, 0u32);
    for (&page_number, &page_id) in &pages {
        let page_text = super::pdf_layout::page_lines(&document, page_id, page_number);
        let alphanumeric = page_text.iter().flat_map(|line| line.text.chars()).filter(|character| character.is_alphanumeric()).count();
        if alphanumeric >= 3 {
            text_pages += 1;
            lines.extend(page_text);
            continue;
        }
        let Some(page_image) = largest_page_image(&document, page_id, limits)? else { continue };
        ocr_pages += 1;
        let dots_per_inch = super::image_file::guess_dots_per_inch(&page_image);
        let recognized = ocr
            .recognize(&page_image, page_number, Some(dots_per_inch))
            .map_err(|error| ReadFailure::new("ocr_failed", error.to_string()))?;
        lines.extend(recognized);
    }
    if text_pages == 0 && ocr_pages == 0 {
        return Err(ReadFailure::new(
            "no_text",
            "the PDF has neither a text layer nor a page image that could be read; \
             print it to PDF again or scan it as an image",
        ));
    }
    let source = match (text_pages, ocr_pages) {
        (_, 0) => TextSource::TextLayer,
        (0, _) => TextSource::Ocr,
        _ => TextSource::Mixed,
    };
    Ok(ReadDocument { pages: page_count, source, lines })
}

fn load_pdf(bytes: &[u8]) -> Result<Document, ReadFailure> {
    let encrypted = || {
        ReadFailure::new(
            "encrypted",
            "the PDF is protected by a password; ask the sender for an unprotected copy or print it to a new PDF",
        )
    };
    match Document::load_mem(bytes) {
        Ok(document) if document.is_encrypted() => Err(encrypted()),
        Ok(document) => Ok(document),
        Err(lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_)) => Err(encrypted()),
        Err(_) if has_encrypt_dictionary(bytes) => Err(encrypted()),
        Err(error) => Err(ReadFailure::new(
            "corrupt",
            format!("the PDF could not be parsed ({error}); the file may be truncated or damaged: export or download it again"),
        )),
    }
}

fn has_encrypt_dictionary(bytes: &[u8]) -> bool {
    bytes.windows(8).any(|window| window == b"/Encrypt")
}

/// The largest image on a page, decoded to grayscale, if any can be.
fn largest_page_image(document: &Document, page_id: lopdf::ObjectId, limits: &ReadLimits) -> Result<Option<GrayImage>, ReadFailure> {
    let Ok(images) = document.get_page_images(page_id) else { return Ok(None) };
    let Some(image) = images.iter().max_by_key(|image| image.width.saturating_mul(image.height)) else { return Ok(None) };
    if (image.width.max(0) as u64).saturating_mul(image.height.max(0) as u64) > limits.max_image_pixels {
        return Err(ReadFailure::new("too_large", "a page image is larger than the pixel limit (read.max_image_pixels)"));
    }
    let filters: Vec<&str> = image.filters.iter().flatten().map(String::as_str).collect();
    if filters.contains(&"DCTDecode") {
        return decode_image_within_limits(image.content, limits).map(Some);
    }
    let raw = if filters.contains(&"FlateDecode") {
        let Ok(object) = document.get_object(image.id) else { return Ok(None) };
        let Ok(stream) = object.as_stream() else { return Ok(None) };
        match stream.decompressed_content() {
            Ok(raw) => raw,
            Err(_) => return Ok(None),
        }
    } else if filters.is_empty() {
        image.content.to_vec()
    } else {
        return Ok(None);
    };
    if image.bits_per_component != Some(8) {
        return Ok(None);
    }
    let (width, height) = (image.width as u32, image.height as u32);
    let gray = match image.color_space.as_deref() {
        Some("DeviceGray") | Some("CalGray") => ImageBuffer::<Luma<u8>, _>::from_raw(width, height, raw).map(DynamicImage::ImageLuma8),
        Some("DeviceRGB") | Some("CalRGB") => ImageBuffer::<Rgb<u8>, _>::from_raw(width, height, raw).map(DynamicImage::ImageRgb8),
        _ => None,
    };
    Ok(gray.map(|image| image.into_luma8()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ocr::FixedTextOcr;

    #[test]
    fn a_truncated_pdf_is_corrupt() {
        let failure = read_pdf(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", &FixedTextOcr::default(), &ReadLimits::default()).unwrap_err();
        assert_eq!(failure.code, "corrupt");
    }
}
