//! When a scanned invoice is read a second time, and how the fields of the
//! two readings become one.
//!
//! OCR layout analysis sometimes drops a whole block of a page: the
//! right-hand amount column, one totals line, the block holding the invoice
//! number. The first reading then lacks fields or has amounts that do not add
//! up. Such a page is read again, laid out another way
//! ([`crate::read::ocr::OcrEngine::recognize_another_way`]), and the second
//! reading's fields are merged into the first's:
//!
//! - the amounts (subtotal, tax, rate, withholding, total) and the line items
//!   are one group, taken whole from the reading whose amounts add up, then
//!   which found more of them, then whose least sure amount is surer; never
//!   mixed, so that an amount from one reading never sits beside a total
//!   from the other. When the chosen amounts still do not add up, they go
//!   below the review threshold: both readings failed on them;
//! - any other field the first reading missed is taken from the second;
//! - a field the two readings read differently keeps the first value, but
//!   below the review threshold: one of the readings misread it, and a
//!   person should look.
//!
//! Pure: no OCR here. `crate::extract` does the reading.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::extraction::{DocumentKind, ExtractedDocument, ExtractedField};

/// The amount fields, chosen together from one reading.
const AMOUNT_GROUP: &[&str] = &["subtotal", "tax_amount", "tax_rate", "withholding_amount", "total"];

/// The amounts that must add up: subtotal + tax − withholding = total.
const AMOUNTS_THAT_ADD_UP: &[&str] = &["subtotal", "tax_amount", "total"];

/// Fields nearly every invoice prints; a first reading without one of them
/// probably lost a block of the page.
const FIELDS_EVERY_INVOICE_PRINTS: &[&str] = &["invoice_number", "issue_date", "supplier_name", "customer_name"];

/// Confidence below which a field goes to review (the rules engine's
/// default `review_confidence_threshold`).
const REVIEW_THRESHOLD: f32 = 0.7;

/// The confidence a field keeps when the two readings disagree on it: just
/// under [`REVIEW_THRESHOLD`].
const DISAGREEMENT_CONFIDENCE: f32 = 0.69;

/// Most the printed sum may differ from subtotal + tax − withholding by:
/// two cents of rounding.
const ROUNDING_TOLERANCE: Decimal = Decimal::from_parts(2, 0, 0, false, 2);

/// Whether a first OCR reading is worth a second: it found no invoice, its
/// amounts are missing, do not add up or are unsure, or a field every
/// invoice prints is missing. Identity documents never are.
pub fn first_reading_needs_another(document: &ExtractedDocument) -> bool {
    match document.kind {
        DocumentKind::Identity => false,
        DocumentKind::Unknown => true,
        DocumentKind::Invoice => {
            !amounts_add_up(&document.fields)
                || AMOUNTS_THAT_ADD_UP.iter().any(|name| document.fields.get(*name).is_some_and(|field| field.confidence < REVIEW_THRESHOLD))
                || FIELDS_EVERY_INVOICE_PRINTS.iter().any(|name| !document.fields.contains_key(*name))
        }
    }
}

/// Merges a second reading of the same file into the first, as the module
/// documentation describes. A second reading that found an invoice where the
/// first found nothing is taken whole; one that found no invoice changes
/// nothing.
pub fn merge_second_reading(first: &mut ExtractedDocument, second: ExtractedDocument) {
    if second.kind != DocumentKind::Invoice {
        return;
    }
    if first.kind != DocumentKind::Invoice {
        first.kind = second.kind;
        first.fields = second.fields;
        first.line_items = second.line_items;
        return;
    }
    let ExtractedDocument { fields: mut second_fields, line_items: second_line_items, .. } = second;
    if amount_group_rank(&second_fields) > amount_group_rank(&first.fields) {
        for name in AMOUNT_GROUP {
            first.fields.remove(*name);
            if let Some(field) = second_fields.remove(*name) {
                first.fields.insert(name.to_string(), field);
            }
        }
        first.line_items = second_line_items;
    }
    if !amounts_add_up(&first.fields) {
        for name in AMOUNTS_THAT_ADD_UP {
            if let Some(field) = first.fields.get_mut(*name) {
                field.confidence = field.confidence.min(DISAGREEMENT_CONFIDENCE);
            }
        }
    }
    for (name, second_field) in second_fields {
        if AMOUNT_GROUP.contains(&name.as_str()) {
            continue;
        }
        match first.fields.get_mut(&name) {
            None => {
                first.fields.insert(name, second_field);
            }
            Some(first_field) if first_field.value != second_field.value => {
                first_field.confidence = first_field.confidence.min(DISAGREEMENT_CONFIDENCE);
            }
            Some(_) => {}
        }
    }
}

/// How good a reading's amounts are, best highest: they add up, then how
/// many amounts were found, then the least sure of subtotal, tax and total
/// (a missing one counts as not sure at all).
fn amount_group_rank(fields: &BTreeMap<String, ExtractedField>) -> (bool, usize, f32) {
    let found = AMOUNT_GROUP.iter().filter(|name| fields.contains_key(**name)).count();
    let least_sure = AMOUNTS_THAT_ADD_UP.iter().map(|name| fields.get(*name).map_or(0.0, |field| field.confidence)).fold(f32::INFINITY, f32::min);
    (amounts_add_up(fields), found, least_sure)
}

/// Whether subtotal + tax − withholding = total, within rounding. An
/// invoice that prints no tax adds up when its subtotal is its total. False
/// when the subtotal or the total is missing, or an amount is not a
/// decimal.
fn amounts_add_up(fields: &BTreeMap<String, ExtractedField>) -> bool {
    let amount = |name: &str| fields.get(name).map(|field| field.value.parse::<Decimal>().ok());
    let (Some(Some(subtotal)), Some(Some(total))) = (amount("subtotal"), amount("total")) else { return false };
    let (Some(tax), Some(withholding)) = (amount("tax_amount").unwrap_or(Some(Decimal::ZERO)), amount("withholding_amount").unwrap_or(Some(Decimal::ZERO))) else {
        return false;
    };
    (subtotal + tax - withholding - total).abs() <= ROUNDING_TOLERANCE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extraction::LineItem;

    fn invoice(fields: &[(&str, &str, f32)]) -> ExtractedDocument {
        ExtractedDocument {
            file: "scan.png".to_string(),
            sha256: String::new(),
            kind: DocumentKind::Invoice,
            pages: 1,
            source: None,
            fields: fields
                .iter()
                .map(|(name, value, confidence)| (name.to_string(), ExtractedField { value: value.to_string(), confidence: *confidence, page: 1, bbox: None }))
                .collect(),
            line_items: Vec::new(),
            error: None,
        }
    }

    const COMPLETE: &[(&str, &str, f32)] = &[
        ("invoice_number", "A-1", 0.9),
        ("issue_date", "2026-03-15", 0.9),
        ("supplier_name", "Talleres Serrano, S.L.", 0.8),
        ("customer_name", "Castro e Hijos, S.L.", 0.8),
        ("subtotal", "100.00", 0.9),
        ("tax_amount", "21.00", 0.9),
        ("total", "121.00", 0.9),
    ];

    #[test]
    fn a_complete_reading_whose_amounts_add_up_is_not_read_again() {
        assert!(!first_reading_needs_another(&invoice(COMPLETE)));
    }

    #[test]
    fn a_reading_whose_totals_block_was_dropped_is_read_again() {
        let without_amounts: Vec<_> = COMPLETE.iter().copied().filter(|(name, _, _)| !AMOUNT_GROUP.contains(name)).collect();
        assert!(first_reading_needs_another(&invoice(&without_amounts)));
    }

    #[test]
    fn amounts_that_do_not_add_up_or_an_unsure_total_ask_for_another_reading() {
        let mut wrong_sum = invoice(COMPLETE);
        wrong_sum.fields.get_mut("total").unwrap().value = "112.00".to_string();
        assert!(first_reading_needs_another(&wrong_sum));
        let mut unsure = invoice(COMPLETE);
        unsure.fields.get_mut("total").unwrap().confidence = 0.6;
        assert!(first_reading_needs_another(&unsure));
    }

    #[test]
    fn identity_documents_are_never_read_again_and_pages_with_no_invoice_are() {
        let mut identity = invoice(&[]);
        identity.kind = DocumentKind::Identity;
        assert!(!first_reading_needs_another(&identity));
        let mut unknown = invoice(&[]);
        unknown.kind = DocumentKind::Unknown;
        assert!(first_reading_needs_another(&unknown));
    }

    #[test]
    fn amounts_that_add_up_replace_the_whole_group_and_line_items_of_a_reading_whose_amounts_do_not() {
        let mut first = invoice(&[("subtotal", "100.00", 0.9), ("tax_amount", "2100.00", 0.6), ("tax_rate", "21", 0.9), ("invoice_number", "A-1", 0.9)]);
        first.line_items = vec![LineItem { description: Some("garbled".to_string()), ..LineItem::default() }];
        let mut second = invoice(&[("subtotal", "100.00", 0.9), ("tax_amount", "21.00", 0.9), ("total", "121.00", 0.9)]);
        second.line_items = vec![LineItem { description: Some("Hosting".to_string()), amount: Some("100.00".to_string()), ..LineItem::default() }];
        merge_second_reading(&mut first, second);
        assert_eq!(first.value("tax_amount"), Some("21.00"));
        assert_eq!(first.value("total"), Some("121.00"));
        assert_eq!(first.value("tax_rate"), None, "the rate belonged to the discarded group");
        assert_eq!(first.line_items[0].description.as_deref(), Some("Hosting"));
        assert_eq!(first.value("invoice_number"), Some("A-1"));
    }

    #[test]
    fn amounts_that_add_up_are_kept_against_a_second_reading_less_sure_of_the_same_amounts() {
        let mut first = invoice(COMPLETE);
        let mut second = invoice(COMPLETE);
        second.fields.get_mut("total").unwrap().confidence = 0.8;
        second.fields.get_mut("subtotal").unwrap().value = "100.01".to_string();
        second.fields.get_mut("total").unwrap().value = "121.01".to_string();
        merge_second_reading(&mut first, second);
        assert_eq!(first.value("total"), Some("121.00"));
        assert_eq!(first.fields["total"].confidence, 0.9);
    }

    #[test]
    fn an_invoice_that_prints_no_tax_adds_up_when_its_subtotal_is_its_total() {
        let untaxed: Vec<_> = COMPLETE.iter().copied().filter(|(name, _, _)| *name != "tax_amount" && *name != "total").chain([("total", "100.00", 0.9)]).collect();
        assert!(!first_reading_needs_another(&invoice(&untaxed)));
        let tax_dropped: Vec<_> = COMPLETE.iter().copied().filter(|(name, _, _)| *name != "tax_amount").collect();
        assert!(first_reading_needs_another(&invoice(&tax_dropped)));
    }

    #[test]
    fn amounts_neither_reading_could_add_up_go_to_review() {
        let mut first = invoice(&[("subtotal", "100.00", 0.9), ("tax_amount", "2100.00", 0.8), ("total", "121.00", 0.9)]);
        merge_second_reading(&mut first, invoice(&[("subtotal", "100.00", 0.9), ("total", "121.00", 0.95)]));
        assert_eq!(first.value("tax_amount"), Some("2100.00"), "the reading that found more amounts keeps its group");
        assert!(AMOUNTS_THAT_ADD_UP.iter().all(|name| first.fields[*name].confidence < REVIEW_THRESHOLD));
    }

    #[test]
    fn a_field_the_first_reading_missed_is_taken_from_the_second() {
        let mut first = invoice(&COMPLETE[1..]);
        merge_second_reading(&mut first, invoice(COMPLETE));
        assert_eq!(first.value("invoice_number"), Some("A-1"));
        assert_eq!(first.fields["invoice_number"].confidence, 0.9);
    }

    #[test]
    fn a_field_the_readings_disagree_on_keeps_the_first_value_and_goes_to_review() {
        let mut first = invoice(COMPLETE);
        let mut second = invoice(COMPLETE);
        second.fields.get_mut("invoice_number").unwrap().value = "A-7".to_string();
        merge_second_reading(&mut first, second);
        assert_eq!(first.value("invoice_number"), Some("A-1"));
        assert!(first.fields["invoice_number"].confidence < REVIEW_THRESHOLD);
        assert_eq!(first.fields["issue_date"].confidence, 0.9, "fields both readings agree on keep their confidence");
    }

    #[test]
    fn a_second_reading_that_found_an_invoice_where_the_first_found_none_is_taken_whole() {
        let mut first = invoice(&[]);
        first.kind = DocumentKind::Unknown;
        merge_second_reading(&mut first, invoice(COMPLETE));
        assert_eq!(first.kind, DocumentKind::Invoice);
        assert_eq!(first.value("total"), Some("121.00"));
        let mut nothing = invoice(&[]);
        nothing.kind = DocumentKind::Unknown;
        let mut kept = invoice(COMPLETE);
        merge_second_reading(&mut kept, nothing);
        assert_eq!(kept, invoice(COMPLETE));
    }
}
