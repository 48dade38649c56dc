//! Spanish AEB Norma 43 (Cuaderno 43) account statements: fixed-width
//! records of 80 characters, one per line.
//!
//! | record | meaning | positions used (1-based) |
//! |---|---|---|
//! | `11` | account header | bank 3-6, branch 7-10, account 11-20, period start 21-26 and end 27-32 (YYMMDD), balance sign 33 (`1` debit, `2` credit), opening balance 34-47, currency 48-50 (ISO numeric), name 52-77 |
//! | `22` | movement | branch 7-10, operation date 11-16, value date 17-22, common concept 23-24, own concept 25-27, sign 28 (`1` debit, `2` credit), amount 29-42, document 43-52, reference 1 53-64, reference 2 65-80 |
//! | `23` | complementary concept of the previous `22` | data code 3-4, two texts 5-42 and 43-80 (joined without a space when the first fills its 38 characters, as text running on) |
//! | `24` | currency equivalence of the previous `22` | (accepted, not used) |
//! | `33` | account end | bank, branch, account as in `11`, debit count 21-25 and total 26-39, credit count 40-44 and total 45-58, closing sign 59, closing balance 60-73, currency 74-76 |
//! | `88` | end of file | record count 21-26 |
//!
//! Amounts have two implied decimals. Two-digit years are 20YY below 70.
//! Lines may be shorter than 80 characters (trailing spaces trimmed by the
//! software that wrote them) as long as the fields a record needs are
//! there; a record cut before them is an error naming the line.
//!
//! The account's IBAN is derived: the header carries bank, branch and
//! account but not the CCC control digits, so they (mod 11) and the IBAN
//! check digits (mod 97) are computed.
//!
//! A file that ends inside an account (no `33`) is truncated: an error. A
//! complete account whose numbers disagree (entries against balances,
//! footer counts and totals against the movements, the `88` record count)
//! is returned with warnings; a missing `88` after a complete account is a
//! warning too, since only the trailer is lost.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{ReferenceDataError, SourceFormat};
use crate::statement::{
    BankEntry, BankStatement, BankStatementFormat, BankStatementImport, StatementWarning, StatementWarningCode, balance_warning,
    check_balances, continuity_warnings, entries_outside_period_warning, spanish_iban_from_bank_branch_account, warning,
};
use crate::text::{decode_text, mask_account_identifier};
use crate::values::{
    MessageLanguage, counted, currency_from_numeric_code, format_amount_for, parse_implied_two_decimal_amount, parse_yymmdd,
};

const FORMAT: SourceFormat = SourceFormat::Norma43;
const RECORD_LENGTH: usize = 80;
const GET_IT_AGAIN: &str = "get the statement again from the bank";

/// One line of the file, padded to 80 characters, with accessors by the
/// 1-based positions the Cuaderno 43 layout uses.
struct Record {
    line: usize,
    padded: String,
    written_length: usize,
}

impl Record {
    fn new(line: usize, text: &str) -> Result<Self, ReferenceDataError> {
        let written_length = text.chars().count();
        let trimmed_length = text.trim_end().chars().count();
        if trimmed_length > RECORD_LENGTH {
            return Err(ReferenceDataError::malformed(
                FORMAT,
                line,
                format!("the record has {trimmed_length} characters, more than Norma 43's {RECORD_LENGTH}"),
                "the file is not a Norma 43 statement or was joined wrongly: get it again from the bank",
            ));
        }
        let mut padded: String = text.chars().take(RECORD_LENGTH).collect();
        padded.extend(std::iter::repeat_n(' ', RECORD_LENGTH.saturating_sub(written_length)));
        Ok(Record { line, padded, written_length: trimmed_length })
    }

    /// Positions `from..=to` (1-based, inclusive), as written.
    fn field(&self, from: usize, to: usize) -> &str {
        let start = self.padded.char_indices().nth(from - 1).map(|(offset, _)| offset).unwrap_or(self.padded.len());
        let end = self.padded.char_indices().nth(to).map(|(offset, _)| offset).unwrap_or(self.padded.len());
        &self.padded[start..end]
    }

    fn require_length(&self, needed: usize, record_name: &str) -> Result<(), ReferenceDataError> {
        if self.written_length < needed {
            return Err(ReferenceDataError::truncated(
                FORMAT,
                self.line,
                format!("the {record_name} record has {} characters but its fields need {needed}", self.written_length),
            ));
        }
        Ok(())
    }

    fn amount(&self, from: usize, to: usize, field: &str) -> Result<Decimal, ReferenceDataError> {
        parse_implied_two_decimal_amount(self.field(from, to)).ok_or_else(|| {
            ReferenceDataError::invalid_field(
                FORMAT,
                self.line,
                field,
                format!("positions {from}-{to} must be digits (an amount with two implied decimals), found `{}`", self.field(from, to)),
                GET_IT_AGAIN,
            )
        })
    }

    fn signed_amount(&self, sign_position: usize, from: usize, to: usize, field: &str) -> Result<Decimal, ReferenceDataError> {
        let amount = self.amount(from, to, field)?;
        match self.field(sign_position, sign_position) {
            "1" => Ok(-amount),
            "2" => Ok(amount),
            other => Err(ReferenceDataError::invalid_field(
                FORMAT,
                self.line,
                &format!("{field} sign"),
                format!("position {sign_position} must be 1 (debit) or 2 (credit), found `{other}`"),
                GET_IT_AGAIN,
            )),
        }
    }

    fn date(&self, from: usize, field: &str) -> Result<NaiveDate, ReferenceDataError> {
        let digits = self.field(from, from + 5);
        parse_yymmdd(digits).ok_or_else(|| {
            ReferenceDataError::invalid_field(FORMAT, self.line, field, format!("`{digits}` is not a date written YYMMDD"), GET_IT_AGAIN)
        })
    }

    fn count(&self, from: usize, to: usize, field: &str) -> Result<u64, ReferenceDataError> {
        let digits = self.field(from, to);
        digits.parse::<u64>().map_err(|_| {
            ReferenceDataError::invalid_field(
                FORMAT,
                self.line,
                field,
                format!("positions {from}-{to} must be a count, found `{digits}`"),
                GET_IT_AGAIN,
            )
        })
    }
}

/// An account between its `11` and its `33` record.
struct OpenAccount {
    start_line: usize,
    bank: String,
    branch: String,
    account: String,
    period_start: NaiveDate,
    period_end: NaiveDate,
    opening_balance: Decimal,
    currency_code: String,
    currency: &'static str,
    entries: Vec<BankEntry>,
    statement_id: String,
}

fn english(value: Decimal) -> String {
    format_amount_for(MessageLanguage::English, value)
}

fn spanish(value: Decimal) -> String {
    format_amount_for(MessageLanguage::Spanish, value)
}

fn open_account(record: &Record, account_number_in_file: usize) -> Result<OpenAccount, ReferenceDataError> {
    record.require_length(50, "account header (11)")?;
    let currency_code = record.field(48, 50).to_string();
    let currency = currency_from_numeric_code(&currency_code).ok_or_else(|| {
        ReferenceDataError::invalid_field(
            FORMAT,
            record.line,
            "currency",
            format!("`{currency_code}` (positions 48-50) is not an ISO 4217 numeric currency code"),
            "Norma 43 writes euros as 978: get the statement again from the bank",
        )
    })?;
    let period_start = record.date(21, "period start")?;
    let period_end = record.date(27, "period end")?;
    Ok(OpenAccount {
        start_line: record.line,
        bank: record.field(3, 6).to_string(),
        branch: record.field(7, 10).to_string(),
        account: record.field(11, 20).to_string(),
        period_start,
        period_end,
        opening_balance: record.signed_amount(33, 34, 47, "opening balance")?,
        currency_code,
        currency,
        entries: Vec::new(),
        statement_id: format!("N43-{account_number_in_file}-{}", period_end.format("%Y%m%d")),
    })
}

fn movement(record: &Record, account: &OpenAccount) -> Result<BankEntry, ReferenceDataError> {
    record.require_length(42, "movement (22)")?;
    let references: Vec<&str> = [record.field(43, 52), record.field(53, 64), record.field(65, 80)]
        .into_iter()
        .map(str::trim)
        .filter(|reference| !reference.is_empty() && !reference.bytes().all(|byte| byte == b'0'))
        .collect();
    Ok(BankEntry {
        entry_id: format!("{}/{}", account.statement_id, account.entries.len() + 1),
        booking_date: record.date(11, "operation date")?,
        value_date: Some(record.date(17, "value date")?),
        amount: record.signed_amount(28, 29, 42, "amount")?,
        currency: account.currency.to_string(),
        remittance_text: String::new(),
        counterparty_name: None,
        reference: (!references.is_empty()).then(|| references.join(" ")),
        booked: true,
        reversal: false,
        source_line: record.line,
    })
}

/// Closes an account at its `33` record: the statement and its warnings.
fn close_account(
    record: &Record,
    account: OpenAccount,
    statement_index: usize,
    warnings: &mut Vec<StatementWarning>,
) -> Result<BankStatement, ReferenceDataError> {
    record.require_length(73, "account end (33)")?;
    let footer_debit_count = record.count(21, 25, "number of debits")?;
    let footer_debits = record.amount(26, 39, "total debits")?;
    let footer_credit_count = record.count(40, 44, "number of credits")?;
    let footer_credits = record.amount(45, 58, "total credits")?;
    let closing_balance = record.signed_amount(59, 60, 73, "closing balance")?;
    let footer_currency_code = record.field(74, 76).trim().to_string();

    let footer_account = (record.field(3, 6), record.field(7, 10), record.field(11, 20));
    if footer_account != (account.bank.as_str(), account.branch.as_str(), account.account.as_str()) {
        let masked_footer = mask_account_identifier(footer_account.2);
        let masked_header = mask_account_identifier(&account.account);
        warnings.push(warning(
            StatementWarningCode::FooterAccountDiffers,
            Some(statement_index),
            Some(record.line),
            format!(
                "The account end record names account {masked_footer}, the header (line {}) names {masked_header}.",
                account.start_line
            ),
            format!(
                "El registro final de cuenta indica la cuenta {masked_footer} y la cabecera (línea {}) la {masked_header}.",
                account.start_line
            ),
        ));
    }
    if !footer_currency_code.is_empty() && footer_currency_code != account.currency_code {
        warnings.push(warning(
            StatementWarningCode::FooterCurrencyDiffers,
            Some(statement_index),
            Some(record.line),
            format!(
                "The account end record gives currency code {footer_currency_code}, the header (line {}) gives {} ({}).",
                account.start_line, account.currency_code, account.currency
            ),
            format!(
                "El registro final de cuenta indica la divisa {footer_currency_code} y la cabecera (línea {}) la {} ({}).",
                account.start_line, account.currency_code, account.currency
            ),
        ));
    }
    let body_debits: Vec<Decimal> =
        account.entries.iter().filter(|entry| entry.amount.is_sign_negative()).map(|entry| -entry.amount).collect();
    let body_credits: Vec<Decimal> =
        account.entries.iter().filter(|entry| entry.amount.is_sign_positive()).map(|entry| entry.amount).collect();
    let body_debit_total: Decimal = body_debits.iter().sum();
    let body_credit_total: Decimal = body_credits.iter().sum();
    if (footer_debit_count, footer_debits, footer_credit_count, footer_credits)
        != (body_debits.len() as u64, body_debit_total, body_credits.len() as u64, body_credit_total)
    {
        warnings.push(warning(
            StatementWarningCode::FooterTotalsDisagreeWithEntries,
            Some(statement_index),
            Some(record.line),
            format!(
                "The account end record announces {} for {} and {} for {}, but the file has {} for {} and {} for {}: movements are missing or altered.",
                counted(footer_debit_count, "debit", "debits"),
                english(footer_debits),
                counted(footer_credit_count, "credit", "credits"),
                english(footer_credits),
                counted(body_debits.len() as u64, "debit", "debits"),
                english(body_debit_total),
                counted(body_credits.len() as u64, "credit", "credits"),
                english(body_credit_total)
            ),
            format!(
                "El registro final de cuenta anuncia {} por {} y {} por {}, pero el fichero tiene {} por {} y {} por {}: faltan movimientos o están alterados.",
                counted(footer_debit_count, "cargo", "cargos"),
                spanish(footer_debits),
                counted(footer_credit_count, "abono", "abonos"),
                spanish(footer_credits),
                counted(body_debits.len() as u64, "cargo", "cargos"),
                spanish(body_debit_total),
                counted(body_credits.len() as u64, "abono", "abonos"),
                spanish(body_credit_total)
            ),
        ));
    }
    let footer_expected_closing = account.opening_balance - footer_debits + footer_credits;
    if footer_expected_closing != closing_balance {
        warnings.push(warning(
            StatementWarningCode::FooterBalanceDoesNotAddUp,
            Some(statement_index),
            Some(record.line),
            format!(
                "The account end record does not add up: opening {} − debits {} + credits {} = {}, but it states a closing balance of {}.",
                english(account.opening_balance),
                english(footer_debits),
                english(footer_credits),
                english(footer_expected_closing),
                english(closing_balance)
            ),
            format!(
                "El registro final de cuenta no cuadra: saldo inicial {} − cargos {} + abonos {} = {}, pero indica un saldo final de {}.",
                spanish(account.opening_balance),
                spanish(footer_debits),
                spanish(footer_credits),
                spanish(footer_expected_closing),
                spanish(closing_balance)
            ),
        ));
    }
    let balance_check = check_balances(Some(account.opening_balance), Some(closing_balance), &account.entries);
    let derived_iban = spanish_iban_from_bank_branch_account(&account.bank, &account.branch, &account.account);
    let statement = BankStatement {
        statement_id: account.statement_id,
        account_iban: derived_iban.clone(),
        account_number: derived_iban.is_none().then(|| format!("{}{}{}", account.bank, account.branch, account.account)),
        currency: account.currency.to_string(),
        opening_balance: Some(account.opening_balance),
        closing_balance: Some(closing_balance),
        statement_date: Some(account.period_end),
        period_start: Some(account.period_start),
        period_end: Some(account.period_end),
        entries: account.entries,
        balance_check,
        source_line: account.start_line,
    };
    warnings.extend(balance_warning(&statement, statement_index));
    warnings.extend(entries_outside_period_warning(&statement, statement_index));
    Ok(statement)
}

/// Reads a Norma 43 statement file (one or more accounts).
pub fn parse_norma43(bytes: &[u8]) -> Result<BankStatementImport, ReferenceDataError> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(ReferenceDataError::EmptyFile { format: FORMAT });
    }
    let mut statements: Vec<BankStatement> = Vec::new();
    let mut warnings: Vec<StatementWarning> = Vec::new();
    let mut open: Option<OpenAccount> = None;
    let mut end_of_file_line: Option<usize> = None;
    let mut records_before_end_of_file: u64 = 0;
    let mut last_line_with_text = 0;
    for (line_index, raw_line) in text.split('\n').enumerate() {
        let line = line_index + 1;
        let line_text = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line_text.trim().is_empty() {
            continue;
        }
        last_line_with_text = line;
        if let Some(end_line) = end_of_file_line {
            return Err(ReferenceDataError::malformed(
                FORMAT,
                line,
                format!("there is data after the end-of-file record 88 at line {end_line}"),
                "the file was joined from several files wrongly: get it again from the bank",
            ));
        }
        let record = Record::new(line, line_text)?;
        let record_type = record.field(1, 2).to_string();
        if record_type != "88" {
            records_before_end_of_file += 1;
        }
        match record_type.as_str() {
            "11" => {
                if let Some(previous) = &open {
                    return Err(ReferenceDataError::malformed(
                        FORMAT,
                        line,
                        format!(
                            "a new account starts but the account that starts at line {} has no account end record 33",
                            previous.start_line
                        ),
                        "the statement is incomplete: get it again from the bank",
                    ));
                }
                open = Some(open_account(&record, statements.len() + 1)?);
            }
            "22" => {
                let account = open.as_mut().ok_or_else(|| {
                    ReferenceDataError::malformed(
                        FORMAT,
                        line,
                        "a movement record 22 comes before any account header record 11",
                        GET_IT_AGAIN,
                    )
                })?;
                let entry = movement(&record, account)?;
                account.entries.push(entry);
            }
            "23" => {
                record.require_length(4, "complementary concept (23)")?;
                let entry = open.as_mut().and_then(|account| account.entries.last_mut()).ok_or_else(|| {
                    ReferenceDataError::malformed(
                        FORMAT,
                        line,
                        "a complementary concept record 23 does not follow a movement record 22",
                        GET_IT_AGAIN,
                    )
                })?;
                let first_concept_fills_its_field = !record.field(42, 42).trim().is_empty();
                let concepts = if first_concept_fills_its_field {
                    record.field(5, 80).trim().to_string()
                } else {
                    [record.field(5, 42).trim(), record.field(43, 80).trim()]
                        .into_iter()
                        .filter(|concept| !concept.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                if !concepts.is_empty() {
                    if !entry.remittance_text.is_empty() {
                        entry.remittance_text.push(' ');
                    }
                    entry.remittance_text.push_str(&concepts);
                }
            }
            "24" => {
                if open.as_ref().and_then(|account| account.entries.last()).is_none() {
                    return Err(ReferenceDataError::malformed(
                        FORMAT,
                        line,
                        "a currency equivalence record 24 does not follow a movement record 22",
                        GET_IT_AGAIN,
                    ));
                }
            }
            "33" => {
                let account = open.take().ok_or_else(|| {
                    ReferenceDataError::malformed(
                        FORMAT,
                        line,
                        "an account end record 33 comes without its account header record 11",
                        GET_IT_AGAIN,
                    )
                })?;
                let statement_index = statements.len();
                statements.push(close_account(&record, account, statement_index, &mut warnings)?);
            }
            "88" => {
                if let Some(account) = &open {
                    return Err(ReferenceDataError::malformed(
                        FORMAT,
                        line,
                        format!(
                            "the end-of-file record 88 comes before the account that starts at line {} is closed by a record 33",
                            account.start_line
                        ),
                        "the statement is incomplete: get it again from the bank",
                    ));
                }
                record.require_length(26, "end of file (88)")?;
                let announced = record.count(21, 26, "number of records")?;
                let with_end_record = records_before_end_of_file + 1;
                if announced != records_before_end_of_file && announced != with_end_record {
                    warnings.push(warning(
                        StatementWarningCode::RecordCountDisagrees,
                        None,
                        Some(line),
                        format!(
                            "The end-of-file record announces {announced} records but the file has {records_before_end_of_file} before it: records are missing or were added. Get the complete file from the bank."
                        ),
                        format!(
                            "El registro de fin de fichero anuncia {announced} registros pero el fichero tiene {records_before_end_of_file} antes de él: faltan o sobran registros. Pida al banco el fichero completo."
                        ),
                    ));
                }
                end_of_file_line = Some(line);
            }
            other => {
                return Err(ReferenceDataError::malformed(
                    FORMAT,
                    line,
                    format!("`{}` is not a Norma 43 record type (11, 22, 23, 24, 33 or 88)", crate::text::shortened_for_message(other, 2)),
                    "the file is not a Norma 43 statement or is damaged: get it again from the bank",
                ));
            }
        }
    }
    if let Some(account) = open {
        return Err(ReferenceDataError::truncated(
            FORMAT,
            last_line_with_text,
            format!(
                "the file ends inside the account that starts at line {}, without its account end record 33 (and so without a closing balance)",
                account.start_line
            ),
        ));
    }
    if statements.is_empty() {
        return Err(ReferenceDataError::malformed(
            FORMAT,
            last_line_with_text.max(1),
            "the file has no account header record 11",
            "check that this is a Norma 43 statement",
        ));
    }
    if end_of_file_line.is_none() {
        warnings.push(warning(
            StatementWarningCode::EndOfFileRecordMissing,
            None,
            Some(last_line_with_text),
            format!(
                "The file has no end-of-file record 88 after line {last_line_with_text}: it may have been cut after a complete account. Check with the bank that no account is missing."
            ),
            format!(
                "El fichero no tiene registro de fin de fichero 88 después de la línea {last_line_with_text}: puede estar cortado tras una cuenta completa. Compruebe con el banco que no falta ninguna cuenta."
            ),
        ));
    }
    warnings.extend(continuity_warnings(&statements));
    warnings.sort_by_key(|warning| (warning.statement_index.is_none(), warning.statement_index, warning.line));
    Ok(BankStatementImport { format: BankStatementFormat::Norma43, statements, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(text: &str) -> String {
        format!("{text:<80}")
    }

    fn consistent_file() -> String {
        [
            record("110081479769952168572503012503312000000001000009783EMPRESA EJEMPLO SL"),
            record("22    4797250305250305040072000000000121000000000000FA20260012"),
            record("2301PAGO FACTURA FA-2026/0012             SUMINISTROS GARCIA"),
            record("22    4797250310250310990511000000000050000000000000"),
            record("3300814797699521685700001000000000050000000100000000012100200000000107100978"),
            "88999999999999999999000005".to_string(),
        ]
        .join("\r\n")
    }

    #[test]
    fn a_consistent_norma_43_file_gives_its_account_balances_and_movements() {
        let import = parse_norma43(consistent_file().as_bytes()).unwrap();
        assert!(import.is_consistent(), "{:#?}", import.warnings);
        let statement = &import.statements[0];
        assert_eq!(statement.account_iban.as_deref(), Some("ES0700814797516995216857"));
        assert_eq!(statement.currency, "EUR");
        assert_eq!(statement.opening_balance, Some(Decimal::new(100_000, 2)));
        assert_eq!(statement.closing_balance, Some(Decimal::new(107_100, 2)));
        assert_eq!(statement.entries.len(), 2);
        let payment = &statement.entries[0];
        assert_eq!(payment.amount, Decimal::new(12_100, 2));
        assert_eq!(payment.booking_date, NaiveDate::from_ymd_opt(2025, 3, 5).unwrap());
        assert_eq!(payment.reference.as_deref(), Some("FA20260012"));
        assert_eq!(payment.remittance_text, "PAGO FACTURA FA-2026/0012 SUMINISTROS GARCIA");
        assert_eq!(statement.entries[1].amount, Decimal::new(-5_000, 2));
    }

    #[test]
    fn a_norma_43_file_cut_inside_an_account_is_truncated_at_its_last_line() {
        let file = consistent_file();
        let cut: Vec<&str> = file.split("\r\n").take(3).collect();
        let error = parse_norma43(cut.join("\r\n").as_bytes()).unwrap_err();
        assert!(error.is_truncation(), "{error}");
        assert_eq!(error.line(), Some(3));
        assert!(error.to_string().contains("record 33"), "{error}");
    }

    #[test]
    fn a_movement_record_cut_before_its_amount_is_an_error_naming_the_line() {
        let file = consistent_file().replace("22    4797250310250310990511000000000050000000000000", "22    47972503102503109905110000");
        let error = parse_norma43(file.as_bytes()).unwrap_err();
        assert_eq!(error.line(), Some(4));
        assert!(error.to_string().contains("movement (22)"), "{error}");
    }

    #[test]
    fn a_footer_announcing_other_totals_is_reported() {
        let file = consistent_file().replace("00001000000000050000000100000000012100", "00002000000000060000000100000000012100");
        let import = parse_norma43(file.as_bytes()).unwrap();
        assert!(import.has_warning(StatementWarningCode::FooterTotalsDisagreeWithEntries));
        assert!(import.has_warning(StatementWarningCode::FooterBalanceDoesNotAddUp));
        assert!(!import.has_warning(StatementWarningCode::BalancesDoNotReconcile));
    }

    #[test]
    fn a_windows_1252_file_is_decoded_and_its_records_measured_in_characters() {
        let mut bytes = consistent_file().replace("EMPRESA EJEMPLO SL", "PEQUE\u{d1}A EMPRESA").into_bytes();
        let position = bytes.windows(2).position(|pair| pair == "Ñ".as_bytes()).unwrap();
        bytes.splice(position..position + 2, [0xD1]);
        let import = parse_norma43(&bytes).unwrap();
        assert!(import.is_consistent(), "{:#?}", import.warnings);
    }

    #[test]
    fn a_footer_naming_another_account_is_reported_with_the_accounts_masked() {
        let file = consistent_file().replace("3300814797699521685700001", "3300814797699521999900001");
        let import = parse_norma43(file.as_bytes()).unwrap();
        let warning = import.warnings.iter().find(|warning| warning.code == StatementWarningCode::FooterAccountDiffers).unwrap();
        assert!(warning.message_en.contains("****9999") && warning.message_en.contains("****6857"), "{}", warning.message_en);
        assert!(!warning.message_en.contains("6995216857") && !warning.message_es.contains("6995216857"));
    }

    #[test]
    fn an_unknown_record_type_is_refused_with_its_line() {
        let file = consistent_file().replace("2301PAGO", "9901PAGO");
        let error = parse_norma43(file.as_bytes()).unwrap_err();
        assert_eq!(error.line(), Some(3));
    }
}
