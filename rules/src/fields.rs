//! The document fields rules may name: the extraction contract's fields
//! (`shared/contract/extraction.md`) plus the identity page's visual-zone
//! fields, each with the form its value takes. A rule naming any other field
//! is rejected when its pack is loaded.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tramite_pipeline::extraction::DocumentKind;

use crate::lang::Type;
use crate::message::Language;

/// The normal form of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Any non-empty text.
    Text,
    /// A plain decimal with `.` and exactly two decimals (`1234.56`, `-20.00`).
    Amount,
    /// A percent as a plain decimal (`21`, `10.5`).
    Percent,
    /// ISO 8601 `YYYY-MM-DD`, a date that exists.
    Date,
    /// `true` or `false`.
    Bool,
}

impl Form {
    pub fn ty(self) -> Type {
        match self {
            Form::Text => Type::Text,
            Form::Amount | Form::Percent => Type::Number,
            Form::Date => Type::Date,
            Form::Bool => Type::Bool,
        }
    }
}

#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub form: Form,
    pub kinds: &'static [DocumentKind],
    pub english: &'static str,
    pub spanish: &'static str,
}

impl FieldSpec {
    pub fn label(&self, language: Language) -> &'static str {
        language.pick(self.english, self.spanish)
    }
}

const INVOICE: &[DocumentKind] = &[DocumentKind::Invoice];
const IDENTITY: &[DocumentKind] = &[DocumentKind::Identity];

macro_rules! field {
    ($name:literal, $form:ident, $kinds:ident, $english:literal, $spanish:literal) => {
        FieldSpec { name: $name, form: Form::$form, kinds: $kinds, english: $english, spanish: $spanish }
    };
}

#[rustfmt::skip]
pub static FIELDS: &[FieldSpec] = &[
    field!("invoice_number", Text, INVOICE, "invoice number", "número de factura"),
    field!("issue_date", Date, INVOICE, "issue date", "fecha de emisión"),
    field!("due_date", Date, INVOICE, "due date", "fecha de vencimiento"),
    field!("supplier_name", Text, INVOICE, "supplier name", "nombre del proveedor"),
    field!("customer_name", Text, INVOICE, "customer name", "nombre del cliente"),
    field!("supplier_tax_id", Text, INVOICE, "supplier tax id", "NIF/ID fiscal del proveedor"),
    field!("customer_tax_id", Text, INVOICE, "customer tax id", "NIF/ID fiscal del cliente"),
    field!("currency", Text, INVOICE, "currency", "moneda"),
    field!("invoice_type", Text, INVOICE, "invoice type", "tipo de factura"),
    field!("subtotal", Amount, INVOICE, "subtotal", "base imponible"),
    field!("tax_amount", Amount, INVOICE, "tax amount", "cuota de IVA"),
    field!("withholding_amount", Amount, INVOICE, "withholding", "retención"),
    field!("total", Amount, INVOICE, "total", "total"),
    field!("tax_rate", Percent, INVOICE, "tax rate", "tipo de IVA"),
    field!("iban", Text, INVOICE, "IBAN", "IBAN"),
    field!("bic", Text, INVOICE, "BIC", "BIC"),
    field!("po_number", Text, INVOICE, "purchase order number", "número de pedido"),
    field!("document_type", Text, IDENTITY, "document type", "tipo de documento"),
    field!("issuing_country", Text, IDENTITY, "issuing country", "país emisor"),
    field!("nationality", Text, IDENTITY, "nationality", "nacionalidad"),
    field!("document_number", Text, IDENTITY, "document number", "número de documento"),
    field!("surname", Text, IDENTITY, "surname", "apellidos"),
    field!("given_names", Text, IDENTITY, "given names", "nombre"),
    field!("birth_date", Date, IDENTITY, "date of birth", "fecha de nacimiento"),
    field!("expiry_date", Date, IDENTITY, "expiry date", "fecha de caducidad"),
    field!("sex", Text, IDENTITY, "sex", "sexo"),
    field!("mrz", Text, IDENTITY, "machine-readable zone", "zona de lectura mecánica"),
    field!("mrz_valid", Bool, IDENTITY, "MRZ check digits", "dígitos de control de la MRZ"),
    field!("visual_surname", Text, IDENTITY, "surname on the visual zone", "apellidos de la zona visual"),
    field!("visual_given_names", Text, IDENTITY, "given names on the visual zone", "nombre de la zona visual"),
    field!("visual_birth_date", Date, IDENTITY, "date of birth on the visual zone", "fecha de nacimiento de la zona visual"),
    field!("visual_expiry_date", Date, IDENTITY, "expiry date on the visual zone", "fecha de caducidad de la zona visual"),
];

pub fn field(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|field| field.name == name)
}

/// The line-item columns `sum_lines` accepts.
pub const LINE_COLUMNS: [&str; 3] = ["amount", "quantity", "unit_price"];

/// A field value parsed in its form; `None` when it is not in that form.
pub fn parse_value(form: Form, raw: &str) -> Option<crate::lang::Value> {
    use crate::lang::Value;
    let text = raw.trim();
    match form {
        Form::Text => (!text.is_empty()).then(|| Value::Text(text.to_string())),
        Form::Amount | Form::Percent => text.parse::<Decimal>().ok().map(Value::Number),
        Form::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Value::Date),
        Form::Bool => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
    }
}

/// Whether a raw value is exactly in the contract's normal form.
pub fn well_formed(form: Form, raw: &str) -> bool {
    match form {
        Form::Text => !raw.trim().is_empty(),
        Form::Amount => {
            let digits = raw.strip_prefix('-').unwrap_or(raw);
            match digits.split_once('.') {
                Some((whole, fraction)) => !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) && fraction.len() == 2 && fraction.bytes().all(|b| b.is_ascii_digit()),
                None => false,
            }
        }
        Form::Percent => {
            let (whole, fraction) = raw.split_once('.').unwrap_or((raw, "0"));
            !whole.is_empty() && !fraction.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()) && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        Form::Date => raw.len() == 10 && NaiveDate::parse_from_str(raw, "%Y-%m-%d").is_ok(),
        Form::Bool => raw == "true" || raw == "false",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_forms() {
        assert!(well_formed(Form::Amount, "1234.56"));
        assert!(well_formed(Form::Amount, "-20.00"));
        assert!(!well_formed(Form::Amount, "1.234,56"));
        assert!(!well_formed(Form::Amount, "12.5"));
        assert!(well_formed(Form::Percent, "10.5"));
        assert!(well_formed(Form::Percent, "21"));
        assert!(!well_formed(Form::Percent, "21%"));
        assert!(well_formed(Form::Date, "2024-02-29"));
        assert!(!well_formed(Form::Date, "2026-02-29"));
        assert!(!well_formed(Form::Date, "2026-2-3"));
        assert!(!well_formed(Form::Bool, "yes"));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = FIELDS.iter().map(|field| field.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FIELDS.len());
    }
}
