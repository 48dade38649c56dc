//! IBANs (ISO 13616): validating one and finding them in printed text.
//!
//! An IBAN is a country code, two check digits and a national account
//! number (BBAN) whose length is fixed per country. Validation checks the
//! characters, the country's length from the SWIFT IBAN registry and the
//! ISO 7064 MOD 97-10 check (computed piecewise, so no big integers). The
//! national account format inside the BBAN is not checked.
//!
//! IBANs identify people's bank accounts: error messages never include
//! the IBAN itself.

use std::ops::Range;

/// Why a text is not a valid IBAN. Messages never include the IBAN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IbanProblem {
    /// Characters other than letters and digits (after dropping spaces), or
    /// no country code and check digits at the start.
    #[error("an IBAN is a two-letter country code, two check digits and letters or digits")]
    BadCharacters,
    /// The country code is not in the SWIFT IBAN registry.
    #[error("{0} is not a country in the IBAN registry")]
    UnknownCountry(String),
    /// The length differs from the one registered for the country.
    #[error("IBANs from {country} have {expected} characters, this one has {found}")]
    WrongLength {
        /// The country code.
        country: String,
        /// The registered length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// The MOD 97-10 check failed: a mistyped or misread character.
    #[error("the IBAN check digits do not match its other characters")]
    ChecksumFailed,
}

#[rustfmt::skip]
/// IBAN lengths per country code, from the SWIFT IBAN registry.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16),
    ("BG", 22), ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22),
    ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20),
    ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22),
    ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HN", 28), ("HR", 21),
    ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30),
    ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20),
    ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23),
    ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22),
    ("RU", 33), ("SA", 24), ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24),
    ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26),
    ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20), ("YE", 30),
];

/// The longest IBAN any country may have (ISO 13616).
const MAXIMUM_IBAN_LENGTH: usize = 34;

/// The registered IBAN length for a country code, if the country uses IBANs.
pub fn iban_length_for_country(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .iter()
        .find(|(code, _)| *code == country)
        .map(|(_, length)| *length)
}

/// Validates an IBAN as printed (spaces, lowercase and a leading `IBAN` or
/// `IBAN:` label are tolerated) and returns it in the contract's normal
/// form: uppercase, no spaces.
pub fn validate_iban(text: &str) -> Result<String, IbanProblem> {
    let without_spaces: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let iban = without_spaces
        .strip_prefix("IBAN")
        .map(|rest| rest.strip_prefix(':').unwrap_or(rest))
        .unwrap_or(&without_spaces);
    let bytes = iban.as_bytes();
    let well_formed = bytes.len() >= 4
        && bytes.iter().all(u8::is_ascii_alphanumeric)
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..4].iter().all(u8::is_ascii_digit);
    if !well_formed {
        return Err(IbanProblem::BadCharacters);
    }
    let country = &iban[..2];
    let expected = iban_length_for_country(country)
        .ok_or_else(|| IbanProblem::UnknownCountry(country.to_string()))?;
    if iban.len() != expected {
        return Err(IbanProblem::WrongLength {
            country: country.to_string(),
            expected,
            found: iban.len(),
        });
    }
    if iban_mod_97(iban) != 1 {
        return Err(IbanProblem::ChecksumFailed);
    }
    Ok(iban.to_string())
}

/// Builds the IBAN of a country and a domestic account number (BBAN) by
/// computing its two check digits, e.g. `("ES", "21000418450200051332")`
/// → `ES9121000418450200051332`. `None` when the BBAN is not uppercase
/// letters and digits.
pub fn iban_from_bban(country: &str, bban: &str) -> Option<String> {
    let well_formed = country.len() == 2 && country.bytes().all(|byte| byte.is_ascii_uppercase()) && bban.bytes().all(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase());
    if !well_formed {
        return None;
    }
    let check_digits = 98 - iban_mod_97(&format!("{country}00{bban}"));
    Some(format!("{country}{check_digits:02}{bban}"))
}

/// ISO 7064 MOD 97-10 of an IBAN: the first four characters moved to the
/// end, letters read as 10 (`A`) to 35 (`Z`), the remainder carried digit
/// by digit so the number never needs more than a `u32`.
fn iban_mod_97(iban: &str) -> u32 {
    let rearranged = iban[4..].bytes().chain(iban[..4].bytes());
    rearranged.fold(0u32, |remainder, byte| {
        if byte.is_ascii_digit() {
            (remainder * 10 + u32::from(byte - b'0')) % 97
        } else {
            (remainder * 100 + u32::from(byte - b'A') + 10) % 97
        }
    })
}

/// Finds IBAN-looking text on a line, left to right, as byte ranges into
/// `line` with the candidate in normal form (uppercase, no spaces). The
/// candidates are not validated: pass them to [`validate_iban`].
///
/// A candidate starts with a country code and two digits at a word start
/// (so `IBAN:ES91...` and `IBAN ES91...` are found) and may be printed in
/// groups separated by single spaces or hyphens. For a registered country
/// it spans exactly that country's length when the text allows it;
/// otherwise (a misprinted IBAN) it spans the printed groups of four plus a
/// last shorter group containing a digit, or an unbroken run, so that
/// validation can report what is wrong.
pub fn find_iban_candidates(line: &str) -> Vec<(Range<usize>, String)> {
    let bytes = line.as_bytes();
    let mut candidates = Vec::new();
    let mut position = 0;
    while position + 4 <= bytes.len() {
        let starts_here = bytes[position..position + 2]
            .iter()
            .all(u8::is_ascii_uppercase)
            && bytes[position + 2..position + 4]
                .iter()
                .all(u8::is_ascii_digit)
            && (position == 0 || !is_word_character_before(line, position));
        if !starts_here {
            position += 1;
            continue;
        }
        let country = &line[position..position + 2];
        let candidate = iban_length_for_country(country)
            .and_then(|length| span_of_exact_length(bytes, position, length))
            .or_else(|| span_of_printed_groups(bytes, position));
        match candidate {
            Some(end) => {
                let normalized: String = line[position..end]
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                candidates.push((position..end, normalized));
                position = end;
            }
            None => position += 1,
        }
    }
    candidates
}

fn is_word_character_before(line: &str, position: usize) -> bool {
    line[..position]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
}

fn is_iban_group_separator(byte: u8) -> bool {
    byte == b' ' || byte == b'-'
}

/// The end of exactly `length` alphanumeric characters from `start`,
/// allowing single separators between them, when the text ends there (no
/// letter or digit directly after).
fn span_of_exact_length(bytes: &[u8], start: usize, length: usize) -> Option<usize> {
    let mut position = start;
    let mut counted = 0;
    while counted < length {
        match bytes.get(position) {
            Some(byte) if byte.is_ascii_alphanumeric() => {
                counted += 1;
                position += 1;
            }
            Some(&byte)
                if is_iban_group_separator(byte)
                    && counted > 0
                    && bytes
                        .get(position + 1)
                        .is_some_and(u8::is_ascii_alphanumeric) =>
            {
                position += 1;
            }
            _ => return None,
        }
    }
    let ends_cleanly = !bytes.get(position).is_some_and(u8::is_ascii_alphanumeric);
    ends_cleanly.then_some(position)
}

/// The end of an IBAN printed in groups of four (`ES91 2100 0418 ...`),
/// with a final group of one to four characters that contains a digit, or
/// of an unbroken alphanumeric run; `None` if shorter than 15 characters
/// (the shortest registered IBAN) or longer than 34.
fn span_of_printed_groups(bytes: &[u8], start: usize) -> Option<usize> {
    let run_end = |from: usize| {
        let mut end = from;
        while bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            end += 1;
        }
        end
    };
    let first_run_end = run_end(start);
    let mut end = first_run_end;
    let mut total = first_run_end - start;
    if total == 4 {
        while let Some(&separator) = bytes.get(end)
            && is_iban_group_separator(separator)
        {
            let group_end = run_end(end + 1);
            let group = &bytes[end + 1..group_end];
            let is_inner_group = group.len() == 4;
            let is_last_group =
                (1..4).contains(&group.len()) && group.iter().any(u8::is_ascii_digit);
            if !is_inner_group && !is_last_group {
                break;
            }
            total += group.len();
            end = group_end;
            if is_last_group {
                break;
            }
        }
    }
    (15..=MAXIMUM_IBAN_LENGTH).contains(&total).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Examples from the SWIFT IBAN registry (and ECBS), printed in groups of four.
    const REGISTRY_EXAMPLES: &[&str] = &[
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "ES91 2100 0418 4502 0005 1332",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91 ABNA 0417 1643 00",
        "BE68 5390 0754 7034",
        "CH93 0076 2011 6238 5295 7",
        "IT60 X054 2811 1010 0000 0123 456",
        "AT61 1904 3002 3457 3201",
        "NO93 8601 1117 947",
        "PL61 1090 1014 0000 0712 1981 2874",
        "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
        "SE45 5000 0000 0583 9825 7466",
    ];

    #[test]
    fn an_iban_built_from_its_account_number_gets_the_registry_check_digits() {
        assert_eq!(iban_from_bban("ES", "21000418450200051332").as_deref(), Some("ES9121000418450200051332"));
        assert_eq!(iban_from_bban("GB", "WEST12345698765432").as_deref(), Some("GB82WEST12345698765432"));
        assert_eq!(iban_from_bban("es", "2100"), None);
    }

    #[test]
    fn registry_examples_are_valid_and_come_back_without_spaces() {
        for printed in REGISTRY_EXAMPLES {
            let expected: String = printed.split_whitespace().collect();
            assert_eq!(validate_iban(printed), Ok(expected), "{printed}");
        }
    }

    #[test]
    fn lowercase_and_an_iban_label_are_tolerated() {
        assert_eq!(
            validate_iban("IBAN: es91 2100 0418 4502 0005 1332"),
            Ok("ES9121000418450200051332".to_string())
        );
        assert_eq!(
            validate_iban("IBAN DE89370400440532013000"),
            Ok("DE89370400440532013000".to_string())
        );
    }

    #[test]
    fn every_registry_example_with_one_digit_changed_fails() {
        for printed in REGISTRY_EXAMPLES {
            let iban: String = printed.split_whitespace().collect();
            for (index, original) in iban.char_indices().filter(|(_, c)| c.is_ascii_digit()) {
                for replacement in ('0'..='9').filter(|&digit| digit != original) {
                    let mut changed = iban.clone();
                    changed.replace_range(index..index + 1, &replacement.to_string());
                    assert_eq!(
                        validate_iban(&changed),
                        Err(IbanProblem::ChecksumFailed),
                        "{changed}"
                    );
                }
            }
        }
    }

    #[test]
    fn two_swapped_neighbouring_digits_fail() {
        assert_eq!(
            validate_iban("ES91 2100 0418 4502 0005 1323"),
            Err(IbanProblem::ChecksumFailed)
        );
        assert_eq!(
            validate_iban("DE98 3704 0044 0532 0130 00"),
            Err(IbanProblem::ChecksumFailed)
        );
    }

    #[test]
    fn a_missing_character_is_a_wrong_length_for_the_country() {
        assert_eq!(
            validate_iban("ES91 2100 0418 4502 0005 133"),
            Err(IbanProblem::WrongLength {
                country: "ES".to_string(),
                expected: 24,
                found: 23
            })
        );
        assert_eq!(iban_length_for_country("DE"), Some(22));
        assert_eq!(iban_length_for_country("FR"), Some(27));
        assert_eq!(iban_length_for_country("GB"), Some(22));
        assert_eq!(iban_length_for_country("US"), None);
    }

    #[test]
    fn unknown_countries_and_bad_characters_are_reported() {
        assert_eq!(
            validate_iban("US1234567890"),
            Err(IbanProblem::UnknownCountry("US".to_string()))
        );
        assert_eq!(
            validate_iban("ES91-2100-0418-4502-0005-1332"),
            Err(IbanProblem::BadCharacters)
        );
        assert_eq!(
            validate_iban("ES9I 2100 0418 4502 0005 1332"),
            Err(IbanProblem::BadCharacters)
        );
        assert_eq!(
            validate_iban("ÉS91 2100 0418 4502 0005 1332"),
            Err(IbanProblem::BadCharacters)
        );
        assert_eq!(validate_iban(""), Err(IbanProblem::BadCharacters));
        assert_eq!(validate_iban("1234"), Err(IbanProblem::BadCharacters));
    }

    #[test]
    fn problem_messages_never_contain_the_iban() {
        let iban = "ES9121000418450200051333";
        for text in [iban, &iban[..23], "ES91210004184502000513X!"] {
            let problem = validate_iban(text).expect_err("these are invalid");
            let message = problem.to_string();
            assert!(!message.contains("2100"), "{message}");
        }
    }

    #[test]
    fn every_length_in_the_table_is_between_fifteen_and_thirty_four_and_countries_are_unique() {
        let mut countries: Vec<&str> = IBAN_LENGTHS.iter().map(|(country, _)| *country).collect();
        countries.sort_unstable();
        countries.dedup();
        assert_eq!(countries.len(), IBAN_LENGTHS.len());
        assert!(
            IBAN_LENGTHS
                .iter()
                .all(|(_, length)| (15..=MAXIMUM_IBAN_LENGTH).contains(length))
        );
    }

    #[test]
    fn a_printed_iban_after_its_label_is_found_without_the_bic_that_follows() {
        let line = "IBAN: ES91 2100 0418 4502 0005 1332 BIC: CAIXESBBXXX";
        let found = find_iban_candidates(line);
        assert_eq!(found.len(), 1);
        let (range, normalized) = &found[0];
        assert_eq!(&line[range.clone()], "ES91 2100 0418 4502 0005 1332");
        assert_eq!(normalized, "ES9121000418450200051332");
    }

    #[test]
    fn unbroken_and_grouped_ibans_on_one_line_are_all_found() {
        let line = "Cuenta ES9121000418450200051332. Alt: FR14 2004 1010 0505 0001 3M02 606, IBAN:DE89370400440532013000";
        let found: Vec<String> = find_iban_candidates(line)
            .into_iter()
            .map(|(_, iban)| iban)
            .collect();
        assert_eq!(
            found,
            vec![
                "ES9121000418450200051332",
                "FR1420041010050500013M02606",
                "DE89370400440532013000"
            ]
        );
    }

    #[test]
    fn a_misprinted_iban_is_still_a_candidate_so_validation_can_say_why() {
        let found = find_iban_candidates("IBAN ES91 2100 0418 4502 0005 133 BIC CAIXESBBXXX");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "ES912100041845020005133");
        assert!(matches!(
            validate_iban(&found[0].1),
            Err(IbanProblem::WrongLength { .. })
        ));
    }

    #[test]
    fn words_and_short_codes_are_not_iban_candidates() {
        assert!(find_iban_candidates("Ref AB12 total 1.234,56 EUR").is_empty());
        assert!(find_iban_candidates("BASE12 ES91").is_empty());
        assert!(find_iban_candidates("Número CAIXESBBXXX").is_empty());
    }
}
