//! A page as a list of placed strings and filled rectangles, shared by the PDF writer and the
//! rasteriser, plus text metrics of the standard PDF fonts for layout.

use crate::PlacedText;
use crate::metrics_tables::*;

/// A4 in points (210 × 297 mm), so that 200 dpi gives 1654 × 2339 pixels.
pub(crate) const A4: (f32, f32) = (595.28, 841.89);
/// US Letter in points (8.5 × 11 in).
pub(crate) const LETTER: (f32, f32) = (612.0, 792.0);

/// Typeface family of a whole page: Helvetica/DejaVu Sans or Times/DejaVu Serif.
/// Monospaced text is always Courier/DejaVu Sans Mono.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Sans,
    Serif,
}

/// A filled rectangle, in points from the top-left corner; `gray` is 0 (black) to 1 (white).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub gray: f32,
}

/// Everything drawn on one page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub size: (f32, f32),
    pub family: Family,
    pub texts: Vec<PlacedText>,
    pub rules: Vec<Rule>,
}

/// Advance width in points of `text` set at `size` in the given face.
pub(crate) fn text_width(
    text: &str,
    size: f32,
    family: Family,
    bold: bool,
    monospace: bool,
) -> f32 {
    if monospace {
        return text.chars().count() as f32 * 0.6 * size;
    }
    let (table, euro) = match (family, bold) {
        (Family::Sans, false) => (&HELVETICA_WIDTHS, HELVETICA_EURO),
        (Family::Sans, true) => (&HELVETICA_BOLD_WIDTHS, HELVETICA_BOLD_EURO),
        (Family::Serif, false) => (&TIMES_WIDTHS, TIMES_EURO),
        (Family::Serif, true) => (&TIMES_BOLD_WIDTHS, TIMES_BOLD_EURO),
    };
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            code @ 32..=255 => u32::from(table[(code - 32) as usize]),
            _ if c == '€' => u32::from(euro),
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

impl Page {
    pub fn new(size: (f32, f32), family: Family) -> Self {
        Page {
            size,
            family,
            texts: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Width of a string in this page's family.
    pub fn measure(&self, text: &str, size: f32, bold: bool) -> f32 {
        text_width(text, size, self.family, bold, false)
    }

    fn push(&mut self, x: f32, y: f32, size: f32, text: &str, bold: bool, monospace: bool) {
        if text.is_empty() {
            return;
        }
        self.texts.push(PlacedText {
            x,
            y,
            size,
            text: text.to_string(),
            bold,
            monospace,
        });
    }

    /// Regular text with its baseline at `y`.
    pub fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.push(x, y, size, text, false, false);
    }

    /// Bold text with its baseline at `y`.
    pub fn bold(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.push(x, y, size, text, true, false);
    }

    /// Regular or bold text.
    pub fn styled(&mut self, x: f32, y: f32, size: f32, text: &str, bold: bool) {
        self.push(x, y, size, text, bold, false);
    }

    /// Monospaced text.
    pub fn mono(&mut self, x: f32, y: f32, size: f32, text: &str, bold: bool) {
        self.push(x, y, size, text, bold, true);
    }

    /// Text whose right edge is at `right`.
    pub fn right(&mut self, right: f32, y: f32, size: f32, text: &str, bold: bool) {
        let w = self.measure(text, size, bold);
        self.push(right - w, y, size, text, bold, false);
    }

    /// Text centred on `cx`.
    pub fn center(&mut self, cx: f32, y: f32, size: f32, text: &str, bold: bool) {
        let w = self.measure(text, size, bold);
        self.push(cx - w / 2.0, y, size, text, bold, false);
    }

    /// A filled rectangle.
    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, gray: f32) {
        self.rules.push(Rule { x, y, w, h, gray });
    }

    /// A horizontal black line of thickness `t` with its top at `y`.
    pub fn hline(&mut self, x: f32, y: f32, w: f32, t: f32) {
        self.fill(x, y, w, t, 0.0);
    }

    /// A vertical black line.
    pub fn vline(&mut self, x: f32, y: f32, h: f32, t: f32) {
        self.fill(x, y, t, h, 0.0);
    }

    /// The outline of a rectangle.
    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, t: f32) {
        self.hline(x, y, w, t);
        self.hline(x, y + h - t, w, t);
        self.vline(x, y, h, t);
        self.vline(x + w - t, y, h, t);
    }
}

/// Pairs of texts whose boxes intersect, and texts crossed by a vertical rule (for tests).
#[cfg(test)]
pub(crate) fn collisions(page: &Page) -> Vec<String> {
    let bbox = |t: &PlacedText| {
        let w = text_width(&t.text, t.size, page.family, t.bold, t.monospace);
        (t.x, t.y - 0.72 * t.size, t.x + w, t.y + 0.2 * t.size)
    };
    let mut out = Vec::new();
    for (i, a) in page.texts.iter().enumerate() {
        let ba = bbox(a);
        for b in &page.texts[i + 1..] {
            let bb = bbox(b);
            if ba.0 < bb.2 - 0.5 && bb.0 < ba.2 - 0.5 && ba.1 < bb.3 - 0.5 && bb.1 < ba.3 - 0.5 {
                out.push(format!("{:?} overlaps {:?}", a.text, b.text));
            }
        }
        for r in page.rules.iter().filter(|r| r.w < 2.0 && r.h > 5.0) {
            if r.x + r.w > ba.0 - 1.0 && r.x < ba.2 + 1.0 && r.y < ba.3 && r.y + r.h > ba.1 {
                out.push(format!("{:?} touches a vertical rule at x={}", a.text, r.x));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helvetica_widths_match_the_afm_metrics() {
        // "Hello": H 722 + e 556 + l 222 + l 222 + o 556 = 2278 units.
        let w = text_width("Hello", 10.0, Family::Sans, false, false);
        assert!((w - 22.78).abs() < 1e-3);
        assert!((text_width("€", 10.0, Family::Sans, false, false) - 5.56).abs() < 1e-3);
        assert!((text_width("ABC", 10.0, Family::Sans, false, true) - 18.0).abs() < 1e-3);
    }
}
