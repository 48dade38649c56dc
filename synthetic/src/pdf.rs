//! Text PDFs written with lopdf using the standard-14 fonts and WinAnsiEncoding.

use std::fmt::Write as _;

use lopdf::{Document, Object, Stream, dictionary};

use crate::page::{Family, Page};

/// Encodes `text` as WinAnsiEncoding (Windows-1252) bytes. Latin-1 maps directly, `€` is 0x80,
/// a few typographic marks use their 0x80–0x9F slots, and anything else becomes `?`.
pub(crate) fn winansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' | '\u{a0}'..='\u{ff}' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            _ => b'?',
        })
        .collect()
}

/// Writes `bytes` as a PDF literal string, escaping `(`, `)` and `\`.
fn push_literal(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'(');
    for &b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
    out.push(b')');
}

/// A compact decimal for content streams (at most two decimals, no trailing zeros).
fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Serialises a page into a one-page PDF.
pub(crate) fn render_page_pdf(page: &Page) -> Vec<u8> {
    let (w, h) = page.size;
    let mut content = Vec::<u8>::new();
    let mut line = String::new();
    for r in &page.rules {
        line.clear();
        let _ = writeln!(
            line,
            "{} g {} {} {} {} re f",
            num(r.gray),
            num(r.x),
            num(h - r.y - r.h),
            num(r.w),
            num(r.h)
        );
        content.extend_from_slice(line.as_bytes());
    }
    content.extend_from_slice(b"0 g\n");
    for t in &page.texts {
        let font = match (t.monospace, t.bold) {
            (true, false) => "F3",
            (true, true) => "F4",
            (false, false) => "F1",
            (false, true) => "F2",
        };
        line.clear();
        let _ = write!(
            line,
            "BT /{font} {} Tf {} {} Td ",
            num(t.size),
            num(t.x),
            num(h - t.y)
        );
        content.extend_from_slice(line.as_bytes());
        push_literal(&mut content, &winansi(&t.text));
        content.extend_from_slice(b" Tj ET\n");
    }

    let (regular, bold) = match page.family {
        Family::Sans => ("Helvetica", "Helvetica-Bold"),
        Family::Serif => ("Times-Roman", "Times-Bold"),
    };
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => Object::Name(name.as_bytes().to_vec()),
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let f1 = doc.add_object(font(regular));
    let f2 = doc.add_object(font(bold));
    let f3 = doc.add_object(font("Courier"));
    let f4 = doc.add_object(font("Courier-Bold"));
    let resources = dictionary! {
        "Font" => dictionary! { "F1" => f1, "F2" => f2, "F3" => f3, "F4" => f4 },
    };
    let mut stream = Stream::new(dictionary! {}, content);
    // Compression only fails on I/O errors writing to memory; an uncompressed stream is valid too.
    let _ = stream.compress();
    let content_id = doc.add_object(stream);
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => resources,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! {
        "Producer" => Object::string_literal("tramite-synthetic"),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .expect("writing a PDF to memory cannot fail");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PlacedText;

    fn placed(text: &str, y: f32) -> PlacedText {
        PlacedText {
            x: 50.0,
            y,
            size: 11.0,
            text: text.to_string(),
            bold: false,
            monospace: false,
        }
    }

    #[test]
    fn winansi_maps_latin1_and_the_euro_sign() {
        assert_eq!(winansi("Año 1.234,56 €"), b"A\xf1o 1.234,56 \x80".to_vec());
        assert_eq!(winansi("日"), b"?".to_vec());
    }

    #[test]
    fn extracted_text_keeps_accents_euro_and_parentheses() {
        let lines = vec![
            placed("Factura nº F-2026/001 (copia)", 80.0),
            placed("Número de identificación: ÁÉÍÓÚ ñ ü ç", 100.0),
            placed("Total a pagar: 1.234,56 €", 120.0),
            placed(r"Ruta C:\facturas\", 140.0),
        ];
        let bytes = crate::render_text_pdf(&lines, crate::page::A4);
        let doc = lopdf::Document::load_mem(&bytes).expect("PDF loads");
        let text = doc.extract_text(&[1]).expect("text extracts");
        for l in &lines {
            assert!(text.contains(&l.text), "missing {:?} in {text:?}", l.text);
        }
    }
}
