//! Bank statements as this crate models them, whatever file they came
//! from (camt.053, Norma 43, CSV): the account, its currency and balances,
//! the entries, and the warnings that say a statement cannot be trusted as
//! it stands.
//!
//! A statement file that parses is not necessarily right. Its entries may
//! not add up from the opening to the closing balance, its footer may
//! announce entries that are not there, its IBAN may fail its check digits.
//! The parsers never correct such a file or guess around it: they return
//! what the file says, and a [`StatementWarning`] for each problem, so the
//! import can be routed to review. [`BankStatementImport::is_consistent`]
//! is true only when there are none.
//!
//! Amounts are signed from the account holder's side: positive for money
//! in (credit), negative for money out (debit).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::mask_account_identifier;
use crate::values::{MessageLanguage, format_amount_for};

/// Which kind of file a statement import came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum BankStatementFormat {
    /// ISO 20022 camt.053; `version` as in the namespace, such as `001.08`.
    Camt053 { version: String },
    /// AEB Norma 43 (Cuaderno 43).
    Norma43,
    /// A bank's CSV export of transactions.
    Csv,
}

/// One movement on the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankEntry {
    /// Unique within one import (`<statement id>/<n>`); prefix it with the
    /// import's own id to make it unique across imports.
    pub entry_id: String,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    /// Positive for a credit (money in), negative for a debit (money out).
    pub amount: Decimal,
    /// ISO 4217 code of the amount.
    pub currency: String,
    /// Unstructured and structured remittance information and the bank's
    /// concept text, joined with ` | `.
    pub remittance_text: String,
    /// The other party: the debtor of a credit, the creditor of a debit.
    pub counterparty_name: Option<String>,
    /// A reference the payer gave or the bank assigned (creditor reference,
    /// end-to-end id, Norma 43 references).
    pub reference: Option<String>,
    /// False for pending or informational entries (camt `Sts` other than
    /// `BOOK`); those are left out of the balance check and of matching.
    pub booked: bool,
    /// A reversal of an earlier entry (camt `RvslInd`); never a payment.
    pub reversal: bool,
    /// The line of the file where the entry starts.
    pub source_line: usize,
}

/// Whether the entries lead from the opening to the closing balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum BalanceCheck {
    /// Opening balance plus the booked entries equals the closing balance.
    Consistent,
    /// They do not: `expected_closing` is what the entries give.
    Inconsistent { expected_closing: Decimal, stated_closing: Decimal },
    /// A balance is missing, so nothing can be checked.
    NotCheckable { missing: MissingBalance },
}

/// Which balance a statement does not state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingBalance {
    Opening,
    Closing,
    Both,
}

/// One account's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankStatement {
    /// The file's statement id (camt `Stmt/Id`); made up for formats
    /// without one (`N43-1-20250317`, `CSV`).
    pub statement_id: String,
    /// The account's IBAN as written (derived from bank, branch and
    /// account for Norma 43); `None` when the account is not an IBAN.
    pub account_iban: Option<String>,
    /// The account's identifier when it is not an IBAN.
    pub account_number: Option<String>,
    pub currency: String,
    pub opening_balance: Option<Decimal>,
    pub closing_balance: Option<Decimal>,
    /// The date of the closing balance, or the end of the period.
    pub statement_date: Option<NaiveDate>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub entries: Vec<BankEntry>,
    pub balance_check: BalanceCheck,
    /// The line of the file where the statement starts.
    pub source_line: usize,
}

/// What is wrong with a statement that parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementWarningCode {
    /// Opening balance plus entries is not the closing balance.
    BalancesDoNotReconcile,
    /// A Norma 43 closing record (33) announces other counts or totals of
    /// debits and credits than the movements present.
    FooterTotalsDisagreeWithEntries,
    /// A Norma 43 closing record's own arithmetic does not hold (opening −
    /// debits + credits ≠ closing).
    FooterBalanceDoesNotAddUp,
    /// The closing record names another currency than the header.
    FooterCurrencyDiffers,
    /// The closing record names another account than the header.
    FooterAccountDiffers,
    /// The Norma 43 end-of-file record (88) announces another number of records.
    RecordCountDisagrees,
    /// No Norma 43 end-of-file record (88): the file may have been cut
    /// after a complete account.
    EndOfFileRecordMissing,
    /// Entries dated outside the statement's period.
    EntriesOutsideStatementPeriod,
    /// A camt summary (`TxsSummry`) announces another number of entries.
    EntryCountDisagreesWithSummary,
    /// The account IBAN fails its length or check digits.
    AccountIbanInvalid,
    /// Entries in another currency than the account's.
    EntryCurrencyDiffers,
    /// A CSV running balance does not follow from the amounts.
    RunningBalanceMismatch,
    /// Consecutive statements of one account do not chain (an opening
    /// balance differs from the previous closing balance).
    StatementsNotContinuous,
}

impl StatementWarningCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementWarningCode::BalancesDoNotReconcile => "balances_do_not_reconcile",
            StatementWarningCode::FooterTotalsDisagreeWithEntries => "footer_totals_disagree_with_entries",
            StatementWarningCode::FooterBalanceDoesNotAddUp => "footer_balance_does_not_add_up",
            StatementWarningCode::FooterCurrencyDiffers => "footer_currency_differs",
            StatementWarningCode::FooterAccountDiffers => "footer_account_differs",
            StatementWarningCode::RecordCountDisagrees => "record_count_disagrees",
            StatementWarningCode::EndOfFileRecordMissing => "end_of_file_record_missing",
            StatementWarningCode::EntriesOutsideStatementPeriod => "entries_outside_statement_period",
            StatementWarningCode::EntryCountDisagreesWithSummary => "entry_count_disagrees_with_summary",
            StatementWarningCode::AccountIbanInvalid => "account_iban_invalid",
            StatementWarningCode::EntryCurrencyDiffers => "entry_currency_differs",
            StatementWarningCode::RunningBalanceMismatch => "running_balance_mismatch",
            StatementWarningCode::StatementsNotContinuous => "statements_not_continuous",
        }
    }
}

/// One problem with a parsed statement, for a reviewer, in English and
/// Spanish. Messages mask account numbers to their last four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementWarning {
    pub code: StatementWarningCode,
    /// Index into [`BankStatementImport::statements`], when it concerns one.
    pub statement_index: Option<usize>,
    pub line: Option<usize>,
    pub message_en: String,
    pub message_es: String,
}

/// Everything read from one statement file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankStatementImport {
    pub format: BankStatementFormat,
    /// One per account statement in the file, in file order.
    pub statements: Vec<BankStatement>,
    /// Empty when the file is consistent.
    pub warnings: Vec<StatementWarning>,
}

impl BankStatementImport {
    /// True when no warning was raised: the balances reconcile (where the
    /// file states them) and every count and total agrees.
    pub fn is_consistent(&self) -> bool {
        self.warnings.is_empty()
    }

    /// Whether any warning has this code.
    pub fn has_warning(&self, code: StatementWarningCode) -> bool {
        self.warnings.iter().any(|warning| warning.code == code)
    }

    /// Every entry of every statement, in file order.
    pub fn entries(&self) -> impl Iterator<Item = &BankEntry> {
        self.statements.iter().flat_map(|statement| statement.entries.iter())
    }

    /// Every entry, owned, ready for matching.
    pub fn into_entries(self) -> Vec<BankEntry> {
        self.statements.into_iter().flat_map(|statement| statement.entries).collect()
    }
}

pub(crate) fn warning(
    code: StatementWarningCode,
    statement_index: Option<usize>,
    line: Option<usize>,
    message_en: String,
    message_es: String,
) -> StatementWarning {
    StatementWarning { code, statement_index, line, message_en, message_es }
}

fn english(value: Decimal) -> String {
    format_amount_for(MessageLanguage::English, value)
}

fn spanish(value: Decimal) -> String {
    format_amount_for(MessageLanguage::Spanish, value)
}

/// Compares opening balance plus booked entries with the closing balance.
pub(crate) fn check_balances(opening: Option<Decimal>, closing: Option<Decimal>, entries: &[BankEntry]) -> BalanceCheck {
    match (opening, closing) {
        (Some(opening), Some(closing)) => {
            let expected_closing = opening + entries.iter().filter(|entry| entry.booked).map(|entry| entry.amount).sum::<Decimal>();
            if expected_closing == closing {
                BalanceCheck::Consistent
            } else {
                BalanceCheck::Inconsistent { expected_closing, stated_closing: closing }
            }
        }
        (None, Some(_)) => BalanceCheck::NotCheckable { missing: MissingBalance::Opening },
        (Some(_), None) => BalanceCheck::NotCheckable { missing: MissingBalance::Closing },
        (None, None) => BalanceCheck::NotCheckable { missing: MissingBalance::Both },
    }
}

/// The warning for an inconsistent balance check, if it is one.
pub(crate) fn balance_warning(statement: &BankStatement, statement_index: usize) -> Option<StatementWarning> {
    let BalanceCheck::Inconsistent { expected_closing, stated_closing } = statement.balance_check else {
        return None;
    };
    let opening = statement.opening_balance.unwrap_or_default();
    let movements = expected_closing - opening;
    let difference = stated_closing - expected_closing;
    Some(warning(
        StatementWarningCode::BalancesDoNotReconcile,
        Some(statement_index),
        Some(statement.source_line),
        format!(
            "The entries do not add up: opening balance {} plus entries {} gives {}, but the statement says the closing balance is {} (difference {} {}). Check the statement with the bank before relying on it.",
            english(opening),
            english(movements),
            english(expected_closing),
            english(stated_closing),
            english(difference),
            statement.currency
        ),
        format!(
            "Los movimientos no cuadran: saldo inicial {} más movimientos {} da {}, pero el extracto indica un saldo final de {} (diferencia {} {}). Compruebe el extracto con el banco antes de usarlo.",
            spanish(opening),
            spanish(movements),
            spanish(expected_closing),
            spanish(stated_closing),
            spanish(difference),
            statement.currency
        ),
    ))
}

/// Warns about entries in another currency than the account's.
pub(crate) fn entry_currency_warning(statement: &BankStatement, statement_index: usize) -> Option<StatementWarning> {
    let foreign: Vec<&BankEntry> = statement.entries.iter().filter(|entry| entry.currency != statement.currency).collect();
    let first = foreign.first()?;
    Some(warning(
        StatementWarningCode::EntryCurrencyDiffers,
        Some(statement_index),
        Some(first.source_line),
        format!(
            "{} in another currency than the account's {} (first at line {}, in {}); the balance check adds them as written.",
            crate::values::counted(foreign.len() as u64, "entry is", "entries are"),
            statement.currency,
            first.source_line,
            first.currency
        ),
        format!(
            "{} en otra divisa distinta de la de la cuenta, {} (el primero en la línea {}, en {}); la comprobación de saldos los suma tal cual.",
            crate::values::counted(foreign.len() as u64, "movimiento está", "movimientos están"),
            statement.currency,
            first.source_line,
            first.currency
        ),
    ))
}

/// Warns about entries booked outside the statement's period.
pub(crate) fn entries_outside_period_warning(statement: &BankStatement, statement_index: usize) -> Option<StatementWarning> {
    let (Some(start), Some(end)) = (statement.period_start, statement.period_end) else {
        return None;
    };
    let outside: Vec<&BankEntry> =
        statement.entries.iter().filter(|entry| entry.booking_date < start || entry.booking_date > end).collect();
    let first = outside.first()?;
    Some(warning(
        StatementWarningCode::EntriesOutsideStatementPeriod,
        Some(statement_index),
        Some(first.source_line),
        format!(
            "Entries dated outside the statement period {} to {}: {} of {} (first at line {}, dated {}).",
            start,
            end,
            outside.len(),
            statement.entries.len(),
            first.source_line,
            first.booking_date
        ),
        format!(
            "Movimientos con fecha fuera del periodo del extracto, del {} al {}: {} de {} (el primero en la línea {}, con fecha {}).",
            crate::values::format_date_for(MessageLanguage::Spanish, start),
            crate::values::format_date_for(MessageLanguage::Spanish, end),
            outside.len(),
            statement.entries.len(),
            first.source_line,
            crate::values::format_date_for(MessageLanguage::Spanish, first.booking_date)
        ),
    ))
}

/// Warns when consecutive statements of the same account do not chain.
pub(crate) fn continuity_warnings(statements: &[BankStatement]) -> Vec<StatementWarning> {
    let mut warnings = Vec::new();
    for (index, pair) in statements.windows(2).enumerate() {
        let (previous, next) = (&pair[0], &pair[1]);
        let same_account = previous.account_iban == next.account_iban
            && previous.account_number == next.account_number
            && previous.currency == next.currency;
        let (Some(closing), Some(opening)) = (previous.closing_balance, next.opening_balance) else {
            continue;
        };
        if same_account && closing != opening {
            warnings.push(warning(
                StatementWarningCode::StatementsNotContinuous,
                Some(index + 1),
                Some(next.source_line),
                format!(
                    "Statement {} opens at {} but the previous statement of the same account closed at {}: a statement is missing in between.",
                    index + 2,
                    english(opening),
                    english(closing)
                ),
                format!(
                    "El extracto {} empieza con {} pero el anterior de la misma cuenta terminó con {}: falta un extracto entre ambos.",
                    index + 2,
                    spanish(opening),
                    spanish(closing)
                ),
            ));
        }
    }
    warnings
}

/// Why an IBAN is not valid, without quoting it; `None` when it is valid.
pub fn iban_problem(iban: &str) -> Option<&'static str> {
    use tramite_pipeline::identifiers::iban::{validate_iban, IbanProblem};
    match validate_iban(iban) {
        Ok(_) => None,
        Err(IbanProblem::BadCharacters) => Some("it is not shaped like an IBAN"),
        Err(IbanProblem::UnknownCountry(_)) => Some("its country code is not in the IBAN registry"),
        Err(IbanProblem::WrongLength { .. }) => Some("its length is not the one registered for its country"),
        Err(IbanProblem::ChecksumFailed) => Some("its check digits do not match"),
    }
}

/// Warns when the account IBAN is not a valid IBAN.
pub(crate) fn iban_warning(statement: &BankStatement, statement_index: usize) -> Option<StatementWarning> {
    let iban = statement.account_iban.as_deref()?;
    let problem = iban_problem(iban)?;
    let problem_es = match problem {
        "it is not shaped like an IBAN" => "no tiene forma de IBAN",
        "its country code is not in the IBAN registry" => "su código de país no está en el registro IBAN",
        "its length is not the one registered for its country" => "su longitud no es la registrada para su país",
        _ => "sus dígitos de control no cuadran",
    };
    let masked = mask_account_identifier(iban);
    Some(warning(
        StatementWarningCode::AccountIbanInvalid,
        Some(statement_index),
        Some(statement.source_line),
        format!("The account IBAN {masked} is not valid: {problem}. Check the account with the bank."),
        format!("El IBAN de la cuenta {masked} no es válido: {problem_es}. Compruebe la cuenta con el banco."),
    ))
}

/// The Spanish IBAN of a CCC given as bank (4 digits), branch (4) and
/// account (10) without its two control digits, which are computed
/// (mod 11), as are the IBAN check digits (mod 97). `None` unless all are
/// digits of the right length.
pub fn spanish_iban_from_bank_branch_account(bank: &str, branch: &str, account: &str) -> Option<String> {
    let all_digits = |text: &str, length: usize| text.len() == length && text.bytes().all(|byte| byte.is_ascii_digit());
    if !all_digits(bank, 4) || !all_digits(branch, 4) || !all_digits(account, 10) {
        return None;
    }
    const WEIGHTS: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let control_digit = |ten_digits: &str| {
        let sum: u32 = ten_digits.bytes().zip(WEIGHTS).map(|(byte, weight)| u32::from(byte - b'0') * weight).sum();
        match 11 - sum % 11 {
            11 => 0,
            10 => 1,
            digit => digit,
        }
    };
    let first = control_digit(&format!("00{bank}{branch}"));
    let second = control_digit(account);
    let ccc = format!("{bank}{branch}{first}{second}{account}");
    tramite_pipeline::identifiers::iban::iban_from_bban("ES", &ccc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_check_digits_and_lengths_are_verified() {
        assert_eq!(iban_problem("ES91 2100 0418 4502 0005 1332"), None);
        assert_eq!(iban_problem("DE14740618130000033626"), None);
        assert_eq!(iban_problem("CH1111111111111111111"), Some("its check digits do not match"));
        assert_eq!(iban_problem("NL18INGB00012345678"), Some("its length is not the one registered for its country"));
        assert_eq!(iban_problem("11111111"), Some("it is not shaped like an IBAN"));
    }

    #[test]
    fn a_spanish_iban_is_derived_from_bank_branch_and_account() {
        assert_eq!(spanish_iban_from_bank_branch_account("9999", "1111", "0123456789").as_deref(), Some("ES1799991111710123456789"));
        assert_eq!(spanish_iban_from_bank_branch_account("0081", "4797", "6995216857").as_deref(), Some("ES0700814797516995216857"));
        assert_eq!(spanish_iban_from_bank_branch_account("1111", "2222", "3333444412").as_deref(), Some("ES4811112222033333444412"));
        assert_eq!(spanish_iban_from_bank_branch_account("99x9", "1111", "0123456789"), None);
    }

    #[test]
    fn an_invalid_iban_warning_masks_the_iban() {
        let statement = BankStatement {
            statement_id: "S".to_string(),
            account_iban: Some("CH1111111111111111111".to_string()),
            account_number: None,
            currency: "CHF".to_string(),
            opening_balance: None,
            closing_balance: None,
            statement_date: None,
            period_start: None,
            period_end: None,
            entries: Vec::new(),
            balance_check: BalanceCheck::NotCheckable { missing: MissingBalance::Both },
            source_line: 3,
        };
        let warning = iban_warning(&statement, 0).unwrap();
        assert!(warning.message_en.contains("****1111"), "{}", warning.message_en);
        assert!(!warning.message_en.contains("CH1111111111111111111"));
        assert!(!warning.message_es.contains("CH1111111111111111111"));
    }
}
