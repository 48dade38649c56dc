//! Reading a scanned page the right way up: straightening a slightly
//! skewed scan, and turning a page fed sideways or upside down, around the
//! real recognition ([`recognize_upright`]).
//!
//! **Skew.** A scan a degree or two off makes tesseract split lines and drop
//! characters. [`estimate_skew_degrees`] finds the angle cheaply on a
//! downscaled, binarised copy: it projects the ink onto the vertical axis
//! along each candidate angle within ±[`MAXIMUM_SKEW_DEGREES`] and keeps the
//! angle whose projection is sharpest (text lines become tall narrow peaks
//! separated by empty gaps exactly when they are horizontal). The page is
//! rotated back with bilinear interpolation ([`rotate_about_center`]), only
//! when the angle is at least [`MINIMUM_SKEW_CORRECTION_DEGREES`]:
//! tesseract copes with less on its own, and every resampling softens the
//! glyphs a little.
//!
//! **Orientation.** Almost every page arrives upright, and orientation
//! detection is not free: tesseract's orientation and script detection
//! (OSD) takes 0.4-0.7 s on an A4 page, a quarter of the page's OCR time,
//! and on identity pages (a photo, little text) it is unsure and sometimes
//! confidently wrong. So the page is read upright first, and the reading
//! itself is the test: upright text reads with high word confidence in
//! horizontal lines (or, on an identity page with a photo and little text,
//! shows a run of MRZ fillers `<<<`); text upside down reads as
//! low-confidence fragments, and text on its side comes back in vertical
//! lines (tesseract's vertical text detection) or as fragments
//! ([`reading_looks_upright`]). Only a reading that fails the test pays for
//! orientation detection:
//!
//! 1. the engine's own ([`OcrEngine::detect_orientation`]: OSD, from
//!    `osd.traineddata`), when its answer is at least
//!    [`RELIABLE_ORIENTATION_CONFIDENCE`] and not "upright";
//! 2. otherwise, or when that turn does not read upright either, a trial
//!    ([`orientation_by_word_confidence`]): a square of the page around its
//!    ink, downscaled to about 200 dpi, is read in the candidate quarter
//!    turns as one block of text (PSM 6, so that tesseract cannot turn
//!    vertical lines itself) and the turn read most confidently wins. The
//!    candidates are the two side turns when the upright reading came back
//!    in vertical lines, else upright and upside down: two readings of the
//!    square instead of four.
//!
//! The page is read again in the chosen turn, and the better of the
//! readings (by [`reading_confidence_score`], an upright-looking one first)
//! is kept. Line boxes are in the pixel space of the page as finally read
//! (upright and straight), which is how a reviewer sees the page.

use image::{GrayImage, Luma};

use super::TextLine;
use super::ocr::{OcrEngine, OcrError, PixelRegion, RELIABLE_ORIENTATION_CONFIDENCE};

/// The largest skew the projection profile looks for, either way.
pub const MAXIMUM_SKEW_DEGREES: f32 = 5.0;

/// Skews smaller than this are left for tesseract to handle.
pub const MINIMUM_SKEW_CORRECTION_DEGREES: f32 = 0.4;

/// A reading scoring at least this ([`reading_confidence_score`]) in
/// horizontal lines is taken to be upright. Upright synthetic scans and
/// photos score 0.76-0.89; the same pages upside down or on their side
/// 0.35-0.43 (or come back in vertical lines).
pub const UPRIGHT_READING_SCORE: f32 = 0.6;

/// The long side of the copy the skew is measured on, in pixels: enough to
/// resolve a tenth of a degree across a page, small enough to take a few
/// milliseconds.
const SKEW_ANALYSIS_LONG_SIDE: u32 = 1200;

/// The resolution the orientation trial reads at: body text is still 10-14
/// pixels high, and each of the four readings stays cheap.
const ORIENTATION_TRIAL_DOTS_PER_INCH: u32 = 200;

/// The side of the square the orientation trial reads, in pixels at
/// [`ORIENTATION_TRIAL_DOTS_PER_INCH`] (four inches: a dozen lines of text).
const ORIENTATION_TRIAL_SQUARE_SIDE: u32 = 800;

/// How a page's orientation was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrientationMethod {
    /// The page read upright as it came.
    ReadUpright,
    /// The engine's orientation detection chose the turn.
    OrientationDetection,
    /// The trial of the four turns chose it.
    WordConfidenceTrial,
    /// Nothing read better than the page as it came (no text, or none of
    /// the turns helped); it was kept as it came.
    Undetermined,
}

/// What was done to a page before its lines were read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PagePreparation {
    /// Quarter turns clockwise applied to make the page upright (0 to 3).
    pub clockwise_quarter_turns: u8,
    /// How that was decided.
    pub orientation_method: OrientationMethod,
    /// The skew measured on the page as read, in degrees (positive: lines
    /// descend to the right), whether or not it was corrected.
    pub measured_skew_degrees: f32,
    /// Whether the page was rotated back by the measured skew.
    pub skew_corrected: bool,
}

/// A page read the right way up.
#[derive(Debug, Clone)]
pub struct UprightReading {
    /// The page as read: turned upright and straightened. The lines' boxes
    /// are in its pixel space.
    pub image: GrayImage,
    /// The lines read on it.
    pub lines: Vec<TextLine>,
    /// What was done to it.
    pub preparation: PagePreparation,
}

/// Reads a scanned page the right way up, as described in the module
/// documentation. Fails only when the engine fails.
pub fn recognize_upright(page: GrayImage, page_number: u32, dots_per_inch: u32, ocr: &dyn OcrEngine) -> Result<UprightReading, OcrError> {
    let mut reading = recognize_upright_in_tesseract_lines(page, page_number, dots_per_inch, ocr)?;
    reading.lines = super::ocr::merge_into_visual_rows(std::mem::take(&mut reading.lines));
    Ok(reading)
}

/// [`recognize_upright`] before lines sharing a row are merged: the
/// orientation check judges tesseract's own lines.
fn recognize_upright_in_tesseract_lines(page: GrayImage, page_number: u32, dots_per_inch: u32, ocr: &dyn OcrEngine) -> Result<UprightReading, OcrError> {
    let read_in_turn = |page: &GrayImage, turns: u8, method: OrientationMethod| -> Result<UprightReading, OcrError> {
        let turned = rotate_quarter_turns_clockwise(page.clone(), turns);
        let (image, measured_skew_degrees, skew_corrected) = straightened(turned);
        let lines = ocr.recognize(&image, page_number, Some(dots_per_inch))?;
        let preparation = PagePreparation { clockwise_quarter_turns: turns, orientation_method: method, measured_skew_degrees, skew_corrected };
        Ok(UprightReading { image, lines, preparation })
    };
    let first = read_in_turn(&page, 0, OrientationMethod::ReadUpright)?;
    if reading_looks_upright(&first.lines) {
        return Ok(first);
    }
    let first_is_on_its_side = reading_is_mostly_vertical(&first.lines);
    let mut tried = vec![0u8];
    let mut best = first;
    best.preparation.orientation_method = OrientationMethod::Undetermined;

    let detected = ocr
        .detect_orientation(&page, Some(dots_per_inch))?
        .filter(|estimate| estimate.confidence >= RELIABLE_ORIENTATION_CONFIDENCE)
        .map(|estimate| estimate.clockwise_quarter_turns_to_upright % 4)
        .filter(|&turns| turns != 0);
    if let Some(turns) = detected {
        tried.push(turns);
        let reading = read_in_turn(&page, turns, OrientationMethod::OrientationDetection)?;
        let upright = reading_looks_upright(&reading.lines);
        best = better_reading(best, reading);
        if upright {
            return Ok(best);
        }
    }
    // Text on its side comes back in vertical lines: only the two side
    // turns are worth a trial then, and only upside down otherwise.
    let candidates: &[u8] = if first_is_on_its_side { &[1, 3] } else { &[0, 2] };
    let trial_turns = orientation_by_word_confidence_among(&page, dots_per_inch, ocr, candidates)?;
    if !tried.contains(&trial_turns) {
        let reading = read_in_turn(&page, trial_turns, OrientationMethod::WordConfidenceTrial)?;
        best = better_reading(best, reading);
    }
    Ok(best)
}

/// The reading that looks upright, else the one scoring higher; the first
/// on a tie.
fn better_reading(first: UprightReading, second: UprightReading) -> UprightReading {
    let rank = |reading: &UprightReading| (reading_looks_upright(&reading.lines), reading_confidence_score(&reading.lines));
    let (first_rank, second_rank) = (rank(&first), rank(&second));
    if (second_rank.0 && !first_rank.0) || (second_rank.0 == first_rank.0 && second_rank.1 > first_rank.1) { second } else { first }
}

/// Straightens a page when its skew is worth correcting: the page, the
/// measured skew, and whether it was corrected.
fn straightened(page: GrayImage) -> (GrayImage, f32, bool) {
    let measured = estimate_skew_degrees(&page);
    if measured.abs() >= MINIMUM_SKEW_CORRECTION_DEGREES { (rotate_about_center(&page, -measured), measured, true) } else { (page, measured, false) }
}

/// Whether a reading looks like upright text: not mostly in vertical lines
/// (lines of two or more words taller than wide), and a
/// [`reading_confidence_score`] of at least [`UPRIGHT_READING_SCORE`] or a
/// run of MRZ fillers read in a horizontal line.
pub fn reading_looks_upright(lines: &[TextLine]) -> bool {
    !reading_is_mostly_vertical(lines) && (reading_confidence_score(lines) >= UPRIGHT_READING_SCORE || holds_machine_readable_zone_fillers(lines))
}

/// Whether a horizontal line holds a run of MRZ fillers (`<<<`): an identity
/// page read the right way up. Turned, `<` reads as `>`, `v` or `^`, and
/// identity pages (a photo, guilloches, little text) often score below
/// [`UPRIGHT_READING_SCORE`] however they are turned.
fn holds_machine_readable_zone_fillers(lines: &[TextLine]) -> bool {
    lines.iter().any(|line| line.text.contains("<<<") && line.bbox.is_none_or(|bbox| bbox[2] - bbox[0] > bbox[3] - bbox[1]))
}

/// Whether at least half the lines of two or more words are taller than
/// wide: text on its side, read by tesseract's vertical text detection.
fn reading_is_mostly_vertical(lines: &[TextLine]) -> bool {
    let multi_word: Vec<&TextLine> = lines.iter().filter(|line| line.text.split_whitespace().count() >= 2).collect();
    let vertical = multi_word.iter().filter(|line| line.bbox.is_some_and(|bbox| bbox[3] - bbox[1] > bbox[2] - bbox[0])).count();
    !multi_word.is_empty() && vertical * 2 >= multi_word.len()
}

/// The quarter turns clockwise (0 to 3) that make `page` read best: a
/// square around the page's ink, downscaled to about 200 dpi, is read in
/// each of the four turns as one block of text (PSM 6) and scored by
/// [`reading_confidence_score`]. A turn must beat upright clearly to be
/// chosen; a page with no text stays as it is.
pub fn orientation_by_word_confidence(page: &GrayImage, dots_per_inch: u32, ocr: &dyn OcrEngine) -> Result<u8, OcrError> {
    orientation_by_word_confidence_among(page, dots_per_inch, ocr, &[0, 1, 2, 3])
}

/// [`orientation_by_word_confidence`] among some turns only (the first
/// listed wins ties; upright, when listed, must be beaten clearly).
pub fn orientation_by_word_confidence_among(page: &GrayImage, dots_per_inch: u32, ocr: &dyn OcrEngine, candidates: &[u8]) -> Result<u8, OcrError> {
    let scale = (ORIENTATION_TRIAL_DOTS_PER_INCH as f32 / dots_per_inch.max(1) as f32).min(1.0);
    let trial_page = if scale < 0.95 { downscale(page, scale) } else { page.clone() };
    let square = square_around_ink(&trial_page, ORIENTATION_TRIAL_SQUARE_SIDE);
    let mut best: Option<(u8, f32)> = None;
    for &turns in candidates {
        let turned = rotate_quarter_turns_clockwise(square.clone(), turns);
        let whole = PixelRegion { left: 0, top: 0, width: turned.width(), height: turned.height() };
        let score = reading_confidence_score(&ocr.recognize_region(&turned, 1, whole, None, 6)?);
        let margin = if best.is_some_and(|(best_turns, _)| best_turns == 0) { 0.05 } else { 0.0 };
        if best.is_none_or(|(_, best_score)| score > best_score + margin) {
            best = Some((turns % 4, score));
        }
    }
    Ok(best.map_or(0, |(turns, _)| turns))
}

/// How confidently the engine read some lines: the mean line confidence
/// weighted by each line's letters and digits, times the share of those
/// characters that sit in words of three or more (text read upside down
/// comes out as confident single characters and punctuation). 0 for no text.
pub fn reading_confidence_score(lines: &[TextLine]) -> f32 {
    let mut weighted_confidence = 0.0f32;
    let mut characters = 0usize;
    let mut characters_in_words = 0usize;
    for line in lines {
        let alphanumeric = line.text.chars().filter(|character| character.is_alphanumeric()).count();
        weighted_confidence += line.confidence * alphanumeric as f32;
        characters += alphanumeric;
        characters_in_words += line
            .text
            .split_whitespace()
            .map(|word| word.chars().filter(|character| character.is_alphanumeric()).count())
            .filter(|&letters| letters >= 3)
            .sum::<usize>();
    }
    if characters == 0 {
        return 0.0;
    }
    (weighted_confidence / characters as f32) * (characters_in_words as f32 / characters as f32)
}

/// Turns a page by `quarter_turns` × 90° clockwise.
pub fn rotate_quarter_turns_clockwise(page: GrayImage, quarter_turns: u8) -> GrayImage {
    match quarter_turns % 4 {
        1 => image::imageops::rotate90(&page),
        2 => image::imageops::rotate180(&page),
        3 => image::imageops::rotate270(&page),
        _ => page,
    }
}

/// The page's skew in degrees (positive when text lines descend to the
/// right), within ±[`MAXIMUM_SKEW_DEGREES`], measured by projection profiles
/// on a downscaled binarised copy; 0 for a page without enough ink to tell.
pub fn estimate_skew_degrees(page: &GrayImage) -> f32 {
    let long_side = page.width().max(page.height());
    let scale = (SKEW_ANALYSIS_LONG_SIDE as f32 / long_side.max(1) as f32).min(1.0);
    let small = if scale < 0.95 { downscale(page, scale) } else { page.clone() };
    let threshold = otsu_threshold(&small);
    let (width, height) = small.dimensions();
    let margin_x = width / 50;
    let margin_y = height / 50;
    let mut ink: Vec<(f32, f32)> = Vec::new();
    for y in margin_y..height.saturating_sub(margin_y) {
        for x in margin_x..width.saturating_sub(margin_x) {
            if small.get_pixel(x, y)[0] < threshold {
                ink.push((x as f32, y as f32));
            }
        }
    }
    // A page that is mostly ink (a photo, a dark background) or nearly
    // blank has no lines to align.
    let pixels = (width as usize * height as usize).max(1);
    if ink.len() < 200 || ink.len() * 3 > pixels {
        return 0.0;
    }
    let every = (ink.len() / 150_000).max(1);
    let ink: Vec<(f32, f32)> = ink.into_iter().step_by(every).collect();
    let mut best = (0.0f32, projection_sharpness(&ink, height, 0.0));
    let coarse_steps = (MAXIMUM_SKEW_DEGREES / 0.25).round() as i32;
    for step in -coarse_steps..=coarse_steps {
        let angle = step as f32 * 0.25;
        let sharpness = projection_sharpness(&ink, height, angle);
        if sharpness > best.1 {
            best = (angle, sharpness);
        }
    }
    let coarse = best.0;
    for step in -5..=5 {
        let angle = (coarse + step as f32 * 0.05).clamp(-MAXIMUM_SKEW_DEGREES, MAXIMUM_SKEW_DEGREES);
        let sharpness = projection_sharpness(&ink, height, angle);
        if sharpness > best.1 {
            best = (angle, sharpness);
        }
    }
    // The projection of an unrotated page only beats its neighbours by
    // noise when the page has no real lines: ignore sub-step answers then.
    if best.0.abs() < 0.05 { 0.0 } else { best.0 }
}

/// The sum of squared differences between neighbouring rows of the ink's
/// projection along lines of slope `angle_degrees`: large when the ink falls
/// into a few full rows separated by empty ones.
fn projection_sharpness(ink: &[(f32, f32)], height: u32, angle_degrees: f32) -> f64 {
    let slope = angle_degrees.to_radians().tan();
    let padding = (height as f32 * 0.1).ceil() + 2.0;
    let bins = (height as f32 + 2.0 * padding) as usize;
    let mut histogram = vec![0u32; bins];
    for &(x, y) in ink {
        let projected = y - x * slope + padding;
        if projected >= 0.0 && (projected as usize) < bins {
            histogram[projected as usize] += 1;
        }
    }
    histogram.windows(2).map(|pair| (pair[1] as f64 - pair[0] as f64).powi(2)).sum()
}

/// Rotates a page about its centre by `degrees` clockwise (as seen on the
/// screen, y pointing down), keeping its size; corners brought in from
/// outside are filled with the page's paper colour. Bilinear interpolation.
///
/// Every deskewed scan goes through here, so it runs in fixed point: each
/// row's first source position is computed in floating point, the following
/// ones are reached by adding a 32.32 fixed-point step (no drift worth a
/// hundredth of a pixel across a page), and the interpolation weights are
/// the top 8 bits of the fraction. A few times faster than per-pixel floating
/// point, and within one gray level of it.
pub fn rotate_about_center(page: &GrayImage, degrees: f32) -> GrayImage {
    let (width, height) = page.dimensions();
    let paper = paper_level(page);
    if width == 0 || height == 0 {
        return page.clone();
    }
    let (sine, cosine) = f64::from(degrees).to_radians().sin_cos();
    let center_x = (f64::from(width) - 1.0) / 2.0;
    let center_y = (f64::from(height) - 1.0) / 2.0;
    let source = page.as_raw();
    let stride = width as usize;
    let mut rotated = vec![paper; source.len()];
    let to_fixed = |value: f64| (value * FIXED_POINT_ONE as f64).round() as i64;
    let (step_x, step_y) = (to_fixed(cosine), to_fixed(-sine));
    let (last_column, last_row) = (i64::from(width) - 1, i64::from(height) - 1);
    for y in 0..height {
        let dy = f64::from(y) - center_y;
        // Each output pixel takes the source pixel rotated back by -degrees.
        let mut source_x = to_fixed(-center_x * cosine + dy * sine + center_x);
        let mut source_y = to_fixed(center_x * sine + dy * cosine + center_y);
        let row = &mut rotated[y as usize * stride..(y as usize + 1) * stride];
        for output in row.iter_mut() {
            let (left, top) = (source_x >> FIXED_POINT_FRACTION_BITS, source_y >> FIXED_POINT_FRACTION_BITS);
            let inside = source_x >= 0 && source_y >= 0 && (left < last_column || (left == last_column && source_x & FRACTION_MASK == 0))
                && (top < last_row || (top == last_row && source_y & FRACTION_MASK == 0));
            if inside {
                let weight_x = ((source_x & FRACTION_MASK) >> (FIXED_POINT_FRACTION_BITS - 8)) as u32;
                let weight_y = ((source_y & FRACTION_MASK) >> (FIXED_POINT_FRACTION_BITS - 8)) as u32;
                let (left, top) = (left as usize, top as usize);
                let right = (left + 1).min(stride - 1);
                let bottom = (top + 1).min(height as usize - 1);
                let at = |column: usize, row: usize| u32::from(source[row * stride + column]);
                let upper = at(left, top) * (256 - weight_x) + at(right, top) * weight_x;
                let lower = at(left, bottom) * (256 - weight_x) + at(right, bottom) * weight_x;
                *output = ((upper * (256 - weight_y) + lower * weight_y + (1 << 15)) >> 16) as u8;
            }
            source_x += step_x;
            source_y += step_y;
        }
    }
    GrayImage::from_raw(width, height, rotated).expect("the rotated page has the page's size")
}

/// The fractional bits of the fixed-point source positions of
/// [`rotate_about_center`].
const FIXED_POINT_FRACTION_BITS: u32 = 32;
const FIXED_POINT_ONE: i64 = 1 << FIXED_POINT_FRACTION_BITS;
const FRACTION_MASK: i64 = FIXED_POINT_ONE - 1;

/// The page's paper colour: the gray level below which 90% of its pixels lie.
pub fn paper_level(page: &GrayImage) -> u8 {
    let histogram = histogram(page);
    let total: u64 = histogram.iter().sum();
    let mut seen = 0u64;
    for (level, count) in histogram.iter().enumerate() {
        seen += count;
        if seen * 10 >= total * 9 {
            return level as u8;
        }
    }
    255
}

fn histogram(page: &GrayImage) -> [u64; 256] {
    let mut histogram = [0u64; 256];
    for &value in page.as_raw() {
        histogram[value as usize] += 1;
    }
    histogram
}

/// Otsu's threshold: the gray level that best splits the page into ink and
/// paper (pixels strictly below it are ink).
pub fn otsu_threshold(page: &GrayImage) -> u8 {
    let histogram = histogram(page);
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum_all: f64 = histogram.iter().enumerate().map(|(level, &count)| level as f64 * count as f64).sum();
    let (mut weight_below, mut sum_below) = (0u64, 0f64);
    let (mut best_threshold, mut best_variance) = (128u8, -1f64);
    for (level, &count) in histogram.iter().enumerate() {
        let weight_above = total - weight_below;
        if weight_below > 0 && weight_above > 0 {
            let mean_below = sum_below / weight_below as f64;
            let mean_above = (sum_all - sum_below) / weight_above as f64;
            let variance = weight_below as f64 * weight_above as f64 * (mean_below - mean_above).powi(2);
            if variance > best_variance {
                best_variance = variance;
                best_threshold = level as u8;
            }
        }
        weight_below += count;
        sum_below += level as f64 * count as f64;
    }
    best_threshold
}

/// A copy of the page scaled by `scale` (below 1) with area averaging.
pub fn downscale(page: &GrayImage, scale: f32) -> GrayImage {
    let width = ((page.width() as f32 * scale).round() as u32).max(1);
    let height = ((page.height() as f32 * scale).round() as u32).max(1);
    image::imageops::thumbnail(page, width, height)
}

/// The square of side `side` (or the whole page, if smaller) centred on the
/// page's ink, kept inside the page.
fn square_around_ink(page: &GrayImage, side: u32) -> GrayImage {
    let (width, height) = page.dimensions();
    let threshold = otsu_threshold(page);
    let (mut sum_x, mut sum_y, mut count) = (0u64, 0u64, 0u64);
    for (x, y, Luma([value])) in page.enumerate_pixels() {
        if *value < threshold {
            sum_x += x as u64;
            sum_y += y as u64;
            count += 1;
        }
    }
    let (center_x, center_y) = match (sum_x.checked_div(count), sum_y.checked_div(count)) {
        (Some(x), Some(y)) => (x as u32, y as u32),
        _ => (width / 2, height / 2),
    };
    let square_width = side.min(width);
    let square_height = side.min(height);
    let left = center_x.saturating_sub(square_width / 2).min(width - square_width);
    let top = center_y.saturating_sub(square_height / 2).min(height - square_height);
    image::imageops::crop_imm(page, left, top, square_width, square_height).to_image()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ocr::OrientationEstimate;

    /// A white page with dark horizontal bars standing in for text lines.
    fn page_with_text_lines(width: u32, height: u32) -> GrayImage {
        let mut page = GrayImage::from_pixel(width, height, Luma([245]));
        let mut y = height / 10;
        while y + 20 < height * 9 / 10 {
            for row in y..y + 12 {
                let mut x = width / 10;
                while x < width * 9 / 10 {
                    for column in x..(x + 40).min(width * 9 / 10) {
                        page.put_pixel(column, row, Luma([30]));
                    }
                    x += 55;
                }
            }
            y += 36;
        }
        page
    }

    #[test]
    fn the_skew_of_a_rotated_page_is_measured_within_a_tenth_of_a_degree() {
        let page = page_with_text_lines(1200, 1600);
        assert_eq!(estimate_skew_degrees(&page), 0.0);
        for degrees in [-3.0f32, -1.2, 0.8, 2.5, 4.5] {
            let skewed = rotate_about_center(&page, degrees);
            let measured = estimate_skew_degrees(&skewed);
            assert!((measured - degrees).abs() <= 0.1, "rotated {degrees}, measured {measured}");
        }
    }

    #[test]
    fn rotating_back_by_the_measured_skew_straightens_the_page() {
        let skewed = rotate_about_center(&page_with_text_lines(1000, 1300), 2.0);
        let straightened = rotate_about_center(&skewed, -estimate_skew_degrees(&skewed));
        assert!(estimate_skew_degrees(&straightened).abs() <= 0.1);
    }

    /// The per-pixel floating-point bilinear rotation the fixed-point one
    /// stands for.
    fn rotate_in_floating_point(page: &GrayImage, degrees: f32) -> GrayImage {
        let (width, height) = page.dimensions();
        let paper = f32::from(paper_level(page));
        let (sine, cosine) = degrees.to_radians().sin_cos();
        let (center_x, center_y) = ((width as f32 - 1.0) / 2.0, (height as f32 - 1.0) / 2.0);
        GrayImage::from_fn(width, height, |x, y| {
            let (dx, dy) = (x as f32 - center_x, y as f32 - center_y);
            let source_x = dx * cosine + dy * sine + center_x;
            let source_y = -dx * sine + dy * cosine + center_y;
            if source_x < 0.0 || source_y < 0.0 || source_x > (width - 1) as f32 || source_y > (height - 1) as f32 {
                return Luma([paper as u8]);
            }
            let (left, top) = (source_x.floor() as u32, source_y.floor() as u32);
            let (right, bottom) = ((left + 1).min(width - 1), (top + 1).min(height - 1));
            let (fraction_x, fraction_y) = (source_x - left as f32, source_y - top as f32);
            let at = |column: u32, row: u32| f32::from(page.get_pixel(column, row)[0]);
            let upper = at(left, top) * (1.0 - fraction_x) + at(right, top) * fraction_x;
            let lower = at(left, bottom) * (1.0 - fraction_x) + at(right, bottom) * fraction_x;
            Luma([(upper * (1.0 - fraction_y) + lower * fraction_y + 0.5) as u8])
        })
    }

    #[test]
    fn the_fixed_point_rotation_matches_floating_point_bilinear_interpolation() {
        let page = rotate_about_center(&page_with_text_lines(900, 1200), 0.0);
        assert_eq!(page, page_with_text_lines(900, 1200), "a zero rotation changes nothing");
        for degrees in [-4.7f32, -0.6, 0.45, 1.3, 3.9] {
            let (fixed, floating) = (rotate_about_center(&page, degrees), rotate_in_floating_point(&page, degrees));
            let differences: Vec<i32> = fixed.as_raw().iter().zip(floating.as_raw()).map(|(a, b)| (i32::from(*a) - i32::from(*b)).abs()).collect();
            let largest = differences.iter().copied().max().unwrap_or(0);
            let off_by_more_than_one = differences.iter().filter(|&&difference| difference > 1).count();
            // Positions a hair either side of a pixel edge may round to the
            // neighbouring pixel's weights: rare, and never by much.
            assert!(largest <= 8 && off_by_more_than_one * 1000 <= differences.len(), "{degrees}°: largest {largest}, {off_by_more_than_one} pixels off by more than one level");
        }
    }

    #[test]
    fn a_blank_or_black_page_has_no_skew() {
        assert_eq!(estimate_skew_degrees(&GrayImage::from_pixel(800, 1000, Luma([250]))), 0.0);
        assert_eq!(estimate_skew_degrees(&GrayImage::from_pixel(800, 1000, Luma([5]))), 0.0);
    }

    #[test]
    fn quarter_turns_are_clockwise_and_four_make_a_whole_turn() {
        let mut page = GrayImage::from_pixel(3, 2, Luma([255]));
        page.put_pixel(0, 0, Luma([0]));
        let turned = rotate_quarter_turns_clockwise(page.clone(), 1);
        assert_eq!(turned.dimensions(), (2, 3));
        assert_eq!(turned.get_pixel(1, 0)[0], 0, "the top-left corner goes to the top-right");
        let mut whole_turn = page.clone();
        for _ in 0..4 {
            whole_turn = rotate_quarter_turns_clockwise(whole_turn, 1);
        }
        assert_eq!(whole_turn, page);
    }

    #[test]
    fn otsu_splits_ink_from_paper_and_paper_is_the_bright_level() {
        let page = page_with_text_lines(400, 400);
        let threshold = otsu_threshold(&page);
        assert!(threshold > 30 && threshold <= 245, "{threshold}");
        assert_eq!(paper_level(&page), 245);
    }

    /// A fake engine that reads a page well only when its one dark mark is
    /// in the top-left quarter (the page is upright), and answers
    /// orientation detection as told.
    struct ReadsOnlyWithTheMarkTopLeft {
        orientation: Option<OrientationEstimate>,
    }

    impl OcrEngine for ReadsOnlyWithTheMarkTopLeft {
        fn recognize(&self, page: &GrayImage, page_number: u32, _dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
            let (width, height) = page.dimensions();
            let mark_top_left = page.enumerate_pixels().any(|(x, y, pixel)| pixel[0] < 128 && x < width / 2 && y < height / 2);
            let (text, confidence) = if mark_top_left { ("Invoice number 2026-0042", 0.93) } else { ("l ' i : | .", 0.4) };
            Ok(vec![TextLine { page: page_number, text: text.into(), bbox: Some([5.0, 5.0, 150.0, 20.0]), confidence, cells: Vec::new() }])
        }

        fn detect_orientation(&self, _page: &GrayImage, _dots_per_inch: Option<u32>) -> Result<Option<OrientationEstimate>, OcrError> {
            Ok(self.orientation)
        }
    }

    /// A small page with a dark mark in its top-left corner.
    fn marked_page() -> GrayImage {
        let mut page = GrayImage::from_pixel(200, 300, Luma([250]));
        for y in 20..60 {
            for x in 20..60 {
                page.put_pixel(x, y, Luma([10]));
            }
        }
        page
    }

    #[test]
    fn an_upright_page_is_read_once_and_kept_as_it_came() {
        let reading = recognize_upright(marked_page(), 1, 200, &ReadsOnlyWithTheMarkTopLeft { orientation: None }).unwrap();
        assert_eq!(reading.preparation.clockwise_quarter_turns, 0);
        assert_eq!(reading.preparation.orientation_method, OrientationMethod::ReadUpright);
        assert_eq!(reading.image, marked_page());
    }

    #[test]
    fn a_reliable_orientation_answer_turns_the_page_upright() {
        let upside_down = rotate_quarter_turns_clockwise(marked_page(), 2);
        let estimate = OrientationEstimate { clockwise_quarter_turns_to_upright: 2, confidence: 9.0 };
        let reading = recognize_upright(upside_down, 1, 200, &ReadsOnlyWithTheMarkTopLeft { orientation: Some(estimate) }).unwrap();
        assert_eq!(reading.preparation.clockwise_quarter_turns, 2);
        assert_eq!(reading.preparation.orientation_method, OrientationMethod::OrientationDetection);
        assert_eq!(reading.lines[0].text, "Invoice number 2026-0042");
        assert_eq!(reading.image, marked_page());
    }

    #[test]
    fn without_a_reliable_answer_the_trial_finds_the_upside_down_turn() {
        let upside_down = rotate_quarter_turns_clockwise(marked_page(), 2);
        let unsure = OrientationEstimate { clockwise_quarter_turns_to_upright: 1, confidence: 0.3 };
        let reading = recognize_upright(upside_down, 1, 200, &ReadsOnlyWithTheMarkTopLeft { orientation: Some(unsure) }).unwrap();
        assert_eq!(reading.preparation.clockwise_quarter_turns, 2);
        assert_eq!(reading.preparation.orientation_method, OrientationMethod::WordConfidenceTrial);
        assert_eq!(reading.lines[0].text, "Invoice number 2026-0042");
    }

    #[test]
    fn a_wrong_orientation_answer_is_not_kept_when_its_reading_is_no_better() {
        let upside_down = rotate_quarter_turns_clockwise(marked_page(), 2);
        let wrong = OrientationEstimate { clockwise_quarter_turns_to_upright: 1, confidence: 9.0 };
        let reading = recognize_upright(upside_down, 1, 200, &ReadsOnlyWithTheMarkTopLeft { orientation: Some(wrong) }).unwrap();
        assert_eq!(reading.preparation.clockwise_quarter_turns, 2, "the trial after the wrong answer finds the way up");
    }

    #[test]
    fn a_run_of_mrz_fillers_read_in_a_horizontal_line_means_upright() {
        let line = |text: &str, bbox: [f32; 4], confidence: f32| TextLine { page: 1, text: text.into(), bbox: Some(bbox), confidence, cells: Vec::new() };
        assert!(reading_looks_upright(&[line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<", [0.0, 0.0, 900.0, 30.0], 0.5)]));
        assert!(!reading_looks_upright(&[line("Invoice number 2026-0042 due", [0.0, 0.0, 30.0, 900.0], 0.95)]), "vertical lines are text on its side");
        assert!(!reading_looks_upright(&[line("l ' i : | .", [0.0, 0.0, 300.0, 30.0], 0.4)]));
    }

    #[test]
    fn confident_whole_words_score_higher_than_confident_fragments() {
        let line = |text: &str, confidence: f32| TextLine { page: 1, text: text.into(), bbox: None, confidence, cells: Vec::new() };
        let upright = reading_confidence_score(&[line("Invoice number 2026-0042", 0.93)]);
        let fragments = reading_confidence_score(&[line("l ' i : | . 1 ,", 0.95)]);
        assert!(upright > fragments + 0.3, "{upright} vs {fragments}");
        assert_eq!(reading_confidence_score(&[]), 0.0);
    }
}
