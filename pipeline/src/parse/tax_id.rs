//! Tax identifiers as printed (`ES B-12345678`, `900.123.456-7`, `GB 123
//! 4567 89`): the contract's normal form, and finding candidates on a line.
//!
//! This module owns only the printed form. Which scheme an identifier
//! belongs to and whether its check character holds is
//! [`crate::identifiers::tax_id`]'s business; the finder here uses its
//! shape recognition ([`recognize_tax_id_scheme`]) so that both agree on
//! what a tax id looks like.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::identifiers::tax_id::{
    TaxIdProblem, TaxIdScheme, recognize_tax_id_scheme, validate_mexican_rfc,
};

/// Writes a tax identifier in the contract's normal form: uppercase
/// letters and digits only, spaces, dots, hyphens, slashes and other
/// punctuation dropped, a printed country prefix kept (`ES B-12345678`
/// becomes `ESB12345678`). `Ñ` and the `&` of Mexican RFCs are part of
/// those identifiers' alphabet and are kept.
pub fn normalize_tax_id(text: &str) -> String {
    text.chars()
        .flat_map(char::to_uppercase)
        .filter(|c| c.is_alphanumeric() || *c == '&')
        .collect()
}

/// At most this many printed pieces (`GB`, `123`, `4567`, `89`) make one id.
const MAXIMUM_PIECES_PER_ID: usize = 6;

/// Colombian NIT as printed with its check digit set apart
/// (`900.123.456-7`, `900123456-7`, `900 123 456 7` is not enough).
static PRINTED_COLOMBIAN_NIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,3}(?:[.,]\d{3}){2,4}-?\d|\d{6,15}-\d)$").expect("valid regex")
});

/// Mexican RFC as printed: in one piece or with hyphens around the date
/// (`GODE-561231-GR8`), never with spaces, which would let a label such as
/// `NIT` followed by digits pass for one.
static PRINTED_MEXICAN_RFC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-ZÑ&]{3,4}-?\d{6}-?[A-Z0-9]{3}$").expect("valid regex"));

/// US EIN as printed: `12-3456789`.
static PRINTED_US_EIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{2}-\d{7}$").expect("valid regex"));

/// Finds the tokens on a line that look like a tax identifier of a
/// supported kind, left to right, as byte ranges into `line` with the
/// identifier in normal form. Shapes only; no check character is computed.
///
/// Recognised: Spanish NIF/NIE/CIF with or without `ES` (`B-12345678`,
/// `ES B12345678`, `12.345.678-Z`), EU VAT numbers (`DE123456789`,
/// `FR 40 303 265 045`), GB VAT (`GB 123 4567 89`), Mexican RFCs, and, for
/// bare digits, only the printed forms that cannot be a phone or invoice
/// number: a Colombian NIT with its check digit set apart (`900.123.456-7`)
/// and a US EIN (`12-3456789`). An id may be printed in pieces separated by
/// spaces, dots, hyphens or slashes; its letters must be uppercase, so that
/// words such as `de` are not read as country prefixes.
pub fn find_tax_id_candidates(line: &str) -> Vec<(Range<usize>, String)> {
    let pieces = printed_pieces(line);
    let mut candidates = Vec::new();
    let mut first = 0;
    while first < pieces.len() {
        let longest_match = (first..pieces.len().min(first + MAXIMUM_PIECES_PER_ID))
            .rev()
            .filter(|&last| pieces[first..last].iter().all(|piece| piece.joins_next))
            .find_map(|last| {
                let range = pieces[first].start..pieces[last].end;
                let printed = &line[range.clone()];
                looks_like_tax_id(printed).map(|normalized| (last, range, normalized))
            });
        match longest_match {
            Some((last, range, normalized)) => {
                candidates.push((range, normalized));
                first = last + 1;
            }
            None => first += 1,
        }
    }
    candidates
}

/// A maximal run of uppercase letters, digits, `Ñ` and `&`, and whether
/// only a short separator (one to three spaces, dots, hyphens or slashes)
/// stands between it and the next piece.
#[derive(Debug, Clone)]
struct PrintedPiece {
    start: usize,
    end: usize,
    joins_next: bool,
}

fn is_piece_character(character: char) -> bool {
    character.is_ascii_uppercase()
        || character.is_ascii_digit()
        || character == 'Ñ'
        || character == '&'
}

fn is_piece_separator(character: char) -> bool {
    matches!(character, ' ' | '.' | '-' | '/' | '\u{00A0}')
}

/// Splits a line into pieces. A run touching a lowercase letter (`Factura`,
/// `12kg`) is not a piece, and breaks any chain of pieces.
fn printed_pieces(line: &str) -> Vec<PrintedPiece> {
    let mut pieces: Vec<PrintedPiece> = Vec::new();
    let mut characters = line.char_indices().peekable();
    let mut previous_piece_end: Option<usize> = None;
    while let Some((start, character)) = characters.next() {
        if !character.is_alphanumeric() && character != '&' {
            continue;
        }
        let mut end = start + character.len_utf8();
        let mut clean = is_piece_character(character);
        while let Some(&(index, next)) = characters.peek() {
            if !next.is_alphanumeric() && next != '&' {
                break;
            }
            clean &= is_piece_character(next);
            end = index + next.len_utf8();
            characters.next();
        }
        if let (Some(previous_end), Some(previous)) = (previous_piece_end, pieces.last_mut()) {
            let gap = &line[previous_end..start];
            previous.joins_next = clean
                && previous.end == previous_end
                && (1..=3).contains(&gap.chars().count())
                && gap.chars().all(is_piece_separator);
        }
        if clean {
            pieces.push(PrintedPiece {
                start,
                end,
                joins_next: false,
            });
        }
        previous_piece_end = Some(end);
    }
    pieces
}

/// The normalized id when the printed text looks like a supported tax id.
fn looks_like_tax_id(printed: &str) -> Option<String> {
    let normalized = normalize_tax_id(printed);
    let looks_right = match recognize_tax_id_scheme(&normalized, None) {
        Some(TaxIdScheme::MexicanRfc) => {
            let shape_holds = !matches!(
                validate_mexican_rfc(&normalized),
                Err(TaxIdProblem::InvalidEmbeddedDate | TaxIdProblem::WrongShape { .. })
            );
            PRINTED_MEXICAN_RFC.is_match(printed) && shape_holds
        }
        Some(_) => true,
        None => PRINTED_COLOMBIAN_NIT.is_match(printed) || PRINTED_US_EIN.is_match(printed),
    };
    looks_right.then_some(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(line: &str) -> Vec<String> {
        find_tax_id_candidates(line)
            .into_iter()
            .map(|(_, normalized)| normalized)
            .collect()
    }

    #[test]
    fn printed_separators_are_dropped_and_the_country_prefix_is_kept() {
        assert_eq!(normalize_tax_id("ES B-12345678"), "ESB12345678");
        assert_eq!(normalize_tax_id(" b-12.345.674 "), "B12345674");
        assert_eq!(normalize_tax_id("900.123.456-8"), "9001234568");
        assert_eq!(normalize_tax_id("GB 123 4567 82"), "GB123456782");
        assert_eq!(normalize_tax_id("12-3456789"), "123456789");
        assert_eq!(normalize_tax_id("X-1234567-L"), "X1234567L");
        assert_eq!(normalize_tax_id("NL809163160B01"), "NL809163160B01");
    }

    #[test]
    fn the_ampersand_and_enye_of_mexican_rfcs_survive_normalization() {
        assert_eq!(normalize_tax_id("a&c-010101-ab1"), "A&C010101AB1");
        assert_eq!(normalize_tax_id("ÑAÑ 010101 AB1"), "ÑAÑ010101AB1");
    }

    #[test]
    fn a_spanish_cif_after_its_label_is_found_with_its_range() {
        let line = "CIF: B-12345674  Tel. 912 345 678";
        let found = find_tax_id_candidates(line);
        assert_eq!(found.len(), 1);
        let (range, normalized) = &found[0];
        assert_eq!(&line[range.clone()], "B-12345674");
        assert_eq!(normalized, "B12345674");
    }

    #[test]
    fn a_country_prefix_printed_apart_joins_the_number() {
        assert_eq!(candidates("NIF/VAT: ES B12345674"), vec!["ESB12345674"]);
        assert_eq!(
            candidates("VAT Reg. No. GB 980 7806 84"),
            vec!["GB980780684"]
        );
        assert_eq!(candidates("USt-IdNr.: DE 136 695 976"), vec!["DE136695976"]);
    }

    #[test]
    fn every_supported_kind_is_found_on_one_line() {
        let line = "12345678Z X1234567L NL809163160B01 SAT970701NN3 GODE561231GR8 \
                    NIT 800.197.268-4 EIN 12-3456789";
        assert_eq!(
            candidates(line),
            vec![
                "12345678Z",
                "X1234567L",
                "NL809163160B01",
                "SAT970701NN3",
                "GODE561231GR8",
                "8001972684",
                "123456789"
            ]
        );
    }

    #[test]
    fn phone_numbers_invoice_numbers_and_lowercase_words_are_not_candidates() {
        assert!(candidates("Tel. +34 912 345 678").is_empty());
        assert!(candidates("Factura 2026-0042 del 15/03/2026").is_empty());
        assert!(candidates("precio de 123456789 pesos").is_empty());
        assert!(candidates("Total 1.234,56 EUR").is_empty());
    }
}
