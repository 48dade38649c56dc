//! Finding the machine-readable zone (MRZ) of an identity page in its image,
//! before any OCR: [`find_mrz_band`] says where the two or three MRZ lines
//! are, or that the page has none, in a few milliseconds.
//!
//! An MRZ looks like nothing else on a back-office page: two (passports,
//! visas, TD2 cards) or three (TD1 cards) lines of 30, 36 or 44 characters
//! of a monospaced font (OCR-B), every position filled (names and empty
//! fields are padded with `<`, so there is no space anywhere), the lines
//! equally long, left-aligned and evenly spaced. Ordinary text has spaces
//! between words, characters of varying widths, and lines of varying length.
//!
//! The search, on a copy of the page reduced to about 900 pixels across
//! ([`ANALYSIS_WIDTH`]) and binarised with Otsu's threshold:
//!
//! 1. the ink is split into connected blobs, and blobs the size of a
//!    character are kept;
//! 2. blobs are chained left to right into text lines: a blob joins the
//!    line whose last blob overlaps it vertically and ends at most about a
//!    character height before it (a word space breaks nothing, a column gap
//!    does);
//! 3. a line is an MRZ line when it holds 27 to 47 character pitches,
//!    its blob centres are evenly spaced (a monospaced font without spaces)
//!    and its pitch suits its height ([`looks_like_an_mrz_line`]);
//! 4. two or three MRZ lines of the same length, pitch and left edge, one
//!    below the other at a regular line spacing, are the zone.
//!
//! The zone's reading, and whether the page is an identity document at all,
//! is decided by OCR and the check digits ([`crate::identity`]): a page of
//! monospaced print that happens to look like an MRZ here only costs a band
//! reading that finds no valid zone.

use image::GrayImage;

use super::ocr::PixelRegion;
use super::preprocess::otsu_threshold;

/// The width, in pixels, the page is reduced to (by a whole factor) before
/// it is analysed: MRZ characters stay 8-30 pixels high on the pages seen
/// (A4 scans at 150-300 dpi, passport photos), and a page costs a few
/// milliseconds.
pub const ANALYSIS_WIDTH: u32 = 900;

/// Blobs shorter than this (in analysis pixels) are specks, not characters.
const SMALLEST_CHARACTER_HEIGHT: u32 = 6;

/// Blobs taller than this (in analysis pixels) are pictures or frames.
const TALLEST_CHARACTER_HEIGHT: u32 = 90;

/// The fewest blobs a line needs to be looked at as an MRZ line (a TD1 line
/// has 30 characters; a few may touch and count as one blob).
const FEWEST_BLOBS_OF_AN_MRZ_LINE: usize = 22;

/// The character counts an MRZ line may be measured at: 30 (TD1), 36 (TD2)
/// and 44 (TD3, visas) with room for the measurement's error.
const MRZ_LINE_CHARACTERS: std::ops::RangeInclusive<f32> = 27.0..=47.0;

/// The share of neighbouring blob centres that must sit one pitch apart
/// (within [`EVEN_PITCH_TOLERANCE`]) for a line to count as evenly spaced.
const SHARE_OF_EVEN_STEPS: f32 = 0.8;

/// How far from the line's pitch a step between blob centres may be and
/// still count as one pitch (as a share of the pitch).
const EVEN_PITCH_TOLERANCE: std::ops::RangeInclusive<f32> = 0.7..=1.35;

/// Where the machine-readable zone is on a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MrzBand {
    /// The zone with a margin around it, in the page's pixels: what to hand
    /// to OCR.
    pub region: PixelRegion,
    /// The top of the zone's first line, in the page's pixels (without the
    /// margin): everything above it is the visual zone.
    pub top_of_first_line: u32,
    /// How many MRZ lines were found (2 or 3).
    pub line_count: usize,
    /// The height of the zone's characters, in the page's pixels.
    pub character_height: f32,
    /// The distance from one character to the next, in the page's pixels.
    pub character_pitch: f32,
}

/// Finds the MRZ on a page image (upright, straightened), or `None` when
/// the page shows no two or three lines that look like one. See the module
/// documentation for how.
pub fn find_mrz_band(page: &GrayImage) -> Option<MrzBand> {
    let (width, height) = page.dimensions();
    if width < 100 || height < 60 {
        return None;
    }
    let reduction = ((width + ANALYSIS_WIDTH / 2) / ANALYSIS_WIDTH).max(1);
    let reduced = reduce_by_whole_factor(page, reduction);
    let threshold = otsu_threshold(&reduced);
    let blobs: Vec<InkBlob> = ink_blobs(&reduced, threshold).into_iter().filter(InkBlob::is_character_sized).collect();
    let mrz_lines: Vec<MrzLineCandidate> = chain_into_lines(blobs).iter().filter_map(|line| looks_like_an_mrz_line(line)).collect();
    let zone = best_zone(&mrz_lines)?;
    let scale = reduction as f32;
    let first = zone.first()?;
    let left = zone.iter().map(|line| line.left).fold(f32::MAX, f32::min);
    let right = zone.iter().map(|line| line.right).fold(f32::MIN, f32::max);
    let top = first.top;
    let bottom = zone.iter().map(|line| line.bottom).fold(f32::MIN, f32::max);
    let character_height = zone.iter().map(|line| line.character_height).sum::<f32>() / zone.len() as f32;
    let character_pitch = zone.iter().map(|line| line.pitch).sum::<f32>() / zone.len() as f32;
    let horizontal_margin = character_pitch * 2.0;
    let vertical_margin = character_height * 0.9;
    let region = PixelRegion::from_box([
        ((left - horizontal_margin) * scale).max(0.0),
        ((top - vertical_margin) * scale).max(0.0),
        ((right + horizontal_margin) * scale).min(width as f32),
        ((bottom + vertical_margin) * scale).min(height as f32),
    ]);
    Some(MrzBand {
        region,
        top_of_first_line: (top * scale).max(0.0) as u32,
        line_count: zone.len(),
        character_height: character_height * scale,
        character_pitch: character_pitch * scale,
    })
}

/// The page reduced by `factor` in both directions, each pixel the mean of
/// its block (a factor of 1 copies the page).
fn reduce_by_whole_factor(page: &GrayImage, factor: u32) -> GrayImage {
    if factor <= 1 {
        return page.clone();
    }
    let (width, height) = page.dimensions();
    let (reduced_width, reduced_height) = (width / factor, height / factor);
    let source = page.as_raw();
    let stride = width as usize;
    let mut sums = vec![0u32; reduced_width as usize];
    let mut reduced = Vec::with_capacity(reduced_width as usize * reduced_height as usize);
    let block = factor * factor;
    for reduced_row in 0..reduced_height as usize {
        sums.iter_mut().for_each(|sum| *sum = 0);
        for row in reduced_row * factor as usize..(reduced_row + 1) * factor as usize {
            let pixels = &source[row * stride..row * stride + (reduced_width * factor) as usize];
            for (column, chunk) in pixels.chunks_exact(factor as usize).enumerate() {
                sums[column] += chunk.iter().map(|&value| u32::from(value)).sum::<u32>();
            }
        }
        reduced.extend(sums.iter().map(|&sum| (sum / block) as u8));
    }
    GrayImage::from_raw(reduced_width, reduced_height, reduced).expect("the reduced page has its computed size")
}

/// The bounding box of one connected blob of ink, in analysis pixels
/// (right and bottom exclusive).
#[derive(Debug, Clone, Copy, PartialEq)]
struct InkBlob {
    left: u32,
    top: u32,
    right: u32,
    bottom: u32,
}

impl InkBlob {
    fn width(&self) -> u32 {
        self.right - self.left
    }

    fn height(&self) -> u32 {
        self.bottom - self.top
    }

    fn center_x(&self) -> f32 {
        (self.left + self.right) as f32 / 2.0
    }

    /// Tall enough not to be a speck, small enough not to be a picture, and
    /// not much wider than tall (two or three touching characters at most).
    fn is_character_sized(&self) -> bool {
        let height = self.height();
        (SMALLEST_CHARACTER_HEIGHT..=TALLEST_CHARACTER_HEIGHT).contains(&height) && self.width() <= height * 2 + 2
    }
}

/// A horizontal run of ink on one row (`end` exclusive).
struct InkRun {
    row: u32,
    start: u32,
    end: u32,
}

/// The 8-connected blobs of pixels darker than `threshold`, found from the
/// rows' runs of ink with a union-find over the runs.
fn ink_blobs(page: &GrayImage, threshold: u8) -> Vec<InkBlob> {
    let (width, height) = page.dimensions();
    let mut runs: Vec<InkRun> = Vec::new();
    let mut parents: Vec<u32> = Vec::new();
    let (mut first_run_above, mut previous_row_end) = (0usize, 0usize);
    for (row, pixels) in page.as_raw().chunks_exact(width as usize).enumerate().take(height as usize) {
        let row_start = runs.len();
        let mut column = 0usize;
        while column < pixels.len() {
            if pixels[column] >= threshold {
                column += 1;
                continue;
            }
            let start = column;
            while column < pixels.len() && pixels[column] < threshold {
                column += 1;
            }
            let index = runs.len() as u32;
            runs.push(InkRun { row: row as u32, start: start as u32, end: column as u32 });
            parents.push(index);
            // Join every run of the row above that touches this one, corners
            // included. Runs of a row are in order, so the runs above that
            // end before this one starts touch no later run either.
            while first_run_above < previous_row_end && runs[first_run_above].end < start as u32 {
                first_run_above += 1;
            }
            let mut above = first_run_above;
            while above < previous_row_end && runs[above].start < column as u32 + 1 {
                unite(&mut parents, above as u32, index);
                above += 1;
            }
        }
        first_run_above = row_start;
        previous_row_end = runs.len();
    }
    let mut boxes: Vec<Option<InkBlob>> = vec![None; runs.len()];
    for (index, run) in runs.iter().enumerate() {
        let root = find_root(&mut parents, index as u32) as usize;
        let grown = match boxes[root] {
            None => InkBlob { left: run.start, top: run.row, right: run.end, bottom: run.row + 1 },
            Some(blob) => InkBlob { left: blob.left.min(run.start), top: blob.top.min(run.row), right: blob.right.max(run.end), bottom: blob.bottom.max(run.row + 1) },
        };
        boxes[root] = Some(grown);
    }
    boxes.into_iter().flatten().collect()
}

fn find_root(parents: &mut [u32], mut index: u32) -> u32 {
    while parents[index as usize] != index {
        let grandparent = parents[parents[index as usize] as usize];
        parents[index as usize] = grandparent;
        index = grandparent;
    }
    index
}

fn unite(parents: &mut [u32], first: u32, second: u32) {
    let (first_root, second_root) = (find_root(parents, first), find_root(parents, second));
    if first_root != second_root {
        let (low, high) = (first_root.min(second_root), first_root.max(second_root));
        parents[high as usize] = low;
    }
}

/// Chains blobs into text lines, left to right: a blob joins the line whose
/// last blob overlaps it vertically by at least half the smaller height and
/// ends at most about one character height before it (the nearest such
/// line), else starts a line of its own.
fn chain_into_lines(mut blobs: Vec<InkBlob>) -> Vec<Vec<InkBlob>> {
    blobs.sort_by_key(|blob| (blob.left, blob.top));
    let mut finished: Vec<Vec<InkBlob>> = Vec::new();
    let mut open: Vec<Vec<InkBlob>> = Vec::new();
    let largest_gap = |last: &InkBlob| last.height() as f32 * 1.1 + 2.0;
    for blob in blobs {
        // Lines that no later blob can reach are finished.
        let mut index = 0;
        while index < open.len() {
            let last = *open[index].last().expect("an open line has a blob");
            if blob.left as f32 > last.right as f32 + largest_gap(&last) {
                finished.push(open.swap_remove(index));
            } else {
                index += 1;
            }
        }
        let joins = |last: &InkBlob| {
            let gap = blob.left as f32 - last.right as f32;
            let overlap = blob.bottom.min(last.bottom) as i64 - blob.top.max(last.top) as i64;
            let smaller_height = blob.height().min(last.height()) as i64;
            let height_ratio = blob.height() as f32 / last.height().max(1) as f32;
            gap >= -(last.width() as f32) * 0.3 && gap <= largest_gap(last) && overlap * 2 >= smaller_height && (0.4..=2.5).contains(&height_ratio)
        };
        let nearest = open
            .iter()
            .enumerate()
            .filter(|(_, line)| joins(line.last().expect("an open line has a blob")))
            .min_by_key(|(_, line)| blob.left as i64 - line.last().expect("an open line has a blob").right as i64)
            .map(|(index, _)| index);
        match nearest {
            Some(index) => open[index].push(blob),
            None => open.push(vec![blob]),
        }
    }
    finished.extend(open);
    finished.retain(|line| line.len() >= FEWEST_BLOBS_OF_AN_MRZ_LINE);
    finished
}

/// A text line that looks like an MRZ line, measured in analysis pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct MrzLineCandidate {
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    /// The height of its capitals and digits (fillers are lower).
    character_height: f32,
    /// The median distance between neighbouring blob centres.
    pitch: f32,
    /// How many characters it spans at that pitch.
    characters: f32,
}

impl MrzLineCandidate {
    fn center_y(&self) -> f32 {
        (self.top + self.bottom) / 2.0
    }
}

/// The line as an MRZ line candidate, when it is one: it spans 27 to 47
/// characters at its pitch, at least [`SHARE_OF_EVEN_STEPS`] of its steps
/// from one blob centre to the next are one pitch (a monospaced font), at
/// most one is a gap wider than two characters (there is no space in an
/// MRZ; a blob lost to a faint print leaves one), and the pitch is 0.5 to
/// 1.4 character heights (OCR-B's proportions with room for the scan).
fn looks_like_an_mrz_line(line: &[InkBlob]) -> Option<MrzLineCandidate> {
    let mut heights: Vec<u32> = line.iter().map(InkBlob::height).collect();
    heights.sort_unstable();
    let character_height = heights[heights.len() * 3 / 4] as f32;
    let steps: Vec<f32> = line.windows(2).map(|pair| pair[1].center_x() - pair[0].center_x()).collect();
    let mut sorted_steps = steps.clone();
    sorted_steps.sort_by(f32::total_cmp);
    let pitch = sorted_steps[sorted_steps.len() / 2];
    if pitch <= 0.0 {
        return None;
    }
    let even_steps = steps.iter().filter(|step| EVEN_PITCH_TOLERANCE.contains(&(**step / pitch))).count();
    let wide_gaps = steps.iter().filter(|step| **step > pitch * 2.2).count();
    let left = line.iter().map(|blob| blob.left).min()? as f32;
    let right = line.iter().map(|blob| blob.right).max()? as f32;
    let top = line.iter().map(|blob| blob.top).min()? as f32;
    let bottom = line.iter().map(|blob| blob.bottom).max()? as f32;
    let characters = (right - left) / pitch;
    let evenly_spaced = even_steps as f32 >= steps.len() as f32 * SHARE_OF_EVEN_STEPS && wide_gaps <= 1;
    let proportioned = (0.5..=1.4).contains(&(pitch / character_height));
    (evenly_spaced && proportioned && MRZ_LINE_CHARACTERS.contains(&characters)).then_some(MrzLineCandidate {
        left,
        right,
        top,
        bottom,
        character_height,
        pitch,
        characters,
    })
}

/// Whether `lower` can be the MRZ line after `upper`: the same pitch and
/// length, the same left edge, and a line spacing of 1.1 to 3.2 character
/// heights.
fn continues_the_zone(upper: &MrzLineCandidate, lower: &MrzLineCandidate) -> bool {
    let spacing = lower.center_y() - upper.center_y();
    let height = upper.character_height.max(lower.character_height);
    let pitch_ratio = lower.pitch / upper.pitch;
    (1.1..=3.2).contains(&(spacing / height))
        && (0.85..=1.18).contains(&pitch_ratio)
        && (lower.left - upper.left).abs() <= upper.pitch * 2.0
        && (lower.characters - upper.characters).abs() <= 3.0
}

/// The best zone among the MRZ line candidates: runs of two or three lines
/// each continuing the one above ([`continues_the_zone`]), the run with
/// the most lines winning, then the widest, then the lowest on the page.
fn best_zone(candidates: &[MrzLineCandidate]) -> Option<Vec<MrzLineCandidate>> {
    let mut ordered = candidates.to_vec();
    ordered.sort_by(|first, second| first.center_y().total_cmp(&second.center_y()));
    let mut best: Option<Vec<MrzLineCandidate>> = None;
    for start in 0..ordered.len() {
        let mut zone = vec![ordered[start]];
        for next in &ordered[start + 1..] {
            if zone.len() == 3 {
                break;
            }
            if continues_the_zone(zone.last().expect("a zone has a line"), next) {
                zone.push(*next);
            }
        }
        if zone.len() < 2 {
            continue;
        }
        let rank = |zone: &Vec<MrzLineCandidate>| (zone.len(), (zone[0].right - zone[0].left) as i64, zone[0].top as i64);
        if best.as_ref().is_none_or(|best| rank(&zone) > rank(best)) {
            best = Some(zone);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared_corpus_image(path: &str) -> GrayImage {
        let full = format!("{}/../../shared/corpus/{path}", env!("CARGO_MANIFEST_DIR"));
        image::open(&full).unwrap_or_else(|error| panic!("{full}: {error}")).into_luma8()
    }

    #[test]
    fn the_band_detector_finds_the_two_mrz_rows_of_the_icao_td3_specimen() {
        let band = find_mrz_band(&shared_corpus_image("mrz/specimens/passport-td3.png")).expect("the specimen's MRZ is found");
        assert_eq!(band.line_count, 2);
        // The specimen's MRZ lines run from x 120 to 1176, at y 670-756.
        assert!(band.region.left <= 120 && band.region.left + band.region.width >= 1176, "{band:?}");
        assert!(band.region.top >= 620 && band.region.top <= 672 && band.region.top + band.region.height >= 756, "{band:?}");
        assert!(band.region.top + band.region.height <= 800, "{band:?}");
        assert!((20.0..=28.0).contains(&band.character_pitch), "{band:?}");
    }

    #[test]
    fn the_band_detector_finds_the_td2_specimen_zone_too() {
        let band = find_mrz_band(&shared_corpus_image("mrz/specimens/passport-td2.png")).expect("the TD2 specimen's MRZ is found");
        assert_eq!(band.line_count, 2);
        assert!(band.top_of_first_line > 956 / 2, "the zone is in the lower half: {band:?}");
    }

    #[test]
    fn the_band_detector_finds_nothing_on_invoices_or_a_photo() {
        for path in ["invoice2data/AmazonWebServices.png", "invoice2data/FlipkartInvoice.png", "mrz/specimens/pacman.png", "mrz/specimens/tesseract-test2.png"] {
            assert_eq!(find_mrz_band(&shared_corpus_image(path)), None, "{path}");
        }
    }

    #[test]
    fn a_blank_page_or_a_tiny_image_has_no_band() {
        assert_eq!(find_mrz_band(&GrayImage::from_pixel(1200, 1600, image::Luma([250]))), None);
        assert_eq!(find_mrz_band(&GrayImage::from_pixel(40, 40, image::Luma([0]))), None);
    }

    #[test]
    fn reducing_by_a_whole_factor_averages_each_block() {
        let page = GrayImage::from_fn(4, 2, |x, _| image::Luma([if x < 2 { 0 } else { 200 }]));
        let reduced = reduce_by_whole_factor(&page, 2);
        assert_eq!(reduced.dimensions(), (2, 1));
        assert_eq!(reduced.as_raw(), &[0, 200]);
    }
}

