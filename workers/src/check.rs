//! `tramite check`: extraction and the rules with no database, one JSON
//! line per file: the contract's object plus a `findings` array of
//! `{"rule", "severity", "queue", "fields", "message"}`.

use serde_json::{json, Value};
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_rules::{evaluate, RuleSettings};

/// The line for one file: its extraction and what the rules found. A file
/// that could not be read has no findings (its `error` says why).
pub fn check_line(document: &ExtractedDocument, settings: &RuleSettings) -> Value {
    let mut line = serde_json::to_value(document).expect("extractions serialise");
    let findings: Vec<Value> = if document.error.is_some() {
        Vec::new()
    } else {
        evaluate(document, settings)
            .findings
            .iter()
            .map(|finding| json!({"rule": finding.rule, "severity": finding.severity.as_str(), "queue": finding.queue.as_str(), "fields": finding.fields, "message": finding.message}))
            .collect()
    };
    line["findings"] = Value::Array(findings);
    line
}
