//! Every bank statement in the shared corpus (`shared/corpus/bank/`),
//! parsed and compared with its `truth.jsonl` line: the fields the truth
//! gives, and the defects its `extra` flags (not reconciling, footers that
//! disagree, a missing end record, an invalid IBAN, a truncated file) each
//! reported by the parser as a warning or, for truncation, an error.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use tramite_reconcile::bank_csv::parse_bank_statement;
use tramite_reconcile::statement::{BalanceCheck, BankStatementImport, StatementWarningCode};

const CORPUS_DIRECTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/bank");

struct CorpusFile {
    file: String,
    truth: Value,
    bytes: Vec<u8>,
}

fn corpus() -> Vec<CorpusFile> {
    let truth = std::fs::read_to_string(format!("{CORPUS_DIRECTORY}/truth.jsonl"))
        .expect("the bank corpus truth.jsonl must exist beside the repository");
    truth
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let truth: Value = serde_json::from_str(line).expect("each truth line is JSON");
            let file = truth["file"].as_str().expect("each truth line names its file").to_string();
            let bytes = std::fs::read(format!("{CORPUS_DIRECTORY}/{file}")).unwrap_or_else(|error| panic!("{file}: {error}"));
            CorpusFile { file, truth, bytes }
        })
        .collect()
}

fn decimal(value: &Value) -> Option<Decimal> {
    value.as_str().map(|text| Decimal::from_str(text).expect("truth amounts are decimals"))
}

fn date(value: &Value) -> Option<NaiveDate> {
    value.as_str().map(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("truth dates are ISO"))
}

fn warning_codes(import: &BankStatementImport) -> BTreeSet<&'static str> {
    import.warnings.iter().map(|warning| warning.code.as_str()).collect()
}

/// What the parser is expected to say about each file, beyond the fields.
fn expected_warning_codes(file: &str) -> &'static [&'static str] {
    match file {
        "camt053/viafintech-valid_example.xml" => &[],
        "camt053/viafintech-valid_example_v4.xml" => &[],
        "camt053/viafintech-valid_example_v8.xml" => &["account_iban_invalid", "balances_do_not_reconcile", "entry_currency_differs"],
        "camt053/viafintech-valid_example_with_batch.xml" => {
            &["account_iban_invalid", "balances_do_not_reconcile", "entry_count_disagrees_with_summary"]
        }
        "camt053/viafintech-valid_example_with_datetime.xml" => &["entry_count_disagrees_with_summary"],
        "camt053/genkgo-camt053.v2.multi.statement.xml" => &[],
        "camt053/genkgo-camt053.v2.all-balance-types.xml" => &["balances_do_not_reconcile"],
        "norma43/sequra-example1.n43" => &[
            "balances_do_not_reconcile",
            "end_of_file_record_missing",
            "entries_outside_statement_period",
            "footer_balance_does_not_add_up",
            "footer_currency_differs",
            "footer_totals_disagree_with_entries",
        ],
        "norma43/xumeiquer-n43_test-excerpt.n43" => {
            &["balances_do_not_reconcile", "footer_totals_disagree_with_entries", "record_count_disagrees"]
        }
        "csv/actual-data-payee-memo.csv" => &[],
        "csv/actual-data_utf8.csv" => &[],
        other => panic!("{other}: a new corpus file; add what the parser should say about it"),
    }
}

#[test]
fn every_bank_fixture_gives_the_truth_fields_and_its_defects() {
    let files = corpus();
    assert_eq!(files.len(), 12, "the corpus README lists 12 bank files");
    for corpus_file in &files {
        let CorpusFile { file, truth, bytes } = corpus_file;
        let fields = &truth["fields"];
        let extra = &truth["extra"];
        let result = parse_bank_statement(bytes, "EUR");
        if extra["has_33_footer"] == Value::Bool(false) {
            let error = result.expect_err(&format!("{file}: a Norma 43 file without its account end record is truncated"));
            assert!(error.is_truncation(), "{file}: {error}");
            assert_eq!(error.line(), Some(String::from_utf8_lossy(bytes).trim_end().lines().count()), "{file}: {error}");
            println!("{file}: truncated: {error}");
            continue;
        }
        let import = result.unwrap_or_else(|error| panic!("{file}: {error}"));
        let statements = &import.statements;
        let first = statements.first().expect("at least one statement");
        let last = statements.last().expect("at least one statement");
        let entry_count: usize = statements.iter().map(|statement| statement.entries.len()).sum();
        assert_eq!(Some(entry_count as u64), fields["entries"].as_u64(), "{file}: entries");
        if truth["kind"] == "bank_statement" {
            assert_eq!(first.account_iban.as_deref(), fields["iban"].as_str(), "{file}: iban");
            if let Some(account_number) = fields["account_number"].as_str() {
                assert_eq!(first.account_number.as_deref(), Some(account_number), "{file}: account number");
            }
            assert_eq!(Some(first.currency.as_str()), fields["currency"].as_str(), "{file}: currency");
            assert_eq!(first.opening_balance, decimal(&fields["opening_balance"]), "{file}: opening balance");
            assert_eq!(last.closing_balance, decimal(&fields["closing_balance"]), "{file}: closing balance");
            assert_eq!(last.statement_date, date(&fields["statement_date"]), "{file}: statement date");
            assert_eq!(Some(statements.len() as u64), extra["statements"].as_u64().or(Some(1)), "{file}: statements");
        }
        if let Some(per_statement) = extra["per_statement"].as_array() {
            for (statement, expected) in statements.iter().zip(per_statement) {
                assert_eq!(Some(statement.statement_id.as_str()), expected["statement_id"].as_str(), "{file}");
                assert_eq!(statement.opening_balance, decimal(&expected["opening_balance"]), "{file}");
                assert_eq!(statement.closing_balance, decimal(&expected["closing_balance"]), "{file}");
                assert_eq!(Some(statement.entries.len() as u64), expected["entries"].as_u64(), "{file}");
            }
        }
        if let (Some(credits), Some(debits)) = (decimal(&extra["sum_credits"]), decimal(&extra["sum_debits"])) {
            let entries = import.entries();
            let (found_credits, found_debits) = entries.fold((Decimal::ZERO, Decimal::ZERO), |(credits, debits), entry| {
                if entry.amount.is_sign_positive() { (credits + entry.amount, debits) } else { (credits, debits - entry.amount) }
            });
            assert_eq!((found_credits, found_debits), (credits, debits), "{file}: sums of credits and debits");
        }
        if let Some(start) = date(&extra["period_start"]) {
            assert_eq!(first.period_start, Some(start), "{file}: period start");
        }

        let codes = warning_codes(&import);
        match extra["reconciles"].as_str() {
            Some("false") => assert!(codes.contains("balances_do_not_reconcile"), "{file}: must say the balances do not reconcile"),
            Some("true") => assert!(
                statements.iter().all(|statement| statement.balance_check == BalanceCheck::Consistent),
                "{file}: reconciles per the truth"
            ),
            _ => {}
        }
        if extra["footer_balance_consistent"] == Value::Bool(false) {
            assert!(codes.contains("footer_balance_does_not_add_up"), "{file}");
        }
        if extra["footer_counts_match_body"] == Value::Bool(false) {
            assert!(codes.contains("footer_totals_disagree_with_entries"), "{file}");
        }
        if extra["has_88_eof"] == Value::Bool(false) {
            assert!(codes.contains("end_of_file_record_missing"), "{file}");
        }
        if let (Some(announced), Some(actual)) = (extra["eof_record_count"].as_u64(), extra["actual_record_count"].as_u64()) {
            assert_eq!(announced != actual, codes.contains("record_count_disagrees"), "{file}");
        }
        if extra["iban_note"].is_string() {
            assert!(codes.contains("account_iban_invalid"), "{file}");
        }
        let expected: BTreeSet<&str> = expected_warning_codes(file).iter().copied().collect();
        assert_eq!(codes, expected, "{file}: warnings {:#?}", import.warnings);
        assert_eq!(import.is_consistent(), expected.is_empty(), "{file}");
        for warning in &import.warnings {
            println!("{file}: {} (line {:?}): {}", warning.code.as_str(), warning.line, warning.message_en);
            if let Some(iban) = first.account_iban.as_deref() {
                assert!(!warning.message_en.contains(iban) && !warning.message_es.contains(iban), "{file}: a warning shows the IBAN");
            }
        }
        if import.warnings.is_empty() {
            println!("{file}: consistent");
        }
    }
}

#[test]
fn the_norma_43_fixtures_keep_their_movement_text_and_references() {
    let files = corpus();
    let excerpt = files.iter().find(|file| file.file == "norma43/xumeiquer-n43_test-excerpt.n43").expect("the excerpt is in the corpus");
    let import = parse_bank_statement(&excerpt.bytes, "EUR").unwrap();
    let entries: Vec<_> = import.entries().collect();
    assert_eq!(entries[0].amount, Decimal::new(-2_399, 2));
    assert_eq!(entries[0].remittance_text, "COMPRA TARG 1234XXXXXXXX3456 SHOP TO BUY SEVERAL THINGS IN THERE.");
    assert_eq!(
        entries[4].remittance_text,
        "CREDIT CARD 1234567890123456 1234 .CAR GARAGE REPAIR. CREDIT CARD 1234567890123456 1234 .CAR GARAGE REPAIR EXTRA."
    );
    assert_eq!(entries[0].value_date, NaiveDate::from_ymd_opt(2020, 2, 4));
}

#[test]
fn the_camt_fixtures_give_counterparties_and_remittance_by_direction() {
    let files = corpus();
    let v8 = files.iter().find(|file| file.file == "camt053/viafintech-valid_example_v8.xml").expect("v8 is in the corpus");
    let import = parse_bank_statement(&v8.bytes, "EUR").unwrap();
    let entries: Vec<_> = import.entries().collect();
    assert_eq!(entries[0].amount, Decimal::new(4_744, 1));
    assert_eq!(entries[0].counterparty_name.as_deref(), Some("Jon Doe"));
    assert_eq!(entries[0].remittance_text, "INVOICE R77561");
    assert_eq!(entries[1].reference.as_deref(), Some("RF38000000000000000000552"));
    assert_eq!(entries[2].amount, Decimal::new(-2_097, 2));
    assert_eq!(entries[2].currency, "EUR");
    assert_eq!(entries[2].counterparty_name.as_deref(), Some("DHL Express (Schweiz) AG"));
    assert!(import.has_warning(StatementWarningCode::EntryCurrencyDiffers));
}

#[test]
fn every_bank_fixture_cut_short_is_reported_as_an_error_or_flagged() {
    for corpus_file in corpus() {
        let text = String::from_utf8_lossy(&corpus_file.bytes).to_string();
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() < 4 || corpus_file.file.starts_with("csv/") {
            continue;
        }
        let cut = lines[..lines.len() * 2 / 3].join("\n");
        match parse_bank_statement(cut.as_bytes(), "EUR") {
            Err(error) => assert!(error.is_truncation(), "{}: {error}", corpus_file.file),
            Ok(import) => panic!("{}: a file cut to two thirds parsed with warnings {:?}", corpus_file.file, import.warnings),
        }
    }
}
