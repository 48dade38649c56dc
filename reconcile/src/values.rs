//! Values as reference files write them, and as messages write them back.
//!
//! Reading: amounts in either convention (`1.234,56`, `1,234.56`,
//! `-10.00`, `(10.00)`, `123,45-`, with or without `€`/`EUR`), Norma 43
//! amounts with two implied decimals, dates (ISO `2026-03-15`, day-first
//! `15/03/2026`, `15-03-26`, `20260315`, Norma 43 `260315`), quantities and
//! currency codes (ISO 4217 letters, Norma 43 numeric codes).
//!
//! The one ambiguous amount shape is a single `.` or `,` followed by exactly
//! three digits: `1.234` is one thousand two hundred and thirty-four in
//! Spain and one point two three four in England. A CSV column settles it
//! from its other values ([`detect_decimal_separator`]); with no evidence it
//! is read as thousands, since money is written with two decimals.
//!
//! Writing: amounts grouped the English (`1,240.00`) or Spanish
//! (`1.240,00`) way and dates as ISO or `dd/mm/yyyy`, for the bilingual
//! messages. Money is [`Decimal`] throughout, never floating point.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// The character a file uses between units and decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalSeparator {
    /// `1.234,56` (Spanish and continental European).
    Comma,
    /// `1,234.56` (English).
    Point,
}

impl DecimalSeparator {
    fn character(self) -> char {
        match self {
            DecimalSeparator::Comma => ',',
            DecimalSeparator::Point => '.',
        }
    }
}

/// Currency markers that may stand before or after an amount, longest first.
const CURRENCY_MARKERS: &[&str] = &["EUROS", "EURO", "EUR", "USD", "GBP", "CHF", "MXN", "COP", "€", "$", "£"];

/// Characters printed as a minus sign: hyphen-minus, Unicode minus, en dash.
const MINUS_SIGNS: &[char] = &['-', '\u{2212}', '\u{2013}'];

/// Characters that only ever group thousands.
const GROUPING_ONLY_CHARACTERS: &[char] = &[' ', '\u{00A0}', '\u{2009}', '\u{202F}', '\'', '\u{2019}'];

fn strip_currency_marker(text: &str) -> &str {
    let mut text = text.trim();
    for marker in CURRENCY_MARKERS {
        if text.len() > marker.len() {
            if text.is_char_boundary(marker.len()) && text[..marker.len()].eq_ignore_ascii_case(marker) {
                text = text[marker.len()..].trim_start();
                break;
            }
            let split = text.len() - marker.len();
            if text.is_char_boundary(split) && text[split..].eq_ignore_ascii_case(marker) {
                text = text[..split].trim_end();
                break;
            }
        }
    }
    text
}

/// Which decimal separator a column of amounts uses, judging by the values
/// whose shape gives it away (two or one decimals, or both separators).
/// `None` when no value settles it.
pub(crate) fn detect_decimal_separator<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<DecimalSeparator> {
    for value in values {
        let digits_and_separators: String = strip_currency_marker(value)
            .chars()
            .filter(|character| character.is_ascii_digit() || *character == '.' || *character == ',')
            .collect();
        let last_point = digits_and_separators.rfind('.');
        let last_comma = digits_and_separators.rfind(',');
        match (last_point, last_comma) {
            (Some(point), Some(comma)) => return Some(if point > comma { DecimalSeparator::Point } else { DecimalSeparator::Comma }),
            (Some(position), None) | (None, Some(position)) => {
                let separator = digits_and_separators.as_bytes()[position];
                let repeated = digits_and_separators.matches(char::from(separator)).count() > 1;
                let digits_after = digits_and_separators.len() - position - 1;
                if !repeated && (digits_after == 1 || digits_after == 2) {
                    return Some(if separator == b'.' { DecimalSeparator::Point } else { DecimalSeparator::Comma });
                }
            }
            (None, None) => {}
        }
    }
    None
}

fn groups_are_thousands(whole_part: &str, grouping: char) -> bool {
    let mut groups = whole_part.split(grouping);
    let first = groups.next().unwrap_or("");
    !first.is_empty() && first.len() <= 3 && groups.all(|group| group.len() == 3)
}

/// Reads one amount. `hint` settles only the ambiguous `1.234` shape (see
/// the module documentation). The error says what was wrong, for the
/// caller to put in its line-numbered error.
pub(crate) fn parse_amount(text: &str, hint: Option<DecimalSeparator>) -> Result<Decimal, String> {
    let not_an_amount = || format!("`{}` is not an amount", crate::text::shortened_for_message(text.trim(), 30));
    let mut body = strip_currency_marker(text);
    let mut negative = false;
    if let Some(inner) = body.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) {
        negative = true;
        body = strip_currency_marker(inner);
    }
    if let Some(rest) = body.strip_prefix(MINUS_SIGNS) {
        negative = !negative;
        body = rest.trim_start();
    } else if let Some(rest) = body.strip_prefix('+') {
        body = rest.trim_start();
    } else if let Some(rest) = body.strip_suffix(MINUS_SIGNS) {
        negative = !negative;
        body = rest.trim_end();
    }
    let body = strip_currency_marker(body);
    let cleaned: String = body.chars().filter(|character| !GROUPING_ONLY_CHARACTERS.contains(character)).collect();
    if cleaned.is_empty() || !cleaned.chars().all(|character| character.is_ascii_digit() || character == '.' || character == ',') {
        return Err(not_an_amount());
    }
    let last_point = cleaned.rfind('.');
    let last_comma = cleaned.rfind(',');
    let decimal_position = match (last_point, last_comma) {
        (None, None) => None,
        (Some(point), Some(comma)) => {
            let (decimal, grouping) = if point > comma { (point, ',') } else { (comma, '.') };
            if cleaned[decimal + 1..].contains(['.', ',']) || !groups_are_thousands(&cleaned[..decimal], grouping) {
                return Err(not_an_amount());
            }
            Some(decimal)
        }
        (Some(position), None) | (None, Some(position)) => {
            let separator = cleaned.as_bytes()[position] as char;
            let occurrences = cleaned.matches(separator).count();
            let digits_after = cleaned.len() - position - 1;
            if occurrences > 1 {
                if !groups_are_thousands(&cleaned, separator) {
                    return Err(not_an_amount());
                }
                None
            } else if digits_after == 3
                && hint.is_none_or(|hint| hint.character() != separator)
                && groups_are_thousands(&cleaned, separator)
            {
                None
            } else {
                Some(position)
            }
        }
    };
    let mut normalised = String::with_capacity(cleaned.len() + 1);
    for (position, character) in cleaned.char_indices() {
        if character.is_ascii_digit() {
            normalised.push(character);
        } else if Some(position) == decimal_position {
            normalised.push('.');
        }
    }
    if normalised.starts_with('.') {
        normalised.insert(0, '0');
    }
    if normalised.ends_with('.') || normalised.len() > 28 {
        return Err(not_an_amount());
    }
    let value = Decimal::from_str(&normalised).map_err(|_| not_an_amount())?;
    Ok(if negative { -value } else { value })
}

/// A Norma 43 amount: ASCII digits with two implied decimals
/// (`00000000123456` → `1234.56`). `None` when anything but digits is there.
pub(crate) fn parse_implied_two_decimal_amount(digits: &str) -> Option<Decimal> {
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) || digits.len() > 26 {
        return None;
    }
    let units: i128 = digits.parse().ok()?;
    Decimal::try_from_i128_with_scale(units, 2).ok()
}

/// A two-digit year, read as 20YY below 70 and 19YY from 70 on.
fn full_year_from_two_digits(two_digits: i32) -> i32 {
    if two_digits < 70 { 2000 + two_digits } else { 1900 + two_digits }
}

/// A Norma 43 date `YYMMDD` (`040805` → 2004-08-05).
pub(crate) fn parse_yymmdd(digits: &str) -> Option<NaiveDate> {
    if digits.len() != 6 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let year = full_year_from_two_digits(digits[0..2].parse().ok()?);
    NaiveDate::from_ymd_opt(year, digits[2..4].parse().ok()?, digits[4..6].parse().ok()?)
}

/// Reads a date written as ISO (`2026-03-15`, also with a time after it),
/// day first (`15/03/2026`, `15-03-2026`, `15.03.2026`, `15/03/26`) or
/// compact (`20260315`). Slashes are always read day first.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let trimmed = text.trim();
    let problem = || format!("`{}` is not a date (write it as 2026-03-15 or 15/03/2026)", crate::text::shortened_for_message(trimmed, 30));
    let date_part = trimmed.split(['T', ' ']).next().unwrap_or("");
    if date_part.len() == 8 && date_part.bytes().all(|byte| byte.is_ascii_digit()) {
        return NaiveDate::parse_from_str(date_part, "%Y%m%d").map_err(|_| problem());
    }
    let parts: Vec<&str> = date_part.split(['-', '/', '.']).collect();
    if parts.len() != 3 || parts.iter().any(|part| part.is_empty() || !part.bytes().all(|byte| byte.is_ascii_digit())) {
        return Err(problem());
    }
    let numbers: Vec<i32> = parts.iter().map(|part| part.parse().unwrap_or(-1)).collect();
    let (year, month, day) = if parts[0].len() == 4 {
        (numbers[0], numbers[1], numbers[2])
    } else if parts[2].len() == 4 {
        (numbers[2], numbers[1], numbers[0])
    } else if parts[2].len() == 2 {
        (full_year_from_two_digits(numbers[2]), numbers[1], numbers[0])
    } else {
        return Err(problem());
    };
    let (Ok(month), Ok(day)) = (u32::try_from(month), u32::try_from(day)) else {
        return Err(problem());
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(problem)
}

/// An ISO 4217 currency code from what a file writes (`eur`, `EUR`, `€`,
/// `euros`). `None` when it is not three letters or a known symbol.
pub(crate) fn normalised_currency_code(text: &str) -> Option<String> {
    let trimmed = text.trim();
    match trimmed.to_ascii_uppercase().as_str() {
        "€" | "EURO" | "EUROS" => return Some("EUR".to_string()),
        "£" => return Some("GBP".to_string()),
        _ => {}
    }
    (trimmed.len() == 3 && trimmed.bytes().all(|byte| byte.is_ascii_alphabetic())).then(|| trimmed.to_ascii_uppercase())
}

/// ISO 4217 numeric codes a Spanish bank statement may carry.
const NUMERIC_CURRENCY_CODES: &[(&str, &str)] = &[
    ("978", "EUR"),
    ("840", "USD"),
    ("826", "GBP"),
    ("756", "CHF"),
    ("392", "JPY"),
    ("124", "CAD"),
    ("036", "AUD"),
    ("752", "SEK"),
    ("208", "DKK"),
    ("578", "NOK"),
    ("985", "PLN"),
    ("203", "CZK"),
    ("348", "HUF"),
    ("946", "RON"),
    ("484", "MXN"),
    ("032", "ARS"),
    ("152", "CLP"),
    ("170", "COP"),
    ("604", "PEN"),
    ("986", "BRL"),
    ("156", "CNY"),
    ("504", "MAD"),
    ("949", "TRY"),
];

/// The letter code of an ISO 4217 numeric currency code (`978` → `EUR`).
pub(crate) fn currency_from_numeric_code(code: &str) -> Option<&'static str> {
    NUMERIC_CURRENCY_CODES.iter().find(|(numeric, _)| *numeric == code).map(|(_, letters)| *letters)
}

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageLanguage {
    English,
    Spanish,
}

/// An amount with two decimals and thousands grouped the language's way:
/// `1,240.00` / `1.240,00`.
pub(crate) fn format_amount_for(language: MessageLanguage, value: Decimal) -> String {
    let style = match language {
        MessageLanguage::English => tramite_pipeline::parse::amount::DecimalStyle::Point,
        MessageLanguage::Spanish => tramite_pipeline::parse::amount::DecimalStyle::Comma,
    };
    tramite_pipeline::parse::amount::format_amount_grouped(value, style)
}

/// A count with its noun in the singular or plural: `1 entry`, `3 entries`.
pub(crate) fn counted(count: impl Into<u64>, singular: &str, plural: &str) -> String {
    let count = count.into();
    format!("{count} {}", if count == 1 { singular } else { plural })
}

/// A date as ISO (English) or `dd/mm/yyyy` (Spanish).
pub(crate) fn format_date_for(language: MessageLanguage, date: NaiveDate) -> String {
    match language {
        MessageLanguage::English => date.format("%Y-%m-%d").to_string(),
        MessageLanguage::Spanish => format!("{:02}/{:02}/{}", date.day(), date.month(), date.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(text: &str) -> Decimal {
        parse_amount(text, None).unwrap_or_else(|problem| panic!("{problem}"))
    }

    #[test]
    fn amounts_are_read_in_both_conventions() {
        assert_eq!(amount("1.234,56"), Decimal::new(123_456, 2));
        assert_eq!(amount("1,234.56"), Decimal::new(123_456, 2));
        assert_eq!(amount("-10.00"), Decimal::new(-1_000, 2));
        assert_eq!(amount("1234,5"), Decimal::new(12_345, 1));
        assert_eq!(amount("(20,00 €)"), Decimal::new(-2_000, 2));
        assert_eq!(amount("123,45-"), Decimal::new(-12_345, 2));
        assert_eq!(amount("EUR 1 234,56"), Decimal::new(123_456, 2));
        assert_eq!(amount("1.234.567"), Decimal::new(1_234_567, 0));
        assert_eq!(amount("+42.50"), Decimal::new(4_250, 2));
    }

    #[test]
    fn a_single_separator_before_three_digits_follows_the_column_hint() {
        assert_eq!(parse_amount("1.234", None), Ok(Decimal::new(1_234, 0)));
        assert_eq!(parse_amount("1.234", Some(DecimalSeparator::Point)), Ok(Decimal::new(1_234, 3)));
        assert_eq!(parse_amount("1,234", Some(DecimalSeparator::Comma)), Ok(Decimal::new(1_234, 3)));
        assert_eq!(detect_decimal_separator(["1.234", "12,50"]), Some(DecimalSeparator::Comma));
        assert_eq!(detect_decimal_separator(["1.234", "1,234.5"]), Some(DecimalSeparator::Point));
        assert_eq!(detect_decimal_separator(["1.234"]), None);
    }

    #[test]
    fn things_that_are_not_amounts_are_refused() {
        for text in ["", "abc", "12.34.5", "1,2,3", "15.03.2026", "12a"] {
            assert!(parse_amount(text, None).is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn implied_decimal_amounts_and_yymmdd_dates_follow_norma_43() {
        assert_eq!(parse_implied_two_decimal_amount("00000000123456"), Some(Decimal::new(123_456, 2)));
        assert_eq!(parse_implied_two_decimal_amount("0000 0001"), None);
        assert_eq!(parse_yymmdd("040805"), NaiveDate::from_ymd_opt(2004, 8, 5));
        assert_eq!(parse_yymmdd("991231"), NaiveDate::from_ymd_opt(1999, 12, 31));
        assert_eq!(parse_yymmdd("041305"), None);
    }

    #[test]
    fn dates_are_read_iso_day_first_or_compact() {
        let expected = NaiveDate::from_ymd_opt(2026, 3, 15);
        for text in ["2026-03-15", "15/03/2026", "15-03-2026", "15.03.2026", "15/03/26", "20260315", "2026-03-15T10:00:00+01:00"] {
            assert_eq!(parse_date(text).ok(), expected, "{text}");
        }
        assert!(parse_date("03/15/2026").is_err());
        assert!(parse_date("yesterday").is_err());
    }

    #[test]
    fn currencies_are_read_as_iso_codes() {
        assert_eq!(normalised_currency_code(" eur "), Some("EUR".to_string()));
        assert_eq!(normalised_currency_code("€"), Some("EUR".to_string()));
        assert_eq!(normalised_currency_code("EU"), None);
        assert_eq!(currency_from_numeric_code("978"), Some("EUR"));
        assert_eq!(currency_from_numeric_code("001"), None);
    }

    #[test]
    fn messages_write_amounts_and_dates_the_way_each_language_does() {
        assert_eq!(format_amount_for(MessageLanguage::Spanish, Decimal::new(123_456_789, 2)), "1.234.567,89");
        assert_eq!(format_amount_for(MessageLanguage::English, Decimal::new(-2_000, 2)), "-20.00");
        let date = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(format_date_for(MessageLanguage::Spanish, date), "05/03/2026");
    }
}
