//! The typed values one e-invoice parser reads, and how they become the
//! contract's fields.
//!
//! Every format parser fills one [`InvoiceValues`] with typed values
//! (`Decimal` money, `NaiveDate` dates, what kind of document it is) and
//! hands it to [`InvoiceValues::into_einvoice`], which owns the rules that
//! must not differ between formats:
//!
//! - the normal forms of `shared/contract/extraction.md` (two-decimal
//!   amounts, ISO dates, tax ids without punctuation, single-spaced names,
//!   IBANs without spaces, percentages without trailing zeros);
//! - the sign of credit notes: the contract wants credit notes to carry
//!   negative amounts. Where the document type itself says "credit note"
//!   (UBL `CreditNote`, UNTDID 1001 credit note codes such as 381, CFDI
//!   `TipoDeComprobante="E"`) the schema writes the amounts unsigned, so
//!   they are negated here. A corrective invoice (UNTDID 384, a Facturae
//!   rectificativa) carries its sign in the amounts themselves (a correction
//!   may raise the total) and is left as written; it is still reported as
//!   `invoice_type: credit_note`, as the contract defines it;
//! - the withholding keeps the document's sign so that `subtotal +
//!   tax_amount − withholding_amount = total` holds for credit notes too;
//! - every field read from the XML gets confidence
//!   [`EINVOICE_FIELD_CONFIDENCE`], page 1 and no box.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{EINVOICE_FIELD_CONFIDENCE, EInvoice, EInvoiceFormat};
use crate::extraction::{ExtractedField, LineItem};
use crate::parse::amount::format_amount;
use crate::parse::date::format_date;
use crate::parse::tax_id::normalize_tax_id;

/// What the document's type says it is, which decides `invoice_type` and
/// whether unsigned amounts must be negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentNature {
    /// An ordinary (or self-billed, partial, prepayment...) invoice.
    #[default]
    Invoice,
    /// A credit note by document type: amounts are written unsigned and
    /// mean money going back to the buyer.
    CreditNoteWithUnsignedAmounts,
    /// A corrective invoice: amounts carry their own sign.
    CorrectiveWithSignedAmounts,
}

/// UNTDID 1001 document codes that EN 16931 treats as credit notes.
const CREDIT_NOTE_TYPE_CODES: &[&str] = &["81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"];

/// UNTDID 1001 codes of corrective invoices.
const CORRECTIVE_INVOICE_TYPE_CODES: &[&str] = &["384", "471", "472", "473"];

impl DocumentNature {
    /// The nature a UNTDID 1001 document type code (CII `TypeCode`, UBL
    /// `InvoiceTypeCode`) gives.
    pub fn from_document_type_code(code: Option<&str>) -> DocumentNature {
        match code.map(str::trim) {
            Some(code) if CREDIT_NOTE_TYPE_CODES.contains(&code) => DocumentNature::CreditNoteWithUnsignedAmounts,
            Some(code) if CORRECTIVE_INVOICE_TYPE_CODES.contains(&code) => DocumentNature::CorrectiveWithSignedAmounts,
            _ => DocumentNature::Invoice,
        }
    }

    fn contract_invoice_type(self) -> &'static str {
        match self {
            DocumentNature::Invoice => "invoice",
            DocumentNature::CreditNoteWithUnsignedAmounts | DocumentNature::CorrectiveWithSignedAmounts => "credit_note",
        }
    }
}

/// One invoice line as read from the XML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineValues {
    pub description: Option<String>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub amount: Option<Decimal>,
}

/// Everything a parser read, typed, before normalisation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceValues {
    pub invoice_number: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub supplier_name: Option<String>,
    pub supplier_tax_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_tax_id: Option<String>,
    pub currency: Option<String>,
    pub nature: DocumentNature,
    pub subtotal: Option<Decimal>,
    pub tax_amount: Option<Decimal>,
    pub withholding_amount: Option<Decimal>,
    pub total: Option<Decimal>,
    /// Every tax rate (percent) the document's tax breakdown lists; the
    /// contract's `tax_rate` is given only when they are all the same.
    pub tax_rates: Vec<Decimal>,
    /// True when the tax amount holds something no percentage explains: a
    /// surcharge on top of the rate (Spanish recargo de equivalencia) or a
    /// fixed amount per unit (Mexican IEPS `Cuota`).
    pub tax_amount_not_explained_by_one_rate: bool,
    pub iban_candidates: Vec<String>,
    pub po_number: Option<String>,
    pub line_items: Vec<LineValues>,
}

impl InvoiceValues {
    /// Normalises the values into the contract's fields and line items.
    pub fn into_einvoice(mut self, format: EInvoiceFormat, profile: Option<String>) -> EInvoice {
        if self.nature == DocumentNature::CreditNoteWithUnsignedAmounts && self.total.is_some_and(|total| total > Decimal::ZERO) {
            self.negate_amounts_of_credit_note();
        }
        let mut fields = BTreeMap::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value.filter(|value| !value.is_empty()) {
                fields.insert(name.to_string(), ExtractedField { value, confidence: EINVOICE_FIELD_CONFIDENCE, page: 1, bbox: None });
            }
        };
        put("invoice_number", self.invoice_number.map(|number| number.trim().to_string()));
        put("issue_date", self.issue_date.map(format_date));
        put("due_date", self.due_date.map(format_date));
        put("supplier_name", self.supplier_name.as_deref().map(super::xml_document::single_spaced));
        put("supplier_tax_id", self.supplier_tax_id.as_deref().map(normalize_tax_id));
        put("customer_name", self.customer_name.as_deref().map(super::xml_document::single_spaced));
        put("customer_tax_id", self.customer_tax_id.as_deref().map(normalize_tax_id));
        put("currency", self.currency.as_deref().and_then(normalize_currency_code));
        put("invoice_type", Some(self.nature.contract_invoice_type().to_string()));
        put("subtotal", self.subtotal.map(format_amount));
        put("tax_amount", self.tax_amount.map(format_amount));
        put("withholding_amount", self.withholding_amount.filter(|amount| !amount.is_zero()).map(format_amount));
        put("total", self.total.map(format_amount));
        let single_rate = if self.tax_amount_not_explained_by_one_rate { None } else { single_distinct_rate(&self.tax_rates) };
        put("tax_rate", single_rate.map(format_plain_decimal));
        put("iban", single_distinct_iban(&self.iban_candidates));
        put("po_number", self.po_number.map(|number| number.trim().to_string()));
        let line_items = self
            .line_items
            .into_iter()
            .map(|line| LineItem {
                description: line.description.as_deref().map(super::xml_document::single_spaced).filter(|text| !text.is_empty()),
                quantity: line.quantity.map(format_plain_decimal),
                unit_price: line.unit_price.map(format_amount),
                amount: line.amount.map(format_amount),
            })
            .collect();
        EInvoice { format, profile, fields, line_items }
    }

    fn negate_amounts_of_credit_note(&mut self) {
        for amount in [&mut self.subtotal, &mut self.tax_amount, &mut self.withholding_amount, &mut self.total].into_iter().flatten() {
            *amount = -*amount;
        }
        for line in &mut self.line_items {
            if let Some(quantity) = line.quantity.as_mut() {
                *quantity = -*quantity;
            }
            if let Some(amount) = line.amount.as_mut() {
                *amount = -*amount;
            }
        }
    }
}

/// An ISO 4217 code in upper case; `XXX` ("no currency", CFDI's value for
/// payment receipts) and anything not three letters give `None`.
fn normalize_currency_code(text: &str) -> Option<String> {
    let code = text.trim().to_ascii_uppercase();
    (code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase()) && code != "XXX").then_some(code)
}

/// The one rate when every listed rate is the same.
fn single_distinct_rate(rates: &[Decimal]) -> Option<Decimal> {
    let first = rates.first()?.normalize();
    rates.iter().all(|rate| rate.normalize() == first).then_some(first)
}

/// A decimal without trailing zeros (`21`, `10.5`, `0`): the contract's
/// form for percentages, and the form used for quantities.
pub fn format_plain_decimal(value: Decimal) -> String {
    let normalized = value.normalize();
    if normalized.is_zero() { "0".to_string() } else { normalized.to_string() }
}

/// The IBAN when the document names exactly one distinct account shaped
/// like an IBAN (country letters, check digits, 11 to 30 letters or digits).
/// The check digits are not verified here: the value is reported as printed
/// and the rules judge it.
fn single_distinct_iban(candidates: &[String]) -> Option<String> {
    let mut distinct: Vec<String> = Vec::new();
    for candidate in candidates {
        let compact: String = candidate.chars().filter(|character| !character.is_whitespace()).flat_map(char::to_uppercase).collect();
        let shaped_like_iban = (15..=34).contains(&compact.len())
            && compact.chars().take(2).all(|character| character.is_ascii_uppercase())
            && compact.chars().skip(2).take(2).all(|character| character.is_ascii_digit())
            && compact.chars().all(|character| character.is_ascii_alphanumeric());
        if shaped_like_iban && !distinct.contains(&compact) {
            distinct.push(compact);
        }
    }
    (distinct.len() == 1).then(|| distinct.remove(0))
}

/// The value when every given value is the same (and there is at least
/// one); `None` when they differ.
pub fn single_distinct_value<T: PartialEq>(values: impl IntoIterator<Item = T>) -> Option<T> {
    let mut values = values.into_iter();
    let first = values.next()?;
    for other in values {
        if other != first {
            return None;
        }
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn a_credit_note_with_unsigned_amounts_comes_out_negative_with_its_lines() {
        let values = InvoiceValues {
            nature: DocumentNature::CreditNoteWithUnsignedAmounts,
            subtotal: Some(amount("100")),
            tax_amount: Some(amount("21")),
            total: Some(amount("121")),
            line_items: vec![LineValues { quantity: Some(amount("2")), unit_price: Some(amount("50")), amount: Some(amount("100")), ..LineValues::default() }],
            ..InvoiceValues::default()
        };
        let einvoice = values.into_einvoice(EInvoiceFormat::UblCreditNote, None);
        assert_eq!(einvoice.fields["total"].value, "-121.00");
        assert_eq!(einvoice.fields["subtotal"].value, "-100.00");
        assert_eq!(einvoice.fields["tax_amount"].value, "-21.00");
        assert_eq!(einvoice.fields["invoice_type"].value, "credit_note");
        assert_eq!(einvoice.line_items[0].quantity.as_deref(), Some("-2"));
        assert_eq!(einvoice.line_items[0].unit_price.as_deref(), Some("50.00"));
        assert_eq!(einvoice.line_items[0].amount.as_deref(), Some("-100.00"));
    }

    #[test]
    fn a_corrective_invoice_keeps_the_signs_it_was_written_with() {
        let values = InvoiceValues { nature: DocumentNature::CorrectiveWithSignedAmounts, total: Some(amount("50.00")), ..InvoiceValues::default() };
        let einvoice = values.into_einvoice(EInvoiceFormat::CrossIndustryInvoice, None);
        assert_eq!(einvoice.fields["total"].value, "50.00");
        assert_eq!(einvoice.fields["invoice_type"].value, "credit_note");
    }

    #[test]
    fn the_tax_rate_is_given_only_when_every_rate_is_the_same() {
        let single = InvoiceValues { tax_rates: vec![amount("21.00"), amount("21")], total: Some(Decimal::ONE), ..InvoiceValues::default() };
        assert_eq!(single.into_einvoice(EInvoiceFormat::Facturae, None).fields["tax_rate"].value, "21");
        let several = InvoiceValues { tax_rates: vec![amount("19"), amount("7")], total: Some(Decimal::ONE), ..InvoiceValues::default() };
        assert!(!several.into_einvoice(EInvoiceFormat::Facturae, None).fields.contains_key("tax_rate"));
        let surcharged = InvoiceValues {
            tax_rates: vec![amount("21")],
            tax_amount_not_explained_by_one_rate: true,
            total: Some(Decimal::ONE),
            ..InvoiceValues::default()
        };
        assert!(!surcharged.into_einvoice(EInvoiceFormat::Facturae, None).fields.contains_key("tax_rate"));
    }

    #[test]
    fn two_different_accounts_give_no_iban_and_one_repeated_gives_it_compacted() {
        assert_eq!(single_distinct_iban(&["NL57 RABO 0107307510".into(), "NL03 INGB 0004489902".into()]), None);
        assert_eq!(single_distinct_iban(&["es25 0188 2570 7185 4470 4761".into(), "ES2501882570718544704761".into()]).as_deref(), Some("ES2501882570718544704761"));
        assert_eq!(single_distinct_iban(&["123456".into()]), None);
    }

    #[test]
    fn names_are_single_spaced_and_tax_ids_lose_their_punctuation() {
        let values = InvoiceValues {
            supplier_name: Some("MVM Musterhafter\n Versicherungsverein".into()),
            supplier_tax_id: Some("NL8200.98.395.B.01".into()),
            currency: Some("eur".into()),
            total: Some(Decimal::ONE),
            ..InvoiceValues::default()
        };
        let fields = values.into_einvoice(EInvoiceFormat::UblInvoice, None).fields;
        assert_eq!(fields["supplier_name"].value, "MVM Musterhafter Versicherungsverein");
        assert_eq!(fields["supplier_tax_id"].value, "NL820098395B01");
        assert_eq!(fields["currency"].value, "EUR");
        assert_eq!(fields["total"].confidence, EINVOICE_FIELD_CONFIDENCE);
        assert_eq!(fields["total"].page, 1);
        assert!(fields["total"].bbox.is_none());
    }
}
