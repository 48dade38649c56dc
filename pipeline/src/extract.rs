//! The one entry point that turns a file's bytes into the contract's
//! [`ExtractedDocument`]: `tramite extract` and the workers both call
//! [`extract_document`]. It never panics and never fails: a file that
//! cannot be read comes back with its `error` set.

use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::extraction::{DocumentKind, ExtractedDocument, ExtractedField, ExtractionFailure};
use crate::fields::find_invoice_fields;
use crate::mrz::{find_mrz, MrzRecord};
use crate::parse::date::format_date;
use crate::read::ocr::OcrEngine;
use crate::read::{read_document, ReadDocument, ReadFailure, ReadLimits, TextLine};

/// What extraction needs besides the bytes.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub limits: ReadLimits,
    /// The date MRZ birth-date centuries are judged against.
    pub today: NaiveDate,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions { limits: ReadLimits::default(), today: chrono::Utc::now().date_naive() }
    }
}

/// The sha256 of a file's bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Extracts one file. `file_label` is what the contract's `file` shows (the
/// path as given, or the uploaded name).
pub fn extract_document(file_label: &str, bytes: &[u8], ocr: &dyn OcrEngine, options: &ExtractOptions) -> ExtractedDocument {
    let mut document = ExtractedDocument {
        file: file_label.to_string(),
        sha256: sha256_hex(bytes),
        kind: DocumentKind::Unknown,
        pages: 0,
        source: None,
        fields: Default::default(),
        line_items: Vec::new(),
        error: None,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| read_document(bytes, ocr, &options.limits)));
    let read = match outcome {
        Ok(Ok(read)) => read,
        Ok(Err(failure)) => {
            document.error = Some(failure_to_contract(failure));
            return document;
        }
        Err(_) => {
            document.error = Some(ExtractionFailure {
                code: "corrupt".into(),
                message: "the file's structure crashed the reader; it is damaged or malformed: export or scan it again".into(),
            });
            return document;
        }
    };
    document.pages = read.pages;
    document.source = Some(read.source);
    fill_fields(&mut document, &read, options);
    document
}

/// The failure record for a file that could not be read.
pub fn failure_to_contract(failure: ReadFailure) -> ExtractionFailure {
    ExtractionFailure { code: failure.code.to_string(), message: failure.message }
}

/// Finds the fields in what was read: an identity document if a machine
/// readable zone is found, otherwise an invoice if it looks like one.
fn fill_fields(document: &mut ExtractedDocument, read: &ReadDocument, options: &ExtractOptions) {
    let texts: Vec<String> = read.lines.iter().map(|line| line.text.clone()).collect();
    let raw_fillers = texts.iter().map(|text| text.chars().filter(|character| matches!(character, '<' | '«')).count()).sum::<usize>();
    if let Some(record) = find_mrz(&texts, options.today).filter(|record| raw_fillers >= 4 && is_plausible_mrz(record)) {
        document.kind = DocumentKind::Identity;
        let mrz_line = mrz_anchor_line(&read.lines, &record);
        fill_identity_fields(document, &record, mrz_line);
        return;
    }
    let invoice = find_invoice_fields(&read.lines);
    let looks_like_invoice = ["invoice_number", "total", "subtotal", "tax_amount"].iter().filter(|name| invoice.fields.contains_key(**name)).count() >= 1;
    if looks_like_invoice {
        document.kind = DocumentKind::Invoice;
        document.fields = invoice.fields;
        document.line_items = invoice.line_items;
    }
}

/// Ordinary text can be bent into MRZ shape; a real zone starts with a
/// document code, is padded with `<` fillers (some of which the reader saw
/// as `<`: the caller counts them in the raw text), and, even when tampered
/// with or misread, has at least two check digits that hold.
fn is_plausible_mrz(record: &MrzRecord) -> bool {
    let starts_with_document_code = record.lines.first().and_then(|line| line.chars().next()).is_some_and(|code| matches!(code, 'P' | 'I' | 'A' | 'C' | 'V'));
    let fillers = record.lines.iter().map(|line| line.matches('<').count()).sum::<usize>();
    let holding_check_digits = record.check_digits.iter().filter(|check| check.valid).count();
    starts_with_document_code && fillers >= 5 && holding_check_digits >= 2
}

fn mrz_anchor_line<'a>(lines: &'a [TextLine], record: &MrzRecord) -> Option<&'a TextLine> {
    let last_line = record.lines.last()?;
    let signature: String = last_line.chars().take(10).collect();
    lines.iter().find(|line| line.text.replace(' ', "").to_uppercase().contains(&signature)).or(lines.last())
}

fn fill_identity_fields(document: &mut ExtractedDocument, record: &MrzRecord, line: Option<&TextLine>) {
    let valid = record.all_check_digits_valid();
    let confidence = if valid { 0.97 } else { 0.5 };
    let (page, bbox, line_confidence) = line.map_or((1, None, 1.0), |line| (line.page, line.bbox, line.confidence.max(0.5)));
    let mut put = |name: &str, value: String, field_confidence: f32| {
        if !value.is_empty() {
            document.fields.insert(name.to_string(), ExtractedField { value, confidence: (field_confidence * line_confidence).min(1.0), page, bbox });
        }
    };
    put("document_type", record.document_type().to_string(), confidence);
    put("issuing_country", record.issuing_country.clone(), confidence);
    put("nationality", record.nationality.clone(), confidence);
    put("document_number", record.document_number.clone(), confidence);
    put("surname", record.surname.clone(), confidence);
    put("given_names", record.given_names.clone(), confidence);
    if let Some(birth_date) = record.birth_date {
        put("birth_date", format_date(birth_date), confidence);
    }
    if let Some(expiry_date) = record.expiry_date {
        put("expiry_date", format_date(expiry_date), confidence);
    }
    if let Some(sex) = record.sex {
        put("sex", sex.to_string(), confidence);
    }
    put("mrz", record.lines.join("\n"), confidence);
    put("mrz_valid", valid.to_string(), 0.99);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::ocr::FixedTextOcr;

    #[test]
    fn an_unreadable_file_comes_back_with_its_error_and_hash() {
        let document = extract_document("notes.pdf", b"just text", &FixedTextOcr::default(), &ExtractOptions::default());
        assert_eq!(document.error.unwrap().code, "unsupported_format");
        assert_eq!(document.sha256, sha256_hex(b"just text"));
        assert_eq!(document.kind, DocumentKind::Unknown);
    }
}
