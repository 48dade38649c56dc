//! Billing reconciliation: invoices matched to purchase orders, goods
//! receipts and bank statements.
//!
//! The crate is pure. Parsers take the bytes of a file and return all of
//! its records or one error naming the line (nothing is half-imported);
//! matching takes slices and returns a report. Storing anything is the
//! caller's business. Money is [`rust_decimal::Decimal`], dates are
//! [`chrono::NaiveDate`].
//!
//! | module | owns |
//! |---|---|
//! | [`purchase_orders`] | purchase orders and goods receipts, and their CSV parsers |
//! | [`statement`] | the bank statement model, balance checks and statement warnings |
//! | [`camt053`], [`norma43`], [`bank_csv`] | the three statement formats (and telling them apart) |
//! | [`invoice`] | the invoice as matching sees it, and the matching options |
//! | [`purchase_order_matching`] | 2-way and 3-way matching |
//! | [`payment_matching`] | invoices ↔ bank entries |
//! | [`findings`] | mismatch findings, bilingual, for the rules engine's `billing` queue |
//! | [`report`] | [`reconcile`], the per-invoice results, totals per currency, CSV |
//! | [`error`] | the parsers' error |
//!
//! # Purchase orders CSV
//!
//! ```text
//! po_number,supplier_tax_id,supplier_name,currency,amount,issue_date,line,description,quantity,unit_price
//! PO-2026-0042,B12345678,Suministros García SL,EUR,"1.210,00",15/03/2026,1,Tornillos M6,400,"2,00"
//! PO-2026-0042,B12345678,Suministros García SL,EUR,"1.210,00",15/03/2026,2,Tuercas M6,200,"1,05"
//! PO-2026-0043,A87654321,Transportes del Norte SA,EUR,350.00,2026-03-16,,,,
//! ```
//!
//! - A header row is required; columns may come in any order; names are
//!   matched without case, accents or punctuation (`Supplier Tax ID` is
//!   `supplier_tax_id`), with a few Spanish synonyms (`pedido`,
//!   `nif_proveedor`, `proveedor`, `moneda`, `importe`, `fecha`, `linea`,
//!   `descripcion`, `cantidad`, `precio_unitario`). A column the format
//!   does not define is refused by name.
//! - Required: `po_number`, `supplier_tax_id`, `supplier_name`, `currency`
//!   (ISO 4217), `amount` (what the order's invoices should add up to,
//!   taxes included, as the invoice total), `issue_date`.
//! - Optional line columns: `line` (the order's line number, from 1),
//!   `description`, `quantity` (required with `line`), `unit_price`. An
//!   order with lines takes one row per line, repeating the order's columns
//!   unchanged (a row that disagrees is an error naming the field). A row
//!   with the line columns empty is an order without lines.
//! - Delimiter `,`, `;` or tab, guessed from the header row. Amounts in
//!   either convention: `1234.56`, `1,234.56`, `1.234,56`, `1234,56`; a
//!   column's decimal separator is judged from all its values (`1.234`
//!   alone is read as a thousand). Dates ISO (`2026-03-15`) or day first
//!   (`15/03/2026`, `15-03-26`). UTF-8, or Windows-1252 when the bytes are
//!   not UTF-8.
//!
//! # Goods receipts CSV
//!
//! ```text
//! receipt_id,po_number,line,quantity_received,received_date
//! GR-881,PO-2026-0042,1,400,2026-03-20
//! GR-882,PO-2026-0043,,1,2026-03-21
//! ```
//!
//! Same conventions. `line` is the purchase order line received, empty for
//! a receipt of the whole order; a negative quantity is a return. The same
//! receipt and line twice is an error.
//!
//! # Bank statements
//!
//! [`parse_bank_statement`] tells the formats apart by content and
//! returns a [`BankStatementImport`]: the statements (account IBAN,
//! currency, opening and closing balance, entries with booking and value
//! date, signed amount, remittance text, counterparty and reference) and a
//! list of [`StatementWarning`]s. A file that parses but does not add up
//! (entries from opening to closing balance, footer counts and totals, an
//! entry count announced by the file, an invalid IBAN) is returned with
//! warnings, never corrected; a file cut short is an error naming its
//! last line. See [`camt053`] (versions 001.02 to 001.13), [`norma43`]
//! (Cuaderno 43: records 11, 22, 23, 24, 33, 88) and [`bank_csv`] (column
//! names accepted in English and Spanish).
//!
//! # Matching
//!
//! [`reconcile`] runs [`match_purchase_orders`] (by order number, or by
//! supplier tax id and amount; lines and goods receipts where both sides
//! have them) and [`match_payments`] (invoice number or supplier named in
//! the remittance, amount within the tolerance, date window; one entry
//! for several invoices; partial, over- and duplicate payments), and
//! returns per invoice a [`MatchStatus`] (`matched`, `partially_matched`,
//! `unmatched`), the records matched, the amounts paid and outstanding and
//! the [`MismatchFinding`]s, plus totals per currency and the entries that
//! paid nothing. Everything is indexed (amounts, invoice numbers, supplier
//! names and tax ids), never compared pairwise: 100,000 invoices against
//! 100,000 bank lines take a few seconds on one core (see
//! `examples/reconcile_benchmark.rs`).
//!
//! ```
//! use tramite_reconcile::{MatchingOptions, MatchStatus, parse_bank_statement, parse_purchase_orders_csv, reconcile};
//! use tramite_reconcile::InvoiceForMatching;
//!
//! let orders = parse_purchase_orders_csv(b"po_number,supplier_tax_id,supplier_name,currency,amount,issue_date\nPO-7,B12345678,ACME SL,EUR,121.00,2026-03-01\n")?;
//! let statement = parse_bank_statement(b"fecha;concepto;importe\n10/03/2026;PAGO FRA A-2026-0001;-121,00\n", "EUR")?;
//! let invoice = InvoiceForMatching {
//!     id: "document-1".into(),
//!     invoice_number: "A-2026-0001".into(),
//!     supplier_tax_id: "B12345678".into(),
//!     supplier_name: "ACME SL".into(),
//!     currency: "EUR".into(),
//!     total: "121.00".parse()?,
//!     issue_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
//!     due_date: None,
//!     po_number: Some("PO-7".into()),
//!     lines: vec![],
//! };
//! let report = reconcile(&[invoice], &orders, &[], &statement.into_entries(), &MatchingOptions::default());
//! assert_eq!(report.invoices[0].status, MatchStatus::Matched);
//! assert_eq!(report.invoices[0].matched_record_ids(), ["PO-7", "CSV/1"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bank_csv;
pub mod camt053;
mod delimited;
pub mod error;
pub mod findings;
pub mod invoice;
pub mod norma43;
pub mod payment_matching;
pub mod purchase_order_matching;
pub mod purchase_orders;
pub mod report;
pub mod statement;
mod text;
mod values;

pub use bank_csv::{parse_bank_csv, parse_bank_statement};
pub use camt053::parse_camt053;
pub use error::{ReferenceDataError, SourceFormat};
pub use findings::{FindingSeverity, MismatchCode, MismatchFinding};
pub use invoice::{GoodsReceiptRequirement, InvoiceForMatching, InvoiceLineForMatching, MatchingOptions, PaymentDirection};
pub use norma43::parse_norma43;
pub use payment_matching::{
    AmountAgreement, BankEntryMatch, PaymentAllocation, PaymentEvidence, PaymentMatching, UnmatchedBankEntry, UnmatchedEntryReason,
    match_payments,
};
pub use purchase_order_matching::{
    GoodsReceiptStatus, PurchaseOrderCheck, PurchaseOrderMatchStatus, PurchaseOrderMatchedBy, match_purchase_orders,
};
pub use purchase_orders::{
    GOODS_RECEIPTS_CSV_HEADER, GoodsReceipt, PURCHASE_ORDERS_CSV_HEADER, PurchaseOrder, PurchaseOrderLine, parse_goods_receipts_csv,
    parse_purchase_orders_csv,
};
pub use report::{CurrencyTotals, InvoiceReconciliation, MatchStatus, REPORT_CSV_HEADER, ReconciliationReport, ReportCategory, reconcile};
pub use statement::{
    BalanceCheck, BankEntry, BankStatement, BankStatementFormat, BankStatementImport, MissingBalance, StatementWarning,
    StatementWarningCode, iban_problem, spanish_iban_from_bank_branch_account,
};
