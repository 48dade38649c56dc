//! Fields read with low confidence go to a keyer.

use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::lifecycle::ReviewQueue;

use crate::{Evaluation, Finding, RuleSettings, Severity};

pub fn run(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    let doubtful: Vec<String> = document
        .fields
        .iter()
        .filter(|(_, field)| field.confidence < settings.review_confidence_threshold)
        .map(|(name, _)| name.clone())
        .collect();
    let findings = if doubtful.is_empty() {
        vec![]
    } else {
        let message = format!(
            "{}: {}",
            settings.language.pick("Fields read with low confidence, please check", "Campos leídos con poca confianza, revíselos"),
            doubtful.join(", ")
        );
        vec![Finding { rule: "low_confidence_fields", severity: Severity::Review, queue: ReviewQueue::DataEntry, fields: doubtful, message }]
    };
    evaluation.record("low_confidence_fields", findings);
}
