//! Evaluates checked expressions against one document. Numbers are
//! `rust_decimal::Decimal` throughout: amounts are never floats.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::identifiers::bic::is_valid_bic_shape;
use tramite_pipeline::identifiers::iban::validate_iban;
use tramite_pipeline::identifiers::tax_id::{check_tax_id, validate_spanish_nif, SpanishIdKind, TaxIdScheme, TaxIdVerdict};

use super::syntax::BinOp;
use super::{Builtin, FieldRef, Node, Value};
use crate::fields::{self, FieldSpec};
use crate::message::Language;
use crate::{ConfidenceThresholds, PriorInvoice};

/// Why an expression produced no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// A field (or line column) the expression needs is not on the document.
    Absent(String),
    /// A field is on the document but not in its normal form.
    Malformed(String),
    /// Anything else: division by zero, a text `dec` or `date` cannot read.
    Failed(String),
    /// The rule's `when` is false.
    Skipped(String),
}

impl Stop {
    pub fn describe(&self) -> String {
        match self {
            Stop::Absent(name) => format!("{name} is absent"),
            Stop::Malformed(name) => format!("{name} is not in its normal form"),
            Stop::Failed(reason) | Stop::Skipped(reason) => reason.clone(),
        }
    }
}

pub type Outcome = Result<Value, Stop>;

/// What an expression can see while it is evaluated.
pub struct Env<'a> {
    pub document: &'a ExtractedDocument,
    pub today: NaiveDate,
    pub language: Language,
    pub prior_invoices: &'a [PriorInvoice],
    pub params: &'a BTreeMap<String, Value>,
    pub confidence: &'a ConfidenceThresholds,
    /// The field a `for_each` rule is looking at.
    pub current: Option<&'static FieldSpec>,
    /// Every field and param read, with its value, for the trace.
    pub looked_at: RefCell<BTreeMap<String, String>>,
}

impl Env<'_> {
    fn note(&self, name: &str, value: impl Into<String>) {
        self.looked_at.borrow_mut().insert(name.to_string(), value.into());
    }

    fn raw(&self, spec: &FieldSpec) -> Option<&str> {
        let raw = self.document.value(spec.name);
        self.note(spec.name, raw.unwrap_or("(absent)"));
        raw
    }

    fn field(&self, spec: &'static FieldSpec) -> Outcome {
        let raw = self.raw(spec).ok_or_else(|| Stop::Absent(spec.name.to_string()))?;
        fields::parse_value(spec.form, raw).ok_or_else(|| Stop::Malformed(spec.name.to_string()))
    }

    fn resolve(&self, field: FieldRef) -> &'static FieldSpec {
        match field {
            FieldRef::Named(spec) => spec,
            FieldRef::Current => self.current.expect("`field` is only compiled inside for_each rules"),
        }
    }

    fn text(&self, spec: &'static FieldSpec) -> Result<String, Stop> {
        match self.field(spec)? {
            Value::Text(text) => Ok(text),
            other => Ok(other.to_string()),
        }
    }
}

fn as_bool(value: Value) -> bool {
    matches!(value, Value::Bool(true))
}

fn as_number(value: Value) -> Decimal {
    match value {
        Value::Number(number) => number,
        _ => Decimal::ZERO,
    }
}

fn as_text(value: Value) -> String {
    match value {
        Value::Text(text) => text,
        other => other.to_string(),
    }
}

fn as_date(value: Value) -> Result<NaiveDate, Stop> {
    match value {
        Value::Date(date) => Ok(date),
        other => Err(Stop::Failed(format!("{other} is not a date"))),
    }
}

pub fn eval(node: &Node, env: &Env) -> Outcome {
    Ok(match node {
        Node::Literal(value) => value.clone(),
        Node::Field(spec) => env.field(spec)?,
        Node::Current => env.field(env.resolve(FieldRef::Current))?,
        Node::Param(name) => {
            let value = env.params.get(name).cloned().ok_or_else(|| Stop::Failed(format!("param {name} has no value")))?;
            env.note(name, value.to_string());
            value
        }
        Node::Not(operand) => Value::Bool(!as_bool(eval(operand, env)?)),
        Node::Negate(operand) => Value::Number(-as_number(eval(operand, env)?)),
        Node::And(left, right) => Value::Bool(as_bool(eval(left, env)?) && as_bool(eval(right, env)?)),
        Node::Or(left, right) => Value::Bool(as_bool(eval(left, env)?) || as_bool(eval(right, env)?)),
        Node::Conditional(condition, then, otherwise) => {
            if as_bool(eval(condition, env)?) {
                eval(then, env)?
            } else {
                eval(otherwise, env)?
            }
        }
        Node::Compare(op, left, right) => {
            let (left, right) = (eval(left, env)?, eval(right, env)?);
            let ordering = match (&left, &right) {
                (Value::Number(a), Value::Number(b)) => a.cmp(b),
                (Value::Date(a), Value::Date(b)) => a.cmp(b),
                (Value::Text(a), Value::Text(b)) => a.cmp(b),
                _ => {
                    if left == right {
                        Ordering::Equal
                    } else {
                        Ordering::Less
                    }
                }
            };
            Value::Bool(match op {
                BinOp::Eq => left == right,
                BinOp::Ne => left != right,
                BinOp::Lt => ordering == Ordering::Less,
                BinOp::Le => ordering != Ordering::Greater,
                BinOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            })
        }
        Node::Arithmetic(op, left, right) => {
            let (a, b) = (as_number(eval(left, env)?), as_number(eval(right, env)?));
            let result = match op {
                BinOp::Add => a.checked_add(b),
                BinOp::Sub => a.checked_sub(b),
                BinOp::Mul => a.checked_mul(b),
                _ if b.is_zero() => return Err(Stop::Failed("division by zero".into())),
                _ => a.checked_div(b),
            };
            Value::Number(result.ok_or_else(|| Stop::Failed("a number is out of range".into()))?)
        }
        Node::Concat(left, right) => Value::Text(as_text(eval(left, env)?) + &as_text(eval(right, env)?)),
        Node::In(item, list) => {
            let item = eval(item, env)?;
            match eval(list, env)? {
                Value::List(items) => Value::Bool(items.contains(&item)),
                _ => Value::Bool(false),
            }
        }
        Node::List(items) => Value::List(items.iter().map(|item| eval(item, env)).collect::<Result<_, _>>()?),
        Node::Has(field) => Value::Bool(env.raw(env.resolve(*field)).is_some()),
        Node::Confidence(field) => {
            let spec = env.resolve(*field);
            let found = env.document.fields.get(spec.name).ok_or_else(|| Stop::Absent(spec.name.to_string()))?;
            let confidence = confidence_decimal(found.confidence);
            env.note(&format!("confidence({})", spec.name), confidence.to_string());
            Value::Number(confidence)
        }
        Node::Label(field) => Value::Text(env.resolve(*field).label(env.language).to_string()),
        Node::Missing(specs) => {
            let missing: Vec<Value> = specs.iter().filter(|spec| env.raw(spec).is_none()).map(|spec| Value::Text(spec.name.to_string())).collect();
            Value::List(missing)
        }
        Node::SumLines(column) => {
            let lines = &env.document.line_items;
            if lines.is_empty() {
                return Err(Stop::Absent("line_items".into()));
            }
            let mut sum = Decimal::ZERO;
            for line in lines {
                let raw = match *column {
                    "amount" => line.amount.as_deref(),
                    "quantity" => line.quantity.as_deref(),
                    _ => line.unit_price.as_deref(),
                };
                let raw = raw.ok_or_else(|| Stop::Absent(format!("line_items.{column}")))?;
                let value: Decimal = raw.trim().parse().map_err(|_| Stop::Malformed(format!("line_items.{column}")))?;
                sum = sum.checked_add(value).ok_or_else(|| Stop::Failed("a number is out of range".into()))?;
            }
            env.note(&format!("sum_lines('{column}')"), sum.to_string());
            Value::Number(sum)
        }
        Node::LineCount => Value::Number(Decimal::from(env.document.line_items.len())),
        Node::Matches(subject, regex) => Value::Bool(regex.is_match(&as_text(eval(subject, env)?))),
        Node::Today => Value::Date(env.today),
        Node::LowConfidenceFields => {
            let doubtful: Vec<Value> = env
                .document
                .fields
                .iter()
                .filter(|(name, field)| confidence_decimal(field.confidence) < env.confidence.for_field(name))
                .map(|(name, _)| Value::Text(name.clone()))
                .collect();
            env.note("low_confidence_fields()", Value::List(doubtful.clone()).to_string());
            Value::List(doubtful)
        }
        Node::MalformedFields => {
            let malformed: Vec<Value> = env
                .document
                .fields
                .iter()
                .filter_map(|(name, field)| fields::field(name).filter(|spec| !fields::well_formed(spec.form, &field.value)))
                .map(|spec| Value::Text(spec.name.to_string()))
                .collect();
            env.note("malformed_fields()", Value::List(malformed.clone()).to_string());
            Value::List(malformed)
        }
        Node::PriorSameNumber => {
            let supplier = env.text(fields::field("supplier_tax_id").expect("known field"))?;
            let number = env.text(fields::field("invoice_number").expect("known field"))?;
            let found: Vec<Value> = env
                .prior_invoices
                .iter()
                .filter(|prior| prior.supplier_tax_id.as_deref().is_some_and(|other| same_tax_id(&supplier, other)))
                .filter(|prior| prior.invoice_number.as_deref().is_some_and(|other| normalize_invoice_number(other) == normalize_invoice_number(&number)))
                .map(|prior| Value::Number(Decimal::from(prior.document_id)))
                .collect();
            env.note("prior_invoices", env.prior_invoices.len().to_string());
            Value::List(found)
        }
        Node::Call(builtin, arguments) => {
            let mut values = Vec::with_capacity(arguments.len());
            for argument in arguments {
                values.push(eval(argument, env)?);
            }
            call(*builtin, values, env)?
        }
    })
}

/// A confidence read as the decimal it was written as (`0.7`, not
/// `0.699999988`), so thresholds compare the way they read.
pub fn confidence_decimal(confidence: f32) -> Decimal {
    confidence.to_string().parse().unwrap_or(Decimal::ZERO)
}

fn country_hint(values: &[Value]) -> Option<String> {
    values.get(1).map(|value| value.to_string()).filter(|hint| !hint.is_empty())
}

fn scheme_name(scheme: TaxIdScheme) -> &'static str {
    match scheme {
        TaxIdScheme::SpanishNif => "Spanish NIF",
        TaxIdScheme::EuVat(_) => "EU VAT number",
        TaxIdScheme::GbVat => "GB VAT number",
        TaxIdScheme::ColombianNit => "Colombian NIT",
        TaxIdScheme::MexicanRfc => "Mexican RFC",
        TaxIdScheme::UsEin => "US EIN",
    }
}

fn scheme_code(scheme: TaxIdScheme) -> &'static str {
    match scheme {
        TaxIdScheme::SpanishNif => "spanish_nif",
        TaxIdScheme::EuVat(_) => "eu_vat",
        TaxIdScheme::GbVat => "gb_vat",
        TaxIdScheme::ColombianNit => "colombian_nit",
        TaxIdScheme::MexicanRfc => "mexican_rfc",
        TaxIdScheme::UsEin => "us_ein",
    }
}

fn call(builtin: Builtin, values: Vec<Value>, env: &Env) -> Outcome {
    let number = |index: usize| as_number(values[index].clone());
    let text = |index: usize| as_text(values[index].clone());
    Ok(match builtin {
        Builtin::ValidIban => Value::Bool(validate_iban(&text(0)).is_ok()),
        Builtin::IbanProblem => Value::Text(validate_iban(&text(0)).err().map(|problem| problem.to_string()).unwrap_or_default()),
        Builtin::ValidBic => Value::Bool(is_valid_bic_shape(&text(0))),
        Builtin::ValidTaxId => Value::Bool(!matches!(check_tax_id(&text(0), country_hint(&values).as_deref()), TaxIdVerdict::Invalid(..))),
        Builtin::TaxIdProblem => Value::Text(match check_tax_id(&text(0), country_hint(&values).as_deref()) {
            TaxIdVerdict::Invalid(scheme, problem) => format!("{}: {problem}", scheme_name(scheme)),
            _ => String::new(),
        }),
        Builtin::TaxIdScheme => Value::Text(match check_tax_id(&text(0), country_hint(&values).as_deref()) {
            TaxIdVerdict::Valid(scheme) | TaxIdVerdict::Invalid(scheme, _) => scheme_code(scheme).to_string(),
            TaxIdVerdict::UnknownScheme => String::new(),
        }),
        Builtin::ValidDni => Value::Bool(matches!(validate_spanish_nif(&text(0)), Ok(SpanishIdKind::Dni | SpanishIdKind::Nie))),
        Builtin::Dec => {
            let raw = text(0);
            Value::Number(raw.trim().parse().map_err(|_| Stop::Failed(format!("dec: {raw:?} is not a decimal number")))?)
        }
        Builtin::Abs => Value::Number(number(0).abs()),
        Builtin::AbsDiff => Value::Number(number(0).checked_sub(number(1)).ok_or_else(|| Stop::Failed("a number is out of range".into()))?.abs()),
        Builtin::Round => {
            let places = number(1);
            if places.fract() != Decimal::ZERO || places < Decimal::ZERO || places > Decimal::from(28) {
                return Err(Stop::Failed(format!("round: {places} is not a number of decimal places")));
            }
            let places: u32 = places.to_string().parse().unwrap_or(0);
            Value::Number(number(0).round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero))
        }
        Builtin::Min => Value::Number(number(0).min(number(1))),
        Builtin::Max => Value::Number(number(0).max(number(1))),
        Builtin::Date => {
            let raw = text(0);
            Value::Date(NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| Stop::Failed(format!("date: {raw:?} is not a date YYYY-MM-DD")))?)
        }
        Builtin::DaysBetween => {
            let (from, to) = (as_date(values[0].clone())?, as_date(values[1].clone())?);
            Value::Number(Decimal::from((to - from).num_days()))
        }
        Builtin::AddDays => {
            let date = as_date(values[0].clone())?;
            let days = number(1);
            if days.fract() != Decimal::ZERO {
                return Err(Stop::Failed(format!("add_days: {days} is not a whole number of days")));
            }
            let days: i64 = days.to_string().parse().map_err(|_| Stop::Failed("add_days: too many days".into()))?;
            Value::Date(date.checked_add_signed(chrono::Duration::days(days)).ok_or_else(|| Stop::Failed("add_days: date out of range".into()))?)
        }
        Builtin::AgeYears => Value::Number(Decimal::from(age_years(as_date(values[0].clone())?, env.today))),
        Builtin::Upper => Value::Text(text(0).to_uppercase()),
        Builtin::Fold => Value::Text(fold_name(&text(0), false)),
        Builtin::SameName => {
            let (a, b) = (text(0), text(1));
            Value::Bool(fold_name(&a, false) == fold_name(&b, false) || fold_name(&a, true) == fold_name(&b, true) || fold_name(&a, true) == fold_name(&b, false) || fold_name(&a, false) == fold_name(&b, true))
        }
        Builtin::Size => Value::Number(Decimal::from(match &values[0] {
            Value::List(items) => items.len(),
            Value::Text(text) => text.chars().count(),
            _ => 0,
        })),
        Builtin::PriorSameAmount => {
            let window = number(0);
            let supplier = env.text(fields::field("supplier_tax_id").expect("known field"))?;
            let total = as_number(env.field(fields::field("total").expect("known field"))?);
            let issue = as_date(env.field(fields::field("issue_date").expect("known field"))?)?;
            let number = env.document.value("invoice_number").map(normalize_invoice_number);
            let found: Vec<Value> = env
                .prior_invoices
                .iter()
                .filter(|prior| prior.supplier_tax_id.as_deref().is_some_and(|other| same_tax_id(&supplier, other)))
                .filter(|prior| prior.total == Some(total))
                .filter(|prior| prior.issue_date.is_some_and(|date| Decimal::from((date - issue).num_days().abs()) <= window))
                .filter(|prior| number.is_none() || prior.invoice_number.as_deref().map(normalize_invoice_number) != number)
                .map(|prior| Value::Number(Decimal::from(prior.document_id)))
                .collect();
            env.note("prior_invoices", env.prior_invoices.len().to_string());
            Value::List(found)
        }
    })
}

/// Whole years from `birth` to `today` (a birthday counts on its day; a
/// 29 February birthday on 1 March in other years).
pub fn age_years(birth: NaiveDate, today: NaiveDate) -> i64 {
    let mut years = i64::from(today.year() - birth.year());
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// Uppercase letters and digits only: `2026-0042` and `2026/0042` match.
pub fn normalize_invoice_number(number: &str) -> String {
    number.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// Two tax ids name the same party: equal once compacted, or equal but for
/// a two-letter VAT country prefix on one of them (`ESB65410011`,
/// `B65410011`).
pub fn same_tax_id(a: &str, b: &str) -> bool {
    let (a, b) = (normalize_invoice_number(a), normalize_invoice_number(b));
    let prefixed = |long: &str, short: &str| long.len() == short.len() + 2 && long[..2].bytes().all(|b| b.is_ascii_uppercase()) && &long[2..] == short;
    !a.is_empty() && (a == b || prefixed(&a, &b) || prefixed(&b, &a))
}

/// A name compared accent-folded and case-insensitively, the way an MRZ
/// writes it: uppercase, accents dropped, apostrophes dropped, hyphens,
/// `<` and runs of spaces as one space. With `icao`, the German and Nordic
/// letters take ICAO 9303's two-letter transliteration (`Ü` → `UE`, `ß` →
/// `SS`, `Å` → `AA`), as some issuers print them in the MRZ.
pub fn fold_name(name: &str, icao: bool) -> String {
    let mut folded = String::new();
    for character in name.chars().flat_map(char::to_uppercase) {
        let replacement: &str = match character {
            'Á' | 'À' | 'Â' | 'Ã' | 'Ā' | 'Ą' => "A",
            'Ä' if icao => "AE",
            'Ä' => "A",
            'Å' if icao => "AA",
            'Å' => "A",
            'Æ' => "AE",
            'Ç' | 'Ć' | 'Č' => "C",
            'Ď' | 'Đ' => "D",
            'É' | 'È' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
            'Í' | 'Ì' | 'Î' | 'Ï' | 'Ī' => "I",
            'Ł' => "L",
            'Ñ' | 'Ń' | 'Ň' => "N",
            'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ō' | 'Ő' => "O",
            'Ö' if icao => "OE",
            'Ö' => "O",
            'Ø' if icao => "OE",
            'Ø' => "O",
            'Ř' => "R",
            'Ś' | 'Š' => "S",
            'ß' | 'ẞ' => "SS",
            'Ť' => "T",
            'Ú' | 'Ù' | 'Û' | 'Ū' | 'Ů' | 'Ű' => "U",
            'Ü' if icao => "UE",
            'Ü' => "U",
            'Ý' | 'Ÿ' => "Y",
            'Ź' | 'Ż' | 'Ž' => "Z",
            'Þ' => "TH",
            '\'' | '’' | '`' | '.' => "",
            '-' | '<' | ',' => " ",
            c if c.is_whitespace() => " ",
            _ => {
                folded.push(character);
                continue;
            }
        };
        folded.push_str(replacement);
    }
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_whole_years() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(age_years(day(2008, 11, 23), day(2026, 11, 23)), 18);
        assert_eq!(age_years(day(2008, 11, 24), day(2026, 11, 23)), 17);
        assert_eq!(age_years(day(2008, 2, 29), day(2026, 2, 28)), 17);
        assert_eq!(age_years(day(2008, 2, 29), day(2026, 3, 1)), 18);
    }

    #[test]
    fn names_fold_the_way_an_mrz_writes_them() {
        assert_eq!(fold_name("José  María O'Neill-Núñez", false), "JOSE MARIA ONEILL NUNEZ");
        assert_eq!(fold_name("Müller", true), "MUELLER");
        assert_eq!(fold_name("Müller", false), "MULLER");
    }

    #[test]
    fn tax_ids_match_with_or_without_country_prefix() {
        assert!(same_tax_id("ESB65410011", "B65410011"));
        assert!(same_tax_id("b-65410011", "B65410011"));
        assert!(!same_tax_id("B65410011", "B65410012"));
        assert!(!same_tax_id("", ""));
    }
}
