//! `tramite check`: extraction and the rules with no database, one JSON
//! line per file: the contract's object plus a `findings` array of
//! `{"rule", "severity", "queue", "fields", "message"}`. With no database,
//! the duplicate checks compare each invoice with the files given before it
//! in the same call, numbered by their position (1 = the first file given),
//! so the later copy is flagged with a link to the first.

use serde_json::{json, Value};
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument};
use tramite_rules::{EvaluationContext, PriorInvoice, RuleSet, RuleSettings};

use crate::rulebook::prior_invoice;

/// The lines for a batch of files, in order.
pub fn check_batch(documents: &[ExtractedDocument], rules: &RuleSet, settings: &RuleSettings) -> Vec<Value> {
    let batch: Vec<PriorInvoice> = documents
        .iter()
        .enumerate()
        .filter(|(_, document)| document.kind == DocumentKind::Invoice && document.error.is_none())
        .map(|(index, document)| prior_invoice(index as i64 + 1, document))
        .collect();
    documents
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let earlier: Vec<PriorInvoice> = batch.iter().filter(|prior| prior.document_id < index as i64 + 1).cloned().collect();
            check_line(document, rules, settings, &earlier)
        })
        .collect()
}

/// The line for one file: its extraction and what the rules found. A file
/// that could not be read has no findings (its `error` says why).
pub fn check_line(document: &ExtractedDocument, rules: &RuleSet, settings: &RuleSettings, earlier: &[PriorInvoice]) -> Value {
    let mut line = serde_json::to_value(document).expect("extractions serialise");
    let findings: Vec<Value> = if document.error.is_some() {
        Vec::new()
    } else {
        let context = EvaluationContext { today: settings.today, language: settings.language, prior_invoices: earlier };
        rules
            .evaluate(document, &context)
            .findings
            .iter()
            .map(|finding| {
                json!({"rule": finding.rule, "severity": finding.severity.as_str(), "queue": finding.queue.as_str(), "fields": finding.fields, "message": finding.message})
            })
            .collect()
    };
    line["findings"] = Value::Array(findings);
    line
}
