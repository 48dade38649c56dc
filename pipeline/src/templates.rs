//! Supplier templates: a client teaching tramite one supplier's layout in a
//! small declarative TOML file, on top of the layout-aware field finders,
//! never instead of them.
//!
//! ```toml
//! # templates/flipkart.toml
//! name = "Flipkart (WS Retail)"
//! # The template applies to a document whose text holds every keyword.
//! keywords = ["Flipkart", "WS Retail Services"]
//! # Optional: how the supplier writes numeric dates (default: the document's).
//! date_order = "day_first"
//!
//! [fields]
//! # A fixed value.
//! currency = { value = "INR" }
//! # The first match of a regular expression on one line: its groups
//! # joined, or the whole match when it has no group.
//! invoice_number = { regex = 'Invoice No\s*:\s*(#)\s*(\S+)' }
//! # The text after a label on the same line, up to the next column
//! # (two spaces), or the first match of `pattern` in that text.
//! issue_date = { after = "Invoice Date:", pattern = '\d{2}-\d{2}-\d{4}' }
//! ```
//!
//! Field names are the contract's invoice fields; values go through the
//! same normalisation as found values (amounts and dates parsed in the
//! document's number and date style, tax ids and IBANs compacted). A field
//! a template finds replaces the generic finding with confidence
//! [`TEMPLATE_CONFIDENCE`]; a field it does not find is left to the generic
//! finders. Pure: reading the files is the caller's business.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use crate::extraction::ExtractedField;
use crate::fields::DocumentContext;
use crate::parse::amount::{format_amount, parse_amount};
use crate::parse::date::{format_date, parse_date, DateOrder};
use crate::parse::tax_id::normalize_tax_id;
use crate::read::TextLine;

/// The confidence of a field read by a client's template: the client
/// vouched for where it stands.
pub const TEMPLATE_CONFIDENCE: f32 = 0.95;

/// The invoice fields a template may fill, and how each value is
/// normalised.
const TEMPLATE_FIELDS: &[(&str, ValueKind)] = &[
    ("invoice_number", ValueKind::Text),
    ("po_number", ValueKind::Text),
    ("issue_date", ValueKind::Date),
    ("due_date", ValueKind::Date),
    ("supplier_name", ValueKind::Text),
    ("customer_name", ValueKind::Text),
    ("supplier_tax_id", ValueKind::Compact),
    ("customer_tax_id", ValueKind::Compact),
    ("iban", ValueKind::Compact),
    ("currency", ValueKind::Compact),
    ("invoice_type", ValueKind::Text),
    ("subtotal", ValueKind::Amount),
    ("tax_amount", ValueKind::Amount),
    ("withholding_amount", ValueKind::Amount),
    ("total", ValueKind::Amount),
    ("tax_rate", ValueKind::Percent),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Text,
    Compact,
    Date,
    Amount,
    Percent,
}

/// Why a template file was refused. Each message names the field or key
/// and says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("not valid template TOML: {0}")]
    Syntax(String),
    #[error("field `{0}` is not an invoice field a template can fill; use one of: {1}")]
    UnknownField(String, String),
    #[error("field `{field}` needs exactly one of `value`, `regex` or `after`")]
    AmbiguousRule { field: String },
    #[error("field `{field}`: the regular expression `{pattern}` does not compile: {problem}")]
    BadRegex { field: String, pattern: String, problem: String },
    #[error("`keywords` is empty: list at least one text that only this supplier's documents hold")]
    NoKeywords,
    #[error("`date_order` is `{0}`; write \"day_first\" or \"month_first\"")]
    BadDateOrder(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    name: String,
    keywords: Vec<String>,
    #[serde(default)]
    date_order: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, FieldRuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldRuleFile {
    value: Option<String>,
    regex: Option<String>,
    after: Option<String>,
    pattern: Option<String>,
}

/// One supplier's template, checked and compiled.
#[derive(Debug, Clone)]
pub struct SupplierTemplate {
    pub name: String,
    keywords: Vec<String>,
    date_order: Option<DateOrder>,
    fields: Vec<(&'static str, ValueKind, FieldRule)>,
}

#[derive(Debug, Clone)]
enum FieldRule {
    Fixed(String),
    Regex(Regex),
    After { label: String, pattern: Option<Regex> },
}

impl SupplierTemplate {
    /// Reads a template from its TOML text.
    pub fn parse(toml_text: &str) -> Result<SupplierTemplate, TemplateError> {
        let file: TemplateFile = toml::from_str(toml_text).map_err(|error| TemplateError::Syntax(error.to_string()))?;
        if file.keywords.iter().all(|keyword| keyword.trim().is_empty()) {
            return Err(TemplateError::NoKeywords);
        }
        let date_order = match file.date_order.as_deref() {
            None => None,
            Some("day_first") => Some(DateOrder::DayFirst),
            Some("month_first") => Some(DateOrder::MonthFirst),
            Some(other) => return Err(TemplateError::BadDateOrder(other.to_string())),
        };
        let mut fields = Vec::new();
        for (field_name, rule) in file.fields {
            let Some(&(name, kind)) = TEMPLATE_FIELDS.iter().find(|(known, _)| *known == field_name) else {
                let known: Vec<&str> = TEMPLATE_FIELDS.iter().map(|(known, _)| *known).collect();
                return Err(TemplateError::UnknownField(field_name, known.join(", ")));
            };
            let compile = |pattern: &str| {
                Regex::new(pattern).map_err(|error| TemplateError::BadRegex { field: name.to_string(), pattern: pattern.to_string(), problem: error.to_string() })
            };
            let rule = match (rule.value, rule.regex, rule.after) {
                (Some(value), None, None) if rule.pattern.is_none() => FieldRule::Fixed(value),
                (None, Some(pattern), None) if rule.pattern.is_none() => FieldRule::Regex(compile(&pattern)?),
                (None, None, Some(label)) => FieldRule::After { label, pattern: rule.pattern.as_deref().map(compile).transpose()? },
                _ => return Err(TemplateError::AmbiguousRule { field: name.to_string() }),
            };
            fields.push((name, kind, rule));
        }
        Ok(SupplierTemplate { name: file.name, keywords: file.keywords, date_order, fields })
    }

    /// Whether the document's text holds every keyword.
    pub fn matches(&self, full_text: &str) -> bool {
        self.keywords.iter().all(|keyword| full_text.contains(keyword.as_str()))
    }

    /// The fields this template finds in `lines`, normalised. A field whose
    /// rule finds nothing, or a value that does not parse as its kind, is
    /// left out.
    pub fn read_fields(&self, lines: &[TextLine]) -> BTreeMap<String, ExtractedField> {
        let full_text: String = lines.iter().map(|line| line.text.as_str()).collect::<Vec<_>>().join("\n");
        let context = DocumentContext::from_text(&full_text);
        let date_order = self.date_order.unwrap_or(context.date_order);
        let mut found = BTreeMap::new();
        for (name, kind, rule) in &self.fields {
            let Some((raw, line)) = rule.find(lines) else { continue };
            let value = match kind {
                ValueKind::Text => Some(raw.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|text| !text.is_empty()),
                ValueKind::Compact => Some(normalize_tax_id(&raw)).filter(|text| !text.is_empty()),
                ValueKind::Date => parse_date(&raw, date_order).map(format_date),
                ValueKind::Amount => parse_amount(&raw, context.decimal_style).map(format_amount),
                ValueKind::Percent => parse_amount(raw.trim().trim_end_matches('%'), context.decimal_style).map(|rate| rate.normalize().to_string()),
            };
            let Some(value) = value else { continue };
            let (page, bbox) = line.map_or((lines.first().map_or(1, |line| line.page), None), |line| (line.page, line.bbox));
            found.insert(name.to_string(), ExtractedField { value, confidence: TEMPLATE_CONFIDENCE, page, bbox });
        }
        found
    }
}

impl FieldRule {
    /// The raw value and the line it stands on (none for a fixed value).
    fn find<'a>(&self, lines: &'a [TextLine]) -> Option<(String, Option<&'a TextLine>)> {
        match self {
            FieldRule::Fixed(value) => Some((value.clone(), None)),
            FieldRule::Regex(regex) => lines.iter().find_map(|line| {
                let captures = regex.captures(&line.text)?;
                let groups: String = captures.iter().skip(1).flatten().map(|group| group.as_str()).collect();
                let value = if regex.captures_len() > 1 { groups } else { captures.get(0)?.as_str().to_string() };
                Some((value, Some(line)))
            }),
            FieldRule::After { label, pattern } => lines.iter().find_map(|line| {
                let after = &line.text[line.text.find(label.as_str())? + label.len()..];
                let value = match pattern {
                    Some(pattern) => pattern.find(after)?.as_str(),
                    None => after.trim_start().split("  ").next()?.trim(),
                };
                (!value.is_empty()).then(|| (value.to_string(), Some(line)))
            }),
        }
    }
}

/// The first template, in the order given, whose keywords the document
/// holds.
pub fn template_for<'t>(templates: &'t [SupplierTemplate], lines: &[TextLine]) -> Option<&'t SupplierTemplate> {
    if templates.is_empty() {
        return None;
    }
    let full_text: String = lines.iter().map(|line| line.text.as_str()).collect::<Vec<_>>().join("\n");
    templates.iter().find(|template| template.matches(&full_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[&str]) -> Vec<TextLine> {
        texts.iter().map(|text| TextLine { page: 1, text: text.to_string(), bbox: Some([0.0, 0.0, 10.0, 10.0]), confidence: 1.0, cells: Vec::new() }).collect()
    }

    const FLIPKART: &str = r#"
name = "Flipkart"
keywords = ["Flipkart", "WS Retail"]
date_order = "day_first"
[fields]
currency = { value = "INR" }
invoice_number = { regex = 'Invoice No:\s*(#)\s*(\S+)' }
issue_date = { after = "Invoice Date:", pattern = '\d{2}-\d{2}-\d{4}' }
total = { after = "Grand Total" }
"#;

    #[test]
    fn a_template_reads_fixed_values_regex_groups_and_values_after_labels_in_their_normal_form() {
        let template = SupplierTemplate::parse(FLIPKART).unwrap();
        let page = lines(&["Sold by WS Retail  Flipkart", "Invoice No: # BLR_WFLD2015  Invoice Date: 20-10-2015, 10:05", "Grand Total  1,234.50  thanks"]);
        assert!(template.matches(&page.iter().map(|line| line.text.clone()).collect::<Vec<_>>().join("\n")));
        let fields = template.read_fields(&page);
        let values: BTreeMap<&str, &str> = fields.iter().map(|(name, field)| (name.as_str(), field.value.as_str())).collect();
        assert_eq!(values, BTreeMap::from([("currency", "INR"), ("invoice_number", "#BLR_WFLD2015"), ("issue_date", "2015-10-20"), ("total", "1234.50")]));
        assert_eq!(fields["total"].confidence, TEMPLATE_CONFIDENCE);
        assert_eq!(fields["total"].bbox, Some([0.0, 0.0, 10.0, 10.0]), "a found value keeps its line's box");
    }

    #[test]
    fn a_template_applies_only_when_every_keyword_is_in_the_document() {
        let templates = vec![SupplierTemplate::parse(FLIPKART).unwrap()];
        assert!(template_for(&templates, &lines(&["Flipkart", "WS Retail"])).is_some());
        assert!(template_for(&templates, &lines(&["Flipkart only"])).is_none());
    }

    #[test]
    fn a_rule_that_finds_nothing_or_a_value_that_does_not_parse_leaves_the_field_out() {
        let template = SupplierTemplate::parse(FLIPKART).unwrap();
        let fields = template.read_fields(&lines(&["Invoice Date: soon", "Grand Total  free"]));
        assert_eq!(fields.keys().collect::<Vec<_>>(), vec!["currency"]);
    }

    #[test]
    fn template_mistakes_are_refused_naming_the_field_and_what_to_write() {
        let unknown = SupplierTemplate::parse("name = \"x\"\nkeywords = [\"x\"]\n[fields]\ninvoice_nr = { value = \"1\" }").unwrap_err();
        assert!(unknown.to_string().contains("`invoice_nr`") && unknown.to_string().contains("invoice_number"), "{unknown}");
        let two_rules = SupplierTemplate::parse("name = \"x\"\nkeywords = [\"x\"]\n[fields]\ntotal = { value = \"1\", after = \"Total\" }").unwrap_err();
        assert_eq!(two_rules, TemplateError::AmbiguousRule { field: "total".into() });
        let bad_regex = SupplierTemplate::parse("name = \"x\"\nkeywords = [\"x\"]\n[fields]\ntotal = { regex = \"(\" }").unwrap_err();
        assert!(matches!(bad_regex, TemplateError::BadRegex { ref field, .. } if field == "total"), "{bad_regex}");
        assert_eq!(SupplierTemplate::parse("name = \"x\"\nkeywords = []").unwrap_err(), TemplateError::NoKeywords);
        let syntax = SupplierTemplate::parse("name = \"x\"\nkeywords = [\"x\"\n").unwrap_err();
        assert!(matches!(syntax, TemplateError::Syntax(ref message) if message.contains("line")), "{syntax}");
    }
}
