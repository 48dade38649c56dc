//! Check-digit algorithms for the identifiers printed on synthetic documents.
//!
//! Each generator makes identifiers valid by construction; the planted defects break exactly
//! one of these checks. All functions take ASCII input already stripped of separators.

/// Spanish NIF (DNI) control letter for an 8-digit number.
pub(crate) fn nif_letter(number: u32) -> char {
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    LETTERS[(number % 23) as usize] as char
}

/// Spanish CIF control character for an organisation letter and its 7 digits.
///
/// Organisations of type K, P, Q, S, N, W carry a letter; A, B, E, H a digit; the rest may use
/// either and this returns the digit form.
pub(crate) fn cif_control(letter: char, digits: &str) -> char {
    debug_assert_eq!(digits.len(), 7);
    let mut sum = 0u32;
    for (i, b) in digits.bytes().enumerate() {
        let d = u32::from(b - b'0');
        if i % 2 == 1 {
            sum += d;
        } else {
            let t = d * 2;
            sum += t / 10 + t % 10;
        }
    }
    let control = (10 - sum % 10) % 10;
    match letter {
        'K' | 'P' | 'Q' | 'S' | 'N' | 'W' => b"JABCDEFGHI"[control as usize] as char,
        _ => char::from(b'0' + control as u8),
    }
}

/// Colombian NIT check digit (DIAN): weights 3, 7, 13, … from the rightmost digit, modulo 11.
pub(crate) fn nit_check_digit(nit: &str) -> u32 {
    const WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];
    let sum: u32 = nit
        .bytes()
        .rev()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match sum % 11 {
        r @ (0 | 1) => r,
        r => 11 - r,
    }
}

/// Mexican RFC check character (SAT, modulo 11) for the 11 (company) or 12 (person) characters
/// that precede it.
pub(crate) fn rfc_check_digit(base: &str) -> char {
    const ALPHABET: &str = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ";
    let chars: Vec<char> = base.chars().collect();
    debug_assert!(chars.len() == 11 || chars.len() == 12);
    let padded: Vec<char> = std::iter::repeat_n(' ', 12usize.saturating_sub(chars.len()))
        .chain(chars)
        .collect();
    let sum: usize = padded
        .iter()
        .enumerate()
        .map(|(i, c)| ALPHABET.chars().position(|a| a == *c).unwrap_or(0) * (13 - i))
        .sum();
    match (11 - sum % 11) % 11 {
        10 => 'A',
        d => char::from(b'0' + d as u8),
    }
}

/// UK VAT registration check number (the last two digits) for the first seven digits, by the
/// original modulus-97 rule: weighted sum (8..2) plus the check is a multiple of 97.
pub(crate) fn gb_vat_check(first7: &str) -> u32 {
    let sum: u32 = first7
        .bytes()
        .zip((2..=8).rev())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    (97 - sum % 97) % 97
}

#[cfg(test)]
/// Whether a 9-digit UK VAT number passes either modulus-97 rule (original or "9755").
pub(crate) fn gb_vat_valid(digits9: &str) -> bool {
    if digits9.len() != 9 || !digits9.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits9[..7]
        .bytes()
        .zip((2..=8).rev())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check: u32 = digits9[7..].parse().unwrap_or(0);
    (sum + check).is_multiple_of(97) || (sum + 55 + check).is_multiple_of(97)
}

/// Remainder modulo 97 of an IBAN-style alphanumeric string (letters count as 10..=35).
fn mod97(text: &str) -> u32 {
    let mut r = 0u32;
    for c in text.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        r = if v >= 10 {
            (r * 100 + v) % 97
        } else {
            (r * 10 + v) % 97
        };
    }
    r
}

/// The two IBAN check digits for a country code and BBAN (ISO 13616, modulo 97-10).
pub(crate) fn iban_check_digits(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    format!("{:02}", 98 - mod97(&rearranged))
}

#[cfg(test)]
/// Whether an IBAN (no spaces) has correct check digits.
pub(crate) fn iban_valid(iban: &str) -> bool {
    if iban.len() < 5 || !iban.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let rearranged = format!("{}{}", &iban[4..], &iban[..4]);
    mod97(&rearranged) == 1
}

/// One Spanish CCC control digit over ten digits (weights 1, 2, 4, 8, 5, 10, 9, 7, 3, 6).
pub(crate) fn ccc_control_digit(ten_digits: &str) -> u32 {
    const WEIGHTS: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
    let sum: u32 = ten_digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        11 => 0,
        10 => 1,
        d => d,
    }
}

/// ICAO 9303 check digit (weights 7, 3, 1; digits, A=10..Z=35, `<`=0).
pub(crate) fn icao_check_digit(field: &str) -> char {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let v = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            v * WEIGHTS[i % 3]
        })
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

/// ABA routing-number check (weights 3, 7, 1) for the first eight digits.
pub(crate) fn aba_check_digit(first8: &str) -> u32 {
    const WEIGHTS: [u32; 3] = [3, 7, 1];
    let sum: u32 = first8
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * WEIGHTS[i % 3])
        .sum();
    (10 - sum % 10) % 10
}

/// Mexican CLABE check digit (weights 3, 7, 1 over 17 digits, modulo 10).
pub(crate) fn clabe_check_digit(first17: &str) -> u32 {
    const WEIGHTS: [u32; 3] = [3, 7, 1];
    let sum: u32 = first17
        .bytes()
        .enumerate()
        .map(|(i, b)| (u32::from(b - b'0') * WEIGHTS[i % 3]) % 10)
        .sum();
    (10 - sum % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nif_letter_matches_published_examples() {
        assert_eq!(nif_letter(12345678), 'Z');
        assert_eq!(nif_letter(0), 'T');
        assert_eq!(nif_letter(99999999), 'R');
    }

    #[test]
    fn cif_control_matches_published_examples() {
        assert_eq!(cif_control('A', "5881850"), '1'); // A58818501
        assert_eq!(cif_control('Q', "2826000"), 'H'); // Q2826000H
    }

    #[test]
    fn nit_check_digit_matches_the_dian_nit() {
        assert_eq!(nit_check_digit("800197268"), 4); // DIAN's own NIT 800.197.268-4
        assert_eq!(nit_check_digit("890900608"), 9); // 890.900.608-9
    }

    #[test]
    fn rfc_check_digit_matches_published_examples() {
        assert_eq!(rfc_check_digit("GODE561231GR"), '8'); // GODE561231GR8
        assert_eq!(rfc_check_digit("XEXX01010100"), '0'); // generic foreign RFC XEXX010101000
    }

    #[test]
    fn gb_vat_check_matches_a_published_example() {
        assert_eq!(gb_vat_check("9807806"), 84); // GB 980 7806 84
        assert!(gb_vat_valid("980780684"));
        assert!(!gb_vat_valid("980780685"));
    }

    #[test]
    fn iban_check_digits_match_published_examples() {
        assert!(iban_valid("ES9121000418450200051332"));
        assert!(iban_valid("GB82WEST12345698765432"));
        assert!(!iban_valid("ES9121000418450200051333"));
        assert_eq!(iban_check_digits("ES", "21000418450200051332"), "91");
        assert_eq!(iban_check_digits("GB", "WEST12345698765432"), "82");
    }

    #[test]
    fn spanish_ccc_control_digits_match_a_published_account() {
        // ES91 2100 0418 45 0200051332: control digits 4 and 5.
        assert_eq!(ccc_control_digit("0021000418"), 4);
        assert_eq!(ccc_control_digit("0200051332"), 5);
    }

    #[test]
    fn icao_check_digits_match_the_td3_specimen() {
        assert_eq!(icao_check_digit("L898902C3"), '6');
        assert_eq!(icao_check_digit("740812"), '2');
        assert_eq!(icao_check_digit("120415"), '9');
        assert_eq!(icao_check_digit("ZE184226B<<<<<"), '1');
    }

    #[test]
    fn aba_and_clabe_check_digits_match_published_examples() {
        assert_eq!(aba_check_digit("02100002"), 1); // 021000021 (JPMorgan Chase, NY)
        assert_eq!(clabe_check_digit("03218000011835971"), 9); // CLABE 032180000118359719
    }
}
