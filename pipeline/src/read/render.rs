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
        // Feed the PDF and collect the PNG on two threads of their own:
        // pdftoppm may start writing before it has read everything, and both
        // pipes must keep moving while this thread watches the clock.
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (status, png) = std::thread::scope(|scope| {
            scope.spawn(move || {
                let _ = stdin.write_all(pdf);
            });
            let reader = scope.spawn(move || {
                let mut png = Vec::new();
                let _ = stdout.read_to_end(&mut png);
                png
            });
            let started = Instant::now();
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) if started.elapsed() > self.time_limit => {
                        // Killing it closes both pipes, so both threads end.
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(format!("rendering page {page_number} took over {} s and was stopped", self.time_limit.as_secs()));
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                    Err(error) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(format!("rendering page {page_number} failed: {error}"));
                    }
                }
            };
            (status, reader.join().unwrap_or_default())
        });
        let status = status?;
        if !status.success() || png.is_empty() {
            return Err(format!("pdftoppm could not render page {page_number} ({status})"));
        }
        decode_image_within_limits(&png, limits).map_err(|failure| format!("the rendered page {page_number} could not be decoded: {}", failure.message))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A one-page blank A4 PDF, loaded.
    pub(crate) fn blank_a4_document() -> lopdf::Document {
        use lopdf::{dictionary, Document, Object};
        let mut document = Document::with_version("1.5");
        let pages_id = document.new_object_id();
        let page_id = document.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] });
        document.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
        let catalog_id = document.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        document.trailer.set("Root", catalog_id);
        document
    }

    /// [`blank_a4_document`] saved.
    fn blank_a4() -> Vec<u8> {
        let mut bytes = Vec::new();
        blank_a4_document().save_to(&mut bytes).expect("the PDF saves");
        bytes
    }

    #[test]
    fn pdftoppm_renders_a_page_at_the_asked_resolution() {
        let page = PdftoppmRenderer::default().render_page(&blank_a4(), 1, 72, &ReadLimits::default()).expect("the page renders");
        assert_eq!((page.width(), page.height()), (595, 842));
        assert!(page.pixels().all(|pixel| pixel[0] == 255), "a blank page renders white");
    }

    #[test]
    fn a_rendering_over_its_time_limit_is_stopped_and_says_so() {
        let renderer = PdftoppmRenderer { time_limit: Duration::ZERO };
        let error = renderer.render_page(&blank_a4(), 1, 300, &ReadLimits::default()).unwrap_err();
        assert_eq!(error, "rendering page 1 took over 0 s and was stopped");
    }

    #[test]
    fn a_page_the_pdf_does_not_have_is_an_error_not_an_image() {
        let error = PdftoppmRenderer::default().render_page(&blank_a4(), 2, 72, &ReadLimits::default()).unwrap_err();
        assert!(error.starts_with("pdftoppm could not render page 2"), "{error}");
    }
}
