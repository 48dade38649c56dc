//! The one entry point that turns a file's bytes into the contract's
//! [`ExtractedDocument`]: `tramite extract` and the workers both call
//! [`extract_document`]. It never panics and never fails: a file that
//! cannot be read comes back with its `error` set.
//!
//! Structured data wins over print. A standalone XML e-invoice is read from
//! its elements ([`crate::einvoice`], `source: "xml"`), never OCR'd. A PDF
//! that carries an e-invoice XML (Factur-X, ZUGFeRD, XRechnung) is read from
//! that XML too, and its text layer is not needed; only when the XML is a
//! partial Factur-X profile (MINIMUM, BASIC WL) does the visual reading
//! complete the identity fields and lines it lacks (then `source: "mixed"`),
//! never the amounts. [`ExtractOptions::ignore_embedded_xml`] skips the XML
//! so that the visual path can be scored on the same PDFs.
//!
//! A scanned invoice whose first OCR reading lacks fields or has amounts
//! that do not add up is read once more, laid out another way, and the two
//! readings are merged ([`crate::second_reading`]).

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use image::GrayImage;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::einvoice::pdf_attachment::{find_einvoice_attachment_in_document, may_carry_attachments};
use crate::einvoice::{parse_einvoice_xml, EInvoice, EInvoiceError};
use crate::extraction::{DocumentKind, ExtractedDocument, ExtractedField, ExtractionFailure, TextSource};
use crate::fields::find_invoice_fields;
use crate::identity::{page_may_be_identity_document, read_identity_page, IdentityReading, MrzFirstPageReader};
use crate::mrz::{find_mrz, MrzRecord};
use crate::read::image_file::{read_document_observing_pages, RecognizedPage};
use crate::read::pdf::{load_pdf, read_loaded_pdf_observing_pages, PdfToRead};
use crate::read::render::{PageRenderer, PdftoppmRenderer};
use crate::parse::date::format_date;
use crate::read::ocr::{merge_into_visual_rows, OcrEngine};
use crate::second_reading::{first_reading_needs_another, merge_second_reading};
use crate::templates::{template_for, SupplierTemplate};
use crate::read::plain_text::read_plain_text;
use crate::read::{check_file_size, sniff_format, FileFormat, ReadDocument, ReadFailure, ReadLimits, TextLine};

/// What extraction needs besides the bytes.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    pub limits: ReadLimits,
    /// The date MRZ birth-date centuries are judged against.
    pub today: NaiveDate,
    /// Ignore the e-invoice XML a PDF carries and read the PDF visually
    /// (text layer, OCR for scans): how the visual path is scored on
    /// Factur-X / ZUGFeRD files. Standalone XML files are read as XML
    /// whatever this says. Default `false`.
    pub ignore_embedded_xml: bool,
    /// Supplier templates ([`crate::templates`]): the first whose keywords
    /// a document holds reads the fields it names, over the generic
    /// finders. Default none.
    pub supplier_templates: Arc<Vec<SupplierTemplate>>,
    /// Renders a PDF page without text that is not one image (text drawn
    /// as outlines, a scan in strips) for OCR; `None` reads its largest
    /// image instead. Default: poppler's `pdftoppm`.
    pub page_renderer: Option<Arc<dyn PageRenderer>>,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            limits: ReadLimits::default(),
            today: chrono::Utc::now().date_naive(),
            ignore_embedded_xml: false,
            supplier_templates: Arc::new(Vec::new()),
            page_renderer: Some(Arc::new(PdftoppmRenderer::default())),
        }
    }
}

/// Fields the visual reading may add to a partial Factur-X profile's XML
/// values: who, when, which account. Amounts and the tax rate always come
/// from the XML alone (the XML leaves the rate out on purpose when there are
/// several).
const FIELDS_A_VISUAL_READING_MAY_COMPLETE: &[&str] =
    &["invoice_number", "issue_date", "due_date", "supplier_name", "supplier_tax_id", "customer_name", "customer_tax_id", "iban", "po_number"];

/// Fields both readings usually find: the visual reading completes the XML
/// only when it found at least one of them and gives each it found the
/// XML's value. A difference means it misread the page (a date read in the
/// wrong day/month order, a total taken from the wrong line).
const FIELDS_THE_VISUAL_READING_MUST_AGREE_ON: &[&str] = &["invoice_number", "issue_date", "total"];

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
    let outcome = catch_unwind(AssertUnwindSafe(|| extract_by_format(&mut document, bytes, ocr, options)));
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(failure)) => document.error = Some(failure),
        Err(_) => {
            document.kind = DocumentKind::Unknown;
            document.pages = 0;
            document.source = None;
            document.fields.clear();
            document.line_items.clear();
            document.error = Some(ExtractionFailure {
                code: "corrupt".into(),
                message: "the file's structure crashed the reader; it is damaged or malformed: export or scan it again".into(),
            });
        }
    }
    document
}

/// Chooses the reading: XML e-invoice, PDF with an e-invoice attachment, or
/// the visual path (text layer, OCR).
fn extract_by_format(document: &mut ExtractedDocument, bytes: &[u8], ocr: &dyn OcrEngine, options: &ExtractOptions) -> Result<(), ExtractionFailure> {
    match sniff_format(bytes) {
        FileFormat::Xml => {
            check_file_size(bytes, &options.limits).map_err(failure_to_contract)?;
            let einvoice = parse_einvoice_xml(bytes).map_err(|error| einvoice_failure_to_contract(&error))?;
            fill_from_einvoice(document, einvoice, 1);
            Ok(())
        }
        FileFormat::Pdf if !options.ignore_embedded_xml && may_carry_attachments(bytes) => {
            check_file_size(bytes, &options.limits).map_err(failure_to_contract)?;
            // Parsed once, for the attachment and, without one, the visual
            // reading. A PDF that cannot be parsed fails here as the visual
            // reading would fail on it (encrypted or corrupt).
            let pdf = load_pdf(bytes).map_err(failure_to_contract)?;
            // A PDF structure that trips lopdf here may still read visually.
            let attachment = catch_unwind(AssertUnwindSafe(|| find_einvoice_attachment_in_document(&pdf)))
                .ok()
                .flatten()
                .filter(|attachment| attachment.page_count <= options.limits.max_pages);
            if let Some(attachment) = attachment {
                match parse_einvoice_xml(&attachment.xml) {
                    Ok(einvoice) => {
                        let partial = einvoice.is_partial_profile();
                        fill_from_einvoice(document, einvoice, attachment.page_count);
                        if partial {
                            complete_from_visual_reading(document, PdfToRead { document: &pdf, bytes, renderer: options.page_renderer.as_deref() }, ocr, options);
                        }
                        return Ok(());
                    }
                    Err(error) => tracing::warn!(
                        code = error.failure_code(),
                        "the PDF's embedded e-invoice XML could not be read ({error}); reading the PDF visually"
                    ),
                }
            }
            extract_visually(document, bytes, Some(&pdf), ocr, options)
        }
        // A plain-text invoice (`.txt`): read as one text layer. A text file
        // named as anything else (`notes.pdf`) stays unsupported.
        FileFormat::Unknown if names_a_plain_text_file(&document.file) => {
            check_file_size(bytes, &options.limits).map_err(failure_to_contract)?;
            let read = read_plain_text(bytes).map_err(failure_to_contract)?;
            document.pages = read.pages;
            document.source = Some(read.source);
            fill_fields(document, &read, options);
            Ok(())
        }
        _ => extract_visually(document, bytes, None, ocr, options),
    }
}

/// Whether a file's name says it is plain text (`.txt`, `.text`).
fn names_a_plain_text_file(file_label: &str) -> bool {
    let lower = file_label.to_lowercase();
    lower.ends_with(".txt") || lower.ends_with(".text")
}

/// Reads the file's text (PDF text layer or OCR) and finds the fields in it.
/// A scanned page whose MRZ is found in its image is read MRZ first
/// ([`MrzFirstPageReader`]); one that otherwise looks like an identity
/// document has its MRZ band re-read with the MRZ alphabet; either way its
/// visual zone is read by label.
/// `loaded_pdf` is the file already parsed, when it is a PDF the caller
/// parsed.
fn extract_visually(
    document: &mut ExtractedDocument,
    bytes: &[u8],
    loaded_pdf: Option<&lopdf::Document>,
    ocr: &dyn OcrEngine,
    options: &ExtractOptions,
) -> Result<(), ExtractionFailure> {
    // A page whose MRZ is found in its image is read MRZ first (the band,
    // then only the visual zone above it); every other page as before.
    let mrz_first = MrzFirstPageReader::new(ocr, options.today);
    let mut identity: Option<IdentityReading> = None;
    let mut pages_kept = PagesKeptForASecondReading::default();
    let mut observe_page = |page: &RecognizedPage<'_>| {
        let read_mrz_first = mrz_first.take_identity_reading(page.page_number, page.lines);
        if identity.is_none() {
            identity = match read_mrz_first {
                Some(reading) => Some(reading),
                None if page_may_be_identity_document(page.lines) => read_identity_page(page.image, ocr, options.today, page.lines),
                None => None,
            }
            .filter(|reading| reading.mrz.is_plausible());
        }
        pages_kept.keep(page);
    };
    let read = match loaded_pdf {
        Some(pdf) => read_loaded_pdf_observing_pages(
            PdfToRead { document: pdf, bytes, renderer: options.page_renderer.as_deref() },
            &mrz_first,
            &options.limits,
            &mut observe_page,
        ),
        None => read_document_observing_pages(bytes, &mrz_first, &options.limits, &mut observe_page),
    }
    .map_err(failure_to_contract)?;
    document.pages = read.pages;
    document.source = Some(read.source);
    match identity {
        Some(reading) => fill_from_identity_reading(document, &reading),
        None => {
            fill_fields(document, &read, options);
            if first_reading_needs_another(document) {
                read_again_another_way(document, &read, &pages_kept, ocr, options);
            }
        }
    }
    Ok(())
}

/// Most pixels of OCR'd pages kept in memory for a second reading: about
/// seven A4 pages at 300 dpi. A longer scan is not read a second time.
const MOST_PIXELS_KEPT_FOR_A_SECOND_READING: u64 = 64_000_000;

/// The OCR'd pages of one file, upright and straightened as first read,
/// kept in case the first reading needs a second
/// ([`crate::second_reading`]).
#[derive(Default)]
struct PagesKeptForASecondReading {
    pages: Vec<(u32, GrayImage, u32)>,
    /// Pixels of every OCR'd page seen, kept or not.
    pixels: u64,
}

impl PagesKeptForASecondReading {
    fn keep(&mut self, page: &RecognizedPage<'_>) {
        self.pixels += u64::from(page.image.width()) * u64::from(page.image.height());
        if self.over_budget() {
            self.pages.clear();
        } else {
            self.pages.push((page.page_number, page.image.clone(), page.dots_per_inch));
        }
    }

    /// Whether the file's OCR'd pages were too many to keep them all.
    fn over_budget(&self) -> bool {
        self.pixels > MOST_PIXELS_KEPT_FOR_A_SECOND_READING
    }
}

/// Reads the OCR'd pages again, laid out another way, finds the fields in
/// that reading (text-layer pages as they were), and merges them into the
/// first reading's. The first reading stands when the engine has no other
/// way to read, a page fails, or the pages were too many to keep.
fn read_again_another_way(
    document: &mut ExtractedDocument,
    read: &ReadDocument,
    pages_kept: &PagesKeptForASecondReading,
    ocr: &dyn OcrEngine,
    options: &ExtractOptions,
) {
    if pages_kept.over_budget() || pages_kept.pages.is_empty() {
        return;
    }
    let mut second_lines_by_page: BTreeMap<u32, Vec<TextLine>> = BTreeMap::new();
    for (page_number, image, dots_per_inch) in &pages_kept.pages {
        match ocr.recognize_another_way(image, *page_number, Some(*dots_per_inch)) {
            Ok(Some(lines)) => {
                second_lines_by_page.insert(*page_number, merge_into_visual_rows(lines));
            }
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(page = page_number, %error, "a second reading of a scanned page failed; the first reading stands");
                return;
            }
        }
    }
    let mut first_lines_by_page: BTreeMap<u32, Vec<TextLine>> = BTreeMap::new();
    for line in &read.lines {
        first_lines_by_page.entry(line.page).or_default().push(line.clone());
    }
    let page_numbers: BTreeSet<u32> = first_lines_by_page.keys().chain(second_lines_by_page.keys()).copied().collect();
    let lines = page_numbers
        .into_iter()
        .flat_map(|page_number| second_lines_by_page.remove(&page_number).or_else(|| first_lines_by_page.remove(&page_number)).unwrap_or_default())
        .collect();
    let second_read = ReadDocument { pages: read.pages, source: read.source, lines };
    let mut second = ExtractedDocument { kind: DocumentKind::Unknown, fields: BTreeMap::new(), line_items: Vec::new(), ..document.clone() };
    fill_fields(&mut second, &second_read, options);
    merge_second_reading(document, second);
}

/// An identity page read from its MRZ band and visual zone.
fn fill_from_identity_reading(document: &mut ExtractedDocument, reading: &IdentityReading) {
    document.kind = DocumentKind::Identity;
    let line = TextLine { page: reading.page, text: String::new(), bbox: reading.mrz_bbox, confidence: reading.mrz_confidence, cells: Vec::new() };
    fill_identity_fields(document, &reading.mrz, Some(&line));
    let visual = [
        ("visual_surname", &reading.visual_surname),
        ("visual_given_names", &reading.visual_given_names),
        ("visual_birth_date", &reading.visual_birth_date),
        ("visual_expiry_date", &reading.visual_expiry_date),
    ];
    for (name, field) in visual {
        if let Some(field) = field {
            document.fields.insert(name.to_string(), ExtractedField { value: field.value.clone(), confidence: field.confidence, page: reading.page, bbox: field.bbox });
        }
    }
}

/// Puts an e-invoice's fields and lines on the document: every value from
/// the XML, `source: "xml"`.
fn fill_from_einvoice(document: &mut ExtractedDocument, einvoice: EInvoice, pages: u32) {
    document.kind = DocumentKind::Invoice;
    document.pages = pages;
    document.source = Some(TextSource::Xml);
    document.fields = einvoice.fields;
    document.line_items = einvoice.line_items;
}

/// Adds what a partial profile's XML lacks from the PDF's visual reading:
/// the fields of [`FIELDS_A_VISUAL_READING_MAY_COMPLETE`] the XML does not
/// have, and the lines when the XML has none, provided the visual reading
/// is confirmed by the XML on [`FIELDS_THE_VISUAL_READING_MUST_AGREE_ON`]. If
/// anything is added the source becomes `mixed`. A visual reading that
/// fails or disagrees changes nothing.
fn complete_from_visual_reading(document: &mut ExtractedDocument, pdf: PdfToRead<'_>, ocr: &dyn OcrEngine, options: &ExtractOptions) {
    let Ok(Ok(read)) = catch_unwind(AssertUnwindSafe(|| read_loaded_pdf_observing_pages(pdf, ocr, &options.limits, &mut |_| {}))) else { return };
    let visual = find_invoice_fields(&read.lines);
    let compared: Vec<bool> = FIELDS_THE_VISUAL_READING_MUST_AGREE_ON
        .iter()
        .filter_map(|name| Some(visual.fields.get(*name)?.value == document.fields.get(*name)?.value))
        .collect();
    let confirmed_by_the_xml = !compared.is_empty() && compared.iter().all(|agrees| *agrees);
    if !confirmed_by_the_xml {
        return;
    }
    let mut added_anything = false;
    for (name, field) in visual.fields {
        if FIELDS_A_VISUAL_READING_MAY_COMPLETE.contains(&name.as_str()) && !document.fields.contains_key(&name) {
            document.fields.insert(name, field);
            added_anything = true;
        }
    }
    if document.line_items.is_empty() && !visual.line_items.is_empty() {
        document.line_items = visual.line_items;
        added_anything = true;
    }
    if added_anything {
        document.source = Some(TextSource::Mixed);
    }
}

/// The failure record for a file that is XML but not a readable e-invoice.
pub fn einvoice_failure_to_contract(error: &EInvoiceError) -> ExtractionFailure {
    let advice = match error.failure_code() {
        "unsupported_format" => "; send it as one of these formats, or as a PDF",
        "too_large" => "; an e-invoice is far smaller: check that this is the right file",
        _ => "; ask the sender for a valid copy of the e-invoice",
    };
    ExtractionFailure { code: error.failure_code().to_string(), message: format!("{error}{advice}") }
}

/// The failure record for a file that could not be read.
pub fn failure_to_contract(failure: ReadFailure) -> ExtractionFailure {
    ExtractionFailure { code: failure.code.to_string(), message: failure.message }
}

/// Finds the fields in what was read: an identity document if a machine
/// readable zone is found, otherwise an invoice if it looks like one.
fn fill_fields(document: &mut ExtractedDocument, read: &ReadDocument, options: &ExtractOptions) {
    // A real zone has fillers, some of which the reader saw as `<` (or
    // `«`); a page without them (every invoice) skips the MRZ search.
    let raw_fillers = read.lines.iter().map(|line| line.text.chars().filter(|character| matches!(character, '<' | '«')).count()).sum::<usize>();
    let mrz = if raw_fillers >= 4 {
        let texts: Vec<String> = read.lines.iter().map(|line| line.text.clone()).collect();
        find_mrz(&texts, options.today).filter(MrzRecord::is_plausible)
    } else {
        None
    };
    if let Some(record) = mrz {
        document.kind = DocumentKind::Identity;
        let mrz_line = mrz_anchor_line(&read.lines, &record);
        fill_identity_fields(document, &record, mrz_line);
        return;
    }
    let mut invoice = find_invoice_fields(&read.lines);
    let template = template_for(&options.supplier_templates, &read.lines);
    if let Some(template) = template {
        invoice.fields.extend(template.read_fields(&read.lines));
    }
    // An invoice field that only invoices carry, or an invoice title with a
    // few fields found (a scan whose amounts the reader missed still goes to
    // review as an invoice, pre-filled).
    let has_invoice_field = ["invoice_number", "total", "subtotal", "tax_amount"].iter().any(|name| invoice.fields.contains_key(*name));
    let titled_invoice = read.lines.iter().take(25).any(|line| line.text.split("  ").any(crate::fields::is_title)) && invoice.fields.len() >= 3;
    let looks_like_invoice = has_invoice_field || titled_invoice || template.is_some();
    if looks_like_invoice {
        document.kind = DocumentKind::Invoice;
        document.fields = invoice.fields;
        document.line_items = invoice.line_items;
    }
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

    const UBL_INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>INV-7</cbc:ID><cbc:IssueDate>2026-03-15</cbc:IssueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">21.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>TOTAL</cac:LegalMonetaryTotal>
</Invoice>"#;

    #[test]
    fn an_xml_einvoice_is_extracted_from_its_elements_with_source_xml() {
        let xml = UBL_INVOICE.replace("TOTAL", r#"<cbc:TaxInclusiveAmount currencyID="EUR">121.00</cbc:TaxInclusiveAmount>"#);
        let document = extract_document("inv-7.xml", xml.as_bytes(), &FixedTextOcr::default(), &ExtractOptions::default());
        assert_eq!(document.error, None);
        assert_eq!(document.kind, DocumentKind::Invoice);
        assert_eq!(document.source, Some(TextSource::Xml));
        assert_eq!(document.pages, 1);
        assert_eq!(document.value("total"), Some("121.00"));
        assert_eq!(document.value("invoice_number"), Some("INV-7"));
        assert_eq!(serde_json::to_value(&document).unwrap()["source"], "xml");
    }

    #[test]
    fn an_xml_that_is_not_an_einvoice_fails_as_unsupported_format() {
        let document = extract_document("camt.xml", br#"<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>"#, &FixedTextOcr::default(), &ExtractOptions::default());
        let error = document.error.unwrap();
        assert_eq!(error.code, "unsupported_format");
        assert!(error.message.contains("Facturae"), "{}", error.message);
    }

    #[test]
    fn an_einvoice_without_its_total_fails_as_corrupt_naming_the_element() {
        let xml = UBL_INVOICE.replace("TOTAL", "");
        let document = extract_document("inv-7.xml", xml.as_bytes(), &FixedTextOcr::default(), &ExtractOptions::default());
        let error = document.error.unwrap();
        assert_eq!(error.code, "corrupt");
        assert!(error.message.contains("LegalMonetaryTotal/TaxInclusiveAmount (total)"), "{}", error.message);
        assert!(document.fields.is_empty());
    }
}
