//! Evaluating a rule set against one document.

use std::cell::RefCell;
use std::collections::BTreeMap;

use rust_decimal::prelude::ToPrimitive;
use tramite_pipeline::extraction::ExtractedDocument;

use crate::fields::FieldSpec;
use crate::lang::eval::{eval, Env, Stop};
use crate::lang::Value;
use crate::pack::{Body, CompiledRule, Messages, RuleSet};
use crate::{Evaluation, EvaluationContext, Finding, RuleOutcome, Severity, TraceEntry};

impl RuleSet {
    /// Runs every enabled rule that applies to the document's kind, in
    /// order, and returns the findings and a trace entry per rule.
    pub fn evaluate(&self, document: &ExtractedDocument, context: &EvaluationContext) -> Evaluation {
        let mut evaluation = Evaluation::default();
        for rule in self.rules.iter() {
            if !rule.enabled || (!rule.kinds.is_empty() && !rule.kinds.contains(&document.kind)) {
                continue;
            }
            let (findings, entry) = self.run_rule(rule, document, context);
            evaluation.findings.extend(findings);
            evaluation.trace.push(entry);
        }
        evaluation
    }

    fn run_rule(&self, rule: &CompiledRule, document: &ExtractedDocument, context: &EvaluationContext) -> (Vec<Finding>, TraceEntry) {
        let targets: Vec<Option<&'static FieldSpec>> = if rule.for_each.is_empty() { vec![None] } else { rule.for_each.iter().copied().map(Some).collect() };
        let mut findings = Vec::new();
        let mut values = BTreeMap::new();
        let mut passed = false;
        let mut details = Vec::new();
        let mut failed = None;
        for current in targets {
            let env = Env {
                document,
                today: context.today,
                language: context.language,
                prior_invoices: context.prior_invoices,
                params: &self.params,
                confidence: &self.confidence,
                current,
                looked_at: RefCell::new(BTreeMap::new()),
            };
            let prefix = current.map(|spec| format!("{}: ", spec.name)).unwrap_or_default();
            match run_target(rule, &env) {
                Ok(Some(finding)) => findings.push(finding),
                Ok(None) => passed = true,
                Err(Stop::Failed(reason)) => failed = Some(format!("{prefix}{reason}")),
                Err(stop) => details.push(format!("{prefix}{}", stop.describe())),
            }
            values.append(&mut env.looked_at.into_inner());
        }
        let (outcome, detail) = if !findings.is_empty() {
            (RuleOutcome::Found, None)
        } else if let Some(reason) = failed {
            (RuleOutcome::Error, Some(reason))
        } else if passed {
            (RuleOutcome::Passed, None)
        } else {
            (RuleOutcome::NotApplicable, Some(details.join("; ")))
        };
        (findings, TraceEntry { rule: rule.id.clone(), outcome, values, detail })
    }
}

/// One rule on one target: `Ok(None)` passed, `Ok(Some)` found, `Err`
/// not applicable (a value missing) or failed.
fn run_target(rule: &CompiledRule, env: &Env) -> Result<Option<Finding>, Stop> {
    if let Some(when) = &rule.when
        && eval(when, env)? != Value::Bool(true)
    {
        return Err(Stop::Skipped("`when` is false".into()));
    }
    let (severity, fields, message): (Severity, Vec<String>, &Messages) = match &rule.body {
        Body::Check { check, severity, message } => {
            if eval(check, env)? == Value::Bool(true) {
                return Ok(None);
            }
            (*severity, default_fields(rule, env, &[]), message)
        }
        Body::Flag { list, severity, message } => {
            let Value::List(items) = eval(list, env)? else { return Ok(None) };
            if items.is_empty() {
                return Ok(None);
            }
            (*severity, items.iter().map(Value::to_string).collect(), message)
        }
        Body::Cases(cases) => {
            let mut hit = None;
            for case in cases {
                if eval(&case.condition, env)? == Value::Bool(true) {
                    hit = Some(case);
                    break;
                }
            }
            let Some(case) = hit else { return Ok(None) };
            (case.severity, default_fields(rule, env, &case.fields), &case.message)
        }
    };
    let related_documents = match &rule.link {
        Some(link) => match eval(link, env) {
            Ok(Value::Number(id)) => id.to_i64().into_iter().collect(),
            Ok(Value::List(ids)) => ids.iter().filter_map(|id| if let Value::Number(id) = id { id.to_i64() } else { None }).collect(),
            _ => vec![],
        },
        None => vec![],
    };
    Ok(Some(Finding { rule: rule.id.clone(), severity, queue: rule.queue, fields, message: message.pick(env.language).render(env), related_documents }))
}

fn default_fields(rule: &CompiledRule, env: &Env, case_fields: &[String]) -> Vec<String> {
    if let Some(current) = env.current {
        return vec![current.name.to_string()];
    }
    if !case_fields.is_empty() {
        return case_fields.to_vec();
    }
    rule.fields.clone()
}

