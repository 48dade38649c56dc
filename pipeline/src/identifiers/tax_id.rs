//! Tax identifiers: which scheme an identifier belongs to, and whether its
//! shape and check character hold.
//!
//! Schemes covered:
//!
//! - Spanish NIF: DNI (8 digits and a letter, mod 23), NIE (`X`/`Y`/`Z`, 7
//!   digits and a letter), the `K`/`L`/`M` NIFs of people without DNI or NIE,
//!   and the CIF of organisations (a letter, 7 digits and a control digit or
//!   letter computed with a Luhn-like sum);
//! - EU VAT numbers (EU-27, `EL` for Greece with `GR` accepted, and `XI` for
//!   Northern Ireland): country prefix and per-country shape; `ES` also gets
//!   the Spanish check and `XI` the GB one;
//! - GB VAT: 9 digits (12 with a branch suffix, or `GD`/`HA` + 3 digits),
//!   modulus 97 with HMRC's 55-offset variant;
//! - Colombian NIT: DIAN's prime weights, modulus 11;
//! - Mexican RFC: persona moral (12) and física (13), embedded date and
//!   SAT's modulus-11 check character;
//! - US EIN: 9 digits with an IRS-assigned two-digit prefix (no check digit
//!   exists).
//!
//! Everything here takes an identifier in the contract's normal form (see
//! [`crate::parse::tax_id::normalize_tax_id`]) and tolerates printed
//! separators. Error messages never quote the identifier: it is personal
//! data for people.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

/// Why a tax identifier was rejected. Messages name the rule that failed,
/// never the identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxIdProblem {
    /// Nothing left after dropping separators.
    #[error("the tax identifier is empty")]
    Empty,
    /// Length or character pattern do not fit the scheme.
    #[error("the tax identifier does not have the shape of {expected}")]
    WrongShape {
        /// The shape the scheme wants, in words.
        expected: &'static str,
    },
    /// The check character does not match the rest.
    #[error("the check character does not match the rest of the tax identifier")]
    ChecksumFailed,
    /// A CIF's organisation letter demands a control digit where a letter
    /// was printed, or the other way round.
    #[error(
        "this kind of organisation takes a control {expected} in its CIF, and the other kind was printed"
    )]
    WrongControlCharacterKind {
        /// `"digit"` or `"letter"`.
        expected: &'static str,
    },
    /// The date inside a Mexican RFC is not a calendar date.
    #[error("the date embedded in the RFC is not a calendar date")]
    InvalidEmbeddedDate,
    /// A two-letter prefix that no supported VAT scheme uses.
    #[error("no supported VAT scheme uses the country prefix {0}")]
    UnknownCountry(String),
    /// A US EIN whose first two digits the IRS does not assign.
    #[error("the first two digits are not a prefix the IRS assigns to EINs")]
    UnassignedEinPrefix,
}

/// The kinds of Spanish NIF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpanishIdKind {
    /// A Spanish citizen's DNI number (8 digits and a letter).
    Dni,
    /// A foreigner's NIE (`X`, `Y` or `Z`, 7 digits and a letter).
    Nie,
    /// `K` (under 14), `L` (Spaniards abroad) or `M` (foreigners without
    /// NIE): a person's NIF without a DNI or NIE behind it.
    PersonWithoutDniOrNie,
    /// An organisation's CIF (now also called NIF).
    Cif,
}

/// The kinds of Mexican RFC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MexicanRfcKind {
    /// A company: 3 letters, date, 3-character homoclave (12 characters).
    PersonaMoral,
    /// A person: 4 letters, date, 3-character homoclave (13 characters).
    PersonaFisica,
    /// `XAXX010101000`, SAT's generic RFC for the general public.
    GenericDomestic,
    /// `XEXX010101000`, SAT's generic RFC for foreign residents.
    GenericForeign,
}

/// A tax identifier scheme, as recognised by its shape and prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxIdScheme {
    /// A Spanish NIF without country prefix (DNI, NIE, K/L/M NIF or CIF).
    SpanishNif,
    /// An EU VAT number (or `XI`) with its two-letter prefix.
    EuVat(&'static str),
    /// A GB VAT number with its `GB` prefix.
    GbVat,
    /// A Colombian NIT with its check digit.
    ColombianNit,
    /// A Mexican RFC.
    MexicanRfc,
    /// A US Employer Identification Number.
    UsEin,
}

/// What [`check_tax_id`] concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaxIdVerdict {
    /// Recognised, and every check held.
    Valid(TaxIdScheme),
    /// Recognised, and a check failed.
    Invalid(TaxIdScheme, TaxIdProblem),
    /// No supported scheme has this shape (with this country hint).
    UnknownScheme,
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
const CIF_CONTROL_LETTERS: &[u8; 10] = b"JABCDEFGHI";
const COLOMBIAN_NIT_WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
const MEXICAN_RFC_CHARACTER_VALUES: &str = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ";
const MEXICAN_GENERIC_DOMESTIC_RFC: &str = "XAXX010101000";
const MEXICAN_GENERIC_FOREIGN_RFC: &str = "XEXX010101000";

#[rustfmt::skip]
/// The EU VAT number shape after the country prefix, per member state
/// (European Commission VIES formats), plus `XI`.
const EU_VAT_SHAPES: &[(&str, &str)] = &[
    ("AT", r"U\d{8}"),
    ("BE", r"[01]\d{9}"),
    ("BG", r"\d{9,10}"),
    ("CY", r"\d{8}[A-Z]"),
    ("CZ", r"\d{8,10}"),
    ("DE", r"\d{9}"),
    ("DK", r"\d{8}"),
    ("EE", r"\d{9}"),
    ("EL", r"\d{9}"),
    ("GR", r"\d{9}"),
    ("ES", r"[A-Z0-9]\d{7}[A-Z0-9]"),
    ("FI", r"\d{8}"),
    ("FR", r"[0-9A-HJ-NP-Z]{2}\d{9}"),
    ("HR", r"\d{11}"),
    ("HU", r"\d{8}"),
    ("IE", r"\d{7}[A-W][A-IW]?|\d[A-Z]\d{5}[A-W]"),
    ("IT", r"\d{11}"),
    ("LT", r"\d{9}|\d{12}"),
    ("LU", r"\d{8}"),
    ("LV", r"\d{11}"),
    ("MT", r"\d{8}"),
    ("NL", r"\d{9}B\d{2}"),
    ("PL", r"\d{10}"),
    ("PT", r"\d{9}"),
    ("RO", r"[1-9]\d{1,9}"),
    ("SE", r"\d{10}01"),
    ("SI", r"\d{8}"),
    ("SK", r"\d{10}"),
    ("XI", r"\d{9}|\d{12}|GD\d{3}|HA\d{3}"),
];

static EU_VAT_SHAPE_PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    EU_VAT_SHAPES
        .iter()
        .map(|(country, shape)| {
            (
                *country,
                Regex::new(&format!("^(?:{shape})$")).expect("valid regex"),
            )
        })
        .collect()
});

static SPANISH_NIF_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{8}[A-Z]|[XYZ]\d{7}[A-Z]|[KLM]\d{7}[A-Z]|[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J])$")
        .expect("valid regex")
});

static MEXICAN_RFC_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$").expect("valid regex"));

static GB_VAT_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})$").expect("valid regex"));

/// Uppercases and drops everything but letters, digits and `&` (which is a
/// letter in RFCs).
fn compact(id: &str) -> String {
    id.chars()
        .flat_map(char::to_uppercase)
        .filter(|c| c.is_alphanumeric() || *c == '&')
        .collect()
}

fn dni_letter_for(number: u32) -> char {
    char::from(DNI_LETTERS[(number % 23) as usize])
}

/// Validates a Spanish NIF of any kind, with or without the `ES` prefix,
/// and says which kind it is.
///
/// - DNI: 8 digits and the letter `TRWAGMYFPDXBNJZSQVHLCKE[number mod 23]`;
/// - NIE: `X`/`Y`/`Z` read as `0`/`1`/`2`, then as a DNI;
/// - `K`/`L`/`M`: the DNI letter of the 7 digits;
/// - CIF: a Luhn-like sum of the 7 digits gives a control digit `d` or letter
///   `JABCDEFGHI[d]`. Organisations `A`, `B`, `E`, `H` must print the digit;
///   `K`, `P`, `Q`, `S`, `N`, `W` the letter; the others may print either.
pub fn validate_spanish_nif(id: &str) -> Result<SpanishIdKind, TaxIdProblem> {
    let compacted = compact(id);
    let nif = match compacted.strip_prefix("ES") {
        Some(rest) if rest.len() == 9 => rest,
        _ => compacted.as_str(),
    };
    if nif.is_empty() {
        return Err(TaxIdProblem::Empty);
    }
    if !SPANISH_NIF_SHAPE.is_match(nif) {
        return Err(TaxIdProblem::WrongShape {
            expected: "a Spanish NIF (8 digits and a letter, X/Y/Z + 7 digits + letter, or letter + 7 digits + control)",
        });
    }
    let bytes = nif.as_bytes();
    let first = char::from(bytes[0]);
    let control = char::from(bytes[8]);
    let expect_control = |expected: char| {
        if control == expected {
            Ok(())
        } else {
            Err(TaxIdProblem::ChecksumFailed)
        }
    };
    match first {
        '0'..='9' => {
            let number: u32 = nif[..8].parse().map_err(|_| TaxIdProblem::ChecksumFailed)?;
            expect_control(dni_letter_for(number)).map(|()| SpanishIdKind::Dni)
        }
        'X' | 'Y' | 'Z' => {
            let leading = match first {
                'X' => 0,
                'Y' => 1,
                _ => 2,
            };
            let digits: u32 = nif[1..8]
                .parse()
                .map_err(|_| TaxIdProblem::ChecksumFailed)?;
            expect_control(dni_letter_for(leading * 10_000_000 + digits))
                .map(|()| SpanishIdKind::Nie)
        }
        'K' | 'L' | 'M' => {
            let digits: u32 = nif[1..8]
                .parse()
                .map_err(|_| TaxIdProblem::ChecksumFailed)?;
            expect_control(dni_letter_for(digits)).map(|()| SpanishIdKind::PersonWithoutDniOrNie)
        }
        _ => validate_cif_control(first, &nif[1..8], control).map(|()| SpanishIdKind::Cif),
    }
}

/// The CIF control value (0-9) of its 7 digits: digits in odd positions
/// (1st, 3rd, ...) are doubled and their digits summed, even positions added
/// as they are, and the control is what brings the total to a multiple of 10.
fn cif_control_value(seven_digits: &str) -> u32 {
    let total: u32 = seven_digits
        .bytes()
        .map(|byte| u32::from(byte - b'0'))
        .enumerate()
        .map(|(index, digit)| {
            if index % 2 == 0 {
                let doubled = digit * 2;
                doubled / 10 + doubled % 10
            } else {
                digit
            }
        })
        .sum();
    (10 - total % 10) % 10
}

fn validate_cif_control(
    organisation: char,
    seven_digits: &str,
    control: char,
) -> Result<(), TaxIdProblem> {
    let value = cif_control_value(seven_digits);
    let expected_digit = char::from(b'0' + value as u8);
    let expected_letter = char::from(CIF_CONTROL_LETTERS[value as usize]);
    let printed_digit = control.is_ascii_digit();
    match organisation {
        'A' | 'B' | 'E' | 'H' if !printed_digit => {
            return Err(TaxIdProblem::WrongControlCharacterKind { expected: "digit" });
        }
        'K' | 'P' | 'Q' | 'S' | 'N' | 'W' if printed_digit => {
            return Err(TaxIdProblem::WrongControlCharacterKind { expected: "letter" });
        }
        _ => {}
    }
    if control == expected_digit || control == expected_letter {
        Ok(())
    } else {
        Err(TaxIdProblem::ChecksumFailed)
    }
}

/// Validates a Colombian NIT given as digits with the check digit (DV) last
/// (`8001972684`; printed separators such as `800.197.268-4` are dropped).
///
/// DIAN's rule: the digits before the DV, from the right, are multiplied by
/// 3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71; with `r` the sum
/// modulo 11, the DV is `r` when `r` is 0 or 1 and `11 - r` otherwise.
pub fn validate_colombian_nit(id: &str) -> Result<(), TaxIdProblem> {
    let digits = compact(id);
    if digits.is_empty() {
        return Err(TaxIdProblem::Empty);
    }
    let body_length = digits.len().saturating_sub(1);
    if !digits.bytes().all(|byte| byte.is_ascii_digit())
        || !(1..=COLOMBIAN_NIT_WEIGHTS.len()).contains(&body_length)
    {
        return Err(TaxIdProblem::WrongShape {
            expected: "a Colombian NIT (up to 15 digits and a check digit)",
        });
    }
    let (body, check) = digits.split_at(body_length);
    if colombian_nit_check_digit(body) == u32::from(check.as_bytes()[0] - b'0') {
        Ok(())
    } else {
        Err(TaxIdProblem::ChecksumFailed)
    }
}

fn colombian_nit_check_digit(body_digits: &str) -> u32 {
    let total: u32 = body_digits
        .bytes()
        .rev()
        .zip(COLOMBIAN_NIT_WEIGHTS)
        .map(|(byte, weight)| u32::from(byte - b'0') * weight)
        .sum();
    match total % 11 {
        remainder @ (0 | 1) => remainder,
        remainder => 11 - remainder,
    }
}

/// Validates a Mexican RFC and says which kind it is.
///
/// Persona moral: 3 letters (`&` and `Ñ` count as letters), a `YYMMDD` date,
/// a 3-character homoclave; persona física: the same with 4 letters. The
/// last character is SAT's check: each of the first 12 characters (a moral
/// RFC is padded with a leading space) takes its value in
/// `0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ`, weighted 13 down to 2; with `r`
/// the sum modulo 11, the check is `0` when `r` is 0, `A` when `11 - r` is
/// 10, and the digit `11 - r` otherwise. SAT's generic RFCs
/// `XAXX010101000` and `XEXX010101000` are accepted as they are.
pub fn validate_mexican_rfc(id: &str) -> Result<MexicanRfcKind, TaxIdProblem> {
    let rfc = compact(id);
    if rfc.is_empty() {
        return Err(TaxIdProblem::Empty);
    }
    if rfc == MEXICAN_GENERIC_DOMESTIC_RFC {
        return Ok(MexicanRfcKind::GenericDomestic);
    }
    if rfc == MEXICAN_GENERIC_FOREIGN_RFC {
        return Ok(MexicanRfcKind::GenericForeign);
    }
    if !MEXICAN_RFC_SHAPE.is_match(&rfc) {
        return Err(TaxIdProblem::WrongShape {
            expected: "a Mexican RFC (3 or 4 letters, YYMMDD, 3-character homoclave)",
        });
    }
    let mut characters: Vec<char> = rfc.chars().collect();
    let kind = if characters.len() == 12 {
        characters.insert(0, ' ');
        MexicanRfcKind::PersonaMoral
    } else {
        MexicanRfcKind::PersonaFisica
    };
    let date_digits: String = characters[4..10].iter().collect();
    if !is_rfc_date(&date_digits) {
        return Err(TaxIdProblem::InvalidEmbeddedDate);
    }
    let expected =
        mexican_rfc_check_character(&characters[..12]).ok_or(TaxIdProblem::WrongShape {
            expected: "a Mexican RFC (characters outside SAT's alphabet)",
        })?;
    if characters[12] == expected {
        Ok(kind)
    } else {
        Err(TaxIdProblem::ChecksumFailed)
    }
}

/// A `YYMMDD` that is a calendar date in the 1900s or the 2000s.
fn is_rfc_date(yymmdd: &str) -> bool {
    let number = |range: std::ops::Range<usize>| yymmdd[range].parse::<u32>().ok();
    let (Some(year), Some(month), Some(day)) = (number(0..2), number(2..4), number(4..6)) else {
        return false;
    };
    [1900, 2000]
        .iter()
        .any(|century| NaiveDate::from_ymd_opt(century + year as i32, month, day).is_some())
}

fn mexican_rfc_check_character(first_twelve: &[char]) -> Option<char> {
    let mut total = 0u32;
    for (index, character) in first_twelve.iter().enumerate() {
        let value = MEXICAN_RFC_CHARACTER_VALUES
            .chars()
            .position(|c| c == *character)? as u32;
        total += value * (13 - index as u32);
    }
    Some(match 11 - total % 11 {
        11 => '0',
        10 => 'A',
        digit => char::from(b'0' + digit as u8),
    })
}

/// Validates an EU VAT number's country prefix and per-country shape
/// (VIES formats for the EU-27, `EL`/`GR` for Greece, and `XI` for Northern
/// Ireland). `ES` numbers also get the Spanish NIF check and `XI` numbers
/// the GB modulus-97 check; other countries' check digits are not computed.
/// A `GB` number is handed to [`validate_gb_vat`] for convenience.
pub fn validate_eu_vat_shape(id: &str) -> Result<(), TaxIdProblem> {
    let vat = compact(id);
    if vat.is_empty() {
        return Err(TaxIdProblem::Empty);
    }
    let Some(country) = vat
        .get(..2)
        .filter(|prefix| prefix.bytes().all(|b| b.is_ascii_uppercase()))
    else {
        return Err(TaxIdProblem::WrongShape {
            expected: "a VAT number with a two-letter country prefix",
        });
    };
    if country == "GB" {
        return validate_gb_vat(&vat);
    }
    let Some((_, shape)) = EU_VAT_SHAPE_PATTERNS
        .iter()
        .find(|(code, _)| *code == country)
    else {
        return Err(TaxIdProblem::UnknownCountry(country.to_string()));
    };
    let national_part = &vat[2..];
    if !shape.is_match(national_part) {
        return Err(TaxIdProblem::WrongShape {
            expected: "this country's VAT number format",
        });
    }
    match country {
        "ES" => validate_spanish_nif(national_part).map(|_| ()),
        "XI" => validate_gb_vat_number(national_part),
        _ => Ok(()),
    }
}

/// Validates a GB VAT number (with or without the `GB` prefix).
///
/// Standard numbers are 9 digits (12 with a 3-digit branch suffix, which is
/// not checked): the first 7 digits weighted 8 down to 2, plus the last two
/// digits as a number, must be a multiple of 97 (old series) or become one
/// when 55 is added (series issued from 2010). Government departments are
/// `GD000`-`GD499` and health authorities `HA500`-`HA999`, without check.
pub fn validate_gb_vat(id: &str) -> Result<(), TaxIdProblem> {
    let vat = compact(id);
    let national_part = vat.strip_prefix("GB").unwrap_or(&vat);
    if national_part.is_empty() {
        return Err(TaxIdProblem::Empty);
    }
    validate_gb_vat_number(national_part)
}

fn validate_gb_vat_number(national_part: &str) -> Result<(), TaxIdProblem> {
    const WRONG_SHAPE: TaxIdProblem = TaxIdProblem::WrongShape {
        expected: "a GB VAT number (9 or 12 digits, GD000-GD499 or HA500-HA999)",
    };
    if !GB_VAT_SHAPE.is_match(national_part) {
        return Err(WRONG_SHAPE);
    }
    if let Some(department) = national_part.strip_prefix("GD") {
        return if department < "500" {
            Ok(())
        } else {
            Err(WRONG_SHAPE)
        };
    }
    if let Some(authority) = national_part.strip_prefix("HA") {
        return if authority >= "500" {
            Ok(())
        } else {
            Err(WRONG_SHAPE)
        };
    }
    let total = gb_vat_weighted_total(&national_part[..9]);
    if total.is_multiple_of(97) || (total + 55).is_multiple_of(97) {
        Ok(())
    } else {
        Err(TaxIdProblem::ChecksumFailed)
    }
}

/// The first 7 digits weighted 8 down to 2, plus the 2-digit check number.
fn gb_vat_weighted_total(nine_digits: &str) -> u32 {
    let digits: Vec<u32> = nine_digits
        .bytes()
        .map(|byte| u32::from(byte - b'0'))
        .collect();
    let weighted: u32 = digits[..7]
        .iter()
        .zip((2..=8).rev())
        .map(|(digit, weight)| digit * weight)
        .sum();
    weighted + digits[7] * 10 + digits[8]
}

/// IRS-assigned EIN prefixes (the first two digits); the others are unused.
fn is_assigned_ein_prefix(prefix: u32) -> bool {
    matches!(prefix, 1..=6 | 10..=16 | 20..=27 | 30..=48 | 50..=68 | 71..=77 | 80..=88 | 90..=95 | 98 | 99)
}

fn validate_us_ein(digits: &str) -> Result<(), TaxIdProblem> {
    if digits.len() != 9 || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(TaxIdProblem::WrongShape {
            expected: "a US EIN (9 digits)",
        });
    }
    let prefix: u32 = digits[..2]
        .parse()
        .map_err(|_| TaxIdProblem::UnassignedEinPrefix)?;
    if is_assigned_ein_prefix(prefix) {
        Ok(())
    } else {
        Err(TaxIdProblem::UnassignedEinPrefix)
    }
}

/// Recognises which scheme a normalized tax identifier belongs to, by shape
/// and prefix only (no check character is computed). `country_hint` (an ISO
/// 3166 alpha-2 code such as `"CO"`) is needed for bare digits: 9 or 10
/// digits are a Colombian NIT with `CO`, 9 digits a US EIN with `US`; and
/// with `MX`, an RFC shape wins over an EU one. Returns `None` when no
/// scheme's shape fits.
pub fn recognize_tax_id_scheme(
    normalized: &str,
    country_hint: Option<&str>,
) -> Option<TaxIdScheme> {
    let id = compact(normalized);
    let hint = country_hint.map(|hint| hint.trim().to_ascii_uppercase());
    let hint = hint.as_deref();
    let looks_like_rfc = MEXICAN_RFC_SHAPE.is_match(&id)
        || id == MEXICAN_GENERIC_DOMESTIC_RFC
        || id == MEXICAN_GENERIC_FOREIGN_RFC;
    if hint == Some("MX") && looks_like_rfc {
        return Some(TaxIdScheme::MexicanRfc);
    }
    if let Some(national_part) = id.strip_prefix("GB")
        && GB_VAT_SHAPE.is_match(national_part)
    {
        return Some(TaxIdScheme::GbVat);
    }
    if let Some(country) = id.get(..2)
        && let Some((code, shape)) = EU_VAT_SHAPE_PATTERNS
            .iter()
            .find(|(code, _)| *code == country)
        && shape.is_match(&id[2..])
    {
        return Some(TaxIdScheme::EuVat(code));
    }
    if SPANISH_NIF_SHAPE.is_match(&id) {
        return Some(TaxIdScheme::SpanishNif);
    }
    if looks_like_rfc {
        return Some(TaxIdScheme::MexicanRfc);
    }
    let all_digits = !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit());
    match hint {
        Some("CO") if all_digits && (9..=10).contains(&id.len()) => Some(TaxIdScheme::ColombianNit),
        Some("US") if all_digits && id.len() == 9 => Some(TaxIdScheme::UsEin),
        _ => None,
    }
}

/// Recognises a normalized tax identifier's scheme (see
/// [`recognize_tax_id_scheme`]) and runs that scheme's checks. An
/// identifier with a VAT country prefix but the wrong shape for that
/// country is `Invalid` with [`TaxIdProblem::WrongShape`]; one that fits no
/// scheme at all is [`TaxIdVerdict::UnknownScheme`].
pub fn check_tax_id(normalized: &str, country_hint: Option<&str>) -> TaxIdVerdict {
    let id = compact(normalized);
    let Some(scheme) = recognize_tax_id_scheme(&id, country_hint) else {
        return verdict_for_unrecognized(&id);
    };
    let outcome = match scheme {
        TaxIdScheme::SpanishNif => validate_spanish_nif(&id).map(|_| ()),
        TaxIdScheme::EuVat(_) => validate_eu_vat_shape(&id),
        TaxIdScheme::GbVat => validate_gb_vat(&id),
        TaxIdScheme::ColombianNit => validate_colombian_nit(&id),
        TaxIdScheme::MexicanRfc => validate_mexican_rfc(&id).map(|_| ()),
        TaxIdScheme::UsEin => validate_us_ein(&id),
    };
    match outcome {
        Ok(()) => TaxIdVerdict::Valid(scheme),
        Err(problem) => TaxIdVerdict::Invalid(scheme, problem),
    }
}

/// An identifier that starts with a VAT country prefix and has digits after
/// it is taken as a misprinted VAT number rather than an unknown scheme.
fn verdict_for_unrecognized(id: &str) -> TaxIdVerdict {
    let Some(country) = id.get(..2) else {
        return TaxIdVerdict::UnknownScheme;
    };
    let has_digits_after_prefix = id[2..].bytes().any(|byte| byte.is_ascii_digit());
    if !has_digits_after_prefix || !id[2..].bytes().all(|byte| byte.is_ascii_alphanumeric()) {
        return TaxIdVerdict::UnknownScheme;
    }
    if country == "GB" {
        return TaxIdVerdict::Invalid(
            TaxIdScheme::GbVat,
            validate_gb_vat(id)
                .err()
                .unwrap_or(TaxIdProblem::ChecksumFailed),
        );
    }
    match EU_VAT_SHAPES.iter().find(|(code, _)| *code == country) {
        Some((code, _)) => TaxIdVerdict::Invalid(
            TaxIdScheme::EuVat(code),
            validate_eu_vat_shape(id)
                .err()
                .unwrap_or(TaxIdProblem::ChecksumFailed),
        ),
        None => TaxIdVerdict::UnknownScheme,
    }
}

/// Characters OCR takes for one another in tax ids printed in sans fonts.
const OCR_CONFUSIONS: &[(char, char)] = &[('5', 'S'), ('1', 'I'), ('0', 'O'), ('8', 'B'), ('2', 'Z'), ('6', 'G')];

/// A tax id as OCR read it, repaired: when `read` fails its check, every
/// variant with one or two OCR confusions swapped (`5`/`S`, `1`/`I`,
/// `0`/`O`, `8`/`B`, `2`/`Z`, `6`/`G`) is checked, and the repair is kept
/// only when exactly one variant passes, as the MRZ reader does with its
/// check digits. `None` when `read` is valid already or no single repair
/// holds.
pub fn repair_ocr_confusions_in_tax_id(read: &str) -> Option<String> {
    let is_valid = |candidate: &str| matches!(check_tax_id(candidate, None), TaxIdVerdict::Valid(_));
    if is_valid(read) {
        return None;
    }
    let characters: Vec<char> = read.chars().collect();
    let swap = |character: char| OCR_CONFUSIONS.iter().find_map(|(first, second)| match character {
        c if c == *first => Some(*second),
        c if c == *second => Some(*first),
        _ => None,
    });
    let swappable: Vec<usize> = (0..characters.len()).filter(|index| swap(characters[*index]).is_some()).collect();
    let mut repairs: Vec<String> = Vec::new();
    let mut try_variant = |positions: &[usize]| {
        let mut variant = characters.clone();
        for position in positions {
            variant[*position] = swap(variant[*position]).expect("only swappable positions");
        }
        let variant: String = variant.into_iter().collect();
        if is_valid(&variant) && !repairs.contains(&variant) {
            repairs.push(variant);
        }
    };
    for (index, first) in swappable.iter().enumerate() {
        try_variant(&[*first]);
        for second in &swappable[index + 1..] {
            try_variant(&[*first, *second]);
        }
    }
    if repairs.len() == 1 { repairs.pop() } else { None }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ocr_confusion_in_a_tax_id_is_repaired_only_when_one_variant_passes_its_check() {
        // SBX850228ST3 and CBX850420IM1 are valid RFCs, read with S as 5 and I as 1.
        assert_eq!(super::repair_ocr_confusions_in_tax_id("SBX8502285T3").as_deref(), Some("SBX850228ST3"));
        assert_eq!(super::repair_ocr_confusions_in_tax_id("CBX8504201M1").as_deref(), Some("CBX850420IM1"));
        assert_eq!(super::repair_ocr_confusions_in_tax_id("SBX850228ST3"), None, "already valid");
        assert_eq!(super::repair_ocr_confusions_in_tax_id("B0000000"), None, "no variant passes");
    }

    use super::*;

    /// Every variant of `id` with one digit replaced by another digit.
    fn single_digit_changes(id: &str) -> Vec<String> {
        let mut changes = Vec::new();
        for (index, original) in id.char_indices().filter(|(_, c)| c.is_ascii_digit()) {
            for replacement in ('0'..='9').filter(|&digit| digit != original) {
                let mut changed = id.to_string();
                changed.replace_range(index..index + 1, &replacement.to_string());
                changes.push(changed);
            }
        }
        changes
    }

    #[test]
    fn the_textbook_dni_and_nie_examples_are_valid() {
        assert_eq!(validate_spanish_nif("12345678Z"), Ok(SpanishIdKind::Dni));
        assert_eq!(validate_spanish_nif("12.345.678-z"), Ok(SpanishIdKind::Dni));
        assert_eq!(validate_spanish_nif("ES12345678Z"), Ok(SpanishIdKind::Dni));
        assert_eq!(validate_spanish_nif("X1234567L"), Ok(SpanishIdKind::Nie));
        assert_eq!(validate_spanish_nif("Y1234567X"), Ok(SpanishIdKind::Nie));
        assert_eq!(validate_spanish_nif("Z1234567R"), Ok(SpanishIdKind::Nie));
        assert_eq!(
            validate_spanish_nif("K1234567L"),
            Ok(SpanishIdKind::PersonWithoutDniOrNie)
        );
    }

    #[test]
    fn published_cifs_are_valid_with_the_control_kind_their_organisation_takes() {
        // A58818501 and B65410011 are widely published; B12345674,
        // B28015865, B77436020, G48200422, P2807900B and P4800000D appear in
        // the development corpus; Q2826000H is the Agencia Tributaria's own.
        for cif in [
            "A58818501",
            "B65410011",
            "B12345674",
            "B28015865",
            "B77436020",
            "G48200422",
            "ESB12345674",
        ] {
            assert_eq!(validate_spanish_nif(cif), Ok(SpanishIdKind::Cif), "{cif}");
        }
        // N0032484H and S2833002E were computed for this test (letter-only types).
        for cif in [
            "Q2826000H",
            "P2807900B",
            "P4800000D",
            "N0032484H",
            "S2833002E",
        ] {
            assert_eq!(validate_spanish_nif(cif), Ok(SpanishIdKind::Cif), "{cif}");
        }
        // G and the other letters may print either the digit or its letter.
        assert_eq!(validate_spanish_nif("G4820042B"), Ok(SpanishIdKind::Cif));
    }

    #[test]
    fn a_cif_with_the_wrong_kind_of_control_character_is_told_apart_from_a_bad_checksum() {
        assert_eq!(
            validate_spanish_nif("A5881850A"),
            Err(TaxIdProblem::WrongControlCharacterKind { expected: "digit" })
        );
        assert_eq!(
            validate_spanish_nif("P28079002"),
            Err(TaxIdProblem::WrongControlCharacterKind { expected: "letter" })
        );
        assert_eq!(
            validate_spanish_nif("A58818502"),
            Err(TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(
            validate_spanish_nif("P2807900C"),
            Err(TaxIdProblem::ChecksumFailed)
        );
    }

    #[test]
    fn spanish_ids_of_the_wrong_shape_are_rejected() {
        for id in [
            "1234567Z",
            "123456789",
            "X12345678",
            "I1234567A",
            "B1234567",
            "ABC",
        ] {
            assert!(
                matches!(
                    validate_spanish_nif(id),
                    Err(TaxIdProblem::WrongShape { .. })
                ),
                "{id}"
            );
        }
        assert_eq!(validate_spanish_nif(" - "), Err(TaxIdProblem::Empty));
    }

    #[test]
    fn changing_any_digit_of_a_spanish_nif_makes_it_invalid() {
        // mod 23 (DNI, NIE) and the Luhn-like CIF sum both catch every
        // single-digit substitution.
        for valid in [
            "12345678Z",
            "X1234567L",
            "K1234567L",
            "A58818501",
            "B65410011",
            "Q2826000H",
        ] {
            for changed in single_digit_changes(valid) {
                assert!(validate_spanish_nif(&changed).is_err(), "{changed} passed");
            }
        }
    }

    #[test]
    fn published_colombian_nits_are_valid() {
        // 800.197.268-4 is DIAN's own NIT; 860.034.313-7 is widely cited.
        assert_eq!(validate_colombian_nit("800197268-4"), Ok(()));
        assert_eq!(validate_colombian_nit("800.197.268-4"), Ok(()));
        assert_eq!(validate_colombian_nit("8600343137"), Ok(()));
        assert_eq!(validate_colombian_nit("899.999.034-1"), Ok(()));
        assert_eq!(
            validate_colombian_nit("800.197.268-5"),
            Err(TaxIdProblem::ChecksumFailed)
        );
        assert!(matches!(
            validate_colombian_nit("80019726A-4"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert!(matches!(
            validate_colombian_nit("7"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
    }

    #[test]
    fn changing_any_digit_of_these_nits_makes_them_invalid() {
        for valid in ["8001972684", "8600343137"] {
            for changed in single_digit_changes(valid) {
                assert!(
                    validate_colombian_nit(&changed).is_err(),
                    "{changed} passed"
                );
            }
        }
    }

    #[test]
    fn a_nit_whose_remainder_is_one_shares_its_check_digit_with_remainder_ten() {
        // DIAN maps remainders 1 and 10 both to check digit 1, so when a
        // changed digit moves the remainder between them the change goes
        // unnoticed; every change of the check digit itself is still caught.
        let valid = "8999990341";
        let undetected: Vec<String> = single_digit_changes(valid)
            .into_iter()
            .filter(|changed| validate_colombian_nit(changed).is_ok())
            .collect();
        assert_eq!(
            undetected,
            vec![
                "5999990341",
                "8399990341",
                "8949990341",
                "8997990341",
                "8999690341",
                "8999950341",
                "8999990941",
                "8999990371"
            ]
        );
        assert!(undetected.iter().all(|changed| changed.ends_with('1')));
    }

    #[test]
    fn published_mexican_rfcs_are_valid() {
        assert_eq!(
            validate_mexican_rfc("SAT970701NN3"),
            Ok(MexicanRfcKind::PersonaMoral)
        );
        assert_eq!(
            validate_mexican_rfc("EKU9003173C9"),
            Ok(MexicanRfcKind::PersonaMoral)
        );
        assert_eq!(
            validate_mexican_rfc("GODE561231GR8"),
            Ok(MexicanRfcKind::PersonaFisica)
        );
        assert_eq!(
            validate_mexican_rfc("CACX7605101P8"),
            Ok(MexicanRfcKind::PersonaFisica)
        );
        assert_eq!(
            validate_mexican_rfc("gode-561231-gr8"),
            Ok(MexicanRfcKind::PersonaFisica)
        );
        assert_eq!(
            validate_mexican_rfc("COSC8001137NA"),
            Ok(MexicanRfcKind::PersonaFisica)
        );
    }

    #[test]
    fn the_generic_rfcs_are_accepted_as_they_are() {
        assert_eq!(
            validate_mexican_rfc("XAXX010101000"),
            Ok(MexicanRfcKind::GenericDomestic)
        );
        assert_eq!(
            validate_mexican_rfc("XEXX010101000"),
            Ok(MexicanRfcKind::GenericForeign)
        );
    }

    #[test]
    fn an_rfc_with_an_impossible_date_or_a_wrong_check_character_is_invalid() {
        assert_eq!(
            validate_mexican_rfc("SAT971301NN3"),
            Err(TaxIdProblem::InvalidEmbeddedDate)
        );
        assert_eq!(
            validate_mexican_rfc("GODE560231GR8"),
            Err(TaxIdProblem::InvalidEmbeddedDate)
        );
        assert_eq!(
            validate_mexican_rfc("SAT970701NN4"),
            Err(TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(
            validate_mexican_rfc("MCI7306249Y1"),
            Err(TaxIdProblem::ChecksumFailed)
        );
        assert!(matches!(
            validate_mexican_rfc("SA970701NN3"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        // Persona física born on 29 February 2000 (leap in the 2000s only).
        assert_ne!(
            validate_mexican_rfc("GODE000229GR8"),
            Err(TaxIdProblem::InvalidEmbeddedDate)
        );
    }

    #[test]
    fn changing_any_digit_of_an_rfc_makes_it_invalid() {
        // Digits sit where the weights are 2 to 9, never 11, so every
        // single-digit change moves the sum modulo 11.
        for valid in [
            "SAT970701NN3",
            "EKU9003173C9",
            "GODE561231GR8",
            "CACX7605101P8",
        ] {
            for changed in single_digit_changes(valid) {
                assert!(validate_mexican_rfc(&changed).is_err(), "{changed} passed");
            }
        }
    }

    #[test]
    fn gb_vat_numbers_pass_the_modulus_97_check_in_either_series() {
        // 980 7806 84 is python-stdnum's documented example (old series).
        assert_eq!(validate_gb_vat("GB980780684"), Ok(()));
        assert_eq!(validate_gb_vat("GB 980 7806 84"), Ok(()));
        assert_eq!(validate_gb_vat("980780684"), Ok(()));
        assert_eq!(validate_gb_vat("GB980780684001"), Ok(()));
        // Constructed so that only the 55-offset (post-2010) series holds.
        assert_eq!(validate_gb_vat("GB100190874"), Ok(()));
        assert_eq!(
            validate_gb_vat("GB123456789"),
            Err(TaxIdProblem::ChecksumFailed)
        );
    }

    #[test]
    fn gb_government_departments_and_health_authorities_have_their_own_ranges() {
        assert_eq!(validate_gb_vat("GBGD001"), Ok(()));
        assert_eq!(validate_gb_vat("GBHA500"), Ok(()));
        assert!(matches!(
            validate_gb_vat("GBGD500"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert!(matches!(
            validate_gb_vat("GBHA499"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert!(matches!(
            validate_gb_vat("GB12345678"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
    }

    #[test]
    fn a_gb_vat_digit_change_is_caught_unless_it_lands_on_the_other_series() {
        // The check accepts two remainders (0, and 42 for the 55-offset
        // series); raising the weight-6 digit by 7 (or the weight-7 digit by
        // 6) adds exactly 42, the scheme's one blind spot.
        let undetected = |valid: &str| -> Vec<String> {
            single_digit_changes(valid)
                .into_iter()
                .filter(|changed| validate_gb_vat(changed).is_ok())
                .collect()
        };
        assert_eq!(undetected("980780684"), vec!["987780684"]);
        assert_eq!(undetected("100190874"), Vec::<String>::new());
    }

    #[test]
    fn eu_vat_numbers_have_their_country_shape() {
        // The first six come from the development corpus; the others give one
        // example of each remaining shape (AT's U, IT's 11 digits, Greece's EL
        // and GR, Ireland's trailing letter, Sweden's 01 suffix).
        for vat in [
            "DE136695976",
            "FR60421938861",
            "NL809163160B01",
            "BE0123456749",
            "DK16356607",
            "LU98765432",
            "ATU13585627",
            "IT00743110157",
            "EL094259216",
            "GR094259216",
            "IE6388047V",
            "SE556036079301",
        ] {
            assert_eq!(validate_eu_vat_shape(vat), Ok(()), "{vat}");
        }
    }

    #[test]
    fn spanish_and_northern_irish_vat_numbers_also_run_their_check() {
        assert_eq!(validate_eu_vat_shape("ESB12345674"), Ok(()));
        assert_eq!(validate_eu_vat_shape("ES X1234567L"), Ok(()));
        assert_eq!(
            validate_eu_vat_shape("ESB12345675"),
            Err(TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(validate_eu_vat_shape("XI980780684"), Ok(()));
        assert_eq!(
            validate_eu_vat_shape("XI980780685"),
            Err(TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(validate_eu_vat_shape("GB980780684"), Ok(()));
    }

    #[test]
    fn eu_vat_numbers_of_the_wrong_shape_or_country_are_rejected() {
        assert!(matches!(
            validate_eu_vat_shape("DE12345464867"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert!(matches!(
            validate_eu_vat_shape("NL16356706"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert!(matches!(
            validate_eu_vat_shape("AT13585627"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert_eq!(
            validate_eu_vat_shape("NO987654321MVA"),
            Err(TaxIdProblem::UnknownCountry("NO".to_string()))
        );
        assert!(matches!(
            validate_eu_vat_shape("123456789"),
            Err(TaxIdProblem::WrongShape { .. })
        ));
        assert_eq!(validate_eu_vat_shape(""), Err(TaxIdProblem::Empty));
    }

    #[test]
    fn check_tax_id_dispatches_by_shape_prefix_and_country_hint() {
        use TaxIdScheme::*;
        use TaxIdVerdict::*;
        assert_eq!(check_tax_id("B12345674", None), Valid(SpanishNif));
        assert_eq!(check_tax_id("12345678Z", None), Valid(SpanishNif));
        assert_eq!(check_tax_id("ESB12345674", None), Valid(EuVat("ES")));
        assert_eq!(check_tax_id("DE136695976", None), Valid(EuVat("DE")));
        assert_eq!(check_tax_id("XI980780684", None), Valid(EuVat("XI")));
        assert_eq!(check_tax_id("GB980780684", None), Valid(GbVat));
        assert_eq!(check_tax_id("SAT970701NN3", None), Valid(MexicanRfc));
        assert_eq!(check_tax_id("XAXX010101000", None), Valid(MexicanRfc));
        assert_eq!(check_tax_id("8001972684", Some("CO")), Valid(ColombianNit));
        assert_eq!(check_tax_id("8001972684", None), UnknownScheme);
        assert_eq!(check_tax_id("123456789", Some("us")), Valid(UsEin));
        assert_eq!(check_tax_id("123456789", None), UnknownScheme);
    }

    #[test]
    fn check_tax_id_reports_what_failed_for_a_recognised_scheme() {
        use TaxIdScheme::*;
        use TaxIdVerdict::*;
        assert_eq!(
            check_tax_id("B12345675", None),
            Invalid(SpanishNif, TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(
            check_tax_id("GB123456789", None),
            Invalid(GbVat, TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(
            check_tax_id("MCI7306249Y1", None),
            Invalid(MexicanRfc, TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(
            check_tax_id("8001972685", Some("CO")),
            Invalid(ColombianNit, TaxIdProblem::ChecksumFailed)
        );
        assert_eq!(
            check_tax_id("073456789", Some("US")),
            Invalid(UsEin, TaxIdProblem::UnassignedEinPrefix)
        );
        assert!(matches!(
            check_tax_id("DE12345464867", None),
            Invalid(EuVat("DE"), TaxIdProblem::WrongShape { .. })
        ));
        assert!(matches!(
            check_tax_id("GB12345", None),
            Invalid(GbVat, TaxIdProblem::WrongShape { .. })
        ));
        assert_eq!(check_tax_id("NO987654321MVA", None), UnknownScheme);
        assert_eq!(check_tax_id("2026-0042", None), UnknownScheme);
        assert_eq!(check_tax_id("", None), UnknownScheme);
    }

    #[test]
    fn the_mexico_hint_prefers_an_rfc_over_a_french_vat_shape() {
        // Four letters, six digits and three characters fit both schemes.
        assert_eq!(
            check_tax_id("FRAB123456789", None),
            TaxIdVerdict::Valid(TaxIdScheme::EuVat("FR"))
        );
        assert!(matches!(
            check_tax_id("FRAB123456789", Some("MX")),
            TaxIdVerdict::Invalid(TaxIdScheme::MexicanRfc, _)
        ));
    }

    #[test]
    fn problem_messages_never_contain_the_identifier() {
        let invalid = [
            validate_spanish_nif("12345678A"),
            validate_spanish_nif("A5881850A").map(|_| SpanishIdKind::Cif),
            validate_colombian_nit("8001972685").map(|()| SpanishIdKind::Dni),
            validate_mexican_rfc("GODE560231GR8").map(|_| SpanishIdKind::Dni),
            validate_gb_vat("GB123456789").map(|()| SpanishIdKind::Dni),
            validate_eu_vat_shape("DE12345464867").map(|()| SpanishIdKind::Dni),
        ];
        for outcome in invalid {
            let message = outcome.expect_err("all of these are invalid").to_string();
            assert!(!message.chars().any(|c| c.is_ascii_digit()), "{message}");
        }
    }
}
