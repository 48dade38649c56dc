//! Structured e-invoices: reading the contract's invoice fields straight
//! from the XML an invoice is legally made of, with no OCR and no guessing.
//!
//! This module owns recognising and reading four XML families:
//!
//! - UN/CEFACT Cross Industry Invoice ([`cii`]): Factur-X, ZUGFeRD 2.x and
//!   XRechnung CII, and its predecessor ZUGFeRD 1.0 (`CrossIndustryDocument`);
//! - OASIS UBL 2.1 `Invoice` and `CreditNote` ([`ubl`]): EN 16931, Peppol BIS
//!   Billing 3.0, XRechnung UBL;
//! - Spanish Facturae 3.2, 3.2.1 and 3.2.2 ([`facturae`]), signed (`.xsig`,
//!   XAdES: the same XML with a `ds:Signature` element, which is ignored) or not;
//! - Mexican CFDI 3.3 and 4.0 ([`cfdi`]).
//!
//! [`parse_einvoice_xml`] is the entry point: bytes in, an [`EInvoice`] (its
//! [`EInvoiceFormat`], the contract's fields and line items) out, or an
//! [`EInvoiceError`] that names what is missing or wrong without quoting
//! document content. [`sniff_einvoice_xml`] only says which format a file is.
//! Factur-X / ZUGFeRD PDFs carry their XML as an attachment, found by
//! [`pdf_attachment`].
//!
//! Design: every parser walks the tree by local element names (see
//! [`xml_document`]) into one typed [`invoice_values::InvoiceValues`], and
//! the normal forms and the credit-note sign are applied in one place
//! ([`invoice_values::InvoiceValues::into_einvoice`]), so the formats cannot
//! drift apart. Hostile input is bounded before it is parsed: size, DTDs
//! (refused, so no entity is expanded), node count and nesting depth.

pub mod cfdi;
pub mod cii;
pub mod facturae;
pub mod invoice_values;
pub mod pdf_attachment;
pub mod ubl;
pub mod xml_document;

use std::collections::BTreeMap;
use std::fmt;

use roxmltree::Node;

use crate::extraction::{ExtractedField, LineItem};

pub use xml_document::{MAXIMUM_EINVOICE_XML_BYTES, MAXIMUM_XML_NESTING_DEPTH};

/// The confidence of a field read from a structured e-invoice: the value is
/// what the issuer's system wrote, not a reading of print.
pub const EINVOICE_FIELD_CONFIDENCE: f32 = 0.99;

/// The formats [`parse_einvoice_xml`] reads, in words, for error messages.
pub const SUPPORTED_EINVOICE_FORMATS: &str = "UN/CEFACT CII (Factur-X, ZUGFeRD 1.0 and 2.x, XRechnung CII), \
     UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS 3, XRechnung UBL), \
     Facturae 3.2, 3.2.1 and 3.2.2 (signed or not) and CFDI 3.3 and 4.0";

const UBL_INVOICE_NAMESPACE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const UBL_CREDIT_NOTE_NAMESPACE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";

/// Which e-invoice syntax a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EInvoiceFormat {
    /// UN/CEFACT CII D16B `CrossIndustryInvoice`: Factur-X, ZUGFeRD 2.x,
    /// XRechnung CII.
    CrossIndustryInvoice,
    /// ZUGFeRD 1.0 `CrossIndustryDocument`.
    ZugferdCrossIndustryDocument,
    /// UBL 2.1 `Invoice`.
    UblInvoice,
    /// UBL 2.1 `CreditNote`.
    UblCreditNote,
    /// Spanish Facturae 3.2.x.
    Facturae,
    /// Mexican CFDI 3.3 / 4.0 `Comprobante`.
    Cfdi,
}

impl EInvoiceFormat {
    /// A stable, machine-readable name.
    pub fn as_str(self) -> &'static str {
        match self {
            EInvoiceFormat::CrossIndustryInvoice => "cii",
            EInvoiceFormat::ZugferdCrossIndustryDocument => "zugferd1",
            EInvoiceFormat::UblInvoice => "ubl_invoice",
            EInvoiceFormat::UblCreditNote => "ubl_credit_note",
            EInvoiceFormat::Facturae => "facturae",
            EInvoiceFormat::Cfdi => "cfdi",
        }
    }

    /// The format in words, for messages.
    pub fn description(self) -> &'static str {
        match self {
            EInvoiceFormat::CrossIndustryInvoice => "CII invoice (Factur-X / ZUGFeRD 2 / XRechnung)",
            EInvoiceFormat::ZugferdCrossIndustryDocument => "ZUGFeRD 1.0 invoice",
            EInvoiceFormat::UblInvoice => "UBL invoice",
            EInvoiceFormat::UblCreditNote => "UBL credit note",
            EInvoiceFormat::Facturae => "Facturae invoice",
            EInvoiceFormat::Cfdi => "CFDI",
        }
    }
}

impl fmt::Display for EInvoiceFormat {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.description())
    }
}

/// One structured e-invoice, read.
#[derive(Debug, Clone, PartialEq)]
pub struct EInvoice {
    pub format: EInvoiceFormat,
    /// The specification the issuer declares: CII guideline / UBL
    /// customization id (`urn:cen.eu:en16931:2017`,
    /// `urn:factur-x.eu:1p0:minimum`...), Facturae `SchemaVersion`, CFDI
    /// `Version`.
    pub profile: Option<String>,
    /// The contract's invoice fields (confidence
    /// [`EINVOICE_FIELD_CONFIDENCE`], page 1, no box).
    pub fields: BTreeMap<String, ExtractedField>,
    pub line_items: Vec<LineItem>,
}

impl EInvoice {
    /// True for the Factur-X profiles that are not a whole invoice
    /// (MINIMUM and BASIC WL carry the totals but no lines, and MINIMUM no
    /// due date or bank account): with them the PDF stays the legal invoice,
    /// so the visual reading may complete what the XML lacks.
    pub fn is_partial_profile(&self) -> bool {
        self.profile.as_deref().is_some_and(|profile| {
            let profile = profile.to_ascii_lowercase();
            profile.contains(":minimum") || profile.contains(":basicwl")
        })
    }
}

/// Why bytes could not be read as an e-invoice. Messages name the missing
/// or wrong element and never quote document content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EInvoiceError {
    #[error("the XML is {size_bytes} bytes, over the {limit_bytes}-byte limit for e-invoices")]
    TooLarge { size_bytes: usize, limit_bytes: usize },
    #[error("the file is not {encoding} text, as its XML declaration or byte order mark says it is")]
    NotText { encoding: &'static str },
    #[error("the XML carries a document type declaration (DTD); e-invoices have none, and it is refused so that no entity is ever expanded")]
    DocumentTypeDeclarationRefused,
    #[error("the XML has more nodes than an e-invoice can hold")]
    TooManyNodes,
    #[error("the XML nests elements {depth} levels deep, over the limit of {limit}")]
    TooDeeplyNested { depth: usize, limit: usize },
    #[error("the XML is not well-formed (at {position}: {reason})")]
    MalformedXml { position: String, reason: &'static str },
    #[error("the XML's root element <{root_element}> is not an e-invoice format tramite reads; supported: {SUPPORTED_EINVOICE_FORMATS}")]
    NotAnEInvoice { root_element: String },
    #[error("the {format} has no {element} ({field}), which this format requires")]
    MissingField { format: EInvoiceFormat, field: &'static str, element: &'static str },
    #[error("the {format}'s {element} ({field}) is not a valid {expected}")]
    InvalidValue { format: EInvoiceFormat, field: &'static str, element: &'static str, expected: &'static str },
    #[error("the {format} file holds {count} invoices; tramite reads one invoice per file: split the batch")]
    SeveralInvoices { format: EInvoiceFormat, count: usize },
}

impl EInvoiceError {
    /// The contract's error code for a file that fails this way.
    pub fn failure_code(&self) -> &'static str {
        match self {
            EInvoiceError::TooLarge { .. } | EInvoiceError::TooManyNodes | EInvoiceError::TooDeeplyNested { .. } => "too_large",
            EInvoiceError::NotAnEInvoice { .. } | EInvoiceError::DocumentTypeDeclarationRefused | EInvoiceError::SeveralInvoices { .. } => {
                "unsupported_format"
            }
            EInvoiceError::NotText { .. }
            | EInvoiceError::MalformedXml { .. }
            | EInvoiceError::MissingField { .. }
            | EInvoiceError::InvalidValue { .. } => "corrupt",
        }
    }
}

/// Which e-invoice format the bytes are, if they are a well-formed XML
/// e-invoice of a supported format (the fields are not checked).
pub fn sniff_einvoice_xml(bytes: &[u8]) -> Option<EInvoiceFormat> {
    let text = xml_document::decode_xml_text(bytes).ok()?;
    let document = xml_document::parse_xml_within_limits(&text).ok()?;
    identify_einvoice_root(&document).ok().map(|(format, _)| format)
}

/// Reads an e-invoice XML file into the contract's fields and line items.
pub fn parse_einvoice_xml(bytes: &[u8]) -> Result<EInvoice, EInvoiceError> {
    let text = xml_document::decode_xml_text(bytes)?;
    let document = xml_document::parse_xml_within_limits(&text)?;
    let (format, root) = identify_einvoice_root(&document)?;
    match format {
        EInvoiceFormat::CrossIndustryInvoice | EInvoiceFormat::ZugferdCrossIndustryDocument => cii::parse_cross_industry_invoice(root, format),
        EInvoiceFormat::UblInvoice | EInvoiceFormat::UblCreditNote => ubl::parse_ubl_document(root, format),
        EInvoiceFormat::Facturae => facturae::parse_facturae(root),
        EInvoiceFormat::Cfdi => cfdi::parse_cfdi(root),
    }
}

/// The e-invoice element and its format: the root element, or the first
/// e-invoice inside a Peppol `StandardBusinessDocument` envelope.
fn identify_einvoice_root<'a, 'input>(document: &'a roxmltree::Document<'input>) -> Result<(EInvoiceFormat, Node<'a, 'input>), EInvoiceError> {
    let root = document.root_element();
    if let Some(format) = format_of_element(root) {
        return Ok((format, root));
    }
    if root.tag_name().name() == "StandardBusinessDocument"
        && let Some(found) = root.children().filter(Node::is_element).find_map(|child| format_of_element(child).map(|format| (format, child)))
    {
        return Ok(found);
    }
    Err(EInvoiceError::NotAnEInvoice { root_element: root.tag_name().name().chars().take(64).collect() })
}

fn format_of_element(node: Node) -> Option<EInvoiceFormat> {
    let namespace = node.tag_name().namespace().unwrap_or("");
    match node.tag_name().name() {
        "CrossIndustryInvoice" if namespace.contains("CrossIndustryInvoice") => Some(EInvoiceFormat::CrossIndustryInvoice),
        "CrossIndustryDocument" if namespace.contains("CrossIndustryDocument") => Some(EInvoiceFormat::ZugferdCrossIndustryDocument),
        "Invoice" if namespace == UBL_INVOICE_NAMESPACE => Some(EInvoiceFormat::UblInvoice),
        "CreditNote" if namespace == UBL_CREDIT_NOTE_NAMESPACE => Some(EInvoiceFormat::UblCreditNote),
        "Facturae" if namespace.to_ascii_lowercase().contains("facturae") => Some(EInvoiceFormat::Facturae),
        "Comprobante" if namespace.starts_with("http://www.sat.gob.mx/cfd/") => Some(EInvoiceFormat::Cfdi),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xml_that_is_not_an_einvoice_is_refused_with_the_supported_formats_named() {
        let error = parse_einvoice_xml(br#"<?xml version="1.0"?><note><to>someone</to></note>"#).unwrap_err();
        assert_eq!(error.failure_code(), "unsupported_format");
        let message = error.to_string();
        assert!(message.contains("<note>"), "{message}");
        assert!(message.contains("Facturae") && message.contains("UBL") && message.contains("CFDI") && message.contains("CII"), "{message}");
    }

    #[test]
    fn a_root_named_like_an_einvoice_in_a_foreign_namespace_is_not_one() {
        assert_eq!(sniff_einvoice_xml(br#"<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>"#), None);
    }

    #[test]
    fn each_family_is_sniffed_from_its_root_element_and_namespace() {
        let samples: [(&[u8], EInvoiceFormat); 6] = [
            (br#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>"#, EInvoiceFormat::CrossIndustryInvoice),
            (br#"<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>"#, EInvoiceFormat::ZugferdCrossIndustryDocument),
            (br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"#, EInvoiceFormat::UblInvoice),
            (br#"<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>"#, EInvoiceFormat::UblCreditNote),
            (br#"<fe:Facturae xmlns:fe="http://www.facturae.gob.es/formato/Versiones/Facturaev3_2_2.xml"/>"#, EInvoiceFormat::Facturae),
            (br#"<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"/>"#, EInvoiceFormat::Cfdi),
        ];
        for (bytes, format) in samples {
            assert_eq!(sniff_einvoice_xml(bytes), Some(format), "{}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn a_ubl_invoice_inside_a_peppol_envelope_is_found() {
        let enveloped = br#"<StandardBusinessDocument xmlns="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
            <StandardBusinessDocumentHeader/>
            <Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>
        </StandardBusinessDocument>"#;
        assert_eq!(sniff_einvoice_xml(enveloped), Some(EInvoiceFormat::UblInvoice));
    }

    #[test]
    fn the_failure_codes_follow_the_contract() {
        assert_eq!(parse_einvoice_xml(b"<a><b></a>").unwrap_err().failure_code(), "corrupt");
        assert_eq!(
            EInvoiceError::MissingField { format: EInvoiceFormat::Cfdi, field: "total", element: "@Total" }.failure_code(),
            "corrupt"
        );
        assert_eq!(EInvoiceError::TooLarge { size_bytes: 2, limit_bytes: 1 }.failure_code(), "too_large");
    }
}
