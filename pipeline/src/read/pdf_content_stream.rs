//! A fast reader of PDF content streams for [`super::pdf_layout`]: it hands
//! out one operation at a time (operator and operands) without building
//! lopdf objects, for the common, well-formed case.
//!
//! It reads exactly what lopdf 0.47's `Content::decode` reads, or declines:
//! [`ContentOperations::next_operation`] answers [`Step::Unsure`] at the first
//! thing whose reading by lopdf it does not mirror with certainty (comments,
//! inline images, references, malformed tokens, deep nesting...), and the caller then reads the whole stream with lopdf instead.
//! So a page reads the same either way, only faster: most streams hold
//! nothing but numbers, names, strings, `TJ` arrays and marked-content
//! dictionaries.
//!
//! The grammar mirrored (lopdf's `parser::content`): an operation is any
//! number of operands followed by an operator (letters, digits, `*`, `'` and
//! `"`, not starting with a digit), each followed by optional white space
//! (NUL, tab, line feed, form feed, carriage return, space). Operands are
//! `null`, `true`, `false`, reals (`1.5`, `.5`, `-3.`, with stray `-` signs
//! in the fraction ignored), integers, names, literal strings (escapes, line
//! ends read as `\n`, balanced parentheses), hexadecimal strings (white space
//! allowed, an odd last digit read as the high nibble), arrays and
//! dictionaries.

use std::borrow::Cow;

use lopdf::Object;

/// One operand as the text interpreter needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand<'content> {
    /// An integer or a real, as lopdf's `Object::as_float` gives it.
    Number(f32),
    Name(Cow<'content, [u8]>),
    /// A literal or hexadecimal string's bytes.
    String(Cow<'content, [u8]>),
    Array(Vec<Operand<'content>>),
    /// `null`, a boolean, a dictionary or anything else the interpreter
    /// never looks into.
    Other,
}

impl<'content> Operand<'content> {
    /// The operand as lopdf's `Object` would be seen by the interpreter.
    pub fn from_lopdf(object: &'content Object) -> Operand<'content> {
        match object {
            Object::Integer(value) => Operand::Number(*value as f32),
            Object::Real(value) => Operand::Number(*value),
            Object::Name(name) => Operand::Name(Cow::Borrowed(name)),
            Object::String(bytes, _) => Operand::String(Cow::Borrowed(bytes)),
            Object::Array(items) => Operand::Array(items.iter().map(Operand::from_lopdf).collect()),
            _ => Operand::Other,
        }
    }

    pub fn as_number(&self) -> Option<f32> {
        match self {
            Operand::Number(value) => Some(*value),
            _ => None,
        }
    }
}

/// What [`ContentOperations::next_operation`] found.
#[derive(Debug, PartialEq)]
pub enum Step<'content> {
    /// An operator; its operands were put in the caller's vector.
    Operation(&'content [u8]),
    /// The end of the stream (operands left without an operator are
    /// dropped, as lopdf drops them).
    End,
    /// Something this reader does not mirror lopdf on: read the whole
    /// stream with lopdf instead.
    Unsure,
}

/// Deepest nesting of arrays, dictionaries or parentheses in literal
/// strings read here (lopdf allows 100; deeper is declined).
const MAX_NESTING: usize = 16;

fn is_white_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\0' | b'\x0C')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_regular(byte: u8) -> bool {
    !is_white_space(byte) && !is_delimiter(byte)
}

fn hex_value(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).map(|value| value as u8)
}

/// The value of a short unsigned decimal (`digits`, a point, `digits`) as
/// `f32::from_str` gives it, without going through a string: when the
/// digits, read as one integer, stay within 2^24 and there are at most ten
/// after the point, both that integer and the power of ten are exact `f32`s,
/// so their quotient is the correctly rounded value, which is what
/// `from_str` returns (Clinger's fast path). `None` for anything longer, or
/// holding a stray `-`, for the caller's general path.
fn short_decimal_value(negative: bool, decimal: &[u8]) -> Option<f32> {
    const POWERS_OF_TEN: [f32; 11] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let mut mantissa: u32 = 0;
    let mut fraction_digits: Option<usize> = None;
    for &byte in decimal {
        match byte {
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(u32::from(byte - b'0'))?;
                if mantissa > 1 << 24 {
                    return None;
                }
                if let Some(count) = fraction_digits.as_mut() {
                    *count += 1;
                }
            }
            b'.' if fraction_digits.is_none() => fraction_digits = Some(0),
            _ => return None,
        }
    }
    let value = mantissa as f32 / *POWERS_OF_TEN.get(fraction_digits.unwrap_or(0))?;
    Some(if negative { -value } else { value })
}

/// The operations of one content stream, read one at a time.
pub struct ContentOperations<'content> {
    input: &'content [u8],
    position: usize,
}

impl<'content> ContentOperations<'content> {
    pub fn new(input: &'content [u8]) -> Self {
        let mut operations = ContentOperations { input, position: 0 };
        operations.skip_white_space();
        operations
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.position).copied()
    }

    fn rest(&self) -> &'content [u8] {
        &self.input[self.position..]
    }

    fn skip_white_space(&mut self) {
        while self.peek().is_some_and(is_white_space) {
            self.position += 1;
        }
    }

    /// The next operation, with its operands in `operands` (cleared first).
    pub fn next_operation(&mut self, operands: &mut Vec<Operand<'content>>) -> Step<'content> {
        operands.clear();
        loop {
            let Some(byte) = self.peek() else { return Step::End };
            if byte.is_ascii_alphabetic() || matches!(byte, b'*' | b'\'' | b'"') {
                let rest = self.rest();
                if rest.starts_with(b"null") || rest.starts_with(b"true") || rest.starts_with(b"false") {
                    // Operands in lopdf's grammar, whatever follows them.
                    self.position += if rest.starts_with(b"false") { 5 } else { 4 };
                    operands.push(Operand::Other);
                    self.skip_white_space();
                    continue;
                }
                let start = self.position;
                while self.peek().is_some_and(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'\'' | b'"')) {
                    self.position += 1;
                }
                let operator = &self.input[start..self.position];
                if operator.starts_with(b"BI") {
                    // An inline image: lopdf's rules for its data are left to lopdf.
                    return Step::Unsure;
                }
                self.skip_white_space();
                return Step::Operation(operator);
            }
            let Some(operand) = self.operand(0) else { return Step::Unsure };
            operands.push(operand);
            self.skip_white_space();
        }
    }

    /// One operand or array item (white space after it not skipped).
    fn operand(&mut self, depth: usize) -> Option<Operand<'content>> {
        if depth > MAX_NESTING {
            return None;
        }
        match self.peek()? {
            b'0'..=b'9' | b'+' | b'-' | b'.' => self.number().map(Operand::Number),
            b'/' => self.name().map(Operand::Name),
            b'(' => self.literal_string().map(Operand::String),
            b'<' if self.rest().starts_with(b"<<") => self.skip_dictionary(depth + 1).map(|()| Operand::Other),
            b'<' => self.hexadecimal_string().map(|bytes| Operand::String(Cow::Owned(bytes))),
            b'[' => self.array(depth + 1).map(Operand::Array),
            _ => None,
        }
    }

    /// lopdf's `real` or, failing that, `integer`.
    fn number(&mut self) -> Option<f32> {
        let input = self.rest();
        let signed = matches!(input.first(), Some(b'+' | b'-'));
        let after_sign = &input[usize::from(signed)..];
        let integer_digits = after_sign.iter().take_while(|byte| byte.is_ascii_digit()).count();
        let has_point = after_sign.get(integer_digits) == Some(&b'.');
        let fraction_digits = if has_point { after_sign[integer_digits + 1..].iter().take_while(|byte| byte.is_ascii_digit()).count() } else { 0 };
        if has_point && (integer_digits > 0 || fraction_digits > 0) {
            // A real: then lopdf takes any run of digits and `-` signs.
            let mut end = usize::from(signed) + integer_digits + 1;
            end += input[end..].iter().take_while(|byte| byte.is_ascii_digit() || **byte == b'-').count();
            let text = &input[..end];
            if let Some(value) = short_decimal_value(signed && input[0] == b'-', &after_sign[..end - usize::from(signed)]) {
                self.position += end;
                return Some(value);
            }
            let value = if text[1..].contains(&b'-') {
                let digits: Vec<u8> = text[..1].iter().chain(text[1..].iter().filter(|byte| **byte != b'-')).copied().collect();
                std::str::from_utf8(&digits).ok()?.parse::<f32>().ok()?
            } else {
                std::str::from_utf8(text).ok()?.parse::<f32>().ok()?
            };
            self.position += end;
            return Some(value);
        }
        if integer_digits == 0 || integer_digits > 18 {
            return None;
        }
        let magnitude = after_sign[..integer_digits].iter().fold(0i64, |value, digit| value * 10 + i64::from(digit - b'0'));
        self.position += usize::from(signed) + integer_digits;
        Some(if input[0] == b'-' { -magnitude } else { magnitude } as f32)
    }

    /// lopdf's `name`: regular characters, `#` and two hexadecimal digits
    /// standing for one byte. A `#` without them, which would end the name
    /// and leave lopdf's reading to stop there, is declined.
    fn name(&mut self) -> Option<Cow<'content, [u8]>> {
        self.position += 1;
        let start = self.position;
        while self.peek().is_some_and(|byte| is_regular(byte) && byte != b'#') {
            self.position += 1;
        }
        if self.peek() != Some(b'#') {
            return Some(Cow::Borrowed(&self.input[start..self.position]));
        }
        let mut bytes = self.input[start..self.position].to_vec();
        while let Some(byte) = self.peek().filter(|byte| is_regular(*byte)) {
            if byte == b'#' {
                let high = hex_value(*self.input.get(self.position + 1)?)?;
                let low = hex_value(*self.input.get(self.position + 2)?)?;
                bytes.push(high << 4 | low);
                self.position += 3;
            } else {
                bytes.push(byte);
                self.position += 1;
            }
        }
        Some(Cow::Owned(bytes))
    }

    /// lopdf's `literal_string`: borrowed when it holds no escape, line end
    /// or nested parentheses.
    fn literal_string(&mut self) -> Option<Cow<'content, [u8]>> {
        self.position += 1;
        let start = self.position;
        let plain = self.rest().iter().take_while(|byte| !matches!(byte, b'(' | b')' | b'\\' | b'\r' | b'\n')).count();
        if self.rest().get(plain) == Some(&b')') {
            self.position += plain + 1;
            return Some(Cow::Borrowed(&self.input[start..start + plain]));
        }
        let mut bytes = Vec::with_capacity(plain + 16);
        let mut depth = 0usize;
        loop {
            let byte = self.peek()?;
            self.position += 1;
            match byte {
                b')' if depth == 0 => return Some(Cow::Owned(bytes)),
                b')' => {
                    depth -= 1;
                    bytes.push(b')');
                }
                b'(' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return None;
                    }
                    bytes.push(b'(');
                }
                b'\r' => {
                    if self.peek() == Some(b'\n') {
                        self.position += 1;
                    }
                    bytes.push(b'\n');
                }
                b'\n' => bytes.push(b'\n'),
                b'\\' => {
                    let escaped = self.peek()?;
                    if (b'0'..=b'7').contains(&escaped) {
                        let digits = self.rest().iter().take(3).take_while(|byte| (b'0'..=b'7').contains(*byte)).count();
                        let value = self.rest()[..digits].iter().fold(0u16, |value, digit| value * 8 + u16::from(digit - b'0'));
                        self.position += digits;
                        bytes.push(value as u8);
                        continue;
                    }
                    self.position += 1;
                    match escaped {
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.position += 1;
                            }
                        }
                        b'\n' => {}
                        b'n' => bytes.push(b'\n'),
                        b'r' => bytes.push(b'\r'),
                        b't' => bytes.push(b'\t'),
                        b'b' => bytes.push(b'\x08'),
                        b'f' => bytes.push(b'\x0C'),
                        other => bytes.push(other),
                    }
                }
                other => bytes.push(other),
            }
        }
    }

    /// lopdf's `hexadecimal_string`.
    fn hexadecimal_string(&mut self) -> Option<Vec<u8>> {
        self.position += 1;
        let mut bytes = Vec::new();
        let mut high_nibble_pending = false;
        loop {
            let byte = self.peek()?;
            self.position += 1;
            if byte == b'>' {
                return Some(bytes);
            }
            if is_white_space(byte) {
                continue;
            }
            let value = hex_value(byte)?;
            if high_nibble_pending {
                *bytes.last_mut()? |= value;
            } else {
                bytes.push(value << 4);
            }
            high_nibble_pending = !high_nibble_pending;
        }
    }

    /// lopdf's `array`: items of the kinds read here, white space between
    /// them (comments and references are declined).
    fn array(&mut self, depth: usize) -> Option<Vec<Operand<'content>>> {
        self.position += 1;
        self.skip_white_space();
        let mut items = Vec::new();
        loop {
            match self.peek()? {
                b']' => {
                    self.position += 1;
                    return Some(items);
                }
                b'0'..=b'9' => {
                    self.decline_possible_reference()?;
                    items.push(self.operand(depth)?);
                }
                b'+' | b'-' | b'.' | b'/' | b'(' | b'<' | b'[' => items.push(self.operand(depth)?),
                _ => return None,
            }
            self.skip_white_space();
        }
    }

    /// Before a number that starts with a digit, inside an array or a
    /// dictionary: lopdf tries an indirect reference (`12 0 R`) first, so
    /// anything shaped like one (two runs of digits and `R`, white space
    /// or comments between) is left to lopdf.
    fn decline_possible_reference(&self) -> Option<()> {
        let rest = self.rest();
        let mut index = rest.iter().take_while(|byte| byte.is_ascii_digit()).count();
        let skip_space = |index: &mut usize| -> Option<()> {
            while let Some(&byte) = rest.get(*index) {
                match byte {
                    b'%' => return None,
                    byte if is_white_space(byte) => *index += 1,
                    _ => break,
                }
            }
            Some(())
        };
        skip_space(&mut index)?;
        let second_digits = rest[index..].iter().take_while(|byte| byte.is_ascii_digit()).count();
        if second_digits == 0 {
            return Some(());
        }
        index += second_digits;
        skip_space(&mut index)?;
        (rest.get(index) != Some(&b'R')).then_some(())
    }

    /// lopdf's `dictionary`, read only to be skipped: `<<`, then name and
    /// value pairs, then `>>`.
    fn skip_dictionary(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_NESTING {
            return None;
        }
        self.position += 2;
        self.skip_white_space();
        loop {
            match self.peek()? {
                b'>' => return self.rest().starts_with(b">>").then(|| self.position += 2),
                b'/' => {
                    self.name()?;
                    self.skip_white_space();
                    match self.peek()? {
                        b'0'..=b'9' => {
                            self.decline_possible_reference()?;
                            self.operand(depth)?;
                        }
                        b'+' | b'-' | b'.' | b'/' | b'(' | b'<' | b'[' => {
                            self.operand(depth)?;
                        }
                        _ => return None,
                    }
                    self.skip_white_space();
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::content::Content;

    /// Every operation read here, or `None` where this reader declines.
    fn fast_operations(content: &[u8]) -> Option<Vec<(Vec<u8>, Vec<Operand<'_>>)>> {
        let mut operations = ContentOperations::new(content);
        let mut operands = Vec::new();
        let mut read = Vec::new();
        loop {
            match operations.next_operation(&mut operands) {
                Step::Operation(operator) => read.push((operator.to_vec(), operands.clone())),
                Step::End => return Some(read),
                Step::Unsure => return None,
            }
        }
    }

    /// Asserts that the stream is read here, exactly as lopdf reads it.
    fn assert_reads_like_lopdf(content: &[u8]) {
        let fast = fast_operations(content).unwrap_or_else(|| panic!("declined {:?}", String::from_utf8_lossy(content)));
        let lopdf = Content::decode(content).expect("lopdf reads it");
        let lopdf: Vec<(Vec<u8>, Vec<Operand>)> = lopdf
            .operations
            .iter()
            .map(|operation| (operation.operator.as_bytes().to_vec(), operation.operands.iter().map(Operand::from_lopdf).collect()))
            .collect();
        assert_eq!(fast.len(), lopdf.len(), "{:?}", String::from_utf8_lossy(content));
        for (fast, lopdf) in fast.iter().zip(&lopdf) {
            assert_eq!(fast.0, lopdf.0);
            assert_eq!(fast.1.len(), lopdf.1.len(), "operands of {:?}", String::from_utf8_lossy(&fast.0));
            for (fast, lopdf) in fast.1.iter().zip(&lopdf.1) {
                match (fast, lopdf) {
                    (Operand::Number(fast), Operand::Number(lopdf)) => assert_eq!(fast.to_bits(), lopdf.to_bits()),
                    (fast, lopdf) => assert_eq!(fast, lopdf),
                }
            }
        }
    }

    #[test]
    fn a_typical_text_object_reads_as_lopdf_reads_it() {
        assert_reads_like_lopdf(
            b"q 1 0 0 1 0 0 cm BT /F1 12 Tf 72 712.5 Td (Invoice \\(copy\\)) Tj\r\n[(A) -120.5 (B) 3 <00410042>] TJ\n\
              0.5 Tw .25 Tc 100 Tz 14 TL -2 Ts T* (x) ' 1 2 (y) \" ET Q /Fm0 Do",
        );
    }

    #[test]
    fn numbers_names_and_strings_in_unusual_spellings_read_as_lopdf_reads_them() {
        assert_reads_like_lopdf(b"+5 -0 -0.0 5. -.5 0.00-4142502 1.2.3 007 -12Tw/F1 9Tf/Name/Other n");
        assert_reads_like_lopdf(b"(a\\nb\\101\\0537\\\nc\\\r\nd\re\r\nf(g(h))\\q\\)) Tj <4 1 4> Tj <414> Tj <> Tj () Tj");
        assert_reads_like_lopdf(b"true false null x /A<</MCID 3/Nested<</K[1 /X (s) <ab>]>>/R -1.5>>BDC EMC d0 f* W* n");
        assert_reads_like_lopdf(b"/Table#20Heading<</MCID 1>>BDC /A#41#42c Tf [0.75 0.75 ]0 d [4 2 ] 0 d [1 2 3 4.5 6 0] TJ");
    }

    #[test]
    fn short_decimals_are_read_to_the_same_bits_as_the_standard_parser_reads_them() {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for case in 0..300_000u32 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let digits = 1 + (seed >> 60) as usize % 9;
            let mantissa = (seed >> 20) % 10u64.pow(digits as u32);
            let point = (seed >> 8) as usize % (digits + 1);
            let mut text = format!("{mantissa:0digits$}");
            text.insert(point, '.');
            let negative = case % 2 == 1;
            let expected: f32 = format!("{}{text}", if negative { "-" } else { "" }).parse().unwrap();
            if let Some(value) = short_decimal_value(negative, text.as_bytes()) {
                assert_eq!(value.to_bits(), expected.to_bits(), "{text}");
            }
        }
        assert_eq!(short_decimal_value(false, b"0.1").map(f32::to_bits), Some(0.1f32.to_bits()));
        assert_eq!(short_decimal_value(false, b"16777217.0"), None, "beyond 2^24");
        assert_eq!(short_decimal_value(false, b"0.00000000001"), None, "eleven digits after the point");
        assert_eq!(short_decimal_value(false, b"0.00-41"), None);
    }

    #[test]
    fn streams_the_reader_is_unsure_of_are_declined() {
        assert!(fast_operations(b"BT % comment\n ET").is_none());
        assert!(fast_operations(b"BI /W 1 /H 1 /CS /G /BPC 8 ID \x00 EI").is_none());
        assert!(fast_operations(b"/A#2 Tf").is_none());
        assert!(fast_operations(b"[1 0 R] TJ").is_none());
        assert!(fast_operations(b"<</P 12 0\nR>> BDC").is_none());
        assert!(fast_operations(b"[1 0 R] TJ").is_none());
        assert!(fast_operations(b"(unterminated Tj").is_none());
        assert!(fast_operations(b"{ } Tj").is_none());
    }
}
