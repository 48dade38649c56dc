//! BIC (SWIFT code, ISO 9362) shape: `CAIXESBBXXX`, `DEUTDEFF`.
//!
//! A BIC has no check digit, so the best a reader can do is check its shape:
//! 4 letters for the institution, an ISO 3166 country code, 2 letters or
//! digits for the location and optionally 3 for the branch. That is enough
//! to tell a BIC from a word or an invoice number printed next to it.

/// ISO 3166-1 alpha-2 country codes, plus `XK` (Kosovo), which SWIFT uses.
const COUNTRY_CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW", "XK",
];

/// True when `text` has the shape of a BIC: 8 or 11 characters (spaces
/// around and inside are ignored, case too): 4 letters (institution), a
/// known ISO 3166 country code, 2 letters or digits (location) and
/// optionally 3 letters or digits (branch, `XXX` for the head office).
pub fn is_valid_bic_shape(text: &str) -> bool {
    let bic: Vec<u8> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .map(|c| if c.is_ascii() { c as u8 } else { 0 })
        .collect();
    if bic.len() != 8 && bic.len() != 11 {
        return false;
    }
    let institution_is_letters = bic[..4].iter().all(u8::is_ascii_uppercase);
    let country_is_known = COUNTRY_CODES
        .iter()
        .any(|code| code.as_bytes() == &bic[4..6]);
    let rest_is_alphanumeric = bic[6..].iter().all(u8::is_ascii_alphanumeric);
    institution_is_letters && country_is_known && rest_is_alphanumeric
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_bics_of_eight_and_eleven_characters_have_the_shape() {
        assert!(is_valid_bic_shape("DEUTDEFF"));
        assert!(is_valid_bic_shape("DEUTDEFF500"));
        assert!(is_valid_bic_shape("CAIXESBBXXX"));
        assert!(is_valid_bic_shape("BSCHESMMXXX"));
        assert!(is_valid_bic_shape("NEDSZAJJXXX"));
        assert!(is_valid_bic_shape("  caixesbb  "));
        assert!(is_valid_bic_shape("CAIX ES BB XXX"));
    }

    #[test]
    fn wrong_lengths_digits_in_the_institution_and_unknown_countries_are_rejected() {
        assert!(!is_valid_bic_shape(""));
        assert!(!is_valid_bic_shape("DEUTDEF"));
        assert!(!is_valid_bic_shape("DEUTDEFF50"));
        assert!(!is_valid_bic_shape("DE1TDEFF"));
        assert!(!is_valid_bic_shape("DEUTQQFF"));
        assert!(!is_valid_bic_shape("DEUTDEF-"));
        assert!(!is_valid_bic_shape("DEUTDÉFF"));
    }

    #[test]
    fn the_country_list_has_every_iso_code_once() {
        let mut sorted = COUNTRY_CODES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), COUNTRY_CODES.len());
        assert_eq!(COUNTRY_CODES.len(), 249 + 1);
    }
}
