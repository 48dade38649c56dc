//! Mismatch findings: what reconciliation found wrong with one invoice,
//! in a shape the rules engine turns into `billing` findings (a stable
//! code, the invoice fields involved, a message in English and Spanish),
//! plus the ids of the records involved so a reviewer can open them.
//!
//! Messages name records by their numbers and ids and quote amounts and
//! dates, written the way each language writes them (`1,240.00` /
//! `1.240,00`); they never quote tax ids or account numbers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::values::{MessageLanguage, format_amount_for, format_date_for};

/// What kind of mismatch a finding reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchCode {
    /// The invoice cites a purchase order that is not among them.
    PurchaseOrderNotFound,
    /// No purchase order matches, and one is required.
    PurchaseOrderMissing,
    /// Several purchase orders of the supplier match the amount.
    PurchaseOrderAmbiguous,
    /// The cited purchase order was issued to another supplier.
    PurchaseOrderSupplierMismatch,
    /// The purchase order is in another currency.
    PurchaseOrderCurrencyMismatch,
    /// The invoice total differs from the purchase order amount.
    PurchaseOrderAmountMismatch,
    /// The invoices against one purchase order add up to more than it.
    PurchaseOrderOverInvoiced,
    /// An invoice line bills a purchase order line that does not exist.
    PurchaseOrderLineNotFound,
    /// More invoiced on a line than was ordered.
    PurchaseOrderLineQuantityExceeded,
    /// A line's unit price differs from the order's.
    PurchaseOrderLinePriceMismatch,
    /// No goods receipt for the purchase order.
    GoodsReceiptMissing,
    /// More invoiced on a line than was received.
    GoodsReceiptQuantityShort,
    /// Paid in part.
    PaymentPartial,
    /// Paid more than its total.
    PaymentExceedsInvoice,
    /// Paid again after being paid in full.
    PaymentDuplicate,
    /// A payment found by its reference, booked outside the expected window.
    PaymentOutsideDateWindow,
    /// Paid with a difference within the tolerance.
    PaymentWithinTolerance,
    /// Bank entries with the invoice's amount name neither it nor its supplier.
    PaymentCandidatesWithoutEvidence,
    /// A bank entry cites the invoice in another currency.
    PaymentCurrencyDiffers,
}

impl MismatchCode {
    pub fn as_str(self) -> &'static str {
        match self {
            MismatchCode::PurchaseOrderNotFound => "purchase_order_not_found",
            MismatchCode::PurchaseOrderMissing => "purchase_order_missing",
            MismatchCode::PurchaseOrderAmbiguous => "purchase_order_ambiguous",
            MismatchCode::PurchaseOrderSupplierMismatch => "purchase_order_supplier_mismatch",
            MismatchCode::PurchaseOrderCurrencyMismatch => "purchase_order_currency_mismatch",
            MismatchCode::PurchaseOrderAmountMismatch => "purchase_order_amount_mismatch",
            MismatchCode::PurchaseOrderOverInvoiced => "purchase_order_over_invoiced",
            MismatchCode::PurchaseOrderLineNotFound => "purchase_order_line_not_found",
            MismatchCode::PurchaseOrderLineQuantityExceeded => "purchase_order_line_quantity_exceeded",
            MismatchCode::PurchaseOrderLinePriceMismatch => "purchase_order_line_price_mismatch",
            MismatchCode::GoodsReceiptMissing => "goods_receipt_missing",
            MismatchCode::GoodsReceiptQuantityShort => "goods_receipt_quantity_short",
            MismatchCode::PaymentPartial => "payment_partial",
            MismatchCode::PaymentExceedsInvoice => "payment_exceeds_invoice",
            MismatchCode::PaymentDuplicate => "payment_duplicate",
            MismatchCode::PaymentOutsideDateWindow => "payment_outside_date_window",
            MismatchCode::PaymentWithinTolerance => "payment_within_tolerance",
            MismatchCode::PaymentCandidatesWithoutEvidence => "payment_candidates_without_evidence",
            MismatchCode::PaymentCurrencyDiffers => "payment_currency_differs",
        }
    }

    /// How serious the finding is: information, or a person must look.
    pub fn severity(self) -> FindingSeverity {
        match self {
            MismatchCode::PaymentWithinTolerance => FindingSeverity::Info,
            _ => FindingSeverity::Review,
        }
    }
}

/// Mirrors the rules engine's severities that reconciliation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingSeverity {
    /// Worth knowing; does not stop the invoice.
    Info,
    /// A person must look before it goes on.
    Review,
}

/// One mismatch on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MismatchFinding {
    pub code: MismatchCode,
    pub severity: FindingSeverity,
    /// Invoice fields involved (`total`, `po_number`, `lines[2].quantity`).
    pub fields: Vec<String>,
    /// Ids of the other records involved: purchase order numbers, goods
    /// receipt ids, bank entry ids.
    pub related_record_ids: Vec<String>,
    pub message_en: String,
    pub message_es: String,
}

impl MismatchFinding {
    /// Builds a finding whose message is written once per language.
    pub(crate) fn new(code: MismatchCode, fields: &[&str], related_record_ids: Vec<String>, message: impl Fn(&Wording) -> String) -> Self {
        MismatchFinding {
            code,
            severity: code.severity(),
            fields: fields.iter().map(|field| field.to_string()).collect(),
            related_record_ids,
            message_en: message(&Wording { language: MessageLanguage::English }),
            message_es: message(&Wording { language: MessageLanguage::Spanish }),
        }
    }

    /// The message in a language code of the configuration (`en` or `es`;
    /// anything else gives English).
    pub fn message(&self, language: &str) -> &str {
        if language.eq_ignore_ascii_case("es") { &self.message_es } else { &self.message_en }
    }
}

/// Writes the parts of a message in one language.
pub(crate) struct Wording {
    language: MessageLanguage,
}

impl Wording {
    /// The English or the Spanish text.
    pub(crate) fn pick(&self, english: String, spanish: String) -> String {
        match self.language {
            MessageLanguage::English => english,
            MessageLanguage::Spanish => spanish,
        }
    }

    pub(crate) fn amount(&self, value: Decimal) -> String {
        format_amount_for(self.language, value)
    }

    pub(crate) fn date(&self, value: NaiveDate) -> String {
        format_date_for(self.language, value)
    }

    /// A list of ids, at most five, then how many more.
    pub(crate) fn ids(&self, ids: &[String]) -> String {
        const SHOWN: usize = 5;
        let mut text = ids.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
        if ids.len() > SHOWN {
            let more = ids.len() - SHOWN;
            text.push_str(&match self.language {
                MessageLanguage::English => format!(" and {more} more"),
                MessageLanguage::Spanish => format!(" y {more} más"),
            });
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_written_in_english_and_spanish_with_each_languages_amounts() {
        let finding = MismatchFinding::new(MismatchCode::PaymentPartial, &["total"], vec!["CSV/3".to_string()], |wording| {
            wording.pick(
                format!("Paid {} of {}", wording.amount(Decimal::new(50_000, 2)), wording.amount(Decimal::new(121_000, 2))),
                format!("Pagado {} de {}", wording.amount(Decimal::new(50_000, 2)), wording.amount(Decimal::new(121_000, 2))),
            )
        });
        assert_eq!(finding.message("en"), "Paid 500.00 of 1,210.00");
        assert_eq!(finding.message("es"), "Pagado 500,00 de 1.210,00");
        assert_eq!(finding.code.as_str(), "payment_partial");
        assert_eq!(finding.severity, FindingSeverity::Review);
    }

    #[test]
    fn long_id_lists_are_shortened_in_messages() {
        let wording = Wording { language: MessageLanguage::Spanish };
        let ids: Vec<String> = (1..=7).map(|number| format!("E{number}")).collect();
        assert_eq!(wording.ids(&ids), "E1, E2, E3, E4, E5 y 2 más");
    }
}
