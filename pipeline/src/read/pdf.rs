//! PDFs: the text layer per page, with positions ([`super::pdf_layout`]); a
//! page without text is a scan, and its image goes to OCR through
//! [`super::image_file::recognize_scanned_page`] (turned upright and
//! straightened first, like any scanned page). A page without text that is
//! not exactly one image (text drawn as outlines, a scan in strips, a scan
//! with a stamp over it) is rendered whole ([`super::render`]) and read the
//! same way; without a renderer, or when rendering fails, its largest image
//! is read.
//!
//! Which page images can be read:
//!
//! - JPEG (`DCTDecode`): the stream is the original JPEG file.
//! - Raw samples (no filter, `FlateDecode`, `LZWDecode`, `ASCII85Decode`,
//!   `ASCIIHexDecode`, `RunLengthDecode`, PNG/TIFF predictors): 1, 2, 4, 8
//!   and 16 bits per component in DeviceGray, DeviceRGB, DeviceCMYK,
//!   CalGray/CalRGB, ICCBased (by its component count), Indexed and
//!   Separation colour spaces, image masks, and `/Decode` arrays.
//! - CCITT fax (`CCITTFaxDecode`), the usual encoding of black-and-white
//!   scans: Group 4 (`K < 0`), and Group 3 one-dimensional (`K = 0`) when its
//!   rows start with end-of-line codes.
//!
//! Skipped, with the reason logged and, when no page could be read at all,
//! given in the `no_text` failure: JPEG 2000 (`JPXDecode`, which the `image`
//! crate cannot decode), JBIG2 (`JBIG2Decode`), CCITT Group 3 two-dimensional
//! (`K > 0`) or without end-of-line codes, and Lab or DeviceN colour. When the
//! largest image of a page is skipped, the next largest that can be read is
//! used instead.
//!
//! lopdf is run inside `catch_unwind` by [`crate::extract`], so a malformed
//! PDF that trips a panic in the parser still ends as one document's
//! `corrupt` failure.

use std::collections::HashSet;

use image::GrayImage;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::image_file::{PageObserver, cmyk_luma, decode_image_within_limits, guess_dots_per_inch, luma, recognize_scanned_page};
use super::ocr::OcrEngine;
use super::render::{PageRenderer, PdftoppmRenderer, RENDERING_DOTS_PER_INCH};
use super::{ReadDocument, ReadFailure, ReadLimits};
use crate::extraction::TextSource;

/// Reads every page of a PDF.
pub fn read_pdf(bytes: &[u8], ocr: &dyn OcrEngine, limits: &ReadLimits) -> Result<ReadDocument, ReadFailure> {
    read_pdf_observing_pages(bytes, ocr, limits, &mut |_| {})
}

/// [`read_pdf`], handing each page that went through OCR to `observer`.
pub fn read_pdf_observing_pages(
    bytes: &[u8],
    ocr: &dyn OcrEngine,
    limits: &ReadLimits,
    observer: &mut PageObserver<'_>,
) -> Result<ReadDocument, ReadFailure> {
    let document = load_pdf(bytes)?;
    let renderer = PdftoppmRenderer::default();
    read_loaded_pdf_observing_pages(PdfToRead { document: &document, bytes, renderer: Some(&renderer) }, ocr, limits, observer)
}

/// A PDF already loaded by [`load_pdf`], with its bytes and what renders a
/// page without text that is not one image ([`super::render`]; `None`: read
/// such a page's largest image instead).
#[derive(Clone, Copy)]
pub struct PdfToRead<'a> {
    pub document: &'a Document,
    pub bytes: &'a [u8],
    pub renderer: Option<&'a dyn PageRenderer>,
}

/// [`read_pdf_observing_pages`] for a PDF already loaded by [`load_pdf`]
/// (so that a caller that also looks for an embedded e-invoice parses the
/// file once).
pub fn read_loaded_pdf_observing_pages(
    pdf: PdfToRead<'_>,
    ocr: &dyn OcrEngine,
    limits: &ReadLimits,
    observer: &mut PageObserver<'_>,
) -> Result<ReadDocument, ReadFailure> {
    let document = pdf.document;
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
    let mut skipped_images: Vec<String> = Vec::new();
    for (&page_number, &page_id) in &pages {
        let page_text = super::pdf_layout::page_lines(document, page_id, page_number);
        let alphanumeric = page_text.iter().flat_map(|line| line.text.chars()).filter(|character| character.is_alphanumeric()).count();
        if alphanumeric >= 3 {
            text_pages += 1;
            lines.extend(page_text);
            continue;
        }
        // A scan that is one image gives that image to OCR; any other page
        // without text (text drawn as outlines, a scan in strips or tiles, a
        // scan with a stamp over it) is rendered whole, when a renderer is
        // at hand, and its largest image read otherwise.
        let image_streams = page_image_streams(document, page_id);
        if image_streams.len() != 1
            && let Some(renderer) = pdf.renderer
        {
            let rendered = rendering_dots_per_inch(document, page_id, limits)
                .ok_or_else(|| "the page is too large to render within read.max_image_pixels".to_string())
                .and_then(|dots_per_inch| renderer.render_page(pdf.bytes, page_number, dots_per_inch, limits).map(|image| (image, dots_per_inch)));
            match rendered {
                Ok((image, dots_per_inch)) => {
                    // A page that renders blank holds no text: it does not
                    // make an empty PDF a read one.
                    let recognized = recognize_scanned_page(image, page_number, dots_per_inch, ocr, observer)?;
                    if !recognized.is_empty() {
                        ocr_pages += 1;
                    }
                    lines.extend(recognized);
                    continue;
                }
                Err(reason) => {
                    tracing::warn!(page = page_number, reason = %reason, "a PDF page without text could not be rendered; reading its largest image");
                    skipped_images.push(format!("page {page_number}: {reason}"));
                }
            }
        }
        let page_image = match readable_page_image(document, image_streams, limits)? {
            PageImage::Decoded(image) => image,
            PageImage::Skipped(reason) => {
                tracing::warn!(page = page_number, reason = %reason, "a scanned PDF page was not read");
                skipped_images.push(format!("page {page_number}: {reason}"));
                continue;
            }
            PageImage::None => continue,
        };
        ocr_pages += 1;
        let dots_per_inch = page_dots_per_inch(document, page_id, &page_image).unwrap_or_else(|| guess_dots_per_inch(&page_image));
        lines.extend(recognize_scanned_page(page_image, page_number, dots_per_inch, ocr, observer)?);
    }
    if text_pages == 0 && ocr_pages == 0 {
        let reasons = if skipped_images.is_empty() {
            String::new()
        } else {
            format!(" (pages that could not be read: {})", skipped_images.join("; "))
        };
        return Err(ReadFailure::new(
            "no_text",
            format!(
                "the PDF has no text layer, and no text was found in its pages read as images{reasons}; \
                 print it to PDF again or scan it as an image"
            ),
        ));
    }
    let source = match (text_pages, ocr_pages) {
        (_, 0) => TextSource::TextLayer,
        (0, _) => TextSource::Ocr,
        _ => TextSource::Mixed,
    };
    Ok(ReadDocument { pages: page_count, source, lines })
}

/// Parses a PDF, failing as `encrypted` (password-protected) or `corrupt`
/// (cannot be parsed) in the contract's words.
pub fn load_pdf(bytes: &[u8]) -> Result<Document, ReadFailure> {
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

/// What a scanned page's images gave.
enum PageImage {
    /// The largest image that could be decoded.
    Decoded(GrayImage),
    /// The page has images but none could be decoded; why not (the largest's reason).
    Skipped(String),
    /// The page has no image.
    None,
}

/// Follows references to the object itself.
fn resolve<'a>(document: &'a Document, object: &'a Object) -> Option<&'a Object> {
    document.dereference(object).ok().map(|(_, object)| object)
}

/// The image XObjects a page draws, including those inside its form
/// XObjects, each once.
fn page_image_streams(document: &Document, page_id: ObjectId) -> Vec<(ObjectId, &Stream)> {
    fn collect<'a>(document: &'a Document, resources: &'a Dictionary, depth: u32, seen: &mut HashSet<ObjectId>, images: &mut Vec<(ObjectId, &'a Stream)>) {
        let Some(Object::Dictionary(xobjects)) = resources.get(b"XObject").ok().and_then(|object| resolve(document, object)) else { return };
        for (_, value) in xobjects.iter() {
            let Ok(id) = value.as_reference() else { continue };
            if !seen.insert(id) {
                continue;
            }
            let Ok(Object::Stream(stream)) = document.get_object(id) else { continue };
            match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                Ok(b"Image") => images.push((id, stream)),
                Ok(b"Form") if depth < 4 => {
                    if let Some(Object::Dictionary(form_resources)) = stream.dict.get(b"Resources").ok().and_then(|object| resolve(document, object)) {
                        collect(document, form_resources, depth + 1, seen, images);
                    }
                }
                _ => {}
            }
        }
    }
    let mut images = Vec::new();
    let mut seen = HashSet::new();
    let Ok((direct, referenced)) = document.get_page_resources(page_id) else { return images };
    if let Some(resources) = direct {
        collect(document, resources, 0, &mut seen, &mut images);
    }
    for id in referenced {
        if let Ok(resources) = document.get_dictionary(id) {
            collect(document, resources, 0, &mut seen, &mut images);
        }
    }
    images
}

fn integer_entry(document: &Document, dictionary: &Dictionary, key: &[u8]) -> Option<i64> {
    resolve(document, dictionary.get(key).ok()?)?.as_i64().ok()
}

fn image_dimensions(document: &Document, stream: &Stream) -> Option<(u32, u32)> {
    let width = integer_entry(document, &stream.dict, b"Width")?;
    let height = integer_entry(document, &stream.dict, b"Height")?;
    (width > 0 && height > 0 && width <= u32::MAX as i64 && height <= u32::MAX as i64).then_some((width as u32, height as u32))
}

/// The largest of a page's images ([`page_image_streams`]) that can be
/// decoded, trying them from the largest down. An image over the pixel
/// limit fails the document.
fn readable_page_image<'a>(document: &'a Document, image_streams: Vec<(ObjectId, &'a Stream)>, limits: &ReadLimits) -> Result<PageImage, ReadFailure> {
    let mut images: Vec<(u64, &Stream)> = image_streams
        .into_iter()
        .filter_map(|(_, stream)| image_dimensions(document, stream).map(|(width, height)| (width as u64 * height as u64, stream)))
        .collect();
    images.sort_by_key(|(pixels, _)| std::cmp::Reverse(*pixels));
    let mut first_reason = None;
    for (pixels, stream) in images {
        if pixels > limits.max_image_pixels {
            return Err(ReadFailure::new("too_large", "a page image is larger than the pixel limit (read.max_image_pixels)"));
        }
        match decode_pdf_image(document, stream, limits)? {
            Ok(image) if image.width() >= limits.min_image_side && image.height() >= limits.min_image_side => return Ok(PageImage::Decoded(image)),
            Ok(_) => {}
            Err(reason) => {
                first_reason.get_or_insert(reason);
            }
        }
    }
    Ok(first_reason.map_or(PageImage::None, PageImage::Skipped))
}

/// The page's resolution: the image's pixels over the page's size in inches
/// (long side over long side, so a `/Rotate`d page gives the same answer).
fn page_dots_per_inch(document: &Document, page_id: ObjectId, image: &GrayImage) -> Option<u32> {
    let (width, height) = page_size_in_points(document, page_id)?;
    let long_side_inches = width.max(height) / 72.0;
    if long_side_inches < 1.0 {
        return None;
    }
    let dots_per_inch = image.width().max(image.height()) as f32 / long_side_inches;
    (70.0..=1200.0).contains(&dots_per_inch).then_some(dots_per_inch.round() as u32)
}

/// The resolution to render a page at: [`RENDERING_DOTS_PER_INCH`], lowered
/// so that the page stays within the pixel limit (a huge `MediaBox` must not
/// make the renderer allocate gigabytes), and never below 72. `None` when
/// the page's size is unknown or even 72 dpi would be over the limit.
fn rendering_dots_per_inch(document: &Document, page_id: ObjectId, limits: &ReadLimits) -> Option<u32> {
    let (width, height) = page_size_in_points(document, page_id)?;
    let square_inches = f64::from(width / 72.0) * f64::from(height / 72.0);
    if square_inches <= 0.0 {
        return None;
    }
    let largest = (limits.max_image_pixels as f64 / square_inches).sqrt().floor();
    let dots_per_inch = largest.min(f64::from(RENDERING_DOTS_PER_INCH));
    (dots_per_inch >= 72.0).then_some(dots_per_inch as u32)
}

/// The page's width and height in points, from its own or an inherited
/// `MediaBox`.
fn page_size_in_points(document: &Document, page_id: ObjectId) -> Option<(f32, f32)> {
    let mut node = document.get_dictionary(page_id).ok()?;
    let mut media_box = None;
    for _ in 0..32 {
        if let Some(Object::Array(values)) = node.get(b"MediaBox").ok().and_then(|object| resolve(document, object)) {
            media_box = Some(values.clone());
            break;
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = document.get_dictionary(parent).ok()?;
    }
    let numbers: Vec<f32> = media_box?.iter().filter_map(|value| resolve(document, value)?.as_float().ok()).collect();
    let [x0, y0, x1, y1] = numbers[..] else { return None };
    Some(((x1 - x0).abs(), (y1 - y0).abs()))
}

/// An image's colour space, as far as reading it to gray goes.
#[derive(Debug, Clone, PartialEq)]
enum ColorSpace {
    Gray,
    Rgb,
    Cmyk,
    /// One ink: 0 is no ink (white), full is full ink (black).
    Separation,
    Indexed { base: Box<ColorSpace>, lookup: Vec<u8> },
}

impl ColorSpace {
    fn components(&self) -> usize {
        match self {
            ColorSpace::Gray | ColorSpace::Separation | ColorSpace::Indexed { .. } => 1,
            ColorSpace::Rgb => 3,
            ColorSpace::Cmyk => 4,
        }
    }

    /// Gray for one pixel's components, each already scaled to 0-255.
    fn gray(&self, components: &[u8]) -> u8 {
        match self {
            ColorSpace::Gray => components[0],
            ColorSpace::Separation => 255 - components[0],
            ColorSpace::Rgb => luma(components[0], components[1], components[2]),
            ColorSpace::Cmyk => cmyk_luma(components[0], components[1], components[2], components[3]),
            ColorSpace::Indexed { .. } => components[0],
        }
    }
}

fn color_space_of(document: &Document, object: &Object, depth: u32) -> Result<ColorSpace, String> {
    let object = resolve(document, object).ok_or("a colour space that cannot be resolved")?;
    let unsupported = |name: &[u8]| format!("the {} colour space, which tramite does not read", String::from_utf8_lossy(name));
    match object {
        Object::Name(name) => match name.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Ok(ColorSpace::Gray),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(ColorSpace::Rgb),
            b"DeviceCMYK" | b"CMYK" => Ok(ColorSpace::Cmyk),
            other => Err(unsupported(other)),
        },
        Object::Array(parts) => {
            let family = parts.first().and_then(|first| resolve(document, first)).and_then(|first| first.as_name().ok()).ok_or("a malformed colour space")?;
            match family {
                b"CalGray" => Ok(ColorSpace::Gray),
                b"CalRGB" => Ok(ColorSpace::Rgb),
                b"ICCBased" => {
                    let profile = parts.get(1).and_then(|profile| resolve(document, profile)).and_then(|profile| profile.as_stream().ok());
                    match profile.and_then(|profile| integer_entry(document, &profile.dict, b"N")) {
                        Some(1) => Ok(ColorSpace::Gray),
                        Some(3) => Ok(ColorSpace::Rgb),
                        Some(4) => Ok(ColorSpace::Cmyk),
                        _ => Err("an ICC colour profile without a usable component count".into()),
                    }
                }
                b"Separation" => Ok(ColorSpace::Separation),
                b"Indexed" | b"I" if depth == 0 => {
                    let base = color_space_of(document, parts.get(1).ok_or("an indexed colour space without a base")?, depth + 1)?;
                    let lookup = match parts.get(3).and_then(|lookup| resolve(document, lookup)) {
                        Some(Object::String(bytes, _)) => bytes.clone(),
                        Some(Object::Stream(stream)) => stream.decompressed_content_with_limit(4096 * 4).map_err(|_| "an unreadable colour palette")?,
                        _ => return Err("an indexed colour space without a palette".into()),
                    };
                    Ok(ColorSpace::Indexed { base: Box::new(base), lookup })
                }
                other => Err(unsupported(other)),
            }
        }
        _ => Err("a malformed colour space".into()),
    }
}

/// The stream's filters, in decoding order.
fn filter_names(document: &Document, stream: &Stream) -> Vec<Vec<u8>> {
    match stream.dict.get(b"Filter").ok().and_then(|object| resolve(document, object)) {
        Some(Object::Name(name)) => vec![name.clone()],
        Some(Object::Array(names)) => names.iter().filter_map(|name| resolve(document, name)?.as_name().ok().map(<[u8]>::to_vec)).collect(),
        _ => Vec::new(),
    }
}

/// The decode parameters of filter number `index`.
fn decode_parameters<'a>(document: &'a Document, stream: &'a Stream, index: usize) -> Option<&'a Dictionary> {
    match resolve(document, stream.dict.get(b"DecodeParms").ok()?)? {
        Object::Dictionary(parameters) if index == 0 => Some(parameters),
        Object::Array(list) => resolve(document, list.get(index)?)?.as_dict().ok(),
        _ => None,
    }
}

/// Decodes one image XObject to gray: `Ok(Ok(image))`, or `Ok(Err(reason))`
/// for an encoding tramite does not read (see the module documentation).
fn decode_pdf_image(document: &Document, stream: &Stream, limits: &ReadLimits) -> Result<Result<GrayImage, String>, ReadFailure> {
    let Some((width, height)) = image_dimensions(document, stream) else { return Ok(Err("an image without a valid size".into())) };
    let filters = filter_names(document, stream);
    let codec_position = filters.iter().position(|name| {
        matches!(name.as_slice(), b"DCTDecode" | b"DCT" | b"JPXDecode" | b"CCITTFaxDecode" | b"CCF" | b"JBIG2Decode")
    });
    let byte_limit = usize::try_from(limits.max_image_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
    let Some(codec_position) = codec_position else {
        let Ok(samples) = stream.decompressed_content_with_limit(byte_limit) else {
            return Ok(Err("an image stream that could not be decompressed".into()));
        };
        return Ok(gray_from_samples(document, stream, width, height, &samples));
    };
    if codec_position + 1 != filters.len() {
        return Ok(Err("an image with filters after its image codec".into()));
    }
    // Filters before the codec (ASCII85 around a JPEG, say) are undone first.
    let encoded = if codec_position == 0 {
        stream.content.clone()
    } else {
        let mut outer = stream.clone();
        let outer_filters: Vec<Object> = filters[..codec_position].iter().map(|name| Object::Name(name.clone())).collect();
        outer.dict.set("Filter", Object::Array(outer_filters));
        if let Ok(Object::Array(parameters)) = stream.dict.get(b"DecodeParms") {
            outer.dict.set("DecodeParms", Object::Array(parameters.iter().take(codec_position).cloned().collect()));
        }
        match outer.decompressed_content_with_limit(byte_limit) {
            Ok(encoded) => encoded,
            Err(_) => return Ok(Err("an image stream that could not be decompressed".into())),
        }
    };
    match filters[codec_position].as_slice() {
        b"DCTDecode" | b"DCT" => match decode_image_within_limits(&encoded, limits) {
            Ok(image) => Ok(Ok(image)),
            Err(failure) if failure.code == "too_large" => Err(failure),
            Err(_) => Ok(Err("a JPEG image that could not be decoded".into())),
        },
        b"JPXDecode" => Ok(Err("a JPEG 2000 image (JPXDecode), which tramite cannot decode".into())),
        b"JBIG2Decode" => Ok(Err("a JBIG2 image (JBIG2Decode), which tramite cannot decode".into())),
        _ => Ok(decode_ccitt_image(document, stream, decode_parameters(document, stream, codec_position), width, height, &encoded)),
    }
}

/// Whether the image's `/Decode` array reverses its first component (`[1 0]`).
fn decode_array_inverts(document: &Document, stream: &Stream) -> bool {
    let Some(Object::Array(values)) = stream.dict.get(b"Decode").ok().and_then(|object| resolve(document, object)) else { return false };
    let numbers: Vec<f32> = values.iter().filter_map(|value| resolve(document, value)?.as_float().ok()).collect();
    numbers.len() >= 2 && numbers[0] > numbers[1]
}

/// Raw samples (after the generic filters) to gray.
fn gray_from_samples(document: &Document, stream: &Stream, width: u32, height: u32, samples: &[u8]) -> Result<GrayImage, String> {
    let image_mask = stream.dict.get(b"ImageMask").and_then(Object::as_bool).unwrap_or(false);
    let color_space = if image_mask {
        ColorSpace::Gray
    } else {
        match stream.dict.get(b"ColorSpace") {
            Ok(object) => color_space_of(document, object, 0)?,
            Err(_) => return Err("an image without a colour space".into()),
        }
    };
    let bits = if image_mask { 1 } else { integer_entry(document, &stream.dict, b"BitsPerComponent").unwrap_or(8) };
    if !matches!(bits, 1 | 2 | 4 | 8 | 16) {
        return Err(format!("an image with {bits} bits per component"));
    }
    let bits = bits as usize;
    let components = color_space.components();
    let row_bytes = (width as usize * components * bits).div_ceil(8);
    if samples.len() < row_bytes * height as usize {
        return Err("an image stream shorter than its size says".into());
    }
    let inverted = decode_array_inverts(document, stream);
    let maximum = (1u32 << bits.min(8)) - 1;
    let sample_at = |row: &[u8], index: usize| -> u32 {
        match bits {
            16 => row[index * 2] as u32,
            8 => row[index] as u32,
            _ => {
                let bit_offset = index * bits;
                (row[bit_offset / 8] >> (8 - bits - bit_offset % 8)) as u32 & maximum
            }
        }
    };
    let mut gray = Vec::with_capacity(width as usize * height as usize);
    let mut pixel = [0u8; 4];
    for row in samples.chunks(row_bytes).take(height as usize) {
        for column in 0..width as usize {
            match &color_space {
                ColorSpace::Indexed { base, lookup } => {
                    let base_components = base.components();
                    let index = sample_at(row, column) as usize;
                    let start = index * base_components;
                    match lookup.get(start..start + base_components) {
                        Some(color) => gray.push(base.gray(color)),
                        None => gray.push(255),
                    }
                }
                _ => {
                    for (component, value) in pixel.iter_mut().enumerate().take(components) {
                        let sample = sample_at(row, column * components + component);
                        let scaled = if bits == 16 { sample } else { sample * 255 / maximum };
                        *value = if inverted { 255 - scaled as u8 } else { scaled as u8 };
                    }
                    gray.push(color_space.gray(&pixel[..components]));
                }
            }
        }
    }
    GrayImage::from_raw(width, height, gray).ok_or_else(|| "an image stream shorter than its size says".into())
}

/// A CCITT fax image to gray (see the module documentation for which kinds).
fn decode_ccitt_image(document: &Document, stream: &Stream, parameters: Option<&Dictionary>, width: u32, height: u32, encoded: &[u8]) -> Result<GrayImage, String> {
    let parameter = |key: &[u8]| parameters.and_then(|parameters| integer_entry(document, parameters, key));
    let flag = |key: &[u8]| parameters.and_then(|parameters| parameters.get(key).ok()?.as_bool().ok()).unwrap_or(false);
    let k = parameter(b"K").unwrap_or(0);
    let columns = parameter(b"Columns").unwrap_or(1728);
    let rows = parameter(b"Rows").filter(|&rows| rows > 0).unwrap_or(height as i64);
    if columns as u32 != width || !(1..=u16::MAX as i64).contains(&columns) || !(1..=u16::MAX as i64).contains(&rows) {
        return Err("a CCITT fax image whose size does not match its parameters".into());
    }
    if k > 0 {
        return Err("a CCITT Group 3 two-dimensional fax image (K > 0), which tramite cannot decode".into());
    }
    let (columns, rows) = (columns as u16, rows.min(height as i64) as u16);
    // Black pixels come out as 0 unless BlackIs1; the /Decode array may then
    // reverse them again, and image masks paint their 0 samples black.
    let black_sample = if flag(b"BlackIs1") { 255u8 } else { 0u8 };
    let black = if decode_array_inverts(document, stream) { 255 - black_sample } else { black_sample };
    let white = 255 - black;
    let mut gray = Vec::with_capacity(width as usize * height as usize);
    let mut push_line = |transitions: &[u16]| {
        if gray.len() < width as usize * rows as usize {
            gray.extend(fax::decoder::pels(transitions, columns).map(|color| if color == fax::Color::Black { black } else { white }));
        }
    };
    let decoded = if k < 0 {
        fax::decoder::decode_g4(encoded.iter().copied(), columns, Some(rows), &mut push_line)
    } else {
        fax::decoder::decode_g3(encoded.iter().copied(), &mut push_line)
    };
    if decoded.is_none() && gray.is_empty() {
        return Err(if k < 0 {
            "a CCITT Group 4 fax image that could not be decoded".into()
        } else {
            "a CCITT Group 3 fax image without end-of-line codes, which tramite cannot decode".into()
        });
    }
    // A stream that ends early leaves the rest of the page white.
    gray.resize(width as usize * height as usize, white);
    GrayImage::from_raw(width, height, gray).ok_or_else(|| "a CCITT fax image that could not be decoded".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ocr::FixedTextOcr;
    use lopdf::dictionary;

    #[derive(Debug)]
    struct RendererThatFails;

    impl PageRenderer for RendererThatFails {
        fn render_page(&self, _pdf: &[u8], _page_number: u32, _dots_per_inch: u32, _limits: &ReadLimits) -> Result<GrayImage, String> {
            Err("pdftoppm did not start; install poppler-utils".to_string())
        }
    }

    #[test]
    fn a_page_without_text_that_cannot_be_rendered_is_named_in_the_no_text_failure() {
        let document = crate::read::render::tests::blank_a4_document();
        let pdf = PdfToRead { document: &document, bytes: b"", renderer: Some(&RendererThatFails) };
        let failure = read_loaded_pdf_observing_pages(pdf, &FixedTextOcr::default(), &ReadLimits::default(), &mut |_| {}).unwrap_err();
        assert_eq!(failure.code, "no_text");
        assert!(failure.message.contains("page 1: pdftoppm did not start; install poppler-utils"), "{}", failure.message);
    }

    #[test]
    fn a_page_is_rendered_at_300_dpi_unless_its_size_would_break_the_pixel_limit() {
        let document_with_media_box = |width: i64, height: i64| {
            let mut document = Document::with_version("1.5");
            let page_id = document.add_object(dictionary! { "Type" => "Page", "MediaBox" => vec![0.into(), 0.into(), width.into(), height.into()] });
            (document, page_id)
        };
        let limits = ReadLimits::default();
        let (a4, a4_page) = document_with_media_box(595, 842);
        assert_eq!(rendering_dots_per_inch(&a4, a4_page, &limits), Some(RENDERING_DOTS_PER_INCH));
        // A 2 m square page: 300 dpi would be 560 megapixels.
        let (poster, poster_page) = document_with_media_box(5669, 5669);
        let lowered = rendering_dots_per_inch(&poster, poster_page, &limits).expect("still renderable at a lower resolution");
        assert!((72..RENDERING_DOTS_PER_INCH).contains(&lowered), "{lowered}");
        assert!(f64::from(lowered).powi(2) * (5669.0_f64 / 72.0).powi(2) <= limits.max_image_pixels as f64);
        // Even 72 dpi would be over the limit: not rendered at all.
        let (huge, huge_page) = document_with_media_box(14400, 14400);
        assert_eq!(rendering_dots_per_inch(&huge, huge_page, &limits), None);
    }

    #[test]
    fn a_truncated_pdf_is_corrupt() {
        let failure = read_pdf(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", &FixedTextOcr::default(), &ReadLimits::default()).unwrap_err();
        assert_eq!(failure.code, "corrupt");
    }

    /// A one-page PDF whose page draws one image XObject made of `image`.
    fn pdf_with_image(image: Stream) -> Vec<u8> {
        let mut document = Document::with_version("1.5");
        let pages_id = document.new_object_id();
        let image_id = document.add_object(image);
        let content = lopdf::content::Content {
            operations: vec![
                lopdf::content::Operation::new("q", vec![]),
                lopdf::content::Operation::new("cm", vec![595.into(), 0.into(), 0.into(), 842.into(), 0.into(), 0.into()]),
                lopdf::content::Operation::new("Do", vec!["Scan".into()]),
                lopdf::content::Operation::new("Q", vec![]),
            ],
        };
        let content_id = document.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = document.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Scan" => image_id } },
        });
        document.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
        let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        document.trailer.set("Root", catalog_id);
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    }

    /// The page image the reader hands to OCR for a one-image PDF.
    fn observed_page_image(bytes: &[u8]) -> GrayImage {
        let mut seen = None;
        read_pdf_observing_pages(bytes, &FixedTextOcr { lines: vec!["scan".into()] }, &ReadLimits::default(), &mut |page| {
            seen = Some(page.image.clone())
        })
        .unwrap();
        seen.expect("the page went through OCR")
    }

    #[test]
    fn a_one_bit_flate_image_is_read_with_black_where_its_samples_are_zero() {
        // 64x64, left half black (0 bits), right half white.
        let row = [0x00u8, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF];
        let samples: Vec<u8> = row.iter().copied().cycle().take(8 * 64).collect();
        let mut image = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 64, "Height" => 64, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1 },
            samples,
        );
        image.compress().unwrap();
        let page = observed_page_image(&pdf_with_image(image));
        assert_eq!(page.dimensions(), (64, 64));
        assert_eq!(page.get_pixel(5, 30)[0], 0);
        assert_eq!(page.get_pixel(60, 30)[0], 255);
    }

    #[test]
    fn a_group_4_fax_image_is_decoded_with_black_ink() {
        let (width, height) = (64u16, 48u16);
        let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
        for _ in 0..height {
            let line = (0..width).map(|column| if (16..32).contains(&column) { fax::Color::Black } else { fax::Color::White });
            encoder.encode_line(line, width).unwrap();
        }
        let encoded = encoder.finish().unwrap().finish();
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => width as i64, "Height" => height as i64,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
                "DecodeParms" => dictionary! { "K" => -1, "Columns" => width as i64, "Rows" => height as i64 },
            },
            encoded,
        );
        let page = observed_page_image(&pdf_with_image(image));
        assert_eq!(page.get_pixel(20, 10)[0], 0);
        assert_eq!(page.get_pixel(40, 10)[0], 255);
        assert_eq!(page.get_pixel(20, 47)[0], 0);
    }

    #[test]
    fn a_page_whose_only_image_is_jpeg_2000_fails_saying_why() {
        let image = Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 100, "Height" => 100, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "JPXDecode" },
            vec![0; 32],
        );
        let failure = read_pdf(&pdf_with_image(image), &FixedTextOcr::default(), &ReadLimits::default()).unwrap_err();
        assert_eq!(failure.code, "no_text");
        assert!(failure.message.contains("JPEG 2000"), "{}", failure.message);
    }

    #[test]
    fn an_indexed_image_is_read_through_its_palette() {
        // Palette: 0 = white, 1 = black; the image alternates rows.
        let samples: Vec<u8> = (0..40u32).flat_map(|row| std::iter::repeat_n((row % 2) as u8, 40)).collect();
        let image = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 40, "Height" => 40, "BitsPerComponent" => 8,
                "ColorSpace" => vec!["Indexed".into(), "DeviceRGB".into(), 1.into(), Object::String(vec![255, 255, 255, 0, 0, 0], lopdf::StringFormat::Hexadecimal)],
            },
            samples,
        );
        let page = observed_page_image(&pdf_with_image(image));
        assert_eq!(page.get_pixel(3, 0)[0], 255);
        assert_eq!(page.get_pixel(3, 1)[0], 0);
    }
}
