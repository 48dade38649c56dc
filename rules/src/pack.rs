//! Rule packs: TOML files parsed, merged (defaults, a replaced job pack, a
//! client pack) and compiled into a [`RuleSet`]. Pure: texts in, rule sets
//! or errors out. Reading files is `loader`'s job.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, LazyLock};

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;
use tramite_pipeline::extraction::DocumentKind;
use tramite_pipeline::lifecycle::ReviewQueue;

use crate::fields::{self, FieldSpec};
use crate::lang::compile::{suggestion, CompileError, Compiler, LetSource, Origin, FUNCTION_NAMES};
use crate::lang::{Node, Type, Value};
use crate::template::Template;
use crate::{RuleSettings, Severity};

/// The packs shipped in the repository, embedded as the defaults: one per
/// back-office job, evaluated in this order.
pub const DEFAULT_PACKS: [(&str, &str); 3] = [
    ("rules/packs/data_entry.toml", include_str!("../packs/data_entry.toml")),
    ("rules/packs/billing.toml", include_str!("../packs/billing.toml")),
    ("rules/packs/verification.toml", include_str!("../packs/verification.toml")),
];

/// Why a pack was rejected: the file, the line (1-based; 0 when the whole
/// file is concerned, e.g. it cannot be read) and column, and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePackError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub reason: String,
}

impl fmt::Display for RulePackError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(formatter, "{}: {}", self.file, self.reason)
        } else {
            write!(formatter, "{}:{}:{}: {}", self.file, self.line, self.column, self.reason)
        }
    }
}

impl std::error::Error for RulePackError {}

/// One pack file's text and the name it is reported under.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: String,
    pub text: String,
}

impl Source {
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map(|tail| tail.chars().count()).unwrap_or(0) + 1;
        (line, column)
    }

    fn error(&self, offset: usize, reason: impl Into<String>) -> RulePackError {
        let (line, column) = self.position(offset);
        RulePackError { file: self.file.clone(), line, column, reason: reason.into() }
    }

    /// Where a spanned string's content starts (past its opening quote).
    fn content_start(&self, span: &std::ops::Range<usize>) -> usize {
        let rest = &self.text[span.start.min(self.text.len())..];
        if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            let after = span.start + 3;
            if self.text[after..].starts_with("\r\n") {
                after + 2
            } else if self.text[after..].starts_with('\n') {
                after + 1
            } else {
                after
            }
        } else if rest.starts_with('"') || rest.starts_with('\'') {
            span.start + 1
        } else {
            span.start
        }
    }
}

// ---------------------------------------------------------------------------
// The file format, as serde reads it.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: Spanned<RawHeader>,
    #[serde(default)]
    params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    confidence: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default, rename = "override")]
    overrides: BTreeMap<Spanned<String>, Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    job: Option<Spanned<String>>,
    client: Option<Spanned<String>>,
    version: Spanned<i64>,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<Spanned<String>>,
    description: Option<String>,
    enabled: Option<bool>,
    kinds: Option<Spanned<Vec<String>>>,
    queue: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    for_each: Option<Spanned<Vec<String>>>,
    #[serde(default, rename = "let")]
    lets: BTreeMap<String, Spanned<String>>,
    when: Option<Spanned<String>>,
    check: Option<Spanned<String>>,
    flag: Option<Spanned<String>>,
    link: Option<Spanned<String>>,
    fields: Option<Spanned<Vec<String>>>,
    message: Option<Spanned<RawMessage>>,
    case: Option<Vec<Spanned<RawCase>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessage {
    en: Spanned<String>,
    es: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    #[serde(rename = "if")]
    condition: Spanned<String>,
    severity: Option<Spanned<String>>,
    fields: Option<Spanned<Vec<String>>>,
    message: Spanned<RawMessage>,
}

// ---------------------------------------------------------------------------
// Located definitions: what a file says, each piece with where it was said,
// so that merged rules still report errors in the right file.

#[derive(Debug, Clone)]
struct Located<T> {
    value: T,
    at: Origin,
}

#[derive(Debug, Clone)]
struct MessageDef {
    en: Located<String>,
    es: Located<String>,
}

#[derive(Debug, Clone)]
struct CaseDef {
    condition: Located<String>,
    severity: Option<Located<String>>,
    fields: Option<Located<Vec<String>>>,
    message: MessageDef,
}

#[derive(Debug, Clone, Default)]
struct RuleDef {
    id: String,
    at: Option<Origin>,
    description: Option<String>,
    enabled: Option<bool>,
    kinds: Option<Located<Vec<String>>>,
    queue: Option<Located<String>>,
    severity: Option<Located<String>>,
    for_each: Option<Located<Vec<String>>>,
    lets: BTreeMap<String, Located<String>>,
    when: Option<Located<String>>,
    check: Option<Located<String>>,
    flag: Option<Located<String>>,
    link: Option<Located<String>>,
    fields: Option<Located<Vec<String>>>,
    message: Option<MessageDef>,
    cases: Option<Vec<CaseDef>>,
}

/// What a pack file is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackKind {
    /// A default pack of one back-office job (`data_entry`, `billing`,
    /// `verification`); loading one replaces the default of that job.
    Job(ReviewQueue),
    /// A client's changes over the defaults.
    Client(String),
}

impl fmt::Display for PackKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackKind::Job(queue) => write!(formatter, "job pack {}", queue.as_str()),
            PackKind::Client(client) => write!(formatter, "client pack {client}"),
        }
    }
}

#[derive(Debug, Clone)]
struct PackDef {
    kind: PackKind,
    version: i64,
    description: Option<String>,
    source: usize,
    params: Vec<(String, Value, Origin)>,
    confidence: Vec<(String, Decimal, Origin)>,
    rules: Vec<RuleDef>,
    overrides: Vec<RuleDef>,
}

fn locate<T: Clone>(spanned: &Spanned<T>, source: usize, text: &Source) -> Located<T> {
    Located { value: spanned.get_ref().clone(), at: Origin { source, offset: text.content_start(&spanned.span()) } }
}

fn locate_rule(raw: &RawRule, span_start: usize, source: usize, text: &Source) -> RuleDef {
    let loc_str = |value: &Option<Spanned<String>>| value.as_ref().map(|spanned| locate(spanned, source, text));
    let loc_list = |value: &Option<Spanned<Vec<String>>>| value.as_ref().map(|spanned| locate(spanned, source, text));
    let message = |raw: &Spanned<RawMessage>| MessageDef { en: locate(&raw.get_ref().en, source, text), es: locate(&raw.get_ref().es, source, text) };
    RuleDef {
        id: raw.id.as_ref().map(|id| id.get_ref().clone()).unwrap_or_default(),
        at: Some(Origin { source, offset: raw.id.as_ref().map(|id| id.span().start).unwrap_or(span_start) }),
        description: raw.description.clone(),
        enabled: raw.enabled,
        kinds: loc_list(&raw.kinds),
        queue: loc_str(&raw.queue),
        severity: loc_str(&raw.severity),
        for_each: loc_list(&raw.for_each),
        lets: raw.lets.iter().map(|(name, value)| (name.clone(), locate(value, source, text))).collect(),
        when: loc_str(&raw.when),
        check: loc_str(&raw.check),
        flag: loc_str(&raw.flag),
        link: loc_str(&raw.link),
        fields: loc_list(&raw.fields),
        message: raw.message.as_ref().map(message),
        cases: raw.case.as_ref().map(|cases| {
            cases
                .iter()
                .map(|case| {
                    let case = case.get_ref();
                    CaseDef {
                        condition: locate(&case.condition, source, text),
                        severity: case.severity.as_ref().map(|severity| locate(severity, source, text)),
                        fields: case.fields.as_ref().map(|fields| locate(fields, source, text)),
                        message: message(&case.message),
                    }
                })
                .collect()
        }),
    }
}

/// A TOML number read exactly as written (`0.02` is the decimal 0.02, not
/// the float nearest to it).
fn toml_decimal(value: &Spanned<toml::Value>, source: &Source) -> Option<Decimal> {
    match value.get_ref() {
        toml::Value::Integer(integer) => Some(Decimal::from(*integer)),
        toml::Value::Float(_) => {
            let written: String = source.text.get(value.span())?.chars().filter(|c| *c != '_').collect();
            written.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(&written).ok())
        }
        _ => None,
    }
}

fn parse_pack(source_index: usize, source: &Source) -> Result<PackDef, RulePackError> {
    let raw: RawPack = toml::from_str(&source.text).map_err(|error| {
        let offset = error.span().map(|span| span.start).unwrap_or(0);
        source.error(offset, format!("not a valid pack: {}", error.message().trim_end()))
    })?;
    let header = raw.pack.get_ref();
    let kind = match (&header.job, &header.client) {
        (Some(job), None) => {
            let queue = job.get_ref().parse::<ReviewQueue>().map_err(|_| source.error(job.span().start, format!("unknown job {:?}: a job pack is one of data_entry, billing, verification", job.get_ref())))?;
            PackKind::Job(queue)
        }
        (None, Some(client)) => {
            if client.get_ref().trim().is_empty() {
                return Err(source.error(client.span().start, "the client name is empty"));
            }
            PackKind::Client(client.get_ref().clone())
        }
        _ => return Err(source.error(raw.pack.span().start, "[pack] needs exactly one of `job = \"billing\"` (a default pack) or `client = \"acme\"` (a client's changes)")),
    };
    if *header.version.get_ref() < 1 {
        return Err(source.error(header.version.span().start, "the pack version is a whole number from 1 up"));
    }
    let mut params = Vec::new();
    for (name, value) in &raw.params {
        let at = Origin { source: source_index, offset: value.span().start };
        let typed = match value.get_ref() {
            toml::Value::Integer(_) | toml::Value::Float(_) => Value::Number(toml_decimal(value, source).ok_or_else(|| source.error(value.span().start, format!("param {}: not a decimal number", name.get_ref())))?),
            toml::Value::String(text) => Value::Text(text.clone()),
            toml::Value::Boolean(flag) => Value::Bool(*flag),
            other => return Err(source.error(value.span().start, format!("param {}: a param is a number, a text or a bool, not a {}", name.get_ref(), other.type_str()))),
        };
        params.push((name.get_ref().clone(), typed, at));
    }
    let mut confidence = Vec::new();
    for (name, value) in &raw.confidence {
        let at = Origin { source: source_index, offset: name.span().start };
        if name.get_ref() != "default" && fields::field(name.get_ref()).is_none() {
            let candidates: Vec<&str> = fields::FIELDS.iter().map(|field| field.name).chain(["default"]).collect();
            return Err(source.error(name.span().start, format!("[confidence]: unknown field `{}`{}", name.get_ref(), suggestion(name.get_ref(), &candidates))));
        }
        let threshold = toml_decimal(value, source).filter(|threshold| *threshold >= Decimal::ZERO && *threshold <= Decimal::ONE);
        let threshold = threshold.ok_or_else(|| source.error(value.span().start, format!("[confidence] {}: a threshold is a number from 0 to 1", name.get_ref())))?;
        confidence.push((name.get_ref().clone(), threshold, at));
    }
    let rules: Vec<RuleDef> = raw.rule.iter().map(|rule| locate_rule(rule.get_ref(), rule.span().start, source_index, source)).collect();
    for (rule, raw_rule) in rules.iter().zip(&raw.rule) {
        if raw_rule.get_ref().id.is_none() {
            return Err(source.error(raw_rule.span().start, "every [[rule]] needs an `id`"));
        }
        let id_at = raw_rule.get_ref().id.as_ref().map(|id| id.span().start).unwrap_or(0);
        if !valid_id(&rule.id) {
            return Err(source.error(id_at, format!("rule id {:?}: use lowercase letters, digits and `_`, starting with a letter", rule.id)));
        }
    }
    let mut overrides = Vec::new();
    for (id, raw_override) in &raw.overrides {
        if matches!(kind, PackKind::Job(_)) {
            return Err(source.error(id.span().start, "[override.*] belongs in a client pack; a job pack defines its rules with [[rule]]"));
        }
        if raw_override.get_ref().id.is_some() {
            return Err(source.error(raw_override.span().start, "an [override.ID] names its rule in the table name; drop `id`"));
        }
        let mut rule = locate_rule(raw_override.get_ref(), raw_override.span().start, source_index, source);
        rule.id = id.get_ref().clone();
        rule.at = Some(Origin { source: source_index, offset: id.span().start });
        overrides.push(rule);
    }
    Ok(PackDef { kind, version: *header.version.get_ref(), description: header.description.clone(), source: source_index, params, confidence, rules, overrides })
}

fn valid_id(id: &str) -> bool {
    id.bytes().next().is_some_and(|b| b.is_ascii_lowercase()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

// ---------------------------------------------------------------------------
// Compiled rules.

/// Per-field confidence thresholds: a field read with less confidence than
/// its threshold is doubtful.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidenceThresholds {
    pub default: Decimal,
    pub per_field: BTreeMap<String, Decimal>,
}

impl ConfidenceThresholds {
    pub fn for_field(&self, name: &str) -> Decimal {
        self.per_field.get(name).copied().unwrap_or(self.default)
    }
}

/// Where an effective rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOrigin {
    /// As its job pack defines it.
    Default,
    /// Changed by the client pack (`[override.ID]`).
    Changed,
    /// Added by the client pack.
    Added,
}

impl RuleOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleOrigin::Default => "default",
            RuleOrigin::Changed => "changed by client",
            RuleOrigin::Added => "added by client",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Messages {
    pub en: Template,
    pub es: Template,
}

impl Messages {
    pub fn pick(&self, language: crate::Language) -> &Template {
        match language {
            crate::Language::English => &self.en,
            crate::Language::Spanish => &self.es,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledCase {
    pub condition: Node,
    pub severity: Severity,
    pub fields: Vec<String>,
    pub message: Messages,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// A finding when `check` is false.
    Check { check: Node, severity: Severity, message: Messages },
    /// A finding when the list is not empty; its items are the fields.
    Flag { list: Node, severity: Severity, message: Messages },
    /// The first case whose `if` is true makes the finding.
    Cases(Vec<CompiledCase>),
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub id: String,
    pub pack: String,
    pub origin: RuleOrigin,
    pub enabled: bool,
    pub kinds: Vec<DocumentKind>,
    pub queue: ReviewQueue,
    pub for_each: Vec<&'static FieldSpec>,
    pub when: Option<Node>,
    pub body: Body,
    pub fields: Vec<String>,
    pub link: Option<Node>,
}

/// The rules in force: the job packs (embedded defaults, one of them maybe
/// replaced by a file) and at most one client pack, merged and compiled.
/// Cheap to clone.
#[derive(Debug, Clone)]
pub struct RuleSet {
    sources: Arc<Vec<Source>>,
    jobs: Arc<Vec<PackDef>>,
    client: Option<Arc<PackDef>>,
    pub(crate) rules: Arc<Vec<CompiledRule>>,
    pub(crate) params: BTreeMap<String, Value>,
    pub(crate) confidence: ConfidenceThresholds,
    /// `tramite.toml`'s settings: applied over the job packs and under the
    /// client pack, and kept when another pack is applied.
    settings: SettingsOverrides,
}

#[derive(Debug, Clone, Default, PartialEq)]
struct SettingsOverrides {
    params: BTreeMap<String, Value>,
    confidence_default: Option<Decimal>,
}

static DEFAULTS: LazyLock<RuleSet> = LazyLock::new(|| {
    let sources: Vec<Source> = DEFAULT_PACKS.iter().map(|(file, text)| Source { file: file.to_string(), text: text.to_string() }).collect();
    let jobs = sources.iter().enumerate().map(|(index, source)| parse_pack(index, source)).collect::<Result<Vec<_>, _>>();
    let jobs = jobs.unwrap_or_else(|error| panic!("an embedded default pack does not load: {error}"));
    build(sources, jobs, None, SettingsOverrides::default()).unwrap_or_else(|error| panic!("the embedded default packs do not load: {error}"))
});

impl RuleSet {
    /// The embedded default packs (`rules/packs/*.toml`).
    pub fn defaults() -> &'static RuleSet {
        &DEFAULTS
    }

    /// This rule set with one more pack file applied: a job pack replaces
    /// the pack of its job, a client pack is merged over the job packs
    /// (replacing any earlier client pack). `file` names the text in errors.
    pub fn with_pack(&self, file: &str, text: &str) -> Result<RuleSet, RulePackError> {
        let mut sources: Vec<Source> = self.sources.as_ref().clone();
        let index = sources.len();
        sources.push(Source { file: file.to_string(), text: text.to_string() });
        let pack = parse_pack(index, &sources[index])?;
        let mut jobs: Vec<PackDef> = self.jobs.as_ref().clone();
        let mut client = self.client.as_deref().cloned();
        match &pack.kind {
            PackKind::Job(queue) => match jobs.iter_mut().find(|job| job.kind == PackKind::Job(*queue)) {
                Some(slot) => *slot = pack,
                None => jobs.push(pack),
            },
            PackKind::Client(_) => client = Some(pack),
        }
        build(sources, jobs, client, self.settings.clone())
    }

    /// This rule set with the engine settings of `tramite.toml` applied:
    /// `rounding_tolerance` and `expiry_warning_days` replace the job packs'
    /// params of those names, `review_confidence_threshold` the default
    /// confidence threshold. A client pack applied afterwards (with
    /// [`RuleSet::with_pack`]) still wins over them; one applied before is
    /// overruled, so apply settings first.
    pub fn with_settings(&self, settings: &RuleSettings) -> RuleSet {
        let mut rules = self.clone();
        let candidates = [
            ("rounding_tolerance", Value::Number(settings.rounding_tolerance)),
            ("expiry_warning_days", Value::Number(Decimal::from(settings.expiry_warning_days))),
        ];
        for (name, value) in candidates {
            if rules.params.get(name).is_some_and(|existing| existing.ty() == value.ty()) {
                rules.params.insert(name.to_string(), value.clone());
                rules.settings.params.insert(name.to_string(), value);
            }
        }
        let threshold = crate::lang::eval::confidence_decimal(settings.review_confidence_threshold);
        rules.confidence.default = threshold;
        rules.settings.confidence_default = Some(threshold);
        rules
    }

    /// A param's current value, as text.
    pub fn param(&self, name: &str) -> Option<String> {
        self.params.get(name).map(Value::to_string)
    }

    /// The effective rules, in evaluation order.
    pub fn rule_ids(&self) -> Vec<String> {
        self.rules.iter().map(|rule| rule.id.clone()).collect()
    }

    /// A summary of what this rule set holds; `file` and `kind` describe the
    /// pack last applied.
    pub fn summary(&self) -> PackSummary {
        let last = self.client.as_deref().or_else(|| self.jobs.iter().max_by_key(|job| job.source));
        let (file, kind, version, description) = match last {
            Some(pack) => (self.sources[pack.source].file.clone(), pack.kind.clone(), pack.version, pack.description.clone()),
            None => (String::new(), PackKind::Client(String::new()), 0, None),
        };
        PackSummary {
            file,
            kind,
            version,
            description,
            packs: self
                .jobs
                .iter()
                .chain(self.client.as_deref())
                .map(|pack| format!("{} v{} ({})", pack.kind, pack.version, self.sources[pack.source].file))
                .collect(),
            rules: self
                .rules
                .iter()
                .map(|rule| RuleSummary { id: rule.id.clone(), pack: rule.pack.clone(), queue: rule.queue, enabled: rule.enabled, origin: rule.origin })
                .collect(),
            params: self.params.iter().map(|(name, value)| (name.clone(), value.to_string())).collect(),
            confidence_default: self.confidence.default.to_string(),
            confidence_per_field: self.confidence.per_field.iter().map(|(name, value)| (name.clone(), value.to_string())).collect(),
        }
    }
}

/// What `check_pack` reports about a pack that loads.
#[derive(Debug, Clone, PartialEq)]
pub struct PackSummary {
    pub file: String,
    pub kind: PackKind,
    pub version: i64,
    pub description: Option<String>,
    /// Every pack in force, in order: the job packs, then the client pack.
    pub packs: Vec<String>,
    pub rules: Vec<RuleSummary>,
    pub params: BTreeMap<String, String>,
    pub confidence_default: String,
    pub confidence_per_field: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSummary {
    pub id: String,
    /// The job or client pack that defines it.
    pub pack: String,
    pub queue: ReviewQueue,
    pub enabled: bool,
    pub origin: RuleOrigin,
}

impl fmt::Display for PackSummary {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(formatter, "{}: {} version {} loads", self.file, self.kind, self.version)?;
        for pack in &self.packs {
            writeln!(formatter, "  pack   {pack}")?;
        }
        let enabled = self.rules.iter().filter(|rule| rule.enabled).count();
        writeln!(formatter, "  {} rules ({enabled} enabled):", self.rules.len())?;
        for rule in &self.rules {
            let state = if rule.enabled { "" } else { "  [off]" };
            let origin = if rule.origin == RuleOrigin::Default { String::new() } else { format!("  ({})", rule.origin.as_str()) };
            writeln!(formatter, "    {:<32} {:<13} {}{state}{origin}", rule.id, rule.queue.as_str(), rule.pack)?;
        }
        writeln!(formatter, "  params:")?;
        for (name, value) in &self.params {
            writeln!(formatter, "    {name} = {value}")?;
        }
        write!(formatter, "  confidence: default {}", self.confidence_default)?;
        for (name, value) in &self.confidence_per_field {
            write!(formatter, ", {name} {value}")?;
        }
        writeln!(formatter)
    }
}

// ---------------------------------------------------------------------------
// Merging and compiling.

struct Ctx<'a> {
    sources: &'a [Source],
}

impl Ctx<'_> {
    fn error_at(&self, at: Origin, reason: impl Into<String>) -> RulePackError {
        self.sources[at.source].error(at.offset, reason)
    }

    fn compile_error(&self, rule: &str, error: CompileError) -> RulePackError {
        self.error_at(error.at, format!("rule {rule}: {}", error.message))
    }
}

fn build(sources: Vec<Source>, jobs: Vec<PackDef>, client: Option<PackDef>, settings: SettingsOverrides) -> Result<RuleSet, RulePackError> {
    let ctx = Ctx { sources: &sources };
    // Params: declared once across the job packs; a client may change one
    // (same type) or declare its own.
    let mut params: BTreeMap<String, (Value, Origin)> = BTreeMap::new();
    for pack in &jobs {
        for (name, value, at) in &pack.params {
            check_param_name(&ctx, name, *at)?;
            if let Some((_, earlier)) = params.get(name) {
                return Err(ctx.error_at(*at, format!("param {name} is already declared in {}", sources[earlier.source].file)));
            }
            params.insert(name.clone(), (value.clone(), *at));
        }
    }
    for (name, value) in &settings.params {
        if let Some((existing, _)) = params.get_mut(name)
            && existing.ty() == value.ty()
        {
            *existing = value.clone();
        }
    }
    if let Some(pack) = &client {
        for (name, value, at) in &pack.params {
            check_param_name(&ctx, name, *at)?;
            if let Some((existing, _)) = params.get(name)
                && existing.ty() != value.ty()
            {
                return Err(ctx.error_at(*at, format!("param {name} is a {} in the default packs; this sets it to a {}", existing.ty(), value.ty())));
            }
            params.insert(name.clone(), (value.clone(), *at));
        }
    }
    let param_types: BTreeMap<String, Type> = params.iter().map(|(name, (value, _))| (name.clone(), value.ty())).collect();

    let mut confidence = ConfidenceThresholds { default: Decimal::new(7, 1), per_field: BTreeMap::new() };
    let mut confidence_seen: BTreeMap<String, Origin> = BTreeMap::new();
    for pack in &jobs {
        for (name, threshold, at) in &pack.confidence {
            if let Some(earlier) = confidence_seen.insert(name.clone(), *at) {
                return Err(ctx.error_at(*at, format!("[confidence] {name} is already set in {}", sources[earlier.source].file)));
            }
            set_threshold(&mut confidence, name, *threshold);
        }
    }
    if let Some(threshold) = settings.confidence_default {
        confidence.default = threshold;
    }
    if let Some(pack) = &client {
        for (name, threshold, _) in &pack.confidence {
            set_threshold(&mut confidence, name, *threshold);
        }
    }

    // Rules: ids unique; a client's overrides name existing rules and its
    // new rules new ids.
    let mut defs: Vec<(RuleDef, String, Option<ReviewQueue>, RuleOrigin)> = Vec::new();
    for pack in &jobs {
        let PackKind::Job(queue) = pack.kind else { continue };
        for rule in &pack.rules {
            if let Some((earlier, ..)) = defs.iter().find(|(existing, ..)| existing.id == rule.id) {
                let file = earlier.at.map(|at| sources[at.source].file.clone()).unwrap_or_default();
                return Err(ctx.error_at(rule.at.expect("rules are located"), format!("rule id {} is already used in {file}", rule.id)));
            }
            defs.push((rule.clone(), queue.as_str().to_string(), Some(queue), RuleOrigin::Default));
        }
    }
    if let Some(pack) = &client {
        let PackKind::Client(client_name) = &pack.kind else { unreachable!("client packs are clients") };
        for change in &pack.overrides {
            let at = change.at.expect("overrides are located");
            let Some(slot) = defs.iter_mut().find(|(existing, ..)| existing.id == change.id) else {
                let known: Vec<&str> = defs.iter().map(|(rule, ..)| rule.id.as_str()).collect();
                return Err(ctx.error_at(at, format!("[override.{}]: no rule has this id{}", change.id, suggestion(&change.id, &known))));
            };
            slot.0 = merge(&slot.0, change);
            slot.3 = RuleOrigin::Changed;
        }
        for rule in &pack.rules {
            let at = rule.at.expect("rules are located");
            if defs.iter().any(|(existing, ..)| existing.id == rule.id) {
                return Err(ctx.error_at(at, format!("rule id {} already exists in the default packs: change it with [override.{}] instead", rule.id, rule.id)));
            }
            defs.push((rule.clone(), client_name.clone(), None, RuleOrigin::Added));
        }
    }

    let mut rules = Vec::new();
    for (def, pack, default_queue, origin) in &defs {
        rules.push(compile_rule(&ctx, def, pack, *default_queue, *origin, &param_types)?);
    }
    let params = params.into_iter().map(|(name, (value, _))| (name, value)).collect();
    Ok(RuleSet { sources: Arc::new(sources), jobs: Arc::new(jobs), client: client.map(Arc::new), rules: Arc::new(rules), params, confidence, settings })
}

fn check_param_name(ctx: &Ctx, name: &str, at: Origin) -> Result<(), RulePackError> {
    if !valid_id(name) {
        return Err(ctx.error_at(at, format!("param name {name:?}: use lowercase letters, digits and `_`")));
    }
    if fields::field(name).is_some() || FUNCTION_NAMES.contains(&name) || name == "field" {
        return Err(ctx.error_at(at, format!("param {name} has the name of a document field or function; choose another")));
    }
    Ok(())
}

fn set_threshold(confidence: &mut ConfidenceThresholds, name: &str, threshold: Decimal) {
    if name == "default" {
        confidence.default = threshold;
    } else {
        confidence.per_field.insert(name.to_string(), threshold);
    }
}

/// A rule with a client's override applied: every key the override sets
/// replaces the rule's; `let` bindings are merged by name; setting one of
/// `check`, `flag` or `case` replaces the rule's body (the other two go).
fn merge(base: &RuleDef, change: &RuleDef) -> RuleDef {
    let mut merged = base.clone();
    merged.at = change.at;
    if change.description.is_some() {
        merged.description = change.description.clone();
    }
    if change.enabled.is_some() {
        merged.enabled = change.enabled;
    }
    macro_rules! replace {
        ($($key:ident),*) => { $( if change.$key.is_some() { merged.$key = change.$key.clone(); } )* };
    }
    replace!(kinds, queue, severity, for_each, when, link, fields, message);
    for (name, value) in &change.lets {
        merged.lets.insert(name.clone(), value.clone());
    }
    if change.check.is_some() || change.flag.is_some() || change.cases.is_some() {
        merged.check = change.check.clone();
        merged.flag = change.flag.clone();
        merged.cases = change.cases.clone();
    }
    merged
}

fn parse_severity(ctx: &Ctx, value: &Located<String>) -> Result<Severity, RulePackError> {
    match value.value.as_str() {
        "info" => Ok(Severity::Info),
        "review" => Ok(Severity::Review),
        "reject" => Ok(Severity::Reject),
        other => Err(ctx.error_at(value.at, format!("unknown severity {other:?}: use info, review or reject"))),
    }
}

fn check_field_list(ctx: &Ctx, rule: &str, list: &Located<Vec<String>>) -> Result<(), RulePackError> {
    for name in &list.value {
        if fields::field(name).is_none() {
            let candidates: Vec<&str> = fields::FIELDS.iter().map(|field| field.name).collect();
            return Err(ctx.error_at(list.at, format!("rule {rule}: unknown field `{name}`{}", suggestion(name, &candidates))));
        }
    }
    Ok(())
}

fn compile_messages(ctx: &Ctx, rule: &str, message: &MessageDef, compiler: &Compiler) -> Result<Messages, RulePackError> {
    let en = Template::compile(&message.en.value, message.en.at, compiler).map_err(|error| ctx.compile_error(rule, error))?;
    let es = Template::compile(&message.es.value, message.es.at, compiler).map_err(|error| ctx.compile_error(rule, error))?;
    Ok(Messages { en, es })
}

fn compile_rule(ctx: &Ctx, def: &RuleDef, pack: &str, default_queue: Option<ReviewQueue>, origin: RuleOrigin, param_types: &BTreeMap<String, Type>) -> Result<CompiledRule, RulePackError> {
    let id = &def.id;
    let at = def.at.expect("rules are located");
    let queue = match &def.queue {
        Some(queue) => queue.value.parse::<ReviewQueue>().map_err(|_| ctx.error_at(queue.at, format!("rule {id}: unknown queue {:?}: use data_entry, billing or verification", queue.value)))?,
        None => default_queue.ok_or_else(|| ctx.error_at(at, format!("rule {id}: a client's rule names its `queue` (data_entry, billing or verification)")))?,
    };
    let severity = match &def.severity {
        Some(severity) => parse_severity(ctx, severity)?,
        None => Severity::Review,
    };
    let mut kinds = Vec::new();
    if let Some(list) = &def.kinds {
        for kind in &list.value {
            kinds.push(match kind.as_str() {
                "invoice" => DocumentKind::Invoice,
                "identity" => DocumentKind::Identity,
                "unknown" => DocumentKind::Unknown,
                other => return Err(ctx.error_at(list.at, format!("rule {id}: unknown document kind {other:?}: use invoice, identity or unknown"))),
            });
        }
    }
    let mut for_each = Vec::new();
    let mut current_type = None;
    if let Some(list) = &def.for_each {
        check_field_list(ctx, id, list)?;
        for name in &list.value {
            let spec = fields::field(name).expect("checked above");
            let ty = spec.form.ty();
            if current_type.as_ref().is_some_and(|current| *current != ty) {
                return Err(ctx.error_at(list.at, format!("rule {id}: the fields of `for_each` must share one type; {name} is a {ty}")));
            }
            current_type = Some(ty);
            for_each.push(spec);
        }
        if for_each.is_empty() {
            return Err(ctx.error_at(list.at, format!("rule {id}: `for_each` lists no field")));
        }
    }
    for (name, value) in &def.lets {
        if !valid_id(name) || fields::field(name).is_some() || param_types.contains_key(name) || FUNCTION_NAMES.contains(&name.as_str()) || name == "field" {
            return Err(ctx.error_at(value.at, format!("rule {id}: let {name} has the name of a field, param or function (or is not lowercase letters, digits and `_`)")));
        }
    }
    let lets: BTreeMap<String, LetSource> = def.lets.iter().map(|(name, value)| (name.clone(), LetSource { text: value.value.clone(), at: value.at })).collect();
    let compiler = Compiler::new(param_types, &lets, current_type, &kinds);
    let compile_bool = |expression: &Located<String>, role: &str| compiler.compile_as(&expression.value, expression.at, &Type::Bool, role).map_err(|error| ctx.compile_error(id, error));
    let when = def.when.as_ref().map(|when| compile_bool(when, "when")).transpose()?;
    let bodies = [def.check.is_some(), def.flag.is_some(), def.cases.is_some()].iter().filter(|set| **set).count();
    if bodies != 1 {
        return Err(ctx.error_at(at, format!("rule {id}: a rule has exactly one of `check` (must hold), `flag` (fields to report) or [[rule.case]] (first true case reports)")));
    }
    let needs_message = |message: &Option<MessageDef>| message.clone().ok_or_else(|| ctx.error_at(at, format!("rule {id}: needs a `message` with `en` and `es` texts")));
    let body = if let Some(check) = &def.check {
        let check = compile_bool(check, "check")?;
        let message = compile_messages(ctx, id, &needs_message(&def.message)?, &compiler)?;
        Body::Check { check, severity, message }
    } else if let Some(flag) = &def.flag {
        let list = compiler.compile_as(&flag.value, flag.at, &Type::List(Box::new(Type::Text)), "flag").map_err(|error| ctx.compile_error(id, error))?;
        let message = compile_messages(ctx, id, &needs_message(&def.message)?, &compiler)?;
        Body::Flag { list, severity, message }
    } else {
        let cases = def.cases.as_ref().expect("counted above");
        if cases.is_empty() {
            return Err(ctx.error_at(at, format!("rule {id}: [[rule.case]] is empty")));
        }
        if def.message.is_some() {
            return Err(ctx.error_at(at, format!("rule {id}: with [[rule.case]], each case has its own message; drop the rule's `message`")));
        }
        let mut compiled = Vec::new();
        for case in cases {
            let condition = compile_bool(&case.condition, "if")?;
            let case_severity = case.severity.as_ref().map(|severity| parse_severity(ctx, severity)).transpose()?.unwrap_or(severity);
            if let Some(fields) = &case.fields {
                check_field_list(ctx, id, fields)?;
            }
            let message = compile_messages(ctx, id, &case.message, &compiler)?;
            compiled.push(CompiledCase { condition, severity: case_severity, fields: case.fields.as_ref().map(|fields| fields.value.clone()).unwrap_or_default(), message });
        }
        Body::Cases(compiled)
    };
    let link = match &def.link {
        Some(link) => {
            let (node, ty) = compiler.compile(&link.value, link.at).map_err(|error| ctx.compile_error(id, error))?;
            if ty != Type::Number && ty != Type::List(Box::new(Type::Number)) {
                return Err(ctx.error_at(link.at, format!("rule {id}: `link` gives document ids: a number or a list<number>, not a {ty}")));
            }
            Some(node)
        }
        None => None,
    };
    let fields = match &def.fields {
        Some(list) => {
            check_field_list(ctx, id, list)?;
            list.value.clone()
        }
        None => compiler.referenced_fields(),
    };
    Ok(CompiledRule { id: id.clone(), pack: pack.to_string(), origin, enabled: def.enabled.unwrap_or(true), kinds, queue, for_each, when, body, fields, link })
}

/// All rule ids the set holds, for tests and the case runner.
pub(crate) fn rule_ids(rules: &RuleSet) -> BTreeSet<String> {
    rules.rules.iter().map(|rule| rule.id.clone()).collect()
}
