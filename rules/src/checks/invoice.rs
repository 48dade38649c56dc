//! Invoice checks: required fields, arithmetic in decimals, dates, tax ids
//! and IBAN.

use rust_decimal::Decimal;
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::identifiers::iban::validate_iban;
use tramite_pipeline::identifiers::tax_id::{check_tax_id, TaxIdVerdict};
use tramite_pipeline::lifecycle::ReviewQueue;

use super::{date_field, decimal_field, field_names};
use crate::{Evaluation, Finding, RuleSettings, Severity};

pub const REQUIRED_INVOICE_FIELDS: [&str; 4] = ["invoice_number", "issue_date", "total", "currency"];

pub fn run(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    required_fields(document, settings, evaluation);
    totals_add_up(document, settings, evaluation);
    tax_matches_rate(document, settings, evaluation);
    lines_sum_to_subtotal(document, settings, evaluation);
    dates_make_sense(document, settings, evaluation);
    tax_ids_valid(document, settings, evaluation);
    iban_valid(document, settings, evaluation);
}

fn finding(rule: &'static str, queue: ReviewQueue, fields: &[&str], message: String) -> Finding {
    Finding { rule, severity: Severity::Review, queue, fields: field_names(fields), message }
}

fn required_fields(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    let missing: Vec<&str> = REQUIRED_INVOICE_FIELDS.iter().copied().filter(|name| !document.fields.contains_key(*name)).collect();
    let findings = if missing.is_empty() {
        vec![]
    } else {
        let message = format!("{}: {}", settings.language.pick("Required fields not found", "Campos obligatorios no encontrados"), missing.join(", "));
        vec![finding("required_fields", ReviewQueue::DataEntry, &missing, message)]
    };
    evaluation.record("required_fields", findings);
}

fn totals_add_up(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    const RULE: &str = "totals_add_up";
    let (Some(subtotal), Some(total)) = (decimal_field(document, "subtotal"), decimal_field(document, "total")) else {
        return evaluation.not_applicable(RULE);
    };
    let tax = decimal_field(document, "tax_amount").unwrap_or(Decimal::ZERO);
    let withholding = decimal_field(document, "withholding_amount").unwrap_or(Decimal::ZERO);
    let expected = subtotal + tax - withholding;
    let difference = (total - expected).abs();
    let findings = if difference <= settings.rounding_tolerance {
        vec![]
    } else {
        let language = settings.language;
        let currency = document.value("currency").unwrap_or("");
        let tax_label = language.pick("tax", "IVA");
        let rate = document.value("tax_rate").map(|rate| format!(" {rate}%")).unwrap_or_default();
        let withholding_text = if withholding.is_zero() {
            String::new()
        } else {
            format!(" − {} {}", language.pick("withholding", "retención"), language.amount(withholding))
        };
        let message = format!(
            "Total {} {currency} ≠ {} {} + {tax_label}{rate} {}{withholding_text} ({} {})",
            language.amount(total),
            language.pick("subtotal", "base"),
            language.amount(subtotal),
            language.amount(tax),
            language.pick("diff", "dif."),
            language.amount(difference),
        );
        vec![finding(RULE, ReviewQueue::Billing, &["total", "subtotal", "tax_amount"], message)]
    };
    evaluation.record(RULE, findings);
}

fn tax_matches_rate(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    const RULE: &str = "tax_matches_rate";
    let (Some(subtotal), Some(tax), Some(rate)) =
        (decimal_field(document, "subtotal"), decimal_field(document, "tax_amount"), decimal_field(document, "tax_rate"))
    else {
        return evaluation.not_applicable(RULE);
    };
    let expected = (subtotal * rate / Decimal::from(100)).round_dp(2);
    let difference = (tax - expected).abs();
    let findings = if difference <= settings.rounding_tolerance {
        vec![]
    } else {
        let language = settings.language;
        let message = format!(
            "{} {} ≠ {} {} × {rate}% = {} ({} {})",
            language.pick("Tax", "IVA"),
            language.amount(tax),
            language.pick("subtotal", "base"),
            language.amount(subtotal),
            language.amount(expected),
            language.pick("diff", "dif."),
            language.amount(difference),
        );
        vec![finding(RULE, ReviewQueue::Billing, &["tax_amount", "tax_rate", "subtotal"], message)]
    };
    evaluation.record(RULE, findings);
}

fn lines_sum_to_subtotal(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    const RULE: &str = "lines_sum_to_subtotal";
    let Some(subtotal) = decimal_field(document, "subtotal") else { return evaluation.not_applicable(RULE) };
    let amounts: Option<Vec<Decimal>> = document.line_items.iter().map(|item| item.amount.as_deref().and_then(|amount| amount.parse().ok())).collect();
    let Some(amounts) = amounts.filter(|amounts| !amounts.is_empty()) else { return evaluation.not_applicable(RULE) };
    let sum: Decimal = amounts.iter().sum();
    let difference = (sum - subtotal).abs();
    let findings = if difference <= settings.rounding_tolerance {
        vec![]
    } else {
        let language = settings.language;
        let message = format!(
            "{} {} ≠ {} {} ({} {})",
            language.pick("Sum of lines", "Suma de líneas"),
            language.amount(sum),
            language.pick("subtotal", "base"),
            language.amount(subtotal),
            language.pick("diff", "dif."),
            language.amount(difference)
        );
        vec![finding(RULE, ReviewQueue::Billing, &["subtotal"], message)]
    };
    evaluation.record(RULE, findings);
}

fn dates_make_sense(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    let language = settings.language;
    let issue = date_field(document, "issue_date");
    let due = date_field(document, "due_date");
    match issue {
        Some(issue) if issue > settings.today => evaluation.record(
            "issue_date_not_in_future",
            vec![finding(
                "issue_date_not_in_future",
                ReviewQueue::DataEntry,
                &["issue_date"],
                format!("{} {}", language.pick("Issue date is in the future:", "La fecha de emisión es futura:"), language.date(issue)),
            )],
        ),
        Some(_) => evaluation.record("issue_date_not_in_future", vec![]),
        None => evaluation.not_applicable("issue_date_not_in_future"),
    }
    match (issue, due) {
        (Some(issue), Some(due)) if due < issue => evaluation.record(
            "due_not_before_issue",
            vec![finding(
                "due_not_before_issue",
                ReviewQueue::DataEntry,
                &["due_date", "issue_date"],
                format!(
                    "{} {} {} {}",
                    language.pick("Due date", "Vencimiento"),
                    language.date(due),
                    language.pick("is before the issue date", "anterior a la fecha de emisión"),
                    language.date(issue)
                ),
            )],
        ),
        (Some(_), Some(_)) => evaluation.record("due_not_before_issue", vec![]),
        _ => evaluation.not_applicable("due_not_before_issue"),
    }
}

fn tax_ids_valid(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    const RULE: &str = "tax_ids_valid";
    let mut applicable = false;
    let mut findings = Vec::new();
    for (field, english, spanish) in [
        ("supplier_tax_id", "Supplier tax id fails its check", "El NIF/ID fiscal del proveedor no es válido"),
        ("customer_tax_id", "Customer tax id fails its check", "El NIF/ID fiscal del cliente no es válido"),
    ] {
        let Some(tax_id) = document.value(field) else { continue };
        applicable = true;
        if let TaxIdVerdict::Invalid(scheme, problem) = check_tax_id(tax_id, None) {
            findings.push(finding(RULE, ReviewQueue::DataEntry, &[field], format!("{} ({scheme:?}: {problem})", settings.language.pick(english, spanish))));
        }
    }
    if applicable { evaluation.record(RULE, findings) } else { evaluation.not_applicable(RULE) }
}

fn iban_valid(document: &ExtractedDocument, settings: &RuleSettings, evaluation: &mut Evaluation) {
    const RULE: &str = "iban_valid";
    let Some(iban) = document.value("iban") else { return evaluation.not_applicable(RULE) };
    let findings = match validate_iban(iban) {
        Ok(_) => vec![],
        Err(problem) => vec![finding(
            RULE,
            ReviewQueue::Billing,
            &["iban"],
            format!("{} ({problem})", settings.language.pick("The IBAN fails its check", "El IBAN no es válido")),
        )],
    };
    evaluation.record(RULE, findings);
}
