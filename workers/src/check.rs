//! `tramite check`: extraction and the rules with no database, one JSON
//! line per file: the contract's object plus a `findings` array of
//! `{"rule", "severity", "queue", "fields", "message"}`. The duplicate
//! checks compare each invoice with the files given before it in the same
//! call, numbered by their position (1 = the first file given), so the later
//! copy is flagged with a link to the first. With `--client NAME` and a
//! database, the client's stored invoices count too (by their document id;
//! the files are then numbered after the client's last document, as if
//! uploaded next), and purchase-order mismatches are added from the
//! client's imported reference data.

use serde_json::{json, Value};
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument};
use tramite_rules::{EvaluationContext, PriorInvoice, RuleSet, RuleSettings};

use crate::rulebook::prior_invoice;

/// The id a file of the call gets: its position after `first_id - 1`.
pub fn batch_document_id(first_id: i64, index: usize) -> i64 {
    first_id + index as i64
}

/// The lines for a batch of files, in order. `history` holds invoices known
/// before the call (a client's stored ones, or none); the files are numbered
/// from `first_id`.
pub fn check_batch(documents: &[ExtractedDocument], rules: &RuleSet, settings: &RuleSettings, history: &[PriorInvoice], first_id: i64) -> Vec<Value> {
    let batch: Vec<PriorInvoice> = documents
        .iter()
        .enumerate()
        .filter(|(_, document)| document.kind == DocumentKind::Invoice && document.error.is_none())
        .map(|(index, document)| prior_invoice(batch_document_id(first_id, index), document))
        .collect();
    documents
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let this_id = batch_document_id(first_id, index);
            let earlier: Vec<PriorInvoice> = history.iter().chain(batch.iter().filter(|prior| prior.document_id < this_id)).cloned().collect();
            check_line(document, rules, settings, &earlier)
        })
        .collect()
}

/// Adds findings (e.g. purchase-order mismatches) to a line.
pub fn add_findings(line: &mut Value, exceptions: &[tramite_repository::NewException]) {
    let findings = line["findings"].as_array_mut().expect("check lines carry findings");
    for exception in exceptions {
        findings.push(json!({"rule": exception.rule, "severity": exception.severity, "queue": exception.queue.as_str(), "fields": exception.fields, "message": exception.message}));
    }
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
