//! Issue 4's reconciliation path through the real binary: reference data is
//! imported whole and once, a purchase-order mismatch becomes a billing
//! exception when the invoice is routed, and the report tells paid,
//! partly paid and unpaid invoices apart.

use std::path::Path;
use std::process::{Command, Output};

use tramite_synthetic::{generate, GeneratorOptions};

fn tramite(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tramite"));
    command.arg("--data-dir").arg(data_dir).arg("--quiet").current_dir(data_dir.parent().unwrap());
    command.env("TRAMITE_WORKERS_POLL_INTERVAL_MS", "50");
    command
}

fn run_ok(command: &mut Command) -> String {
    let output: Output = command.output().unwrap();
    assert!(output.status.success(), "{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn imports_are_whole_and_once_and_the_report_tells_paid_from_unpaid() {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let inbox = folder.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    // Clean Spanish-style text invoices that print a PO number.
    let candidates = generate(&GeneratorOptions { seed: 404, invoices: 40, identities: 0, scanned_share: 0.0, defect_share: 0.0, ..GeneratorOptions::default() });
    let invoices: Vec<_> = candidates.into_iter().filter(|document| document.fields.contains_key("po_number") && document.fields.contains_key("supplier_tax_id")).take(3).collect();
    assert_eq!(invoices.len(), 3, "the generator prints PO numbers on some invoices");
    tramite_synthetic::write_corpus(&inbox, &invoices).unwrap();
    std::fs::remove_file(inbox.join("truth.jsonl")).unwrap();
    let field = |index: usize, name: &str| invoices[index].fields[name].clone();

    // Purchase orders: the first two as invoiced, the third ordered for less.
    let mut orders = String::from("po_number,supplier_tax_id,supplier_name,currency,amount,issue_date\n");
    for index in 0..3 {
        let total: rust_decimal::Decimal = field(index, "total").parse().unwrap();
        let amount = if index == 2 { total - rust_decimal::Decimal::from(100) } else { total };
        orders.push_str(&format!("{},{},\"{}\",{},{amount},{}\n", field(index, "po_number"), field(index, "supplier_tax_id"), field(index, "supplier_name"), field(index, "currency"), field(index, "issue_date")));
    }
    let orders_file = folder.path().join("orders.csv");
    std::fs::write(&orders_file, &orders).unwrap();
    // A bad row is refused with its line, and nothing is imported.
    let bad_file = folder.path().join("bad-orders.csv");
    std::fs::write(&bad_file, orders.replacen(&field(1, "total"), "12,,3", 1)).unwrap();
    let bad = tramite(&data_dir).args(["import", "po", "--client", "acme"]).arg(&bad_file).output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(message.contains("line 3") && message.contains("nothing was imported"), "{message}");

    let imported = run_ok(tramite(&data_dir).args(["import", "po", "--client", "acme"]).arg(&orders_file));
    assert!(imported.contains("imported 3 records"), "{imported}");
    let again = run_ok(tramite(&data_dir).args(["import", "po", "--client", "acme"]).arg(&orders_file));
    assert!(again.contains("already imported"), "{again}");

    run_ok(tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox));
    run_ok(tramite(&data_dir).args(["run", "--until-idle"]));

    // The third invoice bills more than its order: a billing exception.
    let mut rules_by_document = Vec::new();
    for document_id in 1..=3 {
        let history: serde_json::Value = serde_json::from_str(&run_ok(tramite(&data_dir).args(["history", "--format", "json"]).arg(document_id.to_string()))).unwrap();
        let name = history["document"]["original_name"].as_str().unwrap().to_string();
        let rules: Vec<String> = history["exceptions"].as_array().unwrap().iter().filter(|exception| exception["queue"] == "billing").map(|exception| exception["rule"].as_str().unwrap().to_string()).collect();
        rules_by_document.push((name, rules));
    }
    let third = &invoices[2].file_name;
    for (name, rules) in &rules_by_document {
        let reconciliation_rules: Vec<&String> = rules.iter().filter(|rule| rule.starts_with("reconciliation.")).collect();
        if name.ends_with(third.as_str()) {
            assert!(!reconciliation_rules.is_empty(), "{name}: the amount over its order goes to billing");
        } else {
            assert!(reconciliation_rules.is_empty(), "{name}: matches its order: {rules:?}");
        }
    }

    // Checked with the client's database, a copy of the third invoice is a
    // duplicate of the stored one and still bills more than its order.
    let copy = folder.path().join("copy-of-third.pdf");
    std::fs::copy(inbox.join(third), &copy).unwrap();
    let checked: serde_json::Value = serde_json::from_str(run_ok(tramite(&data_dir).args(["check", "--client", "acme"]).arg(&copy)).trim()).unwrap();
    let rules: Vec<&str> = checked["findings"].as_array().unwrap().iter().map(|finding| finding["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"duplicate_invoice_number"), "{checked}");
    assert!(rules.iter().any(|rule| rule.starts_with("reconciliation.")), "{checked}");
    // Without --client nothing is stored, so the single file has no duplicate.
    let alone: serde_json::Value = serde_json::from_str(run_ok(tramite(&data_dir).arg("check").arg(&copy)).trim()).unwrap();
    assert!(!alone["findings"].as_array().unwrap().iter().any(|finding| finding["rule"] == "duplicate_invoice_number"), "{alone}");

    // The bank paid the first invoice in full and half of the second.
    let half: rust_decimal::Decimal = field(1, "total").parse::<rust_decimal::Decimal>().unwrap() / rust_decimal::Decimal::from(2);
    let statement = format!(
        "date,amount,description\n{},-{},Pago factura {}\n{},-{},Pago parcial factura {}\n",
        field(0, "issue_date"),
        field(0, "total"),
        field(0, "invoice_number"),
        field(1, "issue_date"),
        half.round_dp(2),
        field(1, "invoice_number")
    );
    let statement_file = folder.path().join("statement.csv");
    std::fs::write(&statement_file, statement).unwrap();
    let imported = run_ok(tramite(&data_dir).args(["import", "bank", "--client", "acme", "--currency"]).arg(field(0, "currency")).arg(&statement_file));
    assert!(imported.contains("imported 2 records"), "{imported}");

    let csv_file = folder.path().join("recon.csv");
    let report = run_ok(tramite(&data_dir).args(["recon", "report", "--client", "acme", "--csv"]).arg(&csv_file));
    assert!(report.contains("under_paid") && report.contains("unmatched"), "{report}");
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&csv_file).unwrap().records().map(Result::unwrap).collect();
    let category_of = |invoice_number: &str| rows.iter().find(|row| &row[0] == "invoice" && &row[4] == invoice_number).map(|row| row[1].to_string());
    assert_eq!(category_of(&field(0, "invoice_number")).as_deref(), Some("matched"));
    assert_eq!(category_of(&field(1, "invoice_number")).as_deref(), Some("under_paid"));
    assert_eq!(category_of(&field(2, "invoice_number")).as_deref(), Some("unmatched"));
}
