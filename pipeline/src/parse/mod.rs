//! Parsers for values as people print them: amounts (`1.234,56`,
//! `1,234.56`), dates (`15/03/2026`, `15 de marzo de 2026`, `March 15,
//! 2026`) and tax ids, each returning the contract's normal form; and the
//! accents OCR drops from Spanish names.
//!
//! It also owns [`ascii_shadow`], the stand-in text that lets patterns of
//! ASCII digits, punctuation and word boundaries run on the regex engine's
//! fast path over text that is not ASCII.

use std::borrow::Cow;

pub mod amount;
pub mod date;
pub mod spanish_accents;
pub mod tax_id;

/// `text` with every non-ASCII character replaced by as many bytes as it
/// takes: `a` where it is a word character (`é`, `ñ`), a space where it is
/// not (`€`, a no-break space). Every byte offset, and whether `\b` holds
/// there, stays as in `text`.
///
/// Why: a Unicode `\b` makes the regex engine leave its DFA for a slow
/// backtracking search as soon as the haystack holds one non-ASCII byte, and
/// invoices are full of them (`€`, accents). A pattern made only of ASCII
/// digits, ASCII punctuation and `\b` finds exactly the same matches, at the
/// same offsets, in the shadow as in the text, and finds them on the fast
/// path. Patterns with letters, case-insensitive parts or non-ASCII
/// literals must keep reading the text itself.
///
/// `None` when `text` holds a non-ASCII digit (`٣`), which `\d` matches and
/// the shadow would hide: read the text itself then. Borrowed when `text`
/// is ASCII already.
pub fn ascii_shadow(text: &str) -> Option<Cow<'_, str>> {
    if text.is_ascii() {
        return Some(Cow::Borrowed(text));
    }
    let mut shadow = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_ascii() {
            shadow.push(character);
            continue;
        }
        if character.is_numeric() {
            return None;
        }
        let stand_in = if regex_syntax::is_word_character(character) { 'a' } else { ' ' };
        shadow.extend(std::iter::repeat_n(stand_in, character.len_utf8()));
    }
    Some(Cow::Owned(shadow))
}

/// `pattern` with its `\b` assertions taken out. It matches wherever
/// `pattern` matches (an assertion only ever rules matches out), and with no
/// look-around left it runs on the regex engine's fast path whatever the
/// text: a cheap test that spares running `pattern` where it cannot match.
/// Escaped backslashes (`\\b`) are left alone.
pub fn without_word_boundaries(pattern: &str) -> String {
    let mut relaxed = String::with_capacity(pattern.len());
    let mut characters = pattern.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '\\' {
            match characters.next() {
                Some('b') => continue,
                Some(escaped) => {
                    relaxed.push('\\');
                    relaxed.push(escaped);
                }
                None => relaxed.push('\\'),
            }
            continue;
        }
        relaxed.push(character);
    }
    relaxed
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::{ascii_shadow, without_word_boundaries};

    #[test]
    fn taking_out_word_boundaries_keeps_escaped_backslashes_and_other_escapes() {
        assert_eq!(without_word_boundaries(r"(?i)\b(iva|vat)\b\s*\d+"), r"(?i)(iva|vat)\s*\d+");
        assert_eq!(without_word_boundaries(r"a\\b"), r"a\\b");
        assert_eq!(without_word_boundaries(r"\bB\B"), r"B\B");
    }

    #[test]
    fn an_ascii_text_is_its_own_shadow() {
        assert!(matches!(ascii_shadow("Total 1.234,56 EUR"), Some(std::borrow::Cow::Borrowed(_))));
    }

    #[test]
    fn the_shadow_keeps_byte_offsets_and_word_boundaries() {
        let text = "Importe: 1.234,56 € · é12,00 ñ 7,50€ Straße 3,25";
        let shadow = ascii_shadow(text).expect("no non-ASCII digits");
        assert_eq!(shadow.len(), text.len());
        assert!(shadow.is_ascii());
        let pattern = Regex::new(r"\b(?:\d{1,3}(?:\.\d{3})+|\d+),\d{2}\b").unwrap();
        let in_text: Vec<_> = pattern.find_iter(text).map(|found| found.range()).collect();
        let in_shadow: Vec<_> = pattern.find_iter(&shadow).map(|found| found.range()).collect();
        assert_eq!(in_text, in_shadow);
        // `é12,00` is glued to a letter: no match there, in either.
        assert_eq!(in_text.len(), 3);
    }

    #[test]
    fn a_text_with_a_non_ascii_digit_has_no_shadow() {
        assert!(ascii_shadow("Total ٣,٥٠").is_none());
    }
}
