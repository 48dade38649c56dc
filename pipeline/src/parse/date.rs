//! Calendar dates as people print them, and the contract's normal form
//! (`YYYY-MM-DD`).
//!
//! This module owns reading one printed date ([`parse_date`]), finding every
//! date on a line ([`find_dates`]) and writing the normal form
//! ([`format_date`]). Three printed shapes are recognised:
//!
//! - numeric: ISO `2026-03-15`, `15/03/2026`, `15-03-2026`, `15.03.2026`,
//!   `15/03/26`; both separators must be the same character;
//! - day first with a month name: `15 de marzo de 2026`, `1º de abril del
//!   2026`, `15-mar-2026`, `15th March 2026`, `28 novembre 2022`, `5. Juni
//!   2018`;
//! - month name first: `March 15, 2026`, `Sept. 3, 2026`, `marzo 15 de
//!   2026`.
//!
//! Month names are matched case-insensitively in Spanish, English, French,
//! German, Dutch, Italian and Portuguese, with or without their accents and
//! as their usual abbreviations. Numeric dates are read in the caller's
//! [`DateOrder`]; a reading that is impossible in that order (a month above
//! 12) falls back to the other order, and a date that exists in neither
//! (`31/02/2026`) is rejected. Two-digit years are 20yy below 70 and 19yy
//! from 70.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::{Captures, Regex};

/// Which of the first two numbers of a numeric date is the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    /// `15/03/2026`: Spain, Latin America, the UK, continental Europe.
    DayFirst,
    /// `03/15/2026`: the United States.
    MonthFirst,
}

impl DateOrder {
    fn other(self) -> DateOrder {
        match self {
            DateOrder::DayFirst => DateOrder::MonthFirst,
            DateOrder::MonthFirst => DateOrder::DayFirst,
        }
    }
}

#[rustfmt::skip]
/// Month names and abbreviations, lowercase, with the month they name.
/// Accented spellings are listed next to their unaccented ones so that
/// either matches.
const MONTH_NAMES: &[(&str, u32)] = &[
    // Spanish
    ("enero", 1), ("ene", 1), ("febrero", 2), ("feb", 2), ("marzo", 3), ("mar", 3),
    ("abril", 4), ("abr", 4), ("mayo", 5), ("may", 5), ("junio", 6), ("jun", 6),
    ("julio", 7), ("jul", 7), ("agosto", 8), ("ago", 8), ("septiembre", 9),
    ("setiembre", 9), ("sept", 9), ("sep", 9), ("set", 9), ("octubre", 10), ("oct", 10),
    ("noviembre", 11), ("nov", 11), ("diciembre", 12), ("dic", 12),
    // English
    ("january", 1), ("jan", 1), ("february", 2), ("march", 3), ("april", 4), ("apr", 4),
    ("june", 6), ("july", 7), ("august", 8), ("aug", 8), ("september", 9),
    ("october", 10), ("november", 11), ("december", 12), ("dec", 12),
    // French
    ("janvier", 1), ("janv", 1), ("février", 2), ("fevrier", 2), ("févr", 2), ("fevr", 2),
    ("mars", 3), ("avril", 4), ("avr", 4), ("mai", 5), ("juin", 6), ("juillet", 7),
    ("juil", 7), ("août", 8), ("aout", 8), ("septembre", 9), ("octobre", 10),
    ("novembre", 11), ("décembre", 12), ("decembre", 12), ("déc", 12),
    // German
    ("januar", 1), ("jänner", 1), ("janner", 1), ("februar", 2), ("märz", 3), ("maerz", 3),
    ("marz", 3), ("mär", 3), ("juni", 6), ("juli", 7), ("oktober", 10), ("okt", 10),
    ("dezember", 12), ("dez", 12),
    // Dutch
    ("januari", 1), ("februari", 2), ("maart", 3), ("mei", 5), ("augustus", 8),
    // Italian
    ("gennaio", 1), ("gen", 1), ("febbraio", 2), ("aprile", 4), ("maggio", 5), ("mag", 5),
    ("giugno", 6), ("giu", 6), ("luglio", 7), ("lug", 7), ("settembre", 9),
    ("ottobre", 10), ("ott", 10), ("dicembre", 12),
    // Portuguese
    ("janeiro", 1), ("fevereiro", 2), ("fev", 2), ("março", 3), ("maio", 5), ("junho", 6),
    ("julho", 7), ("setembro", 9), ("outubro", 10), ("novembro", 11), ("dezembro", 12),
];

#[rustfmt::skip]
/// Weekday names that may precede a date (`Lunes, 15 de marzo de 2026`).
const WEEKDAY_NAMES: &[&str] = &[
    "lunes", "martes", "miércoles", "miercoles", "jueves", "viernes", "sábado", "sabado",
    "domingo", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "lundi", "mardi",
    "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "montag", "dienstag", "mittwoch",
    "donnerstag", "freitag", "samstag", "sonnabend", "sonntag",
];

/// A regex alternation of `names`, longest first so that `marzo` is tried
/// before `mar`.
fn alternation_of(names: impl Iterator<Item = &'static str>) -> String {
    let mut names: Vec<&str> = names.collect();
    names.sort_by_key(|name| std::cmp::Reverse(name.chars().count()));
    names.dedup();
    names
        .iter()
        .map(|name| regex::escape(name))
        .collect::<Vec<_>>()
        .join("|")
}

static MONTH_ALTERNATION: LazyLock<String> =
    LazyLock::new(|| alternation_of(MONTH_NAMES.iter().map(|(name, _)| *name)));

/// `15/03/2026`, `2026-03-15`, `15.03.26`; separators compared in code.
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,4})([/.\-])(\d{1,2})([/.\-])(\d{1,4})").expect("valid regex")
});

/// `15 de marzo de 2026`, `15th of March 2026`, `15-Mar-26`, `5. Juni 2018`.
static DAY_FIRST_WRITTEN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?i)\b(?P<day>\d{{1,2}})(?:\.?\s?[ºª°]|st|nd|rd|th|er)?(?:\s*[-/.]\s*|\s+(?:de|of)\s+|\s+)(?P<month>{months})\b\.?(?:(?:\s*[-/.,]\s*|\s+(?:del|de|of)\s+|\s+)(?P<year>\d{{4}})|[-/.](?P<short_year>\d{{2}}))\b",
        months = *MONTH_ALTERNATION
    );
    Regex::new(&pattern).expect("valid regex")
});

/// `March 15, 2026`, `Sept. 3, 2026`, `March 15th, 2026`, `marzo 15 de 2026`.
static MONTH_FIRST_WRITTEN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?i)\b(?P<month>{months})\b\.?\s*(?:[-/]\s*)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:\s*,\s*|\s+(?:del|de)\s+|\s+)(?P<year>\d{{4}})\b",
        months = *MONTH_ALTERNATION
    );
    Regex::new(&pattern).expect("valid regex")
});

/// [`DAY_FIRST_WRITTEN_DATE`] loosened: false only where it cannot match.
static DAY_FIRST_WRITTEN_DATE_MAY_MATCH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&super::loosened(DAY_FIRST_WRITTEN_DATE.as_str())).expect("valid regex"));

/// [`MONTH_FIRST_WRITTEN_DATE`] loosened: false only where it cannot match.
static MONTH_FIRST_WRITTEN_DATE_MAY_MATCH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&super::loosened(MONTH_FIRST_WRITTEN_DATE.as_str())).expect("valid regex"));

static LEADING_WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"(?i)^(?:{weekdays})\b\.?,?\s*",
        weekdays = alternation_of(WEEKDAY_NAMES.iter().copied())
    );
    Regex::new(&pattern).expect("valid regex")
});

/// Reads text that is exactly one date (surrounding spaces, a trailing `.`
/// or `,`, and a leading weekday name such as `Lunes,` or `Monday,` are
/// allowed). `order` decides how a numeric date such as `03/04/2026` is
/// read; an impossible reading in that order falls back to the other one.
/// Returns `None` for anything else, including dates that do not exist
/// (`31/02/2026`).
pub fn parse_date(text: &str, order: DateOrder) -> Option<NaiveDate> {
    let trimmed = text.trim().trim_end_matches([',', ';']);
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed).trim_end();
    let without_weekday = match LEADING_WEEKDAY.find(trimmed) {
        Some(weekday) => &trimmed[weekday.end()..],
        None => trimmed,
    };
    match find_dates(without_weekday, order).as_slice() {
        [(range, date)] if *range == (0..without_weekday.len()) => Some(*date),
        _ => None,
    }
}

/// Finds every date on a line, left to right, as byte ranges into `line`
/// (the weekday name before a date is not part of its range). Where two
/// readings overlap, the one starting first (then the longer) wins.
pub fn find_dates(line: &str, order: DateOrder) -> Vec<(Range<usize>, NaiveDate)> {
    let mut found: Vec<(Range<usize>, NaiveDate)> = Vec::new();
    for captures in NUMERIC_DATE.captures_iter(line) {
        let whole = captures.get(0).expect("group 0 always matches");
        if !is_free_standing_numeric_token(line, whole.start(), whole.end()) {
            continue;
        }
        if let Some(date) = numeric_date_from(&captures, order) {
            found.push((whole.range(), date));
        }
    }
    // The written-date patterns' Unicode `\b` makes the regex engine leave
    // its fast path on non-ASCII text: each runs only where its loosened twin
    // matches (most amount and address lines have no written date).
    let day_first = DAY_FIRST_WRITTEN_DATE_MAY_MATCH.is_match(line).then(|| DAY_FIRST_WRITTEN_DATE.captures_iter(line));
    let month_first = MONTH_FIRST_WRITTEN_DATE_MAY_MATCH.is_match(line).then(|| MONTH_FIRST_WRITTEN_DATE.captures_iter(line));
    for captures in day_first.into_iter().flatten().chain(month_first.into_iter().flatten()) {
        let whole = captures.get(0).expect("group 0 always matches");
        if let Some(date) = written_date_from(&captures) {
            found.push((whole.range(), date));
        }
    }
    found.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
    let mut without_overlaps: Vec<(Range<usize>, NaiveDate)> = Vec::with_capacity(found.len());
    for (range, date) in found {
        let overlaps_previous = without_overlaps
            .last()
            .is_some_and(|(previous, _)| range.start < previous.end);
        if !overlaps_previous {
            without_overlaps.push((range, date));
        }
    }
    without_overlaps
}

/// Writes a date in the contract's normal form, ISO 8601 `YYYY-MM-DD`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// True when `line[start..end]` is not part of a longer run of digits and
/// separators (`1.234.567,89`, `2026/0042/15/03/2026`).
fn is_free_standing_numeric_token(line: &str, start: usize, end: usize) -> bool {
    let is_separator = |c: char| matches!(c, '.' | ',' | '/' | '-');
    let mut before = line[..start].chars().rev();
    let joined_before = match before.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some(c) if is_separator(c) => before.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    let mut after = line[end..].chars();
    let joined_after = match after.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some(c) if is_separator(c) => after.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    !joined_before && !joined_after
}

fn numeric_date_from(captures: &Captures<'_>, order: DateOrder) -> Option<NaiveDate> {
    if captures[2] != captures[4] {
        return None;
    }
    let first = &captures[1];
    let second: u32 = captures[3].parse().ok()?;
    let last = &captures[5];
    if first.len() == 4 {
        // Year first is always year-month-day.
        if last.len() > 2 {
            return None;
        }
        return NaiveDate::from_ymd_opt(first.parse().ok()?, second, last.parse().ok()?);
    }
    if first.len() > 2 {
        return None;
    }
    let year = full_year(last)?;
    let first: u32 = first.parse().ok()?;
    day_and_month_in_order(first, second, year, order)
        .or_else(|| day_and_month_in_order(first, second, year, order.other()))
}

fn day_and_month_in_order(
    first: u32,
    second: u32,
    year: i32,
    order: DateOrder,
) -> Option<NaiveDate> {
    match order {
        DateOrder::DayFirst => NaiveDate::from_ymd_opt(year, second, first),
        DateOrder::MonthFirst => NaiveDate::from_ymd_opt(year, first, second),
    }
}

/// A printed year of two or four digits as a full year.
fn full_year(digits: &str) -> Option<i32> {
    let number: i32 = digits.parse().ok()?;
    match digits.len() {
        4 => Some(number),
        2 if number < 70 => Some(2000 + number),
        2 => Some(1900 + number),
        _ => None,
    }
}

fn written_date_from(captures: &Captures<'_>) -> Option<NaiveDate> {
    let month = month_number(&captures["month"])?;
    let day: u32 = captures["day"].parse().ok()?;
    let year = match (captures.name("year"), captures.name("short_year")) {
        (Some(year), _) | (None, Some(year)) => full_year(year.as_str())?,
        (None, None) => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

fn month_number(name: &str) -> Option<u32> {
    let lowercase = name.to_lowercase();
    MONTH_NAMES
        .iter()
        .find(|(month_name, _)| *month_name == lowercase)
        .map(|(_, month)| *month)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("test dates exist")
    }

    fn day_first(text: &str) -> Option<NaiveDate> {
        parse_date(text, DateOrder::DayFirst)
    }

    #[test]
    fn numeric_dates_with_slashes_hyphens_dots_and_iso_parse() {
        let ides_of_march = Some(ymd(2026, 3, 15));
        for text in [
            "2026-03-15",
            "2026/03/15",
            "15/03/2026",
            "15-03-2026",
            "15.03.2026",
            "15/3/2026",
            " 15/03/2026. ",
        ] {
            assert_eq!(day_first(text), ides_of_march, "{text:?}");
        }
    }

    #[test]
    fn two_digit_years_below_seventy_are_this_century() {
        assert_eq!(day_first("15/03/26"), Some(ymd(2026, 3, 15)));
        assert_eq!(day_first("15/03/69"), Some(ymd(2069, 3, 15)));
        assert_eq!(day_first("15/03/70"), Some(ymd(1970, 3, 15)));
        assert_eq!(day_first("12.08.74"), Some(ymd(1974, 8, 12)));
    }

    #[test]
    fn the_order_decides_ambiguous_numeric_dates() {
        assert_eq!(
            parse_date("03/04/2026", DateOrder::DayFirst),
            Some(ymd(2026, 4, 3))
        );
        assert_eq!(
            parse_date("03/04/2026", DateOrder::MonthFirst),
            Some(ymd(2026, 3, 4))
        );
    }

    #[test]
    fn an_impossible_reading_falls_back_to_the_other_order() {
        assert_eq!(
            parse_date("03/15/2026", DateOrder::DayFirst),
            Some(ymd(2026, 3, 15))
        );
        assert_eq!(
            parse_date("03/15/2026", DateOrder::MonthFirst),
            Some(ymd(2026, 3, 15))
        );
        assert_eq!(
            parse_date("15/03/2026", DateOrder::MonthFirst),
            Some(ymd(2026, 3, 15))
        );
    }

    #[test]
    fn dates_that_do_not_exist_are_rejected() {
        for text in [
            "31/02/2026",
            "29/02/2026",
            "13/13/2026",
            "32/01/2026",
            "2026-02-30",
            "31 de abril de 2026",
            "February 29, 2026",
        ] {
            assert_eq!(day_first(text), None, "{text:?}");
        }
        assert_eq!(day_first("29/02/2024"), Some(ymd(2024, 2, 29)));
    }

    #[test]
    fn written_spanish_dates_parse() {
        let ides_of_march = Some(ymd(2026, 3, 15));
        for text in [
            "15 de marzo de 2026",
            "15 de marzo del 2026",
            "15 Marzo 2026",
            "15-mar-2026",
            "15/MAR/2026",
            "15 MAR 2026",
            "15-mar-26",
            "marzo 15 de 2026",
        ] {
            assert_eq!(day_first(text), ides_of_march, "{text:?}");
        }
        assert_eq!(day_first("1º de abril de 2026"), Some(ymd(2026, 4, 1)));
        assert_eq!(day_first("3 de sept de 2026"), Some(ymd(2026, 9, 3)));
        assert_eq!(day_first("3 set 2026"), Some(ymd(2026, 9, 3)));
        assert_eq!(day_first("3 de septiembre de 2026"), Some(ymd(2026, 9, 3)));
        assert_eq!(day_first("7 ene 2026"), Some(ymd(2026, 1, 7)));
        assert_eq!(day_first("7 abr 2026"), Some(ymd(2026, 4, 7)));
        assert_eq!(day_first("7 ago 2026"), Some(ymd(2026, 8, 7)));
        assert_eq!(day_first("24 DIC 2026"), Some(ymd(2026, 12, 24)));
    }

    #[test]
    fn written_english_dates_parse() {
        let ides_of_march = Some(ymd(2026, 3, 15));
        for text in [
            "March 15, 2026",
            "Mar 15, 2026",
            "MARCH 15 2026",
            "15 March 2026",
            "15th March 2026",
            "15th of March 2026",
            "March 15th, 2026",
            "15-Mar-2026",
        ] {
            assert_eq!(day_first(text), ides_of_march, "{text:?}");
        }
        assert_eq!(day_first("Sept. 3, 2026"), Some(ymd(2026, 9, 3)));
        assert_eq!(day_first("Sep 3, 2026"), Some(ymd(2026, 9, 3)));
        assert_eq!(day_first("1st Dec 2025"), Some(ymd(2025, 12, 1)));
    }

    #[test]
    fn french_german_and_dutch_month_names_from_the_corpus_parse() {
        assert_eq!(day_first("28 novembre 2022"), Some(ymd(2022, 11, 28)));
        assert_eq!(day_first("1er février 2023"), Some(ymd(2023, 2, 1)));
        assert_eq!(day_first("15 fevrier 2023"), Some(ymd(2023, 2, 15)));
        assert_eq!(day_first("15 août 2023"), Some(ymd(2023, 8, 15)));
        assert_eq!(day_first("5. Juni 2018"), Some(ymd(2018, 6, 5)));
        assert_eq!(day_first("15. März 2026"), Some(ymd(2026, 3, 15)));
        assert_eq!(day_first("15. Maerz 2026"), Some(ymd(2026, 3, 15)));
        assert_eq!(day_first("1. Dezember 2025"), Some(ymd(2025, 12, 1)));
        assert_eq!(day_first("3 mei 2026"), Some(ymd(2026, 5, 3)));
    }

    #[test]
    fn accents_are_optional_and_weekday_prefixes_are_skipped() {
        assert_eq!(
            day_first("Domingo, 15 de marzo de 2026"),
            Some(ymd(2026, 3, 15))
        );
        assert_eq!(
            day_first("miércoles 18 de marzo de 2026"),
            Some(ymd(2026, 3, 18))
        );
        assert_eq!(
            day_first("MIERCOLES, 18 DE MARZO DE 2026"),
            Some(ymd(2026, 3, 18))
        );
        assert_eq!(day_first("Sunday, March 15, 2026"), Some(ymd(2026, 3, 15)));
        assert_eq!(day_first("Mon 28 November 2022"), Some(ymd(2022, 11, 28)));
        assert_eq!(day_first("Dienstag, 5. Juni 2018"), Some(ymd(2018, 6, 5)));
    }

    #[test]
    fn text_that_is_not_exactly_one_date_is_rejected() {
        for text in [
            "",
            "2026",
            "15/03",
            "15 de marzo",
            "March 2026",
            "1.234.567",
            "1.234,56",
            "15/03-2026",
            "15/03/2026 y 16/03/2026",
            "Factura 15/03/2026",
            "15 de mayor de 2026",
            "150/03/2026",
        ] {
            assert_eq!(day_first(text), None, "{text:?}");
        }
    }

    #[test]
    fn every_date_on_a_line_is_found_with_its_range() {
        let line = "Fecha: 15/03/2026 Vencimiento: 14 de abril de 2026";
        let found = find_dates(line, DateOrder::DayFirst);
        let texts: Vec<&str> = found
            .iter()
            .map(|(range, _)| &line[range.clone()])
            .collect();
        assert_eq!(texts, vec!["15/03/2026", "14 de abril de 2026"]);
        let dates: Vec<NaiveDate> = found.into_iter().map(|(_, date)| date).collect();
        assert_eq!(dates, vec![ymd(2026, 3, 15), ymd(2026, 4, 14)]);
    }

    #[test]
    fn an_american_invoice_line_is_read_month_first() {
        let line = "Invoice date Mar 15, 2026 - Due 04/14/2026 - Ship 05/06/2026";
        let dates: Vec<NaiveDate> = find_dates(line, DateOrder::MonthFirst)
            .into_iter()
            .map(|(_, date)| date)
            .collect();
        assert_eq!(
            dates,
            vec![ymd(2026, 3, 15), ymd(2026, 4, 14), ymd(2026, 5, 6)]
        );
    }

    #[test]
    fn amounts_versions_and_longer_numbers_hold_no_dates() {
        for line in [
            "Total 1.234.567,89 EUR",
            "v1.2.3",
            "Ref 12345.12.2026",
            "Tel 91-234-5678",
            "IBAN ES91 2100 0418 4502 0005 1332",
        ] {
            assert_eq!(find_dates(line, DateOrder::DayFirst), vec![], "{line:?}");
        }
    }

    #[test]
    fn the_normal_form_is_iso_8601() {
        assert_eq!(format_date(ymd(2026, 3, 15)), "2026-03-15");
        assert_eq!(format_date(ymd(1974, 8, 12)), "1974-08-12");
    }
}
