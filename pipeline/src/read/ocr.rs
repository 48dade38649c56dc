//! One outside system: the OCR engine. [`TesseractOcr`] drives libtesseract
//! in-process with one engine per thread (tesseract engines are not
//! thread-safe and are slow to create); [`FixedTextOcr`] returns prepared
//! lines for unit tests of the logic above it.
//!
//! The trait has three entry points: [`OcrEngine::recognize`] reads a whole
//! page with the configured page segmentation mode; [`OcrEngine::recognize_region`]
//! reads one rectangle with a page segmentation mode and, optionally, a
//! character whitelist of its own (an MRZ band: `A-Z0-9<`, PSM 6);
//! [`OcrEngine::detect_orientation`] says which way up a page is (tesseract's
//! orientation and script detection, "OSD", which needs `osd.traineddata`:
//! Debian package `tesseract-ocr-osd`). [`OcrEngine::recognize_in_first_language`]
//! reads a page with the first configured language only (an identity
//! page's visual zone). All but `recognize` have default implementations,
//! so a fake engine only has to implement `recognize`.
//!
//! # Engines, modes and whitelists
//!
//! Each thread keeps its own engines: up to two started tesseracts (one per
//! language set, least recently used dropped first) and one orientation
//! detector (started with the `osd` data alone). The page segmentation mode
//! is set explicitly on every call, because the C API's default (PSM 6)
//! differs from the CLI's (PSM 3): `recognize` uses the configured mode,
//! `recognize_region` the one it is given. A region's whitelist is cleared
//! before its engine is put back, and an engine whose region reading failed
//! is dropped rather than put back, so whole pages always read every
//! character.
//!
//! # Threads
//!
//! Tesseract parallelises its LSTM with OpenMP, and that makes a page several
//! times slower when pages are already processed in parallel (11-14 s instead
//! of 1.7-1.9 s for an A4 page on two cores). `OMP_THREAD_LIMIT=1` in the
//! environment prevents it only if it is set before the process starts:
//! libgomp reads its environment once, when the dynamic loader maps it, which
//! is before `main`. So every thread that starts an engine here also turns
//! OpenMP nesting off for itself (`omp_set_max_active_levels(0)`, looked up at
//! run time so that a tesseract built without OpenMP needs nothing), which
//! keeps that thread's recognition on that one thread whatever the
//! environment says.

use std::cell::RefCell;
use std::collections::BTreeMap;

use image::GrayImage;

use super::TextLine;

/// Recognises the text of page images. Called on blocking threads.
pub trait OcrEngine: Send + Sync {
    /// Lines of text on the page, in reading order, with pixel boxes.
    fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError>;

    /// Lines of text inside `region` of the page only, read with page
    /// segmentation mode `page_segmentation_mode` (numbered as the tesseract
    /// CLI's `--psm`) and, when `character_whitelist` is given, with no other
    /// characters than those (tesseract's `tessedit_char_whitelist`). Boxes
    /// are in the whole page's pixel coordinates. A region reaching outside the
    /// page is cut to it; an empty one reads nothing.
    ///
    /// The default crops the region and hands it to [`OcrEngine::recognize`],
    /// ignoring the whitelist and the mode: enough for fakes.
    fn recognize_region(
        &self,
        page: &GrayImage,
        page_number: u32,
        region: PixelRegion,
        character_whitelist: Option<&str>,
        page_segmentation_mode: u32,
    ) -> Result<Vec<TextLine>, OcrError> {
        let _ = (character_whitelist, page_segmentation_mode);
        let Some(region) = region.clamped_to(page.width(), page.height()) else { return Ok(Vec::new()) };
        let cropped = image::imageops::crop_imm(page, region.left, region.top, region.width, region.height).to_image();
        let mut lines = self.recognize(&cropped, page_number, None)?;
        for line in &mut lines {
            line.shift_by(region.left as f32, region.top as f32);
        }
        Ok(lines)
    }

    /// The page read as [`OcrEngine::recognize`] reads it, but with the
    /// first of the engine's languages only: for text that is mostly names
    /// and dates (an identity page's visual zone), which no dictionary
    /// accepts, so that a second language re-reads nearly every line. The
    /// default reads as [`OcrEngine::recognize`] does.
    fn recognize_in_first_language(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        self.recognize(page, page_number, dots_per_inch)
    }

    /// Which way up the page is, when the engine can tell: `Ok(None)` when
    /// it has no orientation detection (the default) or it is not installed.
    fn detect_orientation(&self, page: &GrayImage, dots_per_inch: Option<u32>) -> Result<Option<OrientationEstimate>, OcrError> {
        let _ = (page, dots_per_inch);
        Ok(None)
    }

    /// A second, independent reading of the whole page, laid out another
    /// way than [`OcrEngine::recognize`] lays it out, for a page whose first
    /// reading left fields missing or amounts that do not add up. `Ok(None)`
    /// when the engine has no other way to read (the default).
    ///
    /// Tesseract's automatic layout analysis (mode 3) sometimes drops a
    /// whole block, such as the right-hand amount column or one totals line;
    /// reading the page as one uniform block of text (mode 6) keeps them.
    fn recognize_another_way(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Option<Vec<TextLine>>, OcrError> {
        let _ = (page, page_number, dots_per_inch);
        Ok(None)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OCR failed: {0}")]
pub struct OcrError(pub String);

/// A rectangle of a page image, in pixels, origin top-left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRegion {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

impl PixelRegion {
    /// The region covering the box `[x0, y0, x1, y1]` (rounded outwards).
    pub fn from_box(bbox: [f32; 4]) -> PixelRegion {
        let left = bbox[0].max(0.0).floor() as u32;
        let top = bbox[1].max(0.0).floor() as u32;
        let right = bbox[2].max(0.0).ceil() as u32;
        let bottom = bbox[3].max(0.0).ceil() as u32;
        PixelRegion { left, top, width: right.saturating_sub(left), height: bottom.saturating_sub(top) }
    }

    /// The part of the region inside a page of `page_width` × `page_height`
    /// pixels, or `None` when nothing of it is.
    pub fn clamped_to(self, page_width: u32, page_height: u32) -> Option<PixelRegion> {
        let left = self.left.min(page_width);
        let top = self.top.min(page_height);
        let right = self.left.saturating_add(self.width).min(page_width);
        let bottom = self.top.saturating_add(self.height).min(page_height);
        (right > left && bottom > top).then_some(PixelRegion { left, top, width: right - left, height: bottom - top })
    }
}

/// What orientation detection said about a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrientationEstimate {
    /// How many quarter turns clockwise make the page upright (0 to 3).
    pub clockwise_quarter_turns_to_upright: u8,
    /// Tesseract's orientation confidence: 0 when it could not tell, above
    /// about 2 when the answer is reliable.
    pub confidence: f32,
}

/// An orientation answer at or above this confidence is taken as is; below
/// it, callers should check it another way (tesseract's own CLI reports a
/// confidence around 1 for pages it is unsure about, 3 to 20 for clear ones).
pub const RELIABLE_ORIENTATION_CONFIDENCE: f32 = 2.0;

/// libtesseract, in-process.
#[derive(Debug, Clone)]
pub struct TesseractOcr {
    /// Tesseract language codes joined with `+` (default `spa+eng`).
    pub languages: String,
    /// Page segmentation mode; 3 (fully automatic) as the CLI uses by default.
    pub page_segmentation_mode: u32,
}

impl Default for TesseractOcr {
    fn default() -> Self {
        TesseractOcr { languages: "spa+eng".to_string(), page_segmentation_mode: 3 }
    }
}

/// Tesseract's fully automatic page segmentation (`--psm 3`), the CLI's default.
const FULLY_AUTOMATIC_MODE: u32 = 3;

/// Tesseract's "single uniform block of text" page segmentation (`--psm 6`).
const SINGLE_UNIFORM_BLOCK_MODE: u32 = 6;

/// The most engines (one per language set) a thread keeps started: the
/// configured languages and the first of them alone (an identity page's
/// visual zone, [`OcrEngine::recognize_in_first_language`]), so that
/// invoices and identity pages mixed on one thread never restart an engine.
const MAXIMUM_ENGINES_PER_THREAD: usize = 2;

thread_local! {
    /// This thread's engines, with the languages each was started with, the
    /// most recently used last.
    static THREAD_ENGINES: RefCell<Vec<(String, tesseract::Tesseract)>> = const { RefCell::new(Vec::new()) };
    /// This thread's orientation detector: not tried yet, unavailable, or started.
    static THREAD_ORIENTATION_DETECTOR: RefCell<DetectorSlot> = const { RefCell::new(DetectorSlot::NotTried) };
    /// Whether this thread has turned OpenMP parallelism off for itself.
    static OPENMP_LIMITED_ON_THIS_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

enum DetectorSlot {
    NotTried,
    Unavailable,
    Started(tesseract_c_api::OrientationDetector),
}

impl TesseractOcr {
    /// Checks that every configured language's data (`<language>.traineddata`)
    /// is installed where tesseract will look for it, so a missing language
    /// pack is reported at start-up, not per document. Only the files are
    /// looked for: starting an engine to check would cost about 0.2 s on
    /// every run, even when nothing needs OCR.
    ///
    /// Tesseract 5 reads its data from `$TESSDATA_PREFIX` when that names an
    /// existing directory, else from the directory compiled into it (on
    /// Debian `/usr/share/tesseract-ocr/5/tessdata`); the other usual
    /// install locations are accepted too.
    pub fn check_available(&self) -> Result<(), OcrError> {
        let environment_directory = std::env::var_os("TESSDATA_PREFIX").map(std::path::PathBuf::from).filter(|directory| directory.exists());
        let data_directories: Vec<std::path::PathBuf> = match environment_directory {
            Some(directory) => vec![directory],
            None => ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata", "/usr/local/share/tessdata"]
                .iter()
                .map(std::path::PathBuf::from)
                .collect(),
        };
        let languages: Vec<&str> = self.languages.split('+').map(|language| language.trim().trim_start_matches('~')).filter(|language| !language.is_empty()).collect();
        if languages.is_empty() {
            return Err(OcrError(format!("no OCR language is configured (ocr languages {:?}); set e.g. \"spa+eng\"", self.languages)));
        }
        let missing: Vec<&str> = languages
            .into_iter()
            .filter(|language| !data_directories.iter().any(|directory| directory.join(format!("{language}.traineddata")).is_file()))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let searched = data_directories.iter().map(|directory| directory.display().to_string()).collect::<Vec<_>>().join(", ");
        let packages = missing.iter().map(|language| format!("tesseract-ocr-{}", language.to_ascii_lowercase().replace('_', "-"))).collect::<Vec<_>>().join(" ");
        Err(OcrError(format!(
            "tesseract could not start with languages {:?}: the language data for {} is not installed (no {} in {searched}); \
             install it, e.g. `apt-get install {packages}`, or point TESSDATA_PREFIX at the directory holding it",
            self.languages,
            missing.join(", "),
            missing.iter().map(|language| format!("{language}.traineddata")).collect::<Vec<_>>().join(", "),
        )))
    }

    /// The first of the configured languages (`spa` of `spa+eng`); the
    /// configured string itself when it names none.
    fn first_language(&self) -> &str {
        self.languages.split('+').map(str::trim).find(|language| !language.is_empty() && !language.starts_with('~')).unwrap_or(&self.languages)
    }

    /// Whether orientation detection can start on this machine (`osd.traineddata` installed).
    pub fn orientation_detection_available(&self) -> bool {
        with_orientation_detector(|_| ()).is_some()
    }

    /// Runs `work` with this thread's engine for `languages` (tesseract
    /// codes joined with `+`), starting it the first time.
    fn with_engine<T>(&self, languages: &str, work: impl FnOnce(tesseract::Tesseract) -> Result<(tesseract::Tesseract, T), OcrError>) -> Result<T, OcrError> {
        limit_openmp_to_this_thread();
        let cached = THREAD_ENGINES.with(|engines| {
            let mut engines = engines.borrow_mut();
            let position = engines.iter().position(|(started_with, _)| started_with == languages)?;
            Some(engines.remove(position).1)
        });
        let engine = match cached {
            Some(engine) => engine,
            None => tesseract::Tesseract::new(None, Some(languages))
                .map_err(|error| OcrError(format!("could not start tesseract with {languages:?}: {error}")))?
                // Keep tesseract's diagnostics ("Detected 11 diacritics") off stderr.
                .set_variable("debug_file", "/dev/null")
                .map_err(|error| OcrError(format!("could not configure tesseract: {error}")))?,
        };
        let (engine, result) = work(engine)?;
        THREAD_ENGINES.with(|engines| {
            let mut engines = engines.borrow_mut();
            if engines.len() >= MAXIMUM_ENGINES_PER_THREAD {
                engines.remove(0);
            }
            engines.push((languages.to_string(), engine));
        });
        Ok(result)
    }

    /// The whole page read with `languages` and page segmentation mode
    /// `page_segmentation_mode` (numbered as the CLI's `--psm`).
    fn recognize_in_mode(
        &self,
        page: &GrayImage,
        page_number: u32,
        dots_per_inch: Option<u32>,
        page_segmentation_mode: u32,
        languages: &str,
    ) -> Result<Vec<TextLine>, OcrError> {
        let (width, height) = page.dimensions();
        let tsv = self.with_engine(languages, |engine| {
            let mut engine = engine
                .set_frame(page.as_raw(), width as i32, height as i32, 1, width as i32)
                .map_err(|error| OcrError(format!("could not hand the page to tesseract: {error}")))?
                .set_source_resolution(dots_per_inch.unwrap_or(300) as i32);
            engine.set_page_seg_mode(page_segmentation_mode_from_number(page_segmentation_mode));
            let mut engine = engine.recognize().map_err(|error| OcrError(format!("recognition failed: {error}")))?;
            let tsv = engine.get_tsv_text(0).map_err(|error| OcrError(format!("could not read the result: {error}")))?;
            Ok((engine, tsv))
        })?;
        Ok(lines_from_tsv(&tsv, page_number))
    }
}

impl OcrEngine for TesseractOcr {
    fn recognize(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        self.recognize_in_mode(page, page_number, dots_per_inch, self.page_segmentation_mode, &self.languages)
    }

    fn recognize_in_first_language(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        self.recognize_in_mode(page, page_number, dots_per_inch, self.page_segmentation_mode, self.first_language())
    }

    fn recognize_another_way(&self, page: &GrayImage, page_number: u32, dots_per_inch: Option<u32>) -> Result<Option<Vec<TextLine>>, OcrError> {
        let other_mode = if self.page_segmentation_mode == SINGLE_UNIFORM_BLOCK_MODE { FULLY_AUTOMATIC_MODE } else { SINGLE_UNIFORM_BLOCK_MODE };
        self.recognize_in_mode(page, page_number, dots_per_inch, other_mode, &self.languages).map(Some)
    }

    fn recognize_region(
        &self,
        page: &GrayImage,
        page_number: u32,
        region: PixelRegion,
        character_whitelist: Option<&str>,
        page_segmentation_mode: u32,
    ) -> Result<Vec<TextLine>, OcrError> {
        let Some(region) = region.clamped_to(page.width(), page.height()) else { return Ok(Vec::new()) };
        let (width, height) = page.dimensions();
        let whitelist = character_whitelist.unwrap_or("");
        let tsv = self.with_engine(&self.languages, |engine| {
            let mut engine = engine
                .set_variable("tessedit_char_whitelist", whitelist)
                .map_err(|error| OcrError(format!("could not set the character whitelist: {error}")))?
                .set_frame(page.as_raw(), width as i32, height as i32, 1, width as i32)
                .map_err(|error| OcrError(format!("could not hand the page to tesseract: {error}")))?
                .set_source_resolution(300)
                .set_rectangle(region.left as i32, region.top as i32, region.width as i32, region.height as i32);
            engine.set_page_seg_mode(page_segmentation_mode_from_number(page_segmentation_mode));
            // On any failure below the engine is dropped, not put back, so a
            // whitelist is never left on an engine that reads whole pages.
            let mut engine = engine.recognize().map_err(|error| OcrError(format!("recognition failed: {error}")))?;
            let tsv = engine.get_tsv_text(0);
            let engine = engine
                .set_variable("tessedit_char_whitelist", "")
                .map_err(|error| OcrError(format!("could not clear the character whitelist: {error}")))?;
            let tsv = tsv.map_err(|error| OcrError(format!("could not read the result: {error}")))?;
            Ok((engine, tsv))
        })?;
        Ok(lines_from_tsv(&tsv, page_number))
    }

    fn detect_orientation(&self, page: &GrayImage, dots_per_inch: Option<u32>) -> Result<Option<OrientationEstimate>, OcrError> {
        limit_openmp_to_this_thread();
        Ok(with_orientation_detector(|detector| detector.detect(page, dots_per_inch.unwrap_or(300))).flatten())
    }
}

/// Runs `work` with this thread's orientation detector, starting it the
/// first time; `None` when it cannot start (no `osd.traineddata`).
fn with_orientation_detector<T>(work: impl FnOnce(&mut tesseract_c_api::OrientationDetector) -> T) -> Option<T> {
    THREAD_ORIENTATION_DETECTOR.with(|slot| {
        let mut slot = slot.borrow_mut();
        if matches!(*slot, DetectorSlot::NotTried) {
            *slot = match tesseract_c_api::OrientationDetector::start() {
                Some(detector) => DetectorSlot::Started(detector),
                None => DetectorSlot::Unavailable,
            };
        }
        match &mut *slot {
            DetectorSlot::Started(detector) => Some(work(detector)),
            _ => None,
        }
    })
}

/// Turns OpenMP parallel regions off for the calling thread (see the module
/// documentation): done once per thread, before its first engine runs.
fn limit_openmp_to_this_thread() {
    if OPENMP_LIMITED_ON_THIS_THREAD.get() {
        return;
    }
    OPENMP_LIMITED_ON_THIS_THREAD.set(true);
    tesseract_c_api::turn_off_openmp_parallelism_on_this_thread();
}

/// The tesseract C API calls the `tesseract` crate does not wrap:
/// orientation and script detection, and the OpenMP switch.
mod tesseract_c_api {
    use std::ffi::{c_char, c_int, c_void};
    use std::ptr::{self, NonNull};

    use image::GrayImage;
    use tesseract::plumbing::tesseract_sys;

    use super::OrientationEstimate;

    /// A tesseract engine started with the `osd` data only.
    pub(super) struct OrientationDetector {
        handle: NonNull<tesseract_sys::TessBaseAPI>,
    }

    impl OrientationDetector {
        /// Starts a detector; `None` when `osd.traineddata` is missing.
        pub(super) fn start() -> Option<OrientationDetector> {
            // SAFETY: TessBaseAPICreate has no preconditions; a null result is handled.
            let handle = NonNull::new(unsafe { tesseract_sys::TessBaseAPICreate() })?;
            let detector = OrientationDetector { handle };
            // SAFETY: the handle is live; the strings are NUL-terminated and outlive the call.
            let status = unsafe { tesseract_sys::TessBaseAPIInit3(handle.as_ptr(), ptr::null(), c"osd".as_ptr()) };
            if status != 0 {
                return None;
            }
            // SAFETY: as above. A failure only leaves diagnostics on stderr.
            unsafe { tesseract_sys::TessBaseAPISetVariable(handle.as_ptr(), c"debug_file".as_ptr(), c"/dev/null".as_ptr()) };
            Some(detector)
        }

        /// Tesseract's orientation answer for `page`, or `None` when it
        /// finds too little text to say.
        pub(super) fn detect(&mut self, page: &GrayImage, dots_per_inch: u32) -> Option<OrientationEstimate> {
            let (width, height) = page.dimensions();
            if width == 0 || height == 0 || width > i32::MAX as u32 || height > i32::MAX as u32 {
                return None;
            }
            let handle = self.handle.as_ptr();
            let mut orientation_degrees: c_int = 0;
            let mut orientation_confidence: f32 = 0.0;
            let mut script_name: *const c_char = ptr::null();
            let mut script_confidence: f32 = 0.0;
            // SAFETY: the buffer holds height rows of width one-byte pixels
            // (an ImageBuffer's invariant) and tesseract copies it during the
            // call; the out-pointers are valid locals; the script name points
            // into tesseract's own tables and is not kept.
            let detected = unsafe {
                tesseract_sys::TessBaseAPISetImage(handle, page.as_raw().as_ptr(), width as c_int, height as c_int, 1, width as c_int);
                tesseract_sys::TessBaseAPISetSourceResolution(handle, dots_per_inch as c_int);
                let detected = tesseract_sys::TessBaseAPIDetectOrientationScript(
                    handle,
                    &mut orientation_degrees,
                    &mut orientation_confidence,
                    &mut script_name,
                    &mut script_confidence,
                );
                tesseract_sys::TessBaseAPIClear(handle);
                detected
            };
            if detected == 0 || !orientation_confidence.is_finite() {
                return None;
            }
            // Tesseract reports how far the page was turned clockwise
            // (`orient_deg`: a page scanned a quarter turn clockwise gives
            // 90); three more quarter turns clockwise put it back.
            let quarter_turns = ((4 - orientation_degrees.rem_euclid(360) / 90) % 4) as u8;
            Some(OrientationEstimate { clockwise_quarter_turns_to_upright: quarter_turns, confidence: orientation_confidence })
        }
    }

    impl Drop for OrientationDetector {
        fn drop(&mut self) {
            // SAFETY: the handle came from TessBaseAPICreate and is deleted once.
            unsafe { tesseract_sys::TessBaseAPIDelete(self.handle.as_ptr()) };
        }
    }

    unsafe extern "C" {
        fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    }

    /// Calls libgomp's `omp_set_max_active_levels(0)` for the calling thread
    /// if libgomp is loaded (it is when libtesseract was built with OpenMP):
    /// no parallel region of this thread then starts more threads.
    pub(super) fn turn_off_openmp_parallelism_on_this_thread() {
        if !cfg!(target_os = "linux") {
            return;
        }
        // SAFETY: RTLD_DEFAULT is the null handle on glibc and musl; the name
        // is NUL-terminated; a null result means the symbol is absent.
        let function = unsafe { dlsym(ptr::null_mut(), c"omp_set_max_active_levels".as_ptr()) };
        if function.is_null() {
            return;
        }
        // SAFETY: omp_set_max_active_levels is `void (int)` in every OpenMP runtime.
        let set_max_active_levels: extern "C" fn(c_int) = unsafe { std::mem::transmute(function) };
        set_max_active_levels(0);
    }
}

/// Tesseract's page segmentation mode for the CLI's `--psm` number
/// (unknown numbers read as 3, fully automatic).
pub fn page_segmentation_mode_from_number(number: u32) -> tesseract::PageSegMode {
    use tesseract::PageSegMode::*;
    match number {
        0 => PsmOsdOnly,
        1 => PsmAutoOsd,
        2 => PsmAutoOnly,
        4 => PsmSingleColumn,
        5 => PsmSingleBlockVertText,
        6 => PsmSingleBlock,
        7 => PsmSingleLine,
        8 => PsmSingleWord,
        9 => PsmCircleWord,
        10 => PsmSingleChar,
        11 => PsmSparseText,
        12 => PsmSparseTextOsd,
        13 => PsmRawLine,
        _ => PsmAuto,
    }
}

/// Groups tesseract's TSV word rows (level 5) into its lines (block,
/// paragraph, line), each with its box, the mean confidence of its words,
/// and a new cell (two spaces in `text`, an extent in `cells`) wherever the
/// gap between words is wider than one and a half word heights. These are
/// tesseract's own lines, whose shapes the orientation check judges; once
/// the page is upright, [`merge_into_visual_rows`] joins lines that share a
/// row.
pub fn lines_from_tsv(tsv: &str, page_number: u32) -> Vec<TextLine> {
    struct Word {
        text: String,
        confidence: f32,
        left: f32,
        top: f32,
        right: f32,
        bottom: f32,
    }
    let mut lines: BTreeMap<(u32, u32, u32), Vec<Word>> = BTreeMap::new();
    for row in tsv.lines() {
        let columns: Vec<&str> = row.split('\t').collect();
        if columns.len() < 12 || columns[0] != "5" {
            continue;
        }
        let number = |index: usize| columns[index].trim().parse::<f32>().unwrap_or(0.0);
        let text = columns[11].trim();
        if text.is_empty() {
            continue;
        }
        let key = (number(2) as u32, number(3) as u32, number(4) as u32);
        let (left, top, width, height) = (number(6), number(7), number(8), number(9));
        lines.entry(key).or_default().push(Word { text: text.to_string(), confidence: (number(10) / 100.0).clamp(0.0, 1.0), left, top, right: left + width, bottom: top + height });
    }
    lines
        .into_values()
        .map(|words| {
            let mut heights: Vec<f32> = words.iter().map(|word| word.bottom - word.top).collect();
            heights.sort_by(f32::total_cmp);
            let word_height = heights[heights.len() / 2].max(1.0);
            let mut text = String::new();
            let mut cells: Vec<[f32; 2]> = Vec::new();
            for word in &words {
                match cells.last_mut() {
                    Some(cell) if word.left - cell[1] <= 1.5 * word_height && word.left >= cell[0] => {
                        text.push(' ');
                        cell[1] = cell[1].max(word.right);
                    }
                    Some(_) => {
                        text.push_str("  ");
                        cells.push([word.left, word.right]);
                    }
                    None => cells.push([word.left, word.right]),
                }
                text.push_str(&word.text);
            }
            let bbox = [
                words.iter().map(|word| word.left).fold(f32::MAX, f32::min),
                words.iter().map(|word| word.top).fold(f32::MAX, f32::min),
                words.iter().map(|word| word.right).fold(f32::MIN, f32::max),
                words.iter().map(|word| word.bottom).fold(f32::MIN, f32::max),
            ];
            TextLine { page: page_number, text, confidence: words.iter().map(|word| word.confidence).sum::<f32>() / words.len() as f32, bbox: Some(bbox), cells }
        })
        .collect()
}

/// Joins lines that share a row of an upright page (boxes overlapping by at
/// least half the smaller height), left to right, each keeping its cells:
/// tesseract puts a label and its value far apart on a row into different
/// blocks, and the field finders need them on one line, as a PDF's text
/// layer gives them. Rows come out top to bottom.
pub fn merge_into_visual_rows(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    let Some(page) = lines.first().map(|line| line.page) else { return lines };
    if lines.iter().any(|line| line.bbox.is_none() || line.page != page) {
        return lines;
    }
    let bbox = |line: &TextLine| line.bbox.expect("checked above");
    lines.sort_by(|first, second| bbox(first)[1].total_cmp(&bbox(second)[1]).then(bbox(first)[0].total_cmp(&bbox(second)[0])));
    let mut rows: Vec<Vec<TextLine>> = Vec::new();
    for line in lines {
        let joins = rows.last().is_some_and(|row| {
            let (reference, candidate) = (bbox(&row[0]), bbox(&line));
            let overlap = reference[3].min(candidate[3]) - reference[1].max(candidate[1]);
            overlap >= 0.5 * (reference[3] - reference[1]).min(candidate[3] - candidate[1])
        });
        if joins {
            rows.last_mut().expect("a row exists").push(line);
        } else {
            rows.push(vec![line]);
        }
    }
    rows.into_iter()
        .map(|mut row| {
            if row.len() == 1 {
                return row.pop().expect("one line");
            }
            row.sort_by(|first, second| bbox(first)[0].total_cmp(&bbox(second)[0]));
            let characters = |line: &TextLine| line.text.chars().filter(|character| !character.is_whitespace()).count().max(1) as f32;
            let weight: f32 = row.iter().map(characters).sum();
            TextLine {
                page,
                text: row.iter().map(|line| line.text.as_str()).collect::<Vec<_>>().join("  "),
                confidence: row.iter().map(|line| line.confidence * characters(line)).sum::<f32>() / weight,
                bbox: Some([
                    row.iter().map(|line| bbox(line)[0]).fold(f32::MAX, f32::min),
                    row.iter().map(|line| bbox(line)[1]).fold(f32::MAX, f32::min),
                    row.iter().map(|line| bbox(line)[2]).fold(f32::MIN, f32::max),
                    row.iter().map(|line| bbox(line)[3]).fold(f32::MIN, f32::max),
                ]),
                cells: row
                    .iter()
                    .flat_map(|line| if line.cells.is_empty() { vec![[bbox(line)[0], bbox(line)[2]]] } else { line.cells.clone() })
                    .collect(),
            }
        })
        .collect()
}

/// Moving a line's box (and its cells) by a whole-page offset, for lines
/// read from a cropped part of a page.
trait ShiftLine {
    fn shift_by(&mut self, horizontal: f32, vertical: f32);
}

impl ShiftLine for TextLine {
    fn shift_by(&mut self, horizontal: f32, vertical: f32) {
        if let Some(bbox) = &mut self.bbox {
            *bbox = [bbox[0] + horizontal, bbox[1] + vertical, bbox[2] + horizontal, bbox[3] + vertical];
        }
        for cell in &mut self.cells {
            *cell = [cell[0] + horizontal, cell[1] + horizontal];
        }
    }
}

/// An OCR engine that returns prepared lines, for unit tests.
#[derive(Debug, Clone, Default)]
pub struct FixedTextOcr {
    pub lines: Vec<String>,
}

impl OcrEngine for FixedTextOcr {
    fn recognize(&self, _page: &GrayImage, page_number: u32, _dots_per_inch: Option<u32>) -> Result<Vec<TextLine>, OcrError> {
        Ok(self
            .lines
            .iter()
            .enumerate()
            .map(|(index, text)| TextLine {
                page: page_number,
                text: text.clone(),
                bbox: Some([0.0, index as f32 * 20.0, 100.0, index as f32 * 20.0 + 15.0]),
                confidence: 0.95,
                cells: Vec::new(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_language_is_reported_by_name_with_the_package_to_install_without_starting_an_engine() {
        let installed = TesseractOcr::default();
        assert!(installed.check_available().is_ok(), "spa and eng are installed by scripts/install-dependencies.sh");
        let missing = TesseractOcr { languages: "spa+xyz".to_string(), page_segmentation_mode: 3 };
        let message = missing.check_available().unwrap_err().0;
        assert!(message.contains("xyz") && message.contains("tesseract-ocr-xyz"), "{message}");
        assert!(!message.contains("spa.traineddata"), "only the missing language is named: {message}");
    }

    #[test]
    fn tsv_words_are_grouped_into_lines_with_boxes_and_confidence() {
        let tsv = "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t10\t20\t30\t10\t90\tTotal:\n\
                   5\t1\t1\t1\t1\t2\t50\t21\t40\t11\t80\t1.210,00\n\
                   5\t1\t1\t1\t2\t1\t10\t40\t30\t10\t70\tIVA\n";
        let lines = lines_from_tsv(tsv, 1);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Total: 1.210,00");
        assert_eq!(lines[0].bbox, Some([10.0, 20.0, 90.0, 32.0]));
        assert!((lines[0].confidence - 0.85).abs() < 1e-6);
        assert_eq!(lines[1].text, "IVA");
        assert_eq!(lines[0].cells, vec![[10.0, 90.0]]);
    }

    #[test]
    fn lines_far_apart_on_one_row_merge_into_one_line_of_two_cells_once_upright() {
        // "Total due" in block 1 and its value in block 2, on the same row.
        let tsv = "5\t1\t1\t1\t1\t1\t100\t500\t60\t20\t95\tTotal\n\
                   5\t1\t1\t1\t1\t2\t170\t501\t50\t20\t95\tdue\n\
                   5\t1\t1\t1\t2\t1\t100\t540\t80\t20\t90\tIBAN\n\
                   5\t1\t2\t1\t1\t1\t900\t502\t120\t20\t85\t£1,341.58\n";
        let lines = merge_into_visual_rows(lines_from_tsv(tsv, 1));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Total due  £1,341.58");
        assert_eq!(lines[0].cells, vec![[100.0, 220.0], [900.0, 1020.0]]);
        assert_eq!(lines[1].text, "IBAN");
    }

    #[test]
    fn a_region_is_cut_to_the_page_and_an_outside_one_is_empty() {
        let region = PixelRegion { left: 90, top: 10, width: 50, height: 500 };
        assert_eq!(region.clamped_to(100, 200), Some(PixelRegion { left: 90, top: 10, width: 10, height: 190 }));
        assert_eq!(PixelRegion { left: 120, top: 0, width: 5, height: 5 }.clamped_to(100, 200), None);
        assert_eq!(PixelRegion::from_box([1.5, 2.0, 10.2, 4.0]), PixelRegion { left: 1, top: 2, width: 10, height: 2 });
    }

    #[test]
    fn the_default_region_reading_puts_boxes_in_page_coordinates() {
        let ocr = FixedTextOcr { lines: vec!["P<UTOERIKSSON".into()] };
        let page = GrayImage::new(300, 300);
        let region = PixelRegion { left: 40, top: 100, width: 200, height: 60 };
        let lines = ocr.recognize_region(&page, 2, region, Some("ABC<"), 6).unwrap();
        assert_eq!(lines[0].page, 2);
        assert_eq!(lines[0].bbox, Some([40.0, 100.0, 140.0, 115.0]));
        assert_eq!(ocr.detect_orientation(&page, None).unwrap(), None);
    }

    #[test]
    fn the_first_configured_language_is_the_one_a_page_is_read_with_in_its_first_language() {
        let with = |languages: &str| TesseractOcr { languages: languages.to_string(), page_segmentation_mode: 3 };
        assert_eq!(with("spa+eng").first_language(), "spa");
        assert_eq!(with(" fra + eng").first_language(), "fra");
        assert_eq!(with("eng").first_language(), "eng");
        assert_eq!(with("~spa+eng").first_language(), "eng", "a language tesseract is told not to load is not the first");
    }

    #[test]
    fn a_fake_engine_reads_in_its_first_language_as_it_reads_any_page() {
        let ocr = FixedTextOcr { lines: vec!["Apellidos / Surname".into(), "GARCÍA".into()] };
        let page = GrayImage::new(200, 100);
        assert_eq!(ocr.recognize_in_first_language(&page, 1, None).unwrap(), ocr.recognize(&page, 1, None).unwrap());
    }

    #[test]
    fn every_cli_page_segmentation_mode_number_has_its_own_mode() {
        let modes: Vec<_> = (0..=13).map(page_segmentation_mode_from_number).collect();
        for (index, mode) in modes.iter().enumerate() {
            assert_eq!(modes.iter().filter(|other| *other == mode).count(), 1, "psm {index}");
        }
        assert_eq!(page_segmentation_mode_from_number(99), tesseract::PageSegMode::PsmAuto);
    }
}
