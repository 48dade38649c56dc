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

/// A looser twin of `pattern`, for a cheap first test: its `\b` assertions
/// are taken out and its bounded repetitions opened (`{0,30}` becomes
/// `{0,}`). It matches wherever `pattern` matches (an assertion only ever
/// rules matches out, an open bound only lets more in), with no look-around
/// left it runs on the regex engine's fast path whatever the text, and it
/// compiles in a fraction of the time (`[\s\p{L}]{0,30}` is thirty copies
/// of every letter of Unicode). It spares running `pattern` where `pattern`
/// cannot match. Escapes (`\\b`, `\{`) and character classes are left alone.
pub fn loosened(pattern: &str) -> String {
    let mut loose = String::with_capacity(pattern.len());
    let mut characters = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(character) = characters.next() {
        match character {
            '\\' => match characters.next() {
                Some('b') if !in_class => {}
                Some(escaped) => {
                    loose.push('\\');
                    loose.push(escaped);
                }
                None => loose.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                loose.push(character);
                // A `]` or `^]` right after the opening bracket is a literal.
                if characters.peek() == Some(&'^') {
                    loose.push(characters.next().expect("peeked"));
                }
                if characters.peek() == Some(&']') {
                    loose.push(characters.next().expect("peeked"));
                }
            }
            ']' if in_class => {
                in_class = false;
                loose.push(character);
            }
            '{' if !in_class => {
                let rest: String = characters.clone().take_while(|&next| next != '}').collect();
                let bounded = rest.split_once(',').filter(|(low, high)| {
                    !low.is_empty() && low.chars().all(|c| c.is_ascii_digit()) && !high.is_empty() && high.chars().all(|c| c.is_ascii_digit())
                });
                match bounded {
                    Some((low, _)) if characters.clone().nth(rest.chars().count()) == Some('}') => {
                        loose.push('{');
                        loose.push_str(low);
                        loose.push_str(",}");
                        for _ in 0..=rest.chars().count() {
                            characters.next();
                        }
                    }
                    _ => loose.push(character),
                }
            }
            _ => loose.push(character),
        }
    }
    loose
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::{ascii_shadow, loosened};

    #[test]
    fn a_loosened_pattern_loses_its_word_boundaries_and_bounds_and_keeps_escapes_and_classes() {
        assert_eq!(loosened(r"(?i)\b(iva|vat)\b\s*\d+"), r"(?i)(iva|vat)\s*\d+");
        assert_eq!(loosened(r"a\\b"), r"a\\b");
        assert_eq!(loosened(r"\bB\B"), r"B\B");
        assert_eq!(loosened(r"[\s\p{L}]{0,30}\d{1,3}x{2}y{2,}"), r"[\s\p{L}]{0,}\d{1,}x{2}y{2,}");
        assert_eq!(loosened(r"[{]{1,2}\{1,2}[\b]"), r"[{]{1,}\{1,2}[\b]");
    }

    #[test]
    fn a_loosened_pattern_matches_wherever_its_pattern_matches() {
        let pattern = r"(?i)\b[a-zäöü]*(rechnung)[\s\p{L}]{0,30}(\s*\([^)]{1,40}\)){0,2}\s*(nr\.?|nummer)\b";
        let (strict, loose) = (Regex::new(pattern).unwrap(), Regex::new(&loosened(pattern)).unwrap());
        for text in ["Rechnung Nr. 12", "Ihre Rechnung für Leistungen (Kopie) Nummer 7", "xRechnungnr", "Rechnung", "Gutschrift"] {
            assert!(!strict.is_match(text) || loose.is_match(text), "{text}");
        }
        assert!(loose.is_match("xRechnungnr") && !strict.is_match("Rechnung"));
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
