//! Rasterises a page with the embedded DejaVu fonts and degrades it like a scanner or a phone
//! camera would: rotation, blur, lowered contrast, uneven lighting, pixel noise and speckles.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use image::codecs::jpeg::{JpegEncoder, PixelDensity};
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, GrayImage, ImageEncoder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::PlacedText;
use crate::page::{Family, Page, text_width};

/// How a rendered page is degraded. Random quantities (the rotation angle, the lighting
/// direction, noise and speckle positions) are drawn from the seed given to the renderer, so a
/// `ScanNoise` plus a seed fully determines the image.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanNoise {
    /// Largest rotation, in degrees; the actual angle is uniform in ±this.
    pub max_rotation_deg: f32,
    /// Standard deviation of the per-pixel gaussian noise, in gray levels.
    pub noise_sigma: f32,
    /// Mean number of dark specks per megapixel.
    pub speckles_per_megapixel: f32,
    /// Blur strength from 0 (sharp) to 1 (a full 3×3 binomial blur).
    pub blur: f32,
    /// Gray level of blank paper (255 = white).
    pub paper_level: u8,
    /// Gray level of full ink (0 = black); raising it lowers contrast.
    pub ink_level: u8,
    /// How much darker the dimmest part of the page is than the brightest (0 = even light).
    pub lighting_falloff: f32,
    /// Size of the page within the image (1 = fills it); below 1 leaves a margin.
    pub page_scale: f32,
    /// Gray level of whatever is behind the page (the margin left by `page_scale` or rotation).
    pub background_level: u8,
}

impl ScanNoise {
    /// No degradation at all: an ideal rasterisation on white.
    pub fn none() -> Self {
        ScanNoise {
            max_rotation_deg: 0.0,
            noise_sigma: 0.0,
            speckles_per_megapixel: 0.0,
            blur: 0.0,
            paper_level: 255,
            ink_level: 0,
            lighting_falloff: 0.0,
            page_scale: 1.0,
            background_level: 255,
        }
    }

    /// A typical office flatbed scan: moderate, OCR-friendly degradation.
    pub fn scan() -> Self {
        ScanNoise {
            max_rotation_deg: 1.0,
            noise_sigma: 6.0,
            speckles_per_megapixel: 12.0,
            blur: 0.5,
            paper_level: 242,
            ink_level: 45,
            lighting_falloff: 0.03,
            page_scale: 1.0,
            background_level: 242,
        }
    }

    /// A phone photo of a page on a desk: stronger noise, uneven light, a visible background.
    pub fn photo() -> Self {
        ScanNoise {
            max_rotation_deg: 2.0,
            noise_sigma: 10.0,
            speckles_per_megapixel: 30.0,
            blur: 0.8,
            paper_level: 225,
            ink_level: 65,
            lighting_falloff: 0.28,
            page_scale: 0.95,
            background_level: 80,
        }
    }
}

impl Default for ScanNoise {
    /// The same as [`ScanNoise::scan`].
    fn default() -> Self {
        ScanNoise::scan()
    }
}

struct Fonts {
    sans: FontRef<'static>,
    serif: FontRef<'static>,
    mono: FontRef<'static>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let load = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).expect("embedded DejaVu font parses")
        };
        Fonts {
            sans: load(include_bytes!("../fonts/DejaVuSans.ttf")),
            serif: load(include_bytes!("../fonts/DejaVuSerif.ttf")),
            mono: load(include_bytes!("../fonts/DejaVuSansMono.ttf")),
        }
    })
}

/// Ink coverage of the page, 0 (none) to 255 (full), one byte per pixel.
struct Coverage {
    w: usize,
    h: usize,
    data: Vec<u8>,
}

impl Coverage {
    fn put(&mut self, x: i64, y: i64, v: u8) {
        if x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h {
            let p = &mut self.data[y as usize * self.w + x as usize];
            if v > *p {
                *p = v;
            }
        }
    }
}

fn draw_rules(cov: &mut Coverage, page: &Page, k: f32) {
    for r in &page.rules {
        let x0 = (r.x * k).round() as i64;
        let y0 = (r.y * k).round() as i64;
        let x1 = ((r.x + r.w) * k).round().max(x0 as f32 + 1.0) as i64;
        let y1 = ((r.y + r.h) * k).round().max(y0 as f32 + 1.0) as i64;
        let v = ((1.0 - r.gray.clamp(0.0, 1.0)) * 255.0).round() as u8;
        let (x0, x1) = (x0.max(0), x1.min(cov.w as i64));
        let (y0, y1) = (y0.max(0), y1.min(cov.h as i64));
        for y in y0..y1 {
            let row = y as usize * cov.w;
            for p in &mut cov.data[row + x0 as usize..row + x1.max(x0) as usize] {
                *p = (*p).max(v);
            }
        }
    }
}

fn draw_text(cov: &mut Coverage, t: &PlacedText, family: Family, k: f32) {
    let fonts = fonts();
    let font = if t.monospace {
        &fonts.mono
    } else if family == Family::Serif {
        &fonts.serif
    } else {
        &fonts.sans
    };
    let em_px = t.size * k;
    let upem = font.units_per_em().unwrap_or(2048.0);
    let sy = em_px * font.height_unscaled() / upem;

    // Match the advance width of the PDF's standard font, so both renderings share a layout.
    let natural = {
        let sf = font.as_scaled(PxScale { x: sy, y: sy });
        let mut w = 0.0;
        let mut prev: Option<GlyphId> = None;
        for c in t.text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                w += sf.kern(p, id);
            }
            w += sf.h_advance(id);
            prev = Some(id);
        }
        w
    };
    let target = text_width(&t.text, t.size, family, t.bold, t.monospace) * k;
    let squeeze = if natural > 0.0 {
        (target / natural).clamp(0.75, 1.15)
    } else {
        1.0
    };
    let scale = PxScale {
        x: sy * squeeze,
        y: sy,
    };
    let sf = font.as_scaled(scale);
    let embolden = if t.bold {
        (em_px * 0.035).round().max(1.0) as i64
    } else {
        0
    };

    let baseline = t.y * k;
    let mut caret = t.x * k;
    let mut prev: Option<GlyphId> = None;
    for c in t.text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = prev {
            caret += sf.kern(p, id);
        }
        let glyph = id.with_scale_and_position(scale, point(caret, baseline));
        caret += sf.h_advance(id);
        prev = Some(id);
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (bx, by) = (b.min.x as i64, b.min.y as i64);
            outline.draw(|gx, gy, a| {
                let v = (a.clamp(0.0, 1.0) * 255.0).round() as u8;
                if v == 0 {
                    return;
                }
                for dx in 0..=embolden {
                    cov.put(bx + i64::from(gx) + dx, by + i64::from(gy), v);
                }
            });
        }
    }
}

/// Mixes a 3×3 binomial blur into the coverage with the given strength.
fn blur(cov: &mut Coverage, strength: f32) {
    if strength <= 0.0 {
        return;
    }
    let (w, h) = (cov.w, cov.h);
    if w < 3 || h < 3 {
        return;
    }
    let s = (strength.clamp(0.0, 1.0) * 256.0) as u32;
    let src = &cov.data;
    let mut tmp = vec![0u16; w * h];
    for y in 0..h {
        let row = &src[y * w..(y + 1) * w];
        let out = &mut tmp[y * w..(y + 1) * w];
        out[0] = u16::from(row[0]) * 3 + u16::from(row[1]);
        for x in 1..w - 1 {
            out[x] = u16::from(row[x - 1]) + 2 * u16::from(row[x]) + u16::from(row[x + 1]);
        }
        out[w - 1] = u16::from(row[w - 2]) + 3 * u16::from(row[w - 1]);
    }
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        let up = y.saturating_sub(1);
        let down = (y + 1).min(h - 1);
        let (a, b, c) = (
            &tmp[up * w..up * w + w],
            &tmp[y * w..y * w + w],
            &tmp[down * w..down * w + w],
        );
        let orig = &src[y * w..y * w + w];
        let dst = &mut out[y * w..y * w + w];
        for x in 0..w {
            let blurred = (u32::from(a[x]) + 2 * u32::from(b[x]) + u32::from(c[x]) + 8) / 16;
            let o = u32::from(orig[x]);
            let mixed = (o * (256 - s) + blurred * s + 128) / 256;
            dst[x] = mixed.min(255) as u8;
        }
    }
    cov.data = out;
}

/// A small, fast generator for per-pixel noise (xorshift32), seeded from the page's RNG.
struct XorShift(u32);

impl XorShift {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// Rasterises and degrades a page. The image is `round(size × dpi / 72)` pixels on each side.
pub(crate) fn rasterize_page(page: &Page, dpi: u32, noise: &ScanNoise, seed: u64) -> GrayImage {
    let k = dpi.max(1) as f32 / 72.0;
    let w = ((page.size.0 * k).round() as usize).max(1);
    let h = ((page.size.1 * k).round() as usize).max(1);
    let mut cov = Coverage {
        w,
        h,
        data: vec![0u8; w * h],
    };
    draw_rules(&mut cov, page, k);
    for t in &page.texts {
        draw_text(&mut cov, t, page.family, k);
    }
    blur(&mut cov, noise.blur);

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let angle = if noise.max_rotation_deg > 0.0 {
        rng.random_range(-1.0f32..=1.0) * noise.max_rotation_deg
    } else {
        0.0
    };
    let light_dir: f32 = rng.random_range(0.0..std::f32::consts::TAU);
    let mut xs = XorShift(rng.random::<u32>() | 1);
    let gauss: Vec<f32> = (0..4096)
        .map(|_| {
            // Box–Muller
            let u1: f32 = rng.random_range(f32::EPSILON..1.0);
            let u2: f32 = rng.random::<f32>();
            (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos() * noise.noise_sigma
        })
        .collect();

    let (sin, cos) = angle.to_radians().sin_cos();
    let ps = noise.page_scale.clamp(0.5, 1.0);
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let paper = f32::from(noise.paper_level);
    let ink = f32::from(noise.ink_level);
    let background = f32::from(noise.background_level);
    let (ldx, ldy) = (light_dir.cos(), light_dir.sin());
    let falloff = noise.lighting_falloff.clamp(0.0, 0.9);
    let rotated = angle.abs() > 1e-3 || ps < 1.0;
    let with_noise = noise.noise_sigma > 0.0;

    let mut out = vec![0u8; w * h];
    let src = &cov.data;
    for y in 0..h {
        let dy = y as f32 + 0.5 - cy;
        let ny = dy / cy;
        let row = &mut out[y * w..(y + 1) * w];
        for (x, px) in row.iter_mut().enumerate() {
            let dx = x as f32 + 0.5 - cx;
            let (c, inside) = if rotated {
                // Inverse-map the output pixel into the page (bilinear).
                let sx = (cos * dx + sin * dy) / ps + cx - 0.5;
                let sy = (-sin * dx + cos * dy) / ps + cy - 0.5;
                let inside = sx >= -0.5 && sy >= -0.5 && sx < w as f32 - 0.5 && sy < h as f32 - 0.5;
                if !inside {
                    (0.0, false)
                } else {
                    let x0 = sx.floor();
                    let y0 = sy.floor();
                    let (fx, fy) = (sx - x0, sy - y0);
                    let (x0, y0) = (x0 as i64, y0 as i64);
                    let at = |xx: i64, yy: i64| -> f32 {
                        if xx < 0 || yy < 0 || xx >= w as i64 || yy >= h as i64 {
                            0.0
                        } else {
                            f32::from(src[yy as usize * w + xx as usize])
                        }
                    };
                    let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
                    let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
                    ((top * (1.0 - fy) + bottom * fy) / 255.0, true)
                }
            } else {
                (f32::from(src[y * w + x]) / 255.0, true)
            };
            let light = if falloff > 0.0 {
                let nx = dx / cx;
                let t = 0.5 + 0.35 * (nx * ldx + ny * ldy);
                let r2 = (nx * nx + ny * ny) * 0.25;
                1.0 - falloff * (0.7 * t + 0.3 * r2).clamp(0.0, 1.0)
            } else {
                1.0
            };
            let base = if inside {
                paper + (ink - paper) * c
            } else {
                background
            };
            let mut v = base * light;
            if with_noise {
                v += gauss[(xs.next() >> 20) as usize];
            }
            *px = v.clamp(0.0, 255.0) as u8;
        }
    }

    // Specks of dust and toner.
    let megapixels = (w * h) as f32 / 1e6;
    let expected = noise.speckles_per_megapixel * megapixels;
    if expected > 0.0 {
        let count = (expected * rng.random_range(0.5f32..1.5)).round() as usize;
        for _ in 0..count {
            let sx = rng.random_range(0.0..w as f32);
            let sy = rng.random_range(0.0..h as f32);
            let r = rng.random_range(0.6f32..1.8);
            let level = rng.random_range(20.0f32..140.0);
            let ri = r.ceil() as i64;
            for yy in (sy as i64 - ri)..=(sy as i64 + ri) {
                for xx in (sx as i64 - ri)..=(sx as i64 + ri) {
                    if xx < 0 || yy < 0 || xx >= w as i64 || yy >= h as i64 {
                        continue;
                    }
                    let d =
                        ((xx as f32 + 0.5 - sx).powi(2) + (yy as f32 + 0.5 - sy).powi(2)).sqrt();
                    let a = (r + 0.5 - d).clamp(0.0, 1.0);
                    if a > 0.0 {
                        let p = &mut out[yy as usize * w + xx as usize];
                        let v = f32::from(*p) * (1.0 - a) + level.min(f32::from(*p)) * a;
                        *p = v as u8;
                    }
                }
            }
        }
    }

    GrayImage::from_raw(w as u32, h as u32, out).expect("buffer matches dimensions")
}

/// CRC-32 (ISO-HDLC) as used by PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Encodes a grayscale page as PNG with a pHYs chunk recording its resolution (OCR engines
/// use it to judge text size).
pub(crate) fn encode_png(img: &GrayImage, dpi: u32) -> Vec<u8> {
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            ExtendedColorType::L8,
        )
        .expect("PNG encoding to memory cannot fail");
    // Insert pHYs right after IHDR (8-byte signature + 25-byte IHDR chunk).
    let ppm = (dpi as f64 / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    let mut body = Vec::with_capacity(13);
    body.extend_from_slice(b"pHYs");
    body.extend_from_slice(&ppm.to_be_bytes());
    body.extend_from_slice(&ppm.to_be_bytes());
    body.push(1); // unit: metre
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    let at = 8 + 25;
    if png.len() > at && &png[12..16] == b"IHDR" {
        png.splice(at..at, chunk);
    }
    png
}

/// Encodes a grayscale page as baseline JPEG at the given quality, recording its resolution.
pub(crate) fn encode_jpeg(img: &GrayImage, dpi: u32, quality: u8) -> Vec<u8> {
    let mut jpg = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut jpg, quality);
    enc.set_pixel_density(PixelDensity::dpi(dpi.min(u32::from(u16::MAX)) as u16));
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        ExtendedColorType::L8,
    )
    .expect("JPEG encoding to memory cannot fail");
    jpg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn a_clean_rasterisation_puts_ink_where_the_text_is() {
        let lines = vec![PlacedText {
            x: 10.0,
            y: 30.0,
            size: 20.0,
            text: "HHHH".into(),
            bold: true,
            monospace: false,
        }];
        let img = crate::render_scan(&lines, (100.0, 50.0), 72, &ScanNoise::none(), 1);
        assert_eq!(img.dimensions(), (100, 50));
        let dark = img.pixels().filter(|p| p.0[0] < 128).count();
        assert!(dark > 100, "only {dark} dark pixels");
        // Nothing above the cap height or left of the text.
        assert!(img.get_pixel(2, 2).0[0] == 255);
        assert!(img.get_pixel(5, 25).0[0] == 255);
    }

    #[test]
    fn png_output_carries_the_resolution() {
        let img = GrayImage::from_pixel(4, 3, image::Luma([200]));
        let png = encode_png(&img, 200);
        let decoded = image::load_from_memory(&png).expect("decodes").to_luma8();
        assert_eq!(decoded.dimensions(), (4, 3));
        assert_eq!(&png[37..41], b"pHYs");
    }
}
