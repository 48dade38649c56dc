//! A document whose kind could not be told.

use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::lifecycle::ReviewQueue;

use crate::{Evaluation, Finding, RuleSettings, Severity};

pub fn run(_document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    evaluation.record(
        "kind_recognised",
        vec![Finding {
            rule: "kind_recognised",
            severity: Severity::Review,
            queue: ReviewQueue::DataEntry,
            fields: vec![],
            message: settings
                .language
                .pick(
                    "Could not tell whether this is an invoice or an identity document: no invoice fields or machine-readable zone were found",
                    "No se pudo saber si es una factura o un documento de identidad: no se encontraron campos de factura ni zona de lectura mecánica",
                )
                .to_string(),
        }],
    );
}
