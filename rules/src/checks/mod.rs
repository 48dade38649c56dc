//! The built-in checks, one module per document kind.

pub mod confidence;
pub mod identity;
pub mod invoice;
pub mod unknown;

use rust_decimal::Decimal;
use tramite_pipeline::extraction::ExtractedDocument;

/// A field's value as a decimal, if present and well-formed.
pub fn decimal_field(document: &ExtractedDocument, name: &str) -> Option<Decimal> {
    document.value(name).and_then(|value| value.parse().ok())
}

/// A field's value as a date, if present and well-formed.
pub fn date_field(document: &ExtractedDocument, name: &str) -> Option<chrono::NaiveDate> {
    document.value(name).and_then(|value| chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
}

pub fn field_names(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}
