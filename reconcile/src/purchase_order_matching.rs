//! Two-way (invoice ↔ purchase order) and three-way (… ↔ goods receipts)
//! matching.
//!
//! An invoice finds its purchase order by the number it cites (compared
//! without case, spaces or punctuation: `PO-0042` = `po 0042`; when that fails, by the
//! number's digits alone if they identify one order), or, when it cites
//! none or one that does not exist, by supplier tax id, currency and an
//! amount within the tolerance. An order found by amount is taken by one
//! invoice only; when several fit, the finding lists them instead of
//! guessing.
//!
//! Once found, the order is checked against the invoice: supplier,
//! currency, amount (an invoice may bill part of an order with lines; the
//! lines are checked instead), the cumulative amount of all invoices
//! against the order, and line by line the quantity billed so far against
//! the quantity ordered and the unit price.
//!
//! Three-way: where goods receipts exist, the quantity billed so far on
//! each line is compared with the quantity received on that line, when
//! both the invoice and the receipts have lines; otherwise a receipt for
//! the order is enough. Invoices are taken in issue-date order, so that
//! "billed so far" means the earlier invoices plus this one.
//!
//! Everything is indexed by hash maps, never compared pairwise.

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::findings::{MismatchCode, MismatchFinding};
use crate::invoice::{GoodsReceiptRequirement, InvoiceForMatching, MatchingOptions};
use crate::purchase_orders::{GoodsReceipt, PurchaseOrder};
use crate::text::{compact_key, normalised_tax_id, significant_name_words};

/// How an invoice's purchase order was found, if it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOrderMatchStatus {
    Matched,
    /// The invoice cites an order that does not exist and none fits by amount.
    NotFound,
    /// Several orders fit by supplier and amount.
    Ambiguous,
    /// The invoice cites no order and none fits by supplier and amount.
    NotReferenced,
}

/// Which evidence matched the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseOrderMatchedBy {
    PurchaseOrderNumber,
    SupplierAndAmount,
}

/// What the goods receipts say about the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsReceiptStatus {
    /// Receipts cover what is billed (per line where both have lines).
    Received,
    /// Some line billed beyond what was received.
    ShortReceived,
    /// No receipt for the order, and one is required.
    NotReceived,
    /// No order matched, or receipts are not required and there are none.
    NotChecked,
}

/// The purchase order side of one invoice's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrderCheck {
    pub status: PurchaseOrderMatchStatus,
    pub matched_by: Option<PurchaseOrderMatchedBy>,
    /// The matched order's number as its file writes it.
    pub po_number: Option<String>,
    pub goods_receipts: GoodsReceiptStatus,
    /// Ids of the receipts of the matched order, each once.
    pub goods_receipt_ids: Vec<String>,
}

/// The indexes over purchase orders and receipts.
struct PurchaseOrderIndex<'a> {
    orders: &'a [PurchaseOrder],
    by_number: HashMap<String, Vec<usize>>,
    by_number_digits: HashMap<String, Vec<usize>>,
    by_supplier_and_currency: HashMap<(String, String), Vec<usize>>,
    receipts_by_order_number: HashMap<String, Vec<&'a GoodsReceipt>>,
}

fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect::<String>().trim_start_matches('0').to_string()
}

impl<'a> PurchaseOrderIndex<'a> {
    fn new(orders: &'a [PurchaseOrder], receipts: &'a [GoodsReceipt]) -> Self {
        let mut index = PurchaseOrderIndex {
            orders,
            by_number: HashMap::with_capacity(orders.len()),
            by_number_digits: HashMap::new(),
            by_supplier_and_currency: HashMap::new(),
            receipts_by_order_number: HashMap::new(),
        };
        for (position, order) in orders.iter().enumerate() {
            index.by_number.entry(compact_key(&order.po_number)).or_default().push(position);
            let digits = digits_of(&order.po_number);
            if digits.len() >= 4 {
                index.by_number_digits.entry(digits).or_default().push(position);
            }
            index
                .by_supplier_and_currency
                .entry((normalised_tax_id(&order.supplier_tax_id), order.currency.clone()))
                .or_default()
                .push(position);
        }
        for receipt in receipts {
            index.receipts_by_order_number.entry(compact_key(&receipt.po_number)).or_default().push(receipt);
        }
        index
    }

    /// Orders cited by a number: the exact key, else the digits when they
    /// name exactly one order.
    fn cited(&self, po_number: &str) -> Vec<usize> {
        if let Some(found) = self.by_number.get(&compact_key(po_number)) {
            return found.clone();
        }
        let digits = digits_of(po_number);
        match self.by_number_digits.get(&digits) {
            Some(found) if digits.len() >= 4 && found.len() == 1 => found.clone(),
            _ => Vec::new(),
        }
    }

    /// Orders of the invoice's supplier and currency whose amount is the
    /// invoice total within the tolerance.
    fn fitting_by_amount(&self, invoice: &InvoiceForMatching, tolerance: Decimal) -> Vec<usize> {
        let supplier = normalised_tax_id(&invoice.supplier_tax_id);
        if supplier.is_empty() {
            return Vec::new();
        }
        self.by_supplier_and_currency
            .get(&(supplier, invoice.currency.clone()))
            .map(|orders| orders.iter().copied().filter(|&order| (self.orders[order].amount - invoice.total).abs() <= tolerance).collect())
            .unwrap_or_default()
    }
}

/// Whether an order was issued to the invoice's supplier: same tax id, or
/// (when the invoice's tax id is unknown) at least half the name's words.
fn same_supplier(order: &PurchaseOrder, invoice: &InvoiceForMatching) -> bool {
    let invoice_tax_id = normalised_tax_id(&invoice.supplier_tax_id);
    if !invoice_tax_id.is_empty() {
        return invoice_tax_id == normalised_tax_id(&order.supplier_tax_id);
    }
    let order_words = significant_name_words(&order.supplier_name);
    let invoice_words = significant_name_words(&invoice.supplier_name);
    let shared = invoice_words.iter().filter(|word| order_words.contains(word)).count();
    shared > 0 && shared * 2 >= order_words.len().max(invoice_words.len())
}

/// Checks every invoice against the purchase orders and goods receipts.
/// Returns, per invoice (in the invoices' order), the check and its findings.
pub fn match_purchase_orders(
    invoices: &[InvoiceForMatching],
    orders: &[PurchaseOrder],
    receipts: &[GoodsReceipt],
    options: &MatchingOptions,
) -> Vec<(PurchaseOrderCheck, Vec<MismatchFinding>)> {
    let index = PurchaseOrderIndex::new(orders, receipts);
    let tolerance = options.amount_tolerance;
    let receipts_required = match options.goods_receipt_requirement {
        GoodsReceiptRequirement::Always => true,
        GoodsReceiptRequirement::Never => false,
        GoodsReceiptRequirement::WhenAnyReceiptsGiven => !receipts.is_empty(),
    };
    let mut results: Vec<(PurchaseOrderCheck, Vec<MismatchFinding>)> = invoices
        .iter()
        .map(|_| {
            (
                PurchaseOrderCheck {
                    status: PurchaseOrderMatchStatus::NotReferenced,
                    matched_by: None,
                    po_number: None,
                    goods_receipts: GoodsReceiptStatus::NotChecked,
                    goods_receipt_ids: Vec::new(),
                },
                Vec::new(),
            )
        })
        .collect();
    let mut processing_order: Vec<usize> = (0..invoices.len()).collect();
    processing_order.sort_by_key(|&position| (invoices[position].issue_date, position));

    let mut taken_by_amount = vec![false; orders.len()];
    let mut invoiced_total_per_order: HashMap<usize, Decimal> = HashMap::new();
    let mut billed_quantity_per_order_line: HashMap<(usize, u32), Decimal> = HashMap::new();

    for invoice_position in processing_order {
        let invoice = &invoices[invoice_position];
        let (check, findings) = &mut results[invoice_position];
        let cited_number = invoice.po_number.as_deref().map(str::trim).filter(|number| !compact_key(number).is_empty());

        let mut matched: Option<(usize, PurchaseOrderMatchedBy)> = None;
        if let Some(cited_number) = cited_number {
            let cited = index.cited(cited_number);
            let chosen = cited.iter().copied().find(|&order| same_supplier(&orders[order], invoice)).or_else(|| cited.first().copied());
            match chosen {
                Some(order) => matched = Some((order, PurchaseOrderMatchedBy::PurchaseOrderNumber)),
                None => {
                    let fitting: Vec<usize> =
                        index.fitting_by_amount(invoice, tolerance).into_iter().filter(|&order| !taken_by_amount[order]).collect();
                    let substitute = (fitting.len() == 1).then(|| fitting[0]);
                    let substitute_number = substitute.map(|order| orders[order].po_number.clone());
                    findings.push(MismatchFinding::new(
                        MismatchCode::PurchaseOrderNotFound,
                        &["po_number"],
                        substitute_number.iter().cloned().collect(),
                        |wording| {
                            let instead_en = substitute_number
                                .as_ref()
                                .map(|number| format!("; order {number}, of the same supplier and amount, was matched instead"))
                                .unwrap_or_default();
                            let instead_es = substitute_number
                                .as_ref()
                                .map(|number| format!("; se ha casado en su lugar el pedido {number}, del mismo proveedor e importe"))
                                .unwrap_or_default();
                            wording.pick(
                                format!(
                                    "The invoice cites purchase order {cited_number}, which is not among the purchase orders{instead_en}."
                                ),
                                format!("La factura cita el pedido {cited_number}, que no está entre los pedidos{instead_es}."),
                            )
                        },
                    ));
                    match substitute {
                        Some(order) => {
                            taken_by_amount[order] = true;
                            matched = Some((order, PurchaseOrderMatchedBy::SupplierAndAmount));
                        }
                        None => check.status = PurchaseOrderMatchStatus::NotFound,
                    }
                }
            }
        } else {
            let fitting: Vec<usize> =
                index.fitting_by_amount(invoice, tolerance).into_iter().filter(|&order| !taken_by_amount[order]).collect();
            match fitting.len() {
                0 => {
                    if options.purchase_order_required {
                        findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderMissing, &["po_number"], Vec::new(), |wording| {
                            wording.pick(
                                format!(
                                    "The invoice cites no purchase order and none of its supplier matches its total {} {}.",
                                    wording.amount(invoice.total),
                                    invoice.currency
                                ),
                                format!(
                                    "La factura no cita ningún pedido y ninguno de su proveedor coincide con su total {} {}.",
                                    wording.amount(invoice.total),
                                    invoice.currency
                                ),
                            )
                        }));
                    }
                }
                1 => {
                    taken_by_amount[fitting[0]] = true;
                    matched = Some((fitting[0], PurchaseOrderMatchedBy::SupplierAndAmount));
                }
                _ => {
                    check.status = PurchaseOrderMatchStatus::Ambiguous;
                    let numbers: Vec<String> = fitting.iter().map(|&order| orders[order].po_number.clone()).collect();
                    findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderAmbiguous, &["po_number"], numbers.clone(), |wording| {
                        wording.pick(
                            format!(
                                "{} purchase orders of this supplier match the total {} {}: {}. Add the order number to the invoice record.",
                                numbers.len(),
                                wording.amount(invoice.total),
                                invoice.currency,
                                wording.ids(&numbers)
                            ),
                            format!(
                                "{} pedidos de este proveedor coinciden con el total {} {}: {}. Indique el número de pedido en la factura.",
                                numbers.len(),
                                wording.amount(invoice.total),
                                invoice.currency,
                                wording.ids(&numbers)
                            ),
                        )
                    }));
                }
            }
        }

        let Some((order_position, matched_by)) = matched else {
            continue;
        };
        let order = &orders[order_position];
        check.status = PurchaseOrderMatchStatus::Matched;
        check.matched_by = Some(matched_by);
        check.po_number = Some(order.po_number.clone());
        let order_number = &order.po_number;
        let related = || vec![order_number.clone()];

        if !same_supplier(order, invoice) {
            findings.push(MismatchFinding::new(
                MismatchCode::PurchaseOrderSupplierMismatch,
                &["supplier_tax_id", "supplier_name", "po_number"],
                related(),
                |wording| {
                    wording.pick(
                        format!("Purchase order {order_number} was issued to another supplier than the invoice's."),
                        format!("El pedido {order_number} se emitió a otro proveedor distinto del de la factura."),
                    )
                },
            ));
        }
        if order.currency != invoice.currency {
            findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderCurrencyMismatch, &["currency"], related(), |wording| {
                wording.pick(
                    format!("Purchase order {order_number} is in {}, the invoice in {}.", order.currency, invoice.currency),
                    format!("El pedido {order_number} está en {} y la factura en {}.", order.currency, invoice.currency),
                )
            }));
        }
        let difference = invoice.total - order.amount;
        let lines_compared = !order.lines.is_empty() && !invoice.lines.is_empty();
        if order.currency == invoice.currency && (difference > tolerance || (difference < -tolerance && !lines_compared)) {
            findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderAmountMismatch, &["total"], related(), |wording| {
                wording.pick(
                    format!(
                        "The invoice total {} differs from purchase order {order_number}'s amount {} by {} {} (tolerance {}).",
                        wording.amount(invoice.total),
                        wording.amount(order.amount),
                        wording.amount(difference),
                        invoice.currency,
                        wording.amount(tolerance)
                    ),
                    format!(
                        "El total de la factura, {}, difiere del importe del pedido {order_number}, {}, en {} {} (tolerancia {}).",
                        wording.amount(invoice.total),
                        wording.amount(order.amount),
                        wording.amount(difference),
                        invoice.currency,
                        wording.amount(tolerance)
                    ),
                )
            }));
        }
        if order.currency == invoice.currency {
            let invoiced_so_far = invoiced_total_per_order.entry(order_position).or_default();
            let previously_invoiced = *invoiced_so_far;
            *invoiced_so_far += invoice.total;
            let invoiced_so_far = *invoiced_so_far;
            if previously_invoiced > Decimal::ZERO && invoiced_so_far > order.amount + tolerance {
                findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderOverInvoiced, &["total", "po_number"], related(), |wording| {
                    wording.pick(
                        format!(
                            "With this invoice, the invoices against purchase order {order_number} add up to {} {}, more than its amount {}.",
                            wording.amount(invoiced_so_far),
                            invoice.currency,
                            wording.amount(order.amount)
                        ),
                        format!(
                            "Con esta factura, las facturas del pedido {order_number} suman {} {}, más que su importe, {}.",
                            wording.amount(invoiced_so_far),
                            invoice.currency,
                            wording.amount(order.amount)
                        ),
                    )
                }));
            }
        }

        let order_receipts: &[&GoodsReceipt] =
            index.receipts_by_order_number.get(&compact_key(order_number)).map(Vec::as_slice).unwrap_or(&[]);
        let receipts_by_line = !order_receipts.is_empty() && order_receipts.iter().all(|receipt| receipt.line_number.is_some());
        let mut short_received = false;
        for (line_index, line) in invoice.lines.iter().enumerate() {
            let billed_line = line.billed_purchase_order_line();
            let billed_so_far = {
                let billed = billed_quantity_per_order_line.entry((order_position, billed_line)).or_default();
                *billed += line.quantity;
                *billed
            };
            let quantity_field = format!("lines[{line_index}].quantity");
            let line_is_on_order = order.lines.is_empty() || order.lines.iter().any(|order_line| order_line.line_number == billed_line);
            if !order.lines.is_empty() {
                match order.lines.iter().find(|order_line| order_line.line_number == billed_line) {
                    None => findings.push(MismatchFinding::new(
                        MismatchCode::PurchaseOrderLineNotFound,
                        &[&format!("lines[{line_index}]")],
                        related(),
                        |wording| {
                            wording.pick(
                                format!(
                                    "Invoice line {} bills line {billed_line} of purchase order {order_number}, which has no such line.",
                                    line.line_number
                                ),
                                format!(
                                    "La línea {} de la factura factura la línea {billed_line} del pedido {order_number}, que no la tiene.",
                                    line.line_number
                                ),
                            )
                        },
                    )),
                    Some(order_line) => {
                        if billed_so_far > order_line.quantity {
                            findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderLineQuantityExceeded, &[&quantity_field], related(), |wording| {
                                wording.pick(
                                    format!(
                                        "Invoice line {}: {} billed so far on line {billed_line} of purchase order {order_number}, more than the {} ordered.",
                                        line.line_number,
                                        billed_so_far.normalize(),
                                        order_line.quantity.normalize()
                                    ),
                                    format!(
                                        "Línea {} de la factura: {} facturadas hasta ahora en la línea {billed_line} del pedido {order_number}, más que las {} pedidas.",
                                        line.line_number,
                                        billed_so_far.normalize(),
                                        order_line.quantity.normalize()
                                    ),
                                )
                            }));
                        }
                        match (line.unit_price, order_line.unit_price) {
                            (Some(billed_price), Some(ordered_price)) if (billed_price - ordered_price).abs() > tolerance => {
                                let price_field = format!("lines[{line_index}].unit_price");
                                findings.push(MismatchFinding::new(MismatchCode::PurchaseOrderLinePriceMismatch, &[&price_field], related(), |wording| {
                                    wording.pick(
                                        format!(
                                            "Invoice line {}: unit price {} differs from the {} of purchase order {order_number} line {billed_line}.",
                                            line.line_number,
                                            wording.amount(billed_price),
                                            wording.amount(ordered_price)
                                        ),
                                        format!(
                                            "Línea {} de la factura: el precio unitario {} difiere del {} de la línea {billed_line} del pedido {order_number}.",
                                            line.line_number,
                                            wording.amount(billed_price),
                                            wording.amount(ordered_price)
                                        ),
                                    )
                                }));
                            }
                            _ => {}
                        }
                    }
                }
            }
            if receipts_by_line && line_is_on_order {
                let received: Decimal = order_receipts
                    .iter()
                    .filter(|receipt| receipt.line_number == Some(billed_line))
                    .map(|receipt| receipt.quantity_received)
                    .sum();
                if billed_so_far > received {
                    short_received = true;
                    let receipt_ids: Vec<String> = order_receipts
                        .iter()
                        .filter(|receipt| receipt.line_number == Some(billed_line))
                        .map(|receipt| receipt.receipt_id.clone())
                        .collect();
                    let mut related_ids = related();
                    related_ids.extend(receipt_ids);
                    findings.push(MismatchFinding::new(MismatchCode::GoodsReceiptQuantityShort, &[&quantity_field], related_ids, |wording| {
                        wording.pick(
                            format!(
                                "Invoice line {}: {} billed so far on line {billed_line} of purchase order {order_number}, but only {} received.",
                                line.line_number,
                                billed_so_far.normalize(),
                                received.normalize()
                            ),
                            format!(
                                "Línea {} de la factura: {} facturadas hasta ahora en la línea {billed_line} del pedido {order_number}, pero solo se han recibido {}.",
                                line.line_number,
                                billed_so_far.normalize(),
                                received.normalize()
                            ),
                        )
                    }));
                }
            }
        }

        let mut receipt_ids: Vec<String> = order_receipts.iter().map(|receipt| receipt.receipt_id.clone()).collect();
        receipt_ids.sort();
        receipt_ids.dedup();
        check.goods_receipts = if short_received {
            GoodsReceiptStatus::ShortReceived
        } else if !order_receipts.is_empty() {
            GoodsReceiptStatus::Received
        } else if receipts_required {
            findings.push(MismatchFinding::new(MismatchCode::GoodsReceiptMissing, &["po_number"], related(), |wording| {
                wording.pick(
                    format!("No goods receipt is recorded for purchase order {order_number}: confirm the goods or services arrived before paying."),
                    format!("No consta ningún albarán de recepción del pedido {order_number}: confirme que se recibió la mercancía o el servicio antes de pagar."),
                )
            }));
            GoodsReceiptStatus::NotReceived
        } else {
            GoodsReceiptStatus::NotChecked
        };
        check.goods_receipt_ids = receipt_ids;
    }
    results
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::invoice::InvoiceLineForMatching;
    use crate::purchase_orders::PurchaseOrderLine;

    fn money(units: i64) -> Decimal {
        Decimal::new(units, 2)
    }

    fn day(day_of_march: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day_of_march).unwrap()
    }

    fn order(number: &str, tax_id: &str, amount: Decimal) -> PurchaseOrder {
        PurchaseOrder {
            po_number: number.to_string(),
            supplier_tax_id: tax_id.to_string(),
            supplier_name: "Suministros García SL".to_string(),
            currency: "EUR".to_string(),
            amount,
            issue_date: day(1),
            lines: Vec::new(),
            source_line: 2,
        }
    }

    fn invoice(id: &str, tax_id: &str, total: Decimal, po_number: Option<&str>, issue_day: u32) -> InvoiceForMatching {
        InvoiceForMatching {
            id: id.to_string(),
            invoice_number: format!("N-{id}"),
            supplier_tax_id: tax_id.to_string(),
            supplier_name: "Suministros García SL".to_string(),
            currency: "EUR".to_string(),
            total,
            issue_date: day(issue_day),
            due_date: None,
            po_number: po_number.map(str::to_string),
            lines: Vec::new(),
        }
    }

    fn codes(findings: &[MismatchFinding]) -> Vec<MismatchCode> {
        findings.iter().map(|finding| finding.code).collect()
    }

    #[test]
    fn an_invoice_without_an_order_number_finds_its_order_by_supplier_and_amount() {
        let orders = [order("PO-1", "B11111111", money(12_100)), order("PO-2", "B11111111", money(50_000))];
        let invoices = [invoice("a", "ES-B11111111", money(12_101), None, 5)];
        let results = match_purchase_orders(&invoices, &orders, &[], &MatchingOptions::default());
        let (check, findings) = &results[0];
        assert_eq!((check.status, check.matched_by), (PurchaseOrderMatchStatus::Matched, Some(PurchaseOrderMatchedBy::SupplierAndAmount)));
        assert_eq!(check.po_number.as_deref(), Some("PO-1"));
        assert_eq!(check.goods_receipts, GoodsReceiptStatus::NotChecked);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn a_cited_order_that_does_not_exist_is_reported_and_a_unique_substitute_matched() {
        let orders = [order("PO-1", "B11111111", money(12_100))];
        let invoices = [invoice("a", "B11111111", money(12_100), Some("PO-9"), 5), invoice("b", "B22222222", money(100), Some("PO-8"), 6)];
        let results = match_purchase_orders(&invoices, &orders, &[], &MatchingOptions::default());
        assert_eq!(results[0].0.status, PurchaseOrderMatchStatus::Matched);
        assert_eq!(codes(&results[0].1), [MismatchCode::PurchaseOrderNotFound]);
        assert!(
            results[0].1[0].message_en.contains("order PO-1, of the same supplier and amount, was matched instead"),
            "{}",
            results[0].1[0].message_en
        );
        assert_eq!(results[1].0.status, PurchaseOrderMatchStatus::NotFound);
        assert_eq!(codes(&results[1].1), [MismatchCode::PurchaseOrderNotFound]);
    }

    #[test]
    fn several_orders_fitting_the_amount_are_listed_instead_of_guessed() {
        let orders = [order("PO-1", "B11111111", money(10_000)), order("PO-2", "B11111111", money(10_000))];
        let results =
            match_purchase_orders(&[invoice("a", "B11111111", money(10_000), None, 5)], &orders, &[], &MatchingOptions::default());
        assert_eq!(results[0].0.status, PurchaseOrderMatchStatus::Ambiguous);
        assert_eq!(results[0].1[0].related_record_ids, ["PO-1", "PO-2"]);
    }

    #[test]
    fn an_order_of_another_supplier_and_a_required_missing_order_are_findings() {
        let orders = [order("PO-1", "B11111111", money(10_000))];
        let invoices = [invoice("a", "B99999999", money(10_000), Some("po1"), 5), invoice("b", "B99999999", money(777), None, 6)];
        let options = MatchingOptions { purchase_order_required: true, ..MatchingOptions::default() };
        let results = match_purchase_orders(&invoices, &orders, &[], &options);
        assert_eq!(codes(&results[0].1), [MismatchCode::PurchaseOrderSupplierMismatch]);
        assert_eq!(codes(&results[1].1), [MismatchCode::PurchaseOrderMissing]);
    }

    #[test]
    fn invoices_adding_up_to_more_than_their_order_are_over_invoiced() {
        let orders = [order("PO-1", "B11111111", money(10_000))];
        let invoices =
            [invoice("late", "B11111111", money(6_000), Some("PO-1"), 9), invoice("early", "B11111111", money(6_000), Some("PO-1"), 2)];
        let results = match_purchase_orders(&invoices, &orders, &[], &MatchingOptions::default());
        assert_eq!(codes(&results[1].1), [MismatchCode::PurchaseOrderAmountMismatch], "the earlier invoice bills part of the order");
        assert_eq!(
            codes(&results[0].1),
            [MismatchCode::PurchaseOrderAmountMismatch, MismatchCode::PurchaseOrderOverInvoiced],
            "the later one takes the order over its amount"
        );
    }

    #[test]
    fn order_lines_check_the_quantity_billed_so_far_and_the_unit_price() {
        let mut ordered = order("PO-1", "B11111111", money(100_000));
        ordered.lines = vec![PurchaseOrderLine {
            line_number: 1,
            description: "tornillos".to_string(),
            quantity: Decimal::from(10),
            unit_price: Some(money(1_000)),
            source_line: 2,
        }];
        let billed = |id: &str, quantity: i64, price: i64, issue_day: u32, line_number: u32| {
            let mut billed = invoice(id, "B11111111", money(quantity * price), Some("PO-1"), issue_day);
            billed.lines = vec![InvoiceLineForMatching {
                line_number,
                purchase_order_line: None,
                description: "tornillos".to_string(),
                quantity: Decimal::from(quantity),
                unit_price: Some(money(price)),
            }];
            billed
        };
        let invoices = [billed("first", 6, 1_000, 2, 1), billed("second", 6, 1_050, 3, 1), billed("third", 1, 1_000, 4, 2)];
        let receipts = [GoodsReceipt {
            receipt_id: "GR-1".to_string(),
            po_number: "PO-1".to_string(),
            line_number: Some(1),
            quantity_received: Decimal::from(12),
            received_date: day(1),
            source_line: 2,
        }];
        let results = match_purchase_orders(&invoices, &[ordered], &receipts, &MatchingOptions::default());
        assert!(results[0].1.is_empty(), "{:#?}", results[0].1);
        assert_eq!(results[0].0.goods_receipts, GoodsReceiptStatus::Received);
        assert_eq!(codes(&results[1].1), [MismatchCode::PurchaseOrderLineQuantityExceeded, MismatchCode::PurchaseOrderLinePriceMismatch]);
        assert_eq!(results[1].1[1].fields, ["lines[0].unit_price"]);
        assert_eq!(codes(&results[2].1), [MismatchCode::PurchaseOrderLineNotFound]);
    }

    #[test]
    fn a_matched_order_without_receipts_needs_one_only_when_receipts_are_kept() {
        let orders = [order("PO-1", "B11111111", money(10_000)), order("PO-2", "B11111111", money(20_000))];
        let invoices = [invoice("a", "B11111111", money(10_000), Some("PO-1"), 5)];
        let other_receipt = GoodsReceipt {
            receipt_id: "GR-2".to_string(),
            po_number: "PO-2".to_string(),
            line_number: None,
            quantity_received: Decimal::ONE,
            received_date: day(2),
            source_line: 2,
        };
        let without_receipts = match_purchase_orders(&invoices, &orders, &[], &MatchingOptions::default());
        assert!(without_receipts[0].1.is_empty());
        let with_receipts = match_purchase_orders(&invoices, &orders, &[other_receipt], &MatchingOptions::default());
        assert_eq!(with_receipts[0].0.goods_receipts, GoodsReceiptStatus::NotReceived);
        assert_eq!(codes(&with_receipts[0].1), [MismatchCode::GoodsReceiptMissing]);
    }
}
