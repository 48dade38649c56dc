//! Message templates: text with `{expression}` placeholders, an optional
//! format after a colon (`{days_left:int}`), and conditional segments
//! `{?condition: text with {placeholders}}`. Placeholders are checked when
//! the pack is loaded, like any other expression.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::lang::compile::{CompileError, Compiler, Origin};
use crate::lang::eval::{eval, Env};
use crate::lang::{Node, Type, Value};
use crate::message::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Numbers as amounts (`1.240,00`), dates the language's way.
    Default,
    /// A whole number (`12`).
    Int,
    /// A percent with the decimals it has (`21%`, `10,5%`).
    Percent,
    /// As stored: `1240.5`, `2026-03-15`.
    Plain,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Value(Node, Format),
    When(Node, Vec<Part>),
}

#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    pub fn compile(text: &str, at: Origin, compiler: &Compiler) -> Result<Template, CompileError> {
        Ok(Template { parts: compile_parts(text, 0, at, compiler)? })
    }

    /// The message for one finding. A placeholder whose value cannot be
    /// computed (a field absent) is left empty; a condition that cannot be
    /// computed counts as false.
    pub fn render(&self, env: &Env) -> String {
        let mut out = String::new();
        render_parts(&self.parts, env, &mut out);
        out
    }
}

fn render_parts(parts: &[Part], env: &Env, out: &mut String) {
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Value(node, format) => {
                if let Ok(value) = eval(node, env) {
                    out.push_str(&format_value(&value, *format, env.language));
                }
            }
            Part::When(condition, inner) => {
                if let Ok(Value::Bool(true)) = eval(condition, env) {
                    render_parts(inner, env, out);
                }
            }
        }
    }
}

fn format_value(value: &Value, format: Format, language: Language) -> String {
    match (value, format) {
        (Value::Number(number), Format::Default) => language.amount(*number),
        (Value::Number(number), Format::Int) => number.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).normalize().to_string(),
        (Value::Number(number), Format::Percent) => format!("{}%", decimal_in(language, *number)),
        (Value::Date(date), Format::Default) => language.date(*date),
        (Value::Bool(flag), Format::Default) => language.pick(if *flag { "yes" } else { "no" }, if *flag { "sí" } else { "no" }).to_string(),
        (Value::List(items), _) => items.iter().map(|item| format_value(item, format, language)).collect::<Vec<_>>().join(", "),
        (other, _) => other.to_string(),
    }
}

/// A number with the decimals it has and the language's decimal mark.
fn decimal_in(language: Language, number: Decimal) -> String {
    let text = number.normalize().to_string();
    match language {
        Language::English => text,
        Language::Spanish => text.replace('.', ","),
    }
}

/// Scans `text[from..]` for the byte offset of `wanted` at the top level:
/// outside quotes, parentheses and brackets.
fn top_level(text: &str, from: usize, wanted: &[u8]) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let mut at = from;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(_) if byte == b'\\' => at += 1,
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                _ if depth == 0 && wanted.contains(&byte) => return Some(at),
                _ => {}
            },
        }
        at += 1;
    }
    None
}

/// The offset of the `}` closing a `{` opened just before `from`, counting
/// nested braces outside quotes.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 1;
    let mut quote: Option<u8> = None;
    let mut at = from;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(_) if byte == b'\\' => at += 1,
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(at);
                    }
                }
                _ => {}
            },
        }
        at += 1;
    }
    None
}

fn compile_parts(text: &str, base: usize, at: Origin, compiler: &Compiler) -> Result<Vec<Part>, CompileError> {
    let error = |offset: usize, message: &str| CompileError { at: at.plus(base + offset), message: message.to_string() };
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut at_byte = 0;
    while at_byte < bytes.len() {
        match bytes[at_byte] {
            b'{' if bytes.get(at_byte + 1) == Some(&b'{') => {
                literal.push('{');
                at_byte += 2;
            }
            b'}' if bytes.get(at_byte + 1) == Some(&b'}') => {
                literal.push('}');
                at_byte += 2;
            }
            b'}' => return Err(error(at_byte, "a `}` without its `{`: write `}}` for a brace in the text")),
            b'{' => {
                let close = closing_brace(text, at_byte + 1).ok_or_else(|| error(at_byte, "a `{` without its `}`: write `{{` for a brace in the text"))?;
                if !literal.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                }
                if bytes.get(at_byte + 1) == Some(&b'?') {
                    let condition_start = at_byte + 2;
                    let colon = top_level(&text[..close], condition_start, b":").ok_or_else(|| error(at_byte, "a conditional segment is `{?condition: text}`: the `:` is missing"))?;
                    let condition = compiler.compile_as(&text[condition_start..colon], at.plus(base + condition_start), &Type::Bool, "the condition of `{?...}`")?;
                    let inner = compile_parts(&text[colon + 1..close], base + colon + 1, at, compiler)?;
                    parts.push(Part::When(condition, inner));
                } else {
                    let inside_start = at_byte + 1;
                    let inside = &text[inside_start..close];
                    let (expression, format) = split_format(inside);
                    let (node, ty) = compiler.compile(expression, at.plus(base + inside_start))?;
                    let item_type = match &ty {
                        Type::List(item) => (**item).clone(),
                        other => other.clone(),
                    };
                    if matches!(format, Format::Int | Format::Percent) && item_type != Type::Number {
                        return Err(error(at_byte, &format!("the formats `int` and `percent` are for numbers; this placeholder is {ty}")));
                    }
                    parts.push(Part::Value(node, format));
                }
                at_byte = close + 1;
            }
            _ => {
                let character = text[at_byte..].chars().next().expect("in bounds");
                literal.push(character);
                at_byte += character.len_utf8();
            }
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Text(literal));
    }
    Ok(parts)
}

/// `total:int` → (`total`, Int); a `:` not followed by a format name (a
/// `? :` inside) leaves the placeholder whole.
fn split_format(inside: &str) -> (&str, Format) {
    let mut search = 0;
    let mut last = None;
    while let Some(colon) = top_level(inside, search, b":") {
        last = Some(colon);
        search = colon + 1;
    }
    if let Some(colon) = last {
        let format = match inside[colon + 1..].trim() {
            "int" => Some(Format::Int),
            "percent" => Some(Format::Percent),
            "plain" => Some(Format::Plain),
            "amount" => Some(Format::Default),
            _ => None,
        };
        if let Some(format) = format {
            return (&inside[..colon], format);
        }
    }
    (inside, Format::Default)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, ExtractedField};

    use super::*;
    use crate::lang::compile::LetSource;
    use crate::ConfidenceThresholds;

    fn at() -> Origin {
        Origin { source: 0, offset: 0 }
    }

    fn render(template: &str, language: Language) -> Result<String, String> {
        let params = BTreeMap::from([("limit".to_string(), Type::Number)]);
        let lets = BTreeMap::from([("gap".to_string(), LetSource { text: "total - 1000".into(), at: at() })]);
        let compiler = Compiler::new(&params, &lets, None, &[]);
        let template = Template::compile(template, at(), &compiler).map_err(|error| format!("{}@{}", error.message, error.at.offset))?;
        let document = ExtractedDocument {
            file: String::new(),
            sha256: String::new(),
            kind: DocumentKind::Invoice,
            pages: 1,
            source: None,
            fields: [("total", "1234.5"), ("tax_rate", "10.5"), ("issue_date", "2026-03-15")]
                .iter()
                .map(|(name, value)| (name.to_string(), ExtractedField { value: value.to_string(), confidence: 1.0, page: 1, bbox: None }))
                .collect(),
            line_items: vec![],
            error: None,
        };
        let param_values = BTreeMap::from([("limit".to_string(), Value::Number(Decimal::new(5000, 0)))]);
        let confidence = ConfidenceThresholds { default: Decimal::new(7, 1), per_field: BTreeMap::new() };
        let env = Env {
            document: &document,
            today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            language,
            prior_invoices: &[],
            params: &param_values,
            confidence: &confidence,
            current: None,
            looked_at: RefCell::new(BTreeMap::new()),
        };
        Ok(template.render(&env))
    }

    #[test]
    fn placeholders_are_formatted_the_languages_way() {
        assert_eq!(render("{total} {tax_rate:percent} {issue_date} {gap:int} {limit}", Language::Spanish).unwrap(), "1.234,50 10,5% 15/03/2026 235 5.000,00");
        assert_eq!(render("{total} {tax_rate:percent} {issue_date} {total:plain}", Language::English).unwrap(), "1,234.50 10.5% 2026-03-15 1234.5");
        assert_eq!(render("{{literal}} {['a', 'b']}", Language::English).unwrap(), "{literal} a, b");
    }

    #[test]
    fn conditional_segments_and_absent_values() {
        assert_eq!(render("A{?total > limit: over {limit}}{?total < limit: under {limit}}.", Language::English).unwrap(), "A under 5,000.00.");
        assert_eq!(render("[{subtotal}]{?subtotal > 0: never}", Language::English).unwrap(), "[]");
        assert_eq!(render("{total > 0 ? 'yes' : 'no'}", Language::English).unwrap(), "yes");
    }

    #[test]
    fn template_mistakes_are_rejected_where_they_are() {
        assert_eq!(render("ab } c", Language::English).unwrap_err(), "a `}` without its `{`: write `}}` for a brace in the text@3");
        assert!(render("x {total", Language::English).unwrap_err().contains("without its `}`"));
        assert!(render("{issue_date:int}", Language::English).unwrap_err().contains("for numbers"));
        assert!(render("{?total: x}", Language::English).unwrap_err().contains("must be a bool"));
        assert!(render("{?total > 0 x}", Language::English).unwrap_err().contains("the `:` is missing"));
        assert_eq!(render("ok {totl}", Language::English).unwrap_err(), "unknown name `totl`: not a document field, a param or a let; did you mean `total`?@4");
    }
}
