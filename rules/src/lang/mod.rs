//! The condition language: typed expressions over a document's fields,
//! checked when a pack is loaded and evaluated per document.
//!
//! See the crate documentation for the language reference.

pub mod compile;
pub mod eval;
pub mod syntax;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use regex::Regex;
use rust_decimal::Decimal;

use crate::fields::FieldSpec;
use syntax::BinOp;

/// The type of an expression, known when the pack is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    /// A decimal number (amounts, percents, days, years): never a float.
    Number,
    Text,
    Date,
    List(Box<Type>),
}

impl fmt::Display for Type {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => formatter.write_str("bool"),
            Type::Number => formatter.write_str("number"),
            Type::Text => formatter.write_str("text"),
            Type::Date => formatter.write_str("date"),
            Type::List(item) => write!(formatter, "list<{item}>"),
        }
    }
}

/// A value computed while evaluating a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Number(Decimal),
    Text(String),
    Date(NaiveDate),
    List(Vec<Value>),
}

impl Value {
    pub fn ty(&self) -> Type {
        match self {
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::Text(_) => Type::Text,
            Value::Date(_) => Type::Date,
            Value::List(items) => Type::List(Box::new(items.first().map(Value::ty).unwrap_or(Type::Text))),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(value) => write!(formatter, "{value}"),
            Value::Number(value) => write!(formatter, "{}", value.normalize()),
            Value::Text(value) => formatter.write_str(value),
            Value::Date(value) => write!(formatter, "{}", value.format("%Y-%m-%d")),
            Value::List(items) => {
                formatter.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        formatter.write_str(", ")?;
                    }
                    write!(formatter, "{item}")?;
                }
                formatter.write_str("]")
            }
        }
    }
}

/// A field named by `has`, `confidence` and `label`: a contract field, or
/// the field a `for_each` rule is looking at.
#[derive(Debug, Clone, Copy)]
pub enum FieldRef {
    Named(&'static FieldSpec),
    Current,
}

/// Built-in functions with ordinary (typed, evaluated) arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    ValidIban,
    IbanProblem,
    ValidBic,
    ValidTaxId,
    TaxIdProblem,
    TaxIdScheme,
    ValidDni,
    Dec,
    Abs,
    AbsDiff,
    Round,
    Min,
    Max,
    Date,
    DaysBetween,
    AddDays,
    AgeYears,
    Upper,
    Fold,
    SameName,
    Size,
    PriorSameAmount,
}

/// A checked expression, ready to evaluate.
#[derive(Debug, Clone)]
pub enum Node {
    Literal(Value),
    Field(&'static FieldSpec),
    Current,
    Param(String),
    Not(Box<Node>),
    Negate(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Conditional(Box<Node>, Box<Node>, Box<Node>),
    Compare(BinOp, Box<Node>, Box<Node>),
    Arithmetic(BinOp, Box<Node>, Box<Node>),
    Concat(Box<Node>, Box<Node>),
    In(Box<Node>, Box<Node>),
    List(Vec<Node>),
    Has(FieldRef),
    Confidence(FieldRef),
    Label(FieldRef),
    Missing(Vec<&'static FieldSpec>),
    SumLines(&'static str),
    LineCount,
    Matches(Box<Node>, Arc<Regex>),
    Today,
    LowConfidenceFields,
    MalformedFields,
    PriorSameNumber,
    Call(Builtin, Vec<Node>),
}
