//! Rule packs as data: the shipped packs and their table-driven cases, load
//! errors with file and line, per-client overrides, and reloading.

use std::collections::BTreeSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, ExtractedField};
use tramite_pipeline::lifecycle::ReviewQueue;
use tramite_rules::{check_pack, load_pack, run_cases, EvaluationContext, PackHolder, PackKind, RuleOrigin, RuleOutcome, RuleSet, Severity};

fn packs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("packs")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn invoice(fields: &[(&str, &str)]) -> ExtractedDocument {
    let mut all: Vec<(&str, &str)> = vec![
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
    ];
    for (name, value) in fields {
        all.retain(|(existing, _)| existing != name);
        all.push((name, value));
    }
    ExtractedDocument {
        file: "test.pdf".into(),
        sha256: String::new(),
        kind: DocumentKind::Invoice,
        pages: 1,
        source: None,
        fields: all.iter().map(|(name, value)| (name.to_string(), ExtractedField { value: value.to_string(), confidence: 0.95, page: 1, bbox: None })).collect(),
        line_items: vec![],
        error: None,
    }
}

fn found(rules: &RuleSet, document: &ExtractedDocument) -> Vec<String> {
    rules.evaluate(document, &EvaluationContext::new(today())).findings.into_iter().map(|finding| finding.rule).collect()
}

// ---------------------------------------------------------------------------
// The shipped packs and their cases.

#[test]
fn every_shipped_pack_checks_and_is_what_is_embedded() {
    for job in ["data_entry", "billing", "verification"] {
        let path = packs_dir().join(format!("{job}.toml"));
        let summary = check_pack(&path).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(summary.kind, PackKind::Job(job.parse().unwrap()));
        assert_eq!(summary.version, 1);
        assert!(summary.rules.iter().all(|rule| rule.origin == RuleOrigin::Default && rule.enabled));
        assert_eq!(load_pack(&path).unwrap().rule_ids(), RuleSet::defaults().rule_ids(), "loading {job} over the defaults changes nothing");
        let text = summary.to_string();
        assert!(text.contains("totals_add_up") && text.contains("rounding_tolerance = 0.02"), "{text}");
    }
}

#[test]
fn the_rules_of_each_job_go_to_its_queue() {
    let summary = RuleSet::defaults().summary();
    for rule in &summary.rules {
        assert_eq!(rule.queue.as_str(), rule.pack, "{}", rule.id);
    }
    assert!(summary.rules.len() >= 25, "{}", summary.rules.len());
}

#[test]
fn the_table_driven_cases_of_every_shipped_pack_pass_and_cover_every_rule() {
    let mut expected_somewhere: BTreeSet<String> = BTreeSet::new();
    let mut cases = 0;
    for job in ["data_entry", "billing", "verification"] {
        let report = run_cases(packs_dir().join(format!("{job}.toml")), packs_dir().join("cases").join(format!("{job}.toml")));
        assert!(report.is_success(), "{report}");
        assert!(report.total >= 15, "{report}");
        cases += report.total;
        let all: BTreeSet<String> = RuleSet::defaults().rule_ids().into_iter().collect();
        let never: BTreeSet<String> = report.rules_never_expected.iter().cloned().collect();
        expected_somewhere.extend(all.difference(&never).cloned());
        // Each job's case file exercises every rule of that job.
        for rule in RuleSet::defaults().summary().rules.iter().filter(|rule| rule.pack == job) {
            assert!(!never.contains(&rule.id), "no case in cases/{job}.toml expects {}", rule.id);
        }
    }
    assert_eq!(expected_somewhere.into_iter().collect::<Vec<_>>().len(), RuleSet::defaults().rule_ids().len());
    assert!(cases >= 60, "{cases}");
}

#[test]
fn a_failing_case_is_reported_with_its_line_and_what_differed() {
    let cases = r#"
today = "2026-11-23"

[[case]]
name = "passes"
kind = "unknown"
expect = ["kind_recognised"]

[[case]]
name = "wrong expectation"
kind = "invoice"
fields = { invoice_number = "1", issue_date = "2026-01-01", currency = "EUR", total = "10.00", iban = "ES9121000418450200051333" }
expect = ["totals_add_up"]
messages = { iban_valid = "something else" }
"#;
    let report = tramite_rules::run_cases_str(RuleSet::defaults(), "inline.toml", cases);
    assert_eq!((report.total, report.passed), (2, 1));
    let failure = &report.failures[0];
    assert_eq!(failure.case, "wrong expectation");
    assert_eq!(failure.line, 9);
    let text = report.to_string();
    assert!(text.contains("1 passed, 1 failed"), "{text}");
    assert!(text.contains("expected totals_add_up to find something; it notapplicable: subtotal is absent"), "{text}");
    assert!(text.contains("iban_valid found something unexpected: The IBAN fails its check"), "{text}");
    assert!(text.contains("message of iban_valid"), "{text}");
    assert!(text.contains("inline.toml:9"), "{text}");
}

#[test]
fn a_case_naming_an_unknown_rule_or_field_fails_instead_of_passing_silently() {
    let cases = r#"
today = "2026-11-23"
[[case]]
name = "typo in rule"
kind = "unknown"
expect = ["kind_recognized"]
[[case]]
name = "typo in field"
kind = "invoice"
fields = { totl = "1.00" }
expect = []
"#;
    let report = tramite_rules::run_cases_str(RuleSet::defaults(), "inline.toml", cases);
    assert_eq!(report.passed, 0, "{report}");
    assert!(report.failures[0].problems[0].contains("names rule kind_recognized"), "{report}");
    assert!(report.failures[1].problems[0].contains("unknown field totl"), "{report}");
}

#[test]
fn a_pack_that_does_not_load_is_reported_by_run_cases() {
    let report = run_cases(packs_dir().join("no-such-pack.toml"), packs_dir().join("cases/billing.toml"));
    assert!(!report.is_success());
    assert!(report.error.as_deref().unwrap().contains("cannot read the pack"), "{report}");
}

// ---------------------------------------------------------------------------
// Load errors: file, line and reason.

fn load_error(text: &str) -> tramite_rules::RulePackError {
    RuleSet::defaults().with_pack("acme.toml", text).expect_err("the pack must be rejected")
}

const CLIENT_HEADER: &str = "[pack]\nclient = \"acme\"\nversion = 1\n";

#[test]
fn bad_toml_syntax_is_rejected_with_its_line() {
    let error = load_error(&format!("{CLIENT_HEADER}\n[[rule]]\nid = \"x\"\ncheck = \"true\n"));
    assert_eq!(error.file, "acme.toml");
    assert_eq!(error.line, 7, "{error}");
    assert!(error.reason.starts_with("not a valid pack"), "{error}");
    assert!(error.to_string().starts_with("acme.toml:7:"), "{error}");
}

#[test]
fn a_bad_expression_syntax_is_rejected_at_the_line_of_the_expression() {
    let text = format!(
        "{CLIENT_HEADER}
[[rule]]
id = \"po_required\"
queue = \"data_entry\"
check = \"has(po_number) &&\"
message.en = \"x\"
message.es = \"x\"
"
    );
    let error = load_error(&text);
    assert_eq!((error.line, error.column), (8, 27), "{error}");
    assert!(error.reason.contains("rule po_required: expected a value, found the end of the expression"), "{error}");
}

#[test]
fn an_unknown_field_is_rejected_with_a_suggestion() {
    let text = format!(
        "{CLIENT_HEADER}
[[rule]]
id = \"big_total\"
queue = \"billing\"
check = \"totl < 10000\"
message.en = \"Big total {{total}}\"
message.es = \"Total alto {{total}}\"
"
    );
    let error = load_error(&text);
    assert_eq!(error.line, 8, "{error}");
    assert!(error.reason.contains("unknown name `totl`"), "{error}");
    assert!(error.reason.contains("did you mean `total`?"), "{error}");
    assert_eq!(error.to_string(), "acme.toml:8:10: rule big_total: unknown name `totl`: not a document field, a param or a let; did you mean `total`?");
}

#[test]
fn an_unknown_field_in_a_message_placeholder_is_rejected_on_its_line() {
    let text = format!(
        "{CLIENT_HEADER}
[[rule]]
id = \"big_total\"
queue = \"billing\"
check = \"total < 10000\"
message.en = \"Big total {{total}}\"
message.es = \"Total alto {{importe}}\"
"
    );
    let error = load_error(&text);
    assert_eq!(error.line, 10, "{error}");
    assert!(error.reason.contains("unknown name `importe`"), "{error}");
}

#[test]
fn an_unknown_function_is_rejected() {
    let text = format!(
        "{CLIENT_HEADER}
[override.iban_valid]
check = \"valid_ibn(iban)\"
"
    );
    let error = load_error(&text);
    assert_eq!(error.line, 6, "{error}");
    assert!(error.reason.contains("unknown function `valid_ibn`; did you mean `valid_iban`?"), "{error}");
}

#[test]
fn a_type_error_is_rejected() {
    let text = format!(
        "{CLIENT_HEADER}

[[rule]]
id = \"early_payment\"
queue = \"billing\"
check = \"due_date - issue_date < 30\"
message.en = \"x\"
message.es = \"x\"
"
    );
    let error = load_error(&text);
    assert_eq!(error.line, 9, "{error}");
    assert!(error.reason.contains("`-` needs two numbers, not a date and a date (for dates use days_between(a, b)"), "{error}");

    let not_bool = load_error(&format!("{CLIENT_HEADER}[override.iban_valid]\ncheck = \"iban\"\n"));
    assert!(not_bool.reason.contains("`check` must be a bool, but this expression is a text"), "{not_bool}");

    let bad_param = load_error(&format!("{CLIENT_HEADER}[params]\nrounding_tolerance = \"0.05\"\n"));
    assert_eq!(bad_param.line, 5, "{bad_param}");
    assert!(bad_param.reason.contains("param rounding_tolerance is a number in the default packs; this sets it to a text"), "{bad_param}");
}

#[test]
fn structural_mistakes_are_rejected_with_their_line() {
    let unknown_key = load_error(&format!("{CLIENT_HEADER}[override.iban_valid]\nenable = false\n"));
    assert_eq!(unknown_key.line, 5, "{unknown_key}");
    assert!(unknown_key.reason.contains("enable"), "{unknown_key}");

    let unknown_rule = load_error(&format!("{CLIENT_HEADER}[override.iban_vaild]\nenabled = false\n"));
    assert_eq!(unknown_rule.line, 4, "{unknown_rule}");
    assert!(unknown_rule.reason.contains("no rule has this id; did you mean `iban_valid`?"), "{unknown_rule}");

    let taken = load_error(&format!("{CLIENT_HEADER}[[rule]]\nid = \"iban_valid\"\nqueue = \"billing\"\ncheck = \"true\"\nmessage = {{ en = \"x\", es = \"x\" }}\n"));
    assert!(taken.reason.contains("already exists in the default packs: change it with [override.iban_valid]"), "{taken}");

    let no_spanish = load_error(&format!("{CLIENT_HEADER}[[rule]]\nid = \"x\"\nqueue = \"billing\"\ncheck = \"true\"\nmessage = {{ en = \"x\" }}\n"));
    assert!(no_spanish.reason.contains("missing field `es`"), "{no_spanish}");

    let no_queue = load_error(&format!("{CLIENT_HEADER}[[rule]]\nid = \"x\"\ncheck = \"true\"\nmessage = {{ en = \"x\", es = \"x\" }}\n"));
    assert!(no_queue.reason.contains("names its `queue`"), "{no_queue}");

    let two_bodies = load_error(&format!("{CLIENT_HEADER}[[rule]]\nid = \"x\"\nqueue = \"billing\"\ncheck = \"true\"\nflag = \"missing(['total'])\"\nmessage = {{ en = \"x\", es = \"x\" }}\n"));
    assert!(two_bodies.reason.contains("exactly one of `check`"), "{two_bodies}");

    let bad_severity = load_error(&format!("{CLIENT_HEADER}[override.iban_valid]\nseverity = \"urgent\"\n"));
    assert_eq!(bad_severity.line, 5, "{bad_severity}");

    let no_header = load_error("[params]\nx = 1\n");
    assert!(no_header.reason.contains("missing field `pack`"), "{no_header}");

    let wrong_kind_field = load_error(&format!("{CLIENT_HEADER}[[rule]]\nid = \"x\"\nkinds = [\"invoice\"]\nqueue = \"billing\"\ncheck = \"has(surname)\"\nmessage = {{ en = \"x\", es = \"x\" }}\n"));
    assert!(wrong_kind_field.reason.contains("field `surname` never appears on invoice documents"), "{wrong_kind_field}");
}

#[test]
fn check_pack_reports_an_unreadable_file_and_a_bad_pack_with_the_path() {
    let missing = check_pack("/nonexistent/acme.toml").unwrap_err();
    assert_eq!((missing.file.as_str(), missing.line), ("/nonexistent/acme.toml", 0));
    let directory = std::env::temp_dir().join(format!("tramite-rules-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("broken.toml");
    std::fs::write(&path, format!("{CLIENT_HEADER}[override.totals_add_up]\ncheck = \"total == \"\n")).unwrap();
    let error = check_pack(&path).unwrap_err();
    assert_eq!(error.file, path.display().to_string());
    assert_eq!(error.line, 5);
    std::fs::remove_dir_all(&directory).unwrap();
}

// ---------------------------------------------------------------------------
// Per-client packs.

#[test]
fn a_client_can_change_a_threshold() {
    let wrong_by_thirty = invoice(&[("total", "1240.00")]);
    assert_eq!(found(RuleSet::defaults(), &wrong_by_thirty), vec!["totals_add_up"]);
    let lenient = RuleSet::defaults().with_pack("acme.toml", &format!("{CLIENT_HEADER}[params]\nrounding_tolerance = 50.00\n")).unwrap();
    assert!(found(&lenient, &wrong_by_thirty).is_empty());
    assert_eq!(lenient.param("rounding_tolerance").as_deref(), Some("50"));

    let doubtful_iban = {
        let mut document = invoice(&[]);
        document.fields.get_mut("iban").unwrap().confidence = 0.8;
        document
    };
    assert!(found(RuleSet::defaults(), &doubtful_iban).is_empty());
    let strict = RuleSet::defaults().with_pack("acme.toml", &format!("{CLIENT_HEADER}[confidence]\niban = 0.9\n")).unwrap();
    assert_eq!(found(&strict, &doubtful_iban), vec!["low_confidence_fields"]);
}

#[test]
fn a_client_can_switch_a_rule_off() {
    let bad_iban = invoice(&[("iban", "ES9121000418450200051333")]);
    let rules = RuleSet::defaults().with_pack("acme.toml", &format!("{CLIENT_HEADER}[override.iban_valid]\nenabled = false\n")).unwrap();
    assert!(found(&rules, &bad_iban).is_empty());
    let evaluation = rules.evaluate(&bad_iban, &EvaluationContext::new(today()));
    assert!(evaluation.trace.iter().all(|entry| entry.rule != "iban_valid"), "a switched-off rule is not evaluated");
    let summary = rules.summary();
    let iban = summary.rules.iter().find(|rule| rule.id == "iban_valid").unwrap();
    assert!(!iban.enabled);
    assert_eq!(iban.origin, RuleOrigin::Changed);
    assert!(summary.to_string().contains("[off]"));
}

#[test]
fn a_client_can_add_a_rule_and_change_one() {
    let pack = format!(
        "{CLIENT_HEADER}
[params]
purchase_order_limit = 1000

[[rule]]
id = \"po_required_above_limit\"
kinds = [\"invoice\"]
queue = \"billing\"
severity = \"reject\"
when = \"total > purchase_order_limit\"
check = \"has(po_number)\"
message.en = \"Invoices over {{purchase_order_limit}} need a purchase order number (total {{total}})\"
message.es = \"Las facturas de más de {{purchase_order_limit}} necesitan número de pedido (total {{total}})\"

[override.due_not_before_issue]
queue = \"billing\"
severity = \"info\"
message.en = \"Due {{due_date}} before issue {{issue_date}}\"
message.es = \"Vence {{due_date}} antes de emitirse {{issue_date}}\"
"
    );
    let rules = RuleSet::defaults().with_pack("acme.toml", &pack).unwrap();
    let evaluation = rules.evaluate(&invoice(&[("due_date", "2026-03-01")]), &EvaluationContext { language: tramite_rules::Language::Spanish, ..EvaluationContext::new(today()) });
    let added = evaluation.findings.iter().find(|finding| finding.rule == "po_required_above_limit").unwrap();
    assert_eq!(added.severity, Severity::Reject);
    assert_eq!(added.queue, ReviewQueue::Billing);
    assert_eq!(added.fields, vec!["total".to_string(), "po_number".to_string()]);
    assert_eq!(added.message, "Las facturas de más de 1.000,00 necesitan número de pedido (total 1.210,00)");
    let changed = evaluation.findings.iter().find(|finding| finding.rule == "due_not_before_issue").unwrap();
    assert_eq!((changed.queue, changed.severity), (ReviewQueue::Billing, Severity::Info));
    assert_eq!(changed.message, "Vence 01/03/2026 antes de emitirse 15/03/2026");
    assert!(found(&rules, &invoice(&[("po_number", "PO-7")])).is_empty());
    assert!(found(&rules, &invoice(&[("subtotal", "800.00"), ("tax_amount", "168.00"), ("total", "968.00")])).is_empty());

    let summary = rules.summary();
    assert_eq!(summary.kind, PackKind::Client("acme".into()));
    let added = summary.rules.iter().find(|rule| rule.id == "po_required_above_limit").unwrap();
    assert_eq!((added.origin, added.pack.as_str()), (RuleOrigin::Added, "acme"));
}

#[test]
fn a_client_can_change_a_let_and_the_cases_of_a_rule() {
    let pack = format!(
        "{CLIENT_HEADER}
[override.required_fields]
let.absent = \"missing(['invoice_number', 'issue_date', 'total', 'currency', 'po_number'])\"

[override.identity_not_expired]
[[override.identity_not_expired.case]]
if = \"days_left < 90\"
severity = \"reject\"
message = {{ en = \"Expires too soon: {{expiry_date}}\", es = \"Caduca demasiado pronto: {{expiry_date}}\" }}
"
    );
    let rules = RuleSet::defaults().with_pack("acme.toml", &pack).unwrap();
    let evaluation = rules.evaluate(&invoice(&[]), &EvaluationContext::new(today()));
    assert_eq!(evaluation.findings.len(), 1);
    assert_eq!(evaluation.findings[0].fields, vec!["po_number".to_string()]);

    let mut identity = invoice(&[]);
    identity.kind = DocumentKind::Identity;
    identity.fields = [("document_number", "L898902C3"), ("birth_date", "1974-08-12"), ("expiry_date", "2027-01-15"), ("mrz_valid", "true")]
        .iter()
        .map(|(name, value)| (name.to_string(), ExtractedField { value: value.to_string(), confidence: 0.95, page: 1, bbox: None }))
        .collect();
    assert!(found(RuleSet::defaults(), &identity).is_empty());
    let evaluation = rules.evaluate(&identity, &EvaluationContext::new(today()));
    assert_eq!(evaluation.findings[0].message, "Expires too soon: 2027-01-15");
    assert_eq!(evaluation.findings[0].severity, Severity::Reject);
}

#[test]
fn a_job_pack_file_replaces_its_default() {
    let billing = std::fs::read_to_string(packs_dir().join("billing.toml")).unwrap();
    let edited = billing.replace("rounding_tolerance = 0.02", "rounding_tolerance = 0.05");
    let rules = RuleSet::defaults().with_pack("billing.toml", &edited).unwrap();
    assert!(found(&rules, &invoice(&[("total", "1210.05")])).is_empty());
    assert_eq!(found(RuleSet::defaults(), &invoice(&[("total", "1210.05")])), vec!["totals_add_up"]);
    assert_eq!(rules.rule_ids(), RuleSet::defaults().rule_ids());
}

#[test]
fn tramite_toml_settings_replace_the_default_params() {
    let mut settings = tramite_rules::RuleSettings::new(today());
    settings.rounding_tolerance = "1.00".parse().unwrap();
    settings.review_confidence_threshold = 0.99;
    let rules = RuleSet::defaults().with_settings(&settings);
    assert_eq!(found(&rules, &invoice(&[("total", "1210.50")])), vec!["low_confidence_fields"]);
}

// ---------------------------------------------------------------------------
// Reloading keeps the last good pack.

#[test]
fn a_pack_holder_swaps_on_a_good_reload_and_keeps_the_old_pack_on_a_bad_one() {
    let holder = PackHolder::new(RuleSet::defaults().clone());
    let bad_iban = invoice(&[("iban", "ES9121000418450200051333")]);
    assert_eq!(found(&holder.current(), &bad_iban), vec!["iban_valid"]);

    let before = holder.current();
    let summary = holder.reload_from_str("acme.toml", &format!("{CLIENT_HEADER}[override.iban_valid]\nenabled = false\n")).unwrap();
    assert_eq!(summary.version, 1);
    assert!(found(&holder.current(), &bad_iban).is_empty());
    assert_eq!(found(&before, &bad_iban), vec!["iban_valid"], "a reader keeps the set it started with");

    let error = holder.reload_from_str("acme.toml", &format!("{CLIENT_HEADER}[override.iban_valid]\ncheck = \"valid_iban(ibn)\"\n")).unwrap_err();
    assert_eq!(error.line, 5);
    assert!(found(&holder.current(), &bad_iban).is_empty(), "the last good pack stays in force");

    let missing = holder.reload("/nonexistent/acme.toml").unwrap_err();
    assert_eq!(missing.line, 0);
    assert!(found(&holder.current(), &bad_iban).is_empty());

    holder.reload(packs_dir().join("billing.toml")).unwrap();
    assert_eq!(found(&holder.current(), &bad_iban), vec!["iban_valid"], "a reload applies over the base, not over the previous client pack");
}

// ---------------------------------------------------------------------------
// The trace.

#[test]
fn the_trace_records_every_rule_its_outcome_and_the_values_it_looked_at() {
    let document = invoice(&[("total", "1240.00")]);
    let evaluation = RuleSet::defaults().evaluate(&document, &EvaluationContext::new(today()));
    let entry = evaluation.trace.iter().find(|entry| entry.rule == "totals_add_up").unwrap();
    assert_eq!(entry.outcome, RuleOutcome::Found);
    assert_eq!(entry.values.get("total").map(String::as_str), Some("1240.00"));
    assert_eq!(entry.values.get("subtotal").map(String::as_str), Some("1000.00"));
    assert_eq!(entry.values.get("withholding_amount").map(String::as_str), Some("(absent)"));
    assert_eq!(entry.values.get("rounding_tolerance").map(String::as_str), Some("0.02"));

    let lines = evaluation.trace.iter().find(|entry| entry.rule == "lines_sum_to_subtotal").unwrap();
    assert_eq!(lines.outcome, RuleOutcome::NotApplicable);
    assert_eq!(lines.detail.as_deref(), Some("line_items is absent"));

    let passed = evaluation.trace.iter().find(|entry| entry.rule == "iban_valid").unwrap();
    assert_eq!(passed.outcome, RuleOutcome::Passed);

    let identity_rules = evaluation.trace.iter().filter(|entry| entry.rule == "mrz_check_digits").count();
    assert_eq!(identity_rules, 0, "rules of other document kinds are not evaluated");

    // The workers store the evaluation as JSON with the document.
    let json: serde_json::Value = serde_json::to_value(&evaluation).unwrap();
    let stored = json["trace"].as_array().unwrap().iter().find(|entry| entry["rule"] == "totals_add_up").unwrap();
    assert_eq!(stored["outcome"], "found");
    assert_eq!(stored["values"]["total"], "1240.00");
    assert_eq!(json["findings"][0]["rule"], "totals_add_up");
    assert!(json["findings"][0].get("related_documents").is_none(), "empty links are left out");
}

#[test]
fn a_rule_that_cannot_be_computed_is_traced_as_an_error_without_a_finding() {
    let pack = format!(
        "{CLIENT_HEADER}
[[rule]]
id = \"tax_share\"
kinds = [\"invoice\"]
queue = \"billing\"
check = \"tax_amount / subtotal < 1\"
message = {{ en = \"x\", es = \"x\" }}
"
    );
    let rules = RuleSet::defaults().with_pack("acme.toml", &pack).unwrap();
    let evaluation = rules.evaluate(&invoice(&[("subtotal", "0.00"), ("tax_amount", "0.00"), ("total", "0.00")]), &EvaluationContext::new(today()));
    let entry = evaluation.trace.iter().find(|entry| entry.rule == "tax_share").unwrap();
    assert_eq!(entry.outcome, RuleOutcome::Error);
    assert_eq!(entry.detail.as_deref(), Some("division by zero"));
    assert!(evaluation.findings.iter().all(|finding| finding.rule != "tax_share"));
}

#[test]
fn the_example_client_pack_checks() {
    let summary = check_pack(packs_dir().join("clients/example.toml")).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(summary.kind, PackKind::Client("example".into()));
    let origin = |id: &str| summary.rules.iter().find(|rule| rule.id == id).map(|rule| (rule.origin, rule.enabled));
    assert_eq!(origin("bic_shape"), Some((RuleOrigin::Changed, false)));
    assert_eq!(origin("holder_of_age"), Some((RuleOrigin::Changed, true)));
    assert_eq!(origin("purchase_order_over_limit"), Some((RuleOrigin::Added, true)));
    assert_eq!(summary.params.get("rounding_tolerance").map(String::as_str), Some("0.01"));
    assert_eq!(summary.confidence_per_field.get("iban").map(String::as_str), Some("0.9"));
    let rules = load_pack(packs_dir().join("clients/example.toml")).unwrap();
    assert_eq!(found(&rules, &invoice(&[("total", "1210.02")])), vec!["totals_add_up"]);
}

#[test]
fn settings_survive_a_reload_and_a_client_pack_still_wins_over_them() {
    let mut settings = tramite_rules::RuleSettings::new(today());
    settings.rounding_tolerance = "0.10".parse().unwrap();
    let holder = PackHolder::new(RuleSet::defaults().with_settings(&settings));
    let off_by_five_cents = invoice(&[("total", "1210.05")]);
    assert!(found(&holder.current(), &off_by_five_cents).is_empty());
    holder.reload_from_str("acme.toml", &format!("{CLIENT_HEADER}[override.bic_shape]\nenabled = false\n")).unwrap();
    assert!(found(&holder.current(), &off_by_five_cents).is_empty(), "tramite.toml's tolerance is kept");
    holder.reload_from_str("acme.toml", &format!("{CLIENT_HEADER}[params]\nrounding_tolerance = 0.01\n")).unwrap();
    assert_eq!(found(&holder.current(), &off_by_five_cents), vec!["totals_add_up"], "the client's own tolerance wins");
}

#[test]
fn a_mistake_in_an_override_is_reported_in_the_client_file() {
    let error = load_error(&format!("{CLIENT_HEADER}\n[override.identity_not_expired]\nmessage = {{ en = \"x\", es = \"x\" }}\n"));
    assert_eq!((error.file.as_str(), error.line), ("acme.toml", 5), "{error}");
    assert!(error.reason.contains("each case has its own message"), "{error}");
}
