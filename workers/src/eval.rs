//! `tramite eval --corpus DIR`: scores extraction against a corpus's
//! `truth.jsonl` (one line per file: `file`, `kind`, `rendering`, `fields`
//! in the contract's normal form).
//!
//! It reports field accuracy by kind, by rendering and by field; silent
//! errors (a wrong value that was neither below the review confidence
//! threshold nor named by a rule finding, so nobody would have looked);
//! how often a field reported with confidence ≥ 0.9 is right; and speed.
//! With `fail_below`, the caller turns a drop in accuracy into a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tramite_pipeline::extract::ExtractOptions;
use tramite_pipeline::read::ocr::OcrEngine;

/// One line of `truth.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct TruthLine {
    pub file: String,
    pub kind: String,
    #[serde(default = "unknown_rendering")]
    pub rendering: String,
    pub fields: BTreeMap<String, serde_json::Value>,
}

fn unknown_rendering() -> String {
    "unknown".into()
}

/// Correct and total counts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Tally {
    pub correct: u64,
    pub total: u64,
}

impl Tally {
    fn add(&mut self, correct: bool) {
        self.total += 1;
        self.correct += u64::from(correct);
    }

    pub fn percent(&self) -> f64 {
        if self.total == 0 { 0.0 } else { 100.0 * self.correct as f64 / self.total as f64 }
    }
}

/// A wrong value nobody would have been asked to check.
#[derive(Debug, Clone, Serialize)]
pub struct SilentError {
    pub file: String,
    pub field: String,
    pub confidence: f32,
}

/// Everything `eval` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub corpus: String,
    pub documents: u64,
    pub failed_documents: u64,
    pub overall: Tally,
    pub by_kind: BTreeMap<String, Tally>,
    pub by_rendering: BTreeMap<String, Tally>,
    pub by_field: BTreeMap<String, Tally>,
    /// Fields reported with confidence ≥ 0.9: how many were right.
    pub confident: Tally,
    /// Present but wrong, whatever the confidence.
    pub wrong_fields: u64,
    pub silent_errors: Vec<SilentError>,
    pub seconds: f64,
    pub documents_per_second: f64,
    pub threads: usize,
}

impl EvalReport {
    pub fn silent_error_percent(&self) -> f64 {
        if self.overall.total == 0 { 0.0 } else { 100.0 * self.silent_errors.len() as f64 / self.overall.total as f64 }
    }
}

fn truth_value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Reads `DIR/truth.jsonl`, naming the line of any bad entry.
pub fn read_truth(corpus: &Path) -> Result<Vec<TruthLine>> {
    let path = corpus.join("truth.jsonl");
    let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}; a corpus folder needs a truth.jsonl", path.display()))?;
    let mut lines = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let truth: TruthLine = serde_json::from_str(line).with_context(|| format!("{} line {}: not a truth entry (needs file, kind, fields)", path.display(), number + 1))?;
        lines.push(truth);
    }
    if lines.is_empty() {
        bail!("{} holds no entries", path.display());
    }
    Ok(lines)
}

/// Runs extraction (and the rules, to know what they would flag) over the
/// corpus and scores it.
pub fn evaluate_corpus(
    corpus: &Path,
    ocr: &dyn OcrEngine,
    options: &ExtractOptions,
    rule_settings: &tramite_rules::RuleSettings,
    threads: usize,
) -> Result<EvalReport> {
    let truths = read_truth(corpus)?;
    let started = Instant::now();
    let files: Vec<(PathBuf, String)> = truths.iter().map(|truth| (corpus.join(&truth.file), truth.file.clone())).collect();
    let documents = crate::batch::extract_all(&files, ocr, options, threads);
    let seconds = started.elapsed().as_secs_f64();
    let mut report = EvalReport {
        corpus: corpus.display().to_string(),
        documents: truths.len() as u64,
        seconds,
        documents_per_second: truths.len() as f64 / seconds.max(1e-9),
        threads,
        ..EvalReport::default()
    };
    for (truth, document) in truths.iter().zip(&documents) {
        if document.error.is_some() {
            report.failed_documents += 1;
        }
        let evaluation = tramite_rules::evaluate(document, rule_settings);
        let flagged_by_rules: Vec<&str> = evaluation.findings.iter().flat_map(|finding| finding.fields.iter().map(String::as_str)).collect();
        for (name, expected) in &truth.fields {
            let expected = truth_value_text(expected);
            let found = document.fields.get(name);
            let correct = found.is_some_and(|field| field.value == expected);
            report.overall.add(correct);
            report.by_kind.entry(truth.kind.clone()).or_default().add(correct);
            report.by_rendering.entry(truth.rendering.clone()).or_default().add(correct);
            report.by_field.entry(name.clone()).or_default().add(correct);
            if let Some(field) = found {
                if field.confidence >= 0.9 {
                    report.confident.add(correct);
                }
                if !correct {
                    report.wrong_fields += 1;
                    let flagged = field.confidence < rule_settings.review_confidence_threshold || flagged_by_rules.contains(&name.as_str());
                    if !flagged {
                        report.silent_errors.push(SilentError { file: truth.file.clone(), field: name.clone(), confidence: field.confidence });
                    }
                }
            }
        }
    }
    Ok(report)
}

/// The report for people.
pub fn render_report(report: &EvalReport, show_fields: bool) -> String {
    use std::fmt::Write;
    let mut output = String::new();
    let line = |output: &mut String, label: &str, tally: &Tally| {
        let _ = writeln!(output, "  {label:<22} {:>6.1}%  ({}/{})", tally.percent(), tally.correct, tally.total);
    };
    let _ = writeln!(output, "corpus {}: {} documents ({} could not be read)", report.corpus, report.documents, report.failed_documents);
    line(&mut output, "all fields", &report.overall);
    let _ = writeln!(output, "by kind");
    for (kind, tally) in &report.by_kind {
        line(&mut output, kind, tally);
    }
    let _ = writeln!(output, "by rendering");
    for (rendering, tally) in &report.by_rendering {
        line(&mut output, rendering, tally);
    }
    if show_fields {
        let _ = writeln!(output, "by field");
        for (field, tally) in &report.by_field {
            line(&mut output, field, tally);
        }
    }
    let _ = writeln!(
        output,
        "wrong fields: {} · silent errors (wrong, confident, no rule fired): {} ({:.2}% of fields)",
        report.wrong_fields,
        report.silent_errors.len(),
        report.silent_error_percent()
    );
    let _ = writeln!(output, "confidence >= 0.9: {:.1}% right ({}/{})", report.confident.percent(), report.confident.correct, report.confident.total);
    let _ = writeln!(output, "speed: {:.2} documents/s on {} thread(s) ({:.1} s)", report.documents_per_second, report.threads, report.seconds);
    output
}
