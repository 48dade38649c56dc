//! The built-in checks on hand-built documents: each defect is found and
//! routed to the right queue, and a clean document raises nothing.

use chrono::NaiveDate;
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, ExtractedField, LineItem};
use tramite_pipeline::lifecycle::ReviewQueue;
use tramite_rules::{evaluate, Language, RuleSettings};

fn settings() -> RuleSettings {
    RuleSettings::new(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
}

fn document(kind: DocumentKind, fields: &[(&str, &str)]) -> ExtractedDocument {
    ExtractedDocument {
        file: "test.pdf".into(),
        sha256: "0".repeat(64),
        kind,
        pages: 1,
        source: None,
        fields: fields.iter().map(|(name, value)| (name.to_string(), ExtractedField { value: value.to_string(), confidence: 0.95, page: 1, bbox: None })).collect(),
        line_items: vec![],
        error: None,
    }
}

fn clean_invoice() -> ExtractedDocument {
    document(
        DocumentKind::Invoice,
        &[
            ("invoice_number", "2026-0042"),
            ("issue_date", "2026-03-15"),
            ("due_date", "2026-04-14"),
            ("currency", "EUR"),
            ("subtotal", "1000.00"),
            ("tax_rate", "21"),
            ("tax_amount", "210.00"),
            ("total", "1210.00"),
            ("supplier_tax_id", "B65410011"),
            ("iban", "ES9121000418450200051332"),
        ],
    )
}

fn rules_found(document: &ExtractedDocument) -> Vec<(&'static str, ReviewQueue)> {
    // Rule ids are data now (`String`); leaking them keeps the assertions
    // below comparing plain `&str` tuples.
    evaluate(document, &settings()).findings.into_iter().map(|finding| (&*finding.rule.leak(), finding.queue)).collect()
}

#[test]
fn a_clean_invoice_raises_no_finding() {
    let evaluation = evaluate(&clean_invoice(), &settings());
    assert!(evaluation.is_clean(), "{:?}", evaluation.findings);
    assert!(!evaluation.trace.is_empty());
}

#[test]
fn a_total_that_does_not_add_up_goes_to_billing_with_the_figures_in_spanish() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("total").unwrap().value = "1240.00".into();
    let mut spanish = settings();
    spanish.language = Language::Spanish;
    let evaluation = evaluate(&invoice, &spanish);
    let finding = evaluation.findings.iter().find(|finding| finding.rule == "totals_add_up").unwrap();
    assert_eq!(finding.queue, ReviewQueue::Billing);
    assert_eq!(finding.message, "Total 1.240,00 EUR ≠ base 1.000,00 + IVA 21% 210,00 (dif. 30,00)");
    assert!(finding.fields.contains(&"total".to_string()));
}

#[test]
fn a_rounding_cent_is_tolerated() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("total").unwrap().value = "1210.01".into();
    assert!(rules_found(&invoice).is_empty());
}

#[test]
fn a_tax_that_does_not_match_its_rate_goes_to_billing() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("tax_rate").unwrap().value = "10".into();
    assert!(rules_found(&invoice).contains(&("tax_matches_rate", ReviewQueue::Billing)));
}

#[test]
fn line_items_that_do_not_sum_to_the_subtotal_go_to_billing() {
    let mut invoice = clean_invoice();
    invoice.line_items = vec![LineItem { amount: Some("600.00".into()), ..LineItem::default() }, LineItem { amount: Some("300.00".into()), ..LineItem::default() }];
    assert!(rules_found(&invoice).contains(&("lines_sum_to_subtotal", ReviewQueue::Billing)));
}

#[test]
fn a_due_date_before_the_issue_date_goes_to_data_entry() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("due_date").unwrap().value = "2026-03-01".into();
    assert_eq!(rules_found(&invoice), vec![("due_not_before_issue", ReviewQueue::DataEntry)]);
}

#[test]
fn an_issue_date_in_the_future_goes_to_data_entry() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("issue_date").unwrap().value = "2027-01-01".into();
    assert!(rules_found(&invoice).contains(&("issue_date_not_in_future", ReviewQueue::DataEntry)));
}

#[test]
fn an_iban_with_a_wrong_digit_goes_to_billing() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("iban").unwrap().value = "ES9121000418450200051333".into();
    assert_eq!(rules_found(&invoice), vec![("iban_valid", ReviewQueue::Billing)]);
}

#[test]
fn a_spanish_tax_id_with_a_wrong_control_character_goes_to_data_entry() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("supplier_tax_id").unwrap().value = "B65410012".into();
    assert_eq!(rules_found(&invoice), vec![("tax_ids_valid", ReviewQueue::DataEntry)]);
}

#[test]
fn missing_required_fields_go_to_data_entry_naming_them() {
    let mut invoice = clean_invoice();
    invoice.fields.remove("invoice_number");
    let evaluation = evaluate(&invoice, &settings());
    let finding = evaluation.findings.iter().find(|finding| finding.rule == "required_fields").unwrap();
    assert_eq!(finding.fields, vec!["invoice_number".to_string()]);
    assert_eq!(finding.queue, ReviewQueue::DataEntry);
}

#[test]
fn a_low_confidence_field_goes_to_data_entry() {
    let mut invoice = clean_invoice();
    invoice.fields.get_mut("total").unwrap().confidence = 0.4;
    assert_eq!(rules_found(&invoice), vec![("low_confidence_fields", ReviewQueue::DataEntry)]);
}

fn identity(mrz_valid: &str, expiry: &str) -> ExtractedDocument {
    document(DocumentKind::Identity, &[("document_number", "L898902C3"), ("mrz_valid", mrz_valid), ("expiry_date", expiry), ("birth_date", "1974-08-12")])
}

#[test]
fn a_valid_unexpired_identity_document_raises_no_finding() {
    assert!(rules_found(&identity("true", "2030-01-01")).is_empty());
}

#[test]
fn a_tampered_machine_readable_zone_goes_to_verification() {
    assert_eq!(rules_found(&identity("false", "2030-01-01")), vec![("mrz_check_digits", ReviewQueue::Verification)]);
}

#[test]
fn an_expired_or_soon_expiring_identity_document_goes_to_verification() {
    assert_eq!(rules_found(&identity("true", "2012-04-15")), vec![("identity_not_expired", ReviewQueue::Verification)]);
    assert_eq!(rules_found(&identity("true", "2026-12-01")), vec![("identity_not_expired", ReviewQueue::Verification)]);
}

#[test]
fn a_document_of_unknown_kind_goes_to_data_entry() {
    assert_eq!(rules_found(&document(DocumentKind::Unknown, &[])), vec![("kind_recognised", ReviewQueue::DataEntry)]);
}
