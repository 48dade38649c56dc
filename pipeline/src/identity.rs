//! Reading an identity page (passport data page, ID card) from its image:
//! the machine-readable zone re-read on its own, and the visual zone's
//! surname, given names, birth date and expiry date read by their labels, so
//! that the rules can compare what is printed with what the MRZ says.
//!
//! # The MRZ band
//!
//! A whole-page OCR pass reads the MRZ as best it can among everything
//! else, with a dictionary and every character allowed, and OCR-B's `0`/`O`,
//! `2`/`Z`, `7`/`Z` and `<`/`K` suffer. So [`read_identity_page`] finds the
//! band the MRZ occupies, from the first pass's lines that look like MRZ
//! lines (two or more `<`, or long runs of capitals and digits,
//! [`looks_like_mrz_line`]), and re-reads just that band with tesseract
//! restricted to the MRZ alphabet ([`MRZ_CHARACTER_WHITELIST`]) as one
//! uniform block ([`MRZ_PAGE_SEGMENTATION_MODE`], PSM 6), straightened if it
//! is skewed and scaled so that its lines are about 36 pixels high. When the
//! first pass saw no MRZ line, or that band gives nothing, the bottom of the
//! page is read the same way. Every reading goes through
//! [`crate::mrz::find_mrz`] (which repairs what OCR typically confuses).
//!
//! The whitelisted reading is not always better: tesseract reads long runs
//! of OCR-B fillers differently at different sizes (`<<<<` as `EEEL` at one,
//! right at another), and only some fields have check digits. So when the
//! band's reading leaves doubt (a check digit fails, the names' padding
//! holds letters, or a reading as good disagrees with it), the band is read
//! again with lines about 27 pixels high,
//! and the readings are combined: the one where most check digits hold is
//! the base, and the fields no check digit covers (document code, issuing
//! state, nationality, names) are voted character by character among the
//! readings aligned with it. Finally, characters in the padding after
//! the names (after the `<<` that follows the given names) can only be misread fillers and are
//! restored to `<`, recorded among the MRZ's corrections.
//!
//! Names carry no check digit: a misread letter in a name (tesseract reads
//! the serifed `I` of some monospaced fonts as `T`) cannot be caught here.
//! The visual zone is read independently so that the rules can compare the
//! two and send a mismatch to review.
//!
//! # MRZ first
//!
//! Reading a whole identity page costs about half a second of CPU, most of
//! it spent on text nobody asked for, and that reading was needed only to
//! learn that the page is an identity document. [`MrzFirstPageReader`]
//! turns that around for scanned pages: it wraps the OCR engine, and before
//! a page is read it looks for the MRZ in the image itself
//! ([`crate::read::mrz_band::find_mrz_band`], a few milliseconds; it finds
//! nothing on invoices). When it finds a band, the band is read with the
//! MRZ whitelist, the smaller line height first; when that leaves doubt the
//! other is read too and the readings are combined as above. Only a zone
//! whose every check digit holds and whose names are clean
//! ([`MrzReading::is_complete`]) and laid out as names (given names after
//! the `<<`, then filler padding) makes the page an identity document this
//! way: then only the part of the page above the band (the visual zone) is
//! read by the engine, in its first language only (names and dates gain
//! nothing from a second; see `read_visual_zone_above`), and the band's
//! lines are added to its lines. When
//! the printed surname or given names read there differ from the zone's
//! (no check digit covers names, and the whole-page pass's reading of the
//! MRZ is what outvotes a misread name), the page is read the ordinary way
//! after all. So any page where no band is found, whose band gives no
//! complete zone, or whose printed names disagree with it, is read whole
//! and goes through [`read_identity_page`] exactly as before, only later.
//!
//! # The visual zone
//!
//! Labels are looked for in Spanish and English (`Apellidos` / `Surname`,
//! `Nombre` / `Given names`, `Fecha de nacimiento` / `Date of birth`,
//! `Fecha de caducidad` / `Caducidad` / `Validez` / `Date of expiry`),
//! matched without regard to case or accents. A value is the text after a
//! `Label:` on the same line, or else the nearest line below the label that
//! reaches under it, from the word nearest the label's left edge (OCR lines
//! carry no word positions, so positions within a line are estimated in
//! proportion to the characters). Names come back in the contract's normal
//! form, which is also the MRZ's: uppercase, accents folded, hyphens as
//! spaces, single spaces. Dates come back as ISO `YYYY-MM-DD`, read from
//! `12 08 1974`, `12.08.1974`, `12/08/1974`, `12 AUG 1974`, `12 AGO/AUG 1974`
//! or `15 APR/AVR 12`; a two-digit year takes the century the MRZ rules use
//! (births not after `today`, expiries at most
//! [`crate::mrz::EXPIRY_YEARS_AHEAD`] years ahead).
//!
//! Nothing here logs or prints what it reads.

use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

use chrono::{Datelike, NaiveDate};
use image::GrayImage;
use regex::Regex;

use crate::mrz::{EXPIRY_YEARS_AHEAD, MrzFormat, MrzRecord, find_mrz, parse_mrz_lines};
use crate::parse::date::format_date;
use crate::parse::spanish_accents::fold_character;
use crate::read::TextLine;
use crate::read::mrz_band::{MrzBand, find_mrz_band};
use crate::read::ocr::{OcrEngine, OcrError, OrientationEstimate, PixelRegion};
use crate::read::preprocess::{MINIMUM_SKEW_CORRECTION_DEGREES, estimate_skew_degrees, rotate_about_center};

/// The characters an MRZ is made of.
pub const MRZ_CHARACTER_WHITELIST: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// The MRZ band is read as one uniform block of text (tesseract's PSM 6).
pub const MRZ_PAGE_SEGMENTATION_MODE: u32 = 6;

/// The height of a line of tesseract's for a band found in the image, per
/// height of its characters as measured there ([`MrzBand::character_height`]):
/// tesseract's line boxes run a little taller than the glyphs' ink, and
/// the band's scales are chosen from line heights (see `band_scales`).
/// Measured on the specimens and on 48 synthetic identity scans.
const LINE_HEIGHT_PER_DETECTED_CHARACTER_HEIGHT: f32 = 1.2;

/// The MRZ line heights, in pixels, the band is scaled to before it is
/// re-read (see `band_scales`); tesseract's models read best at 25-40.
const LARGER_MRZ_LINE_HEIGHT: f32 = 36.0;
const SMALLER_MRZ_LINE_HEIGHT: f32 = 27.0;

/// What was read on one identity page.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityReading {
    /// The page it was read on (1-based).
    pub page: u32,
    /// The machine-readable zone, decoded.
    pub mrz: MrzRecord,
    /// The MRZ's lines on the page, `[x0, y0, x1, y1]` in the page's pixels.
    pub mrz_bbox: Option<[f32; 4]>,
    /// The reader's mean confidence in the MRZ lines, in [0, 1].
    pub mrz_confidence: f32,
    /// Which reading the MRZ came from.
    pub mrz_source: MrzSource,
    /// The surname printed in the visual zone, in normal form.
    pub visual_surname: Option<VisualField>,
    /// The given names printed in the visual zone, in normal form.
    pub visual_given_names: Option<VisualField>,
    /// The birth date printed in the visual zone, ISO `YYYY-MM-DD`.
    pub visual_birth_date: Option<VisualField>,
    /// The expiry date printed in the visual zone, ISO `YYYY-MM-DD`.
    pub visual_expiry_date: Option<VisualField>,
}

/// Where the MRZ text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MrzSource {
    /// The band re-read with the MRZ whitelist.
    WhitelistedBand,
    /// The first, whole-page pass.
    FirstPass,
}

/// One value read from the visual zone.
#[derive(Debug, Clone, PartialEq)]
pub struct VisualField {
    /// The value in the contract's normal form.
    pub value: String,
    /// The confidence of the line it was read from, in [0, 1].
    pub confidence: f32,
    /// The line it was read from, in the page's pixels.
    pub bbox: Option<[f32; 4]>,
}

/// Reads an identity page: its MRZ (re-reading the MRZ band with the MRZ
/// whitelist) and its visual zone (from `first_pass_lines`, the page's
/// whole-page OCR, whose boxes must be in `page`'s pixels). `None` when no
/// MRZ is found: without one the page is not treated as an identity
/// document. See the module documentation for how.
///
/// It costs one to three readings of a band (0.1-0.3 s each), even on a
/// page without an MRZ: callers should skip pages for which
/// [`page_may_be_identity_document`] is false.
pub fn read_identity_page(page: &GrayImage, ocr: &dyn OcrEngine, today: NaiveDate, first_pass_lines: &[TextLine]) -> Option<IdentityReading> {
    let page_number = first_pass_lines.first().map_or(1, |line| line.page);
    let mrz_lines: Vec<&TextLine> = first_pass_lines.iter().filter(|line| looks_like_mrz_line(&line.text)).collect();
    let mut readings: Vec<MrzReading> = mrz_reading_of(&mrz_lines, today, MrzSource::FirstPass).into_iter().collect();

    // The band around the MRZ-looking lines, else (or when that band gives
    // nothing) the bottom of the page, where MRZs are printed. The bottom is
    // read a second time only if the first reading found an MRZ in it.
    let mut bands = Vec::new();
    if !mrz_lines.is_empty() {
        bands.push((band_around(&mrz_lines, page), false));
    }
    bands.push((bottom_third(page), true));
    for ((region, line_height), is_fallback) in bands {
        let readings_before = readings.len();
        for scale in band_scales(line_height) {
            let Some(band_lines) = read_band(page, page_number, region, scale, ocr) else { continue };
            let band_line_references: Vec<&TextLine> = band_lines.iter().filter(|line| !line.text.trim().is_empty()).collect();
            readings.extend(mrz_reading_of(&band_line_references, today, MrzSource::WhitelistedBand));
            if readings_agree_and_are_complete(&readings) || (is_fallback && readings.len() == readings_before) {
                break;
            }
        }
        if readings.len() > readings_before {
            break;
        }
    }
    let combined = restore_name_padding(combine_mrz_readings(&readings, today)?, today);
    Some(identity_reading_from(page_number, combined, first_pass_lines, today))
}

/// An OCR engine that reads identity pages MRZ first, around another
/// engine (see the module documentation, "MRZ first").
///
/// Its [`OcrEngine::recognize`] looks for an MRZ in the page image before
/// any OCR ([`find_mrz_band`], a few milliseconds). Where there is none, or
/// the band's whitelisted reading gives no complete zone
/// ([`MrzReading::is_complete`]), or the printed names differ from the
/// zone's ([`printed_names_differ`]), the page is read by the wrapped engine
/// exactly as without this one. Otherwise only the part of the
/// page above the band (the visual zone) is read by the wrapped engine in
/// its first language ([`OcrEngine::recognize_in_first_language`]), the
/// band's lines are added to it, and the zone read from the band is kept
/// for [`MrzFirstPageReader::take_identity_reading`], which the page
/// observer calls with the page's lines. Region readings, orientation
/// detection and second readings go to the wrapped engine unchanged.
pub struct MrzFirstPageReader<'engine> {
    engine: &'engine dyn OcrEngine,
    today: NaiveDate,
    /// The zone read from the band of each page whose latest reading went
    /// the MRZ-first way, by page number.
    band_readings: Mutex<BTreeMap<u32, MrzReading>>,
}

impl<'engine> MrzFirstPageReader<'engine> {
    /// Wraps `engine`; `today` is the date MRZ centuries are judged against.
    pub fn new(engine: &'engine dyn OcrEngine, today: NaiveDate) -> Self {
        MrzFirstPageReader { engine, today, band_readings: Mutex::new(BTreeMap::new()) }
    }

    /// The identity reading of page `page_number` when its latest
    /// recognition went the MRZ-first way: the zone read from the band, and
    /// the visual zone's fields read by label from `page_lines` (the page's
    /// lines as recognised). `None` for a page read the ordinary way, and
    /// for a page already taken.
    pub fn take_identity_reading(&self, page_number: u32, page_lines: &[TextLine]) -> Option<IdentityReading> {
        let band_reading = self.band_readings.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(&page_number)?;
        Some(identity_reading_from(page_number, band_reading, page_lines, self.today))
    }

    fn remember(&self, page_number: u32, reading: Option<MrzReading>) {
        let mut band_readings = self.band_readings.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match reading {
            Some(reading) => band_readings.insert(page_number, reading),
            None => band_readings.remove(&page_number),
        };
    }
}

impl OcrEngine for MrzFirstPageReader<'_> {
    fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        self.remember(page_number, None);
        let Some(band) = find_mrz_band(page) else { return self.engine.recognize(page, page_number, dots_per_inch) };
        let mut band_readings = DetectedBandReadings::new(page, page_number, band, self.engine, self.today);
        band_readings.read_at_next_scales_until_settled();
        let Some(complete) = band_readings.complete_zone() else { return self.engine.recognize(page, page_number, dots_per_inch) };
        let mut lines = read_visual_zone_above(page, page_number, dots_per_inch, &band, self.engine)?;
        if printed_names_differ(&complete.record, &lines) {
            return self.engine.recognize(page, page_number, dots_per_inch);
        }
        lines.extend(band_readings.last_whitelisted_lines);
        self.remember(page_number, Some(complete));
        Ok(lines)
    }

    fn recognize_region(
        &self,
        page: &GrayImage,
        page_number: u32,
        region: PixelRegion,
        character_whitelist: Option<&str>,
        page_segmentation_mode: u32,
    ) -> Result<Vec<TextLine>, OcrError> {
        self.engine.recognize_region(page, page_number, region, character_whitelist, page_segmentation_mode)
    }

    fn recognize_in_first_language(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        self.engine.recognize_in_first_language(page, page_number, dots_per_inch)
    }

    fn detect_orientation(&self, page: &GrayImage, dots_per_inch: Option<u32>) -> Result<Option<OrientationEstimate>, OcrError> {
        self.engine.detect_orientation(page, dots_per_inch)
    }

    fn recognize_another_way(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Option<Vec<TextLine>>, OcrError> {
        self.engine.recognize_another_way(page, page_number, dots_per_inch)
    }
}

/// The readings of a band found in the image ([`find_mrz_band`]), made as
/// they are needed.
struct DetectedBandReadings<'page> {
    page: &'page GrayImage,
    page_number: u32,
    band: MrzBand,
    ocr: &'page dyn OcrEngine,
    today: NaiveDate,
    /// The scales not read yet, in order (see [`band_scales`]).
    scales_left: Vec<f32>,
    readings: Vec<MrzReading>,
    /// The lines of the latest whitelisted reading, in the page's pixels.
    last_whitelisted_lines: Vec<TextLine>,
}

impl<'page> DetectedBandReadings<'page> {
    fn new(page: &'page GrayImage, page_number: u32, band: MrzBand, ocr: &'page dyn OcrEngine, today: NaiveDate) -> Self {
        // The smaller line height first: on the specimens and the synthetic
        // scans it reads a detected band completely at the first attempt as
        // often as the larger one, and more cheaply.
        let mut scales_left = band_scales(band.character_height * LINE_HEIGHT_PER_DETECTED_CHARACTER_HEIGHT);
        scales_left.reverse();
        DetectedBandReadings { page, page_number, band, ocr, today, scales_left, readings: Vec::new(), last_whitelisted_lines: Vec::new() }
    }

    /// Reads the band with the MRZ whitelist at the scales left, in order,
    /// until the readings leave no doubt ([`readings_agree_and_are_complete`]).
    /// Stops at a reading that finds no zone at all (a page of monospaced
    /// print that only looked like an MRZ).
    fn read_at_next_scales_until_settled(&mut self) {
        while !self.scales_left.is_empty() {
            let scale = self.scales_left.remove(0);
            let Some(band_lines) = read_band(self.page, self.page_number, self.band.region, scale, self.ocr) else { return };
            let band_line_references: Vec<&TextLine> = band_lines.iter().filter(|line| !line.text.trim().is_empty()).collect();
            let Some(reading) = mrz_reading_of(&band_line_references, self.today, MrzSource::WhitelistedBand) else { return };
            self.readings.push(reading);
            self.last_whitelisted_lines = band_lines;
            if readings_agree_and_are_complete(&self.readings) {
                return;
            }
        }
    }

    /// The readings so far combined as in [`read_identity_page`].
    fn combined(&self) -> Option<MrzReading> {
        Some(restore_name_padding(combine_mrz_readings(&self.readings, self.today)?, self.today))
    }

    /// The combined zone when every check digit holds, the names are clean
    /// ([`MrzReading::is_complete`]) and laid out as names are (primary and
    /// secondary identifiers apart, then filler padding: a `<<` misread as
    /// `<` leaves a surname of two words and no given names): only then is
    /// the page read MRZ first.
    fn complete_zone(&self) -> Option<MrzReading> {
        self.combined().filter(|zone| {
            let names_laid_out_as_names = name_padding_start(name_field(&zone.record)).is_some() && !zone.record.given_names.is_empty();
            zone.is_complete() && names_laid_out_as_names && zone.record.is_plausible()
        })
    }
}

/// Whether the visual zone's printed surname or given names (read by label
/// from `visual_zone_lines`) differ from the zone's: then a name may be
/// misread in the MRZ (no check digit covers names), or the document may
/// have been altered; either way the page is read the ordinary way, where
/// a whole-page reading of the MRZ adds its vote. Names the visual zone
/// does not show raise no doubt.
fn printed_names_differ(zone: &MrzRecord, visual_zone_lines: &[TextLine]) -> bool {
    let visual_lines: Vec<&TextLine> = visual_zone_lines.iter().filter(|line| !looks_like_mrz_line(&line.text)).collect();
    let differs = |printed: Option<VisualField>, in_the_zone: &str| printed.is_some_and(|printed| printed.value != in_the_zone);
    differs(visual_name(&visual_lines, &SURNAME_LABELS), &zone.surname) || differs(visual_name(&visual_lines, &GIVEN_NAMES_LABELS), &zone.given_names)
}

/// Reads the part of the page above the MRZ band (the visual zone) with
/// the engine's whole-page reading in its first language only
/// ([`OcrEngine::recognize_in_first_language`]); boxes are in the page's
/// pixels. Nothing when the band leaves no room above it.
///
/// A visual zone is names, dates, numbers and short labels: no dictionary
/// accepts a name or a date, so with `spa+eng` tesseract reads most lines
/// twice, once per language, for about a third more CPU (0.33 s instead of
/// 0.25 s on the ICAO TD3 specimen). Read with `spa` alone, the visual
/// fields of 40 synthetic identity pages (Spanish, Mexican, Colombian,
/// British and American, accented names among them) came out exactly as
/// with `spa+eng`, page by page (149 of 160 right either way), and the
/// ICAO specimen's English and French labels are still found. `eng` alone
/// would not do: on the same pages it lost three printed names or dates
/// that `spa+eng` read. Names that come out differently
/// from the zone's still send the page to the ordinary reading
/// ([`printed_names_differ`]).
fn read_visual_zone_above(page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>, band: &MrzBand, ocr: &dyn OcrEngine) -> Result<Vec<TextLine>, OcrError> {
    let bottom = (band.top_of_first_line as f32 - band.character_height * 0.3).max(0.0) as u32;
    if (bottom as f32) < band.character_height * 2.0 {
        return Ok(Vec::new());
    }
    let visual_zone = image::imageops::crop_imm(page, 0, 0, page.width(), bottom).to_image();
    ocr.recognize_in_first_language(&visual_zone, page_number, dots_per_inch)
}

/// An identity reading from a zone read from its band and the page's lines
/// (for the visual zone).
fn identity_reading_from(page_number: u32, band_reading: MrzReading, page_lines: &[TextLine], today: NaiveDate) -> IdentityReading {
    let MrzReading { record: mut mrz, bbox: mrz_bbox, confidence: mrz_confidence, source: mrz_source } = band_reading;
    let visual_lines: Vec<&TextLine> = page_lines.iter().filter(|line| !looks_like_mrz_line(&line.text)).collect();
    settle_g_and_6_by_the_printed_document_number(&mut mrz, &visual_lines);
    IdentityReading {
        page: page_number,
        mrz,
        mrz_bbox,
        mrz_confidence,
        mrz_source,
        visual_surname: visual_name(&visual_lines, &SURNAME_LABELS),
        visual_given_names: visual_name(&visual_lines, &GIVEN_NAMES_LABELS),
        visual_birth_date: visual_date(&visual_lines, &BIRTH_DATE_LABELS, DateKind::Birth, today),
        visual_expiry_date: visual_date(&visual_lines, &EXPIRY_DATE_LABELS, DateKind::Expiry, today),
    }
}

/// `G` and `6` are the one letter/digit pair OCR confuses that no ICAO check
/// digit can tell apart: `G` is worth 16, and any multiple of 10 vanishes
/// from a check digit. Where the visual zone prints the document number
/// and it differs from the zone's only by `G`/`6` swaps, the printed number
/// settles them, in the document number and in the raw MRZ lines alike.
fn settle_g_and_6_by_the_printed_document_number(zone: &mut MrzRecord, visual_lines: &[&TextLine]) {
    let read = zone.document_number.clone();
    if !read.contains(['G', '6']) {
        return;
    }
    let differs_only_by_g_and_6 = |printed: &str| {
        printed.len() == read.len()
            && printed != read
            && printed.bytes().zip(read.bytes()).all(|(printed, read)| printed == read || (matches!(printed, b'G' | b'6') && matches!(read, b'G' | b'6')))
    };
    let printed_tokens = visual_lines.iter().flat_map(|line| line.text.split(|character: char| !character.is_ascii_alphanumeric()));
    if printed_tokens.clone().any(|printed| printed == read) {
        return;
    }
    let Some(printed) = printed_tokens.into_iter().find(|printed| differs_only_by_g_and_6(printed)) else { return };
    let printed = printed.to_string();
    if let Some(line) = zone.lines.iter_mut().find(|line| line.contains(&read)) {
        *line = line.replacen(&read, &printed, 1);
    }
    zone.document_number = printed;
}

/// One reading of the MRZ, with where it was read.
#[derive(Debug, Clone)]
struct MrzReading {
    record: MrzRecord,
    bbox: Option<[f32; 4]>,
    confidence: f32,
    source: MrzSource,
}

impl MrzReading {
    fn valid_check_digits(&self) -> usize {
        self.record.check_digits.iter().filter(|check| check.valid).count()
    }

    /// Every check digit holds and the name field has no stray characters.
    fn is_complete(&self) -> bool {
        self.record.all_check_digits_valid() && name_field_noise(&self.record) == 0
    }
}

/// Whether there is nothing left to settle: the latest reading is complete
/// (every check digit holds, the names are clean), and every other reading
/// either gave the same zone, or has fewer check digits holding (so it is
/// outvoted where it differs anyway), or differs only in the padding after
/// the names ([`lines_with_name_padding_restored`]), which can hold nothing
/// but fillers and is restored to them in the end. The usual case of the
/// last one is the whole-page pass reading a few fillers after the names as
/// letters: reading the band again (0.1-0.15 s) to outvote it would change
/// nothing.
fn readings_agree_and_are_complete(readings: &[MrzReading]) -> bool {
    let Some(latest) = readings.last() else { return false };
    let latest_restored = lines_with_name_padding_restored(&latest.record);
    latest.is_complete()
        && readings.iter().all(|reading| {
            reading.record.lines == latest.record.lines
                || reading.valid_check_digits() < latest.valid_check_digits()
                || (reading.record.format == latest.record.format && lines_with_name_padding_restored(&reading.record) == latest_restored)
        })
}

/// A decoded zone's lines with every character in the padding after the
/// names (see [`name_padding_start`]) turned back into a filler.
fn lines_with_name_padding_restored(record: &MrzRecord) -> Vec<String> {
    let mut lines = record.lines.clone();
    let field_offset = if record.format == MrzFormat::Td1 { 0 } else { 5 };
    if let (Some(padding), Some(line)) = (name_padding_start(name_field(record)), lines.get_mut(name_line_index(record))) {
        let start = (field_offset + padding).min(line.len());
        if line.is_char_boundary(start) {
            let fillers = "<".repeat(line.len() - start);
            line.replace_range(start.., &fillers);
        }
    }
    lines
}

/// Which line of the format holds the names (and, but for TD1, the
/// document code and issuing state): no check digit covers it.
fn name_line_index(record: &MrzRecord) -> usize {
    match record.format {
        MrzFormat::Td1 => 2,
        _ => 0,
    }
}

/// The name field of a decoded MRZ.
fn name_field(record: &MrzRecord) -> &str {
    let line = record.lines.get(name_line_index(record)).map_or("", String::as_str);
    match record.format {
        MrzFormat::Td1 => line,
        _ => line.get(5..).unwrap_or(""),
    }
}

/// Where the filler padding that ends the names starts in a name field:
/// after the `<<` between primary and secondary identifiers, the next `<<`
/// (names within each identifier are separated by single `<`, so a second
/// `<<` can only be padding). `None` when the field has no `<<` at all (a
/// name filling the whole field, or a separator misread).
fn name_padding_start(field: &str) -> Option<usize> {
    let separator = field.find("<<")?;
    let after_separator = separator + 2;
    field[after_separator..].find("<<").map(|padding| after_separator + padding)
}

/// How many characters of the name field are implausible: letters or digits
/// in the padding after the names ([`name_padding_start`]: OCR reading the
/// fillers as `EEEL`, `K<KX`), and digits anywhere.
fn name_field_noise(record: &MrzRecord) -> usize {
    let field = name_field(record);
    let digits = field.bytes().filter(u8::is_ascii_digit).count();
    let in_padding = name_padding_start(field).map_or(0, |padding| field[padding..].bytes().filter(|&byte| byte != b'<' && !byte.is_ascii_digit()).count());
    digits + in_padding
}

/// Restores the padding after the names to fillers: a character there can
/// only be a misread `<` (see [`name_padding_start`]), so the names end
/// where the padding starts. Recorded among the record's corrections by
/// field and count, never by character.
fn restore_name_padding(reading: MrzReading, today: NaiveDate) -> MrzReading {
    let name_line = name_line_index(&reading.record);
    let field_offset = if reading.record.format == MrzFormat::Td1 { 0 } else { 5 };
    let Some(padding) = name_padding_start(name_field(&reading.record)) else { return reading };
    let line = &reading.record.lines[name_line];
    let restored = line[field_offset + padding..].bytes().filter(|&byte| byte != b'<').count();
    if restored == 0 {
        return reading;
    }
    let repaired_line = format!("{}{}", &line[..field_offset + padding], "<".repeat(line.len() - field_offset - padding));
    let mut lines: Vec<&str> = reading.record.lines.iter().map(String::as_str).collect();
    lines[name_line] = &repaired_line;
    let Some(mut record) = parse_mrz_lines(&lines, today) else { return reading };
    record.corrections = reading.record.corrections.clone();
    record.corrections.push(format!("names: {restored} character(s) in the padding after the names restored to '<'"));
    MrzReading { record, ..reading }
}

/// `find_mrz` on some lines, with their union box and mean confidence.
fn mrz_reading_of(lines: &[&TextLine], today: NaiveDate, source: MrzSource) -> Option<MrzReading> {
    if lines.is_empty() {
        return None;
    }
    let texts: Vec<String> = lines.iter().map(|line| line.text.clone()).collect();
    let record = find_mrz(&texts, today)?;
    let boxes: Vec<[f32; 4]> = lines.iter().filter_map(|line| line.bbox).collect();
    let confidence = lines.iter().map(|line| line.confidence).sum::<f32>() / lines.len() as f32;
    Some(MrzReading { record, bbox: union_of_boxes(&boxes), confidence, source })
}

/// The best MRZ from several readings of the same zone (see the module
/// documentation).
///
/// The reading where most check digits hold (then the cleanest name field,
/// then the whitelisted band's) is the base. Where readings of the same
/// format disagree, the zone is voted character by character among them,
/// the base winning ties: the fields no check digit covers (document code,
/// issuing state, nationality, names) are only as good as a majority of
/// readings. The vote is kept only if at least as many check digits hold
/// after it; otherwise only the name line is voted. Readings whose name
/// field is noisier than the cleanest ([`name_field_noise`]) do not vote.
/// `None` when there is no reading.
fn combine_mrz_readings(readings: &[MrzReading], today: NaiveDate) -> Option<MrzReading> {
    let source_rank = |reading: &MrzReading| u8::from(reading.source == MrzSource::WhitelistedBand);
    let base = readings.iter().max_by_key(|reading| (reading.valid_check_digits(), usize::MAX - name_field_noise(&reading.record), source_rank(reading)))?;
    let same_format: Vec<&MrzReading> = readings.iter().filter(|reading| reading.record.format == base.record.format).collect();
    let least_noise = same_format.iter().map(|reading| name_field_noise(&reading.record)).min()?;
    let mut voters: Vec<&MrzReading> = same_format.into_iter().filter(|reading| name_field_noise(&reading.record) == least_noise).collect();
    // The base first: it wins every tie.
    voters.sort_by_key(|reading| (!std::ptr::eq(*reading, base), 1 - source_rank(reading)));
    if voters.first().is_none_or(|first| !std::ptr::eq(*first, base)) {
        voters.insert(0, base);
    }
    let line_count = base.record.lines.len();
    // Only readings aligned with the base vote on a line: a reading that
    // lost or gained a filler is shifted, and mixing it in would garble.
    let voted_line = |index: usize| {
        let base_line = base.record.lines[index].as_bytes();
        let aligned = voters.iter().map(|reading| reading.record.lines[index].as_str()).filter(|line| {
            let differences = line.bytes().zip(base_line).filter(|(first, second)| first != *second).count();
            differences <= (base_line.len() / 10).max(3)
        });
        vote_per_character(aligned.collect())
    };
    let all_lines_voted: Vec<String> = (0..line_count).map(voted_line).collect();
    let name_line = name_line_index(&base.record);
    let name_line_voted: Vec<String> =
        (0..line_count).map(|index| if index == name_line { voted_line(index) } else { base.record.lines[index].clone() }).collect();
    for candidate in [all_lines_voted, name_line_voted] {
        if candidate == base.record.lines {
            return Some(base.clone());
        }
        let lines: Vec<&str> = candidate.iter().map(String::as_str).collect();
        let Some(mut record) = parse_mrz_lines(&lines, today) else { continue };
        if record.check_digits.iter().filter(|check| check.valid).count() < base.valid_check_digits() {
            continue;
        }
        // The repairs of the base still describe the voted zone; a vote's
        // own changes are not character repairs of one reading.
        record.corrections = base.record.corrections.clone();
        return Some(MrzReading { record, ..base.clone() });
    }
    Some(base.clone())
}

/// The character most of `lines` have at each position (all the same
/// length), the first line's on a tie.
fn vote_per_character(lines: Vec<&str>) -> String {
    let Some(first) = lines.first() else { return String::new() };
    (0..first.len())
        .map(|position| {
            let characters: Vec<u8> = lines.iter().filter_map(|line| line.as_bytes().get(position).copied()).collect();
            let count = |character: u8| characters.iter().filter(|&&other| other == character).count();
            let mut winner = characters[0];
            for &candidate in &characters {
                if count(candidate) > count(winner) {
                    winner = candidate;
                }
            }
            winner as char
        })
        .collect()
}

/// Whether the first pass suggests the page could be an identity document
/// worth looking at more closely: a line that looks like an MRZ line, or an
/// identity document's wording. Cheap; callers may use it to skip
/// [`read_identity_page`] on pages that are plainly something else.
pub fn page_may_be_identity_document(first_pass_lines: &[TextLine]) -> bool {
    const WORDING: [&str; 14] = [
        "passport", "pasaporte", "passeport", "identity", "identidad", "identite", "surname", "apellidos", "given names", "nationality",
        "nacionalidad", "date of birth", "fecha de nacimiento", "residence permit",
    ];
    first_pass_lines.iter().any(|line| {
        looks_like_mrz_line(&line.text) || {
            let folded = fold_to_lowercase_ascii(&line.text);
            WORDING.iter().any(|word| folded.contains(word))
        }
    })
}

/// A line that looks like (part of) an MRZ line as OCR reads it: two or
/// more fillers (`<`, or `«` for two), or a long run of capitals and digits
/// with at most a few spaces.
pub fn looks_like_mrz_line(text: &str) -> bool {
    let fillers = text.chars().map(|character| match character {
        '<' => 1,
        '«' => 2,
        _ => 0,
    });
    if fillers.sum::<usize>() >= 2 {
        return true;
    }
    let compact: Vec<char> = text.chars().filter(|character| !character.is_whitespace()).collect();
    let spaces = text.trim().chars().filter(|character| character.is_whitespace()).count();
    let mrz_characters = compact.iter().filter(|character| character.is_ascii_uppercase() || character.is_ascii_digit()).count();
    let digits = compact.iter().filter(|character| character.is_ascii_digit()).count();
    compact.len() >= 28 && spaces <= 3 && digits >= 4 && mrz_characters * 10 >= compact.len() * 9
}

fn union_of_boxes(boxes: &[[f32; 4]]) -> Option<[f32; 4]> {
    boxes.iter().copied().reduce(|union, bbox| [union[0].min(bbox[0]), union[1].min(bbox[1]), union[2].max(bbox[2]), union[3].max(bbox[3])])
}

/// The region to re-read around MRZ-looking lines, and their line height:
/// their union widened by two line heights each side, a line height above
/// and below (two and a half when only one row was seen, so that a second
/// line the first pass garbled is inside).
fn band_around(mrz_lines: &[&TextLine], page: &GrayImage) -> (PixelRegion, f32) {
    let boxes: Vec<[f32; 4]> = mrz_lines.iter().filter_map(|line| line.bbox).collect();
    let Some(union) = union_of_boxes(&boxes) else { return bottom_third(page) };
    let mut heights: Vec<f32> = boxes.iter().map(|bbox| bbox[3] - bbox[1]).collect();
    heights.sort_by(f32::total_cmp);
    let line_height = heights[heights.len() / 2].max(4.0);
    let vertical_padding = if group_into_rows(&boxes) < 2 { line_height * 2.5 } else { line_height * 0.9 };
    let horizontal_padding = line_height * 2.0;
    let region = PixelRegion::from_box([
        (union[0] - horizontal_padding).max(0.0),
        (union[1] - vertical_padding).max(0.0),
        (union[2] + horizontal_padding).min(page.width() as f32),
        (union[3] + vertical_padding).min(page.height() as f32),
    ]);
    (region, line_height)
}

/// How many separate rows some boxes make (boxes overlapping vertically by
/// more than half count as one row).
fn group_into_rows(boxes: &[[f32; 4]]) -> usize {
    let mut sorted: Vec<[f32; 4]> = boxes.to_vec();
    sorted.sort_by(|first, second| first[1].total_cmp(&second[1]));
    let mut rows = 0;
    let mut current_bottom = f32::MIN;
    for bbox in sorted {
        let height = bbox[3] - bbox[1];
        if bbox[1] > current_bottom - height * 0.5 {
            rows += 1;
        }
        current_bottom = current_bottom.max(bbox[3]);
    }
    rows
}

/// The bottom of the page (a little more than a third, so that an MRZ
/// photographed at an angle or starting just above the third is inside),
/// with a line height guessed from the page's width (an MRZ line of 44
/// characters spans most of a passport page).
fn bottom_third(page: &GrayImage) -> (PixelRegion, f32) {
    let (width, height) = page.dimensions();
    let top = height * 55 / 100;
    let guessed_line_height = (width as f32 / 44.0 * 1.1).max(8.0);
    (PixelRegion { left: 0, top, width, height: height - top }, guessed_line_height)
}

/// The scales the band is read at, in order: MRZ lines about 36 pixels
/// high, then about 27. Tesseract misreads the long filler runs of OCR-B
/// differently at different sizes (`<<<<` as `EEEL` at one, right at the
/// other), and the check digits and the filler runs tell which reading to
/// trust, so a second size is read when the first leaves doubt. A scale
/// within 10% of 1 is 1 (no resampling).
fn band_scales(line_height: f32) -> Vec<f32> {
    let scale_for = |target: f32| {
        let scale = (target / line_height.max(1.0)).clamp(0.5, 4.0);
        if (scale - 1.0).abs() < 0.1 { 1.0 } else { scale }
    };
    let mut scales = vec![scale_for(LARGER_MRZ_LINE_HEIGHT), scale_for(SMALLER_MRZ_LINE_HEIGHT)];
    scales.dedup();
    scales
}

/// Re-reads a band with the MRZ whitelist at `scale`; line boxes come back
/// in the page's pixels.
fn read_band(page: &GrayImage, page_number: u32, region: PixelRegion, scale: f32, ocr: &dyn OcrEngine) -> Option<Vec<TextLine>> {
    let region = region.clamped_to(page.width(), page.height())?;
    // The band alone goes to the engine (never the whole page with a
    // rectangle): tesseract then copies and binarises a band, not a page.
    let mut cropped = image::imageops::crop_imm(page, region.left, region.top, region.width, region.height).to_image();
    let skew = estimate_skew_degrees(&cropped);
    // An MRZ photographed at an angle: straighten the band on its own (its
    // lines are the longest on the page and the ones that matter here).
    // Boxes stay those of the straightened band, close enough for a band.
    if skew.abs() >= MINIMUM_SKEW_CORRECTION_DEGREES {
        cropped = rotate_about_center(&cropped, -skew);
    }
    let resized = if scale == 1.0 {
        cropped
    } else {
        image::imageops::resize(
            &cropped,
            ((region.width as f32 * scale).round() as u32).max(1),
            ((region.height as f32 * scale).round() as u32).max(1),
            image::imageops::FilterType::CatmullRom,
        )
    };
    let whole = PixelRegion { left: 0, top: 0, width: resized.width(), height: resized.height() };
    let mut lines = ocr.recognize_region(&resized, page_number, whole, Some(MRZ_CHARACTER_WHITELIST), MRZ_PAGE_SEGMENTATION_MODE).ok()?;
    for line in &mut lines {
        if let Some(bbox) = &mut line.bbox {
            *bbox = [
                bbox[0] / scale + region.left as f32,
                bbox[1] / scale + region.top as f32,
                bbox[2] / scale + region.left as f32,
                bbox[3] / scale + region.top as f32,
            ];
        }
        line.cells.clear();
    }
    Some(lines)
}

// ---------------------------------------------------------------------------
// The visual zone
// ---------------------------------------------------------------------------

/// Labels, lowercase without accents, longest first within each list.
const SURNAME_LABELS: [&str; 6] = ["primer apellido", "family name", "apellidos", "last name", "apellido", "surname"];
const GIVEN_NAMES_LABELS: [&str; 7] = ["given names", "given name", "first names", "first name", "forenames", "nombres", "nombre"];
const BIRTH_DATE_LABELS: [&str; 5] = ["fecha de nacimiento", "fecha nacimiento", "date of birth", "birth date", "f. nacimiento"];
const EXPIRY_DATE_LABELS: [&str; 12] = [
    "fecha de caducidad",
    "fecha de expiracion",
    "fecha de vencimiento",
    "date of expiration",
    "expiration date",
    "date of expiry",
    "valido hasta",
    "valid until",
    "expiry date",
    "vencimiento",
    "caducidad",
    "validez",
];

/// Labels of other fields: they bound a value's column and are never values.
const OTHER_LABELS: [&str; 22] = [
    "lugar de nacimiento",
    "place of birth",
    "nacionalidad",
    "nationality",
    "date of issue",
    "fecha de expedicion",
    "expedicion",
    "authority",
    "autoridad",
    "sexo",
    "sex",
    "passport no",
    "pasaporte n",
    "document no",
    "documento n",
    "personal no",
    "n personal",
    "holder's signature",
    "signature",
    "firma",
    "type",
    "tipo",
];

/// A label found on a line.
struct FoundLabel<'a> {
    line: &'a TextLine,
    /// Byte range of the label in the line's text.
    start: usize,
    end: usize,
}

/// The first line (top to bottom) holding one of `labels`, with the
/// leftmost of them. A label printed after its translation (`Nom / Surname`)
/// starts where the translation does, when nothing else precedes it.
fn find_label<'a>(lines: &[&'a TextLine], labels: &[&str]) -> Option<FoundLabel<'a>> {
    let mut ordered: Vec<&TextLine> = lines.to_vec();
    ordered.sort_by(|first, second| top_of(first).total_cmp(&top_of(second)));
    ordered.into_iter().find_map(|line| {
        let (start, end) = labels.iter().filter_map(|label| find_phrase(&line.text, label)).min_by_key(|(start, _)| *start)?;
        let before = line.text[..start].trim_end();
        let start = if before.ends_with('/') && !is_label_line(before) { 0 } else { start };
        Some(FoundLabel { line, start, end })
    })
}

fn top_of(line: &TextLine) -> f32 {
    line.bbox.map_or(0.0, |bbox| bbox[1])
}

/// Where `phrase` (lowercase, unaccented) occurs in `text` as whole words,
/// as a byte range of `text`, ignoring case and accents.
fn find_phrase(text: &str, phrase: &str) -> Option<(usize, usize)> {
    // Fold character by character, remembering each folded byte's source offset.
    let mut folded = String::new();
    let mut source_offsets = Vec::new();
    for (offset, character) in text.char_indices() {
        for folded_character in fold_character(character).to_lowercase() {
            let mut buffer = [0u8; 4];
            for _ in folded_character.encode_utf8(&mut buffer).bytes() {
                source_offsets.push(offset);
            }
            folded.push(folded_character);
        }
    }
    source_offsets.push(text.len());
    let mut search_from = 0;
    while let Some(found) = folded[search_from..].find(phrase) {
        let start = search_from + found;
        let end = start + phrase.len();
        let before_is_boundary = folded[..start].chars().next_back().is_none_or(|character| !character.is_alphanumeric());
        let after_is_boundary = folded[end..].chars().next().is_none_or(|character| !character.is_alphanumeric());
        if before_is_boundary && after_is_boundary {
            return Some((source_offsets[start], source_offsets[end]));
        }
        search_from = start + 1;
        while !folded.is_char_boundary(search_from) {
            search_from += 1;
        }
    }
    None
}

/// The estimated x of byte `position` of a line, in proportion to the
/// characters before it.
fn estimated_x(line: &TextLine, position: usize) -> Option<f32> {
    let bbox = line.bbox?;
    let total = line.text.chars().count().max(1) as f32;
    let before = line.text[..position].chars().count() as f32;
    Some(bbox[0] + (bbox[2] - bbox[0]) * before / total)
}

/// The estimated x where the next label to the right of `label` starts on
/// its line (its column's right edge), if there is one.
fn next_column_start(label: &FoundLabel<'_>) -> Option<f32> {
    let rest = &label.line.text[label.end..];
    let mut nearest: Option<usize> = None;
    for other in OTHER_LABELS.iter().chain(SURNAME_LABELS.iter()).chain(GIVEN_NAMES_LABELS.iter()).chain(BIRTH_DATE_LABELS.iter()).chain(EXPIRY_DATE_LABELS.iter()) {
        if let Some((start, _)) = find_phrase(rest, other) {
            // A translation right after a slash belongs to the same label.
            let between = &rest[..start];
            if between.trim().is_empty() || between.trim_end().ends_with('/') {
                continue;
            }
            nearest = Some(nearest.map_or(start, |nearest| nearest.min(start)));
        }
    }
    estimated_x(label.line, label.end + nearest?)
}

/// The value text for a label: after `Label:` on its line, else the part of
/// the nearest line below that sits under the label. With the line it came from.
fn value_candidates<'a>(lines: &[&'a TextLine], label: &FoundLabel<'a>) -> Vec<(String, &'a TextLine)> {
    let mut candidates = Vec::new();
    let after = label.line.text[label.end..].trim_start();
    if let Some(value) = after.strip_prefix(':') {
        let value = value.trim();
        if !value.is_empty() {
            candidates.push((value.to_string(), label.line));
        }
    }
    let (Some(label_box), Some(label_x)) = (label.line.bbox, estimated_x(label.line, label.start)) else { return candidates };
    let label_height = (label_box[3] - label_box[1]).max(1.0);
    let column_end = next_column_start(label);
    let below = lines
        .iter()
        .filter(|line| !std::ptr::eq(**line, label.line))
        .filter_map(|line| Some((*line, line.bbox?)))
        .filter(|(_, bbox)| bbox[1] >= label_box[1] + label_height * 0.5 && bbox[1] <= label_box[3] + label_height * 3.0)
        .filter(|(_, bbox)| bbox[0] <= label_x + label_height * 3.0 && bbox[2] >= label_x)
        .filter(|(line, _)| !is_label_line(&line.text))
        .min_by(|(_, first), (_, second)| first[1].total_cmp(&second[1]));
    if let Some((line, _)) = below {
        let mut words: Vec<&str> = Vec::new();
        let mut position = 0;
        for word in line.text.split(' ') {
            let word_start = position;
            position += word.len() + 1;
            if word.is_empty() {
                continue;
            }
            let Some(word_x) = estimated_x(line, word_start) else { continue };
            let word_end_x = estimated_x(line, (word_start + word.len()).min(line.text.len())).unwrap_or(word_x);
            if word_end_x < label_x - label_height {
                continue;
            }
            if column_end.is_some_and(|column_end| word_x >= column_end - label_height * 0.5) {
                break;
            }
            words.push(word);
        }
        if !words.is_empty() {
            candidates.push((words.join(" "), line));
        }
    }
    candidates
}

fn is_label_line(text: &str) -> bool {
    OTHER_LABELS
        .iter()
        .chain(SURNAME_LABELS.iter())
        .chain(GIVEN_NAMES_LABELS.iter())
        .chain(BIRTH_DATE_LABELS.iter())
        .chain(EXPIRY_DATE_LABELS.iter())
        .any(|label| find_phrase(text, label).is_some())
}

fn visual_name(lines: &[&TextLine], labels: &[&str]) -> Option<VisualField> {
    let label = find_label(lines, labels)?;
    value_candidates(lines, &label).into_iter().find_map(|(text, line)| {
        // A name is the leading run of words made of letters.
        let words: Vec<&str> = text.split_whitespace().take_while(|word| word.chars().all(|character| character.is_alphabetic() || matches!(character, '-' | '\'' | '’' | '.'))).collect();
        let value = normal_form_name(&words.join(" "));
        (value.chars().filter(char::is_ascii_alphabetic).count() >= 2).then_some(VisualField { value, confidence: line.confidence, bbox: line.bbox })
    })
}

#[derive(Clone, Copy)]
enum DateKind {
    Birth,
    Expiry,
}

fn visual_date(lines: &[&TextLine], labels: &[&str], kind: DateKind, today: NaiveDate) -> Option<VisualField> {
    let label = find_label(lines, labels)?;
    value_candidates(lines, &label).into_iter().find_map(|(text, line)| {
        let date = printed_dates(&text, kind, today).into_iter().next()?;
        Some(VisualField { value: format_date(date), confidence: line.confidence, bbox: line.bbox })
    })
}

/// A name in the contract's normal form: accents folded, uppercase, hyphens
/// as spaces, apostrophes and dots dropped, single spaces.
pub fn normal_form_name(name: &str) -> String {
    let mut folded = String::new();
    for character in name.chars() {
        match character {
            '-' | '‐' | '–' => folded.push(' '),
            '\'' | '’' | '.' => {}
            character => folded.extend(fold_character(character).to_uppercase()),
        }
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fold_to_lowercase_ascii(text: &str) -> String {
    text.chars().map(fold_character).collect::<String>().to_lowercase()
}

/// Month names and abbreviations (Spanish, English, French), lowercase
/// without accents, longest first where one is a prefix of another.
const MONTH_PREFIXES: [(&str, u32); 26] = [
    ("ene", 1),
    ("jan", 1),
    ("feb", 2),
    ("fev", 2),
    ("mar", 3),
    ("abr", 4),
    ("apr", 4),
    ("avr", 4),
    ("may", 5),
    ("mai", 5),
    ("juin", 6),
    ("juil", 7),
    ("jun", 6),
    ("jul", 7),
    ("ago", 8),
    ("aug", 8),
    ("aou", 8),
    ("sep", 9),
    ("set", 9),
    ("oct", 10),
    ("nov", 11),
    ("dic", 12),
    ("dec", 12),
    ("okt", 10),
    ("dez", 12),
    ("mrz", 3),
];

fn month_from_name(name: &str) -> Option<u32> {
    let folded = fold_to_lowercase_ascii(name.trim_end_matches('.'));
    if folded.chars().count() < 3 {
        return None;
    }
    MONTH_PREFIXES.iter().find(|(prefix, _)| folded.starts_with(prefix)).map(|(_, month)| *month)
}

/// `12 08 1974`, `12.08.1974`, `12 AGO/AUG 1974`, `15 APR/AVR 12`: day,
/// month (number or names separated by `/`), year (four or two digits).
static PRINTED_IDENTITY_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})\s*[ ./\-]\s*(\d{1,2}|\p{L}{3,10}\.?(?:\s*/\s*\p{L}{3,10}\.?)*)\s*[ ./\-]\s*(\d{4}|\d{2})\b").expect("valid regex")
});

/// Every identity-style date on a line, left to right.
fn printed_dates(text: &str, kind: DateKind, today: NaiveDate) -> Vec<NaiveDate> {
    PRINTED_IDENTITY_DATE
        .captures_iter(text)
        .filter_map(|captures| {
            let day: u32 = captures[1].parse().ok()?;
            let month_text = &captures[2];
            let month = match month_text.parse::<u32>() {
                Ok(number) => number,
                Err(_) => month_text.split('/').map(str::trim).find_map(month_from_name)?,
            };
            let year_text = &captures[3];
            let year: i32 = year_text.parse().ok()?;
            if year_text.len() == 4 {
                return NaiveDate::from_ymd_opt(year, month, day);
            }
            match kind {
                DateKind::Birth => {
                    let latest = today.year() - (today.year() - year).rem_euclid(100);
                    [latest, latest - 100].into_iter().filter_map(|year| NaiveDate::from_ymd_opt(year, month, day)).find(|date| *date <= today)
                }
                DateKind::Expiry => {
                    let limit = today.year() + EXPIRY_YEARS_AHEAD;
                    NaiveDate::from_ymd_opt(limit - (limit - year).rem_euclid(100), month, day)
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {

    fn visual_line(text: &str) -> TextLine {
        TextLine { page: 1, text: text.to_string(), bbox: None, confidence: 0.9, cells: Vec::new() }
    }

    /// The zone of a generated Mexican passport whose document number
    /// `G07219970` was read `607219970`.
    fn passport_zone_whose_g_was_read_as_6() -> MrzRecord {
        let lines = vec![format!("{:<<44}", "P<MEXFERNANDEZ<JIMENEZ<<ALEJANDRO"), "6072199709MEX8811020M2709042<<<<<<<<<<<<<<02".to_string()];
        crate::mrz::find_mrz(&lines, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()).expect("a TD3 zone")
    }

    /// Regression (issue 3): the MRZ-first reading of a generated Mexican
    /// passport read its `G07219970` as `607219970`, every check digit
    /// holding.
    #[test]
    fn a_g_read_as_6_in_the_document_number_is_settled_by_the_number_printed_in_the_visual_zone() {
        let mut zone = passport_zone_whose_g_was_read_as_6();
        assert_eq!(zone.document_number, "607219970");
        let printed = [visual_line("Tipo / Type  Código / Code  Pasaporte n? / Passport No."), visual_line("P  MEX  G07219970")];
        settle_g_and_6_by_the_printed_document_number(&mut zone, &printed.iter().collect::<Vec<_>>());
        assert_eq!(zone.document_number, "G07219970");
        assert!(zone.lines[1].starts_with("G072199709MEX"), "{}", zone.lines[1]);
    }

    #[test]
    fn a_document_number_the_visual_zone_prints_as_read_or_not_at_all_is_left_as_read() {
        for printed in [vec![visual_line("P  MEX  607219970")], vec![visual_line("ALEJANDRO")], vec![visual_line("P  MEX  G07219971")]] {
            let mut zone = passport_zone_whose_g_was_read_as_6();
            settle_g_and_6_by_the_printed_document_number(&mut zone, &printed.iter().collect::<Vec<_>>());
            assert_eq!(zone.document_number, "607219970");
        }
    }

    use super::*;
    use crate::read::ocr::FixedTextOcr;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    }

    fn line(text: &str, bbox: [f32; 4]) -> TextLine {
        TextLine { page: 1, text: text.into(), bbox: Some(bbox), confidence: 0.9, cells: Vec::new() }
    }

    /// The first pass over the ICAO specimen, as tesseract lays it out.
    fn specimen_first_pass() -> Vec<TextLine> {
        vec![
            line("UTOPIA", [466.0, 70.0, 660.0, 108.0]),
            line("Type/ Type Country code/ Code du pays Passport Number/ N° de passeport", [466.0, 148.0, 1222.0, 166.0]),
            line("P UTO L898902C3", [478.0, 176.0, 1100.0, 200.0]),
            line("Surname/ Nom", [466.0, 212.0, 602.0, 230.0]),
            line("ERIKSSON", [480.0, 240.0, 622.0, 263.0]),
            line("Given names/ Prénoms", [466.0, 274.0, 676.0, 294.0]),
            line("ANNA MARIA", [482.0, 302.0, 654.0, 326.0]),
            line("Date of Birth/ Date de naissance Personal No./ N° personnel", [468.0, 388.0, 1158.0, 414.0]),
            line("12 AUGUST/AOUT 74 ZE 184226 B", [478.0, 420.0, 1112.0, 446.0]),
            line("Date of expiry/ Date d'expiration Holder's signature/ Signature du titulaire", [466.0, 578.0, 1196.0, 598.0]),
            line("15 APR/AVR 12 Cana Maria Exiksson", [478.0, 600.0, 1160.0, 630.0]),
            line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", [120.0, 670.0, 1176.0, 700.0]),
            line("L898902C36UT07408122F12041597E184226B<<<<<10", [120.0, 726.0, 1176.0, 756.0]),
        ]
    }

    #[test]
    fn the_specimen_visual_zone_reads_by_its_labels() {
        let band = FixedTextOcr { lines: vec!["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(), "L898902C36UTO7408122F1204159ZE184226B<<<<<10".into()] };
        let reading = read_identity_page(&GrayImage::new(1334, 880), &band, today(), &specimen_first_pass()).unwrap();
        assert_eq!(reading.mrz_source, MrzSource::WhitelistedBand);
        assert!(reading.mrz.all_check_digits_valid());
        assert_eq!(reading.mrz.given_names, "ANNA MARIA");
        assert_eq!(reading.visual_surname.unwrap().value, "ERIKSSON");
        assert_eq!(reading.visual_given_names.unwrap().value, "ANNA MARIA");
        assert_eq!(reading.visual_birth_date.unwrap().value, "1974-08-12");
        assert_eq!(reading.visual_expiry_date.unwrap().value, "2012-04-15");
    }

    #[test]
    fn the_first_pass_wins_when_the_band_reads_worse() {
        let garbled_band = FixedTextOcr { lines: vec!["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(), "L898902C36UT07408I22F12O4I59ZEIB4226B<<<<<I0".into()] };
        let mut first_pass = specimen_first_pass();
        first_pass.last_mut().unwrap().text = "L898902C36UTO7408122F1204159ZE184226B<<<<<10".into();
        let reading = read_identity_page(&GrayImage::new(1334, 880), &garbled_band, today(), &first_pass).unwrap();
        assert_eq!(reading.mrz_source, MrzSource::FirstPass);
        assert!(reading.mrz.all_check_digits_valid());
    }

    /// A band reader that counts how often the band is read.
    struct CountingBandReader {
        band: FixedTextOcr,
        readings: std::sync::atomic::AtomicUsize,
    }

    impl OcrEngine for CountingBandReader {
        fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, crate::read::ocr::OcrError> {
            self.readings.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.band.recognize(page, page_number, dots_per_inch)
        }
    }

    #[test]
    fn a_clean_band_reading_is_read_again_only_when_another_reading_differs_beyond_the_name_padding() {
        // The whole-page pass reads two fillers after the names as letters
        // (every check digit holds); the band reads clean: nothing to settle.
        let mut first_pass = specimen_first_pass();
        first_pass[11].text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<E<L<".into();
        first_pass[12].text = "L898902C36UTO7408122F1204159ZE184226B<<<<<10".into();
        let reader = CountingBandReader {
            band: FixedTextOcr { lines: vec!["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".into(), "L898902C36UTO7408122F1204159ZE184226B<<<<<10".into()] },
            readings: Default::default(),
        };
        let reading = read_identity_page(&GrayImage::new(1334, 880), &reader, today(), &first_pass).unwrap();
        assert_eq!(reader.readings.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(reading.mrz_source, MrzSource::WhitelistedBand);
        assert_eq!(reading.mrz.lines[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");

        // The whole-page pass reads a name differently: read the band again.
        first_pass[11].text = "P<UTOERIKSSON<<ANNA<MARTA<<<<<<<<<<<<<<<<<<<".into();
        reader.readings.store(0, std::sync::atomic::Ordering::SeqCst);
        let reading = read_identity_page(&GrayImage::new(1334, 880), &reader, today(), &first_pass).unwrap();
        assert!(reader.readings.load(std::sync::atomic::Ordering::SeqCst) >= 2);
        assert_eq!(reading.mrz.given_names, "ANNA MARIA", "two band readings outvote the first pass");
        first_pass[11].text = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<E<L<".into();

        // A band reading with letters in the padding leaves doubt: read again.
        let noisy = CountingBandReader {
            band: FixedTextOcr { lines: vec!["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<E<L<".into(), "L898902C36UTO7408122F1204159ZE184226B<<<<<10".into()] },
            readings: Default::default(),
        };
        let reading = read_identity_page(&GrayImage::new(1334, 880), &noisy, today(), &first_pass).unwrap();
        assert!(noisy.readings.load(std::sync::atomic::Ordering::SeqCst) >= 2);
        assert_eq!(reading.mrz.lines[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "the padding is restored");
    }

    fn td3_specimen_image() -> GrayImage {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/mrz/specimens/passport-td3.png");
        image::open(path).expect("the shared TD3 specimen decodes").into_luma8()
    }

    /// An engine that answers a whole-page reading with the specimen's
    /// visual zone (the lines above `visual_zone_bottom`) and a region
    /// reading with `band`, and records what it was asked to read.
    struct SpecimenReader {
        band: Vec<String>,
        whole_page_heights: std::sync::Mutex<Vec<u32>>,
        /// The heights of the whole-page readings made with the first
        /// language only (also recorded in `whole_page_heights`).
        first_language_heights: std::sync::Mutex<Vec<u32>>,
        region_readings: std::sync::atomic::AtomicUsize,
    }

    impl SpecimenReader {
        fn new(band: [&str; 2]) -> Self {
            SpecimenReader {
                band: band.map(String::from).to_vec(),
                whole_page_heights: Default::default(),
                first_language_heights: Default::default(),
                region_readings: Default::default(),
            }
        }
    }

    impl OcrEngine for SpecimenReader {
        fn recognize(&self, page: &GrayImage, _page_number: u32, _dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
            self.whole_page_heights.lock().unwrap().push(page.height());
            Ok(specimen_first_pass().into_iter().filter(|line| line.bbox.is_some_and(|bbox| bbox[3] <= page.height() as f32)).collect())
        }

        fn recognize_in_first_language(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
            self.first_language_heights.lock().unwrap().push(page.height());
            self.recognize(page, page_number, dots_per_inch)
        }

        fn recognize_region(&self, _page: &GrayImage, page_number: u32, region: PixelRegion, _whitelist: Option<&str>, _mode: u32) -> Result<Vec<TextLine>, OcrError> {
            self.region_readings.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (left, top, right) = (region.left as f32, region.top as f32, (region.left + region.width) as f32);
            Ok(self.band.iter().enumerate().map(|(index, text)| TextLine { page: page_number, text: text.clone(), bbox: Some([left, top + 30.0 * index as f32, right, top + 30.0 * (index as f32 + 1.0)]), confidence: 0.9, cells: Vec::new() }).collect())
        }
    }

    #[test]
    fn the_mrz_first_reader_reads_the_td3_specimen_band_and_then_only_the_visual_zone_above_it() {
        let reader = SpecimenReader::new(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]);
        let mrz_first = MrzFirstPageReader::new(&reader, today());
        let lines = mrz_first.recognize(&td3_specimen_image(), 1, Some(118)).unwrap();

        assert_eq!(reader.region_readings.load(std::sync::atomic::Ordering::SeqCst), 1, "a band read completely is read once");
        let whole_page_heights = reader.whole_page_heights.lock().unwrap().clone();
        assert_eq!(whole_page_heights.len(), 1);
        assert!(whole_page_heights[0] < 672, "only the part above the MRZ (which starts at y 672) is read whole: {whole_page_heights:?}");
        assert!(lines.iter().any(|line| line.text.starts_with("P<UTOERIKSSON")), "the band's lines are among the page's lines");

        let reading = mrz_first.take_identity_reading(1, &lines).expect("the page was read MRZ first");
        assert_eq!(reading.mrz_source, MrzSource::WhitelistedBand);
        assert!(reading.mrz.all_check_digits_valid());
        assert_eq!((reading.mrz.surname.as_str(), reading.mrz.given_names.as_str()), ("ERIKSSON", "ANNA MARIA"));
        assert_eq!(reading.visual_surname.unwrap().value, "ERIKSSON");
        assert_eq!(reading.visual_birth_date.unwrap().value, "1974-08-12");
        assert_eq!(reading.visual_expiry_date.unwrap().value, "2012-04-15");
        assert_eq!(mrz_first.take_identity_reading(1, &lines), None, "a reading is taken once");
    }

    #[test]
    fn the_visual_zone_is_read_in_the_first_language_only_and_a_page_read_the_ordinary_way_in_every_language() {
        let page = td3_specimen_image();
        let complete = SpecimenReader::new(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]);
        MrzFirstPageReader::new(&complete, today()).recognize(&page, 1, Some(118)).unwrap();
        let visual_zone_heights = complete.first_language_heights.lock().unwrap().clone();
        assert_eq!(visual_zone_heights.len(), 1);
        assert!(visual_zone_heights[0] < 672, "the visual zone, above the MRZ: {visual_zone_heights:?}");
        assert_eq!(*complete.whole_page_heights.lock().unwrap(), visual_zone_heights, "no other whole-page reading");

        // A band whose check digits fail: the page is read whole, in every
        // configured language, as without the MRZ-first reader.
        let failing = SpecimenReader::new(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<19"]);
        MrzFirstPageReader::new(&failing, today()).recognize(&page, 1, Some(118)).unwrap();
        assert_eq!(*failing.first_language_heights.lock().unwrap(), Vec::<u32>::new());
        assert_eq!(*failing.whole_page_heights.lock().unwrap(), [page.height()]);

        // Printed names that differ: the visual zone (first language) and
        // then the whole page (every language).
        let differing = SpecimenReader::new(["P<UTOERIKSSON<<ANNA<MARTA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]);
        MrzFirstPageReader::new(&differing, today()).recognize(&page, 1, Some(118)).unwrap();
        assert_eq!(differing.first_language_heights.lock().unwrap().len(), 1);
        assert_eq!(differing.whole_page_heights.lock().unwrap().last(), Some(&page.height()));
    }

    #[test]
    fn a_band_whose_check_digits_fail_sends_the_page_to_the_ordinary_whole_page_reading() {
        let reader = SpecimenReader::new(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<19"]);
        let mrz_first = MrzFirstPageReader::new(&reader, today());
        let page = td3_specimen_image();
        let lines = mrz_first.recognize(&page, 1, Some(118)).unwrap();
        assert_eq!(*reader.whole_page_heights.lock().unwrap(), [page.height()], "the whole page is read as without the MRZ-first reader");
        assert_eq!(lines, specimen_first_pass());
        assert_eq!(mrz_first.take_identity_reading(1, &lines), None);
    }

    #[test]
    fn a_page_without_a_band_is_read_whole_exactly_as_before() {
        let reader = SpecimenReader::new(["", ""]);
        let mrz_first = MrzFirstPageReader::new(&reader, today());
        let blank = GrayImage::from_pixel(1240, 1754, image::Luma([250]));
        mrz_first.recognize(&blank, 3, Some(150)).unwrap();
        assert_eq!(*reader.whole_page_heights.lock().unwrap(), [1754]);
        assert_eq!(reader.region_readings.load(std::sync::atomic::Ordering::SeqCst), 0, "no band, no band reading");
        assert_eq!(mrz_first.take_identity_reading(3, &[]), None);
    }

    #[test]
    fn printed_names_that_differ_from_the_zone_send_the_page_to_the_ordinary_whole_page_reading() {
        // The band reads a given name differently from the printed one, and
        // no check digit covers names: the page is read whole after all, so
        // that the whole-page reading of the MRZ gets its vote.
        let reader = SpecimenReader::new(["P<UTOERIKSSON<<ANNA<MARTA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]);
        let mrz_first = MrzFirstPageReader::new(&reader, today());
        let page = td3_specimen_image();
        let lines = mrz_first.recognize(&page, 1, Some(118)).unwrap();
        let whole_page_heights = reader.whole_page_heights.lock().unwrap().clone();
        assert_eq!(whole_page_heights.last(), Some(&page.height()), "{whole_page_heights:?}");
        assert_eq!(lines, specimen_first_pass());
        assert_eq!(mrz_first.take_identity_reading(1, &lines), None);
    }

    #[test]
    fn the_td3_specimen_reads_exactly_mrz_first_through_extract_document_with_tesseract() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/mrz/specimens/passport-td3.png");
        let bytes = std::fs::read(path).expect("the shared TD3 specimen is readable");
        let options = crate::extract::ExtractOptions { today: today(), ..Default::default() };
        let document = crate::extract::extract_document("passport-td3.png", &bytes, &crate::read::ocr::TesseractOcr::default(), &options);
        assert_eq!(document.kind, crate::extraction::DocumentKind::Identity);
        assert_eq!(document.value("mrz"), Some("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"));
        assert_eq!(document.value("mrz_valid"), Some("true"));
        for (field, expected) in [("visual_surname", "ERIKSSON"), ("visual_given_names", "ANNA MARIA"), ("visual_birth_date", "1974-08-12"), ("visual_expiry_date", "2012-04-15")] {
            assert_eq!(document.value(field), Some(expected), "{field}");
        }
    }

    #[test]
    fn a_page_without_an_mrz_is_not_an_identity_reading() {
        let invoice = vec![line("FACTURA 2026-0042", [100.0, 100.0, 400.0, 130.0]), line("Nombre: ACME Servicios S.L.", [100.0, 150.0, 500.0, 180.0])];
        assert!(!page_may_be_identity_document(&invoice));
        assert_eq!(read_identity_page(&GrayImage::new(800, 1000), &FixedTextOcr::default(), today(), &invoice), None);
    }

    #[test]
    fn spanish_labels_with_their_english_translation_are_found() {
        let lines = [
            line("Apellidos / Surname", [200.0, 100.0, 420.0, 118.0]),
            line("GARCÍA LÓPEZ", [200.0, 124.0, 400.0, 146.0]),
            line("Nombre / Given names", [200.0, 170.0, 430.0, 188.0]),
            line("MARÍA JOSÉ", [200.0, 194.0, 340.0, 216.0]),
            line("Fecha de nacimiento / Date of birth Lugar de nacimiento / Place of birth", [200.0, 240.0, 900.0, 258.0]),
            line("03 MAR/MAR 1985 A CORUÑA", [200.0, 264.0, 820.0, 286.0]),
            line("Caducidad / Date of expiry", [200.0, 310.0, 460.0, 328.0]),
            line("14.02.2031", [200.0, 334.0, 330.0, 356.0]),
        ];
        let references: Vec<&TextLine> = lines.iter().collect();
        assert_eq!(visual_name(&references, &SURNAME_LABELS).unwrap().value, "GARCIA LOPEZ");
        assert_eq!(visual_name(&references, &GIVEN_NAMES_LABELS).unwrap().value, "MARIA JOSE");
        assert_eq!(visual_date(&references, &BIRTH_DATE_LABELS, DateKind::Birth, today()).unwrap().value, "1985-03-03");
        assert_eq!(visual_date(&references, &EXPIRY_DATE_LABELS, DateKind::Expiry, today()).unwrap().value, "2031-02-14");
    }

    #[test]
    fn a_value_after_a_colon_on_the_label_line_is_read() {
        let lines = [line("Surname: O'Neil-Smith", [10.0, 10.0, 300.0, 30.0]), line("Date of expiry: 01 08 29", [10.0, 40.0, 300.0, 60.0])];
        let references: Vec<&TextLine> = lines.iter().collect();
        assert_eq!(visual_name(&references, &SURNAME_LABELS).unwrap().value, "ONEIL SMITH");
        assert_eq!(visual_date(&references, &EXPIRY_DATE_LABELS, DateKind::Expiry, today()).unwrap().value, "2029-08-01");
    }

    #[test]
    fn two_digit_years_take_the_mrz_centuries() {
        assert_eq!(printed_dates("12 AUGUST/AOUT 74", DateKind::Birth, today()), [NaiveDate::from_ymd_opt(1974, 8, 12).unwrap()]);
        assert_eq!(printed_dates("01 01 20", DateKind::Birth, today()), [NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()]);
        assert_eq!(printed_dates("15 APR/AVR 12", DateKind::Expiry, today()), [NaiveDate::from_ymd_opt(2012, 4, 15).unwrap()]);
        assert_eq!(printed_dates("15 04 45", DateKind::Expiry, today()), [NaiveDate::from_ymd_opt(2045, 4, 15).unwrap()]);
        assert_eq!(printed_dates("31 FEB 2020", DateKind::Birth, today()), []);
    }

    #[test]
    fn mrz_lines_are_told_from_visual_lines() {
        assert!(looks_like_mrz_line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"));
        assert!(looks_like_mrz_line("L898902C36UTO7408122F1204159ZE184226B12345610"));
        assert!(looks_like_mrz_line("I«UTOD231458907 «««««««"));
        assert!(!looks_like_mrz_line("UNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND"));
        assert!(!looks_like_mrz_line("12 AUGUST/AOUT 74 ZE 184226 B"));
    }

    #[test]
    fn names_take_the_contract_normal_form() {
        assert_eq!(normal_form_name("  Muñoz  de la   Peña "), "MUNOZ DE LA PENA");
        assert_eq!(normal_form_name("Jean-Luc"), "JEAN LUC");
    }
}
