//! Synthetic invoices and identity pages with known ground truth.
//!
//! [`generate`] produces a deterministic corpus (same options, same bytes) of text PDFs, noisy
//! PNG scans and JPEG phone photos of invoices from Spain, Colombia, Mexico, the US and the UK
//! and of passport/ID-card pages, each with the field values a perfect extractor would return
//! (in the extraction contract's normal form) and the defects deliberately planted in it.
//! [`write_corpus`] stores a corpus with a `truth.jsonl` beside it; [`demo_batch`] is the mix
//! `tramite demo` uses. The lower-level [`render_text_pdf`] and [`render_scan`] turn placed
//! strings into a PDF or a degraded grayscale image.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

mod checks;
mod identity;
mod invoice;
mod locale;
mod metrics_tables;
mod page;
mod pdf;
mod raster;

pub use raster::ScanNoise;

/// What to generate. Shares are applied exactly (rounded) within each kind of document rather
/// than drawn per document, so small corpora still get their scans and defects.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratorOptions {
    /// Seed for every random choice; the same options always give byte-identical documents.
    pub seed: u64,
    /// Number of invoices (and credit notes).
    pub invoices: usize,
    /// Number of identity pages (passports and ID cards).
    pub identities: usize,
    /// Fraction of documents rendered as images instead of text PDFs; of those, about a third
    /// of invoices and half of identity pages are phone photos, the rest flatbed scans.
    pub scanned_share: f32,
    /// Fraction of documents with one planted defect.
    pub defect_share: f32,
    /// Resolution of scans in dots per inch (photos use 150–200 dpi regardless).
    pub scan_dpi: u32,
}

impl Default for GeneratorOptions {
    /// 20 invoices and 5 identity pages, a quarter scanned, a fifth defective, 200 dpi scans.
    fn default() -> Self {
        GeneratorOptions {
            seed: 42,
            invoices: 20,
            identities: 5,
            scanned_share: 0.25,
            defect_share: 0.2,
            scan_dpi: 200,
        }
    }
}

/// How a document's bytes were produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rendering {
    /// A PDF with a text layer (standard-14 fonts); extractable without OCR.
    TextPdf,
    /// A grayscale PNG as from a flatbed scanner: slight rotation, noise, specks, blur.
    Scan,
    /// A grayscale JPEG as from a phone camera: stronger noise, uneven light, a background.
    Photo,
}

/// A deliberate inconsistency in a document, for the rules engine to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantedDefect {
    /// The printed total differs from the printed subtotal plus tax.
    WrongTotal,
    /// One digit of the printed IBAN was changed, so its mod-97 check fails.
    BadIban,
    /// The supplier's tax ID has a wrong control character (NIF/CIF, NIT, RFC or GB VAT).
    BadSupplierTaxId,
    /// The due date is before the issue date.
    DueBeforeIssue,
    /// The identity document expired before 2026-11-01.
    ExpiredIdentity,
    /// A birth-date digit in the MRZ was changed without fixing its check digits.
    TamperedMrz,
}

/// One generated file with its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedDocument {
    /// File name, e.g. `invoice-0007.pdf`, `identity-0002.jpg`.
    pub file_name: String,
    /// The file's contents (PDF, PNG or JPEG).
    pub bytes: Vec<u8>,
    /// `"invoice"` or `"identity"`.
    pub kind: &'static str,
    /// How the bytes were produced.
    pub rendering: Rendering,
    /// Ground-truth fields in the contract's normal form; fields not printed are absent.
    pub fields: BTreeMap<String, String>,
    /// Invoice lines (`description`, `quantity`, `unit_price`, `amount`); empty for identities.
    pub line_items: Vec<BTreeMap<String, String>>,
    /// Defects planted in this document (at most one today).
    pub defects: Vec<PlantedDefect>,
}

/// A string placed on a page. `y` is the baseline, in points from the top edge; `x` the left
/// edge of the text, in points from the left edge.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedText {
    /// Left edge of the text, in points from the page's left edge.
    pub x: f32,
    /// Baseline, in points from the page's top edge.
    pub y: f32,
    /// Font size in points.
    pub size: f32,
    /// The text (WinAnsi-representable characters render faithfully in PDFs).
    pub text: String,
    /// Bold weight.
    pub bold: bool,
    /// Monospaced face (Courier / DejaVu Sans Mono).
    pub monospace: bool,
}

/// Renders placed strings as a one-page PDF with a text layer (Helvetica, Helvetica-Bold,
/// Courier, WinAnsiEncoding). `page_size_points` is (width, height).
pub fn render_text_pdf(lines: &[PlacedText], page_size_points: (f32, f32)) -> Vec<u8> {
    let page = page::Page {
        size: page_size_points,
        family: page::Family::Sans,
        texts: lines.to_vec(),
        rules: Vec::new(),
    };
    pdf::render_page_pdf(&page)
}

/// Rasterises placed strings (DejaVu Sans / Sans Mono, horizontally fitted to the PDF fonts'
/// widths) onto white paper at `dpi` and applies `noise`, with randomness from `rng_seed`. The
/// image is `round(width × dpi / 72)` × `round(height × dpi / 72)` pixels.
pub fn render_scan(
    lines: &[PlacedText],
    page_size_points: (f32, f32),
    dpi: u32,
    noise: &ScanNoise,
    rng_seed: u64,
) -> image::GrayImage {
    let page = page::Page {
        size: page_size_points,
        family: page::Family::Sans,
        texts: lines.to_vec(),
        rules: Vec::new(),
    };
    raster::rasterize_page(&page, dpi, noise, rng_seed)
}

/// What one document will be.
#[derive(Debug, Clone, Copy)]
struct Plan {
    rendering: Rendering,
    defect: bool,
}

/// Decides renderings and defects for `n` documents, with exact (rounded) shares.
fn plan(
    rng: &mut ChaCha8Rng,
    n: usize,
    scanned: f32,
    photo_of_scanned: f32,
    defective: f32,
) -> Vec<Plan> {
    let count =
        |share: f32, of: usize| ((share.clamp(0.0, 1.0) * of as f32).round() as usize).min(of);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let n_scanned = count(scanned, n);
    let n_photo = count(photo_of_scanned, n_scanned);
    let mut plans = vec![
        Plan {
            rendering: Rendering::TextPdf,
            defect: false
        };
        n
    ];
    for (rank, &i) in order.iter().take(n_scanned).enumerate() {
        plans[i].rendering = if rank < n_photo {
            Rendering::Photo
        } else {
            Rendering::Scan
        };
    }
    order.shuffle(rng);
    for &i in order.iter().take(count(defective, n)) {
        plans[i].defect = true;
    }
    plans
}

/// Mixes the corpus seed with a document's kind and index into that document's own seed.
fn doc_seed(seed: u64, kind: u64, index: u64) -> u64 {
    let mut z =
        seed ^ kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Turns a laid-out page into file bytes and an extension.
fn encode(
    page: &page::Page,
    rendering: Rendering,
    scan_dpi: u32,
    rng: &mut ChaCha8Rng,
) -> (Vec<u8>, &'static str) {
    match rendering {
        Rendering::TextPdf => (pdf::render_page_pdf(page), "pdf"),
        Rendering::Scan => {
            let paper = rng.random_range(236..=250u8);
            let noise = ScanNoise {
                max_rotation_deg: rng.random_range(0.3..1.0),
                noise_sigma: rng.random_range(3.0..8.0),
                speckles_per_megapixel: rng.random_range(3.0..20.0),
                blur: rng.random_range(0.3..0.7),
                paper_level: paper,
                ink_level: rng.random_range(25..=60),
                lighting_falloff: rng.random_range(0.0..0.06),
                page_scale: 1.0,
                background_level: paper,
            };
            let img = raster::rasterize_page(page, scan_dpi, &noise, rng.random());
            (raster::encode_png(&img, scan_dpi), "png")
        }
        Rendering::Photo => {
            let dpi = rng.random_range(150..=200u32);
            let noise = ScanNoise {
                max_rotation_deg: rng.random_range(1.0..2.0),
                noise_sigma: rng.random_range(8.0..13.0),
                speckles_per_megapixel: rng.random_range(15.0..50.0),
                blur: rng.random_range(0.6..1.0),
                paper_level: rng.random_range(210..=232),
                ink_level: rng.random_range(50..=80),
                lighting_falloff: rng.random_range(0.18..0.32),
                page_scale: rng.random_range(0.93..0.97),
                background_level: rng.random_range(60..=100),
            };
            let img = raster::rasterize_page(page, dpi, &noise, rng.random());
            (
                raster::encode_jpeg(&img, dpi, rng.random_range(65..=75)),
                "jpg",
            )
        }
    }
}

/// Generates the corpus described by `options`: invoices first, then identity pages.
pub fn generate(options: &GeneratorOptions) -> Vec<GeneratedDocument> {
    let mut master = ChaCha8Rng::seed_from_u64(options.seed);
    let invoice_plans = plan(
        &mut master,
        options.invoices,
        options.scanned_share,
        0.3,
        options.defect_share,
    );
    let identity_plans = plan(
        &mut master,
        options.identities,
        options.scanned_share,
        0.5,
        options.defect_share,
    );
    let mut docs = Vec::with_capacity(options.invoices + options.identities);
    for (i, p) in invoice_plans.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(doc_seed(options.seed, 1, i as u64));
        let inv = invoice::build_invoice(&mut rng, p.defect);
        let (page, _layout) = invoice::render_invoice(&mut rng, &inv);
        let (bytes, ext) = encode(&page, p.rendering, options.scan_dpi, &mut rng);
        docs.push(GeneratedDocument {
            file_name: format!("invoice-{:04}.{ext}", i + 1),
            bytes,
            kind: "invoice",
            rendering: p.rendering,
            fields: inv.fields(),
            line_items: inv.line_truth(),
            defects: inv.defects.clone(),
        });
    }
    for (i, p) in identity_plans.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(doc_seed(options.seed, 2, i as u64));
        let id = identity::build_identity(&mut rng, p.defect);
        let page = identity::render_identity(&id);
        let (bytes, ext) = encode(&page, p.rendering, options.scan_dpi, &mut rng);
        docs.push(GeneratedDocument {
            file_name: format!("identity-{:04}.{ext}", i + 1),
            bytes,
            kind: "identity",
            rendering: p.rendering,
            fields: id.fields(),
            line_items: Vec::new(),
            defects: id.defects.clone(),
        });
    }
    docs
}

/// The demo corpus: 30 invoices and 6 identity pages, a quarter of them scanned or
/// photographed, a fifth with a planted defect, scans at 200 dpi.
pub fn demo_batch(seed: u64) -> Vec<GeneratedDocument> {
    generate(&GeneratorOptions {
        seed,
        invoices: 30,
        identities: 6,
        scanned_share: 0.25,
        defect_share: 0.2,
        scan_dpi: 200,
    })
}

/// One line of `truth.jsonl`: `{"file","kind","rendering","fields","line_items","defects"}`.
pub fn truth_line(doc: &GeneratedDocument) -> serde_json::Value {
    serde_json::json!({
        "file": doc.file_name,
        "kind": doc.kind,
        "rendering": doc.rendering,
        "fields": doc.fields,
        "line_items": doc.line_items,
        "defects": doc.defects,
    })
}

/// Writes every document into `dir` (created if missing) plus `truth.jsonl` with one
/// [`truth_line`] per document, in order.
pub fn write_corpus(dir: &Path, docs: &[GeneratedDocument]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut truth = Vec::new();
    for doc in docs {
        std::fs::write(dir.join(&doc.file_name), &doc.bytes)?;
        serde_json::to_writer(&mut truth, &truth_line(doc))?;
        truth.write_all(b"\n")?;
    }
    std::fs::write(dir.join("truth.jsonl"), truth)
}

#[cfg(test)]
mod tests;
