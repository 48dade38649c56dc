//! Reading untrusted e-invoice XML safely, and walking it by element names.
//!
//! This module owns the three steps every e-invoice parser shares:
//!
//! - turning bytes into text ([`decode_xml_text`]): a UTF-8 or UTF-16 byte
//!   order mark, or the `encoding` of the XML declaration (UTF-8, ISO-8859-1
//!   / Latin-1, ISO-8859-15, Windows-1252: older Facturae and CFDI files are
//!   Latin-1);
//! - parsing within bounds ([`parse_xml_within_limits`]): the input is
//!   capped at [`MAXIMUM_EINVOICE_XML_BYTES`] before anything is read, DTDs
//!   are refused (so no entity, internal or external, is ever expanded:
//!   roxmltree has no network or file access in any case), the node count is
//!   capped, and so is the element nesting depth;
//! - walking the tree by *local* element names ([`first_at_path`],
//!   [`all_at_path`]). The formats differ in how they use namespaces
//!   (Facturae's children carry none, CII puts every element in one of four,
//!   UBL mixes `cac` and `cbc`), but within one identified root the local
//!   names are unambiguous, so the parsers name paths without prefixes.
//!
//! Plus the value readers all formats need: XML decimals ([`parse_xml_decimal`],
//! into [`Decimal`], never floating point), dates in ISO or UN/CEFACT `102`
//! form ([`parse_xml_date`]) and whitespace folding for names.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::NaiveDate;
use roxmltree::{Document, Node, ParsingOptions};
use rust_decimal::Decimal;

use super::EInvoiceError;

/// E-invoices are a few kilobytes to a few megabytes (signed Facturae with
/// certificates, CFDI with long seals); anything larger is refused unread.
pub const MAXIMUM_EINVOICE_XML_BYTES: usize = 20 * 1024 * 1024;

/// The deepest element nesting accepted. Real e-invoices nest fewer than 15
/// levels; the cap keeps a crafted file from exhausting the stack of any
/// recursive consumer.
pub const MAXIMUM_XML_NESTING_DEPTH: usize = 256;

/// The most XML nodes (elements, attributes' owners, text) parsed from one
/// file; far above what 20 MB of real invoice holds in elements.
const MAXIMUM_XML_NODES: u32 = 4_000_000;

/// Turns the bytes of an XML file into text, honouring a byte order mark
/// or the declared encoding. Fails when the bytes are over the size limit or
/// are not text in the encoding they claim.
pub fn decode_xml_text(bytes: &[u8]) -> Result<Cow<'_, str>, EInvoiceError> {
    if bytes.len() > MAXIMUM_EINVOICE_XML_BYTES {
        return Err(EInvoiceError::TooLarge { size_bytes: bytes.len(), limit_bytes: MAXIMUM_EINVOICE_XML_BYTES });
    }
    if let Some(without_bom) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(without_bom).map(Cow::Borrowed).map_err(|_| EInvoiceError::NotText {
            encoding: "UTF-8 (byte order mark)",
        });
    }
    if let Some(without_bom) = bytes.strip_prefix(b"\xFF\xFE") {
        return decode_utf16(without_bom, u16::from_le_bytes).map(Cow::Owned);
    }
    if let Some(without_bom) = bytes.strip_prefix(b"\xFE\xFF") {
        return decode_utf16(without_bom, u16::from_be_bytes).map(Cow::Owned);
    }
    match declared_single_byte_encoding(bytes) {
        Some(SingleByteEncoding::Latin1) => Ok(Cow::Owned(bytes.iter().map(|&byte| char::from(byte)).collect())),
        Some(SingleByteEncoding::Latin9) => Ok(Cow::Owned(bytes.iter().map(|&byte| latin9_character(byte)).collect())),
        Some(SingleByteEncoding::Windows1252) => Ok(Cow::Owned(bytes.iter().map(|&byte| windows1252_character(byte)).collect())),
        None => std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| EInvoiceError::NotText { encoding: "UTF-8" }),
    }
}

fn decode_utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> Result<String, EInvoiceError> {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| to_unit([pair[0], pair[1]])).collect();
    String::from_utf16(&units).map_err(|_| EInvoiceError::NotText { encoding: "UTF-16" })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SingleByteEncoding {
    Latin1,
    Latin9,
    Windows1252,
}

/// The single-byte encoding named in the XML declaration (`<?xml version="1.0"
/// encoding="ISO-8859-1"?>`), if any. UTF-8 and absent declarations give `None`.
fn declared_single_byte_encoding(bytes: &[u8]) -> Option<SingleByteEncoding> {
    let head = &bytes[..bytes.len().min(200)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let declaration_end = head.windows(2).position(|window| window == b"?>")?;
    let declaration = String::from_utf8_lossy(&head[..declaration_end]).to_ascii_lowercase();
    let after_keyword = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let value: String = after_keyword
        .trim_start_matches(|character: char| character.is_whitespace() || character == '=' || character == '"' || character == '\'')
        .chars()
        .take_while(|character| !matches!(character, '"' | '\'' | ' '))
        .collect();
    match value.as_str() {
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" | "iso_8859-1" => Some(SingleByteEncoding::Latin1),
        "iso-8859-15" | "iso8859-15" | "latin9" | "latin-9" => Some(SingleByteEncoding::Latin9),
        "windows-1252" | "cp1252" => Some(SingleByteEncoding::Windows1252),
        _ => None,
    }
}

fn latin9_character(byte: u8) -> char {
    match byte {
        0xA4 => '€',
        0xA6 => 'Š',
        0xA8 => 'š',
        0xB4 => 'Ž',
        0xB8 => 'ž',
        0xBC => 'Œ',
        0xBD => 'œ',
        0xBE => 'Ÿ',
        other => char::from(other),
    }
}

fn windows1252_character(byte: u8) -> char {
    const HIGH_CONTROL_REPLACEMENTS: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—',
        '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH_CONTROL_REPLACEMENTS[usize::from(byte - 0x80)],
        other => char::from(other),
    }
}

/// Parses XML text with DTDs refused, the node count capped and the element
/// nesting depth checked.
pub fn parse_xml_within_limits(text: &str) -> Result<Document<'_>, EInvoiceError> {
    let options = ParsingOptions { allow_dtd: false, nodes_limit: MAXIMUM_XML_NODES, ..ParsingOptions::default() };
    let document = Document::parse_with_options(text, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected => EInvoiceError::DocumentTypeDeclarationRefused,
        roxmltree::Error::NodesLimitReached => EInvoiceError::TooManyNodes,
        other => EInvoiceError::MalformedXml { position: other.pos().to_string(), reason: describe_xml_error(&other) },
    })?;
    let deepest = deepest_element_nesting(&document);
    if deepest > MAXIMUM_XML_NESTING_DEPTH {
        return Err(EInvoiceError::TooDeeplyNested { depth: deepest, limit: MAXIMUM_XML_NESTING_DEPTH });
    }
    Ok(document)
}

/// A short reason for a parse error that does not quote document content.
fn describe_xml_error(error: &roxmltree::Error) -> &'static str {
    match error {
        roxmltree::Error::UnexpectedCloseTag(..) => "a closing tag does not match its opening tag",
        roxmltree::Error::UnknownEntityReference(..) => "an entity reference is not defined",
        roxmltree::Error::UnknownNamespace(..) => "an element or attribute uses an undeclared namespace prefix",
        roxmltree::Error::DuplicatedAttribute(..) => "an element repeats an attribute",
        roxmltree::Error::NoRootNode => "there is no root element",
        roxmltree::Error::UnexpectedEndOfStream | roxmltree::Error::UnclosedRootNode => "the file ends in the middle of the XML (truncated)",
        roxmltree::Error::EntityReferenceLoop(..) => "entity references nest too deeply",
        _ => "the XML is not well-formed",
    }
}

/// The deepest element nesting, computed in one pass over the document
/// order (a parent always comes before its children).
fn deepest_element_nesting(document: &Document) -> usize {
    let mut depth_by_node_index: Vec<u16> = Vec::new();
    let mut deepest = 0usize;
    for node in document.descendants() {
        let index = node.id().get_usize();
        if depth_by_node_index.len() <= index {
            depth_by_node_index.resize(index + 1, 0);
        }
        let parent_depth = node.parent().map_or(0, |parent| depth_by_node_index.get(parent.id().get_usize()).copied().unwrap_or(0));
        let depth = if node.is_element() { parent_depth.saturating_add(1) } else { parent_depth };
        depth_by_node_index[index] = depth;
        deepest = deepest.max(usize::from(depth));
    }
    deepest
}

/// The element children of `node` whose local name is `local_name`.
pub fn children_named<'a, 'input>(node: Node<'a, 'input>, local_name: &'static str) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |child| child.is_element() && child.tag_name().name() == local_name)
}

/// The first element child of `node` named `local_name`.
pub fn first_child<'a, 'input>(node: Node<'a, 'input>, local_name: &'static str) -> Option<Node<'a, 'input>> {
    children_named(node, local_name).next()
}

/// Every element reached from `node` by following `path` (local names, one
/// per level), in document order.
pub fn all_at_path<'a, 'input>(node: Node<'a, 'input>, path: &[&'static str]) -> Vec<Node<'a, 'input>> {
    let mut current = vec![node];
    for &step in path {
        current = current.into_iter().flat_map(|parent| children_named(parent, step)).collect();
        if current.is_empty() {
            break;
        }
    }
    current
}

/// The first element reached from `node` by following `path`.
pub fn first_at_path<'a, 'input>(node: Node<'a, 'input>, path: &[&'static str]) -> Option<Node<'a, 'input>> {
    all_at_path(node, path).into_iter().next()
}

/// The text directly inside an element (all its text and CDATA children,
/// joined), trimmed; `None` when empty.
pub fn element_text(node: Node) -> Option<String> {
    let joined: String = node.children().filter(|child| child.is_text()).filter_map(|child| child.text()).collect();
    let trimmed = joined.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// The trimmed text of the first element at `path` that has any.
pub fn text_at_path(node: Node, path: &[&'static str]) -> Option<String> {
    all_at_path(node, path).into_iter().find_map(element_text)
}

/// A non-empty trimmed attribute value.
pub fn attribute_text(node: Node, attribute_name: &str) -> Option<String> {
    node.attribute(attribute_name).map(str::trim).filter(|value| !value.is_empty()).map(str::to_string)
}

/// Folds every run of whitespace (spaces, tabs, line breaks) into one
/// space and trims: the contract's "single spaces" for names.
pub fn single_spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads an XML decimal (`1234.56`, `-4202.00`, `+5`, `249634`, and the
/// rare exponent form `1.5E2`). Thousands separators are not XML and are
/// refused.
pub fn parse_xml_decimal(text: &str) -> Option<Decimal> {
    let trimmed = text.trim();
    let unsigned = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if unsigned.is_empty() || unsigned.contains(',') {
        return None;
    }
    Decimal::from_str(unsigned).ok().or_else(|| Decimal::from_scientific(unsigned).ok())
}

/// Reads an XML date: ISO `2018-03-05` (optionally followed by a time or
/// zone, as in CFDI's `2018-01-12T08:15:01` or UBL's `2015-01-09Z`), or the
/// UN/CEFACT format `102` (`20180305`).
pub fn parse_xml_date(text: &str) -> Option<NaiveDate> {
    let trimmed = text.trim();
    if trimmed.len() == 8 && trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
        return NaiveDate::parse_from_str(trimmed, "%Y%m%d").ok();
    }
    let date_part = trimmed.get(..10)?;
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latin1_declared_file_is_decoded_to_the_right_accents() {
        let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Espa\xF1a</a>";
        assert_eq!(decode_xml_text(bytes).unwrap(), "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>España</a>");
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "<a>Müller</a>";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode_xml_text(&bytes).unwrap(), text);
    }

    #[test]
    fn bytes_that_are_not_utf8_and_declare_nothing_are_refused() {
        assert!(matches!(decode_xml_text(b"<a>\xFF\xFE\xFD</a>"), Err(EInvoiceError::NotText { .. })));
    }

    #[test]
    fn a_document_type_declaration_is_refused_so_no_entity_is_expanded() {
        let billion_laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><a>&lol2;</a>"#;
        assert_eq!(parse_xml_within_limits(billion_laughs).unwrap_err(), EInvoiceError::DocumentTypeDeclarationRefused);
        let external = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY secret SYSTEM "file:///etc/passwd">]><a>&secret;</a>"#;
        assert_eq!(parse_xml_within_limits(external).unwrap_err(), EInvoiceError::DocumentTypeDeclarationRefused);
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let depth = MAXIMUM_XML_NESTING_DEPTH + 10;
        let text = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        assert!(matches!(parse_xml_within_limits(&text), Err(EInvoiceError::TooDeeplyNested { .. })));
        let acceptable = format!("{}{}", "<a>".repeat(50), "</a>".repeat(50));
        assert!(parse_xml_within_limits(&acceptable).is_ok());
    }

    #[test]
    fn input_over_the_size_cap_is_refused_before_decoding() {
        let huge = vec![b' '; MAXIMUM_EINVOICE_XML_BYTES + 1];
        assert!(matches!(decode_xml_text(&huge), Err(EInvoiceError::TooLarge { .. })));
    }

    #[test]
    fn truncated_xml_is_reported_as_malformed_without_quoting_content() {
        let error = parse_xml_within_limits("<Invoice><ID>SECRET-42</ID>").unwrap_err();
        assert!(matches!(error, EInvoiceError::MalformedXml { .. }));
        assert!(!error.to_string().contains("SECRET"));
    }

    #[test]
    fn xml_decimals_and_dates_are_read_in_their_schema_forms() {
        assert_eq!(parse_xml_decimal(" -4202.00 "), Some(Decimal::new(-420200, 2)));
        assert_eq!(parse_xml_decimal("+5"), Some(Decimal::from(5)));
        assert_eq!(parse_xml_decimal("1,234.56"), None);
        assert_eq!(parse_xml_date("20180305"), NaiveDate::from_ymd_opt(2018, 3, 5));
        assert_eq!(parse_xml_date("2018-01-12T08:15:01"), NaiveDate::from_ymd_opt(2018, 1, 12));
        assert_eq!(parse_xml_date("2015-01-09Z"), NaiveDate::from_ymd_opt(2015, 1, 9));
        assert_eq!(parse_xml_date("2018-02-31"), None);
    }

    #[test]
    fn paths_follow_local_names_whatever_the_namespace_prefix() {
        let text = r#"<r:Root xmlns:r="urn:r" xmlns:a="urn:a"><a:Party><a:Name>  One
            Two </a:Name></a:Party><a:Party><a:Name>Three</a:Name></a:Party></r:Root>"#;
        let document = parse_xml_within_limits(text).unwrap();
        let root = document.root_element();
        assert_eq!(text_at_path(root, &["Party", "Name"]).map(|name| single_spaced(&name)), Some("One Two".to_string()));
        assert_eq!(all_at_path(root, &["Party", "Name"]).len(), 2);
        assert!(first_at_path(root, &["Party", "Missing"]).is_none());
    }
}
