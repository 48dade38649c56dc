//! Purchase orders and goods receipts: their types and their CSV parsers.
//!
//! Both files have a documented header (see the crate documentation for
//! the full format); columns may come in any order, names are compared
//! without case or accents, and a column the format does not define is
//! refused by name, because a misspelt optional column would otherwise be
//! dropped silently. A purchase order with lines spans several rows, one
//! per line, repeating the order's own columns, which must agree.
//!
//! Each parser returns every record or the first error, with its line.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::delimited::{ColumnDefinition, DelimitedRow, UnknownColumns, read_delimited_table};
use crate::error::{ReferenceDataError, SourceFormat};
use crate::text::{compact_key, normalised_tax_id, normalised_words};
use crate::values::{DecimalSeparator, detect_decimal_separator, normalised_currency_code, parse_amount, parse_date};

/// The header of a purchase orders CSV, line columns included.
pub const PURCHASE_ORDERS_CSV_HEADER: &str =
    "po_number,supplier_tax_id,supplier_name,currency,amount,issue_date,line,description,quantity,unit_price";

/// The header of a goods receipts CSV.
pub const GOODS_RECEIPTS_CSV_HEADER: &str = "receipt_id,po_number,line,quantity_received,received_date";

/// A purchase order: what was ordered from whom, for how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrder {
    /// As written in the file; compared without case, spaces or punctuation.
    pub po_number: String,
    pub supplier_tax_id: String,
    pub supplier_name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The amount the supplier's invoices are expected to add up to, on the
    /// same basis as the invoice total (taxes included).
    pub amount: Decimal,
    pub issue_date: NaiveDate,
    /// Empty when the file has no line columns or the order has no lines.
    pub lines: Vec<PurchaseOrderLine>,
    /// The line of the file where the order first appears.
    pub source_line: usize,
}

/// One ordered item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrderLine {
    /// The order's own line number; goods receipts and invoice lines refer to it.
    pub line_number: u32,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Option<Decimal>,
    pub source_line: usize,
}

/// Goods received against a purchase order (or one of its lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodsReceipt {
    pub receipt_id: String,
    pub po_number: String,
    /// The purchase order line received; `None` for a receipt of the whole order.
    pub line_number: Option<u32>,
    /// Negative for goods returned.
    pub quantity_received: Decimal,
    pub received_date: NaiveDate,
    pub source_line: usize,
}

const PURCHASE_ORDER_ACCEPTED_COLUMNS: &str =
    "po_number, supplier_tax_id, supplier_name, currency, amount, issue_date, line, description, quantity, unit_price";

const PURCHASE_ORDER_COLUMNS: [ColumnDefinition; 10] = [
    ColumnDefinition {
        name: "po_number",
        aliases: &["purchase_order", "purchase_order_number", "pedido", "numero_pedido"],
        required: true,
    },
    ColumnDefinition { name: "supplier_tax_id", aliases: &["nif_proveedor", "cif_proveedor"], required: true },
    ColumnDefinition { name: "supplier_name", aliases: &["proveedor", "nombre_proveedor"], required: true },
    ColumnDefinition { name: "currency", aliases: &["moneda", "divisa"], required: true },
    ColumnDefinition { name: "amount", aliases: &["importe", "total"], required: true },
    ColumnDefinition { name: "issue_date", aliases: &["fecha", "fecha_pedido", "date"], required: true },
    ColumnDefinition { name: "line", aliases: &["line_number", "linea"], required: false },
    ColumnDefinition { name: "description", aliases: &["descripcion"], required: false },
    ColumnDefinition { name: "quantity", aliases: &["cantidad"], required: false },
    ColumnDefinition { name: "unit_price", aliases: &["precio_unitario", "precio"], required: false },
];

const GOODS_RECEIPT_ACCEPTED_COLUMNS: &str = "receipt_id, po_number, line, quantity_received, received_date";

const GOODS_RECEIPT_COLUMNS: [ColumnDefinition; 5] = [
    ColumnDefinition { name: "receipt_id", aliases: &["albaran", "numero_albaran", "receipt"], required: true },
    ColumnDefinition {
        name: "po_number",
        aliases: &["purchase_order", "purchase_order_number", "pedido", "numero_pedido"],
        required: true,
    },
    ColumnDefinition { name: "line", aliases: &["line_number", "linea"], required: false },
    ColumnDefinition { name: "quantity_received", aliases: &["quantity", "cantidad", "cantidad_recibida"], required: true },
    ColumnDefinition { name: "received_date", aliases: &["date", "fecha", "fecha_recepcion"], required: true },
];

const AMOUNT_REMEDY: &str = "write it as 1234.56 or 1.234,56";
const DATE_REMEDY: &str = "write it as 2026-03-15 or 15/03/2026";

fn required_text(row: &DelimitedRow, column: Option<usize>, field: &str, format: SourceFormat) -> Result<String, ReferenceDataError> {
    let value = row.value(column);
    if value.is_empty() {
        return Err(ReferenceDataError::invalid_field(format, row.line, field, "the value is empty", "fill it in"));
    }
    Ok(value.to_string())
}

fn decimal_value(
    row: &DelimitedRow,
    column: Option<usize>,
    field: &str,
    separator: Option<DecimalSeparator>,
    format: SourceFormat,
) -> Result<Decimal, ReferenceDataError> {
    let value = row.value(column);
    if value.is_empty() {
        return Err(ReferenceDataError::invalid_field(format, row.line, field, "the value is empty", "fill it in"));
    }
    parse_amount(value, separator).map_err(|problem| ReferenceDataError::invalid_field(format, row.line, field, problem, AMOUNT_REMEDY))
}

fn date_value(row: &DelimitedRow, column: Option<usize>, field: &str, format: SourceFormat) -> Result<NaiveDate, ReferenceDataError> {
    let value = row.value(column);
    if value.is_empty() {
        return Err(ReferenceDataError::invalid_field(format, row.line, field, "the value is empty", "fill it in"));
    }
    parse_date(value).map_err(|problem| ReferenceDataError::invalid_field(format, row.line, field, problem, DATE_REMEDY))
}

fn line_number_value(row: &DelimitedRow, column: Option<usize>, format: SourceFormat) -> Result<Option<u32>, ReferenceDataError> {
    let value = row.value(column);
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(number) if number > 0 => Ok(Some(number)),
        _ => Err(ReferenceDataError::invalid_field(
            format,
            row.line,
            "line",
            format!("`{}` is not a line number", crate::text::shortened_for_message(value, 20)),
            "write the order's line number as a whole number from 1",
        )),
    }
}

fn currency_value(row: &DelimitedRow, column: Option<usize>, format: SourceFormat) -> Result<String, ReferenceDataError> {
    let value = row.value(column);
    normalised_currency_code(value).ok_or_else(|| {
        ReferenceDataError::invalid_field(
            format,
            row.line,
            "currency",
            format!("`{}` is not a currency code", crate::text::shortened_for_message(value, 10)),
            "write the ISO 4217 code, such as EUR",
        )
    })
}

/// The column indexes of a purchase orders CSV, by name.
struct PurchaseOrderColumns {
    po_number: Option<usize>,
    supplier_tax_id: Option<usize>,
    supplier_name: Option<usize>,
    currency: Option<usize>,
    amount: Option<usize>,
    issue_date: Option<usize>,
    line: Option<usize>,
    description: Option<usize>,
    quantity: Option<usize>,
    unit_price: Option<usize>,
}

/// Reads a purchase orders CSV (format in the crate documentation): every
/// order with its lines, in the order the file first names them.
pub fn parse_purchase_orders_csv(bytes: &[u8]) -> Result<Vec<PurchaseOrder>, ReferenceDataError> {
    const FORMAT: SourceFormat = SourceFormat::PurchaseOrdersCsv;
    let table = read_delimited_table(bytes, FORMAT)?;
    let located = table.locate_columns(
        FORMAT,
        &PURCHASE_ORDER_COLUMNS,
        UnknownColumns::Reject { accepted: PURCHASE_ORDER_ACCEPTED_COLUMNS },
        PURCHASE_ORDERS_CSV_HEADER,
    )?;
    let columns = PurchaseOrderColumns {
        po_number: located[0],
        supplier_tax_id: located[1],
        supplier_name: located[2],
        currency: located[3],
        amount: located[4],
        issue_date: located[5],
        line: located[6],
        description: located[7],
        quantity: located[8],
        unit_price: located[9],
    };
    let line_columns_without_line_number =
        columns.line.is_none() && (columns.quantity.is_some() || columns.unit_price.is_some() || columns.description.is_some());
    let line_number_without_quantity = columns.line.is_some() && columns.quantity.is_none();
    if line_columns_without_line_number || line_number_without_quantity {
        return Err(ReferenceDataError::MissingColumn {
            format: FORMAT,
            line: table.header_line,
            column: if line_number_without_quantity { "quantity" } else { "line" }.to_string(),
            found: table.header.iter().map(|name| crate::text::shortened_for_message(name, 30)).collect::<Vec<_>>().join(", "),
            expected_header: PURCHASE_ORDERS_CSV_HEADER,
        });
    }
    let separator = detect_decimal_separator(
        table.rows.iter().flat_map(|row| [row.value(columns.amount), row.value(columns.unit_price), row.value(columns.quantity)]),
    );

    let mut orders: Vec<PurchaseOrder> = Vec::new();
    let mut order_index_by_number: HashMap<String, usize> = HashMap::new();
    let mut line_first_seen: HashMap<(usize, u32), usize> = HashMap::new();
    let mut header_only_row_seen: HashMap<usize, usize> = HashMap::new();
    for row in &table.rows {
        let po_number = required_text(row, columns.po_number, "po_number", FORMAT)?;
        let order = PurchaseOrder {
            po_number: po_number.clone(),
            supplier_tax_id: required_text(row, columns.supplier_tax_id, "supplier_tax_id", FORMAT)?,
            supplier_name: required_text(row, columns.supplier_name, "supplier_name", FORMAT)?,
            currency: currency_value(row, columns.currency, FORMAT)?,
            amount: decimal_value(row, columns.amount, "amount", separator, FORMAT)?,
            issue_date: date_value(row, columns.issue_date, "issue_date", FORMAT)?,
            lines: Vec::new(),
            source_line: row.line,
        };
        let key = compact_key(&po_number);
        if key.is_empty() {
            return Err(ReferenceDataError::invalid_field(
                FORMAT,
                row.line,
                "po_number",
                "the number has no letters or digits",
                "write the order number",
            ));
        }
        let order_index = match order_index_by_number.get(&key) {
            Some(&existing_index) => {
                let existing = &orders[existing_index];
                let disagreeing_field = if normalised_tax_id(&existing.supplier_tax_id) != normalised_tax_id(&order.supplier_tax_id) {
                    Some("supplier_tax_id")
                } else if normalised_words(&existing.supplier_name) != normalised_words(&order.supplier_name) {
                    Some("supplier_name")
                } else if existing.currency != order.currency {
                    Some("currency")
                } else if existing.amount != order.amount {
                    Some("amount")
                } else if existing.issue_date != order.issue_date {
                    Some("issue_date")
                } else {
                    None
                };
                if let Some(field) = disagreeing_field {
                    return Err(ReferenceDataError::invalid_field(
                        FORMAT,
                        row.line,
                        field,
                        format!("it differs from line {} of the same purchase order", existing.source_line),
                        "repeat the order's columns unchanged on each of its lines",
                    ));
                }
                existing_index
            }
            None => {
                order_index_by_number.insert(key, orders.len());
                orders.push(order);
                orders.len() - 1
            }
        };

        let line_number = line_number_value(row, columns.line, FORMAT)?;
        let Some(line_number) = line_number else {
            for (column, field) in
                [(columns.description, "description"), (columns.quantity, "quantity"), (columns.unit_price, "unit_price")]
            {
                if !row.value(column).is_empty() {
                    return Err(ReferenceDataError::invalid_field(
                        FORMAT,
                        row.line,
                        "line",
                        format!("the row has a {field} but no line number"),
                        "give the line number, or leave the line columns empty for an order without lines",
                    ));
                }
            }
            if let Some(&first_line) = header_only_row_seen.get(&order_index) {
                return Err(ReferenceDataError::DuplicateRecord {
                    format: FORMAT,
                    line: row.line,
                    first_line,
                    record: format!("purchase order {}", crate::text::shortened_for_message(&po_number, 30)),
                });
            }
            header_only_row_seen.insert(order_index, row.line);
            continue;
        };
        if let Some(&first_line) = line_first_seen.get(&(order_index, line_number)) {
            return Err(ReferenceDataError::DuplicateRecord {
                format: FORMAT,
                line: row.line,
                first_line,
                record: format!("line {line_number} of purchase order {}", crate::text::shortened_for_message(&po_number, 30)),
            });
        }
        line_first_seen.insert((order_index, line_number), row.line);
        let unit_price = if row.value(columns.unit_price).is_empty() {
            None
        } else {
            Some(decimal_value(row, columns.unit_price, "unit_price", separator, FORMAT)?)
        };
        orders[order_index].lines.push(PurchaseOrderLine {
            line_number,
            description: row.value(columns.description).to_string(),
            quantity: decimal_value(row, columns.quantity, "quantity", separator, FORMAT)?,
            unit_price,
            source_line: row.line,
        });
    }
    for order in &mut orders {
        order.lines.sort_by_key(|line| line.line_number);
    }
    Ok(orders)
}

/// Reads a goods receipts CSV (format in the crate documentation).
pub fn parse_goods_receipts_csv(bytes: &[u8]) -> Result<Vec<GoodsReceipt>, ReferenceDataError> {
    const FORMAT: SourceFormat = SourceFormat::GoodsReceiptsCsv;
    let table = read_delimited_table(bytes, FORMAT)?;
    let located = table.locate_columns(
        FORMAT,
        &GOODS_RECEIPT_COLUMNS,
        UnknownColumns::Reject { accepted: GOODS_RECEIPT_ACCEPTED_COLUMNS },
        GOODS_RECEIPTS_CSV_HEADER,
    )?;
    let [receipt_id_column, po_number_column, line_column, quantity_column, date_column] = located[..] else {
        unreachable!("one location per goods receipt column definition")
    };
    let separator = detect_decimal_separator(table.rows.iter().map(|row| row.value(quantity_column)));
    let mut first_seen: HashMap<(String, Option<u32>), usize> = HashMap::new();
    let mut receipts = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let receipt_id = required_text(row, receipt_id_column, "receipt_id", FORMAT)?;
        let line_number = line_number_value(row, line_column, FORMAT)?;
        let key = (compact_key(&receipt_id), line_number);
        if let Some(&first_line) = first_seen.get(&key) {
            let record = match line_number {
                Some(line_number) => format!("line {line_number} of receipt {}", crate::text::shortened_for_message(&receipt_id, 30)),
                None => format!("receipt {}", crate::text::shortened_for_message(&receipt_id, 30)),
            };
            return Err(ReferenceDataError::DuplicateRecord { format: FORMAT, line: row.line, first_line, record });
        }
        first_seen.insert(key, row.line);
        receipts.push(GoodsReceipt {
            receipt_id,
            po_number: required_text(row, po_number_column, "po_number", FORMAT)?,
            line_number,
            quantity_received: decimal_value(row, quantity_column, "quantity_received", separator, FORMAT)?,
            received_date: date_value(row, date_column, "received_date", FORMAT)?,
            source_line: row.line,
        });
    }
    Ok(receipts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_orders_with_lines_are_grouped_and_spanish_amounts_read() {
        let csv = "po_number;supplier_tax_id;supplier_name;currency;amount;issue_date;line;description;quantity;unit_price\n\
                   PO-1;B12345678;Suministros García SL;EUR;1.210,00;15/03/2026;2;Tornillos;100;2,00\n\
                   PO-1;ESB12345678;SUMINISTROS GARCIA SL;eur;1.210,00;2026-03-15;1;Tuercas;400;2,00\n\
                   PO-2;A87654321;Otra Empresa SA;EUR;99,5;2026-03-16;;;;\n";
        let orders = parse_purchase_orders_csv(csv.as_bytes()).unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0].amount, Decimal::new(121_000, 2));
        assert_eq!(orders[0].lines.iter().map(|line| line.line_number).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(orders[0].lines[0].quantity, Decimal::new(400, 0));
        assert_eq!(orders[0].lines[1].unit_price, Some(Decimal::new(200, 2)));
        assert!(orders[1].lines.is_empty());
        assert_eq!(orders[1].amount, Decimal::new(995, 1));
    }

    #[test]
    fn a_purchase_orders_csv_without_line_columns_is_accepted() {
        let csv = "po_number,supplier_tax_id,supplier_name,currency,amount,issue_date\nPO-9,B1,ACME,USD,\"1,234.50\",2026-01-02\n";
        let orders = parse_purchase_orders_csv(csv.as_bytes()).unwrap();
        assert_eq!(orders[0].amount, Decimal::new(123_450, 2));
        assert_eq!(orders[0].source_line, 2);
    }

    #[test]
    fn a_bad_purchase_order_amount_names_its_line_and_field() {
        let csv = "po_number,supplier_tax_id,supplier_name,currency,amount,issue_date\nPO-1,B1,ACME,EUR,10.00,2026-01-02\nPO-2,B1,ACME,EUR,ten,2026-01-02\n";
        let error = parse_purchase_orders_csv(csv.as_bytes()).unwrap_err();
        assert_eq!(error.line(), Some(3));
        assert_eq!(error.field(), Some("amount"));
        assert!(error.to_string().contains("write it as 1234.56"), "{error}");
    }

    #[test]
    fn purchase_order_rows_that_disagree_on_the_order_columns_are_refused() {
        let csv = "po_number,supplier_tax_id,supplier_name,currency,amount,issue_date,line,quantity\n\
                   PO-1,B1,ACME,EUR,10.00,2026-01-02,1,1\nPO-1,B1,ACME,EUR,11.00,2026-01-02,2,1\n";
        let error = parse_purchase_orders_csv(csv.as_bytes()).unwrap_err();
        assert_eq!((error.line(), error.field()), (Some(3), Some("amount")));
        assert!(error.to_string().contains("line 2"), "{error}");
    }

    #[test]
    fn a_repeated_purchase_order_line_and_an_unknown_column_are_refused() {
        let repeated = "po_number,supplier_tax_id,supplier_name,currency,amount,issue_date,line,quantity\n\
                        PO-1,B1,ACME,EUR,10.00,2026-01-02,1,1\nPO-1,B1,ACME,EUR,10.00,2026-01-02,1,2\n";
        assert!(matches!(
            parse_purchase_orders_csv(repeated.as_bytes()),
            Err(ReferenceDataError::DuplicateRecord { line: 3, first_line: 2, .. })
        ));
        let misspelt = "po_number,supplier_tax_id,supplier_name,currency,amount,issue_date,quantty\n";
        let error = parse_purchase_orders_csv(misspelt.as_bytes()).unwrap_err();
        assert!(matches!(error, ReferenceDataError::UnknownColumn { line: 1, .. }), "{error}");
    }

    #[test]
    fn goods_receipts_are_read_with_optional_lines() {
        let csv = "receipt_id,po_number,line,quantity_received,received_date\nGR-1,PO-1,1,\"399,5\",2026-03-20\nGR-2,PO-2,,1,20/03/2026\n";
        let receipts = parse_goods_receipts_csv(csv.as_bytes()).unwrap();
        assert_eq!(receipts[0].quantity_received, Decimal::new(3995, 1));
        assert_eq!(receipts[0].line_number, Some(1));
        assert_eq!(receipts[1].line_number, None);
        assert_eq!(receipts[1].received_date, NaiveDate::from_ymd_opt(2026, 3, 20).unwrap());
    }

    #[test]
    fn a_goods_receipts_csv_missing_a_column_says_which_and_shows_the_header() {
        let error = parse_goods_receipts_csv(b"receipt_id,po_number,received_date\nGR-1,PO-1,2026-03-20\n").unwrap_err();
        assert!(error.to_string().contains("quantity_received"), "{error}");
        assert!(error.to_string().contains(GOODS_RECEIPTS_CSV_HEADER), "{error}");
    }

    #[test]
    fn an_empty_file_is_an_error() {
        assert_eq!(parse_goods_receipts_csv(b"  \n"), Err(ReferenceDataError::EmptyFile { format: SourceFormat::GoodsReceiptsCsv }));
    }
}
