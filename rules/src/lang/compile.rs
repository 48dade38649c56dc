//! Type-checks parsed expressions into [`Node`]s. Every name, function and
//! type is resolved here, when a pack is loaded, so evaluation never meets
//! an unknown field or a type error.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;
use tramite_pipeline::extraction::DocumentKind;

use super::syntax::{parse, Ast, AstKind, BinOp, UnOp};
use super::{Builtin, FieldRef, Node, Type, Value};
use crate::fields::{self, FieldSpec, LINE_COLUMNS};

/// Where a text starts: which source file and the byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub source: usize,
    pub offset: usize,
}

impl Origin {
    pub fn plus(self, offset: usize) -> Origin {
        Origin { source: self.source, offset: self.offset + offset }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub at: Origin,
    pub message: String,
}

/// A `let` binding's expression, not compiled yet.
#[derive(Debug, Clone)]
pub struct LetSource {
    pub text: String,
    pub at: Origin,
}

/// The names an expression of one rule may use.
pub struct Compiler<'a> {
    pub params: &'a BTreeMap<String, Type>,
    pub lets: &'a BTreeMap<String, LetSource>,
    /// The type of `field` in a `for_each` rule.
    pub current: Option<Type>,
    /// The document kinds the rule applies to (empty: all).
    pub kinds: &'a [DocumentKind],
    compiled_lets: RefCell<BTreeMap<String, (Node, Type)>>,
    let_stack: RefCell<Vec<String>>,
    referenced: RefCell<Vec<&'static str>>,
}

/// Every function name the language knows, for "did you mean".
pub const FUNCTION_NAMES: &[&str] = &[
    "has", "confidence", "label", "missing", "sum_lines", "line_count", "matches", "today", "low_confidence_fields", "malformed_fields",
    "prior_same_number", "prior_same_amount", "valid_iban", "iban_problem", "valid_bic", "valid_tax_id", "tax_id_problem", "tax_id_scheme",
    "valid_dni", "dec", "abs", "abs_diff", "round", "min", "max", "date", "days_between", "add_days", "age_years", "upper", "fold",
    "same_name", "size",
];

impl<'a> Compiler<'a> {
    pub fn new(params: &'a BTreeMap<String, Type>, lets: &'a BTreeMap<String, LetSource>, current: Option<Type>, kinds: &'a [DocumentKind]) -> Self {
        Compiler { params, lets, current, kinds, compiled_lets: RefCell::default(), let_stack: RefCell::default(), referenced: RefCell::default() }
    }

    /// The document fields the compiled expressions read, in first-use order.
    pub fn referenced_fields(&self) -> Vec<String> {
        self.referenced.borrow().iter().map(|name| name.to_string()).collect()
    }

    pub fn compile(&self, text: &str, at: Origin) -> Result<(Node, Type), CompileError> {
        let ast = parse(text).map_err(|error| CompileError { at: at.plus(error.offset), message: error.message })?;
        self.check(&ast, at)
    }

    /// Compiles an expression that must have the type `expected`; `role`
    /// names it in the error (`check`, `when`, ...).
    pub fn compile_as(&self, text: &str, at: Origin, expected: &Type, role: &str) -> Result<Node, CompileError> {
        let (node, ty) = self.compile(text, at)?;
        if &ty != expected {
            return Err(CompileError { at, message: format!("`{role}` must be {}, but this expression is {}", article(expected), article(&ty)) });
        }
        Ok(node)
    }

    fn check(&self, ast: &Ast, at: Origin) -> Result<(Node, Type), CompileError> {
        let error = |message: String| CompileError { at: at.plus(ast.start), message };
        Ok(match &ast.kind {
            AstKind::Number(value) => (Node::Literal(Value::Number(*value)), Type::Number),
            AstKind::Text(value) => (Node::Literal(Value::Text(value.clone())), Type::Text),
            AstKind::Bool(value) => (Node::Literal(Value::Bool(*value)), Type::Bool),
            AstKind::Ident(name) => self.identifier(name, ast, at)?,
            AstKind::List(items) => {
                let mut nodes = Vec::new();
                let mut item_type: Option<Type> = None;
                for item in items {
                    let (node, ty) = self.check(item, at)?;
                    if matches!(ty, Type::List(_)) {
                        return Err(CompileError { at: at.plus(item.start), message: "lists cannot hold lists".into() });
                    }
                    match &item_type {
                        Some(expected) if *expected != ty => {
                            return Err(CompileError { at: at.plus(item.start), message: format!("every item of a list must have one type: {} then {}", expected, ty) });
                        }
                        _ => item_type = Some(ty),
                    }
                    nodes.push(node);
                }
                let Some(item_type) = item_type else { return Err(error("an empty list `[]` has no type; write at least one item".into())) };
                (Node::List(nodes), Type::List(Box::new(item_type)))
            }
            AstKind::Unary(op, operand) => {
                let (node, ty) = self.check(operand, at)?;
                match (op, &ty) {
                    (UnOp::Not, Type::Bool) => (Node::Not(Box::new(node)), Type::Bool),
                    (UnOp::Neg, Type::Number) => (Node::Negate(Box::new(node)), Type::Number),
                    (UnOp::Not, _) => return Err(error(format!("`!` needs a bool, not {}", article(&ty)))),
                    (UnOp::Neg, _) => return Err(error(format!("`-` needs a number, not {}", article(&ty)))),
                }
            }
            AstKind::Binary(op, left, right) => self.binary(*op, left, right, ast, at)?,
            AstKind::Cond(condition, then, otherwise) => {
                let (condition_node, condition_type) = self.check(condition, at)?;
                if condition_type != Type::Bool {
                    return Err(CompileError { at: at.plus(condition.start), message: format!("the condition before `?` must be a bool, not {}", article(&condition_type)) });
                }
                let (then_node, then_type) = self.check(then, at)?;
                let (otherwise_node, otherwise_type) = self.check(otherwise, at)?;
                if then_type != otherwise_type {
                    return Err(error(format!("both branches of `? :` must have one type: {then_type} and {otherwise_type}")));
                }
                (Node::Conditional(Box::new(condition_node), Box::new(then_node), Box::new(otherwise_node)), then_type)
            }
            AstKind::Call(name, arguments) => self.call(name, arguments, ast, at)?,
        })
    }

    fn identifier(&self, name: &str, ast: &Ast, at: Origin) -> Result<(Node, Type), CompileError> {
        if name == "field" {
            if let Some(ty) = &self.current {
                return Ok((Node::Current, ty.clone()));
            }
            return Err(CompileError { at: at.plus(ast.start), message: "`field` only exists in a rule with `for_each`".into() });
        }
        if let Some(source) = self.lets.get(name) {
            return self.let_binding(name, source, ast, at);
        }
        if let Some(ty) = self.params.get(name) {
            return Ok((Node::Param(name.to_string()), ty.clone()));
        }
        if let Some(spec) = fields::field(name) {
            self.use_field(spec, ast, at)?;
            return Ok((Node::Field(spec), spec.form.ty()));
        }
        let mut candidates: Vec<&str> = fields::FIELDS.iter().map(|field| field.name).collect();
        candidates.extend(self.params.keys().map(String::as_str));
        candidates.extend(self.lets.keys().map(String::as_str));
        let hint = if FUNCTION_NAMES.contains(&name) { format!("; `{name}` is a function: call it as `{name}(...)`") } else { suggestion(name, &candidates) };
        Err(CompileError { at: at.plus(ast.start), message: format!("unknown name `{name}`: not a document field, a param or a let{hint}") })
    }

    fn use_field(&self, spec: &'static FieldSpec, ast: &Ast, at: Origin) -> Result<(), CompileError> {
        if !self.kinds.is_empty() && !self.kinds.iter().any(|kind| spec.kinds.contains(kind)) {
            let kinds: Vec<&str> = self.kinds.iter().map(|kind| kind.as_str()).collect();
            return Err(CompileError {
                at: at.plus(ast.start),
                message: format!("field `{}` never appears on {} documents, which this rule is limited to", spec.name, kinds.join("/")),
            });
        }
        let mut referenced = self.referenced.borrow_mut();
        if !referenced.contains(&spec.name) {
            referenced.push(spec.name);
        }
        Ok(())
    }

    fn let_binding(&self, name: &str, source: &LetSource, ast: &Ast, at: Origin) -> Result<(Node, Type), CompileError> {
        if let Some(compiled) = self.compiled_lets.borrow().get(name) {
            return Ok(compiled.clone());
        }
        if self.let_stack.borrow().iter().any(|pending| pending == name) {
            let cycle = self.let_stack.borrow().join(" → ");
            return Err(CompileError { at: at.plus(ast.start), message: format!("let `{name}` refers to itself ({cycle} → {name})") });
        }
        self.let_stack.borrow_mut().push(name.to_string());
        let compiled = self.compile(&source.text, source.at);
        self.let_stack.borrow_mut().pop();
        let compiled = compiled?;
        self.compiled_lets.borrow_mut().insert(name.to_string(), compiled.clone());
        Ok(compiled)
    }

    fn binary(&self, op: BinOp, left: &Ast, right: &Ast, ast: &Ast, at: Origin) -> Result<(Node, Type), CompileError> {
        let (left_node, left_type) = self.check(left, at)?;
        let (right_node, right_type) = self.check(right, at)?;
        let error = |message: String| CompileError { at: at.plus(ast.start), message };
        let (l, r) = (Box::new(left_node), Box::new(right_node));
        let symbol = op.symbol();
        Ok(match op {
            BinOp::And | BinOp::Or => {
                if left_type != Type::Bool || right_type != Type::Bool {
                    return Err(error(format!("`{symbol}` joins two bools, not {} and {}", article(&left_type), article(&right_type))));
                }
                (if op == BinOp::And { Node::And(l, r) } else { Node::Or(l, r) }, Type::Bool)
            }
            BinOp::Eq | BinOp::Ne => {
                if left_type != right_type {
                    return Err(error(format!("`{symbol}` compares values of one type, not {} and {}", article(&left_type), article(&right_type))));
                }
                (Node::Compare(op, l, r), Type::Bool)
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if left_type != right_type || !matches!(left_type, Type::Number | Type::Date | Type::Text) {
                    return Err(error(format!("`{symbol}` orders two numbers, two dates or two texts, not {} and {}", article(&left_type), article(&right_type))));
                }
                (Node::Compare(op, l, r), Type::Bool)
            }
            BinOp::In => {
                if right_type != Type::List(Box::new(left_type.clone())) {
                    return Err(error(format!("`in` looks for {} in a list<{left_type}>, but the right side is {}", article(&left_type), article(&right_type))));
                }
                (Node::In(l, r), Type::Bool)
            }
            BinOp::Add if left_type == Type::Text && right_type == Type::Text => (Node::Concat(l, r), Type::Text),
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                if left_type != Type::Number || right_type != Type::Number {
                    let extra = if op == BinOp::Sub && left_type == Type::Date { " (for dates use days_between(a, b) or add_days(d, n))" } else { "" };
                    return Err(error(format!("`{symbol}` needs two numbers, not {} and {}{extra}", article(&left_type), article(&right_type))));
                }
                (Node::Arithmetic(op, l, r), Type::Number)
            }
        })
    }

    fn field_argument(&self, name: &str, arguments: &[Ast], ast: &Ast, at: Origin) -> Result<FieldRef, CompileError> {
        let usage = || CompileError { at: at.plus(ast.start), message: format!("`{name}` takes one field name, as in `{name}(total)`") };
        let [argument] = arguments else { return Err(usage()) };
        let AstKind::Ident(field_name) = &argument.kind else { return Err(usage()) };
        if field_name == "field" && self.current.is_some() {
            return Ok(FieldRef::Current);
        }
        match fields::field(field_name) {
            Some(spec) => {
                self.use_field(spec, argument, at)?;
                Ok(FieldRef::Named(spec))
            }
            None => {
                let candidates: Vec<&str> = fields::FIELDS.iter().map(|field| field.name).collect();
                Err(CompileError { at: at.plus(argument.start), message: format!("unknown field `{field_name}`{}", suggestion(field_name, &candidates)) })
            }
        }
    }

    fn call(&self, name: &str, arguments: &[Ast], ast: &Ast, at: Origin) -> Result<(Node, Type), CompileError> {
        let error = |message: String| CompileError { at: at.plus(ast.start), message };
        let nullary = |node: Node, ty: Type| {
            if arguments.is_empty() { Ok((node, ty)) } else { Err(error(format!("`{name}` takes no arguments: write `{name}()`"))) }
        };
        match name {
            "has" => return Ok((Node::Has(self.field_argument(name, arguments, ast, at)?), Type::Bool)),
            "confidence" => return Ok((Node::Confidence(self.field_argument(name, arguments, ast, at)?), Type::Number)),
            "label" => return Ok((Node::Label(self.field_argument(name, arguments, ast, at)?), Type::Text)),
            "today" => return nullary(Node::Today, Type::Date),
            "line_count" => return nullary(Node::LineCount, Type::Number),
            "low_confidence_fields" => return nullary(Node::LowConfidenceFields, Type::List(Box::new(Type::Text))),
            "malformed_fields" => return nullary(Node::MalformedFields, Type::List(Box::new(Type::Text))),
            "prior_same_number" => return nullary(Node::PriorSameNumber, Type::List(Box::new(Type::Number))),
            "missing" => {
                let usage = || error("`missing` takes a list of field names, as in `missing(['invoice_number', 'total'])`".into());
                let [list] = arguments else { return Err(usage()) };
                let AstKind::List(items) = &list.kind else { return Err(usage()) };
                let mut specs = Vec::new();
                for item in items {
                    let AstKind::Text(field_name) = &item.kind else { return Err(usage()) };
                    let Some(spec) = fields::field(field_name) else {
                        let candidates: Vec<&str> = fields::FIELDS.iter().map(|field| field.name).collect();
                        return Err(CompileError { at: at.plus(item.start), message: format!("unknown field `{field_name}`{}", suggestion(field_name, &candidates)) });
                    };
                    self.use_field(spec, item, at)?;
                    specs.push(spec);
                }
                return Ok((Node::Missing(specs), Type::List(Box::new(Type::Text))));
            }
            "sum_lines" => {
                let usage = || error(format!("`sum_lines` takes a line column as text: {}", LINE_COLUMNS.map(|column| format!("'{column}'")).join(", ")));
                let [argument] = arguments else { return Err(usage()) };
                let AstKind::Text(column) = &argument.kind else { return Err(usage()) };
                let Some(column) = LINE_COLUMNS.iter().find(|known| *known == column) else { return Err(usage()) };
                return Ok((Node::SumLines(column), Type::Number));
            }
            "matches" => {
                let usage = || error("`matches` takes a text and a pattern written as a text literal, as in `matches(currency, '^[A-Z]{3}$')`".into());
                let [subject, pattern] = arguments else { return Err(usage()) };
                let AstKind::Text(pattern_text) = &pattern.kind else { return Err(usage()) };
                let (subject_node, subject_type) = self.check(subject, at)?;
                if subject_type != Type::Text {
                    return Err(CompileError { at: at.plus(subject.start), message: format!("`matches` needs a text, not {}", article(&subject_type)) });
                }
                let regex = Regex::new(pattern_text).map_err(|problem| CompileError { at: at.plus(pattern.start), message: format!("bad pattern: {problem}") })?;
                return Ok((Node::Matches(Box::new(subject_node), Arc::new(regex)), Type::Bool));
            }
            _ => {}
        }
        let mut nodes = Vec::new();
        let mut types = Vec::new();
        for argument in arguments {
            let (node, ty) = self.check(argument, at)?;
            nodes.push(node);
            types.push(ty);
        }
        use Type::{Bool as B, Date as D, Number as N, Text as T};
        let signatures: &[(&[Type], Type, Builtin)] = match name {
            "valid_iban" => &[(&[T], B, Builtin::ValidIban)],
            "iban_problem" => &[(&[T], T, Builtin::IbanProblem)],
            "valid_bic" => &[(&[T], B, Builtin::ValidBic)],
            "valid_tax_id" => &[(&[T], B, Builtin::ValidTaxId), (&[T, T], B, Builtin::ValidTaxId)],
            "tax_id_problem" => &[(&[T], T, Builtin::TaxIdProblem), (&[T, T], T, Builtin::TaxIdProblem)],
            "tax_id_scheme" => &[(&[T], T, Builtin::TaxIdScheme), (&[T, T], T, Builtin::TaxIdScheme)],
            "valid_dni" => &[(&[T], B, Builtin::ValidDni)],
            "dec" => &[(&[T], N, Builtin::Dec)],
            "abs" => &[(&[N], N, Builtin::Abs)],
            "abs_diff" => &[(&[N, N], N, Builtin::AbsDiff)],
            "round" => &[(&[N, N], N, Builtin::Round)],
            "min" => &[(&[N, N], N, Builtin::Min)],
            "max" => &[(&[N, N], N, Builtin::Max)],
            "date" => &[(&[T], D, Builtin::Date)],
            "days_between" => &[(&[D, D], N, Builtin::DaysBetween)],
            "add_days" => &[(&[D, N], D, Builtin::AddDays)],
            "age_years" => &[(&[D], N, Builtin::AgeYears)],
            "upper" => &[(&[T], T, Builtin::Upper)],
            "fold" => &[(&[T], T, Builtin::Fold)],
            "same_name" => &[(&[T, T], B, Builtin::SameName)],
            "prior_same_amount" => &[(&[N], Type::List(Box::new(N)), Builtin::PriorSameAmount)],
            "size" => {
                return match types.as_slice() {
                    [Type::Text | Type::List(_)] => Ok((Node::Call(Builtin::Size, nodes), N)),
                    _ => Err(error(format!("`size` takes a text or a list, got ({})", type_list(&types)))),
                };
            }
            _ => {
                return Err(error(format!("unknown function `{name}`{}", suggestion(name, FUNCTION_NAMES))));
            }
        };
        for (parameters, result, builtin) in signatures {
            if *parameters == types.as_slice() {
                return Ok((Node::Call(*builtin, nodes), result.clone()));
            }
        }
        let expected: Vec<String> = signatures.iter().map(|(parameters, _, _)| format!("({})", type_list(parameters))).collect();
        Err(error(format!("`{name}` takes {}, got ({})", expected.join(" or "), type_list(&types))))
    }
}

fn type_list(types: &[Type]) -> String {
    types.iter().map(Type::to_string).collect::<Vec<_>>().join(", ")
}

fn article(ty: &Type) -> String {
    format!("a {ty}")
}

/// "; did you mean `x`?" for the closest known name, if close enough.
pub fn suggestion(name: &str, candidates: &[&str]) -> String {
    let best = candidates.iter().map(|candidate| (edit_distance(name, candidate), *candidate)).min();
    match best {
        Some((distance, candidate)) if distance <= 2.max(name.len() / 4) && distance > 0 => format!("; did you mean `{candidate}`?"),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Result<Type, String> {
        let params = BTreeMap::from([("rounding_tolerance".to_string(), Type::Number)]);
        let lets = BTreeMap::from([("tax".to_string(), LetSource { text: "has(tax_amount) ? tax_amount : 0".into(), at: Origin { source: 0, offset: 0 } })]);
        let compiler = Compiler::new(&params, &lets, None, &[]);
        compiler.compile(text, Origin { source: 0, offset: 0 }).map(|(_, ty)| ty).map_err(|error| error.message)
    }

    #[test]
    fn types_are_inferred() {
        assert_eq!(compile("abs_diff(total, subtotal + tax) <= rounding_tolerance"), Ok(Type::Bool));
        assert_eq!(compile("days_between(issue_date, due_date)"), Ok(Type::Number));
        assert_eq!(compile("currency in ['EUR', 'USD']"), Ok(Type::Bool));
        assert_eq!(compile("missing(['total', 'currency'])"), Ok(Type::List(Box::new(Type::Text))));
    }

    #[test]
    fn type_errors_say_what_was_expected() {
        assert!(compile("total + currency").unwrap_err().contains("needs two numbers"));
        assert!(compile("issue_date < total").unwrap_err().contains("orders two numbers"));
        assert!(compile("valid_iban(total)").unwrap_err().contains("takes (text), got (number)"));
        assert!(compile("totl > 0").unwrap_err().contains("did you mean `total`"));
        assert!(compile("valid_ibna(iban)").unwrap_err().contains("did you mean `valid_iban`"));
        assert!(compile("has('total')").unwrap_err().contains("one field name"));
        assert!(compile("matches(currency, '[')").unwrap_err().contains("bad pattern"));
        assert!(compile("[]").is_err());
    }

    #[test]
    fn let_cycles_are_reported() {
        let params = BTreeMap::new();
        let at = Origin { source: 0, offset: 0 };
        let lets = BTreeMap::from([
            ("a".to_string(), LetSource { text: "b + 1".into(), at }),
            ("b".to_string(), LetSource { text: "a + 1".into(), at }),
        ]);
        let compiler = Compiler::new(&params, &lets, None, &[]);
        assert!(compiler.compile("a", at).unwrap_err().message.contains("refers to itself"));
    }
}
