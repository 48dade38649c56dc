//! The reconciliation of a batch of invoices and its report: per invoice,
//! its status, what paid it, its purchase order and receipts and its
//! findings; per currency, the totals matched, over-paid, under-paid and
//! unmatched; and the bank entries that paid nothing. [`reconcile`] runs
//! the purchase order and the payment matching and puts them together;
//! [`ReconciliationReport::to_csv`] renders the report for finance.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::findings::MismatchFinding;
use crate::invoice::{InvoiceForMatching, MatchingOptions};
use crate::payment_matching::{BankEntryMatch, PaymentAllocation, UnmatchedBankEntry, match_payments};
use crate::purchase_order_matching::{PurchaseOrderCheck, match_purchase_orders};
use crate::purchase_orders::{GoodsReceipt, PurchaseOrder};
use crate::statement::BankEntry;

/// Whether an invoice's payment was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    /// Paid in full (within the tolerance) or more.
    Matched,
    /// Paid in part.
    PartiallyMatched,
    /// No payment found.
    Unmatched,
}

impl MatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchStatus::Matched => "matched",
            MatchStatus::PartiallyMatched => "partially_matched",
            MatchStatus::Unmatched => "unmatched",
        }
    }
}

/// The report's categories of invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportCategory {
    /// Paid in full within the tolerance.
    Matched,
    /// Paid more than the total.
    OverPaid,
    /// Paid in part.
    UnderPaid,
    /// No payment found.
    Unmatched,
}

impl ReportCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportCategory::Matched => "matched",
            ReportCategory::OverPaid => "over_paid",
            ReportCategory::UnderPaid => "under_paid",
            ReportCategory::Unmatched => "unmatched",
        }
    }
}

/// One invoice's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceReconciliation {
    pub invoice_id: String,
    pub invoice_number: String,
    pub currency: String,
    pub total: Decimal,
    pub status: MatchStatus,
    pub category: ReportCategory,
    pub amount_paid: Decimal,
    /// What is still owed (zero when paid in full or more).
    pub amount_outstanding: Decimal,
    /// What was paid beyond the total (zero unless over-paid).
    pub amount_over_paid: Decimal,
    /// The bank entries that paid it and how much each.
    pub payments: Vec<PaymentAllocation>,
    pub purchase_order: PurchaseOrderCheck,
    /// Purchase order, receipt and payment mismatches.
    pub findings: Vec<MismatchFinding>,
}

impl InvoiceReconciliation {
    /// The ids of every record matched to the invoice: the purchase order
    /// number, the goods receipt ids, the bank entry ids.
    pub fn matched_record_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.purchase_order.po_number.iter().cloned().collect();
        ids.extend(self.purchase_order.goods_receipt_ids.iter().cloned());
        for payment in &self.payments {
            if !ids.contains(&payment.bank_entry_id) {
                ids.push(payment.bank_entry_id.clone());
            }
        }
        ids
    }
}

/// The totals of one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotals {
    pub invoice_count: usize,
    pub amount_invoiced: Decimal,
    pub amount_paid: Decimal,
    pub matched_count: usize,
    /// Sum of the totals of the invoices paid in full.
    pub matched_amount: Decimal,
    pub over_paid_count: usize,
    /// Sum of what was paid too much.
    pub over_paid_amount: Decimal,
    pub under_paid_count: usize,
    /// Sum of what the partly paid invoices still owe.
    pub under_paid_outstanding: Decimal,
    pub unmatched_count: usize,
    /// Sum of the totals of the invoices with no payment found.
    pub unmatched_amount: Decimal,
    pub unmatched_bank_entry_count: usize,
    /// Sum of the unmatched entries' signed amounts.
    pub unmatched_bank_entry_amount: Decimal,
}

/// The reconciliation of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationReport {
    /// One per invoice, in the invoices' order.
    pub invoices: Vec<InvoiceReconciliation>,
    pub matched_bank_entries: Vec<BankEntryMatch>,
    pub unmatched_bank_entries: Vec<UnmatchedBankEntry>,
    pub totals_by_currency: BTreeMap<String, CurrencyTotals>,
}

/// Reconciles invoices with purchase orders, goods receipts and bank
/// entries. Pure: the inputs are slices, the result is the report.
pub fn reconcile(
    invoices: &[InvoiceForMatching],
    purchase_orders: &[PurchaseOrder],
    goods_receipts: &[GoodsReceipt],
    bank_entries: &[BankEntry],
    options: &MatchingOptions,
) -> ReconciliationReport {
    let purchase_order_results = match_purchase_orders(invoices, purchase_orders, goods_receipts, options);
    let payments = match_payments(invoices, bank_entries, options);
    let mut totals_by_currency: BTreeMap<String, CurrencyTotals> = BTreeMap::new();
    let mut reconciled = Vec::with_capacity(invoices.len());
    for ((invoice, (purchase_order, mut findings)), (allocations, payment_findings)) in
        invoices.iter().zip(purchase_order_results).zip(payments.allocations.into_iter().zip(payments.findings))
    {
        findings.extend(payment_findings);
        let amount_paid: Decimal = allocations.iter().map(|allocation| allocation.amount).sum();
        let difference = invoice.total - amount_paid;
        let tolerance = options.amount_tolerance.abs();
        let (status, category) = if allocations.is_empty() {
            (MatchStatus::Unmatched, ReportCategory::Unmatched)
        } else if difference > tolerance {
            (MatchStatus::PartiallyMatched, ReportCategory::UnderPaid)
        } else if difference < -tolerance {
            (MatchStatus::Matched, ReportCategory::OverPaid)
        } else {
            (MatchStatus::Matched, ReportCategory::Matched)
        };
        let amount_outstanding = difference.max(Decimal::ZERO);
        let amount_over_paid = (-difference).max(Decimal::ZERO);
        let totals = totals_by_currency.entry(invoice.currency.clone()).or_default();
        totals.invoice_count += 1;
        totals.amount_invoiced += invoice.total;
        totals.amount_paid += amount_paid;
        match category {
            ReportCategory::Matched => {
                totals.matched_count += 1;
                totals.matched_amount += invoice.total;
            }
            ReportCategory::OverPaid => {
                totals.over_paid_count += 1;
                totals.over_paid_amount += amount_over_paid;
            }
            ReportCategory::UnderPaid => {
                totals.under_paid_count += 1;
                totals.under_paid_outstanding += amount_outstanding;
            }
            ReportCategory::Unmatched => {
                totals.unmatched_count += 1;
                totals.unmatched_amount += invoice.total;
            }
        }
        reconciled.push(InvoiceReconciliation {
            invoice_id: invoice.id.clone(),
            invoice_number: invoice.invoice_number.clone(),
            currency: invoice.currency.clone(),
            total: invoice.total,
            status,
            category,
            amount_paid,
            amount_outstanding,
            amount_over_paid,
            payments: allocations,
            purchase_order,
            findings,
        });
    }
    for entry in &payments.unmatched_entries {
        let totals = totals_by_currency.entry(entry.currency.clone()).or_default();
        totals.unmatched_bank_entry_count += 1;
        totals.unmatched_bank_entry_amount += entry.amount;
    }
    ReconciliationReport {
        invoices: reconciled,
        matched_bank_entries: payments.matched_entries,
        unmatched_bank_entries: payments.unmatched_entries,
        totals_by_currency,
    }
}

/// An amount with at least two decimals and `.` as separator.
fn csv_amount(value: Decimal) -> String {
    let mut value = value.normalize();
    if value.scale() < 2 {
        value.rescale(2);
    }
    value.to_string()
}

/// A text cell that a spreadsheet will not run as a formula.
fn csv_text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() }
}

/// The header of [`ReconciliationReport::to_csv`].
pub const REPORT_CSV_HEADER: &str =
    "record_type,category,currency,record_id,reference,count,amount,paid,outstanding,over_paid,matched_record_ids,finding_codes";

impl ReconciliationReport {
    /// The invoices in one category.
    pub fn invoices_in(&self, category: ReportCategory) -> impl Iterator<Item = &InvoiceReconciliation> {
        self.invoices.iter().filter(move |invoice| invoice.category == category)
    }

    /// The report as CSV (header [`REPORT_CSV_HEADER`]): one `invoice` row
    /// per invoice, one `bank_entry` row per unmatched bank entry (its
    /// reason in `finding_codes`, the invoices that came close in
    /// `matched_record_ids`), then per currency the `total` rows
    /// `invoiced` (amount invoiced and paid), `matched` (their totals),
    /// `over_paid` (the excess), `under_paid` (what is outstanding),
    /// `unmatched` (their totals) and `unmatched_bank_entries` (their signed
    /// sum). Lists inside a cell are separated by `;`; amounts use `.`.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut write = |record: [String; 12]| writer.write_record(&record).expect("writing CSV to memory cannot fail");
        write(REPORT_CSV_HEADER.split(',').map(str::to_string).collect::<Vec<_>>().try_into().expect("twelve columns"));
        for invoice in &self.invoices {
            let mut codes: Vec<&str> = invoice.findings.iter().map(|finding| finding.code.as_str()).collect();
            codes.dedup();
            write([
                "invoice".to_string(),
                invoice.category.as_str().to_string(),
                invoice.currency.clone(),
                csv_text(&invoice.invoice_id),
                csv_text(&invoice.invoice_number),
                "1".to_string(),
                csv_amount(invoice.total),
                csv_amount(invoice.amount_paid),
                csv_amount(invoice.amount_outstanding),
                csv_amount(invoice.amount_over_paid),
                csv_text(&invoice.matched_record_ids().join(";")),
                codes.join(";"),
            ]);
        }
        for entry in &self.unmatched_bank_entries {
            write([
                "bank_entry".to_string(),
                "unmatched".to_string(),
                entry.currency.clone(),
                csv_text(&entry.bank_entry_id),
                entry.booking_date.to_string(),
                "1".to_string(),
                csv_amount(entry.amount),
                String::new(),
                String::new(),
                String::new(),
                csv_text(&entry.candidate_invoice_ids.join(";")),
                entry.reason.as_str().to_string(),
            ]);
        }
        for (currency, totals) in &self.totals_by_currency {
            let total_row = |category: &str,
                             count: usize,
                             amount: Option<Decimal>,
                             paid: Option<Decimal>,
                             outstanding: Option<Decimal>,
                             over_paid: Option<Decimal>| {
                let cell = |value: Option<Decimal>| value.map(csv_amount).unwrap_or_default();
                [
                    "total".to_string(),
                    category.to_string(),
                    currency.clone(),
                    String::new(),
                    String::new(),
                    count.to_string(),
                    cell(amount),
                    cell(paid),
                    cell(outstanding),
                    cell(over_paid),
                    String::new(),
                    String::new(),
                ]
            };
            write(total_row("invoiced", totals.invoice_count, Some(totals.amount_invoiced), Some(totals.amount_paid), None, None));
            write(total_row("matched", totals.matched_count, Some(totals.matched_amount), None, None, None));
            write(total_row("over_paid", totals.over_paid_count, None, None, None, Some(totals.over_paid_amount)));
            write(total_row("under_paid", totals.under_paid_count, None, None, Some(totals.under_paid_outstanding), None));
            write(total_row("unmatched", totals.unmatched_count, Some(totals.unmatched_amount), None, None, None));
            write(total_row(
                "unmatched_bank_entries",
                totals.unmatched_bank_entry_count,
                Some(totals.unmatched_bank_entry_amount),
                None,
                None,
                None,
            ));
        }
        String::from_utf8(writer.into_inner().expect("an in-memory writer flushes")).expect("the CSV writer writes UTF-8")
    }
}
