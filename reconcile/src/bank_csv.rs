//! Bank CSV exports: one row per transaction, with a header row naming
//! the columns in English or Spanish, and detection of the statement
//! format from a file's first bytes ([`parse_bank_statement`]).
//!
//! Banks' CSV exports differ in everything, so columns are recognised by
//! name (case, accents and punctuation ignored) and the ones tramite does
//! not use are skipped:
//!
//! | column | header names accepted |
//! |---|---|
//! | booking date (required) | `date`, `booking_date`, `transaction_date`, `posting_date`, `fecha`, `fecha_operacion`, `f_operacion`, `fecha_contable`, `fecha_movimiento` |
//! | value date | `value_date`, `fecha_valor`, `f_valor` |
//! | amount, signed (or debit and credit below) | `amount`, `importe`, `cantidad`, `monto`, `amount_eur`, `importe_eur` |
//! | debit / credit, unsigned | `debit`, `cargo`, `debe`, `withdrawal`, `money_out` / `credit`, `abono`, `haber`, `deposit`, `money_in` |
//! | remittance text | `description`, `concept`, `concepto`, `remittance`, `remittance_information`, `memo`, `details`, `detalle`, `descripcion`, `movimiento` |
//! | more remittance text | `notes`, `note`, `observaciones`, `additional_information`, `informacion_adicional`, `mas_datos` |
//! | counterparty | `payee`, `payer`, `counterparty`, `counterparty_name`, `name`, `beneficiario`, `ordenante`, `nombre` |
//! | reference | `reference`, `referencia`, `ref` |
//! | balance after the row | `balance`, `running_balance`, `saldo`, `disponible`, `balance_eur`, `saldo_eur` |
//! | currency | `currency`, `divisa`, `moneda` |
//!
//! Every description and notes column is kept, in file order (a bank that exports both
//! `Concepto` and `Movimiento` gives both texts); for the other meanings
//! the first column wins when two carry the same one. Amounts in either convention (`-1234.56`, `-1.234,56`, `(1,234.56)`); the column's
//! decimal separator is judged from all its values. Dates are ISO or day
//! first. Without a currency column every row takes the currency the
//! caller gives (the account's).
//!
//! A CSV export has no opening or closing balance of its own. When it has a
//! balance column, the running balance is checked row by row (in the order
//! of the file or, for exports listing the newest first, in reverse), the
//! opening balance is the first balance before its row and the closing
//! balance the last one; otherwise the balances cannot be checked.

use rust_decimal::Decimal;

use crate::camt053::parse_camt053;
use crate::delimited::{ColumnDefinition, UnknownColumns, header_key, read_delimited_table};
use crate::error::{ReferenceDataError, SourceFormat};
use crate::norma43::parse_norma43;
use crate::statement::{
    BalanceCheck, BankEntry, BankStatement, BankStatementFormat, BankStatementImport, MissingBalance, StatementWarningCode, warning,
};
use crate::text::decode_text;
use crate::values::{DecimalSeparator, detect_decimal_separator, normalised_currency_code, parse_amount, parse_date};

const FORMAT: SourceFormat = SourceFormat::BankCsv;
const STATEMENT_ID: &str = "CSV";

/// The columns recognised, in this order (indexes into the locations).
const BANK_CSV_COLUMNS: [ColumnDefinition; 11] = [
    ColumnDefinition {
        name: "booking_date",
        aliases: &[
            "date",
            "transaction_date",
            "posting_date",
            "fecha",
            "fecha_operacion",
            "f_operacion",
            "fecha_contable",
            "fecha_movimiento",
        ],
        required: true,
    },
    ColumnDefinition { name: "value_date", aliases: &["fecha_valor", "f_valor"], required: false },
    ColumnDefinition { name: "amount", aliases: &["importe", "cantidad", "monto", "amount_eur", "importe_eur"], required: false },
    ColumnDefinition { name: "debit", aliases: &["cargo", "cargos", "debe", "withdrawal", "withdrawals", "money_out"], required: false },
    ColumnDefinition { name: "credit", aliases: &["abono", "abonos", "haber", "deposit", "deposits", "money_in"], required: false },
    ColumnDefinition {
        name: "description",
        aliases: &[
            "concept",
            "concepto",
            "remittance",
            "remittance_information",
            "memo",
            "details",
            "detalle",
            "descripcion",
            "movimiento",
        ],
        required: false,
    },
    ColumnDefinition {
        name: "notes",
        aliases: &["note", "observaciones", "additional_information", "informacion_adicional", "mas_datos"],
        required: false,
    },
    ColumnDefinition {
        name: "counterparty",
        aliases: &["payee", "payer", "counterparty_name", "name", "beneficiario", "ordenante", "nombre"],
        required: false,
    },
    ColumnDefinition { name: "reference", aliases: &["referencia", "ref"], required: false },
    ColumnDefinition { name: "balance", aliases: &["running_balance", "saldo", "disponible", "balance_eur", "saldo_eur"], required: false },
    ColumnDefinition { name: "currency", aliases: &["divisa", "moneda"], required: false },
];

const EXPECTED_HEADER: &str = "date,amount,description (or Spanish: fecha,importe,concepto); see the accepted names in the documentation";
const AMOUNT_REMEDY: &str = "write it as -1234.56 or -1.234,56";

/// Reads a bank CSV export. `account_currency` is used for rows when the
/// file has no currency column.
pub fn parse_bank_csv(bytes: &[u8], account_currency: &str) -> Result<BankStatementImport, ReferenceDataError> {
    let table = read_delimited_table(bytes, FORMAT)?;
    let located = table.locate_columns(FORMAT, &BANK_CSV_COLUMNS, UnknownColumns::Ignore, EXPECTED_HEADER)?;
    let [
        date_column,
        value_date_column,
        amount_column,
        debit_column,
        credit_column,
        _first_description_column,
        _first_notes_column,
        counterparty_column,
        reference_column,
        balance_column,
        currency_column,
    ] = located[..]
    else {
        unreachable!("one location per bank CSV column definition")
    };
    // Every description and notes column is read, not only the first ones.
    let remittance_keys: Vec<&str> = [&BANK_CSV_COLUMNS[5], &BANK_CSV_COLUMNS[6]]
        .iter()
        .flat_map(|definition| std::iter::once(definition.name).chain(definition.aliases.iter().copied()))
        .collect();
    let remittance_columns: Vec<usize> =
        (0..table.header.len()).filter(|&column| remittance_keys.contains(&header_key(&table.header[column]).as_str())).collect();
    if amount_column.is_none() && debit_column.is_none() && credit_column.is_none() {
        return Err(ReferenceDataError::MissingColumn {
            format: FORMAT,
            line: table.header_line,
            column: "amount".to_string(),
            found: table.header.iter().map(|name| crate::text::shortened_for_message(name, 30)).collect::<Vec<_>>().join(", "),
            expected_header: EXPECTED_HEADER,
        });
    }
    let default_currency = normalised_currency_code(account_currency).ok_or_else(|| {
        ReferenceDataError::invalid_field(
            FORMAT,
            table.header_line,
            "currency",
            format!("the account currency given, `{}`, is not a currency code", crate::text::shortened_for_message(account_currency, 10)),
            "pass the account's ISO 4217 code, such as EUR",
        )
    })?;
    let separator: Option<DecimalSeparator> = detect_decimal_separator(
        table
            .rows
            .iter()
            .flat_map(|row| [row.value(amount_column), row.value(debit_column), row.value(credit_column), row.value(balance_column)]),
    );
    let read_amount =
        |row: &crate::delimited::DelimitedRow, column: Option<usize>, field: &str| -> Result<Option<Decimal>, ReferenceDataError> {
            let value = row.value(column);
            if value.is_empty() {
                return Ok(None);
            }
            parse_amount(value, separator)
                .map(Some)
                .map_err(|problem| ReferenceDataError::invalid_field(FORMAT, row.line, field, problem, AMOUNT_REMEDY))
        };

    let mut entries = Vec::with_capacity(table.rows.len());
    let mut balances_after_rows: Vec<Option<Decimal>> = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let booking_date = parse_date(row.value(date_column)).map_err(|problem| {
            ReferenceDataError::invalid_field(FORMAT, row.line, "date", problem, "write dates as 2026-03-15 or 15/03/2026")
        })?;
        let value_date = match row.value(value_date_column) {
            "" => None,
            text => Some(parse_date(text).map_err(|problem| {
                ReferenceDataError::invalid_field(FORMAT, row.line, "value_date", problem, "write dates as 2026-03-15 or 15/03/2026")
            })?),
        };
        let amount = match read_amount(row, amount_column, "amount")? {
            Some(amount) => amount,
            None => {
                let debit = read_amount(row, debit_column, "debit")?.map(|debit| -debit.abs());
                let credit = read_amount(row, credit_column, "credit")?.map(|credit| credit.abs());
                match (debit, credit) {
                    (Some(debit), None) => debit,
                    (None, Some(credit)) => credit,
                    (Some(debit), Some(credit)) if debit.is_zero() => credit,
                    (Some(debit), Some(credit)) if credit.is_zero() => debit,
                    (Some(_), Some(_)) => {
                        return Err(ReferenceDataError::invalid_field(
                            FORMAT,
                            row.line,
                            "debit",
                            "the row has both a debit and a credit",
                            "give one of them per row",
                        ));
                    }
                    (None, None) => {
                        return Err(ReferenceDataError::invalid_field(
                            FORMAT,
                            row.line,
                            "amount",
                            "the row has no amount",
                            "fill in the amount",
                        ));
                    }
                }
            }
        };
        let currency = match row.value(currency_column) {
            "" => default_currency.clone(),
            text => normalised_currency_code(text).ok_or_else(|| {
                ReferenceDataError::invalid_field(
                    FORMAT,
                    row.line,
                    "currency",
                    format!("`{}` is not a currency code", crate::text::shortened_for_message(text, 10)),
                    "write the ISO 4217 code, such as EUR",
                )
            })?,
        };
        let mut remittance_pieces: Vec<&str> = Vec::new();
        for &column in &remittance_columns {
            let text = row.value(Some(column));
            if !text.is_empty() && !remittance_pieces.contains(&text) {
                remittance_pieces.push(text);
            }
        }
        let remittance_text = remittance_pieces.join(" | ");
        let non_empty = |text: &str| (!text.is_empty()).then(|| text.to_string());
        balances_after_rows.push(read_amount(row, balance_column, "balance")?);
        entries.push(BankEntry {
            entry_id: format!("{STATEMENT_ID}/{}", entries.len() + 1),
            booking_date,
            value_date,
            amount,
            currency,
            remittance_text,
            counterparty_name: non_empty(row.value(counterparty_column)),
            reference: non_empty(row.value(reference_column)),
            booked: true,
            reversal: false,
            source_line: row.line,
        });
    }
    if entries.is_empty() {
        return Err(ReferenceDataError::EmptyFile { format: FORMAT });
    }

    let mut warnings = Vec::new();
    let (opening_balance, closing_balance, balance_check) = if balance_column.is_some() && balances_after_rows.iter().all(Option::is_some) {
        let balances: Vec<Decimal> = balances_after_rows.into_iter().flatten().collect();
        running_balance_check(&entries, &balances, &mut warnings)
    } else {
        (None, None, BalanceCheck::NotCheckable { missing: MissingBalance::Both })
    };
    let currency = entries[0].currency.clone();
    let period_start = entries.iter().map(|entry| entry.booking_date).min();
    let period_end = entries.iter().map(|entry| entry.booking_date).max();
    let statement = BankStatement {
        statement_id: STATEMENT_ID.to_string(),
        account_iban: None,
        account_number: None,
        currency,
        opening_balance,
        closing_balance,
        statement_date: period_end,
        period_start,
        period_end,
        entries,
        balance_check,
        source_line: table.header_line,
    };
    warnings.extend(crate::statement::entry_currency_warning(&statement, 0));
    Ok(BankStatementImport { format: BankStatementFormat::Csv, statements: vec![statement], warnings })
}

/// Checks a running balance column in the file's order and in reverse,
/// keeps the order that fits, and warns at the first row that does not.
fn running_balance_check(
    entries: &[BankEntry],
    balances: &[Decimal],
    warnings: &mut Vec<crate::statement::StatementWarning>,
) -> (Option<Decimal>, Option<Decimal>, BalanceCheck) {
    let mismatches_in_order: Vec<usize> =
        (1..entries.len()).filter(|&index| balances[index] != balances[index - 1] + entries[index].amount).collect();
    let mismatches_in_reverse: Vec<usize> =
        (0..entries.len().saturating_sub(1)).filter(|&index| balances[index] != balances[index + 1] + entries[index].amount).collect();
    let newest_first = mismatches_in_reverse.len() < mismatches_in_order.len();
    let (oldest, newest, mismatches) =
        if newest_first { (entries.len() - 1, 0, mismatches_in_reverse) } else { (0, entries.len() - 1, mismatches_in_order) };
    let opening = balances[oldest] - entries[oldest].amount;
    let closing = balances[newest];
    let Some(&first_mismatch) = mismatches.first() else {
        return (Some(opening), Some(closing), BalanceCheck::Consistent);
    };
    let line = entries[first_mismatch].source_line;
    warnings.push(warning(
        StatementWarningCode::RunningBalanceMismatch,
        Some(0),
        Some(line),
        format!(
            "The balance column does not follow from the amounts at {} rows, first at line {line}: rows are missing or amounts altered.",
            mismatches.len()
        ),
        format!(
            "La columna de saldo no se sigue de los importes en {} filas, la primera en la línea {line}: faltan filas o hay importes alterados.",
            mismatches.len()
        ),
    ));
    let expected_closing = opening + entries.iter().map(|entry| entry.amount).sum::<Decimal>();
    (Some(opening), Some(closing), BalanceCheck::Inconsistent { expected_closing, stated_closing: closing })
}

/// Reads a statement file of any supported format, telling them apart by
/// their content: XML is camt.053, a first line that is a Norma 43 account
/// header (`11` followed by digits) is Norma 43, anything else is read as a
/// bank CSV export with `account_currency` for rows without a currency.
pub fn parse_bank_statement(bytes: &[u8], account_currency: &str) -> Result<BankStatementImport, ReferenceDataError> {
    let text = decode_text(bytes);
    let start = text.trim_start();
    if start.starts_with('<') {
        return parse_camt053(bytes);
    }
    let first_line = start.lines().next().unwrap_or("");
    let looks_like_norma_43_header =
        first_line.starts_with("11") && first_line.len() >= 50 && first_line.as_bytes()[2..33].iter().all(|byte| byte.is_ascii_digit());
    if looks_like_norma_43_header {
        return parse_norma43(bytes);
    }
    parse_bank_csv(bytes, account_currency)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn a_spanish_bank_export_with_debit_and_credit_columns_is_read() {
        let csv = "Fecha;Fecha valor;Concepto;Cargo;Abono;Saldo\n\
                   05/03/2026;05/03/2026;PAGO FRA FA-12 GARCIA;1.210,00;;8.790,00\n\
                   06/03/2026;06/03/2026;TRANSFERENCIA CLIENTE;;500,00;9.290,00\n";
        let import = parse_bank_csv(csv.as_bytes(), "EUR").unwrap();
        assert!(import.is_consistent(), "{:?}", import.warnings);
        let statement = &import.statements[0];
        assert_eq!(statement.entries[0].amount, Decimal::new(-121_000, 2));
        assert_eq!(statement.entries[1].amount, Decimal::new(50_000, 2));
        assert_eq!(statement.opening_balance, Some(Decimal::new(1_000_000, 2)));
        assert_eq!(statement.closing_balance, Some(Decimal::new(929_000, 2)));
        assert_eq!(statement.balance_check, BalanceCheck::Consistent);
        assert_eq!(statement.entries[1].booking_date, NaiveDate::from_ymd_opt(2026, 3, 6).unwrap());
    }

    #[test]
    fn an_export_listing_the_newest_row_first_is_checked_in_reverse() {
        let csv = "date,description,amount,balance\n2026-03-06,b,500.00,9290.00\n2026-03-05,a,-1210.00,8790.00\n";
        let import = parse_bank_csv(csv.as_bytes(), "EUR").unwrap();
        assert!(import.is_consistent(), "{:?}", import.warnings);
        assert_eq!(import.statements[0].opening_balance, Some(Decimal::new(1_000_000, 2)));
        assert_eq!(import.statements[0].closing_balance, Some(Decimal::new(929_000, 2)));
    }

    #[test]
    fn a_running_balance_that_breaks_is_reported_at_its_line() {
        let csv = "date,description,amount,balance\n2026-03-05,a,-10.00,90.00\n2026-03-06,b,-10.00,80.00\n2026-03-07,c,-10.00,75.00\n";
        let import = parse_bank_csv(csv.as_bytes(), "EUR").unwrap();
        assert!(import.has_warning(StatementWarningCode::RunningBalanceMismatch));
        assert_eq!(import.warnings[0].line, Some(4));
    }

    #[test]
    fn a_bbva_style_export_keeps_every_description_column_and_the_first_currency() {
        let csv = "F.Valor;Fecha;Concepto;Movimiento;Importe;Divisa;Disponible;Divisa;Observaciones\n\
                   05/03/2026;05/03/2026;Transferencia realizada;PAGO FRA FA-12;-121,00;EUR;879,00;EUR;SUMINISTROS GARCIA\n";
        let import = parse_bank_csv(csv.as_bytes(), "EUR").unwrap();
        let entry = &import.statements[0].entries[0];
        assert_eq!(entry.remittance_text, "Transferencia realizada | PAGO FRA FA-12 | SUMINISTROS GARCIA");
        assert_eq!(entry.amount, Decimal::new(-12_100, 2));
        assert_eq!(import.statements[0].closing_balance, Some(Decimal::new(87_900, 2)));
    }

    #[test]
    fn an_export_without_an_amount_column_is_refused() {
        let error = parse_bank_csv(b"date,description\n2026-03-05,a\n", "EUR").unwrap_err();
        assert_eq!(error.field(), Some("amount"));
    }

    #[test]
    fn the_statement_format_is_told_apart_by_content() {
        let csv = parse_bank_statement(b"date,amount\n2026-03-05,-1.00\n", "EUR").unwrap();
        assert_eq!(csv.format, BankStatementFormat::Csv);
        let norma_43_error = parse_bank_statement(b"110081479769952168572503012503312000000001000009783EMPRESA\n", "EUR").unwrap_err();
        assert_eq!(norma_43_error.format(), SourceFormat::Norma43);
        let camt_error = parse_bank_statement(b"<Document>", "EUR").unwrap_err();
        assert_eq!(camt_error.format(), SourceFormat::Camt053);
    }
}
