//! Finding the e-invoice XML inside a Factur-X / ZUGFeRD / XRechnung PDF.
//!
//! A hybrid invoice is a PDF/A-3 whose catalog lists the XML as an embedded
//! file twice over: in the `/Names /EmbeddedFiles` name tree and in the
//! `/AF` (associated files) array. Each entry is a file specification
//! (`/Type /Filespec`, file name in `/UF` or `/F`) whose `/EF /F` is the
//! (usually Flate-compressed) embedded file stream.
//!
//! This module owns walking those structures, choosing the invoice among
//! the attachments and decompressing it within [`MAXIMUM_EINVOICE_XML_BYTES`].
//! Attachments named as the standards require (`factur-x.xml`,
//! `zugferd-invoice.xml`, `ZUGFeRD-invoice.xml`, `xrechnung.xml`) are tried
//! first, then any other `.xml` attachment, and finally file specifications
//! anywhere in the file (some producers forget the name tree); an
//! attachment counts only if its content is an e-invoice
//! ([`super::sniff_einvoice_xml`]). Walking is bounded (tree depth, entry
//! count) against crafted loops.
//!
//! Nothing here fails: a PDF that cannot be loaded, or holds no invoice XML,
//! gives `None`, and the caller reads the PDF the ordinary way (which
//! reports damaged or encrypted files with their own codes).

use std::sync::LazyLock;

use lopdf::{Dictionary, Document, Object, ObjectId};
use regex::bytes::Regex;

use super::{EInvoiceFormat, MAXIMUM_EINVOICE_XML_BYTES, sniff_einvoice_xml};

/// Attachment names the Factur-X, ZUGFeRD and XRechnung specifications give
/// the invoice XML, in order of preference (compared case-insensitively).
pub const STANDARD_EINVOICE_ATTACHMENT_NAMES: &[&str] = &["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"];

/// Name trees deeper than this are not followed.
const MAXIMUM_NAME_TREE_DEPTH: usize = 32;

/// At most this many file specifications are looked at in one PDF.
const MAXIMUM_FILE_SPECIFICATIONS: usize = 1_000;

/// The e-invoice XML carried by a PDF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfEInvoiceAttachment {
    /// The attachment's file name as the PDF gives it.
    pub attachment_name: String,
    /// The attachment's format.
    pub format: EInvoiceFormat,
    /// The decompressed XML bytes.
    pub xml: Vec<u8>,
    /// The PDF's page count.
    pub page_count: u32,
}

/// One embedded file: its name and the stream holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EmbeddedFileEntry {
    name: String,
    stream_id: ObjectId,
}

/// Loads a PDF and returns the e-invoice XML it carries, if any.
pub fn find_einvoice_attachment(pdf_bytes: &[u8]) -> Option<PdfEInvoiceAttachment> {
    if !may_carry_attachments(pdf_bytes) {
        return None;
    }
    let document = Document::load_mem(pdf_bytes).ok()?;
    if document.is_encrypted() {
        return None;
    }
    find_einvoice_attachment_in_document(&document)
}

/// A PDF with an attachment names it in clear somewhere (`/EmbeddedFile`
/// on the file stream, `/AF`) or hides its dictionaries in compressed object
/// streams (`/ObjStm`); a PDF with none of the three has no attachment, and
/// is not parsed a second time.
pub fn may_carry_attachments(pdf_bytes: &[u8]) -> bool {
    static ATTACHMENT_MARKERS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u)EmbeddedFile|/AF\b|/ObjStm").expect("a valid pattern"));
    ATTACHMENT_MARKERS.is_match(pdf_bytes)
}

/// Returns the e-invoice XML an already loaded PDF carries, if any.
pub fn find_einvoice_attachment_in_document(document: &Document) -> Option<PdfEInvoiceAttachment> {
    let page_count = document.get_pages().len() as u32;
    let declared = declared_embedded_files(document);
    let mut candidates = ordered_candidates(&declared);
    let found = first_einvoice(document, &candidates);
    let found = found.or_else(|| {
        let anywhere: Vec<EmbeddedFileEntry> =
            file_specifications_anywhere(document).into_iter().filter(|entry| !declared.contains(entry)).collect();
        candidates = ordered_candidates(&anywhere);
        first_einvoice(document, &candidates)
    })?;
    let (entry, format, xml) = found;
    Some(PdfEInvoiceAttachment { attachment_name: entry.name, format, xml, page_count })
}

/// Standard names first (in [`STANDARD_EINVOICE_ATTACHMENT_NAMES`] order),
/// then other `.xml` files; everything else is not a candidate.
fn ordered_candidates(entries: &[EmbeddedFileEntry]) -> Vec<EmbeddedFileEntry> {
    let base_name = |entry: &EmbeddedFileEntry| entry.name.rsplit(['/', '\\']).next().unwrap_or("").to_ascii_lowercase();
    let mut ordered: Vec<EmbeddedFileEntry> = Vec::new();
    for standard_name in STANDARD_EINVOICE_ATTACHMENT_NAMES {
        ordered.extend(entries.iter().filter(|entry| base_name(entry) == *standard_name).cloned());
    }
    ordered.extend(entries.iter().filter(|entry| {
        let name = base_name(entry);
        name.ends_with(".xml") && !STANDARD_EINVOICE_ATTACHMENT_NAMES.contains(&name.as_str())
    }).cloned());
    let mut unique: Vec<EmbeddedFileEntry> = Vec::new();
    for entry in ordered {
        if !unique.iter().any(|seen| seen.stream_id == entry.stream_id) {
            unique.push(entry);
        }
    }
    unique
}

fn first_einvoice(document: &Document, candidates: &[EmbeddedFileEntry]) -> Option<(EmbeddedFileEntry, EInvoiceFormat, Vec<u8>)> {
    candidates.iter().find_map(|entry| {
        let xml = embedded_file_content(document, entry.stream_id)?;
        let format = sniff_einvoice_xml(&xml)?;
        Some((entry.clone(), format, xml))
    })
}

/// The decompressed content of an embedded file stream, if it fits the
/// size limit.
fn embedded_file_content(document: &Document, stream_id: ObjectId) -> Option<Vec<u8>> {
    let stream = document.get_object(stream_id).ok()?.as_stream().ok()?;
    stream.get_plain_content_with_limit(MAXIMUM_EINVOICE_XML_BYTES).ok()
}

/// The files the catalog declares: the `/EmbeddedFiles` name tree, then the
/// `/AF` associated files.
fn declared_embedded_files(document: &Document) -> Vec<EmbeddedFileEntry> {
    let mut entries = Vec::new();
    let Ok(catalog) = document.catalog() else { return entries };
    if let Some(names) = resolve_dictionary(document, catalog.get(b"Names").ok())
        && let Some(tree_root) = resolve_dictionary(document, names.get(b"EmbeddedFiles").ok())
    {
        let mut file_specifications = Vec::new();
        collect_name_tree_values(document, tree_root, 0, &mut file_specifications);
        entries.extend(file_specifications.into_iter().filter_map(|specification| embedded_file_entry(document, specification)));
    }
    if let Some(associated_files) = resolve(document, catalog.get(b"AF").ok()).and_then(|object| object.as_array().ok()) {
        entries.extend(
            associated_files
                .iter()
                .take(MAXIMUM_FILE_SPECIFICATIONS)
                .filter_map(|specification| resolve_dictionary(document, Some(specification)))
                .filter_map(|specification| embedded_file_entry(document, specification)),
        );
    }
    entries
}

/// The values of a name tree (`/Names [key value ...]` in leaves, `/Kids`
/// in intermediate nodes), depth- and count-bounded.
fn collect_name_tree_values<'a>(document: &'a Document, node: &'a Dictionary, depth: usize, values: &mut Vec<&'a Dictionary>) {
    if depth > MAXIMUM_NAME_TREE_DEPTH || values.len() >= MAXIMUM_FILE_SPECIFICATIONS {
        return;
    }
    if let Some(pairs) = resolve(document, node.get(b"Names").ok()).and_then(|object| object.as_array().ok()) {
        for value in pairs.iter().skip(1).step_by(2) {
            if values.len() >= MAXIMUM_FILE_SPECIFICATIONS {
                return;
            }
            if let Some(specification) = resolve_dictionary(document, Some(value)) {
                values.push(specification);
            }
        }
    }
    if let Some(kids) = resolve(document, node.get(b"Kids").ok()).and_then(|object| object.as_array().ok()) {
        for kid in kids {
            if let Some(kid) = resolve_dictionary(document, Some(kid)) {
                collect_name_tree_values(document, kid, depth + 1, values);
            }
        }
    }
}

/// Every dictionary in the file that has an `/EF` entry (a file
/// specification), wherever it is referenced from.
fn file_specifications_anywhere(document: &Document) -> Vec<EmbeddedFileEntry> {
    document
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dictionary| dictionary.has(b"EF"))
        .take(MAXIMUM_FILE_SPECIFICATIONS)
        .filter_map(|specification| embedded_file_entry(document, specification))
        .collect()
}

/// The name and stream of a file specification with an embedded file.
fn embedded_file_entry(document: &Document, specification: &Dictionary) -> Option<EmbeddedFileEntry> {
    let embedded_files = resolve_dictionary(document, specification.get(b"EF").ok())?;
    let stream_reference = embedded_files.get(b"UF").or_else(|_| embedded_files.get(b"F")).ok()?;
    let stream_id = stream_reference.as_reference().ok()?;
    let name = [b"UF".as_slice(), b"F".as_slice()]
        .iter()
        .filter_map(|key| resolve(document, specification.get(key).ok()))
        .find_map(|object| lopdf::decode_text_string(object).ok())
        .unwrap_or_default();
    Some(EmbeddedFileEntry { name, stream_id })
}

/// Follows a reference (once: lopdf resolves chains) to its object.
fn resolve<'a>(document: &'a Document, object: Option<&'a Object>) -> Option<&'a Object> {
    document.dereference(object?).ok().map(|(_, object)| object)
}

fn resolve_dictionary<'a>(document: &'a Document, object: Option<&'a Object>) -> Option<&'a Dictionary> {
    resolve(document, object)?.as_dict().ok()
}

#[cfg(test)]
mod tests {
    use lopdf::{Stream, dictionary};

    use super::*;

    const MINIMAL_CII: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
  <rsm:ExchangedDocument><ram:ID>FA-1</ram:ID></rsm:ExchangedDocument>
</rsm:CrossIndustryInvoice>"#;

    /// A one-page PDF with the given attachments, listed in the name tree
    /// when `in_name_tree`, else only in `/AF`.
    fn pdf_with_attachments(attachments: &[(&str, &[u8])], in_name_tree: bool) -> Vec<u8> {
        let mut document = Document::with_version("1.7");
        let pages_id = document.new_object_id();
        let page_id = document.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] });
        document.objects.insert(pages_id, Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }));
        let mut name_pairs = Vec::new();
        let mut associated_files = Vec::new();
        for (name, content) in attachments {
            let mut stream = Stream::new(dictionary! { "Type" => "EmbeddedFile", "Subtype" => "text/xml" }, content.to_vec());
            stream.compress().unwrap();
            let stream_id = document.add_object(stream);
            let specification_id = document.add_object(dictionary! {
                "Type" => "Filespec",
                "F" => Object::string_literal(*name),
                "UF" => Object::string_literal(*name),
                "AFRelationship" => "Alternative",
                "EF" => dictionary! { "F" => stream_id },
            });
            name_pairs.push(Object::string_literal(*name));
            name_pairs.push(specification_id.into());
            associated_files.push(Object::from(specification_id));
        }
        let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id, "AF" => associated_files };
        if in_name_tree {
            catalog.set("Names", dictionary! { "EmbeddedFiles" => dictionary! { "Names" => name_pairs } });
        }
        let catalog_id = document.add_object(catalog);
        document.trailer.set("Root", catalog_id);
        let mut bytes = Vec::new();
        document.save_to(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn the_factur_x_attachment_is_found_and_decompressed_from_the_name_tree() {
        let pdf = pdf_with_attachments(&[("logo-notes.txt", b"hello"), ("factur-x.xml", MINIMAL_CII)], true);
        let found = find_einvoice_attachment(&pdf).unwrap();
        assert_eq!(found.attachment_name, "factur-x.xml");
        assert_eq!(found.format, EInvoiceFormat::CrossIndustryInvoice);
        assert_eq!(found.xml, MINIMAL_CII);
        assert_eq!(found.page_count, 1);
    }

    #[test]
    fn an_attachment_listed_only_as_an_associated_file_is_found() {
        let pdf = pdf_with_attachments(&[("ZUGFeRD-invoice.xml", MINIMAL_CII)], false);
        assert_eq!(find_einvoice_attachment(&pdf).unwrap().attachment_name, "ZUGFeRD-invoice.xml");
    }

    #[test]
    fn an_xml_attachment_that_is_not_an_einvoice_is_ignored() {
        let pdf = pdf_with_attachments(&[("factur-x.xml", b"<note>not an invoice</note>"), ("other.xml", b"<a/>")], true);
        assert_eq!(find_einvoice_attachment(&pdf), None);
    }

    #[test]
    fn a_standard_name_is_preferred_over_another_xml_attachment() {
        let other_cii = String::from_utf8_lossy(MINIMAL_CII).replace("FA-1", "FA-2");
        let pdf = pdf_with_attachments(&[("copy.xml", other_cii.as_bytes()), ("xrechnung.xml", MINIMAL_CII)], true);
        let found = find_einvoice_attachment(&pdf).unwrap();
        assert_eq!(found.attachment_name, "xrechnung.xml");
    }

    #[test]
    fn a_pdf_naming_no_attachment_structure_is_not_parsed_a_second_time() {
        assert!(!may_carry_attachments(b"%PDF-1.4 1 0 obj << /Type /Catalog /AFRelationship /Data >> endobj"));
        assert!(may_carry_attachments(b"%PDF-1.7 1 0 obj << /Type /Catalog /AF [5 0 R] >> endobj"));
        assert!(may_carry_attachments(b"%PDF-1.7 7 0 obj << /Type /ObjStm /N 3 >> stream"));
    }

    #[test]
    fn a_pdf_without_attachments_and_garbage_give_none() {
        assert_eq!(find_einvoice_attachment(&pdf_with_attachments(&[], false)), None);
        assert_eq!(find_einvoice_attachment(b"%PDF-1.7 /EmbeddedFile truncated"), None);
    }
}
