//! Table-driven cases: documents described in TOML, each with the rule ids
//! it must raise (and, optionally, exact messages and linked documents),
//! run against a rule set. Pure: the loader reads the files.
//! The file format is documented in the crate documentation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, ExtractedField, LineItem};

use crate::pack::{rule_ids, RuleSet};
use crate::{EvaluationContext, Language, PriorInvoice};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCases {
    today: Option<String>,
    language: Option<String>,
    #[serde(default)]
    base: BTreeMap<String, RawDocument>,
    #[serde(default)]
    case: Vec<Spanned<RawCase>>,
}

#[derive(Deserialize, Clone, Default)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    kind: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    confidence: BTreeMap<String, f32>,
    lines: Option<Vec<RawLine>>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawLine {
    description: Option<String>,
    quantity: Option<String>,
    unit_price: Option<String>,
    amount: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrior {
    document_id: i64,
    supplier_tax_id: Option<String>,
    invoice_number: Option<String>,
    total: Option<String>,
    issue_date: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    base: Option<String>,
    kind: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    confidence: BTreeMap<String, f32>,
    lines: Option<Vec<RawLine>>,
    #[serde(default)]
    prior_invoices: Vec<RawPrior>,
    today: Option<String>,
    language: Option<String>,
    expect: Vec<String>,
    #[serde(default)]
    messages: BTreeMap<String, String>,
    #[serde(default)]
    links: BTreeMap<String, Vec<i64>>,
}

/// One case that did not turn out as expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFailure {
    pub case: String,
    /// The line of the case's `[[case]]` in the cases file.
    pub line: usize,
    pub problems: Vec<String>,
}

/// The outcome of running a cases file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseReport {
    pub pack: String,
    pub cases_file: String,
    pub total: usize,
    pub passed: usize,
    pub failures: Vec<CaseFailure>,
    /// Enabled rules no case of the file expects: not exercised here.
    pub rules_never_expected: Vec<String>,
    /// The pack or the cases file did not load: no case ran.
    pub error: Option<String>,
}

impl CaseReport {
    pub fn is_success(&self) -> bool {
        self.error.is_none() && self.failures.is_empty()
    }

    pub(crate) fn failed_to_load(pack: &str, cases_file: &str, error: String) -> CaseReport {
        CaseReport { pack: pack.to_string(), cases_file: cases_file.to_string(), error: Some(error), ..CaseReport::default() }
    }
}

impl fmt::Display for CaseReport {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(error) = &self.error {
            return writeln!(formatter, "cases {} against {}: not run: {error}", self.cases_file, self.pack);
        }
        writeln!(formatter, "cases {} against {}: {} passed, {} failed", self.cases_file, self.pack, self.passed, self.failures.len())?;
        for failure in &self.failures {
            writeln!(formatter, "FAILED {:?} ({}:{})", failure.case, self.cases_file, failure.line)?;
            for problem in &failure.problems {
                writeln!(formatter, "  - {problem}")?;
            }
        }
        if !self.rules_never_expected.is_empty() {
            writeln!(formatter, "note: no case expects {}", self.rules_never_expected.join(", "))?;
        }
        Ok(())
    }
}

fn parse_date(text: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| format!("{what} {text:?} is not a date YYYY-MM-DD"))
}

fn parse_kind(text: &str) -> Result<DocumentKind, String> {
    match text {
        "invoice" => Ok(DocumentKind::Invoice),
        "identity" => Ok(DocumentKind::Identity),
        "unknown" => Ok(DocumentKind::Unknown),
        other => Err(format!("unknown kind {other:?}: use invoice, identity or unknown")),
    }
}

/// Runs the cases of `text` (named `cases_file` in the report) against
/// `rules`.
pub fn run_cases_str(rules: &RuleSet, cases_file: &str, text: &str) -> CaseReport {
    let mut report = CaseReport { cases_file: cases_file.to_string(), ..CaseReport::default() };
    let raw: RawCases = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            let line = error.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1).unwrap_or(0);
            report.error = Some(format!("{cases_file}:{line}: not a valid cases file: {}", error.message().trim_end()));
            return report;
        }
    };
    let known_rules = rule_ids(rules);
    let mut expected_somewhere = BTreeSet::new();
    for spanned in &raw.case {
        let case = spanned.get_ref();
        let line = text[..spanned.span().start.min(text.len())].matches('\n').count() + 1;
        report.total += 1;
        expected_somewhere.extend(case.expect.iter().cloned());
        let problems = match run_case(rules, &known_rules, &raw, case) {
            Ok(problems) => problems,
            Err(problem) => vec![problem],
        };
        if problems.is_empty() {
            report.passed += 1;
        } else {
            report.failures.push(CaseFailure { case: case.name.clone(), line, problems });
        }
    }
    report.rules_never_expected = rules.rules.iter().filter(|rule| rule.enabled && !expected_somewhere.contains(&rule.id)).map(|rule| rule.id.clone()).collect();
    report
}

fn run_case(rules: &RuleSet, known_rules: &BTreeSet<String>, file: &RawCases, case: &RawCase) -> Result<Vec<String>, String> {
    let base = match &case.base {
        Some(name) => file.base.get(name).cloned().ok_or_else(|| format!("no [base.{name}] in the cases file"))?,
        None => RawDocument::default(),
    };
    let kind = parse_kind(case.kind.as_deref().or(base.kind.as_deref()).ok_or("the case has no `kind` (nor a base with one)")?)?;
    let mut values = base.fields.clone();
    values.extend(case.fields.clone());
    for name in &case.remove {
        if values.remove(name).is_none() {
            return Err(format!("`remove` names {name}, which the document does not have"));
        }
    }
    let mut confidence = base.confidence.clone();
    confidence.extend(case.confidence.clone());
    for name in values.keys().chain(confidence.keys()) {
        if crate::fields::field(name).is_none() {
            return Err(format!("unknown field {name}"));
        }
    }
    let fields = values
        .into_iter()
        .map(|(name, value)| {
            let field_confidence = confidence.get(&name).copied().unwrap_or(0.95);
            (name, ExtractedField { value, confidence: field_confidence, page: 1, bbox: None })
        })
        .collect();
    let lines = case.lines.clone().or(base.lines.clone()).unwrap_or_default();
    let document = ExtractedDocument {
        file: "case".into(),
        sha256: String::new(),
        kind,
        pages: 1,
        source: None,
        fields,
        line_items: lines.into_iter().map(|line| LineItem { description: line.description, quantity: line.quantity, unit_price: line.unit_price, amount: line.amount }).collect(),
        error: None,
    };
    let mut prior_invoices = Vec::new();
    for prior in &case.prior_invoices {
        prior_invoices.push(PriorInvoice {
            document_id: prior.document_id,
            supplier_tax_id: prior.supplier_tax_id.clone(),
            invoice_number: prior.invoice_number.clone(),
            total: prior.total.as_deref().map(|total| total.parse().map_err(|_| format!("prior invoice total {total:?} is not a decimal"))).transpose()?,
            issue_date: prior.issue_date.as_deref().map(|date| parse_date(date, "prior invoice issue_date")).transpose()?,
        });
    }
    let today = parse_date(case.today.as_deref().or(file.today.as_deref()).ok_or("no `today` for the case nor at the top of the file")?, "today")?;
    let language: Language = case.language.as_deref().or(file.language.as_deref()).unwrap_or("en").parse()?;
    for id in case.expect.iter().chain(case.messages.keys()).chain(case.links.keys()) {
        if !known_rules.contains(id) {
            return Err(format!("names rule {id}, which the pack does not have"));
        }
    }

    let evaluation = rules.evaluate(&document, &EvaluationContext { today, language, prior_invoices: &prior_invoices });
    let found: BTreeSet<&str> = evaluation.findings.iter().map(|finding| finding.rule.as_str()).collect();
    let expected: BTreeSet<&str> = case.expect.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    for id in expected.difference(&found) {
        let why = evaluation.trace.iter().find(|entry| entry.rule == *id).map(|entry| {
            let detail = entry.detail.as_deref().map(|detail| format!(": {detail}")).unwrap_or_default();
            format!("{:?}{detail}", entry.outcome).to_lowercase()
        });
        problems.push(format!("expected {id} to find something; it {}", why.unwrap_or_else(|| "did not run (disabled or another document kind)".into())));
    }
    for id in found.difference(&expected) {
        let messages: Vec<&str> = evaluation.findings.iter().filter(|finding| finding.rule == *id).map(|finding| finding.message.as_str()).collect();
        problems.push(format!("{id} found something unexpected: {}", messages.join(" | ")));
    }
    for (id, message) in &case.messages {
        let actual: Vec<&str> = evaluation.findings.iter().filter(|finding| &finding.rule == id).map(|finding| finding.message.as_str()).collect();
        if !actual.contains(&message.as_str()) {
            problems.push(format!("message of {id}:\n      expected {message:?}\n      got      {:?}", actual.join(" | ")));
        }
    }
    for (id, links) in &case.links {
        let actual: Vec<i64> = evaluation.findings.iter().filter(|finding| &finding.rule == id).flat_map(|finding| finding.related_documents.clone()).collect();
        if &actual != links {
            problems.push(format!("documents linked by {id}: expected {links:?}, got {actual:?}"));
        }
    }
    Ok(problems)
}
