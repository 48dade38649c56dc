//! Image files (PNG, JPEG, TIFF): checked against the size limits before
//! decoding, decoded to grayscale, and recognised by OCR.

use std::io::Cursor;

use image::{GrayImage, ImageReader, Limits};

use super::ocr::OcrEngine;
use super::{ReadDocument, ReadFailure, ReadLimits};
use crate::extraction::TextSource;

/// Decodes an image within the limits: a picture whose header claims more
/// pixels than allowed is refused before any pixel is decoded.
pub fn decode_image_within_limits(bytes: &[u8], limits: &ReadLimits) -> Result<GrayImage, ReadFailure> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| ReadFailure::new("corrupt", format!("the image could not be opened: {error}")))?;
    let (width, height) = reader
        .into_dimensions()
        .map_err(|error| ReadFailure::new("corrupt", format!("the image header is damaged: {error}; export or scan the page again")))?;
    let pixels = width as u64 * height as u64;
    if pixels > limits.max_image_pixels {
        return Err(ReadFailure::new(
            "too_large",
            format!(
                "the image is {width}x{height} pixels ({} megapixels), over the {} megapixel limit (read.max_image_pixels); \
                 scan at 300 dpi or lower",
                pixels / 1_000_000,
                limits.max_image_pixels / 1_000_000
            ),
        ));
    }
    if width < limits.min_image_side || height < limits.min_image_side {
        return Err(ReadFailure::new(
            "image_too_small",
            format!("the image is only {width}x{height} pixels: too small to hold readable text; scan the page at 200-300 dpi"),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| ReadFailure::new("corrupt", format!("the image could not be opened: {error}")))?;
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(width);
    decoder_limits.max_image_height = Some(height);
    decoder_limits.max_alloc = Some(limits.max_image_pixels.saturating_mul(4));
    reader.limits(decoder_limits);
    let image = reader
        .decode()
        .map_err(|error| ReadFailure::new("corrupt", format!("the image could not be decoded ({error}); the file may be truncated")))?;
    Ok(image.into_luma8())
}

/// Reads an image file by OCR.
pub fn read_image_file(bytes: &[u8], ocr: &dyn OcrEngine, limits: &ReadLimits) -> Result<ReadDocument, ReadFailure> {
    let page = decode_image_within_limits(bytes, limits)?;
    let dots_per_inch = guess_dots_per_inch(&page);
    let lines = ocr
        .recognize(&page, 1, Some(dots_per_inch))
        .map_err(|error| ReadFailure::new("ocr_failed", error.to_string()))?;
    Ok(ReadDocument { pages: 1, source: TextSource::Ocr, lines })
}

/// A page's resolution guessed from its size, taking it to be A4 or Letter
/// (what back offices scan); tesseract uses it to size its filters.
pub fn guess_dots_per_inch(page: &GrayImage) -> u32 {
    let long_side_inches = 11.3;
    let long_side = page.width().max(page.height()) as f32;
    ((long_side / long_side_inches).round() as u32).clamp(70, 600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        GrayImage::new(width, height).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
        bytes
    }

    #[test]
    fn a_one_pixel_png_is_too_small_to_read() {
        let failure = decode_image_within_limits(&png(1, 1), &ReadLimits::default()).unwrap_err();
        assert_eq!(failure.code, "image_too_small");
    }

    #[test]
    fn an_image_claiming_too_many_pixels_is_refused_before_decoding() {
        let limits = ReadLimits { max_image_pixels: 10_000, ..ReadLimits::default() };
        let failure = decode_image_within_limits(&png(200, 200), &limits).unwrap_err();
        assert_eq!(failure.code, "too_large");
    }

    #[test]
    fn a_truncated_png_is_corrupt() {
        let bytes = png(300, 300);
        let failure = decode_image_within_limits(&bytes[..bytes.len() / 2], &ReadLimits::default()).unwrap_err();
        assert_eq!(failure.code, "corrupt");
    }
}
