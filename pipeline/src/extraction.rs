//! The result of reading one file: the JSON object of
//! `shared/contract/extraction.md`, one per file. Field names and value
//! normal forms are the contract's; add fields, never rename them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a file was found to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Invoice,
    Identity,
    #[default]
    Unknown,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Invoice => "invoice",
            DocumentKind::Identity => "identity",
            DocumentKind::Unknown => "unknown",
        }
    }
}

/// Where the text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    TextLayer,
    Ocr,
    Mixed,
    /// Every field was read from a structured e-invoice (a standalone XML
    /// file, or the XML a Factur-X / ZUGFeRD PDF carries): `"xml"`.
    Xml,
}

/// One extracted field: a value in the contract's normal form, how sure we
/// are of it, and where on which page it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedField {
    pub value: String,
    pub confidence: f32,
    pub page: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f32; 4]>,
}

/// One invoice line. Amounts in the contract's normal form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
}

/// Why a file could not be processed. `code` is stable and machine-readable;
/// `message` says what happened and what to do, and never quotes document
/// content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractionFailure {
    pub code: String,
    pub message: String,
}

/// The contract's object for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDocument {
    pub file: String,
    pub sha256: String,
    pub kind: DocumentKind,
    pub pages: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<TextSource>,
    pub fields: BTreeMap<String, ExtractedField>,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    pub error: Option<ExtractionFailure>,
}

impl ExtractedDocument {
    /// The value of a field, if it was found.
    pub fn value(&self, field_name: &str) -> Option<&str> {
        self.fields.get(field_name).map(|field| field.value.as_str())
    }
}
