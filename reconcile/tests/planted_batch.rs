//! A small synthetic batch with one planted case each: an exact match,
//! one entry paying three invoices, a partial payment, an over-payment, an
//! unmatched invoice, an unmatched entry, a purchase order mismatch and a
//! goods receipt short; then the rarer payment cases (a duplicate payment,
//! a late payment, an entry in the wrong currency, an amount without
//! evidence, two instalments, a difference within the tolerance). The
//! reference data goes through the crate's own parsers.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use tramite_reconcile::bank_csv::parse_bank_csv;
use tramite_reconcile::findings::MismatchCode;
use tramite_reconcile::invoice::{InvoiceForMatching, InvoiceLineForMatching, MatchingOptions};
use tramite_reconcile::payment_matching::{AmountAgreement, UnmatchedEntryReason};
use tramite_reconcile::purchase_order_matching::{GoodsReceiptStatus, PurchaseOrderMatchStatus, PurchaseOrderMatchedBy};
use tramite_reconcile::purchase_orders::{parse_goods_receipts_csv, parse_purchase_orders_csv};
use tramite_reconcile::report::{InvoiceReconciliation, MatchStatus, REPORT_CSV_HEADER, ReconciliationReport, ReportCategory, reconcile};

fn money(text: &str) -> Decimal {
    Decimal::from_str(text).expect("a decimal literal")
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("an ISO date literal")
}

struct Supplier {
    tax_id: &'static str,
    name: &'static str,
}

const GARCIA: Supplier = Supplier { tax_id: "B11111111", name: "Suministros García, S.L." };
const TRANSPORTES: Supplier = Supplier { tax_id: "A22222222", name: "Transportes Rápidos del Norte, S.A." };
const BRILLO: Supplier = Supplier { tax_id: "B33333333", name: "Limpiezas Brillo SL" };
const PAPELERIA: Supplier = Supplier { tax_id: "B44444444", name: "Papelería Central SL" };
const CONSULTORES: Supplier = Supplier { tax_id: "B55555555", name: "Consultores Asociados Norte SL" };

fn invoice(id: &str, number: &str, supplier: &Supplier, total: &str, issue: &str, po_number: Option<&str>) -> InvoiceForMatching {
    InvoiceForMatching {
        id: id.to_string(),
        invoice_number: number.to_string(),
        supplier_tax_id: supplier.tax_id.to_string(),
        supplier_name: supplier.name.to_string(),
        currency: "EUR".to_string(),
        total: money(total),
        issue_date: day(issue),
        due_date: Some(day(issue) + chrono::Duration::days(30)),
        po_number: po_number.map(str::to_string),
        lines: Vec::new(),
    }
}

fn line(line_number: u32, quantity: &str, unit_price: &str) -> InvoiceLineForMatching {
    InvoiceLineForMatching {
        line_number,
        purchase_order_line: None,
        description: format!("item {line_number}"),
        quantity: money(quantity),
        unit_price: Some(money(unit_price)),
    }
}

const PURCHASE_ORDERS_CSV: &str = "\
po_number;supplier_tax_id;supplier_name;currency;amount;issue_date;line;description;quantity;unit_price
PO-100;B11111111;Suministros García SL;EUR;1.210,00;20/02/2026;1;Tornillos;100;12,10
PO-200;B11111111;Suministros García SL;EUR;800,00;21/02/2026;;;;
PO-300;B11111111;Suministros García SL;EUR;121,00;22/02/2026;1;Tuercas;10;12,10
";

const GOODS_RECEIPTS_CSV: &str = "\
receipt_id,po_number,line,quantity_received,received_date
GR-100,PO-100,1,100,2026-02-25
GR-300,PO-300,1,6,2026-02-26
";

const BANK_CSV: &str = "\
Fecha;Concepto;Beneficiario;Importe
20/03/2026;PAGO FRA FA-2026/0001;SUMINISTROS GARCIA SL;-1.210,00
21/03/2026;LIQUIDACION PORTES MARZO;TRANSPORTES RAPIDOS DEL NORTE SA;-1.000,00
22/03/2026;A CUENTA FACTURA L-0077;LIMPIEZAS BRILLO;-800,00
23/03/2026;FACTURA PC-5500;PAPELERIA CENTRAL;-165,00
24/03/2026;COMISION MANTENIMIENTO CUENTA;;-47,30
25/03/2026;PAGO FRA FA 2026 0002;SUMINISTROS GARCIA;-999,00
26/03/2026;TRANSFERENCIA CLIENTE;CLIENTE FINAL SA;300,00
";

fn planted_batch() -> (Vec<InvoiceForMatching>, ReconciliationReport) {
    let mut exact = invoice("doc-exact", "FA-2026/0001", &GARCIA, "1210.00", "2026-03-01", Some("PO-100"));
    exact.lines = vec![line(1, "100", "12.10")];
    let mut receipt_short = invoice("doc-receipt-short", "FA-2026/0003", &GARCIA, "121.00", "2026-03-03", Some("po 300"));
    receipt_short.lines = vec![line(1, "10", "12.10")];
    let invoices = vec![
        exact,
        invoice("doc-t101", "T-101", &TRANSPORTES, "100.00", "2026-03-02", None),
        invoice("doc-t102", "T-102", &TRANSPORTES, "250.50", "2026-03-05", None),
        invoice("doc-t103", "T-103", &TRANSPORTES, "649.50", "2026-03-09", None),
        invoice("doc-t104", "T-104", &TRANSPORTES, "300.00", "2026-03-12", None),
        invoice("doc-partial", "L-0077", &BRILLO, "2000.00", "2026-03-04", None),
        invoice("doc-over", "PC-5500", &PAPELERIA, "150.00", "2026-03-06", None),
        invoice("doc-unmatched", "CA-9001", &CONSULTORES, "5000.00", "2026-03-07", None),
        invoice("doc-po-mismatch", "FA-2026/0002", &GARCIA, "999.00", "2026-03-02", Some("PO-200")),
        receipt_short,
    ];
    let orders = parse_purchase_orders_csv(PURCHASE_ORDERS_CSV.as_bytes()).expect("the planted purchase orders parse");
    let receipts = parse_goods_receipts_csv(GOODS_RECEIPTS_CSV.as_bytes()).expect("the planted receipts parse");
    let statement = parse_bank_csv(BANK_CSV.as_bytes(), "EUR").expect("the planted statement parses");
    let entries = statement.into_entries();
    let report = reconcile(&invoices, &orders, &receipts, &entries, &MatchingOptions::default());
    (invoices, report)
}

fn result<'a>(report: &'a ReconciliationReport, invoice_id: &str) -> &'a InvoiceReconciliation {
    report.invoices.iter().find(|invoice| invoice.invoice_id == invoice_id).unwrap_or_else(|| panic!("{invoice_id} is in the report"))
}

fn codes(invoice: &InvoiceReconciliation) -> Vec<MismatchCode> {
    invoice.findings.iter().map(|finding| finding.code).collect()
}

#[test]
fn an_exact_payment_citing_the_invoice_matches_it_with_its_order_and_receipt() {
    let (_, report) = planted_batch();
    let exact = result(&report, "doc-exact");
    assert_eq!((exact.status, exact.category), (MatchStatus::Matched, ReportCategory::Matched));
    assert_eq!(exact.amount_paid, money("1210.00"));
    assert_eq!(exact.amount_outstanding, Decimal::ZERO);
    assert_eq!(exact.payments.len(), 1);
    let evidence = exact.payments[0].evidence;
    assert_eq!(evidence.amount_agreement, AmountAgreement::Exact);
    assert!(evidence.invoice_number_in_text && evidence.supplier_named && evidence.within_date_window);
    assert_eq!(exact.purchase_order.status, PurchaseOrderMatchStatus::Matched);
    assert_eq!(exact.purchase_order.matched_by, Some(PurchaseOrderMatchedBy::PurchaseOrderNumber));
    assert_eq!(exact.purchase_order.goods_receipts, GoodsReceiptStatus::Received);
    assert_eq!(exact.matched_record_ids(), ["PO-100", "GR-100", "CSV/1"]);
    assert!(exact.findings.is_empty(), "{:#?}", exact.findings);
}

#[test]
fn one_entry_naming_the_supplier_pays_the_three_invoices_that_add_up_to_it() {
    let (_, report) = planted_batch();
    for invoice_id in ["doc-t101", "doc-t102", "doc-t103"] {
        let paid = result(&report, invoice_id);
        assert_eq!(paid.status, MatchStatus::Matched, "{invoice_id}");
        assert_eq!(paid.payments.len(), 1, "{invoice_id}");
        assert_eq!(paid.payments[0].bank_entry_id, "CSV/2", "{invoice_id}");
        assert_eq!(paid.payments[0].evidence.amount_agreement, AmountAgreement::SharedWithOtherInvoices);
        assert!(paid.payments[0].evidence.supplier_named);
        assert!(paid.findings.is_empty(), "{invoice_id}: {:#?}", paid.findings);
    }
    assert_eq!(result(&report, "doc-t104").status, MatchStatus::Unmatched, "the fourth invoice is not part of the sum");
    let entry = report.matched_bank_entries.iter().find(|entry| entry.bank_entry_id == "CSV/2").expect("the entry is matched");
    assert_eq!(entry.invoice_ids, ["doc-t101", "doc-t102", "doc-t103"]);
}

#[test]
fn a_smaller_entry_citing_the_invoice_is_a_partial_payment() {
    let (_, report) = planted_batch();
    let partial = result(&report, "doc-partial");
    assert_eq!((partial.status, partial.category), (MatchStatus::PartiallyMatched, ReportCategory::UnderPaid));
    assert_eq!((partial.amount_paid, partial.amount_outstanding), (money("800.00"), money("1200.00")));
    assert_eq!(partial.payments[0].evidence.amount_agreement, AmountAgreement::Partial);
    assert_eq!(codes(partial), [MismatchCode::PaymentPartial]);
    assert!(partial.findings[0].message_es.contains("quedan 1.200,00 pendientes"), "{}", partial.findings[0].message_es);
}

#[test]
fn a_larger_entry_citing_the_invoice_is_an_over_payment() {
    let (_, report) = planted_batch();
    let over = result(&report, "doc-over");
    assert_eq!((over.status, over.category), (MatchStatus::Matched, ReportCategory::OverPaid));
    assert_eq!(over.amount_over_paid, money("15.00"));
    assert_eq!(codes(over), [MismatchCode::PaymentExceedsInvoice]);
    assert!(over.findings[0].message_en.contains("15.00 too much"), "{}", over.findings[0].message_en);
}

#[test]
fn an_invoice_nothing_pays_and_an_entry_that_pays_nothing_stay_unmatched() {
    let (_, report) = planted_batch();
    let unmatched = result(&report, "doc-unmatched");
    assert_eq!((unmatched.status, unmatched.category), (MatchStatus::Unmatched, ReportCategory::Unmatched));
    assert_eq!(unmatched.amount_outstanding, money("5000.00"));
    assert!(unmatched.findings.is_empty());
    let reasons: Vec<(&str, UnmatchedEntryReason)> =
        report.unmatched_bank_entries.iter().map(|entry| (entry.bank_entry_id.as_str(), entry.reason)).collect();
    assert_eq!(reasons, [("CSV/5", UnmatchedEntryReason::NoInvoiceFound), ("CSV/7", UnmatchedEntryReason::OppositeDirection)]);
}

#[test]
fn an_invoice_over_its_purchase_order_amount_is_a_purchase_order_mismatch() {
    let (_, report) = planted_batch();
    let mismatch = result(&report, "doc-po-mismatch");
    assert_eq!(mismatch.status, MatchStatus::Matched, "the payment itself matches");
    assert_eq!(codes(mismatch), [MismatchCode::PurchaseOrderAmountMismatch, MismatchCode::GoodsReceiptMissing]);
    let finding = &mismatch.findings[0];
    assert_eq!(finding.fields, ["total"]);
    assert_eq!(finding.related_record_ids, ["PO-200"]);
    assert!(finding.message_en.contains("differs from purchase order PO-200's amount 800.00 by 199.00 EUR"), "{}", finding.message_en);
    assert!(finding.message_es.contains("difiere del importe del pedido PO-200, 800,00, en 199,00 EUR"), "{}", finding.message_es);
}

#[test]
fn billing_more_than_was_received_is_a_goods_receipt_short() {
    let (_, report) = planted_batch();
    let short = result(&report, "doc-receipt-short");
    assert_eq!(short.purchase_order.status, PurchaseOrderMatchStatus::Matched, "`po 300` is PO-300 normalised");
    assert_eq!(short.purchase_order.goods_receipts, GoodsReceiptStatus::ShortReceived);
    assert_eq!(codes(short), [MismatchCode::GoodsReceiptQuantityShort]);
    assert_eq!(short.findings[0].fields, ["lines[0].quantity"]);
    assert_eq!(short.findings[0].related_record_ids, ["PO-300", "GR-300"]);
    assert!(
        short.findings[0].message_en.contains("10 billed so far on line 1 of purchase order PO-300, but only 6 received"),
        "{}",
        short.findings[0].message_en
    );
}

#[test]
fn the_report_totals_each_category_per_currency_and_renders_as_csv() {
    let (invoices, report) = planted_batch();
    let totals = &report.totals_by_currency["EUR"];
    assert_eq!(totals.invoice_count, invoices.len());
    assert_eq!((totals.matched_count, totals.matched_amount), (5, money("3209.00")));
    assert_eq!((totals.over_paid_count, totals.over_paid_amount), (1, money("15.00")));
    assert_eq!((totals.under_paid_count, totals.under_paid_outstanding), (1, money("1200.00")));
    assert_eq!((totals.unmatched_count, totals.unmatched_amount), (3, money("5421.00")));
    assert_eq!((totals.unmatched_bank_entry_count, totals.unmatched_bank_entry_amount), (2, money("252.70")));
    assert_eq!(totals.amount_paid, money("4174.00"));

    let csv_text = report.to_csv();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>().join(","), REPORT_CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(|row| row.unwrap()).collect();
    assert_eq!(rows.len(), invoices.len() + 2 + 6);
    let partial_row = rows.iter().find(|row| &row[3] == "doc-partial").unwrap();
    assert_eq!(
        (&partial_row[1], &partial_row[7], &partial_row[8], &partial_row[11]),
        ("under_paid", "800.00", "1200.00", "payment_partial")
    );
    let over_paid_total = rows.iter().find(|row| &row[0] == "total" && &row[1] == "over_paid").unwrap();
    assert_eq!((&over_paid_total[5], &over_paid_total[9]), ("1", "15.00"));
    let entry_row = rows.iter().find(|row| &row[3] == "CSV/5").unwrap();
    assert_eq!((&entry_row[6], &entry_row[11]), ("-47.30", "no_invoice_found"));
}

fn statement(rows: &str) -> Vec<tramite_reconcile::statement::BankEntry> {
    let csv = format!("date,description,payee,amount\n{rows}");
    parse_bank_csv(csv.as_bytes(), "EUR").expect("the statement parses").into_entries()
}

#[test]
fn an_invoice_paid_twice_is_over_paid_and_the_second_payment_is_a_duplicate() {
    let invoices = vec![invoice("doc-d", "D-2026-0042", &GARCIA, "500.00", "2026-03-01", None)];
    let entries = statement("2026-03-10,FRA D-2026-0042,,-500.00\n2026-03-12,FRA D-2026-0042,,-500.00\n");
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    let paid_twice = &report.invoices[0];
    assert_eq!(paid_twice.category, ReportCategory::OverPaid);
    assert_eq!(paid_twice.amount_over_paid, money("500.00"));
    assert_eq!(codes(paid_twice), [MismatchCode::PaymentExceedsInvoice, MismatchCode::PaymentDuplicate]);
    assert_eq!(paid_twice.findings[1].related_record_ids, ["CSV/2"]);
}

#[test]
fn a_payment_citing_the_invoice_long_after_its_due_date_matches_and_is_reported_late() {
    let invoices = vec![invoice("doc-late", "W-2025-0007", &GARCIA, "80.00", "2025-01-10", None)];
    let entries = statement("2026-03-10,W-2025-0007,,-80.00\n");
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    assert_eq!(report.invoices[0].status, MatchStatus::Matched);
    assert_eq!(codes(&report.invoices[0]), [MismatchCode::PaymentOutsideDateWindow]);
}

#[test]
fn an_entry_citing_the_invoice_in_another_currency_is_not_applied() {
    let invoices = vec![invoice("doc-x", "X-2026-0001", &GARCIA, "80.00", "2026-03-01", None)];
    let csv = "date,description,amount,currency\n2026-03-10,X-2026-0001,-80.00,USD\n";
    let entries = parse_bank_csv(csv.as_bytes(), "EUR").unwrap().into_entries();
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    assert_eq!(report.invoices[0].status, MatchStatus::Unmatched);
    assert_eq!(codes(&report.invoices[0]), [MismatchCode::PaymentCurrencyDiffers]);
    assert_eq!(report.unmatched_bank_entries[0].reason, UnmatchedEntryReason::CurrencyDiffers);
}

#[test]
fn an_entry_with_only_the_amount_in_common_is_listed_as_a_candidate_not_matched() {
    let invoices = vec![invoice("doc-n", "N-1", &CONSULTORES, "777.77", "2026-03-01", None)];
    let entries = statement("2026-03-10,TRANSFERENCIA,,-777.77\n");
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    assert_eq!(report.invoices[0].status, MatchStatus::Unmatched);
    assert_eq!(codes(&report.invoices[0]), [MismatchCode::PaymentCandidatesWithoutEvidence]);
    assert_eq!(report.unmatched_bank_entries[0].reason, UnmatchedEntryReason::CandidatesWithoutEvidence);
    assert_eq!(report.unmatched_bank_entries[0].candidate_invoice_ids, ["doc-n"]);
}

#[test]
fn two_instalments_citing_the_invoice_pay_it_in_full() {
    let invoices = vec![invoice("doc-p", "P-2026-0001", &BRILLO, "1000.00", "2026-03-01", None)];
    let entries = statement("2026-03-10,1er plazo P-2026-0001,,-400.00\n2026-04-10,2o plazo P-2026-0001,,-600.00\n");
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    let paid = &report.invoices[0];
    assert_eq!((paid.status, paid.amount_paid), (MatchStatus::Matched, money("1000.00")));
    let agreements: Vec<AmountAgreement> = paid.payments.iter().map(|payment| payment.evidence.amount_agreement).collect();
    assert_eq!(agreements, [AmountAgreement::Partial, AmountAgreement::Exact]);
    assert!(paid.findings.is_empty(), "{:#?}", paid.findings);
}

#[test]
fn a_payment_short_by_a_cent_matches_with_an_information_finding() {
    let invoices = vec![invoice("doc-t", "T-2026-0100", &PAPELERIA, "100.00", "2026-03-01", None)];
    let entries = statement("2026-03-10,PAPELERIA CENTRAL,,-99.99\n");
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    let paid = &report.invoices[0];
    assert_eq!((paid.status, paid.category), (MatchStatus::Matched, ReportCategory::Matched));
    assert_eq!(paid.amount_outstanding, money("0.01"));
    assert_eq!(paid.payments[0].evidence.amount_agreement, AmountAgreement::WithinTolerance);
    assert_eq!(codes(paid), [MismatchCode::PaymentWithinTolerance]);
}

#[test]
fn a_supplier_named_without_the_amount_of_any_single_open_invoice_is_ambiguous() {
    let invoices = vec![
        invoice("doc-a", "A-1", &CONSULTORES, "100.00", "2026-03-01", None),
        invoice("doc-b", "B-1", &CONSULTORES, "200.00", "2026-03-02", None),
    ];
    let entries = statement("2026-03-10,Consultores Asociados Norte,,-50.00\n");
    let report = reconcile(&invoices, &[], &[], &entries, &MatchingOptions::default());
    assert!(report.invoices.iter().all(|invoice| invoice.status == MatchStatus::Unmatched));
    assert_eq!(report.unmatched_bank_entries[0].reason, UnmatchedEntryReason::AmbiguousSupplierInvoices);
    assert_eq!(report.unmatched_bank_entries[0].candidate_invoice_ids, ["doc-a", "doc-b"]);
}
