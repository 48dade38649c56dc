//! Text shared by the parsers and the matcher: decoding a file's bytes
//! (UTF-8, else Windows-1252, the code page Spanish banks and ERPs export
//! in), the normalised forms used to compare invoice numbers, names and
//! remittance text, line numbers inside a text, and masking personal data
//! (IBANs) before it reaches a message.
//!
//! Normalisation folds case and the accents of Latin letters (`García` and
//! `GARCIA` are the same word), treats every character that is not a letter
//! or digit as a separator, and offers two shapes: words
//! ([`normalised_words`]) for names and remittance text, and a compact key
//! ([`compact_key`]) for identifiers, where `FA-2024/0012`, `fa 2024 0012`
//! and `FA20240012` are one and the same.

use std::borrow::Cow;

/// Windows-1252 characters for the bytes 0x80..=0x9F (the rest of the code
/// page is ISO 8859-1, which maps byte for byte onto Unicode).
const WINDOWS_1252_HIGH_CONTROL_RANGE: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–',
    '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The text of a file: UTF-8 (a byte-order mark is dropped) or, when the
/// bytes are not valid UTF-8, Windows-1252.
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    let without_byte_order_mark = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(without_byte_order_mark) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(
            without_byte_order_mark
                .iter()
                .map(|&byte| match byte {
                    0x80..=0x9F => WINDOWS_1252_HIGH_CONTROL_RANGE[usize::from(byte - 0x80)],
                    _ => char::from(byte),
                })
                .collect(),
        ),
    }
}

/// Pushes the lowercase, accent-free form of one character (`Ñ` → `n`,
/// `ß` → `ss`), or nothing for characters that are not letters or digits
/// (the caller treats those as separators).
fn push_folded_lowercase(character: char, output: &mut String) -> bool {
    if character.is_ascii_alphanumeric() {
        output.push(character.to_ascii_lowercase());
        return true;
    }
    if character.is_ascii() {
        return false;
    }
    for lower in character.to_lowercase() {
        let folded: &str = match lower {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ą' => "a",
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'ī' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ñ' | 'ń' | 'ň' => "n",
            'ç' | 'ć' | 'č' => "c",
            'ý' | 'ÿ' => "y",
            'š' | 'ś' => "s",
            'ž' | 'ź' | 'ż' => "z",
            'ł' => "l",
            'º' => "o",
            'ª' => "a",
            'ř' => "r",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            other if other.is_alphanumeric() => {
                output.push(other);
                continue;
            }
            _ => return false,
        };
        output.push_str(folded);
    }
    true
}

/// The words of a text, lowercase and without accents, split at every
/// character that is not a letter or digit: `"Café René, S.L."` →
/// `["cafe", "rene", "s", "l"]`.
pub(crate) fn normalised_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        if !push_folded_lowercase(character, &mut current) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// An identifier with case, accents, spaces and punctuation removed, in
/// upper case: `"fa-2024/0012"` → `"FA20240012"`. Used for invoice
/// numbers, purchase order numbers and tax ids.
pub(crate) fn compact_key(text: &str) -> String {
    let mut lowercase = String::with_capacity(text.len());
    for character in text.chars() {
        push_folded_lowercase(character, &mut lowercase);
    }
    lowercase.to_uppercase()
}

/// Legal forms and filler words that say nothing about which company a
/// name is (`S.L.`, `GmbH`, `and`, `de`), left out when names are compared.
const NAME_WORDS_WITHOUT_MEANING: &[&str] = &[
    "s",
    "l",
    "a",
    "u",
    "sl",
    "sa",
    "slu",
    "sll",
    "sau",
    "scp",
    "sc",
    "cb",
    "sociedad",
    "limitada",
    "anonima",
    "cooperativa",
    "gmbh",
    "ag",
    "kg",
    "ltd",
    "limited",
    "inc",
    "llc",
    "llp",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "bv",
    "nv",
    "sas",
    "sarl",
    "srl",
    "spa",
    "oy",
    "ab",
    "as",
    "the",
    "and",
    "y",
    "e",
    "de",
    "del",
    "la",
    "las",
    "los",
    "el",
    "en",
    "of",
    "und",
    "der",
    "die",
    "das",
    "et",
    "le",
    "les",
    "du",
    "des",
    "cia",
    "hnos",
    "hermanos",
];

/// The words of a company or person name that identify it: normalised,
/// without legal forms and filler words, each once. `"Suministros García,
/// S.L."` → `["suministros", "garcia"]`.
pub(crate) fn significant_name_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in normalised_words(name) {
        if NAME_WORDS_WITHOUT_MEANING.contains(&word.as_str()) || words.contains(&word) {
            continue;
        }
        words.push(word);
    }
    words
}

/// VAT number prefixes (EU member states, Northern Ireland, the United
/// Kingdom, Switzerland, Norway) that may stand before a national tax id.
const VAT_COUNTRY_PREFIXES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL",
    "PT", "RO", "SE", "SI", "SK", "XI", "GB", "CH", "NO",
];

/// A tax id in the form used to compare two of them: compact, upper case,
/// and without a VAT country prefix, so `ES-B12345678`, `b12345678` and
/// `B-12.345.678` agree. Empty when the text has no letters or digits.
pub(crate) fn normalised_tax_id(text: &str) -> String {
    let compact = compact_key(text);
    if compact.len() >= 10 && compact.is_char_boundary(2) {
        let (prefix, rest) = compact.split_at(2);
        if VAT_COUNTRY_PREFIXES.contains(&prefix) && rest.chars().filter(char::is_ascii_digit).count() >= 5 {
            return rest.to_string();
        }
    }
    compact
}

/// An IBAN or account number as it may appear in a message: only its last
/// four characters, the rest masked (`ES91 2100 0418 4502 0005 1332` →
/// `****1332`).
pub(crate) fn mask_account_identifier(identifier: &str) -> String {
    let characters: Vec<char> = identifier.chars().filter(|character| !character.is_whitespace()).collect();
    let visible: String = characters[characters.len().saturating_sub(4)..].iter().collect();
    format!("****{visible}")
}

/// Where each line of a text starts, to turn byte offsets into 1-based
/// line numbers in O(log lines).
pub(crate) struct LineIndex {
    line_start_offsets: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut line_start_offsets = vec![0];
        line_start_offsets.extend(text.match_indices('\n').map(|(offset, _)| offset + 1));
        LineIndex { line_start_offsets }
    }

    /// The 1-based line holding the byte at `offset`.
    pub(crate) fn line_of_offset(&self, offset: usize) -> usize {
        self.line_start_offsets.partition_point(|&start| start <= offset)
    }

    /// The number of the last line that has any text (a final newline does
    /// not open a new line).
    pub(crate) fn last_line_with_text(&self, text: &str) -> usize {
        let trimmed_length = text.trim_end().len();
        self.line_of_offset(trimmed_length.saturating_sub(1))
    }
}

/// Text for a message: at most `limit` characters, with `…` when cut.
pub(crate) fn shortened_for_message(text: &str, limit: usize) -> String {
    let mut characters = text.chars();
    let shortened: String = characters.by_ref().take(limit).collect();
    if characters.next().is_some() { format!("{shortened}…") } else { shortened }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_bytes_are_decoded_when_the_file_is_not_utf8() {
        let bytes = b"Caf\xe9 Ren\xe9 \x80 10";
        assert_eq!(decode_text(bytes), "Café René € 10");
        assert_eq!(decode_text("\u{feff}ñandú".as_bytes()), "ñandú");
    }

    #[test]
    fn words_fold_case_accents_and_punctuation() {
        assert_eq!(normalised_words("Café René, S.L. — Müller/Søren"), ["cafe", "rene", "s", "l", "muller", "soren"]);
        assert_eq!(compact_key("fa-2024/0012"), "FA20240012");
        assert_eq!(compact_key("Nº 7 ñ"), "NO7N");
    }

    #[test]
    fn significant_name_words_drop_legal_forms_and_repeats() {
        assert_eq!(significant_name_words("Suministros García y García, S.L.U."), ["suministros", "garcia"]);
        assert_eq!(significant_name_words("ACME GmbH"), ["acme"]);
    }

    #[test]
    fn tax_ids_compare_without_country_prefix_or_punctuation() {
        assert_eq!(normalised_tax_id("ES-B12345678"), "B12345678");
        assert_eq!(normalised_tax_id("b-12.345.678"), "B12345678");
        assert_eq!(normalised_tax_id("12345678Z"), "12345678Z");
    }

    #[test]
    fn masked_account_identifiers_keep_only_the_last_four_characters() {
        assert_eq!(mask_account_identifier("ES91 2100 0418 4502 0005 1332"), "****1332");
        assert_eq!(mask_account_identifier("12"), "****12");
    }

    #[test]
    fn line_index_turns_offsets_into_line_numbers() {
        let text = "first\nsecond\nthird\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_of_offset(0), 1);
        assert_eq!(index.line_of_offset(6), 2);
        assert_eq!(index.line_of_offset(13), 3);
        assert_eq!(index.last_line_with_text(text), 3);
    }
}
