//! Identity document checks: ICAO 9303 check digits, expiry.

use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::lifecycle::ReviewQueue;

use super::{date_field, field_names};
use crate::{Evaluation, Finding, RuleSettings, Severity};

pub fn run(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    let language = settings.language;
    let mrz_findings = if document.value("mrz_valid") == Some("true") {
        vec![]
    } else {
        vec![Finding {
            rule: "mrz_check_digits",
            severity: Severity::Reject,
            queue: ReviewQueue::Verification,
            fields: field_names(&["mrz", "document_number", "birth_date", "expiry_date"]),
            message: language
                .pick(
                    "A check digit of the machine-readable zone does not hold: the document may be tampered with or misread",
                    "Un dígito de control de la zona de lectura mecánica no cuadra: el documento puede estar alterado o mal leído",
                )
                .to_string(),
        }]
    };
    evaluation.record("mrz_check_digits", mrz_findings);

    const EXPIRY_RULE: &str = "identity_not_expired";
    let Some(expiry) = date_field(document, "expiry_date") else { return evaluation.not_applicable(EXPIRY_RULE) };
    let days_left = (expiry - settings.today).num_days();
    let findings = if days_left < 0 {
        vec![Finding {
            rule: EXPIRY_RULE,
            severity: Severity::Reject,
            queue: ReviewQueue::Verification,
            fields: field_names(&["expiry_date"]),
            message: format!("{} {}", language.pick("The document expired on", "El documento caducó el"), language.date(expiry)),
        }]
    } else if days_left <= settings.expiry_warning_days {
        vec![Finding {
            rule: EXPIRY_RULE,
            severity: Severity::Review,
            queue: ReviewQueue::Verification,
            fields: field_names(&["expiry_date"]),
            message: format!("{} {} ({days_left} {})", language.pick("The document expires on", "El documento caduca el"), language.date(expiry), language.pick("days", "días")),
        }]
    } else {
        vec![]
    };
    evaluation.record(EXPIRY_RULE, findings);
}
