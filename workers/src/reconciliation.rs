//! Reconciliation against the database: `tramite import` stores a client's
//! purchase orders, goods receipts and bank statements (parsed whole by the
//! reconcile crate, stored in one transaction, the same file never twice);
//! `tramite recon report` matches the client's invoices against them; and
//! the workers turn purchase-order mismatches into `billing` findings when
//! an invoice is routed.

use std::path::Path;

use anyhow::{Context, Result};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use tramite_pipeline::extract::sha256_hex;
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::lifecycle::ReviewQueue;
use tramite_reconcile::{
    BankEntry, GoodsReceipt, InvoiceForMatching, InvoiceLineForMatching, MatchingOptions, MismatchFinding, PurchaseOrder, ReconciliationReport,
};
use tramite_repository::{now_millis, NewException, NewReferenceImport, ReferenceKind, Repository};

use crate::app::App;

/// What `tramite import` can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    /// Purchase orders CSV (see the reconcile crate's documentation for columns).
    Po,
    /// Goods receipts CSV.
    Receipts,
    /// A bank statement: camt.053 XML, AEB Norma 43, or a bank CSV export.
    Bank,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportSummary {
    pub records: usize,
    /// False when the client had already imported this very file.
    pub stored: bool,
    /// Statement problems worth a person's look (balances that do not add
    /// up, announced entries missing), without personal data.
    pub warnings: Vec<String>,
}

/// Parses a reference file whole and stores it for `client`.
pub async fn import_reference_file(app: &App, kind: ImportKind, file: &Path, client: &str, account_currency: &str) -> Result<ImportSummary> {
    let bytes = std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let name = file.display().to_string();
    let mut warnings = Vec::new();
    let (reference_kind, payloads) = match kind {
        ImportKind::Po => {
            let orders = tramite_reconcile::parse_purchase_orders_csv(&bytes).with_context(|| format!("{name}: nothing was imported"))?;
            (ReferenceKind::PurchaseOrders, to_payloads(&orders))
        }
        ImportKind::Receipts => {
            let receipts = tramite_reconcile::parse_goods_receipts_csv(&bytes).with_context(|| format!("{name}: nothing was imported"))?;
            (ReferenceKind::GoodsReceipts, to_payloads(&receipts))
        }
        ImportKind::Bank => {
            let statement = tramite_reconcile::parse_bank_statement(&bytes, account_currency).with_context(|| format!("{name}: nothing was imported"))?;
            for warning in &statement.warnings {
                let line = warning.line.map(|line| format!("line {line}: ")).unwrap_or_default();
                warnings.push(format!("{line}{}", warning.message_en));
            }
            // Entry ids are unique within a file; the file's hash makes them
            // unique across imports.
            let prefix = &sha256_hex(&bytes)[..12];
            let entries: Vec<BankEntry> = statement
                .into_entries()
                .into_iter()
                .map(|mut entry| {
                    entry.entry_id = format!("{prefix}/{}", entry.entry_id);
                    entry
                })
                .collect();
            (ReferenceKind::BankStatement, to_payloads(&entries))
        }
    };
    let records = payloads.len();
    let import = NewReferenceImport { client: client.to_string(), kind: reference_kind, file_name: name, sha256: sha256_hex(&bytes), payloads };
    let stored = app.repository.import_reference_records(&import, now_millis()).await?.is_some();
    Ok(ImportSummary { records, stored, warnings })
}

fn to_payloads<T: serde::Serialize>(records: &[T]) -> Vec<String> {
    records.iter().map(|record| serde_json::to_string(record).expect("reference records serialise")).collect()
}

async fn load<T: DeserializeOwned>(repository: &dyn Repository, client: &str, kind: ReferenceKind) -> Result<Vec<T>> {
    repository
        .reference_records(client, kind)
        .await?
        .iter()
        .map(|payload| serde_json::from_str(payload).with_context(|| format!("a stored {} record does not parse", kind.as_str())))
        .collect()
}

/// An extracted invoice as the matcher needs it; `None` when it lacks the
/// number, total or issue date that matching cannot do without.
pub fn invoice_for_matching(document_id: i64, document: &ExtractedDocument) -> Option<InvoiceForMatching> {
    let decimal = |name: &str| document.value(name).and_then(|value| value.parse::<Decimal>().ok());
    let date = |name: &str| document.value(name).and_then(|value| chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok());
    Some(InvoiceForMatching {
        id: document_id.to_string(),
        invoice_number: document.value("invoice_number")?.to_string(),
        supplier_tax_id: document.value("supplier_tax_id").unwrap_or("").to_string(),
        supplier_name: document.value("supplier_name").unwrap_or("").to_string(),
        currency: document.value("currency").unwrap_or("EUR").to_string(),
        total: decimal("total")?,
        issue_date: date("issue_date")?,
        due_date: date("due_date"),
        po_number: document.value("po_number").map(str::to_string),
        lines: document
            .line_items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                Some(InvoiceLineForMatching {
                    line_number: index as u32 + 1,
                    purchase_order_line: None,
                    description: item.description.clone().unwrap_or_default(),
                    quantity: item.quantity.as_deref()?.parse().ok()?,
                    unit_price: item.unit_price.as_deref().and_then(|price| price.parse().ok()),
                })
            })
            .collect(),
    })
}

/// Reconciles every invoice of `client` read so far.
pub async fn client_report(app: &App, client: &str) -> Result<ReconciliationReport> {
    let repository = app.repository.as_ref();
    let invoices: Vec<InvoiceForMatching> = repository
        .client_invoices(client, i64::MAX)
        .await?
        .iter()
        .filter_map(|invoice| {
            let document: ExtractedDocument = serde_json::from_str(&invoice.extraction_json).ok()?;
            invoice_for_matching(invoice.document_id, &document)
        })
        .collect();
    let orders: Vec<PurchaseOrder> = load(repository, client, ReferenceKind::PurchaseOrders).await?;
    let receipts: Vec<GoodsReceipt> = load(repository, client, ReferenceKind::GoodsReceipts).await?;
    let entries: Vec<BankEntry> = load(repository, client, ReferenceKind::BankStatement).await?;
    Ok(tramite_reconcile::reconcile(&invoices, &orders, &receipts, &entries, &MatchingOptions::default()))
}

/// Purchase-order and receipt mismatches of one invoice, as `billing`
/// exceptions, when the client has imported purchase orders.
pub async fn purchase_order_exceptions(app: &App, client: &str, document_id: i64, document: &ExtractedDocument, language: &str) -> Result<Vec<NewException>> {
    let repository = app.repository.as_ref();
    let orders: Vec<PurchaseOrder> = load(repository, client, ReferenceKind::PurchaseOrders).await?;
    if orders.is_empty() {
        return Ok(Vec::new());
    }
    let Some(invoice) = invoice_for_matching(document_id, document) else { return Ok(Vec::new()) };
    let receipts: Vec<GoodsReceipt> = load(repository, client, ReferenceKind::GoodsReceipts).await?;
    let checks = tramite_reconcile::match_purchase_orders(std::slice::from_ref(&invoice), &orders, &receipts, &MatchingOptions::default());
    Ok(checks.into_iter().flat_map(|(_, findings)| findings).map(|finding| billing_exception(&finding, language)).collect())
}

fn billing_exception(finding: &MismatchFinding, language: &str) -> NewException {
    NewException {
        queue: ReviewQueue::Billing,
        rule: format!("reconciliation.{}", finding.code.as_str()),
        severity: match finding.severity {
            tramite_reconcile::FindingSeverity::Info => "info".into(),
            tramite_reconcile::FindingSeverity::Review => "review".into(),
        },
        fields: finding.fields.clone(),
        message: finding.message(language).to_string(),
    }
}

/// The report for people: totals per currency, then each invoice that is
/// not fully matched, and the bank entries no invoice explains.
pub fn render_report(report: &ReconciliationReport) -> String {
    use std::fmt::Write;
    let mut output = String::new();
    let _ = writeln!(output, "{:<8} {:>8} {:>14} {:>14} {:>8} {:>8} {:>8} {:>8} {:>10}", "CURRENCY", "INVOICES", "INVOICED", "PAID", "MATCHED", "OVER", "UNDER", "UNPAID", "STRAY BANK");
    for (currency, totals) in &report.totals_by_currency {
        let _ = writeln!(
            output,
            "{currency:<8} {:>8} {:>14} {:>14} {:>8} {:>8} {:>8} {:>8} {:>10}",
            totals.invoice_count,
            totals.amount_invoiced.round_dp(2),
            totals.amount_paid.round_dp(2),
            totals.matched_count,
            totals.over_paid_count,
            totals.under_paid_count,
            totals.unmatched_count,
            totals.unmatched_bank_entry_count
        );
    }
    for invoice in report.invoices.iter().filter(|invoice| invoice.category != tramite_reconcile::ReportCategory::Matched) {
        let _ = writeln!(
            output,
            "document {:>6}  {:<12} {:>12} {}  paid {}  outstanding {}  over-paid {}",
            invoice.invoice_id,
            invoice.category.as_str(),
            invoice.total.round_dp(2),
            invoice.currency,
            invoice.amount_paid.round_dp(2),
            invoice.amount_outstanding.round_dp(2),
            invoice.amount_over_paid.round_dp(2)
        );
        for finding in &invoice.findings {
            let _ = writeln!(output, "    {}: {}", finding.code.as_str(), finding.message_en);
        }
    }
    let _ = writeln!(output, "{} bank entries matched, {} not explained by any invoice", report.matched_bank_entries.len(), report.unmatched_bank_entries.len());
    output
}
