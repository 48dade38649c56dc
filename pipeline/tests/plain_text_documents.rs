//! Issue 3: a plain-text invoice (`.txt`) is read like a page, through
//! `extract_document`, while a text file named as a PDF is still refused.

use tramite_pipeline::extract::{extract_document, ExtractOptions};
use tramite_pipeline::extraction::{DocumentKind, TextSource};
use tramite_pipeline::read::ocr::FixedTextOcr;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn value(document: &tramite_pipeline::extraction::ExtractedDocument, field: &str) -> Option<String> {
    document.fields.get(field).map(|found| found.value.clone())
}

#[test]
fn a_spanish_text_invoice_yields_its_fields_with_the_text_layer_as_source() {
    let text = "\
Suministros Levante, S.L.                          FACTURA
CIF: B12345674
Nº Factura:   F2026-0042                 Fecha de emisión: 15 de marzo de 2026
Cliente:      Talleres Ruiz, S.A.
CIF: A58818501

Concepto                        Cant.     Precio      Importe
Revisión de maquinaria            2      100,00       200,00

                                  Base imponible       1.200,00
                                  IVA 21%                252,00
                                  Total factura        1.452,00 €
";
    let document = extract_document("factura-0042.txt", text.as_bytes(), &FixedTextOcr::default(), &ExtractOptions::default());
    assert!(document.error.is_none(), "{:?}", document.error);
    assert_eq!(document.kind, DocumentKind::Invoice);
    assert_eq!(document.source, Some(TextSource::TextLayer));
    assert_eq!(value(&document, "invoice_number").as_deref(), Some("F2026-0042"));
    assert_eq!(value(&document, "issue_date").as_deref(), Some("2026-03-15"));
    assert_eq!(value(&document, "subtotal").as_deref(), Some("1200.00"));
    assert_eq!(value(&document, "tax_amount").as_deref(), Some("252.00"));
    assert_eq!(value(&document, "total").as_deref(), Some("1452.00"));
    assert_eq!(value(&document, "currency").as_deref(), Some("EUR"));
}

#[test]
fn the_invoice2data_polish_text_invoice_reads_its_total_date_currency_and_tax_id() {
    let bytes = std::fs::read(format!("{CORPUS}/invoice2data/Orlen.txt")).unwrap();
    let document = extract_document("Orlen.txt", &bytes, &FixedTextOcr::default(), &ExtractOptions::default());
    assert!(document.error.is_none(), "{:?}", document.error);
    assert_eq!(value(&document, "issue_date").as_deref(), Some("2021-01-01"));
    assert_eq!(value(&document, "total").as_deref(), Some("316.83"));
    assert_eq!(value(&document, "currency").as_deref(), Some("PLN"));
    assert_eq!(value(&document, "supplier_tax_id").as_deref(), Some("7740001454"));
}

#[test]
fn a_text_file_named_as_a_pdf_is_still_unsupported() {
    let document = extract_document("notes.pdf", b"Dear supplier, this is not a PDF", &FixedTextOcr::default(), &ExtractOptions::default());
    assert_eq!(document.error.map(|error| error.code).as_deref(), Some("unsupported_format"));
}
