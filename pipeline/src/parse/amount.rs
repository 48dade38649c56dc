//! Money amounts as people print them, and the contract's normal form for
//! them.
//!
//! This module owns three things: reading one printed amount
//! ([`parse_amount`]: `1.234,56 €`, `-$1,234.56`, `(1 234,56)`, `1'234.50
//! CHF`), finding every amount and every percentage on a line of text
//! ([`find_amounts`], [`find_percentages`]), and writing an amount in the
//! contract's normal form ([`format_amount`]: `1234.56`, `-20.00`).
//!
//! The hard part is the separator: `1.234` is one thousand two hundred and
//! thirty-four in Spain and one point two three four in the United States.
//! A separator whose role is given away by the token itself (two different
//! separators, a repeated one, a group that is not three digits long) is
//! read that way whatever the caller says; only the truly ambiguous shape (a
//! single `.` or `,` followed by exactly three digits) is settled by the
//! caller's [`DecimalStyle`] hint, which [`detect_decimal_style`] can guess
//! from the whole document. Without a hint that shape is read as thousands,
//! because invoices print money with two decimals, not three.
//!
//! Values are [`Decimal`], never floating point.

use std::ops::Range;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::parse::date::{DateOrder, find_dates};

/// Which character a document uses as its decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecimalStyle {
    /// Spanish / continental European: `1.234,56` (`,` decimal, `.` thousands).
    Comma,
    /// English: `1,234.56` (`.` decimal, `,` thousands).
    Point,
}

/// Currency symbols and codes that may stand before or after an amount,
/// longest first so that `US$` wins over `$` and `EUROS` over `EUR`.
const CURRENCY_MARKERS: &[&str] = &[
    "EUROS", "COL$", "EURO", "US$", "MX$", "CA$", "AU$", "EUR", "USD", "GBP", "COP", "MXN", "CHF",
    "€", "$", "£",
];

/// Characters printed as a minus sign: hyphen-minus, the Unicode minus and
/// the en dash some PDF producers emit.
const MINUS_SIGNS: &[char] = &['-', '\u{2212}', '\u{2013}'];

/// Characters that group thousands and never mark decimals.
const SPACE_LIKE_GROUPING: &[char] = &[' ', '\u{00A0}', '\u{2009}', '\u{202F}'];
const APOSTROPHE_GROUPING: &[char] = &['\'', '\u{2019}'];

/// A `Decimal` holds at most 28 significant digits safely.
const MAXIMUM_SIGNIFICANT_DIGITS: usize = 28;

/// Reads one printed amount, with or without a currency symbol or code
/// before or after it, and with its sign printed as a leading minus, a
/// trailing minus or parentheses.
///
/// Thousands may be grouped with `.`, `,`, spaces (including non-breaking
/// and thin spaces) or apostrophes. `hint` settles only the ambiguous shape
/// of a single `.` or `,` followed by exactly three digits: `1.234` is
/// `1234` with [`DecimalStyle::Comma`], `1.234` with [`DecimalStyle::Point`],
/// and `1234` without a hint. Returns `None` for anything that is not
/// exactly one amount: empty text, letters inside the number, two decimal
/// separators, inconsistent grouping, or a date such as `15.03.2026`.
pub fn parse_amount(text: &str, hint: Option<DecimalStyle>) -> Option<Decimal> {
    let (is_negative, number_text) = strip_sign_and_currency(text)?;
    let parsed = parse_number_core(number_text, hint)?;
    Some(if is_negative {
        -parsed.value
    } else {
        parsed.value
    })
}

/// Writes an amount in the contract's normal form: `.` as decimal
/// separator, exactly two decimals (rounded half away from zero), no
/// thousands separator, a leading `-` for negatives and never `-0.00`.
pub fn format_amount(value: Decimal) -> String {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    rounded.to_string()
}

/// An amount for people to read: two decimals and thousands grouped the
/// way `style` writes them (`1.240,00` for [`DecimalStyle::Comma`],
/// `1,240.00` for [`DecimalStyle::Point`]). Reviewer messages use it.
pub fn format_amount_grouped(value: Decimal, style: DecimalStyle) -> String {
    let plain = format_amount(value);
    let (sign, digits) = plain.strip_prefix('-').map_or(("", plain.as_str()), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "00"));
    let (group, decimal) = match style {
        DecimalStyle::Point => (',', '.'),
        DecimalStyle::Comma => ('.', ','),
    };
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}{decimal}{fraction}")
}

/// Finds every amount-looking token on a line, left to right, as byte
/// ranges into `line` with their values.
///
/// A range covers the number together with an adjacent currency marker and
/// sign (`-€1.234,56`, `(1.234,56)`, `1.234,56 EUR`), so that
/// [`parse_amount`] of the range's text gives the same value. A grouped
/// number such as `1.234,56` is one token, never two. Dates (`15/03/2026`,
/// `15 de marzo de 2026`), percentages (`21%`, see [`find_percentages`]),
/// times (`10:30`), numbers glued to letters (`B12345678`, `12kg`, `15th`)
/// and numbers joined by `-` or `/` (`2026-0042`) are skipped. A plain space
/// is accepted as a thousands separator only in a number that ends with
/// decimals (`1 234,56`), so that `912 345 678` stays three numbers.
pub fn find_amounts(line: &str, hint: Option<DecimalStyle>) -> Vec<(Range<usize>, Decimal)> {
    let date_ranges: Vec<Range<usize>> = find_dates(line, DateOrder::DayFirst)
        .into_iter()
        .map(|(range, _)| range)
        .collect();
    let mut amounts = Vec::new();
    let mut position = 0;
    while let Some(character) = char_at(line, position) {
        let continues_a_number = char_before(line, position).is_some_and(|c| c.is_ascii_digit());
        if !character.is_ascii_digit() || continues_a_number {
            position += character.len_utf8();
            continue;
        }
        let core_start = position;
        let maximal_end = scan_number_core(line, core_start);
        let Some((core_end, parsed)) = longest_parsable_prefix(line, core_start, maximal_end, hint)
        else {
            position = maximal_end;
            continue;
        };
        position = core_end;
        let Some((range, is_negative)) =
            surround_with_sign_and_currency(line, core_start, core_end)
        else {
            continue;
        };
        if date_ranges
            .iter()
            .any(|date| date.start < range.end && range.start < date.end)
        {
            continue;
        }
        position = range.end;
        let value = if is_negative {
            -parsed.value
        } else {
            parsed.value
        };
        amounts.push((range, value));
    }
    amounts
}

/// Finds every percentage on a line (`21%`, `21 %`, `10,5%`, `IVA 21%`),
/// left to right, as byte ranges covering the number and the `%` sign. The
/// value is the plain percent number, normalized (`21,00 %` gives `21`),
/// ready for the contract's `tax_rate` form. A single `.` or `,` is always
/// the decimal separator here: nobody prints a thousand percent.
pub fn find_percentages(line: &str) -> Vec<(Range<usize>, Decimal)> {
    static PERCENTAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(\d+)(?:[.,](\d+))?[ \u{00A0}\u{202F}\u{2009}]?%").expect("valid regex")
    });
    let mut percentages = Vec::new();
    for found in PERCENTAGE.captures_iter(line) {
        let whole = found.get(0).expect("group 0 always matches");
        let before = char_before(line, whole.start());
        if before.is_some_and(|c| c.is_alphanumeric() || c == '.' || c == ',') {
            continue;
        }
        let integer_digits = &found[1];
        let decimal_digits = found.get(2).map_or("", |m| m.as_str());
        let Some(mut value) = decimal_from_digits(integer_digits, decimal_digits) else {
            continue;
        };
        let mut start = whole.start();
        if let Some(minus) = before.filter(|c| MINUS_SIGNS.contains(c)) {
            let minus_start = start - minus.len_utf8();
            if !char_before(line, minus_start).is_some_and(char::is_alphanumeric) {
                start = minus_start;
                value = -value;
            }
        }
        percentages.push((start..whole.end(), value.normalize()));
    }
    percentages
}

/// Guesses which decimal style a whole document uses by counting amounts
/// that can only be read one way: `1.234,56` or `234,56` vote
/// [`DecimalStyle::Comma`], `1,234.56` or `234.56` vote
/// [`DecimalStyle::Point`] (two decimals, optional thousands groups).
/// Numbers inside dates such as `15.03.2026` do not vote. Returns `None`
/// on a tie, including when nothing votes.
///
/// It looks only at ASCII digits, punctuation and word boundaries, so the
/// text's [`super::ascii_shadow`] gives the same answer, faster: a caller
/// that has the shadow should pass it.
pub fn detect_decimal_style(text: &str) -> Option<DecimalStyle> {
    static COMMA_DECIMALS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:\d{1,3}(?:\.\d{3})+|\d+),\d{2}\b").expect("valid regex")
    });
    static POINT_DECIMALS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:\d{1,3}(?:,\d{3})+|\d+)\.\d{2}\b").expect("valid regex")
    });
    let count_standalone = |pattern: &Regex| {
        pattern
            .find_iter(text)
            .filter(|found| is_standalone_number(text, found.start(), found.end()))
            .count()
    };
    let comma_votes = count_standalone(&COMMA_DECIMALS);
    let point_votes = count_standalone(&POINT_DECIMALS);
    match comma_votes.cmp(&point_votes) {
        std::cmp::Ordering::Greater => Some(DecimalStyle::Comma),
        std::cmp::Ordering::Less => Some(DecimalStyle::Point),
        std::cmp::Ordering::Equal => None,
    }
}

/// True when the number at `start..end` is not a piece of a longer dotted,
/// dashed or slashed token (a date, a version number, an id).
fn is_standalone_number(text: &str, start: usize, end: usize) -> bool {
    let joined_to_digits_before = match char_before(text, start) {
        Some(c) if c.is_ascii_digit() => true,
        Some(c @ ('.' | ',' | '/' | '-')) => {
            char_before(text, start - c.len_utf8()).is_some_and(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    let joined_to_digits_after = match text[end..].chars().next() {
        Some(c) if c.is_ascii_digit() => true,
        Some(c @ ('.' | ',' | '/' | '-')) => text[end + c.len_utf8()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    };
    !joined_to_digits_before && !joined_to_digits_after
}

/// The number at the start of a value, as read by [`parse_number_core`].
#[derive(Debug, Clone, Copy)]
struct ParsedNumber {
    value: Decimal,
    has_decimal_part: bool,
    grouped_with_plain_spaces: bool,
}

/// Which separator sits between two runs of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeparatorKind {
    Point,
    Comma,
    Space,
    Apostrophe,
}

impl SeparatorKind {
    fn of(character: char) -> Option<SeparatorKind> {
        match character {
            '.' => Some(SeparatorKind::Point),
            ',' => Some(SeparatorKind::Comma),
            c if SPACE_LIKE_GROUPING.contains(&c) => Some(SeparatorKind::Space),
            c if APOSTROPHE_GROUPING.contains(&c) => Some(SeparatorKind::Apostrophe),
            _ => None,
        }
    }

    fn can_mark_decimals(self) -> bool {
        matches!(self, SeparatorKind::Point | SeparatorKind::Comma)
    }
}

/// Reads the bare number (digits and separators, nothing else): decides
/// which separator, if any, marks the decimals and checks that the others
/// group thousands consistently.
fn parse_number_core(text: &str, hint: Option<DecimalStyle>) -> Option<ParsedNumber> {
    let mut digit_groups: Vec<&str> = Vec::new();
    let mut separators: Vec<SeparatorKind> = Vec::new();
    let mut grouped_with_plain_spaces = false;
    let mut group_start = 0;
    for (index, character) in text.char_indices() {
        if character.is_ascii_digit() {
            continue;
        }
        let kind = SeparatorKind::of(character)?;
        if index == group_start {
            // Empty group: the text starts with a separator or has two in a row.
            return None;
        }
        grouped_with_plain_spaces |= character == ' ';
        digit_groups.push(&text[group_start..index]);
        separators.push(kind);
        group_start = index + character.len_utf8();
    }
    if group_start >= text.len() {
        return None;
    }
    digit_groups.push(&text[group_start..]);

    let decimal_separator_index = decimal_separator_position(&digit_groups, &separators, hint)?;
    let (integer_groups, decimal_digits) = match decimal_separator_index {
        Some(index) => (&digit_groups[..=index], digit_groups[index + 1]),
        None => (&digit_groups[..], ""),
    };
    let grouping_separators = &separators[..integer_groups.len() - 1];
    if let Some(first_grouping) = grouping_separators.first() {
        let uniform = grouping_separators
            .iter()
            .all(|kind| kind == first_grouping);
        let first_group_fits = (1..=3).contains(&integer_groups[0].len());
        let other_groups_are_thousands = integer_groups[1..].iter().all(|group| group.len() == 3);
        if !uniform || !first_group_fits || !other_groups_are_thousands {
            return None;
        }
    }
    let integer_digits: String = integer_groups.concat();
    let value = decimal_from_digits(&integer_digits, decimal_digits)?;
    Some(ParsedNumber {
        value,
        has_decimal_part: decimal_separator_index.is_some(),
        grouped_with_plain_spaces,
    })
}

/// Which separator (by index into `separators`) marks the decimals:
/// `Some(None)` for a whole number, `None` when the separators contradict
/// each other.
fn decimal_separator_position(
    digit_groups: &[&str],
    separators: &[SeparatorKind],
    hint: Option<DecimalStyle>,
) -> Option<Option<usize>> {
    let Some(&last) = separators.last() else {
        return Some(None);
    };
    let last_index = separators.len() - 1;
    let point_count = separators
        .iter()
        .filter(|&&kind| kind == SeparatorKind::Point)
        .count();
    let comma_count = separators
        .iter()
        .filter(|&&kind| kind == SeparatorKind::Comma)
        .count();
    if point_count > 0 && comma_count > 0 {
        // Both printed: the rightmost marks decimals and appears only once.
        let last_kind_count = if last == SeparatorKind::Point {
            point_count
        } else {
            comma_count
        };
        return (last.can_mark_decimals() && last_kind_count == 1).then_some(Some(last_index));
    }
    let decimal_capable_count = point_count + comma_count;
    if decimal_capable_count == 0 {
        return Some(None);
    }
    if decimal_capable_count > 1 {
        // A repeated `.` or `,` can only group thousands.
        return (separators.iter().all(|&kind| kind == last)).then_some(None);
    }
    if !last.can_mark_decimals() {
        // `1.234 567`: a decimal separator followed by more grouping.
        return None;
    }
    if separators.len() > 1 {
        // `1 234,56`, `1'234.56`: other grouping before it, so it marks decimals.
        return Some(Some(last_index));
    }
    let first_group = digit_groups[0];
    let digits_after = digit_groups[1].len();
    let could_be_thousands =
        digits_after == 3 && first_group.len() <= 3 && !first_group.starts_with('0');
    if !could_be_thousands {
        return Some(Some(last_index));
    }
    let is_thousands = match hint {
        Some(DecimalStyle::Comma) => last == SeparatorKind::Point,
        Some(DecimalStyle::Point) => last == SeparatorKind::Comma,
        None => true,
    };
    Some(if is_thousands { None } else { Some(last_index) })
}

fn decimal_from_digits(integer_digits: &str, decimal_digits: &str) -> Option<Decimal> {
    let significant = integer_digits.trim_start_matches('0').len() + decimal_digits.len();
    if integer_digits.is_empty() || significant > MAXIMUM_SIGNIFICANT_DIGITS {
        return None;
    }
    if decimal_digits.is_empty() {
        Decimal::from_str(integer_digits).ok()
    } else {
        Decimal::from_str(&format!("{integer_digits}.{decimal_digits}")).ok()
    }
}

/// Peels currency markers and sign notation off both ends of a printed
/// amount, returning whether it is negative and the bare number. At most one
/// sign notation and one currency marker per side are accepted.
fn strip_sign_and_currency(text: &str) -> Option<(bool, &str)> {
    let mut rest = text.trim();
    let mut sign_notations = 0;
    let mut currency_before = false;
    let mut currency_after = false;
    loop {
        let before_this_round = rest;
        if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            sign_notations += 1;
            rest = inner;
        } else if let Some(after_minus) = rest.strip_prefix(MINUS_SIGNS) {
            sign_notations += 1;
            rest = after_minus;
        } else if let Some(before_minus) = rest.strip_suffix(MINUS_SIGNS) {
            sign_notations += 1;
            rest = before_minus;
        } else if let Some(after_plus) = rest.strip_prefix('+') {
            rest = after_plus;
        } else if let Some(marker) = (!currency_before)
            .then(|| currency_marker_at_start(rest))
            .flatten()
        {
            currency_before = true;
            rest = &rest[marker.len()..];
        } else if let Some(marker) = (!currency_after)
            .then(|| currency_marker_at_end(rest))
            .flatten()
        {
            currency_after = true;
            rest = &rest[..rest.len() - marker.len()];
        }
        rest = rest.trim();
        if rest == before_this_round {
            break;
        }
    }
    (sign_notations <= 1 && !rest.is_empty()).then_some((sign_notations == 1, rest))
}

fn currency_marker_at_start(text: &str) -> Option<&'static str> {
    CURRENCY_MARKERS.iter().copied().find(|marker| {
        text.len() >= marker.len()
            && text.is_char_boundary(marker.len())
            && text[..marker.len()].eq_ignore_ascii_case(marker)
    })
}

fn currency_marker_at_end(text: &str) -> Option<&'static str> {
    CURRENCY_MARKERS.iter().copied().find(|marker| {
        let start = text.len().wrapping_sub(marker.len());
        text.len() >= marker.len()
            && text.is_char_boundary(start)
            && text[start..].eq_ignore_ascii_case(marker)
    })
}

/// A currency marker ending exactly at `end` that is a word of its own (no
/// letter or digit glued before a code like `EUR`). Returns its start.
fn currency_marker_ending_at(line: &str, end: usize) -> Option<usize> {
    let marker = currency_marker_at_end(&line[..end])?;
    let start = end - marker.len();
    let starts_with_letter = marker.starts_with(|c: char| c.is_ascii_alphabetic());
    let glued_to_a_word = char_before(line, start).is_some_and(char::is_alphanumeric);
    (!(starts_with_letter && glued_to_a_word)).then_some(start)
}

/// A currency marker starting exactly at `start` that is a word of its own
/// (no letter or digit glued after a code like `EUR`). Returns its end.
fn currency_marker_starting_at(line: &str, start: usize) -> Option<usize> {
    let marker = currency_marker_at_start(&line[start..])?;
    let end = start + marker.len();
    let ends_with_letter = marker.ends_with(|c: char| c.is_ascii_alphabetic());
    let glued_to_a_word = line[end..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric);
    (!(ends_with_letter && glued_to_a_word)).then_some(end)
}

fn char_before(text: &str, position: usize) -> Option<char> {
    text[..position].chars().next_back()
}

fn char_at(text: &str, position: usize) -> Option<char> {
    text.get(position..)?.chars().next()
}

/// The end of the longest run from `start` (a digit) made of digits joined
/// by single separators; a plain space counts only when exactly three digits
/// follow it.
fn scan_number_core(line: &str, start: usize) -> usize {
    let bytes = line.as_bytes();
    let skip_digits = |mut position: usize| {
        while position < bytes.len() && bytes[position].is_ascii_digit() {
            position += 1;
        }
        position
    };
    let mut end = skip_digits(start);
    while let Some(separator) = char_at(line, end) {
        let after_separator = end + separator.len_utf8();
        let digits_end = skip_digits(after_separator);
        let digit_count = digits_end - after_separator;
        let accepted = match separator {
            ' ' => digit_count == 3,
            c => SeparatorKind::of(c).is_some() && digit_count > 0,
        };
        if !accepted {
            break;
        }
        end = digits_end;
    }
    end
}

/// The longest prefix of `line[start..maximal_end]` that reads as one
/// number, trying cuts at plain spaces (`1 234,56 200,00` is two amounts).
fn longest_parsable_prefix(
    line: &str,
    start: usize,
    maximal_end: usize,
    hint: Option<DecimalStyle>,
) -> Option<(usize, ParsedNumber)> {
    let mut candidate_ends: Vec<usize> = line[start..maximal_end]
        .match_indices(' ')
        .map(|(offset, _)| start + offset)
        .collect();
    candidate_ends.push(maximal_end);
    candidate_ends.into_iter().rev().find_map(|end| {
        let parsed = parse_number_core(&line[start..end], hint)?;
        let acceptable = !parsed.grouped_with_plain_spaces || parsed.has_decimal_part;
        acceptable.then_some((end, parsed))
    })
}

/// Checks what touches the number `line[start..end]` and widens the range
/// over an adjacent currency marker and sign notation. Returns `None` when
/// the number is glued to something that makes it not an amount.
fn surround_with_sign_and_currency(
    line: &str,
    start: usize,
    end: usize,
) -> Option<(Range<usize>, bool)> {
    let mut left = start;
    let mut is_negative = false;

    let mut currency_before = false;
    match char_before(line, left) {
        Some(c) if c.is_alphanumeric() => {
            // Only a currency code may be glued before the digits (`EUR1.234`).
            left = currency_marker_ending_at(line, left)?;
            currency_before = true;
        }
        Some('/') => return None,
        Some(':') if char_before(line, left - 1).is_some_and(|c| c.is_ascii_digit()) => {
            return None;
        }
        Some(c) if MINUS_SIGNS.contains(&c) => {
            let minus_start = left - c.len_utf8();
            if char_before(line, minus_start).is_some_and(char::is_alphanumeric) {
                return None; // `2026-0042`, `INV-12`
            }
            is_negative = true;
            left = minus_start;
        }
        _ => {}
    }
    let separate_currency_start = || {
        currency_marker_ending_at(line, left).or_else(|| {
            let before_space = left
                .checked_sub(1)
                .filter(|&p| line.as_bytes()[p] == b' ')?;
            currency_marker_ending_at(line, before_space)
        })
    };
    if !currency_before && let Some(currency_start) = separate_currency_start() {
        left = currency_start;
    }
    if !is_negative && let Some(minus) = char_before(line, left).filter(|c| MINUS_SIGNS.contains(c))
    {
        let minus_start = left - minus.len_utf8();
        if !char_before(line, minus_start).is_some_and(char::is_alphanumeric) {
            is_negative = true;
            left = minus_start;
        }
    }
    let opened_parenthesis = !is_negative && char_before(line, left) == Some('(');

    let mut right = end;
    match char_at(line, right) {
        Some(c) if c.is_alphanumeric() => {
            right = currency_marker_starting_at(line, right)?;
        }
        Some('/') | Some(':') if char_at(line, right + 1).is_some_and(|c| c.is_ascii_digit()) => {
            return None;
        }
        Some(c)
            if MINUS_SIGNS.contains(&c)
                && char_at(line, right + c.len_utf8()).is_some_and(char::is_alphanumeric) =>
        {
            return None; // `123-45`
        }
        _ => {}
    }
    let after_spaces = line[right..]
        .char_indices()
        .find(|(_, c)| !SPACE_LIKE_GROUPING.contains(c))
        .map_or(line.len(), |(offset, _)| right + offset);
    if char_at(line, after_spaces) == Some('%') {
        return None;
    }
    if right == end {
        let currency_end = currency_marker_starting_at(line, right).or_else(|| {
            (char_at(line, right) == Some(' '))
                .then(|| currency_marker_starting_at(line, right + 1))
                .flatten()
        });
        if let Some(currency_end) = currency_end {
            right = currency_end;
        }
    }
    if !is_negative && let Some(minus) = char_at(line, right).filter(|c| MINUS_SIGNS.contains(c)) {
        let after_minus = right + minus.len_utf8();
        if !char_at(line, after_minus).is_some_and(char::is_alphanumeric) {
            is_negative = true;
            right = after_minus;
        }
    }
    if opened_parenthesis && !is_negative && char_at(line, right) == Some(')') {
        is_negative = true;
        left -= 1;
        right += 1;
    }
    Some((left..right, is_negative))
}

#[cfg(test)]
mod grouped_formatting_tests {
    use super::*;

    #[test]
    fn grouped_amounts_are_written_the_way_each_style_writes_them() {
        assert_eq!(format_amount_grouped(Decimal::new(124_000, 2), DecimalStyle::Comma), "1.240,00");
        assert_eq!(format_amount_grouped(Decimal::new(124_000, 2), DecimalStyle::Point), "1,240.00");
        assert_eq!(format_amount_grouped(Decimal::new(-2_000, 2), DecimalStyle::Point), "-20.00");
        assert_eq!(format_amount_grouped(Decimal::new(123_456_789, 2), DecimalStyle::Comma), "1.234.567,89");
        assert_eq!(format_amount_grouped(Decimal::new(5, 3), DecimalStyle::Comma), "0,01");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(text: &str) -> Decimal {
        Decimal::from_str(text).expect("test values are valid decimals")
    }

    fn amount(text: &str) -> Option<Decimal> {
        parse_amount(text, None)
    }

    fn values_found(line: &str, hint: Option<DecimalStyle>) -> Vec<Decimal> {
        find_amounts(line, hint)
            .into_iter()
            .map(|(_, value)| value)
            .collect()
    }

    #[test]
    fn spanish_thousands_and_comma_decimals_parse() {
        assert_eq!(amount("1.234,56"), Some(decimal("1234.56")));
        assert_eq!(amount("1.234.567,89"), Some(decimal("1234567.89")));
        assert_eq!(amount("1234,56"), Some(decimal("1234.56")));
        assert_eq!(amount("12,5"), Some(decimal("12.5")));
        assert_eq!(amount("0,21"), Some(decimal("0.21")));
    }

    #[test]
    fn english_thousands_and_point_decimals_parse() {
        assert_eq!(amount("1,234.56"), Some(decimal("1234.56")));
        assert_eq!(amount("1,234,567.89"), Some(decimal("1234567.89")));
        assert_eq!(amount("1234.56"), Some(decimal("1234.56")));
        assert_eq!(amount("0.99"), Some(decimal("0.99")));
        assert_eq!(amount("42"), Some(decimal("42")));
    }

    #[test]
    fn spaces_and_apostrophes_group_thousands() {
        assert_eq!(amount("1 234,56"), Some(decimal("1234.56")));
        assert_eq!(amount("1\u{00A0}234,56"), Some(decimal("1234.56")));
        assert_eq!(
            amount("1\u{202F}234\u{202F}567,89"),
            Some(decimal("1234567.89"))
        );
        assert_eq!(amount("1\u{2009}234.56"), Some(decimal("1234.56")));
        assert_eq!(amount("1'234.56"), Some(decimal("1234.56")));
        assert_eq!(amount("1\u{2019}234.50"), Some(decimal("1234.50")));
        assert_eq!(amount("1 234"), Some(decimal("1234")));
    }

    #[test]
    fn currency_symbols_and_codes_on_either_side_are_ignored() {
        let expected = Some(decimal("1234.56"));
        assert_eq!(amount("1.234,56 €"), expected);
        assert_eq!(amount("1.234,56€"), expected);
        assert_eq!(amount("€1,234.56"), expected);
        assert_eq!(amount("€ 1.234,56"), expected);
        assert_eq!(amount("$1,234.56"), expected);
        assert_eq!(amount("US$ 1,234.56"), expected);
        assert_eq!(amount("£1,234.56"), expected);
        assert_eq!(amount("EUR 1.234,56"), expected);
        assert_eq!(amount("1.234,56 EUR"), expected);
        assert_eq!(amount("1,234.56 USD"), expected);
        assert_eq!(amount("GBP 1,234.56"), expected);
        assert_eq!(amount("$1,234.56 MXN"), expected);
        assert_eq!(amount("1.234,56 euros"), expected);
        assert_eq!(amount("COP 1.500.000"), Some(decimal("1500000")));
        assert_eq!(amount("1'234.56 CHF"), expected);
    }

    #[test]
    fn minus_signs_trailing_minus_and_parentheses_make_negatives() {
        let expected = Some(decimal("-20.00"));
        assert_eq!(amount("-20,00"), expected);
        assert_eq!(amount("\u{2212}20,00"), expected);
        assert_eq!(amount("20,00-"), expected);
        assert_eq!(amount("(20.00)"), expected);
        assert_eq!(amount("-€20.00"), expected);
        assert_eq!(amount("€-20.00"), expected);
        assert_eq!(amount("(€20.00)"), expected);
        assert_eq!(amount("€ (20.00)"), expected);
        assert_eq!(amount("-20,00 €"), expected);
        assert_eq!(amount("+20,00"), Some(decimal("20.00")));
    }

    #[test]
    fn a_single_separator_before_three_digits_follows_the_hint() {
        assert_eq!(
            parse_amount("1.234", Some(DecimalStyle::Comma)),
            Some(decimal("1234"))
        );
        assert_eq!(
            parse_amount("1.234", Some(DecimalStyle::Point)),
            Some(decimal("1.234"))
        );
        assert_eq!(parse_amount("1.234", None), Some(decimal("1234")));
        assert_eq!(
            parse_amount("1,234", Some(DecimalStyle::Comma)),
            Some(decimal("1.234"))
        );
        assert_eq!(
            parse_amount("1,234", Some(DecimalStyle::Point)),
            Some(decimal("1234"))
        );
        assert_eq!(parse_amount("1,234", None), Some(decimal("1234")));
    }

    #[test]
    fn a_separator_whose_role_is_evident_ignores_the_hint() {
        assert_eq!(
            parse_amount("12.50", Some(DecimalStyle::Comma)),
            Some(decimal("12.50"))
        );
        assert_eq!(
            parse_amount("12,50", Some(DecimalStyle::Point)),
            Some(decimal("12.50"))
        );
        assert_eq!(
            parse_amount("1,234.56", Some(DecimalStyle::Comma)),
            Some(decimal("1234.56"))
        );
        assert_eq!(
            parse_amount("1.234.567", Some(DecimalStyle::Point)),
            Some(decimal("1234567"))
        );
        assert_eq!(parse_amount("0,125", None), Some(decimal("0.125")));
        assert_eq!(parse_amount("1234,567", None), Some(decimal("1234.567")));
    }

    #[test]
    fn garbage_two_decimal_separators_and_dates_are_rejected() {
        for garbage in [
            "",
            "   ",
            "€",
            "-",
            "abc",
            "12a34",
            "1.234,56,78",
            "1,234.56.78",
            "1..234",
            "1,",
            ",50",
            "1.23.456",
            "1 234 5678",
            "1.234 567",
            "15.03.2026",
            "2026-03-15",
            "15/03/2026",
            "--20",
            "(-20)",
            "(20",
            "EUR EUR 20",
            "20 % ",
            "N/A",
            "99999999999999999999999999999999",
        ] {
            assert_eq!(amount(garbage), None, "{garbage:?} should not parse");
        }
    }

    #[test]
    fn the_normal_form_has_two_decimals_rounded_half_away_from_zero() {
        assert_eq!(format_amount(decimal("1234.56")), "1234.56");
        assert_eq!(format_amount(decimal("-20")), "-20.00");
        assert_eq!(format_amount(Decimal::ZERO), "0.00");
        assert_eq!(format_amount(decimal("1000000")), "1000000.00");
        assert_eq!(format_amount(decimal("2.345")), "2.35");
        assert_eq!(format_amount(decimal("2.3449")), "2.34");
        assert_eq!(format_amount(decimal("-2.345")), "-2.35");
        assert_eq!(format_amount(decimal("259.2576")), "259.26");
        assert_eq!(format_amount(decimal("12.5")), "12.50");
    }

    #[test]
    fn a_tiny_negative_rounds_to_plain_zero() {
        assert_eq!(format_amount(decimal("-0.001")), "0.00");
        assert_eq!(format_amount(decimal("-0.00")), "0.00");
    }

    #[test]
    fn every_amount_on_a_spanish_totals_line_is_found_without_the_tax_rate() {
        let line = "Base imponible 1.234,56 € IVA 21% 259,26 € Total 1.493,82 €";
        let found = find_amounts(line, None);
        let texts: Vec<&str> = found
            .iter()
            .map(|(range, _)| &line[range.clone()])
            .collect();
        assert_eq!(texts, vec!["1.234,56 €", "259,26 €", "1.493,82 €"]);
        assert_eq!(
            values_found(line, None),
            vec![decimal("1234.56"), decimal("259.26"), decimal("1493.82")]
        );
    }

    #[test]
    fn every_amount_on_an_english_totals_line_is_found_without_the_tax_rate() {
        let line = "Subtotal $1,234.56 Sales tax (8.25%) $101.85 Total $1,336.41";
        assert_eq!(
            values_found(line, Some(DecimalStyle::Point)),
            vec![decimal("1234.56"), decimal("101.85"), decimal("1336.41")]
        );
    }

    #[test]
    fn dates_invoice_numbers_and_tax_ids_on_a_line_are_not_amounts() {
        assert_eq!(
            values_found("Fecha 15/03/2026 Total 1.234,56", None),
            vec![decimal("1234.56")]
        );
        assert_eq!(
            values_found("Date: 15.03.2026 Amount: 99,90", None),
            vec![decimal("99.90")]
        );
        assert_eq!(
            values_found("15 de marzo de 2026 importe 100,00", None),
            vec![decimal("100.00")]
        );
        assert_eq!(
            values_found("Invoice date March 15, 2026 due $50.00", None),
            vec![decimal("50.00")]
        );
        assert_eq!(
            values_found("Factura 2026-0042 CIF B12345674 Total: 1.234,56", None),
            vec![decimal("1234.56")]
        );
        assert_eq!(
            values_found("Hora 10:30 total 5,00", None),
            vec![decimal("5.00")]
        );
        assert_eq!(values_found("Peso 12kg, 3 uds.", None), vec![decimal("3")]);
    }

    #[test]
    fn negative_amounts_on_a_line_keep_their_sign_and_notation() {
        let line = "Abono (1.234,56) y -20,00 € y 5,00- y €-7,50";
        let found = find_amounts(line, None);
        let texts: Vec<&str> = found
            .iter()
            .map(|(range, _)| &line[range.clone()])
            .collect();
        assert_eq!(texts, vec!["(1.234,56)", "-20,00 €", "5,00-", "€-7,50"]);
        assert_eq!(
            values_found(line, None),
            vec![
                decimal("-1234.56"),
                decimal("-20.00"),
                decimal("-5.00"),
                decimal("-7.50")
            ]
        );
    }

    #[test]
    fn plain_spaces_group_thousands_only_in_numbers_with_decimals() {
        assert_eq!(
            values_found("Total TTC 1 234,56 200,00", None),
            vec![decimal("1234.56"), decimal("200.00")]
        );
        assert_eq!(
            values_found("Tel. 912 345 678", None),
            vec![decimal("912"), decimal("345"), decimal("678")]
        );
        assert_eq!(
            values_found("Montant 1\u{202F}234 EUR", None),
            vec![decimal("1234")]
        );
    }

    #[test]
    fn a_grouped_amount_is_one_token_never_two() {
        assert_eq!(
            values_found("Total 1.234,56", None),
            vec![decimal("1234.56")]
        );
        assert_eq!(
            values_found("Total 1,234,567.89", None),
            vec![decimal("1234567.89")]
        );
        assert_eq!(values_found("Lista 1,2,3", None), Vec::<Decimal>::new());
    }

    #[test]
    fn each_found_range_parses_back_to_its_value() {
        let lines = [
            "Base imponible 1.234,56 € IVA 21% 259,26 € Total 1.493,82 €",
            "Abono (1.234,56) y -20,00 € y 5,00- y €-7,50",
            "TOTAL EUR 1.234,56 | USD1,000.00 | 12 £ | US$ 3.50",
        ];
        for line in lines {
            let found = find_amounts(line, None);
            assert!(!found.is_empty());
            for (range, value) in found {
                assert_eq!(
                    parse_amount(&line[range.clone()], None),
                    Some(value),
                    "{:?}",
                    &line[range]
                );
            }
        }
    }

    #[test]
    fn percentages_are_found_with_or_without_a_space_and_with_decimals() {
        let found = |line: &str| -> Vec<Decimal> {
            find_percentages(line)
                .into_iter()
                .map(|(_, value)| value)
                .collect()
        };
        assert_eq!(found("IVA 21%"), vec![decimal("21")]);
        assert_eq!(found("IVA 21 %"), vec![decimal("21")]);
        assert_eq!(found("IVA reducido 10,5%"), vec![decimal("10.5")]);
        assert_eq!(found("Sales tax (8.25%)"), vec![decimal("8.25")]);
        assert_eq!(
            found("IVA 21,00 % y retención IRPF 15 %"),
            vec![decimal("21"), decimal("15")]
        );
        assert_eq!(found("Descuento -5%"), vec![decimal("-5")]);
        assert_eq!(found("Total 1.234,56 €"), Vec::<Decimal>::new());
        let line = "IVA 21% sobre 100,00";
        let (range, _) = &find_percentages(line)[0];
        assert_eq!(&line[range.clone()], "21%");
    }

    #[test]
    fn the_decimal_style_of_a_document_is_guessed_from_its_unambiguous_amounts() {
        let spanish = "Fecha: 15.03.2026\nBase imponible 1.234,56\nIVA 21% 259,26\nTotal 1.493,82";
        assert_eq!(detect_decimal_style(spanish), Some(DecimalStyle::Comma));
        let english = "Date: 03/15/2026\nSubtotal 1,234.56\nTax 101.85\nTotal 1,336.41";
        assert_eq!(detect_decimal_style(english), Some(DecimalStyle::Point));
        assert_eq!(
            detect_decimal_style("Fecha 15.03.2026, versión 1.2.3"),
            None
        );
        assert_eq!(detect_decimal_style(""), None);
    }

    #[test]
    fn the_decimal_style_read_from_a_texts_ascii_shadow_is_the_texts_own() {
        for text in ["Importe 1.234,56 €\nIVA 259,26 €\né12.50 ñ7.25", "Total £1,234.56 · Tax €101.85", "Straße 3,25€ und 4.75€ 12.03.2026"] {
            let shadow = crate::parse::ascii_shadow(text).expect("no non-ASCII digits");
            assert_eq!(detect_decimal_style(&shadow), detect_decimal_style(text), "{text}");
        }
    }
}
