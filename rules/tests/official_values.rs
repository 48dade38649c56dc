//! The built-in checks of the default packs on published values: the SWIFT
//! IBAN registry's examples, known-valid tax ids (AEAT, DIAN, SAT, HMRC),
//! ICAO 9303's specimen passport and ID card; and property tests: a valid
//! identifier with any one digit changed fails its rule.

use chrono::NaiveDate;
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, ExtractedField};
use tramite_pipeline::lifecycle::ReviewQueue;
use tramite_pipeline::mrz::{parse_mrz_lines, MrzRecord};
use tramite_rules::{EvaluationContext, Finding, RuleSet, Severity};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn document(kind: DocumentKind, fields: &[(&str, String)]) -> ExtractedDocument {
    ExtractedDocument {
        file: "test".into(),
        sha256: String::new(),
        kind,
        pages: 1,
        source: None,
        fields: fields.iter().map(|(name, value)| (name.to_string(), ExtractedField { value: value.clone(), confidence: 0.95, page: 1, bbox: None })).collect(),
        line_items: vec![],
        error: None,
    }
}

fn invoice_with(name: &str, value: &str, currency: &str) -> ExtractedDocument {
    let mut fields: Vec<(&str, String)> = [
        ("invoice_number", "2026-0042"),
        ("issue_date", "2026-03-15"),
        ("currency", currency),
        ("subtotal", "1000.00"),
        ("tax_rate", "21"),
        ("tax_amount", "210.00"),
        ("total", "1210.00"),
    ]
    .iter()
    .map(|(name, value)| (*name, value.to_string()))
    .collect();
    fields.push((name, value.to_string()));
    document(DocumentKind::Invoice, &fields)
}

fn findings(document: &ExtractedDocument) -> Vec<Finding> {
    RuleSet::defaults().evaluate(document, &EvaluationContext::new(today())).findings
}

fn rules_found(document: &ExtractedDocument) -> Vec<String> {
    findings(document).into_iter().map(|finding| finding.rule).collect()
}

/// Every variant of `id` with one ASCII digit (at or after `from`) replaced
/// by each other digit.
fn one_digit_changed(id: &str, from: usize) -> Vec<String> {
    let mut variants = Vec::new();
    for (position, character) in id.char_indices().skip(from) {
        let Some(digit) = character.to_digit(10) else { continue };
        for other in (0..10).filter(|other| *other != digit) {
            let mut variant = id.to_string();
            variant.replace_range(position..position + 1, &other.to_string());
            variants.push(variant);
        }
    }
    variants
}

// The "IBAN electronic format example" of each country in the SWIFT IBAN
// registry.
const REGISTRY_IBANS: [&str; 17] = [
    "AD1200012030200359100100",
    "AT611904300234573201",
    "BE68539007547034",
    "CH9300762011623852957",
    "DE89370400440532013000",
    "DK5000400440116243",
    "ES9121000418450200051332",
    "FI2112345600000785",
    "FR1420041010050500013M02606",
    "GB29NWBK60161331926819",
    "IE29AIBK93115212345678",
    "IT60X0542811101000000123456",
    "NL91ABNA0417164300",
    "NO9386011117947",
    "PL61109010140000071219812874",
    "PT50000201231234567890154",
    "SE4550000000058398257466",
];

#[test]
fn the_iban_registry_examples_pass() {
    for iban in REGISTRY_IBANS {
        assert_eq!(rules_found(&invoice_with("iban", iban, "EUR")), Vec::<String>::new(), "{iban}");
    }
}

#[test]
fn an_iban_with_any_one_digit_changed_goes_to_billing() {
    for iban in REGISTRY_IBANS {
        for variant in one_digit_changed(iban, 2) {
            let found = findings(&invoice_with("iban", &variant, "EUR"));
            assert_eq!(found.len(), 1, "{variant}: {found:?}");
            assert_eq!((found[0].rule.as_str(), found[0].queue), ("iban_valid", ReviewQueue::Billing), "{variant}");
        }
    }
}

// (value, currency giving the country hint)
const VALID_TAX_IDS: [(&str, &str); 12] = [
    ("12345678Z", "EUR"),      // DNI
    ("X1234567L", "EUR"),      // NIE
    ("B65410011", "EUR"),      // CIF, control digit
    ("Q2826000H", "EUR"),      // CIF of a public body, control letter
    ("ESB65410011", "EUR"),    // as an EU VAT number
    ("DE136695976", "EUR"),    // German VAT shape
    ("GB980780684", "GBP"),    // HMRC's example, modulus 97
    ("GB434031494", "GBP"),    // modulus 9755 series
    ("8001972684", "COP"),     // DIAN's example NIT 800.197.268-4
    ("SAT970701NN3", "MXN"),   // SAT's own RFC, persona moral
    ("GODE561231GR8", "MXN"),  // RFC, persona física
    ("XAXX010101000", "MXN"),  // SAT's generic RFC
];

#[test]
fn known_valid_tax_ids_pass() {
    for (tax_id, currency) in VALID_TAX_IDS {
        assert_eq!(rules_found(&invoice_with("supplier_tax_id", tax_id, currency)), Vec::<String>::new(), "{tax_id}");
        assert_eq!(rules_found(&invoice_with("customer_tax_id", tax_id, currency)), Vec::<String>::new(), "{tax_id}");
    }
}

#[test]
fn a_spanish_nif_or_colombian_nit_with_any_one_digit_changed_goes_to_data_entry() {
    // Modulus 23 (DNI, NIE) and the CIF's Luhn-like sum catch every
    // single-digit change; so do DIAN's prime weights modulo 11, except
    // that remainders 1 and 10 both give check digit 1 (not the case here).
    for (tax_id, currency) in [("12345678Z", "EUR"), ("X1234567L", "EUR"), ("B65410011", "EUR"), ("A58818501", "EUR"), ("8001972684", "COP")] {
        let variants = one_digit_changed(tax_id, 0);
        assert!(!variants.is_empty());
        for variant in variants {
            let found = findings(&invoice_with("supplier_tax_id", &variant, currency));
            assert_eq!(found.len(), 1, "{variant}: {found:?}");
            assert_eq!((found[0].rule.as_str(), found[0].queue), ("tax_ids_valid", ReviewQueue::DataEntry), "{variant}");
            assert_eq!(found[0].fields, vec!["supplier_tax_id".to_string()]);
        }
    }
}

#[test]
fn a_mexican_rfc_with_a_changed_date_or_check_digit_fails() {
    // Changing a date digit may make the date impossible (also a failure);
    // a changed check character always fails.
    for variant in one_digit_changed("SAT970701NN3", 3) {
        assert_eq!(rules_found(&invoice_with("supplier_tax_id", &variant, "MXN")), vec!["tax_ids_valid"], "{variant}");
    }
}

#[test]
fn a_gb_vat_number_with_a_changed_check_number_fails() {
    for variant in one_digit_changed("GB980780684", 9) {
        assert_eq!(rules_found(&invoice_with("supplier_tax_id", &variant, "GBP")), vec!["tax_ids_valid"], "{variant}");
    }
}

#[test]
fn bic_shapes() {
    for bic in ["DEUTDEFF", "DEUTDEFF500", "CAIXESBBXXX", "BSCHESMMXXX", "NEDSZAJJXXX"] {
        assert!(rules_found(&invoice_with("bic", bic, "EUR")).is_empty(), "{bic}");
    }
    for bic in ["DEUTDEF", "DE1TDEFF", "DEUTQQFF", "DEUTDEFF50"] {
        assert_eq!(rules_found(&invoice_with("bic", bic, "EUR")), vec!["bic_shape"], "{bic}");
    }
}

// ---------------------------------------------------------------------------
// ICAO 9303 specimens.

const TD3_SPECIMEN: [&str; 2] = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];
const TD1_SPECIMEN: [&str; 3] = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];

/// The contract's identity fields for an MRZ, as the extractor writes them.
fn identity_from(record: &MrzRecord) -> ExtractedDocument {
    let mut fields = vec![
        ("document_type", record.document_type().to_string()),
        ("issuing_country", record.issuing_country.clone()),
        ("nationality", record.nationality.clone()),
        ("document_number", record.document_number.clone()),
        ("surname", record.surname.clone()),
        ("given_names", record.given_names.clone()),
        ("mrz", record.mrz_text()),
        ("mrz_valid", record.all_check_digits_valid().to_string()),
    ];
    if let Some(date) = record.birth_date {
        fields.push(("birth_date", date.format("%Y-%m-%d").to_string()));
    }
    if let Some(date) = record.expiry_date {
        fields.push(("expiry_date", date.format("%Y-%m-%d").to_string()));
    }
    if let Some(sex) = record.sex {
        fields.push(("sex", sex.to_string()));
    }
    document(DocumentKind::Identity, &fields)
}

#[test]
fn the_icao_specimens_hold_their_check_digits_and_expired_on_15_april_2012() {
    for lines in [&TD3_SPECIMEN[..], &TD1_SPECIMEN[..]] {
        let record = parse_mrz_lines(lines, today()).unwrap();
        let found = findings(&identity_from(&record));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "identity_not_expired");
        assert_eq!(found[0].severity, Severity::Reject);
        assert_eq!(found[0].queue, ReviewQueue::Verification);
        assert_eq!(found[0].message, "The document expired on 2012-04-15");
        let spanish = RuleSet::defaults().evaluate(&identity_from(&record), &EvaluationContext { language: tramite_rules::Language::Spanish, ..EvaluationContext::new(today()) });
        assert_eq!(spanish.findings[0].message, "El documento caducó el 15/04/2012");
    }
}

#[test]
fn the_specimen_holder_is_52_and_of_age_but_would_be_a_minor_in_1990() {
    let record = parse_mrz_lines(&TD3_SPECIMEN, today()).unwrap();
    let evaluation = RuleSet::defaults().evaluate(&identity_from(&record), &EvaluationContext::new(today()));
    let age = evaluation.trace.iter().find(|entry| entry.rule == "holder_of_age").unwrap();
    assert_eq!(age.outcome, tramite_rules::RuleOutcome::Passed);
    assert_eq!(age.values.get("birth_date").map(String::as_str), Some("1974-08-12"));

    let in_1990 = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    let record = parse_mrz_lines(&TD3_SPECIMEN, in_1990).unwrap();
    let found = RuleSet::defaults().evaluate(&identity_from(&record), &EvaluationContext::new(in_1990)).findings;
    let minor = found.iter().find(|finding| finding.rule == "holder_of_age").unwrap();
    assert_eq!(minor.message, "The holder is 15, under 18");
    assert_eq!(minor.queue, ReviewQueue::Verification);
}

#[test]
fn a_specimen_with_any_one_digit_of_its_mrz_changed_is_rejected() {
    // Every ICAO check digit covers its field, and the composite covers all
    // of them: any one changed digit of the second line breaks one.
    let line = TD3_SPECIMEN[1];
    for variant in one_digit_changed(line, 0) {
        let Some(record) = parse_mrz_lines(&[TD3_SPECIMEN[0], &variant], today()) else { continue };
        let found = findings(&identity_from(&record));
        let mrz = found.iter().find(|finding| finding.rule == "mrz_check_digits");
        let mrz = mrz.unwrap_or_else(|| panic!("{variant}: {found:?}"));
        assert_eq!((mrz.severity, mrz.queue), (Severity::Reject, ReviewQueue::Verification));
    }
}

#[test]
fn a_spanish_dni_with_any_one_digit_changed_fails_its_letter() {
    let spanish = |number: &str| {
        document(
            DocumentKind::Identity,
            &[
                ("document_type", "id_card".into()),
                ("issuing_country", "ESP".into()),
                ("document_number", number.into()),
                ("birth_date", "1980-01-01".into()),
                ("expiry_date", "2031-06-30".into()),
                ("mrz_valid", "true".into()),
            ],
        )
    };
    assert!(rules_found(&spanish("12345678Z")).is_empty());
    assert!(rules_found(&spanish("00000000T")).is_empty());
    for variant in one_digit_changed("12345678Z", 0) {
        assert_eq!(rules_found(&spanish(&variant)), vec!["spanish_dni_letter"], "{variant}");
    }
}
