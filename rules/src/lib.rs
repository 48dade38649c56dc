//! The rules engine: checks one extracted document and returns findings, each
//! routed to a review queue with a plain-language message in the client's
//! language, plus a trace of every rule evaluated (stored with the document so
//! a reviewer sees what fired and why). Pure: "today", the client's language and
//! the client's earlier invoices are inputs; the only I/O is the loader that
//! reads pack and case files ([`load_pack`], [`check_pack`], [`run_cases`],
//! [`PackHolder::reload`]).
//!
//! A document with no finding goes straight through (`approved`); any finding
//! sends it to `in_review`, one exception per finding.
//!
//! # Using it
//!
//! ```
//! use chrono::NaiveDate;
//! use tramite_rules::{EvaluationContext, Language, PriorInvoice, RuleSet};
//! # use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument};
//! # let document = ExtractedDocument { file: "a.pdf".into(), sha256: String::new(), kind: DocumentKind::Unknown,
//! #     pages: 1, source: None, fields: Default::default(), line_items: vec![], error: None };
//! let client_pack = r#"
//! [pack]
//! client = "acme"
//! version = 3
//!
//! [params]
//! rounding_tolerance = 0.05
//!
//! [override.bic_shape]
//! enabled = false
//! "#;
//! let rules = RuleSet::defaults().with_pack("packs/acme.toml", client_pack).unwrap();
//! let earlier: Vec<PriorInvoice> = vec![]; // the client's earlier invoices, looked up by the caller
//! let context = EvaluationContext { today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), language: Language::Spanish, prior_invoices: &earlier };
//! let evaluation = rules.evaluate(&document, &context);
//! assert_eq!(evaluation.findings[0].rule, "kind_recognised");
//! ```
//!
//! [`evaluate`] (the entry point the workers call today) runs the embedded
//! defaults with `tramite.toml`'s `[rules]` settings applied and no earlier
//! invoices. A running system that reloads packs keeps a [`PackHolder`]:
//! `holder.current()` is the rule set in force; `holder.reload(path)` swaps in
//! a new one atomically only if the file loads, and otherwise returns the
//! [`RulePackError`] and keeps the last good set.
//!
//! # Rule packs
//!
//! Rules are data: versioned TOML files an operator edits without recompiling.
//!
//! - **Job packs**, one per back-office job, ship in `rules/packs/`
//!   (`data_entry.toml`, `billing.toml`, `verification.toml`) and are embedded
//!   with `include_str!` as the defaults ([`RuleSet::defaults`]). Their header
//!   is `[pack] job = "billing"`; their rules go to that job's queue unless a
//!   rule names another.
//! - **Client packs** (`[pack] client = "acme"`) change the defaults for one
//!   client.
//!
//! ```toml
//! [pack]
//! job = "billing"              # or: client = "acme"
//! version = 1                  # a whole number, shown by `check_pack`
//! description = "Arithmetic in decimals, IBAN and BIC, duplicates"
//!
//! [params]                     # named constants the rules use
//! rounding_tolerance = 0.02    # a number, read exactly as written (a decimal)
//! duplicate_window_days = 7
//!
//! [confidence]                 # low-confidence thresholds (data_entry pack)
//! default = 0.7
//! mrz_valid = 0.9              # per field
//!
//! [[rule]]
//! id = "totals_add_up"
//! kinds = ["invoice"]          # invoice, identity, unknown; all when absent
//! queue = "billing"            # default: the job pack's queue
//! severity = "review"          # info, review (default), reject
//! let.tax = "has(tax_amount) ? tax_amount : 0"
//! let.difference = "abs_diff(total, subtotal + tax)"
//! when = "has(currency)"       # optional: false → the rule does not apply
//! check = "difference <= rounding_tolerance"   # must hold, else a finding
//! fields = ["total", "subtotal", "tax_amount"] # default: the fields read
//! message.en = "Total {total} {currency} ≠ subtotal {subtotal} + tax {tax} (diff {difference})"
//! message.es = "Total {total} {currency} ≠ base {subtotal} + IVA {tax} (dif. {difference})"
//! ```
//!
//! A rule has exactly one body:
//!
//! - `check = BOOL`: a finding when it is false;
//! - `flag = LIST<TEXT>`: a finding when the list is not empty; its items are
//!   the finding's fields (`flag = "missing(['invoice_number', 'total'])"`);
//! - `[[rule.case]]` tables, each with `if = BOOL`, optional `severity` and
//!   `fields`, and its own `message`: the first true case makes the finding
//!   (used for "expired → reject, expiring soon → review").
//!
//! Other keys: `for_each = ["supplier_tax_id", "customer_tax_id"]` runs the rule
//! once per listed field present (they must share a type), with `field` naming
//! the one at hand (`check = "valid_tax_id(field)"`); each failing field is
//! its own finding. `link = "earlier"` (a number or list of numbers) gives the
//! document ids a finding refers to ([`Finding::related_documents`]: the
//! earlier invoice a duplicate repeats). `let.NAME = EXPR` bindings may use one
//! another (cycles are rejected); they are usable in every expression and
//! message of the rule. `description` is free text; `enabled = false` keeps a
//! rule loaded but not evaluated.
//!
//! Every rule needs both an English (`en`) and a Spanish (`es`) message.
//!
//! ## How a client pack merges with the defaults
//!
//! 1. `[params]`: a param of the defaults may be given a new value of the same
//!    type (`rounding_tolerance = 0.05`); a new name declares a param for the
//!    client's own rules.
//! 2. `[confidence]`: each key replaces the default threshold or adds one for a
//!    field.
//! 3. `[override.RULE_ID]`: must name an existing rule (else: an error naming
//!    the closest id). Every key it sets replaces the rule's key (`enabled`,
//!    `severity`, `queue`, `kinds`, `when`, `fields`, `link`, `for_each`,
//!    `message` as a whole); `let` bindings merge by name; setting one of
//!    `check`, `flag` or `[[override.ID.case]]` replaces the rule's body (the
//!    others are dropped). `enabled = false` switches a rule off.
//! 4. `[[rule]]`: adds a rule; its id must be new (changing a default is an
//!    override, so a typo cannot silently add a second rule) and it must name
//!    its `queue`. Added rules run after the defaults.
//!
//! The merged rules are compiled again as a whole, so an override is checked
//! with the same rigour as a default rule. Loading a *job* pack file instead
//! (e.g. an operator's edited copy of `billing.toml`) replaces the default
//! pack of that job entirely. One client pack is in force at a time; a job
//! pack and a client pack can be stacked with [`RuleSet::with_pack`].
//! `tramite.toml`'s `[rules]` settings apply before both
//! ([`RuleSet::with_settings`]: `rounding_tolerance`, `expiry_warning_days`,
//! the default confidence threshold).
//!
//! ## Load-time errors
//!
//! A pack that does not parse, names an unknown field, param, let or function,
//! calls a function with the wrong argument types, compares a date with a
//! number, has a `check` that is not a bool, repeats or misspells a rule id, or
//! changes a param's type is rejected when it is loaded: [`RulePackError`]
//! carries the file, line, column and reason (`acme.toml:8:10: rule big_total:
//! unknown name `totl`: not a document field, a param or a let; did you mean
//! `total`?`). Nothing about a pack can fail at evaluation time except a
//! computation (a division by zero, `date('x')`): the trace records `error`
//! with the reason, and no finding.
//!
//! # The condition language
//!
//! Expressions have a CEL-like syntax (as in Kubernetes validation rules) and a
//! static type system checked at load. Types: `bool`, `number` (a
//! `rust_decimal` decimal: amounts are never floats, `0.1 + 0.2 == 0.3`),
//! `text`, `date`, `list<T>`.
//!
//! - literals: `12`, `0.02`, `'EUR'` or `"EUR"`, `true`, `false`, `['EUR', 'USD']`;
//! - operators, loosest first: `c ? a : b`; `||`; `&&`; `== != < <= > >= in`;
//!   `+ -` (`+` also joins texts); `* /`; unary `! -`. `&&`, `||` and `? :`
//!   evaluate only what they need (`has(x) && x > 0`);
//! - names: the document's fields (the contract's, plus `bic` and the visual
//!   zone's `visual_surname`, `visual_given_names`, `visual_birth_date`,
//!   `visual_expiry_date`), each typed by its normal form (amounts and
//!   `tax_rate` are numbers, dates are dates, `mrz_valid` a bool); params;
//!   lets; `field` in a `for_each` rule.
//!
//! A rule that reads a field the document lacks (or has in a form that does
//! not parse) does not apply: its trace says which field (`subtotal is
//! absent`). Use `has(field)` to give a default (`has(x) ? x : 0`).
//!
//! Functions:
//!
//! | function | returns |
//! |---|---|
//! | `has(f)`, `confidence(f)`, `label(f)` | field present; its confidence; its name in the client's language |
//! | `missing(['a', 'b'])` | the listed fields the document lacks |
//! | `low_confidence_fields()` | fields below their `[confidence]` threshold |
//! | `malformed_fields()` | fields not in the contract's normal form (dates that do not exist, `1.234,56`) |
//! | `valid_iban(t)`, `iban_problem(t)` | ISO 13616 length and MOD 97-10; the reason, or `''` |
//! | `valid_bic(t)` | ISO 9362 shape |
//! | `valid_tax_id(t)`, `valid_tax_id(t, country)` | Spanish NIF/NIE/CIF, EU VAT shapes, GB VAT, Colombian NIT and Mexican RFC (with `'CO'`/`'MX'`), US EIN; an id of no known scheme is not judged (true) |
//! | `tax_id_problem(t[, country])`, `tax_id_scheme(t[, country])` | the reason, or `''`; `spanish_nif`, `eu_vat`, … |
//! | `valid_dni(t)` | a Spanish DNI or NIE whose letter matches its digits |
//! | `dec(t)`, `abs(n)`, `abs_diff(a, b)`, `min`, `max`, `round(n, places)` | decimal arithmetic; `round` is half away from zero |
//! | `sum_lines('amount')`, `line_count()` | sum of a line-item column (`amount`, `quantity`, `unit_price`); absent if any line lacks it |
//! | `date(t)`, `today()`, `days_between(a, b)`, `add_days(d, n)`, `age_years(birth)` | dates; `days_between` is `b − a` in days; whole years at `today` |
//! | `matches(t, 'regex')`, `upper(t)`, `size(t or list)` | the pattern is a literal, compiled at load |
//! | `fold(t)`, `same_name(a, b)` | names accent-folded and case-insensitive, as an MRZ writes them (`Núñez` = `NUNEZ`; `Müller` = `MUELLER` or `MULLER`) |
//! | `prior_same_number()` | ids of earlier invoices with the same supplier tax id (with or without a VAT country prefix) and invoice number (letters and digits only compared) |
//! | `prior_same_amount(days)` | ids of earlier invoices of the same supplier and total, issued within `days`, with another number |
//!
//! ## Message templates
//!
//! Text with `{expression}` placeholders: numbers print as amounts in the
//! language's way (`1.240,00` / `1,240.00`), dates as `15/03/2026` /
//! `2026-03-15`, lists joined with `, `. A format after a colon changes that:
//! `{days_left:int}` (`12`), `{tax_rate:percent}` (`21%`, `10,5%`),
//! `{total:plain}` (as stored). `{?condition: text with {placeholders}}`
//! prints its text only when the condition holds (`{?withholding != 0: −
//! retención {withholding}}`). `{{` and `}}` are literal braces. A placeholder
//! that cannot be computed prints nothing.
//!
//! # Why a hand-written language, not CEL or evalexpr
//!
//! - `cel` (the `cel-interpreter` crate, renamed `cel` from 0.11; 0.15 is
//!   current and maintained by the cel-rust organisation) builds with rustc
//!   1.95 here (about a minute from scratch: an ANTLR runtime, `nom`,
//!   `chrono-tz`). But it has no type checker: an unknown name or function,
//!   or `total > issue_date`, is found only when a document is evaluated,
//!   and a pack must be rejected at load. CEL also has no decimal type:
//!   `0.02` is a double, which the back office cannot accept for amounts. We
//!   would have written a checker over its AST and an opaque decimal type with
//!   overloaded operators, and still have float literals to forbid.
//! - `evalexpr` (13.x) is AGPL-3.0-only since version 12, which an Apache-2.0
//!   project cannot ship, and is dynamically typed with floats.
//! - So the crate has its own small language (`lang/`: a lexer and
//!   precedence-climbing parser of a CEL-shaped subset, ~400 lines; a type
//!   checker that resolves every name and function at load; an evaluator over
//!   decimals). It keeps CEL's syntax so rules read the same to anyone who knows
//!   CEL, has decimals and dates as first-class types, reports errors at the
//!   exact line of the pack, and adds no dependency.
//!
//! # Table-driven cases
//!
//! [`run_cases`] runs a cases file against a pack (loaded over the defaults,
//! like [`load_pack`]) and returns a [`CaseReport`] whose `Display` lists
//! every failure with its line, and the rules no case expects. The shipped
//! packs' cases are in `rules/packs/cases/`.
//!
//! ```toml
//! today = "2026-11-23"          # default for every case
//! language = "en"               # default for every case
//!
//! [base.invoice]                # a document cases start from
//! kind = "invoice"
//! fields = { invoice_number = "2026-0042", total = "1210.00" }
//! lines = [{ amount = "1000.00" }]
//!
//! [[case]]
//! name = "a total that does not add up"
//! base = "invoice"
//! fields = { total = "1240.00" }   # added or replaced
//! remove = ["iban"]                # fields dropped from the base
//! confidence = { total = 0.4 }     # the others are 0.95
//! prior_invoices = [{ document_id = 17, supplier_tax_id = "B65410011", invoice_number = "7", total = "1210.00", issue_date = "2026-03-15" }]
//! expect = ["totals_add_up"]       # exactly these rules find something
//! messages = { totals_add_up = "Total 1,240.00 EUR ≠ ..." }   # optional, exact
//! links = { duplicate_invoice_number = [17] }                # optional
//! ```

mod cases;
mod engine;
mod fields;
mod lang;
mod loader;
mod message;
mod pack;
mod template;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::lifecycle::ReviewQueue;

pub use cases::{run_cases_str, CaseFailure, CaseReport};
pub use loader::{check_pack, load_pack, run_cases, PackHolder};
pub use message::Language;
pub use pack::{ConfidenceThresholds, PackKind, PackSummary, RuleOrigin, RulePackError, RuleSet, RuleSummary, DEFAULT_PACKS};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; does not stop the document.
    Info,
    /// A person must look before it goes on.
    Review,
    /// Should be rejected unless a person decides otherwise.
    Reject,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Review => "review",
            Severity::Reject => "reject",
        }
    }
}

/// One problem found on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The id of the rule that found it (`totals_add_up`).
    pub rule: String,
    pub severity: Severity,
    pub queue: ReviewQueue,
    /// The fields involved, so the reviewer page can highlight them.
    pub fields: Vec<String>,
    /// What is wrong, in plain words, in the client's language.
    pub message: String,
    /// Other documents the finding is about: the earlier invoice a
    /// duplicate repeats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_documents: Vec<i64>,
}

/// What a rule concluded, for the trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Passed,
    Found,
    /// The rule did not apply: a value it needs is absent or not in its
    /// normal form (e.g. no subtotal printed to check), or its `when` is
    /// false.
    NotApplicable,
    /// The rule could not be computed (a division by zero, a text `date()`
    /// cannot read): a fault of the rule, said in `detail`.
    Error,
}

/// One rule evaluated on one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    pub rule: String,
    pub outcome: RuleOutcome,
    /// The fields and params the rule looked at, with their values
    /// (`(absent)` for a field the document does not have).
    pub values: BTreeMap<String, String>,
    /// Why a rule did not apply or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Settings of the engine from `tramite.toml` (`[rules]`): they replace the
/// default packs' `rounding_tolerance` and `expiry_warning_days` params and
/// the default confidence threshold (see [`RuleSet::with_settings`]).
#[derive(Debug, Clone)]
pub struct RuleSettings {
    pub today: NaiveDate,
    pub language: Language,
    /// Fields below this confidence go to `data_entry`.
    pub review_confidence_threshold: f32,
    /// Largest difference tolerated in arithmetic checks (rounding).
    pub rounding_tolerance: Decimal,
    /// An identity document expiring within this many days is flagged.
    pub expiry_warning_days: i64,
}

impl RuleSettings {
    pub fn new(today: NaiveDate) -> Self {
        RuleSettings { today, language: Language::English, review_confidence_threshold: 0.7, rounding_tolerance: Decimal::new(2, 2), expiry_warning_days: 30 }
    }
}

/// An invoice the client sent before, for the duplicate checks. The engine
/// does no I/O: the caller looks these up (same client, e.g. the last
/// months) and passes them in. Fields the earlier extraction did not find
/// are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorInvoice {
    pub document_id: i64,
    pub supplier_tax_id: Option<String>,
    pub invoice_number: Option<String>,
    pub total: Option<Decimal>,
    pub issue_date: Option<NaiveDate>,
}

/// What an evaluation needs besides the document and the rules.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationContext<'a> {
    /// "Today" is an input: the engine never reads the clock.
    pub today: NaiveDate,
    /// The client's language, for messages.
    pub language: Language,
    /// The client's earlier invoices (excluding this document).
    pub prior_invoices: &'a [PriorInvoice],
}

impl EvaluationContext<'static> {
    /// English, no earlier invoices.
    pub fn new(today: NaiveDate) -> Self {
        EvaluationContext { today, language: Language::English, prior_invoices: &[] }
    }
}

/// The findings and trace of one evaluation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub trace: Vec<TraceEntry>,
}

impl Evaluation {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Runs the embedded default packs, with `settings` applied, on one
/// document (no earlier invoices: the duplicate rules do not apply).
pub fn evaluate(document: &ExtractedDocument, settings: &RuleSettings) -> Evaluation {
    let context = EvaluationContext { today: settings.today, language: settings.language, prior_invoices: &[] };
    RuleSet::defaults().with_settings(settings).evaluate(document, &context)
}
