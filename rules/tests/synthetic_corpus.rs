//! The default packs on the synthetic corpus's ground truth (what a perfect
//! extractor returns): clean documents raise nothing, and each planted
//! defect is found by its rule and no other.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, ExtractedField, LineItem};
use tramite_rules::{EvaluationContext, RuleSet};
use tramite_synthetic::{generate, GeneratorOptions, PlantedDefect};

#[test]
fn clean_synthetic_documents_pass_and_planted_defects_are_found() {
    let corpus = generate(&GeneratorOptions { seed: 7, invoices: 120, identities: 40, scanned_share: 0.0, defect_share: 0.3, ..GeneratorOptions::default() });
    // The generator's "today".
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let mut defects_seen = BTreeSet::new();
    for generated in &corpus {
        let document = ExtractedDocument {
            file: generated.file_name.clone(),
            sha256: String::new(),
            kind: if generated.kind == "invoice" { DocumentKind::Invoice } else { DocumentKind::Identity },
            pages: 1,
            source: None,
            fields: generated.fields.iter().map(|(name, value)| (name.clone(), ExtractedField { value: value.clone(), confidence: 0.95, page: 1, bbox: None })).collect(),
            line_items: generated
                .line_items
                .iter()
                .map(|line| LineItem {
                    description: line.get("description").cloned(),
                    quantity: line.get("quantity").cloned(),
                    unit_price: line.get("unit_price").cloned(),
                    amount: line.get("amount").cloned(),
                })
                .collect(),
            error: None,
        };
        let evaluation = RuleSet::defaults().evaluate(&document, &EvaluationContext::new(today));
        let found: Vec<&str> = evaluation.findings.iter().map(|finding| finding.rule.as_str()).collect();
        let expected: Vec<&str> = generated
            .defects
            .iter()
            .map(|defect| match defect {
                PlantedDefect::WrongTotal => "totals_add_up",
                PlantedDefect::BadIban => "iban_valid",
                PlantedDefect::BadSupplierTaxId => "tax_ids_valid",
                PlantedDefect::DueBeforeIssue => "due_not_before_issue",
                PlantedDefect::ExpiredIdentity => "identity_not_expired",
                PlantedDefect::TamperedMrz => "mrz_check_digits",
            })
            .collect();
        defects_seen.extend(generated.defects.iter().copied());
        assert_eq!(found, expected, "{}: {:?}\n{:#?}", generated.file_name, evaluation.findings, generated.fields);
    }
    assert_eq!(corpus.len(), 160);
    assert_eq!(defects_seen.len(), 6, "every kind of defect was planted: {defects_seen:?}");
}
