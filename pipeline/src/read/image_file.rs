//! Image files (PNG, JPEG, TIFF): checked against the size limits before
//! decoding, decoded to grayscale, turned upright and straightened
//! ([`super::preprocess`]), and recognised by OCR.
//!
//! A TIFF may hold several pages (a fax, a batch from a document scanner):
//! the `image` crate decodes only the first, so TIFFs are read with the
//! `tiff` decoder directly, every page in turn. The page count is checked
//! against `read.max_pages` and each page's size against
//! `read.max_image_pixels` by walking the directories before any pixel is
//! decoded.
//!
//! Every recognised page (here and in scanned PDFs) goes through
//! [`recognize_scanned_page`], which can hand the prepared page image to an
//! observer: that is how a caller re-reads part of a page (an MRZ band,
//! [`crate::identity::read_identity_page`]) without keeping every page of a
//! long document in memory. [`read_document_observing_pages`] is
//! [`super::read_document`] with such an observer.

use std::io::Cursor;

use image::{GrayImage, ImageReader, Limits};

use super::ocr::OcrEngine;
use super::preprocess::{PagePreparation, UprightReading, recognize_upright};
use super::{FileFormat, ReadDocument, ReadFailure, ReadLimits, TextLine};
use crate::extraction::TextSource;

/// One page as it was recognised, handed to the observer of
/// [`read_document_observing_pages`] right after its OCR.
#[derive(Debug, Clone, Copy)]
pub struct RecognizedPage<'a> {
    /// 1-based page number, as in the lines.
    pub page_number: u32,
    /// The page as recognised: turned upright and straightened. The lines'
    /// boxes are in this image's pixel space.
    pub image: &'a GrayImage,
    /// The resolution the page was recognised at (from the file, or guessed
    /// from its size).
    pub dots_per_inch: u32,
    /// What was read on the page.
    pub lines: &'a [TextLine],
    /// How the page was turned and straightened.
    pub preparation: &'a PagePreparation,
}

/// Something that wants to see each recognised page (see [`RecognizedPage`]).
pub type PageObserver<'o> = dyn FnMut(&RecognizedPage<'_>) + 'o;

/// [`super::read_document`], handing every page that went through OCR to
/// `observer` as soon as it is read (pages read from a PDF text layer are
/// not handed over). Same results, same failures.
pub fn read_document_observing_pages(
    bytes: &[u8],
    ocr: &dyn OcrEngine,
    limits: &ReadLimits,
    observer: &mut PageObserver<'_>,
) -> Result<ReadDocument, ReadFailure> {
    let within_size = !bytes.is_empty() && bytes.len() as u64 <= limits.max_file_bytes;
    match super::sniff_format(bytes) {
        FileFormat::Pdf if within_size => super::pdf::read_pdf_observing_pages(bytes, ocr, limits, observer),
        FileFormat::Png | FileFormat::Jpeg | FileFormat::Tiff if within_size => read_image_file_observing_pages(bytes, ocr, limits, observer),
        _ => super::read_document(bytes, ocr, limits),
    }
}

/// Decodes an image within the limits: a picture whose header claims more
/// pixels than allowed is refused before any pixel is decoded.
pub fn decode_image_within_limits(bytes: &[u8], limits: &ReadLimits) -> Result<GrayImage, ReadFailure> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| ReadFailure::new("corrupt", format!("the image could not be opened: {error}")))?;
    let (width, height) = reader
        .into_dimensions()
        .map_err(|error| ReadFailure::new("corrupt", format!("the image header is damaged: {error}; export or scan the page again")))?;
    check_page_size(width, height, limits)?;
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

/// Refuses a page over the pixel limit (`too_large`) or too small to hold
/// text (`image_too_small`).
fn check_page_size(width: u32, height: u32, limits: &ReadLimits) -> Result<(), ReadFailure> {
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
    Ok(())
}

/// Reads an image file by OCR (every page of a TIFF).
pub fn read_image_file(bytes: &[u8], ocr: &dyn OcrEngine, limits: &ReadLimits) -> Result<ReadDocument, ReadFailure> {
    read_image_file_observing_pages(bytes, ocr, limits, &mut |_| {})
}

/// [`read_image_file`], handing each recognised page to `observer`.
pub fn read_image_file_observing_pages(
    bytes: &[u8],
    ocr: &dyn OcrEngine,
    limits: &ReadLimits,
    observer: &mut PageObserver<'_>,
) -> Result<ReadDocument, ReadFailure> {
    if super::sniff_format(bytes) == FileFormat::Tiff {
        return read_tiff_pages(bytes, ocr, limits, observer);
    }
    let page = decode_image_within_limits(bytes, limits)?;
    let dots_per_inch = guess_dots_per_inch(&page);
    let lines = recognize_scanned_page(page, 1, dots_per_inch, ocr, observer)?;
    Ok(ReadDocument { pages: 1, source: TextSource::Ocr, lines })
}

/// Recognises one scanned page the right way up and straight
/// ([`recognize_upright`]) and hands the page as read to `observer`. Boxes
/// are in that page's pixel space.
pub fn recognize_scanned_page(
    page: GrayImage,
    page_number: u32,
    dots_per_inch: u32,
    ocr: &dyn OcrEngine,
    observer: &mut PageObserver<'_>,
) -> Result<Vec<TextLine>, ReadFailure> {
    let UprightReading { image, lines, preparation } =
        recognize_upright(page, page_number, dots_per_inch, ocr).map_err(|error| ReadFailure::new("ocr_failed", error.to_string()))?;
    observer(&RecognizedPage { page_number, image: &image, dots_per_inch, lines: &lines, preparation: &preparation });
    Ok(lines)
}

/// A page's resolution guessed from its size, taking it to be A4 or Letter
/// (what back offices scan); tesseract uses it to size its filters.
pub fn guess_dots_per_inch(page: &GrayImage) -> u32 {
    let long_side_inches = 11.3;
    let long_side = page.width().max(page.height()) as f32;
    ((long_side / long_side_inches).round() as u32).clamp(70, 600)
}

fn corrupt_tiff(error: tiff::TiffError) -> ReadFailure {
    ReadFailure::new("corrupt", format!("the TIFF could not be decoded ({error}); the file may be truncated or damaged: scan it again"))
}

/// Every page of a TIFF, each within the limits, recognised in order.
fn read_tiff_pages(bytes: &[u8], ocr: &dyn OcrEngine, limits: &ReadLimits, observer: &mut PageObserver<'_>) -> Result<ReadDocument, ReadFailure> {
    let mut decoder_limits = tiff::decoder::Limits::default();
    decoder_limits.decoding_buffer_size = usize::try_from(limits.max_image_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
    let mut decoder = tiff::decoder::Decoder::new(Cursor::new(bytes)).map_err(corrupt_tiff)?.with_limits(decoder_limits);

    // Walk the directories first: refuse before decoding anything.
    let mut page_sizes = Vec::new();
    loop {
        let (width, height) = decoder.dimensions().map_err(corrupt_tiff)?;
        page_sizes.push((width, height));
        if page_sizes.len() as u64 > limits.max_pages as u64 {
            return Err(ReadFailure::new(
                "too_large",
                format!("the TIFF has more than {} pages (read.max_pages); split it per document", limits.max_pages),
            ));
        }
        let pixels = width as u64 * height as u64;
        if pixels > limits.max_image_pixels {
            return Err(ReadFailure::new(
                "too_large",
                format!(
                    "page {} of the TIFF is {width}x{height} pixels ({} megapixels), over the {} megapixel limit \
                     (read.max_image_pixels); scan at 300 dpi or lower",
                    page_sizes.len(),
                    pixels / 1_000_000,
                    limits.max_image_pixels / 1_000_000
                ),
            ));
        }
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(corrupt_tiff)?;
    }
    if page_sizes.iter().all(|&(width, height)| width < limits.min_image_side || height < limits.min_image_side) {
        let (width, height) = page_sizes[0];
        check_page_size(width, height, limits)?;
    }

    let mut lines = Vec::new();
    for (index, &(width, height)) in page_sizes.iter().enumerate() {
        let page_number = index as u32 + 1;
        if width < limits.min_image_side || height < limits.min_image_side {
            // A thumbnail or an empty strip: nothing to read on it.
            continue;
        }
        decoder.seek_to_image(index).map_err(corrupt_tiff)?;
        let page = decode_tiff_page(&mut decoder, width, height)?;
        let dots_per_inch = tiff_dots_per_inch(&mut decoder).unwrap_or_else(|| guess_dots_per_inch(&page));
        lines.extend(recognize_scanned_page(page, page_number, dots_per_inch, ocr, observer)?);
    }
    Ok(ReadDocument { pages: page_sizes.len() as u32, source: TextSource::Ocr, lines })
}

/// The resolution a TIFF page declares, when it is plausible for a scan.
fn tiff_dots_per_inch<R: std::io::Read + std::io::Seek>(decoder: &mut tiff::decoder::Decoder<R>) -> Option<u32> {
    use tiff::decoder::ifd::Value;
    use tiff::tags::Tag;
    let per_unit = match decoder.find_tag(Tag::XResolution).ok()?? {
        Value::Rational(numerator, denominator) if denominator > 0 => numerator as f32 / denominator as f32,
        _ => return None,
    };
    let unit = decoder.find_tag_unsigned::<u16>(Tag::ResolutionUnit).ok().flatten().unwrap_or(2);
    let dots_per_inch = match unit {
        2 => per_unit,
        3 => per_unit * 2.54,
        _ => return None,
    };
    (70.0..=1200.0).contains(&dots_per_inch).then_some(dots_per_inch.round() as u32)
}

/// Decodes the decoder's current page to 8-bit gray.
fn decode_tiff_page<R: std::io::Read + std::io::Seek>(decoder: &mut tiff::decoder::Decoder<R>, width: u32, height: u32) -> Result<GrayImage, ReadFailure> {
    use tiff::ColorType;
    use tiff::decoder::DecodingResult;
    let color_type = decoder.colortype().map_err(corrupt_tiff)?;
    let palette = match color_type {
        ColorType::Palette(_) => Some(decoder.find_tag_unsigned_vec::<u16>(tiff::tags::Tag::ColorMap).map_err(corrupt_tiff)?.unwrap_or_default()),
        _ => None,
    };
    let decoded = decoder.read_image().map_err(corrupt_tiff)?;
    let unsupported = || {
        ReadFailure::new(
            "unsupported_format",
            format!("the TIFF's pixels are {color_type:?}, which tramite cannot read; save the scan as 8-bit gray, RGB or black and white"),
        )
    };
    let pixel_count = width as usize * height as usize;
    let gray: Vec<u8> = match (color_type, decoded) {
        (ColorType::Gray(8), DecodingResult::U8(samples)) => samples,
        (ColorType::Gray(16), DecodingResult::U16(samples)) => samples.iter().map(|&sample| (sample >> 8) as u8).collect(),
        (ColorType::Gray(bits @ (1 | 2 | 4)), DecodingResult::U8(packed)) => unpack_gray_samples(&packed, width, height, bits)?,
        (ColorType::GrayA(8), DecodingResult::U8(samples)) => samples.chunks_exact(2).map(|pixel| pixel[0]).collect(),
        (ColorType::RGB(8), DecodingResult::U8(samples)) => samples.chunks_exact(3).map(|pixel| luma(pixel[0], pixel[1], pixel[2])).collect(),
        (ColorType::RGBA(8), DecodingResult::U8(samples)) => samples.chunks_exact(4).map(|pixel| luma(pixel[0], pixel[1], pixel[2])).collect(),
        (ColorType::RGB(16), DecodingResult::U16(samples)) => {
            samples.chunks_exact(3).map(|pixel| luma((pixel[0] >> 8) as u8, (pixel[1] >> 8) as u8, (pixel[2] >> 8) as u8)).collect()
        }
        (ColorType::CMYK(8), DecodingResult::U8(samples)) => samples.chunks_exact(4).map(|pixel| cmyk_luma(pixel[0], pixel[1], pixel[2], pixel[3])).collect(),
        // JPEG-compressed pages come out as YCbCr, unconverted: Y is the luma.
        (ColorType::YCbCr(8), DecodingResult::U8(samples)) => samples.chunks_exact(3).map(|pixel| pixel[0]).collect(),
        // Gray with extra samples (alpha or others): the first is the gray.
        (ColorType::Multiband { bit_depth: 8, num_samples }, DecodingResult::U8(samples)) if num_samples > 0 => {
            samples.chunks_exact(num_samples as usize).map(|pixel| pixel[0]).collect()
        }
        (ColorType::Palette(8), DecodingResult::U8(indices)) => {
            let palette = palette.unwrap_or_default();
            let entries = palette.len() / 3;
            if entries == 0 {
                return Err(ReadFailure::new("corrupt", "the TIFF's palette is missing; scan the page again"));
            }
            indices
                .iter()
                .map(|&index| {
                    let index = (index as usize).min(entries - 1);
                    luma((palette[index] >> 8) as u8, (palette[entries + index] >> 8) as u8, (palette[2 * entries + index] >> 8) as u8)
                })
                .collect()
        }
        _ => return Err(unsupported()),
    };
    if gray.len() < pixel_count {
        return Err(ReadFailure::new("corrupt", "a TIFF page holds fewer pixels than its header says; the file may be truncated"));
    }
    GrayImage::from_raw(width, height, gray[..pixel_count].to_vec()).ok_or_else(unsupported)
}

/// Unpacks rows of 1-, 2- or 4-bit gray samples (rows padded to whole
/// bytes, 0 black) to 8-bit gray.
pub fn unpack_gray_samples(packed: &[u8], width: u32, height: u32, bits_per_sample: u8) -> Result<Vec<u8>, ReadFailure> {
    let bits = bits_per_sample as usize;
    let row_bytes = (width as usize * bits).div_ceil(8);
    if packed.len() < row_bytes * height as usize {
        return Err(ReadFailure::new("corrupt", "an image holds fewer pixels than its header says; the file may be truncated"));
    }
    let maximum = (1u32 << bits) - 1;
    let mut gray = Vec::with_capacity(width as usize * height as usize);
    for row in packed.chunks(row_bytes).take(height as usize) {
        for column in 0..width as usize {
            let bit_offset = column * bits;
            let byte = row[bit_offset / 8];
            let shift = 8 - bits - (bit_offset % 8);
            let sample = (byte >> shift) as u32 & maximum;
            gray.push((sample * 255 / maximum) as u8);
        }
    }
    Ok(gray)
}

/// ITU-R BT.601 luma, as the `image` crate computes it.
pub fn luma(red: u8, green: u8, blue: u8) -> u8 {
    ((red as u32 * 2126 + green as u32 * 7152 + blue as u32 * 722) / 10_000) as u8
}

/// The luma of a CMYK pixel converted naively to RGB.
pub fn cmyk_luma(cyan: u8, magenta: u8, yellow: u8, black: u8) -> u8 {
    let channel = |ink: u8| ((255 - ink as u32) * (255 - black as u32) / 255) as u8;
    luma(channel(cyan), channel(magenta), channel(yellow))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ocr::FixedTextOcr;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        GrayImage::new(width, height).write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
        bytes
    }

    fn gray_tiff(pages: &[(u32, u32)]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut encoder = tiff::encoder::TiffEncoder::new(Cursor::new(&mut bytes)).unwrap();
        for &(width, height) in pages {
            let pixels = vec![255u8; (width * height) as usize];
            encoder.write_image::<tiff::encoder::colortype::Gray8>(width, height, &pixels).unwrap();
        }
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

    #[test]
    fn every_page_of_a_tiff_is_read_and_counted() {
        let ocr = FixedTextOcr { lines: vec!["Factura 2026-0042".into()] };
        let mut observed = Vec::new();
        let document = read_image_file_observing_pages(&gray_tiff(&[(300, 400), (300, 400), (400, 300)]), &ocr, &ReadLimits::default(), &mut |page| {
            observed.push(page.page_number)
        })
        .unwrap();
        assert_eq!(document.pages, 3);
        assert_eq!(document.lines.iter().map(|line| line.page).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(observed, [1, 2, 3]);
    }

    #[test]
    fn a_tiff_with_more_pages_than_allowed_is_refused_before_decoding() {
        let limits = ReadLimits { max_pages: 2, ..ReadLimits::default() };
        let failure = read_image_file(&gray_tiff(&[(100, 100); 3]), &FixedTextOcr::default(), &limits).unwrap_err();
        assert_eq!(failure.code, "too_large");
        assert!(failure.message.contains("read.max_pages"), "{}", failure.message);
    }

    #[test]
    fn a_tiff_page_over_the_pixel_limit_is_refused_even_when_it_is_not_the_first() {
        let limits = ReadLimits { max_image_pixels: 50_000, ..ReadLimits::default() };
        let failure = read_image_file(&gray_tiff(&[(100, 100), (300, 300)]), &FixedTextOcr::default(), &limits).unwrap_err();
        assert_eq!(failure.code, "too_large");
        assert!(failure.message.contains("page 2"), "{}", failure.message);
    }

    #[test]
    fn a_truncated_tiff_is_corrupt() {
        let bytes = gray_tiff(&[(300, 300), (300, 300)]);
        let failure = read_image_file(&bytes[..bytes.len() / 3], &FixedTextOcr::default(), &ReadLimits::default()).unwrap_err();
        assert_eq!(failure.code, "corrupt");
    }

    #[test]
    fn packed_one_bit_rows_unpack_to_black_and_white() {
        // Two rows of 10 pixels, each padded to two bytes: 0 is black.
        let packed = [0b0101_0101, 0b0100_0000, 0b1111_1111, 0b1100_0000];
        let gray = unpack_gray_samples(&packed, 10, 2, 1).unwrap();
        assert_eq!(&gray[..10], &[0, 255, 0, 255, 0, 255, 0, 255, 0, 255]);
        assert_eq!(&gray[10..], &[255; 10]);
    }
}
