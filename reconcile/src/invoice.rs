//! The invoice as reconciliation sees it, and the options of matching.
//!
//! [`InvoiceForMatching`] carries only what matching needs from an
//! extracted, approved invoice; the caller builds it from its own records.
//! [`MatchingOptions`] holds every threshold, with defaults a back office
//! can start from.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An invoice to reconcile against purchase orders, goods receipts and
/// bank entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceForMatching {
    /// The caller's record id (the document id); results refer to it.
    pub id: String,
    pub invoice_number: String,
    /// Empty when unknown.
    pub supplier_tax_id: String,
    pub supplier_name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The amount due, taxes included.
    pub total: Decimal,
    pub issue_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    /// The purchase order the invoice cites, as printed.
    pub po_number: Option<String>,
    /// Empty when the invoice's lines are not known.
    pub lines: Vec<InvoiceLineForMatching>,
}

/// One billed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLineForMatching {
    /// The line's position on the invoice, from 1.
    pub line_number: u32,
    /// The purchase order line it bills; `None` means the one with the
    /// same number as this line.
    pub purchase_order_line: Option<u32>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Option<Decimal>,
}

impl InvoiceLineForMatching {
    /// The purchase order line this invoice line bills.
    pub fn billed_purchase_order_line(&self) -> u32 {
        self.purchase_order_line.unwrap_or(self.line_number)
    }
}

/// Which bank entries can pay an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentDirection {
    /// Supplier invoices paid by the account holder: debits (money out).
    Outgoing,
    /// Invoices the account holder issued, paid to it: credits (money in).
    Incoming,
    /// Either sign.
    Either,
}

/// When a matched purchase order needs a goods receipt (3-way match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsReceiptRequirement {
    /// Only when any goods receipts are given at all: an organisation that
    /// records receipts records them for every order.
    WhenAnyReceiptsGiven,
    Always,
    Never,
}

/// The thresholds of matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchingOptions {
    /// The largest difference between two amounts that still counts as
    /// equal (rounding, small bank charges).
    pub amount_tolerance: Decimal,
    /// A payment may be booked this many days before the invoice's issue date.
    pub days_before_issue_date: i64,
    /// ...and this many days after its due date (its issue date when it has none).
    pub days_after_due_date: i64,
    pub payment_direction: PaymentDirection,
    /// Report an invoice that matches no purchase order.
    pub purchase_order_required: bool,
    pub goods_receipt_requirement: GoodsReceiptRequirement,
    /// The most invoices one bank entry is matched to by amount alone.
    pub max_invoices_per_payment: usize,
    /// How many open invoices of one supplier are tried in combination.
    pub max_invoices_tried_in_combination: usize,
}

impl Default for MatchingOptions {
    fn default() -> Self {
        MatchingOptions {
            amount_tolerance: Decimal::new(2, 2),
            days_before_issue_date: 5,
            days_after_due_date: 90,
            payment_direction: PaymentDirection::Outgoing,
            purchase_order_required: false,
            goods_receipt_requirement: GoodsReceiptRequirement::WhenAnyReceiptsGiven,
            max_invoices_per_payment: 8,
            max_invoices_tried_in_combination: 20,
        }
    }
}

impl MatchingOptions {
    /// The first and last day a payment of this invoice is expected.
    pub fn payment_window(&self, invoice: &InvoiceForMatching) -> (NaiveDate, NaiveDate) {
        let start = invoice.issue_date - chrono::Duration::days(self.days_before_issue_date);
        let end = invoice.due_date.unwrap_or(invoice.issue_date).max(invoice.issue_date) + chrono::Duration::days(self.days_after_due_date);
        (start, end)
    }
}
