//! Rendering a PDF page to pixels, for the scanned page that is not one
//! image: its text drawn as outlines (no text layer, no image), or a scan
//! cut into strips or tiles, or a scan with a stamp or logo laid over it.
//! Every other scanned page gives its one image straight to OCR
//! ([`super::pdf`]); rendering is the fallback, never the first choice.
//!
//! [`PageRenderer`] is the trait (the renderer is an outside program);
//! [`PdftoppmRenderer`] runs poppler's `pdftoppm` (Debian package
//! `poppler-utils`, which `scripts/install-dependencies.sh` installs), with
//! a time limit; [`super::pdf`] chooses a resolution that keeps the page
//! within [`ReadLimits::max_image_pixels`].

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use image::GrayImage;

use super::image_file::decode_image_within_limits;
use super::ReadLimits;

/// The resolution pages are rendered at for OCR, in dots per inch.
pub const RENDERING_DOTS_PER_INCH: u32 = 300;

/// Renders one page of a PDF to a grayscale image.
pub trait PageRenderer: Send + Sync + std::fmt::Debug {
    /// Page `page_number` (1-based) of the PDF `pdf`, at `dots_per_inch`
    /// (the caller keeps it within the pixel limit for the page's size; the
    /// rendered image is checked against `limits` again), or why it could not
    /// be rendered, in words for the document's error.
    fn render_page(&self, pdf: &[u8], page_number: u32, dots_per_inch: u32, limits: &ReadLimits) -> Result<GrayImage, String>;
}

/// Renders with poppler's `pdftoppm`, the PDF on its standard input and the
/// PNG on its standard output, killed after [`PdftoppmRenderer::time_limit`].
#[derive(Debug, Clone)]
pub struct PdftoppmRenderer {
    /// How long one page may take before `pdftoppm` is killed (a hostile
    /// PDF can make a renderer loop).
    pub time_limit: Duration,
}

impl Default for PdftoppmRenderer {
    fn default() -> Self {
        PdftoppmRenderer { time_limit: Duration::from_secs(60) }
    }
}

impl PageRenderer for PdftoppmRenderer {
    fn render_page(&self, pdf: &[u8], page_number: u32, dots_per_inch: u32, limits: &ReadLimits) -> Result<GrayImage, String> {
        let mut child = Command::new("pdftoppm")
            .args(["-gray", "-png", "-r", &dots_per_inch.to_string(), "-f", &page_number.to_string(), "-l", &page_number.to_string(), "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("the page could not be rendered: pdftoppm did not start ({error}); install poppler-utils"))?;
        // Feed the PDF from another thread: pdftoppm may start writing
        // before it has read everything, and both pipes must keep moving.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let pdf = pdf.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&pdf);
        });
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let reader = std::thread::spawn(move || {
            let mut png = Vec::new();
            let _ = stdout.read_to_end(&mut png);
            png
        });
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > self.time_limit => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let _ = feeder.join();
                    let _ = reader.join();
                    return Err(format!("rendering page {page_number} took over {} s and was stopped", self.time_limit.as_secs()));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(error) => return Err(format!("rendering page {page_number} failed: {error}")),
            }
        };
        let _ = feeder.join();
        let png = reader.join().unwrap_or_default();
        if !status.success() || png.is_empty() {
            return Err(format!("pdftoppm could not render page {page_number} ({status})"));
        }
        decode_image_within_limits(&png, limits).map_err(|failure| format!("the rendered page {page_number} could not be decoded: {}", failure.message))
    }
}

/// Whether `pdftoppm` can be started here.
pub fn pdftoppm_available() -> bool {
    Command::new("pdftoppm").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}
