//! The rules engine: checks one extracted document and returns findings,
//! each routed to a review queue with a plain-language message in the
//! client's language, plus a trace of every rule evaluated (stored with the
//! document so a reviewer sees what fired and why). Pure: no I/O, and
//! "today" is an input.
//!
//! A document with no finding goes straight through (`approved`); any
//! finding sends it to `in_review`, one exception per finding.

mod checks;
mod message;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument};
use tramite_pipeline::lifecycle::ReviewQueue;

pub use message::Language;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; does not stop the document.
    Info,
    /// A person must look before it goes on.
    Review,
    /// Should be rejected unless a person decides otherwise.
    Reject,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Review => "review",
            Severity::Reject => "reject",
        }
    }
}

/// One problem found on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub queue: ReviewQueue,
    /// The fields involved, so the reviewer page can highlight them.
    pub fields: Vec<String>,
    pub message: String,
}

/// What a rule concluded, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Passed,
    Found,
    /// The rule did not apply (e.g. no subtotal printed to check).
    NotApplicable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    pub rule: &'static str,
    pub outcome: RuleOutcome,
}

/// Settings of the built-in rules.
#[derive(Debug, Clone)]
pub struct RuleSettings {
    pub today: NaiveDate,
    pub language: Language,
    /// Fields below this confidence go to `data_entry`.
    pub review_confidence_threshold: f32,
    /// Largest difference tolerated in arithmetic checks (rounding).
    pub rounding_tolerance: rust_decimal::Decimal,
    /// An identity document expiring within this many days is flagged.
    pub expiry_warning_days: i64,
}

impl RuleSettings {
    pub fn new(today: NaiveDate) -> Self {
        RuleSettings {
            today,
            language: Language::English,
            review_confidence_threshold: 0.7,
            rounding_tolerance: rust_decimal::Decimal::new(2, 2),
            expiry_warning_days: 30,
        }
    }
}

/// The findings and trace of one evaluation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub trace: Vec<TraceEntry>,
}

impl Evaluation {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }

    fn record(&mut self, rule: &'static str, findings: Vec<Finding>) {
        let outcome = if findings.is_empty() { RuleOutcome::Passed } else { RuleOutcome::Found };
        self.trace.push(TraceEntry { rule, outcome });
        self.findings.extend(findings);
    }

    fn not_applicable(&mut self, rule: &'static str) {
        self.trace.push(TraceEntry { rule, outcome: RuleOutcome::NotApplicable });
    }
}

/// Runs every built-in rule that applies to the document's kind.
pub fn evaluate(document: &ExtractedDocument, settings: &RuleSettings) -> Evaluation {
    let mut evaluation = Evaluation::default();
    match document.kind {
        DocumentKind::Invoice => checks::invoice::run(document, settings, &mut evaluation),
        DocumentKind::Identity => checks::identity::run(document, settings, &mut evaluation),
        DocumentKind::Unknown => checks::unknown::run(document, settings, &mut evaluation),
    }
    checks::confidence::run(document, settings, &mut evaluation);
    evaluation
}
