//! Masking personal data before it reaches a log line or an error message.
//!
//! Document numbers, names, IBANs and tax ids must never be logged. Code
//! that logs a value it did not produce itself passes it through
//! [`mask_identifier`]; free text (an OCR line, a file's content) is never
//! logged at all, and [`mask_free_text`] exists for the rare message that
//! must quote a user-supplied string, such as a file name.

/// Keeps the last `visible` characters of an identifier and masks the rest
/// with `*`, e.g. `ES9121000418450200051332` → `********************1332`.
/// Identifiers of 6 characters or fewer are masked whole.
pub fn mask_identifier(identifier: &str) -> String {
    let characters: Vec<char> = identifier.chars().filter(|character| !character.is_whitespace()).collect();
    let visible = if characters.len() > 6 { 4 } else { 0 };
    let masked = characters.len() - visible;
    characters
        .iter()
        .enumerate()
        .map(|(index, character)| if index < masked { '*' } else { *character })
        .collect()
}

/// Masks every run of 5 or more digits and every word that looks like an
/// identifier (letters and digits mixed, 6 or more characters) in a string
/// such as a file name, so `factura-B12345678-2026.pdf` logs as
/// `factura-*********-2026.pdf`. Ordinary words and short numbers stay.
pub fn mask_free_text(text: &str) -> String {
    let mut output = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, output: &mut String| {
        let digits = token.chars().filter(char::is_ascii_digit).count();
        let letters = token.chars().filter(|character| character.is_alphabetic()).count();
        let looks_like_identifier = digits >= 5 || (digits > 0 && letters > 0 && token.chars().count() >= 6);
        if looks_like_identifier {
            output.extend(std::iter::repeat_n('*', token.chars().count()));
        } else {
            output.push_str(token);
        }
        token.clear();
    };
    for character in text.chars() {
        if character.is_alphanumeric() {
            token.push(character);
        } else {
            flush(&mut token, &mut output);
            output.push(character);
        }
    }
    flush(&mut token, &mut output);
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iban_keeps_only_its_last_four_characters() {
        assert_eq!(mask_identifier("ES91 2100 0418 4502 0005 1332"), "********************1332");
    }

    #[test]
    fn a_short_identifier_is_masked_whole() {
        assert_eq!(mask_identifier("X123"), "****");
    }

    #[test]
    fn identifiers_inside_a_file_name_are_masked_and_words_stay() {
        assert_eq!(mask_free_text("factura-B12345678-2026.pdf"), "factura-*********-2026.pdf");
        assert_eq!(mask_free_text("passport L898902C3.png"), "passport *********.png");
        assert_eq!(mask_free_text("invoice 42.pdf"), "invoice 42.pdf");
    }
}
