//! ICAO 9303 machine-readable zones (MRZ): this module owns the five MRZ
//! layouts (TD1, TD2, TD3, MRV-A, MRV-B), the 7-3-1 check digits, how MRZ
//! names and `YYMMDD` dates are read, and how an MRZ is recovered from noisy
//! OCR text.
//!
//! There are two entry points, and they differ only in how much they trust
//! their input:
//!
//! - [`parse_mrz_lines`] takes lines that are already exact (right count,
//!   right length, only `A-Z`, `0-9` and `<`) and never changes a character.
//! - [`find_mrz`] takes OCR output, finds the MRZ band in it, cleans it and
//!   repairs the usual OCR confusions before parsing.
//!
//! # Why the repairs are shaped the way they are
//!
//! The MRZ is the most trustworthy part of an identity document only because
//! its check digits catch reading errors. A repair that makes a check digit
//! hold by changing an arbitrary character would destroy exactly that
//! property: a tampered or misread date would come out "valid". So
//! [`find_mrz`] changes a character only on one of two grounds:
//!
//! 1. **The field's type says so.** Dates, the sex and the check digits are
//!    numeric, so a letter there (`O`, `I`, `S`, `B`, `Z`, `G`, ...) can only be
//!    a misread digit; country codes, the document code and names are
//!    alphabetic, so a digit there can only be a misread letter; a `K` in the
//!    run of fillers that closes a name, a document number or an
//!    optional-data field can only be a misread `<` (a `K` right after the
//!    last letter or digit stays: `ERIK`, `NOVAK`; a run of three or more
//!    after a name goes). These repairs are made
//!    whatever the check digits say, and a check digit that still fails
//!    afterwards is reported as failing. `K` and `<` are a question for this
//!    rule only: their values (20 and 0) are equal modulo 10, so no check
//!    digit can ever tell them apart.
//! 2. **A check digit confirms it.** The document number (and the TD3
//!    optional data) may hold letters and digits alike, so a confusable pair
//!    (`0`/`O`, `1`/`I`, `5`/`S`, `8`/`B`, `2`/`Z`, `6`/`G`) can only be
//!    resolved by trying variants: only fields whose *own* check
//!    digit fails are searched, at most [`MAXIMUM_SIMULTANEOUS_REPAIRS`]
//!    characters are changed, and the check digit alone is not enough: a
//!    mod-10 digit is satisfied by one variant in ten by chance, and it
//!    often cannot separate the pairs at all (`6` and `G` differ by 10 and
//!    are never told apart; `8`/`B` and `2`/`Z` often collide). Document
//!    numbers are blocks of letters and blocks of digits, and an OCR
//!    confusion leaves an isolated island (`L8989O2C3`), so among the
//!    fewest-changes variants that satisfy the check digit, the one with
//!    the fewest letter/digit alternations is taken, only if no other
//!    variant ties with it and only if it has strictly fewer alternations
//!    than the field as read (it removes an island rather than moving one).
//!    Where the format has a composite check digit, it must hold after the
//!    repair too. Otherwise the field is left as read and reported invalid.
//!
//! Digits are never changed into other digits, and a field whose check digit
//! already holds is never searched for variants, so a birth date with one
//! digit altered is reported with its check digit (and the composite)
//! invalid.
//!
//! Names carry no check digit, so a `<` read as `K` inside a name (the `<<`
//! between surname and given names read as `<K`, or the first filler after a
//! name read as an attached `K`: `MARIAK`) cannot be told from a real `K`
//! and is left as read.
//!
//! Every repair is recorded in [`MrzRecord::corrections`] by field name,
//! kind of repair and position, never with the characters involved.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The ICAO 9303 MRZ layouts this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MrzFormat {
    /// Size-1 card (ID cards, residence permits): three lines of 30.
    Td1,
    /// Size-2 document: two lines of 36.
    Td2,
    /// Passport booklet: two lines of 44.
    Td3,
    /// Full-size machine-readable visa: two lines of 44 starting with `V`.
    MrvA,
    /// Small machine-readable visa: two lines of 36 starting with `V`.
    MrvB,
}

impl MrzFormat {
    /// How many lines the MRZ of this format has.
    pub fn line_count(self) -> usize {
        match self {
            MrzFormat::Td1 => 3,
            MrzFormat::Td2 | MrzFormat::Td3 | MrzFormat::MrvA | MrzFormat::MrvB => 2,
        }
    }

    /// How many characters each line of this format has.
    pub fn line_length(self) -> usize {
        match self {
            MrzFormat::Td1 => 30,
            MrzFormat::Td2 | MrzFormat::MrvB => 36,
            MrzFormat::Td3 | MrzFormat::MrvA => 44,
        }
    }

    /// The conventional short name (`TD1`, `TD2`, `TD3`, `MRVA`, `MRVB`).
    pub fn label(self) -> &'static str {
        match self {
            MrzFormat::Td1 => "TD1",
            MrzFormat::Td2 => "TD2",
            MrzFormat::Td3 => "TD3",
            MrzFormat::MrvA => "MRVA",
            MrzFormat::MrvB => "MRVB",
        }
    }

    /// The format a block of `line_count` lines of `line_length` characters
    /// has, given the first character of its first line (visas start with
    /// `V`).
    fn from_shape(line_count: usize, line_length: usize, first_character: u8) -> Option<Self> {
        let is_visa = first_character == b'V';
        match (line_count, line_length, is_visa) {
            (3, 30, _) => Some(MrzFormat::Td1),
            (2, 36, false) => Some(MrzFormat::Td2),
            (2, 36, true) => Some(MrzFormat::MrvB),
            (2, 44, false) => Some(MrzFormat::Td3),
            (2, 44, true) => Some(MrzFormat::MrvA),
            _ => None,
        }
    }

    fn layout(self) -> &'static FormatLayout {
        match self {
            MrzFormat::Td1 => &TD1_LAYOUT,
            MrzFormat::Td2 => &TD2_LAYOUT,
            MrzFormat::Td3 => &TD3_LAYOUT,
            MrzFormat::MrvA => &MRV_A_LAYOUT,
            MrzFormat::MrvB => &MRV_B_LAYOUT,
        }
    }

    /// Whether a document code's first letter is one ICAO allows for this
    /// format (used only to rank OCR candidates).
    fn accepts_document_code(self, document_code: &str) -> bool {
        let first = document_code.bytes().next();
        match self {
            MrzFormat::Td1 => matches!(first, Some(b'I' | b'A' | b'C' | b'R')),
            MrzFormat::Td2 => matches!(first, Some(b'I' | b'A' | b'C' | b'R' | b'P')),
            MrzFormat::Td3 => matches!(first, Some(b'P')),
            MrzFormat::MrvA | MrzFormat::MrvB => matches!(first, Some(b'V')),
        }
    }
}

/// ICAO 9303 check digit of `field`: character values (`0`-`9` as
/// themselves, `A`=10 … `Z`=35, `<`=0) weighted 7, 3, 1, 7, 3, 1, … and
/// summed modulo 10. `None` when `field` holds any other character
/// (lowercase included).
pub fn check_digit(field: &str) -> Option<u8> {
    check_digit_of_bytes(field.as_bytes())
}

fn check_digit_of_bytes(field: &[u8]) -> Option<u8> {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let mut sum = 0u32;
    for (index, &byte) in field.iter().enumerate() {
        sum += mrz_character_value(byte)? * WEIGHTS[index % 3];
    }
    Some((sum % 10) as u8)
}

fn mrz_character_value(byte: u8) -> Option<u32> {
    match byte {
        b'0'..=b'9' => Some(u32::from(byte - b'0')),
        b'A'..=b'Z' => Some(u32::from(byte - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// Whether the printed check character `printed_check` is a digit equal to
/// the check digit of `value`.
///
/// A filler `<` in a check-digit position never holds, not even over an
/// all-filler field: that is the verdict the shared MRZ vectors record
/// (`shared/corpus/mrz/mrz_text_vectors.json`, the Polish specimen), so a
/// `<` there sends the document to review instead of passing silently.
fn check_digit_holds(value: &[u8], printed_check: u8) -> bool {
    printed_check.is_ascii_digit() && check_digit_of_bytes(value) == Some(printed_check - b'0')
}

/// The verdict on one check digit of an MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckDigitResult {
    /// Which check digit: `document_number`, `birth_date`, `expiry_date`,
    /// `optional_data` (TD3 only) or `composite` (TD1, TD2, TD3).
    pub name: &'static str,
    /// Whether the printed check digit equals the one computed.
    pub valid: bool,
}

/// One machine-readable zone, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzRecord {
    /// The layout the zone was read with.
    pub format: MrzFormat,
    /// The document code without fillers: `P`, `I`, `ID`, `AR`, `V`, `VN`, …
    pub document_code: String,
    /// The issuing state or organisation, fillers removed (`UTO`, `D`).
    pub issuing_country: String,
    /// The primary identifier: uppercase, `<` as single spaces.
    pub surname: String,
    /// The secondary identifier (everything after the first `<<`): uppercase,
    /// `<` as single spaces; empty when there is none.
    pub given_names: String,
    /// The document number with fillers removed, including the part a TD1 or
    /// TD2 long document number carries in the optional data.
    pub document_number: String,
    /// The holder's nationality, fillers removed.
    pub nationality: String,
    /// The date of birth; its century is the latest that does not put it
    /// after the `today` the parser was given. `None` when unreadable.
    pub birth_date: Option<NaiveDate>,
    /// `M`, `F`, or `X` (printed as `<` or `X`); `None` when unreadable.
    pub sex: Option<char>,
    /// The expiry date; `YY` is read in the century window that ends
    /// [`EXPIRY_YEARS_AHEAD`] years after `today` (see [`parse_mrz_lines`]).
    pub expiry_date: Option<NaiveDate>,
    /// The optional data elements as printed, outer fillers removed (TD1's
    /// two fields joined by one space; the continuation of a long document
    /// number excluded).
    pub optional_data: String,
    /// The MRZ lines as decoded (after any OCR repair), one string per line.
    pub lines: Vec<String>,
    /// Every check digit of the format, in ICAO order: document number,
    /// birth date, expiry date, then optional data (TD3) and composite (TD1,
    /// TD2, TD3).
    pub check_digits: Vec<CheckDigitResult>,
    /// Human-readable descriptions of the OCR repairs applied by
    /// [`find_mrz`] (field, kind of repair and positions, never the
    /// characters themselves); empty for [`parse_mrz_lines`].
    pub corrections: Vec<String>,
}

impl MrzRecord {
    /// Whether every check digit of the zone holds (the contract's
    /// `mrz_valid`).
    pub fn all_check_digits_valid(&self) -> bool {
        !self.check_digits.is_empty() && self.check_digits.iter().all(|result| result.valid)
    }

    /// Whether the zone can be a real one: ordinary text can be bent into
    /// MRZ shape, but a real zone starts with a document code, is padded
    /// with `<` fillers, and, even when tampered with or misread, has at
    /// least two check digits that hold.
    pub fn is_plausible(&self) -> bool {
        let starts_with_document_code = self.lines.first().and_then(|line| line.chars().next()).is_some_and(|code| matches!(code, 'P' | 'I' | 'A' | 'C' | 'V'));
        let fillers = self.lines.iter().map(|line| line.matches('<').count()).sum::<usize>();
        let holding_check_digits = self.check_digits.iter().filter(|check| check.valid).count();
        starts_with_document_code && fillers >= 5 && holding_check_digits >= 2
    }

    /// The contract's `document_type` for this document code: `passport`
    /// (`P…`), `residence_permit` (the codes issuers use for residence
    /// permits: `IR`, `AR`, `CR`, `RP`, `RT`), `id_card` (other `I…`, `A…`,
    /// `C…`), or `other` (visas `V…` and anything else).
    ///
    /// ICAO leaves the second letter of the code to the issuer, so the
    /// residence-permit list is a judgement call based on issuing practice
    /// (EU and UK permits use `IR` or `AR`); an unknown code falls back on
    /// its first letter.
    pub fn document_type(&self) -> &'static str {
        const RESIDENCE_PERMIT_CODES: [&str; 5] = ["IR", "AR", "CR", "RP", "RT"];
        let code = self.document_code.as_str();
        if RESIDENCE_PERMIT_CODES.contains(&code) {
            return "residence_permit";
        }
        match code.bytes().next() {
            Some(b'P') => "passport",
            Some(b'I' | b'A' | b'C') => "id_card",
            _ => "other",
        }
    }

    /// The MRZ lines joined with `\n` (the contract's `mrz` field).
    pub fn mrz_text(&self) -> String {
        self.lines.join("\n")
    }
}

/// How many years past `today` an MRZ expiry date may lie: `YY` is read as
/// the latest year ending in `YY` that is at most this far ahead. Passports
/// and ID cards are issued for at most ten to fifteen years (a few states
/// issue twenty-year documents), so twenty years ahead keeps every real
/// expiry in the 2000s today, while a visa or document that expired in the
/// 1990s (`96` read in 2026) stays in the past instead of jumping to 2096.
pub const EXPIRY_YEARS_AHEAD: i32 = 20;

/// At most this many characters of one alphanumeric field are changed while
/// looking for the variant whose check digit holds. Each extra change
/// multiplies the variants tried, and every variant has a one-in-ten chance
/// of satisfying a check digit by accident.
pub const MAXIMUM_SIMULTANEOUS_REPAIRS: usize = 2;

/// Reads exact MRZ lines: two lines of 36 or 44 characters or three of 30,
/// only `A`-`Z`, `0`-`9` and `<`. Returns `None` for any other shape. No
/// character is changed; invalid check digits are reported, not repaired.
///
/// `today` fixes the centuries: birth dates take the latest century that
/// does not put them after `today`; expiry dates the latest that puts them
/// at most [`EXPIRY_YEARS_AHEAD`] years after it.
pub fn parse_mrz_lines(lines: &[&str], today: NaiveDate) -> Option<MrzRecord> {
    let first_line = lines.first()?;
    let format = MrzFormat::from_shape(
        lines.len(),
        first_line.len(),
        *first_line.as_bytes().first()?,
    )?;
    let all_lines_are_exact = lines
        .iter()
        .all(|line| line.len() == format.line_length() && line.bytes().all(is_mrz_character));
    if !all_lines_are_exact {
        return None;
    }
    let lines = lines.iter().map(|line| line.as_bytes().to_vec()).collect();
    Some(decode(format, lines, Vec::new(), today))
}

fn is_mrz_character(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'<'
}

// ---------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------

/// A field: `length` characters of line `line` starting at `start`
/// (all zero-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    line: usize,
    start: usize,
    length: usize,
}

const fn span(line: usize, start: usize, length: usize) -> Span {
    Span {
        line,
        start,
        length,
    }
}

impl Span {
    fn positions(self) -> impl Iterator<Item = Position> {
        (self.start..self.start + self.length).map(move |column| Position {
            line: self.line,
            column,
        })
    }

    fn first_position(self) -> Position {
        Position {
            line: self.line,
            column: self.start,
        }
    }
}

/// One character of the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Position {
    line: usize,
    column: usize,
}

/// Where each field of a format sits (ICAO 9303 parts 4 to 7).
struct FormatLayout {
    document_code: Span,
    issuing_country: Span,
    names: Span,
    document_number: Span,
    document_number_check: Span,
    nationality: Span,
    birth_date: Span,
    birth_date_check: Span,
    sex: Span,
    expiry_date: Span,
    expiry_date_check: Span,
    optional_data: &'static [Span],
    optional_data_check: Option<Span>,
    composite_check: Option<Span>,
    composite_inputs: &'static [Span],
    /// Where a long document number continues when the document-number
    /// check position holds a filler (TD1 and TD2 only).
    long_document_number_continuation: Option<Span>,
}

impl FormatLayout {
    fn numeric_fields(&self) -> Vec<(&'static str, Span)> {
        let mut fields = vec![
            ("document_number check digit", self.document_number_check),
            ("birth_date", self.birth_date),
            ("birth_date check digit", self.birth_date_check),
            ("expiry_date", self.expiry_date),
            ("expiry_date check digit", self.expiry_date_check),
        ];
        if let Some(optional_data_check) = self.optional_data_check {
            fields.push(("optional_data check digit", optional_data_check));
        }
        if let Some(composite_check) = self.composite_check {
            fields.push(("composite check digit", composite_check));
        }
        fields
    }

    /// Lines whose fields carry no check digit at all (the name lines).
    fn line_has_check_digits(&self, line: usize) -> bool {
        let mut checked_spans = vec![self.document_number, self.birth_date, self.expiry_date];
        checked_spans.extend(self.composite_inputs.iter().copied());
        checked_spans.iter().any(|checked| checked.line == line)
    }
}

const TD1_OPTIONAL_DATA: [Span; 2] = [span(0, 15, 15), span(1, 18, 11)];
const TD1_COMPOSITE_INPUTS: [Span; 4] = [
    span(0, 5, 25),
    span(1, 0, 7),
    span(1, 8, 7),
    span(1, 18, 11),
];
static TD1_LAYOUT: FormatLayout = FormatLayout {
    document_code: span(0, 0, 2),
    issuing_country: span(0, 2, 3),
    document_number: span(0, 5, 9),
    document_number_check: span(0, 14, 1),
    optional_data: &TD1_OPTIONAL_DATA,
    birth_date: span(1, 0, 6),
    birth_date_check: span(1, 6, 1),
    sex: span(1, 7, 1),
    expiry_date: span(1, 8, 6),
    expiry_date_check: span(1, 14, 1),
    nationality: span(1, 15, 3),
    composite_check: Some(span(1, 29, 1)),
    composite_inputs: &TD1_COMPOSITE_INPUTS,
    names: span(2, 0, 30),
    optional_data_check: None,
    long_document_number_continuation: Some(span(0, 15, 15)),
};

const TD2_OPTIONAL_DATA: [Span; 1] = [span(1, 28, 7)];
const TD2_COMPOSITE_INPUTS: [Span; 3] = [span(1, 0, 10), span(1, 13, 7), span(1, 21, 14)];
static TD2_LAYOUT: FormatLayout = FormatLayout {
    document_code: span(0, 0, 2),
    issuing_country: span(0, 2, 3),
    names: span(0, 5, 31),
    document_number: span(1, 0, 9),
    document_number_check: span(1, 9, 1),
    nationality: span(1, 10, 3),
    birth_date: span(1, 13, 6),
    birth_date_check: span(1, 19, 1),
    sex: span(1, 20, 1),
    expiry_date: span(1, 21, 6),
    expiry_date_check: span(1, 27, 1),
    optional_data: &TD2_OPTIONAL_DATA,
    optional_data_check: None,
    composite_check: Some(span(1, 35, 1)),
    composite_inputs: &TD2_COMPOSITE_INPUTS,
    long_document_number_continuation: Some(span(1, 28, 7)),
};

const TD3_OPTIONAL_DATA: [Span; 1] = [span(1, 28, 14)];
const TD3_COMPOSITE_INPUTS: [Span; 3] = [span(1, 0, 10), span(1, 13, 7), span(1, 21, 22)];
static TD3_LAYOUT: FormatLayout = FormatLayout {
    document_code: span(0, 0, 2),
    issuing_country: span(0, 2, 3),
    names: span(0, 5, 39),
    document_number: span(1, 0, 9),
    document_number_check: span(1, 9, 1),
    nationality: span(1, 10, 3),
    birth_date: span(1, 13, 6),
    birth_date_check: span(1, 19, 1),
    sex: span(1, 20, 1),
    expiry_date: span(1, 21, 6),
    expiry_date_check: span(1, 27, 1),
    optional_data: &TD3_OPTIONAL_DATA,
    optional_data_check: Some(span(1, 42, 1)),
    composite_check: Some(span(1, 43, 1)),
    composite_inputs: &TD3_COMPOSITE_INPUTS,
    long_document_number_continuation: None,
};

const MRV_A_OPTIONAL_DATA: [Span; 1] = [span(1, 28, 16)];
static MRV_A_LAYOUT: FormatLayout = FormatLayout {
    document_code: span(0, 0, 2),
    issuing_country: span(0, 2, 3),
    names: span(0, 5, 39),
    document_number: span(1, 0, 9),
    document_number_check: span(1, 9, 1),
    nationality: span(1, 10, 3),
    birth_date: span(1, 13, 6),
    birth_date_check: span(1, 19, 1),
    sex: span(1, 20, 1),
    expiry_date: span(1, 21, 6),
    expiry_date_check: span(1, 27, 1),
    optional_data: &MRV_A_OPTIONAL_DATA,
    optional_data_check: None,
    composite_check: None,
    composite_inputs: &[],
    long_document_number_continuation: None,
};

const MRV_B_OPTIONAL_DATA: [Span; 1] = [span(1, 28, 8)];
static MRV_B_LAYOUT: FormatLayout = FormatLayout {
    document_code: span(0, 0, 2),
    issuing_country: span(0, 2, 3),
    names: span(0, 5, 31),
    document_number: span(1, 0, 9),
    document_number_check: span(1, 9, 1),
    nationality: span(1, 10, 3),
    birth_date: span(1, 13, 6),
    birth_date_check: span(1, 19, 1),
    sex: span(1, 20, 1),
    expiry_date: span(1, 21, 6),
    expiry_date_check: span(1, 27, 1),
    optional_data: &MRV_B_OPTIONAL_DATA,
    optional_data_check: None,
    composite_check: None,
    composite_inputs: &[],
    long_document_number_continuation: None,
};

fn byte_at(lines: &[Vec<u8>], position: Position) -> u8 {
    lines[position.line][position.column]
}

fn read_span(lines: &[Vec<u8>], field: Span) -> Vec<u8> {
    lines[field.line][field.start..field.start + field.length].to_vec()
}

fn read_positions(lines: &[Vec<u8>], positions: &[Position]) -> Vec<u8> {
    positions
        .iter()
        .map(|&position| byte_at(lines, position))
        .collect()
}

fn ascii_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&byte| char::from(byte)).collect()
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// A value protected by its own check digit: the characters it is computed
/// over and where the printed check digit sits.
#[derive(Debug, Clone)]
struct CheckedField {
    name: &'static str,
    value: Vec<Position>,
    check: Position,
}

impl CheckedField {
    fn holds(&self, lines: &[Vec<u8>]) -> bool {
        check_digit_holds(
            &read_positions(lines, &self.value),
            byte_at(lines, self.check),
        )
    }
}

/// Where the document number lies, which depends on the zone's content: per
/// ICAO 9303 part 5 (TD1) and part 6 (TD2), section 4.2.4, a document number
/// longer than nine characters shows its first nine in the number field, a
/// filler in the check-digit position, and continues at the start of the
/// optional data, followed by its check digit (computed over the whole
/// number) and a filler.
struct DocumentNumberPlacement {
    field: CheckedField,
    /// How many characters of the continuation span (continuation and its
    /// check digit) belong to the document number; zero for a short number.
    continuation_characters: usize,
}

fn place_document_number(layout: &FormatLayout, lines: &[Vec<u8>]) -> DocumentNumberPlacement {
    let principal_positions: Vec<Position> = layout.document_number.positions().collect();
    let printed_check = layout.document_number_check.first_position();
    if let Some(continuation) = layout.long_document_number_continuation
        && byte_at(lines, printed_check) == b'<'
    {
        let continuation_bytes = read_span(lines, continuation);
        let used = continuation_bytes
            .iter()
            .position(|&byte| byte == b'<')
            .unwrap_or(continuation_bytes.len());
        if used >= 1 {
            let continuation_positions: Vec<Position> = continuation.positions().collect();
            let mut value = principal_positions;
            value.extend_from_slice(&continuation_positions[..used - 1]);
            return DocumentNumberPlacement {
                field: CheckedField {
                    name: "document_number",
                    value,
                    check: continuation_positions[used - 1],
                },
                continuation_characters: used,
            };
        }
    }
    DocumentNumberPlacement {
        field: CheckedField {
            name: "document_number",
            value: principal_positions,
            check: printed_check,
        },
        continuation_characters: 0,
    }
}

fn span_field(name: &'static str, value: Span, check: Span) -> CheckedField {
    CheckedField {
        name,
        value: value.positions().collect(),
        check: check.first_position(),
    }
}

fn composite_field(layout: &FormatLayout) -> Option<CheckedField> {
    let check = layout.composite_check?;
    let value = layout
        .composite_inputs
        .iter()
        .flat_map(|input| input.positions())
        .collect();
    Some(CheckedField {
        name: "composite",
        value,
        check: check.first_position(),
    })
}

fn optional_data_field(layout: &FormatLayout) -> Option<CheckedField> {
    let check = layout.optional_data_check?;
    let [optional_data] = layout.optional_data else {
        return None;
    };
    Some(span_field("optional_data", *optional_data, check))
}

/// Builds the record from exact-length lines of MRZ characters.
fn decode(
    format: MrzFormat,
    lines: Vec<Vec<u8>>,
    corrections: Vec<String>,
    today: NaiveDate,
) -> MrzRecord {
    let layout = format.layout();
    let placement = place_document_number(layout, &lines);

    let mut checked_fields = vec![
        placement.field.clone(),
        span_field("birth_date", layout.birth_date, layout.birth_date_check),
        span_field("expiry_date", layout.expiry_date, layout.expiry_date_check),
    ];
    checked_fields.extend(optional_data_field(layout));
    checked_fields.extend(composite_field(layout));
    let check_digits = checked_fields
        .iter()
        .map(|field| CheckDigitResult {
            name: field.name,
            valid: field.holds(&lines),
        })
        .collect();

    let document_number =
        ascii_string(&read_positions(&lines, &placement.field.value)).replace('<', "");
    let (surname, given_names) = split_names(&read_span(&lines, layout.names));
    let optional_data = layout
        .optional_data
        .iter()
        .map(|&optional_span| {
            let bytes = read_span(&lines, optional_span);
            let skipped = if Some(optional_span) == layout.long_document_number_continuation {
                placement.continuation_characters
            } else {
                0
            };
            ascii_string(&bytes[skipped..])
                .trim_matches('<')
                .to_string()
        })
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");

    MrzRecord {
        format,
        document_code: without_fillers(&read_span(&lines, layout.document_code)),
        issuing_country: without_fillers(&read_span(&lines, layout.issuing_country)),
        surname,
        given_names,
        document_number,
        nationality: without_fillers(&read_span(&lines, layout.nationality)),
        birth_date: birth_date_from_mrz(&read_span(&lines, layout.birth_date), today),
        sex: sex_from_mrz(byte_at(&lines, layout.sex.first_position())),
        expiry_date: expiry_date_from_mrz(&read_span(&lines, layout.expiry_date), today),
        optional_data,
        lines: lines.iter().map(|line| ascii_string(line)).collect(),
        check_digits,
        corrections,
    }
}

fn without_fillers(bytes: &[u8]) -> String {
    ascii_string(bytes).replace('<', "")
}

/// Splits a name field at the first `<<` into primary and secondary
/// identifiers; within each, `<` separates name components.
fn split_names(field: &[u8]) -> (String, String) {
    let field = ascii_string(field);
    let field = field.trim_end_matches('<');
    let (primary, secondary) = field.split_once("<<").unwrap_or((field, ""));
    (name_components(primary), name_components(secondary))
}

fn name_components(part: &str) -> String {
    part.split('<')
        .filter(|component| !component.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn sex_from_mrz(byte: u8) -> Option<char> {
    match byte {
        b'M' => Some('M'),
        b'F' => Some('F'),
        b'<' | b'X' => Some('X'),
        _ => None,
    }
}

/// `YYMMDD` as (two-digit year, month, day), if all six are digits.
fn mrz_date_parts(field: &[u8]) -> Option<(i32, u32, u32)> {
    if field.len() != 6 || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |pair: &[u8]| u32::from(pair[0] - b'0') * 10 + u32::from(pair[1] - b'0');
    Some((
        number(&field[0..2]) as i32,
        number(&field[2..4]),
        number(&field[4..6]),
    ))
}

/// The latest year ending in `two_digit_year` that is not after `limit`.
fn latest_year_ending_in(two_digit_year: i32, limit: i32) -> i32 {
    limit - (limit - two_digit_year).rem_euclid(100)
}

fn birth_date_from_mrz(field: &[u8], today: NaiveDate) -> Option<NaiveDate> {
    let (two_digit_year, month, day) = mrz_date_parts(field)?;
    let latest_year = latest_year_ending_in(two_digit_year, today.year());
    [latest_year, latest_year - 100]
        .into_iter()
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .find(|date| *date <= today)
}

fn expiry_date_from_mrz(field: &[u8], today: NaiveDate) -> Option<NaiveDate> {
    let (two_digit_year, month, day) = mrz_date_parts(field)?;
    let year = latest_year_ending_in(two_digit_year, today.year() + EXPIRY_YEARS_AHEAD);
    NaiveDate::from_ymd_opt(year, month, day)
}

// ---------------------------------------------------------------------------
// Finding the MRZ in OCR output
// ---------------------------------------------------------------------------

/// A line may be this many characters too long or too short (fillers lost
/// or doubled by OCR) and still be repaired.
const MAXIMUM_LENGTH_REPAIR: usize = 2;

/// Lines shorter than this after cleaning are never MRZ lines; they are
/// skipped when looking for consecutive candidate lines (OCR often emits a
/// speck of noise between the MRZ lines).
const SHORTEST_LINE_WORTH_CONSIDERING: usize = 20;

/// At most this many length-repaired variants of one line are tried.
const MAXIMUM_VARIANTS_PER_LINE: usize = 24;

/// A candidate is accepted as an MRZ only when its valid check digits plus
/// its plausibility signals (see [`plausibility`]) reach this.
const MINIMUM_EVIDENCE: usize = 5;

/// Finds a machine-readable zone in OCR output and reads it.
///
/// `text_lines` are OCR lines in page order; the MRZ may sit among other
/// text, and its lines may carry spaces, lowercase, `«` for `<` (or `<<`),
/// stray punctuation, and a filler or two too many or too few. Every run of
/// two or three consecutive lines of MRZ length (give or take two
/// characters; lines under 20 characters after cleaning are skipped as
/// noise) is cleaned, brought to exact length, repaired as described in the
/// module documentation, parsed, and ranked by how many check digits hold
/// and how plausible its fields are; the best is returned, `None` when
/// nothing looks like an MRZ. `today` fixes the date centuries as in
/// [`parse_mrz_lines`].
pub fn find_mrz(text_lines: &[String], today: NaiveDate) -> Option<MrzRecord> {
    let cleaned_lines: Vec<Vec<u8>> = text_lines
        .iter()
        .map(|line| clean_ocr_line(line))
        .filter(|line| line.len() >= SHORTEST_LINE_WORTH_CONSIDERING)
        .collect();

    let mut best: Option<(CandidateRank, MrzRecord)> = None;
    for window_start in 0..cleaned_lines.len() {
        for window_length in [3, 2] {
            let Some(window) = cleaned_lines.get(window_start..window_start + window_length) else {
                continue;
            };
            let Some(format) = format_of_window(window) else {
                continue;
            };
            for candidate in candidate_readings(format, window) {
                let record = read_with_ocr_repairs(format, candidate.lines, candidate.notes, today);
                let rank = CandidateRank::of(&record, candidate.cost);
                if rank.valid_check_digits + rank.plausibility < MINIMUM_EVIDENCE {
                    continue;
                }
                if best.as_ref().is_none_or(|(best_rank, _)| rank > *best_rank) {
                    best = Some((rank, record));
                }
            }
        }
    }
    best.map(|(_, record)| record)
}

/// Uppercases, drops whitespace and punctuation, and turns the glyphs OCR
/// uses for the chevron into `<`. A `«` usually stands for `<<` but
/// sometimes for a single `<`: the reading whose length is nearer an MRZ
/// line length wins.
fn clean_ocr_line(raw: &str) -> Vec<u8> {
    let clean_with = |fillers_per_guillemet: usize| -> Vec<u8> {
        let mut cleaned = Vec::with_capacity(raw.len());
        for character in raw.chars() {
            match character {
                '«' => cleaned.extend(std::iter::repeat_n(b'<', fillers_per_guillemet)),
                '<' | '‹' | '〈' | '⟨' | '＜' | '≺' => cleaned.push(b'<'),
                character if character.is_ascii_alphanumeric() => {
                    cleaned.push(character.to_ascii_uppercase() as u8)
                }
                _ => {}
            }
        }
        cleaned
    };
    let single = clean_with(1);
    if !raw.contains('«') {
        return single;
    }
    let double = clean_with(2);
    let distance_to_mrz_length = |line: &[u8]| {
        [30usize, 36, 44]
            .iter()
            .map(|length| length.abs_diff(line.len()))
            .min()
            .unwrap_or(usize::MAX)
    };
    if distance_to_mrz_length(&double) < distance_to_mrz_length(&single) {
        double
    } else {
        single
    }
}

/// The format whose line count is the window's and whose line length every
/// line of the window is near.
fn format_of_window(window: &[Vec<u8>]) -> Option<MrzFormat> {
    let target_length = [30, 36, 44].into_iter().find(|&length| {
        window
            .iter()
            .all(|line| line.len().abs_diff(length) <= MAXIMUM_LENGTH_REPAIR)
    })?;
    MrzFormat::from_shape(window.len(), target_length, *window.first()?.first()?)
}

/// One way of bringing a window's lines to exact length.
struct CandidateReading {
    lines: Vec<Vec<u8>>,
    cost: u32,
    notes: Vec<String>,
}

/// One way of bringing one line to exact length.
#[derive(Clone)]
struct LineVariant {
    bytes: Vec<u8>,
    cost: u32,
    note: Option<String>,
}

/// Every combination of the lines' length-repaired variants. Lines without
/// any check digit (name lines) cannot be arbitrated by check digits, so
/// only their single most plausible variant is kept.
fn candidate_readings(format: MrzFormat, window: &[Vec<u8>]) -> Vec<CandidateReading> {
    let layout = format.layout();
    let per_line_variants: Vec<Vec<LineVariant>> = window
        .iter()
        .enumerate()
        .map(|(line_index, line)| {
            let variants = length_repaired_variants(line, format.line_length(), line_index);
            if layout.line_has_check_digits(line_index) {
                variants
            } else {
                most_plausible_name_line_variant(format, line_index, variants)
            }
        })
        .collect();

    let mut readings = vec![CandidateReading {
        lines: Vec::new(),
        cost: 0,
        notes: Vec::new(),
    }];
    for variants in per_line_variants {
        readings = readings
            .into_iter()
            .flat_map(|reading| {
                variants.iter().map(move |variant| {
                    let mut lines = reading.lines.clone();
                    lines.push(variant.bytes.clone());
                    let mut notes = reading.notes.clone();
                    notes.extend(variant.note.clone());
                    CandidateReading {
                        lines,
                        cost: reading.cost + variant.cost,
                        notes,
                    }
                })
            })
            .collect();
    }
    readings
}

fn most_plausible_name_line_variant(
    format: MrzFormat,
    line_index: usize,
    variants: Vec<LineVariant>,
) -> Vec<LineVariant> {
    let holds_code_and_issuer = format != MrzFormat::Td1 && line_index == 0;
    let header_plausibility = |bytes: &[u8]| -> usize {
        if !holds_code_and_issuer {
            return 0;
        }
        let code_fits = format.accepts_document_code(&ascii_string(&bytes[0..1]));
        let issuer = &bytes[2..5];
        let issuer_fits = issuer[0].is_ascii_alphabetic()
            && issuer
                .iter()
                .all(|byte| byte.is_ascii_alphabetic() || *byte == b'<');
        usize::from(code_fits) + usize::from(issuer_fits)
    };
    variants
        .into_iter()
        .max_by_key(|variant| (header_plausibility(&variant.bytes), Reverse(variant.cost)))
        .into_iter()
        .collect()
}

/// The line itself when it has the right length; otherwise the cheapest
/// ways of inserting or removing up to [`MAXIMUM_LENGTH_REPAIR`] characters.
/// Fillers are what OCR loses or doubles, mostly in the long closing run, so
/// inserting or removing a filler there is cheapest, in another filler run
/// dearer, and removing anything else dearest.
fn length_repaired_variants(
    line: &[u8],
    target_length: usize,
    line_index: usize,
) -> Vec<LineVariant> {
    let difference = line.len().abs_diff(target_length);
    if difference == 0 {
        return vec![LineVariant {
            bytes: line.to_vec(),
            cost: 0,
            note: None,
        }];
    }
    if difference > MAXIMUM_LENGTH_REPAIR {
        return Vec::new();
    }
    let inserting = line.len() < target_length;
    let mut current: HashMap<Vec<u8>, u32> = HashMap::from([(line.to_vec(), 0)]);
    for _ in 0..difference {
        let mut next: HashMap<Vec<u8>, u32> = HashMap::new();
        for (bytes, cost_so_far) in &current {
            let edits = if inserting {
                filler_insertions(bytes)
            } else {
                character_removals(bytes)
            };
            for (edited, edit_cost) in edits {
                let total = cost_so_far + edit_cost;
                next.entry(edited)
                    .and_modify(|best| *best = (*best).min(total))
                    .or_insert(total);
            }
        }
        current = next;
    }
    let mut variants: Vec<(Vec<u8>, u32)> = current.into_iter().collect();
    variants.sort_by(|(left_bytes, left_cost), (right_bytes, right_cost)| {
        left_cost
            .cmp(right_cost)
            .then_with(|| left_bytes.cmp(right_bytes))
    });
    variants.truncate(MAXIMUM_VARIANTS_PER_LINE);
    let note = if inserting {
        format!(
            "line {}: inserted {difference} filler(s) to restore the {target_length}-character length",
            line_index + 1
        )
    } else {
        format!(
            "line {}: removed {difference} character(s) to restore the {target_length}-character length",
            line_index + 1
        )
    };
    variants
        .into_iter()
        .map(|(bytes, cost)| LineVariant {
            bytes,
            cost,
            note: Some(note.clone()),
        })
        .collect()
}

fn filler_insertions(line: &[u8]) -> Vec<(Vec<u8>, u32)> {
    let closing_fillers_start = filler_tail_start(line, false);
    let has_closing_fillers = closing_fillers_start < line.len();
    (0..=line.len())
        .map(|index| {
            let touches_filler =
                (index > 0 && line[index - 1] == b'<') || line.get(index) == Some(&b'<');
            let cost = if has_closing_fillers && index >= closing_fillers_start {
                1
            } else if touches_filler {
                2
            } else {
                4
            };
            let mut edited = line.to_vec();
            edited.insert(index, b'<');
            (edited, cost)
        })
        .collect()
}

fn character_removals(line: &[u8]) -> Vec<(Vec<u8>, u32)> {
    let closing_fillers_start = filler_tail_start(line, false);
    (0..line.len())
        .map(|index| {
            let beside_filler =
                (index > 0 && line[index - 1] == b'<') || line.get(index + 1) == Some(&b'<');
            let cost = match line[index] {
                _ if index >= closing_fillers_start => 1,
                b'<' if beside_filler => 2,
                b'<' => 3,
                b'K' if beside_filler => 3,
                _ => 5,
            };
            let mut edited = line.to_vec();
            edited.remove(index);
            (edited, cost)
        })
        .collect()
}

/// How a candidate compares with the others: all check digits valid first,
/// then more valid check digits, more plausible fields, cheaper length
/// repairs, fewer corrections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct CandidateRank {
    all_valid: bool,
    valid_check_digits: usize,
    plausibility: usize,
    length_repair_cost: Reverse<u32>,
    correction_count: Reverse<usize>,
}

impl CandidateRank {
    fn of(record: &MrzRecord, length_repair_cost: u32) -> Self {
        CandidateRank {
            all_valid: record.all_check_digits_valid(),
            valid_check_digits: record
                .check_digits
                .iter()
                .filter(|result| result.valid)
                .count(),
            plausibility: plausibility(record),
            length_repair_cost: Reverse(length_repair_cost),
            correction_count: Reverse(record.corrections.len()),
        }
    }
}

/// Signals that a decoded candidate really is an MRZ: readable dates and
/// sex, country codes made of letters, a document code that fits the
/// format, and a `<<` somewhere (ordinary text has none).
fn plausibility(record: &MrzRecord) -> usize {
    let looks_like_country_code = |code: &str| {
        (1..=3).contains(&code.len()) && code.bytes().all(|byte| byte.is_ascii_uppercase())
    };
    [
        record.birth_date.is_some(),
        record.expiry_date.is_some(),
        record.sex.is_some(),
        looks_like_country_code(&record.issuing_country),
        looks_like_country_code(&record.nationality),
        record.format.accepts_document_code(&record.document_code),
        record.lines.iter().any(|line| line.contains("<<")),
    ]
    .into_iter()
    .filter(|signal| *signal)
    .count()
}

// ---------------------------------------------------------------------------
// OCR repairs
// ---------------------------------------------------------------------------

fn read_with_ocr_repairs(
    format: MrzFormat,
    mut lines: Vec<Vec<u8>>,
    mut corrections: Vec<String>,
    today: NaiveDate,
) -> MrzRecord {
    let layout = format.layout();
    apply_type_driven_repairs(layout, &mut lines, &mut corrections);
    apply_check_digit_confirmed_repairs(layout, &mut lines, &mut corrections);
    decode(format, lines, corrections, today)
}

/// A letter OCR produces where the MRZ printed a digit, mapped back; `K`
/// (the usual misreading of `<`) back to the filler.
fn digit_for_misread_letter(byte: u8) -> Option<u8> {
    match byte {
        b'O' | b'Q' | b'D' | b'U' => Some(b'0'),
        b'I' | b'L' | b'J' => Some(b'1'),
        b'Z' => Some(b'2'),
        b'S' => Some(b'5'),
        b'G' => Some(b'6'),
        b'B' => Some(b'8'),
        b'K' => Some(b'<'),
        _ => None,
    }
}

/// A digit OCR produces where the MRZ printed a letter, mapped back.
fn letter_for_misread_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0' => Some(b'O'),
        b'1' => Some(b'I'),
        b'2' => Some(b'Z'),
        b'5' => Some(b'S'),
        b'6' => Some(b'G'),
        b'8' => Some(b'B'),
        _ => None,
    }
}

/// The other member of a letter/digit pair OCR confuses, for fields where
/// both are legitimate.
fn confusable_twin(byte: u8) -> Option<u8> {
    match byte {
        b'0' => Some(b'O'),
        b'O' => Some(b'0'),
        b'1' => Some(b'I'),
        b'I' => Some(b'1'),
        b'5' => Some(b'S'),
        b'S' => Some(b'5'),
        b'8' => Some(b'B'),
        b'B' => Some(b'8'),
        b'2' => Some(b'Z'),
        b'Z' => Some(b'2'),
        b'6' => Some(b'G'),
        b'G' => Some(b'6'),
        _ => None,
    }
}

/// One character changed by a repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CharacterChange {
    position: Position,
    /// One-based position inside the field, for the description.
    position_in_field: usize,
    to: u8,
}

/// `field: reason at position(s) 3, 5`: the characters themselves are
/// left out, since even one of them is a fragment of personal data.
fn describe_changes(field_name: &str, reason: &str, changes: &[CharacterChange]) -> String {
    let positions = changes
        .iter()
        .map(|change| change.position_in_field.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    format!("{field_name}: {reason} at position(s) {positions}")
}

fn apply_changes(lines: &mut [Vec<u8>], changes: &[CharacterChange]) {
    for change in changes {
        lines[change.position.line][change.position.column] = change.to;
    }
}

/// Maps every character of `field` through `repair`, records what changed.
fn repair_span(
    lines: &mut [Vec<u8>],
    field: Span,
    field_name: &str,
    reason: &str,
    repair: impl Fn(u8) -> Option<u8>,
    corrections: &mut Vec<String>,
) {
    let changes: Vec<CharacterChange> = field
        .positions()
        .enumerate()
        .filter_map(|(index, position)| {
            let to = repair(byte_at(lines, position))?;
            Some(CharacterChange {
                position,
                position_in_field: index + 1,
                to,
            })
        })
        .collect();
    if !changes.is_empty() {
        apply_changes(lines, &changes);
        corrections.push(describe_changes(field_name, reason, &changes));
    }
}

/// Where the run of fillers that closes `field` starts, counting a `K` in
/// that run as a filler read wrong.
///
/// The run is the longest suffix made only of `<` and `K`. `K`s at its start
/// that touch the preceding letter are the end of the last name component
/// (`ERIK<<<`, `NOVAK<<<`) and stay, except, when
/// `long_touching_k_runs_are_fillers`, a run of three or more (`MARIAKKKK`):
/// no name ends in `KKK`, while OCR turns whole filler runs into `K`s. A `K`
/// after a `<` in that suffix (`MARIA<K<<`, `MARIA<<KK<K`) is a filler:
/// it would otherwise be a one-letter name component made of `K`s in the
/// padding, which is far less likely than a misread chevron.
fn filler_tail_start(field: &[u8], long_touching_k_runs_are_fillers: bool) -> usize {
    let mut tail_start = field.len();
    while tail_start > 0 && matches!(field[tail_start - 1], b'<' | b'K') {
        tail_start -= 1;
    }
    if tail_start == 0 {
        return 0;
    }
    let mut touching_k_end = tail_start;
    while touching_k_end < field.len() && field[touching_k_end] == b'K' {
        touching_k_end += 1;
    }
    if long_touching_k_runs_are_fillers && touching_k_end - tail_start >= 3 {
        tail_start
    } else {
        touching_k_end
    }
}

/// Turns the `K`s of the closing filler run of `field` back into `<`.
fn restore_fillers_read_as_k(
    lines: &mut [Vec<u8>],
    field: Span,
    field_name: &str,
    long_touching_k_runs_are_fillers: bool,
    corrections: &mut Vec<String>,
) {
    let bytes = read_span(lines, field);
    let tail_start = filler_tail_start(&bytes, long_touching_k_runs_are_fillers);
    let restored = bytes[tail_start..]
        .iter()
        .filter(|&&byte| byte == b'K')
        .count();
    if restored == 0 {
        return;
    }
    for position in field.positions().skip(tail_start) {
        if byte_at(lines, position) == b'K' {
            lines[position.line][position.column] = b'<';
        }
    }
    corrections.push(format!(
        "{field_name}: {restored} filler(s) read as 'K' restored to '<'"
    ));
}

/// Repairs that the field's type alone justifies (see the module
/// documentation).
fn apply_type_driven_repairs(
    layout: &FormatLayout,
    lines: &mut [Vec<u8>],
    corrections: &mut Vec<String>,
) {
    for (field_name, field) in layout.numeric_fields() {
        repair_span(
            lines,
            field,
            field_name,
            "letters read in place of digits",
            digit_for_misread_letter,
            corrections,
        );
    }
    repair_span(
        lines,
        layout.sex,
        "sex",
        "filler read as a letter",
        |byte| (byte == b'K').then_some(b'<'),
        corrections,
    );

    let code = layout.document_code;
    repair_span(
        lines,
        code,
        "document_code",
        "digits read in place of letters",
        letter_for_misread_digit,
        corrections,
    );
    // The second letter of the code is the issuer's choice, but no issuer
    // uses `K` there, while `P<` and `I<` read as `PK` and `IK` are common.
    let second_code_character = span(code.line, code.start + 1, 1);
    repair_span(
        lines,
        second_code_character,
        "document_code",
        "filler read as a letter",
        |byte| (byte == b'K').then_some(b'<'),
        corrections,
    );
    for (field_name, field) in [
        ("issuing_country", layout.issuing_country),
        ("nationality", layout.nationality),
    ] {
        repair_span(
            lines,
            field,
            field_name,
            "digits read in place of letters",
            letter_for_misread_digit,
            corrections,
        );
        restore_fillers_read_as_k(lines, field, field_name, false, corrections);
    }

    repair_span(
        lines,
        layout.names,
        "names",
        "digits read in place of letters",
        letter_for_misread_digit,
        corrections,
    );
    restore_fillers_read_as_k(lines, layout.names, "names", true, corrections);

    restore_fillers_read_as_k(
        lines,
        layout.document_number,
        "document_number",
        false,
        corrections,
    );
    for &optional_data in layout.optional_data {
        restore_fillers_read_as_k(lines, optional_data, "optional_data", false, corrections);
    }

    // A long document number's check digit sits inside the optional data:
    // now that the number is located, that one character is numeric.
    let placement = place_document_number(layout, lines);
    if placement.continuation_characters > 0 {
        let check = placement.field.check;
        repair_span(
            lines,
            span(check.line, check.column, 1),
            "document_number check digit",
            "letters read in place of digits",
            |byte| digit_for_misread_letter(byte).filter(|digit| *digit != b'<'),
            corrections,
        );
    }
}

/// Repairs of alphanumeric fields that only a check digit can justify (see
/// the module documentation): the document number, and the TD3 optional
/// data, each searched only when its own check digit fails and repaired only
/// when one fewest-changes variant satisfies it and stands out (see
/// [`most_plausible_repair`]). Where the format has
/// a composite check digit, the repairs are kept only if the composite then
/// holds: it covers the repaired fields with the same weights as their own
/// check digits, so it cannot tell two variants apart, but it does reveal
/// when the real fault lies elsewhere (a misread check digit, an altered
/// date), and then nothing is changed.
fn apply_check_digit_confirmed_repairs(
    layout: &FormatLayout,
    lines: &mut [Vec<u8>],
    corrections: &mut Vec<String>,
) {
    let mut fields = vec![place_document_number(layout, lines).field];
    fields.extend(optional_data_field(layout));

    let chosen: Vec<(&CheckedField, Vec<CharacterChange>)> = fields
        .iter()
        .filter_map(|field| {
            let changes = most_plausible_repair(lines, field, check_digit_repairs(lines, field))?;
            (!changes.is_empty()).then_some((field, changes))
        })
        .collect();
    if chosen.is_empty() {
        return;
    }
    let mut repaired = lines.to_vec();
    for (_, changes) in &chosen {
        apply_changes(&mut repaired, changes);
    }
    let confirmation = match composite_field(layout) {
        Some(composite) if !composite.holds(&repaired) => return,
        Some(_) => {
            "letter/digit confusion repaired (the one plausible variant satisfying its check digit and the composite)"
        }
        None => {
            "letter/digit confusion repaired (the one plausible variant satisfying its check digit)"
        }
    };
    for (field, changes) in &chosen {
        apply_changes(lines, changes);
        corrections.push(describe_changes(field.name, confirmation, changes));
    }
}

/// The one repair to make out of `variants` (all satisfying the check digit
/// with equally few changes): the only one with the fewest letter/digit
/// alternations along the field, provided it has strictly fewer than the
/// field as read; `None` otherwise (see the module documentation).
fn most_plausible_repair(
    lines: &[Vec<u8>],
    field: &CheckedField,
    variants: Vec<Vec<CharacterChange>>,
) -> Option<Vec<CharacterChange>> {
    let alternations = |changes: &Vec<CharacterChange>| {
        let mut value = read_positions(lines, &field.value);
        for change in changes {
            value[change.position_in_field - 1] = change.to;
        }
        letter_digit_alternations(&value)
    };
    let fewest = variants.iter().map(alternations).min()?;
    if fewest >= letter_digit_alternations(&read_positions(lines, &field.value)) {
        return None;
    }
    let mut most_plausible = variants
        .into_iter()
        .filter(|changes| alternations(changes) == fewest);
    match (most_plausible.next(), most_plausible.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// How many times a value switches between a letter and a digit (fillers
/// ignored): `D23145890` has one, `D23I45B90` five.
fn letter_digit_alternations(value: &[u8]) -> usize {
    let classes: Vec<bool> = value
        .iter()
        .filter(|byte| byte.is_ascii_alphanumeric())
        .map(|byte| byte.is_ascii_alphabetic())
        .collect();
    classes.windows(2).filter(|pair| pair[0] != pair[1]).count()
}

/// The variants of `field` whose check digit holds with the fewest changed
/// characters: `[[]]` when it already holds, `[]` when no variant within
/// [`MAXIMUM_SIMULTANEOUS_REPAIRS`] changes does. Only confusable
/// letter/digit pairs change (`K`/`<` never could satisfy a failing check
/// digit: their values are equal modulo 10).
fn check_digit_repairs(lines: &[Vec<u8>], field: &CheckedField) -> Vec<Vec<CharacterChange>> {
    if field.holds(lines) {
        return vec![Vec::new()];
    }
    let printed_check = byte_at(lines, field.check);
    if !printed_check.is_ascii_digit() {
        return Vec::new();
    }
    let value = read_positions(lines, &field.value);
    let candidates: Vec<CharacterChange> = field
        .value
        .iter()
        .enumerate()
        .filter_map(|(index, &position)| {
            let to = confusable_twin(value[index])?;
            Some(CharacterChange {
                position,
                position_in_field: index + 1,
                to,
            })
        })
        .collect();

    for change_count in 1..=MAXIMUM_SIMULTANEOUS_REPAIRS.min(candidates.len()) {
        let mut holding = Vec::new();
        for chosen_indices in index_combinations(candidates.len(), change_count) {
            let mut trial_value = value.clone();
            for &candidate_index in &chosen_indices {
                let change = candidates[candidate_index];
                trial_value[change.position_in_field - 1] = change.to;
            }
            if check_digit_holds(&trial_value, printed_check) {
                holding.push(
                    chosen_indices
                        .iter()
                        .map(|&candidate_index| candidates[candidate_index])
                        .collect(),
                );
            }
        }
        if !holding.is_empty() {
            return holding;
        }
    }
    Vec::new()
}

/// All `size`-element subsets of `0..count`, as sorted index lists.
fn index_combinations(count: usize, size: usize) -> Vec<Vec<usize>> {
    let mut combinations = Vec::new();
    let mut indices: Vec<usize> = (0..size).collect();
    if size > count {
        return combinations;
    }
    loop {
        combinations.push(indices.clone());
        let Some(slot) = (0..size)
            .rev()
            .find(|&slot| indices[slot] < count - size + slot)
        else {
            return combinations;
        };
        indices[slot] += 1;
        for following in slot + 1..size {
            indices[following] = indices[following - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, month, day)
    }

    fn ocr(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|line| line.to_string()).collect()
    }

    const TD3_SPECIMEN: [&str; 2] = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ];
    const TD1_SPECIMEN: [&str; 3] = [
        "I<UTOD231458907<<<<<<<<<<<<<<<",
        "7408122F1204159UTO<<<<<<<<<<<6",
        "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
    ];
    const TD2_SPECIMEN: [&str; 2] = [
        "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
        "D231458907UTO7408122F1204159<<<<<<<6",
    ];

    /// The decoded content of a record, without the repair log.
    fn content(record: &MrzRecord) -> MrzRecord {
        MrzRecord {
            corrections: Vec::new(),
            ..record.clone()
        }
    }

    fn assert_ocr_text_reads_as(text: &[&str], exact: &[&str]) -> MrzRecord {
        let expected = parse_mrz_lines(exact, today()).expect("the exact lines parse");
        let found = find_mrz(&ocr(text), today()).expect("an MRZ is found in the OCR text");
        assert_eq!(
            content(&found),
            expected,
            "corrections applied: {:?}",
            found.corrections
        );
        found
    }

    #[test]
    fn check_digits_follow_the_seven_three_one_weighting() {
        assert_eq!(check_digit("L898902C3"), Some(6));
        assert_eq!(check_digit("740812"), Some(2));
        assert_eq!(check_digit("120415"), Some(9));
        assert_eq!(check_digit("ZE184226B<<<<<"), Some(1));
        assert_eq!(check_digit("<<<<<<<<<"), Some(0));
        assert_eq!(check_digit(""), Some(0));
    }

    #[test]
    fn check_digits_reject_characters_outside_the_mrz_alphabet() {
        assert_eq!(check_digit("l898902c3"), None);
        assert_eq!(check_digit("L898 902"), None);
        assert_eq!(check_digit("ÄB"), None);
    }

    #[test]
    fn the_icao_td3_specimen_parses_to_its_published_fields() {
        let record = parse_mrz_lines(&TD3_SPECIMEN, today()).unwrap();
        assert_eq!(record.format, MrzFormat::Td3);
        assert_eq!(record.document_code, "P");
        assert_eq!(record.issuing_country, "UTO");
        assert_eq!(record.surname, "ERIKSSON");
        assert_eq!(record.given_names, "ANNA MARIA");
        assert_eq!(record.document_number, "L898902C3");
        assert_eq!(record.nationality, "UTO");
        assert_eq!(record.birth_date, date(1974, 8, 12));
        assert_eq!(record.sex, Some('F'));
        assert_eq!(record.expiry_date, date(2012, 4, 15));
        assert_eq!(record.optional_data, "ZE184226B");
        assert_eq!(record.mrz_text(), TD3_SPECIMEN.join("\n"));
        let names: Vec<_> = record
            .check_digits
            .iter()
            .map(|result| result.name)
            .collect();
        assert_eq!(
            names,
            [
                "document_number",
                "birth_date",
                "expiry_date",
                "optional_data",
                "composite"
            ]
        );
        assert!(record.all_check_digits_valid());
        assert!(record.corrections.is_empty());
        assert_eq!(record.document_type(), "passport");
    }

    #[test]
    fn the_icao_td1_specimen_parses_to_its_published_fields() {
        let record = parse_mrz_lines(&TD1_SPECIMEN, today()).unwrap();
        assert_eq!(record.format, MrzFormat::Td1);
        assert_eq!(record.document_code, "I");
        assert_eq!(record.document_number, "D23145890");
        assert_eq!(record.surname, "ERIKSSON");
        assert_eq!(record.given_names, "ANNA MARIA");
        assert_eq!(record.birth_date, date(1974, 8, 12));
        assert_eq!(record.expiry_date, date(2012, 4, 15));
        assert_eq!(record.sex, Some('F'));
        assert_eq!(record.nationality, "UTO");
        assert_eq!(record.optional_data, "");
        assert_eq!(record.check_digits.len(), 4);
        assert!(record.all_check_digits_valid());
        assert_eq!(record.document_type(), "id_card");
    }

    #[test]
    fn the_icao_td2_specimen_parses_to_its_published_fields() {
        let record = parse_mrz_lines(&TD2_SPECIMEN, today()).unwrap();
        assert_eq!(record.format, MrzFormat::Td2);
        assert_eq!(record.document_number, "D23145890");
        assert_eq!(
            (record.surname.as_str(), record.given_names.as_str()),
            ("ERIKSSON", "ANNA MARIA")
        );
        assert_eq!(record.birth_date, date(1974, 8, 12));
        assert_eq!(record.expiry_date, date(2012, 4, 15));
        assert!(record.all_check_digits_valid());
    }

    #[test]
    fn visas_are_told_apart_by_their_leading_v_and_have_no_composite() {
        let mrv_a = parse_mrz_lines(
            &[
                "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(mrv_a.format, MrzFormat::MrvA);
        assert_eq!(mrv_a.document_number, "L8988901C");
        assert_eq!(mrv_a.birth_date, date(1940, 9, 7));
        assert_eq!(mrv_a.expiry_date, date(1996, 12, 10));
        assert_eq!(mrv_a.check_digits.len(), 3);
        assert!(mrv_a.all_check_digits_valid());
        assert_eq!(mrv_a.document_type(), "other");

        let mrv_b = parse_mrz_lines(
            &[
                "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
                "L8988901C4XXX4009078F9612109<<<<<<<<",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(mrv_b.format, MrzFormat::MrvB);
        assert!(mrv_b.all_check_digits_valid());
    }

    #[test]
    fn a_td1_long_document_number_continues_into_the_optional_data() {
        // ICAO 9303 part 11, appendix D, section D.2.
        let record = parse_mrz_lines(
            &[
                "I<UTOD23145890<7349<<<<<<<<<<<",
                "3407127M9507122UTO<<<<<<<<<<<2",
                "STEVENSON<<PETER<JOHN<<<<<<<<<",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(record.document_number, "D23145890734");
        assert_eq!(record.optional_data, "");
        assert_eq!(
            (record.surname.as_str(), record.given_names.as_str()),
            ("STEVENSON", "PETER JOHN")
        );
        assert_eq!(record.birth_date, date(1934, 7, 12));
        assert!(record.all_check_digits_valid(), "{:?}", record.check_digits);
    }

    #[test]
    fn a_td2_long_document_number_continues_into_the_optional_data() {
        let record = parse_mrz_lines(
            &[
                "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<",
                "D23145890<UTO3407127M95071227349<<<8",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(record.document_number, "D23145890734");
        assert!(record.all_check_digits_valid(), "{:?}", record.check_digits);
    }

    #[test]
    fn a_filler_in_the_document_number_check_position_with_no_continuation_is_invalid() {
        let record = parse_mrz_lines(
            &[
                "I<UTOD23145890<<<<<<<<<<<<<<<<",
                "7408122F1204159UTO<<<<<<<<<<<6",
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
            ],
            today(),
        )
        .unwrap();
        assert_eq!(record.document_number, "D23145890");
        assert!(!record.check_digits[0].valid);
    }

    #[test]
    fn lines_of_the_wrong_shape_or_alphabet_are_not_parsed() {
        assert!(parse_mrz_lines(&[TD3_SPECIMEN[0]], today()).is_none());
        assert!(parse_mrz_lines(&[TD3_SPECIMEN[0], &TD3_SPECIMEN[1][..43]], today()).is_none());
        assert!(
            parse_mrz_lines(
                &[
                    "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<",
                    TD3_SPECIMEN[1]
                ],
                today()
            )
            .is_none()
        );
        assert!(parse_mrz_lines(&[], today()).is_none());
    }

    #[test]
    fn birth_dates_never_land_after_today_and_expiry_dates_stay_within_twenty_years_ahead() {
        assert_eq!(birth_date_from_mrz(b"250101", today()), date(2025, 1, 1));
        assert_eq!(birth_date_from_mrz(b"260302", today()), date(1926, 3, 2));
        assert_eq!(birth_date_from_mrz(b"260301", today()), date(2026, 3, 1));
        assert_eq!(birth_date_from_mrz(b"000229", today()), date(2000, 2, 29));
        assert_eq!(birth_date_from_mrz(b"741312", today()), None);
        assert_eq!(birth_date_from_mrz(b"74<<<<", today()), None);
        assert_eq!(expiry_date_from_mrz(b"460101", today()), date(2046, 1, 1));
        assert_eq!(expiry_date_from_mrz(b"470101", today()), date(1947, 1, 1));
        assert_eq!(expiry_date_from_mrz(b"961210", today()), date(1996, 12, 10));
        assert_eq!(expiry_date_from_mrz(b"120415", today()), date(2012, 4, 15));
    }

    #[test]
    fn document_codes_map_to_the_contracts_document_types() {
        let mut record = parse_mrz_lines(&TD3_SPECIMEN, today()).unwrap();
        for (code, expected) in [
            ("P", "passport"),
            ("PD", "passport"),
            ("I", "id_card"),
            ("ID", "id_card"),
            ("A", "id_card"),
            ("C", "id_card"),
            ("IR", "residence_permit"),
            ("AR", "residence_permit"),
            ("RP", "residence_permit"),
            ("V", "other"),
            ("VB", "other"),
            ("", "other"),
        ] {
            record.document_code = code.to_string();
            assert_eq!(record.document_type(), expected, "code {code:?}");
        }
    }

    #[derive(serde::Deserialize)]
    struct TextVector {
        source: String,
        mrz: String,
        format: String,
        check_digits_ok: Vec<bool>,
        all_check_digits_ok: bool,
        passporteye: Option<PassportEyeReading>,
    }

    #[derive(serde::Deserialize)]
    struct PassportEyeReading {
        number: String,
        date_of_birth: String,
        expiration_date: String,
        surname: String,
        names: String,
    }

    fn text_vectors() -> Vec<TextVector> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/mrz/mrz_text_vectors.json"
        );
        let text = std::fs::read_to_string(path).expect("the shared MRZ vectors are readable");
        serde_json::from_str(&text).expect("the shared MRZ vectors are valid JSON")
    }

    fn single_spaced(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn yymmdd(date: Option<NaiveDate>) -> String {
        date.map(|date| date.format("%y%m%d").to_string())
            .unwrap_or_default()
    }

    #[test]
    fn every_shared_text_vector_gets_the_files_check_digit_verdict() {
        let vectors = text_vectors();
        assert!(vectors.len() >= 30);
        for vector in vectors {
            let lines: Vec<&str> = vector.mrz.lines().collect();
            let record = parse_mrz_lines(&lines, today())
                .unwrap_or_else(|| panic!("{} parses", vector.source));
            assert_eq!(record.format.label(), vector.format, "{}", vector.source);
            let verdicts: Vec<bool> = record
                .check_digits
                .iter()
                .map(|result| result.valid)
                .collect();
            assert_eq!(
                verdicts, vector.check_digits_ok,
                "{}: {:?}",
                vector.source, record.check_digits
            );
            assert_eq!(
                record.all_check_digits_valid(),
                vector.all_check_digits_ok,
                "{}",
                vector.source
            );

            if let Some(reading) = &vector.passporteye {
                assert_eq!(
                    record.document_number,
                    reading.number.replace('<', ""),
                    "{}",
                    vector.source
                );
                if record.birth_date.is_some() {
                    assert_eq!(
                        yymmdd(record.birth_date),
                        reading.date_of_birth,
                        "{}",
                        vector.source
                    );
                }
                if record.expiry_date.is_some() {
                    assert_eq!(
                        yymmdd(record.expiry_date),
                        reading.expiration_date,
                        "{}",
                        vector.source
                    );
                }
                assert_eq!(
                    record.surname,
                    single_spaced(&reading.surname),
                    "{}",
                    vector.source
                );
                assert_eq!(
                    record.given_names,
                    single_spaced(&reading.names),
                    "{}",
                    vector.source
                );
            }
        }
    }

    #[test]
    fn find_mrz_reads_every_clean_shared_vector_without_changing_its_verdict() {
        for vector in text_vectors() {
            let lines: Vec<String> = vector.mrz.lines().map(str::to_string).collect();
            let record =
                find_mrz(&lines, today()).unwrap_or_else(|| panic!("{} is found", vector.source));
            assert_eq!(
                record.all_check_digits_valid(),
                vector.all_check_digits_ok,
                "{}",
                vector.source
            );
            if vector.all_check_digits_ok {
                assert_eq!(
                    record.lines, lines,
                    "{}: {:?}",
                    vector.source, record.corrections
                );
            }
        }
    }

    #[test]
    fn find_mrz_picks_the_td3_specimen_out_of_surrounding_text() {
        let text = [
            "PASSPORT   PASSEPORT   UTOPIA",
            "Surname / Nom",
            "ERIKSSON",
            "Given names / Prénoms: ANNA MARIA, born 12 AUG 1974 in Zenith, Utopia",
            "",
            TD3_SPECIMEN[0],
            TD3_SPECIMEN[1],
            "page 2",
        ];
        let found = assert_ocr_text_reads_as(&text, &TD3_SPECIMEN);
        assert!(found.corrections.is_empty(), "{:?}", found.corrections);
    }

    #[test]
    fn find_mrz_restores_fillers_read_as_k_in_the_td3_specimen() {
        let found = assert_ocr_text_reads_as(
            &[
                "PKUTOERIKSSON<<ANNA<MARIA<K<<<<KKKK<<<<K<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<K<K10",
            ],
            &TD3_SPECIMEN,
        );
        assert!(
            found
                .corrections
                .iter()
                .any(|correction| correction.starts_with("names:"))
        );
        assert!(found.all_check_digits_valid());
    }

    #[test]
    fn find_mrz_ignores_spaces_lowercase_guillemets_and_stray_punctuation() {
        assert_ocr_text_reads_as(
            &[
                "p<uto eriksson<<anna<maria «<<<<<<<<<<<<<<<<<<",
                "L898902C3 6UTO 7408122F 1204159 ZE184226B<<<<<1 0.",
            ],
            &TD3_SPECIMEN,
        );
        assert_ocr_text_reads_as(
            &[
                "P«UTOERIKSSON««ANNA«MARIA««««««««««««««««««««",
                "L898902C36UTO7408122F1204159ZE184226B«<<<<10",
            ],
            &TD3_SPECIMEN,
        );
    }

    #[test]
    fn find_mrz_reads_letters_in_numeric_fields_as_digits() {
        let found = assert_ocr_text_reads_as(
            &[
                TD3_SPECIMEN[0],
                "L898902C36UTO74O8I22F12O4I59ZE184226B<<<<<I0",
            ],
            &TD3_SPECIMEN,
        );
        assert!(
            found
                .corrections
                .iter()
                .any(|correction| correction.starts_with("birth_date:"))
        );
        assert!(
            found
                .corrections
                .iter()
                .any(|correction| correction.starts_with("expiry_date:"))
        );
    }

    #[test]
    fn find_mrz_repairs_the_document_number_only_as_its_check_digits_confirm() {
        let found = assert_ocr_text_reads_as(
            &[
                TD3_SPECIMEN[0],
                "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10",
            ],
            &TD3_SPECIMEN,
        );
        assert!(
            found
                .corrections
                .iter()
                .any(|correction| correction.starts_with("document_number:")),
            "{:?}",
            found.corrections
        );
        // `8`→`B` twice changes the weighted sum by 3·3 + 3·7 = 30: the check
        // digit still holds, so nothing justifies touching the number.
        let undetectable = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "LB9B902C36UTO7408122F1204159ZE184226B<<<<<10",
        ];
        let found = find_mrz(&ocr(&undetectable), today()).unwrap();
        assert_eq!(found.document_number, "LB9B902C3");
        assert!(found.corrections.is_empty());
    }

    #[test]
    fn a_check_digit_satisfied_by_coincidence_does_not_justify_a_repair() {
        // The `5` of the specimen's number reads as `G`, which is not an OCR
        // confusion this module repairs. Swapping `2`→`Z` happens to satisfy
        // the check digit (and so the composite, which weighs the number
        // alike), but it makes the number no more regular: no repair.
        let ambiguous = [
            "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
            "D2314G8907UTO7408122F1204159<<<<<<<6",
        ];
        let parsed = parse_mrz_lines(&ambiguous, today()).unwrap();
        let found = find_mrz(&ocr(&ambiguous), today()).unwrap();
        assert_eq!(found, parsed);
    }

    #[test]
    fn find_mrz_restores_a_filler_lost_from_either_line() {
        let short_name_line = &TD3_SPECIMEN[0][..43];
        assert_ocr_text_reads_as(&[short_name_line, TD3_SPECIMEN[1]], &TD3_SPECIMEN);
        let short_data_line = "L898902C36UTO7408122F1204159ZE184226B<<<<10";
        let found = assert_ocr_text_reads_as(&[TD3_SPECIMEN[0], short_data_line], &TD3_SPECIMEN);
        assert!(
            found
                .corrections
                .iter()
                .any(|correction| correction.starts_with("line 2: inserted 1 filler"))
        );
        let long_data_line = "L898902C36UTO7408122F1204159ZE184226B<<<<<<10";
        assert_ocr_text_reads_as(&[TD3_SPECIMEN[0], long_data_line], &TD3_SPECIMEN);
        let long_name_line = format!("{}<<", TD3_SPECIMEN[0]);
        assert_ocr_text_reads_as(&[&long_name_line, TD3_SPECIMEN[1]], &TD3_SPECIMEN);
    }

    #[test]
    fn find_mrz_reads_the_td3_specimen_through_all_of_that_noise_at_once() {
        assert_ocr_text_reads_as(
            &[
                "Type P  Code UTO  Passport No L898902C3",
                "pkuto eriksson<<anna<maria<kk<<<<<<<<<<<<<<<",
                "l8989o2c3 6uto74o8122f12o4159ze184226b<<<<10",
            ],
            &TD3_SPECIMEN,
        );
    }

    #[test]
    fn find_mrz_reads_the_td1_specimen_through_ocr_noise() {
        assert_ocr_text_reads_as(&TD1_SPECIMEN, &TD1_SPECIMEN);
        assert_ocr_text_reads_as(
            &[
                "IDENTITY CARD",
                "i<uto d2314589o7 <<<<<<<<<<<<<<",
                "74O8122F12O4159UT0<<<<<<K<<<<6",
                "ERIKSSON<<ANNA<MARIA<<KK<K<<",
            ],
            &TD1_SPECIMEN,
        );
    }

    #[test]
    fn find_mrz_reads_the_td2_specimen_through_ocr_noise() {
        assert_ocr_text_reads_as(&TD2_SPECIMEN, &TD2_SPECIMEN);
        assert_ocr_text_reads_as(
            &[
                "I<UT0ERIKSSON<<ANNA<MARIA<<<<<KKK<<<",
                "D23145B9O7UTO74O8122F12O4159<<<<<<<6",
            ],
            &TD2_SPECIMEN,
        );
    }

    #[test]
    fn find_mrz_reads_long_document_numbers_through_ocr_noise() {
        assert_ocr_text_reads_as(
            &[
                "I<UTOD23145B90<7349<<<<<<<<<<<",
                "34O7127M9507122UTO<<<<<<<<<<<2",
                "STEVENSON<<PETER<JOHN<<<<<<<<<",
            ],
            &[
                "I<UTOD23145890<7349<<<<<<<<<<<",
                "3407127M9507122UTO<<<<<<<<<<<2",
                "STEVENSON<<PETER<JOHN<<<<<<<<<",
            ],
        );
    }

    #[test]
    fn fillers_read_as_k_at_the_end_of_a_name_become_fillers_again() {
        for (name_field, surname, given_names) in [
            (
                "ERIKSSON<<ANNA<MARIA<K<<<<<<<<<<<<<<<<<",
                "ERIKSSON",
                "ANNA MARIA",
            ),
            (
                "ERIKSSON<<ANNA<MARIA<<<KKKK<<K<<<<<<<<<",
                "ERIKSSON",
                "ANNA MARIA",
            ),
            (
                "ERIKSSON<<ANNA<MARIAKKKKKKKKKKKKKKKKKKK",
                "ERIKSSON",
                "ANNA MARIA",
            ),
            (
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<K",
                "ERIKSSON",
                "ANNA MARIA",
            ),
            ("NOVAK<<ERIK<<<<<<<<<<<<<<<<<<<<<<<<<<<", "NOVAK", "ERIK"),
            ("NOVAK<<ERIK<K<<<<<<<<<<<<<<<<<<<<<<<<<", "NOVAK", "ERIK"),
            ("KOKK<<KIRK<<<<<<<<<<<<<<<<<<<<<<<<<<<<", "KOKK", "KIRK"),
        ] {
            let text = [format!("P<UTO{name_field}"), TD3_SPECIMEN[1].to_string()];
            let found = find_mrz(&text, today()).unwrap();
            assert_eq!(
                (found.surname.as_str(), found.given_names.as_str()),
                (surname, given_names),
                "{name_field}"
            );
        }
    }

    #[test]
    fn a_tampered_birth_date_is_reported_invalid_and_not_repaired_elsewhere() {
        let tampered = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L898902C36UTO7408132F1204159ZE184226B<<<<<10",
        ];
        let parsed = parse_mrz_lines(&tampered, today()).unwrap();
        let verdicts: Vec<_> = parsed
            .check_digits
            .iter()
            .map(|result| (result.name, result.valid))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("document_number", true),
                ("birth_date", false),
                ("expiry_date", true),
                ("optional_data", true),
                ("composite", false)
            ]
        );
        assert_eq!(parsed.birth_date, date(1974, 8, 13));

        let found = find_mrz(&ocr(&tampered), today()).unwrap();
        assert_eq!(found, parsed);

        // With OCR noise on top, the noise is repaired where types justify it,
        // but nothing is changed to make the failing check digits hold.
        let noisy = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L8989O2C36UTO74O8132F12O4159ZE184226B<<<<<1O",
        ];
        let found = find_mrz(&ocr(&noisy), today()).unwrap();
        assert!(!found.check_digits[1].valid);
        assert!(!found.check_digits[4].valid);
        assert!(!found.all_check_digits_valid());
        assert_eq!(found.birth_date, date(1974, 8, 13));
        assert_eq!(
            found.lines[1],
            "L8989O2C36UTO7408132F1204159ZE184226B<<<<<10"
        );
    }

    #[test]
    fn a_visa_document_number_is_repaired_when_only_one_variant_satisfies_its_check_digit() {
        let exact = [
            "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
        ];
        assert_ocr_text_reads_as(
            &[exact[0], "L89889O1C4XXX4009078F96121096ZE184226B<<<<<<"],
            &exact,
        );
    }

    #[test]
    fn corrections_name_fields_kinds_and_positions_but_never_characters() {
        let found = find_mrz(
            &ocr(&[
                "pkuto eriksson<<anna<maria<kk<<<<<<<<<<<<<<<",
                "l8989o2c3 6uto74o8122f12o4159ze184226b<<<<10",
            ]),
            today(),
        )
        .unwrap();
        assert!(found.corrections.len() >= 5, "{:?}", found.corrections);
        for correction in &found.corrections {
            assert!(
                !correction.contains('→') && !correction.contains("'O'"),
                "{correction}"
            );
            for personal_value in [
                "ERIKSSON",
                "ANNA",
                "MARIA",
                "L898",
                "740812",
                "120415",
                "ZE184226B",
            ] {
                assert!(!correction.contains(personal_value), "{correction}");
            }
        }
    }

    #[test]
    fn text_without_an_mrz_yields_nothing() {
        let text = ocr(&[
            "FACTURA N.º 2026-0042 emitida el 12 de marzo de 2026 en Madrid",
            "Cliente: ACME Servicios Integrales S.L. con NIF B12345678 y sede en",
            "Base imponible 1.000,00 EUR  IVA 21% 210,00 EUR  Total 1.210,00 EUR",
            "IBAN ES91 2100 0418 4502 0005 1332 BIC CAIXESBBXXX Banco de pruebas",
        ]);
        assert!(find_mrz(&text, today()).is_none());
        assert!(find_mrz(&[], today()).is_none());
    }
}
