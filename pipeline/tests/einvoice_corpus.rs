//! The structured e-invoice corpus, end to end through `extract_document`:
//! every file listed in `shared/corpus/einvoice/truth.jsonl` (Facturae, UBL,
//! CFDI XML) and every PDF in `shared/corpus/zugferd/truth.jsonl` (Factur-X /
//! ZUGFeRD / XRechnung PDFs carrying CII XML), scored field by field
//! against the ground truth, with the accuracy printed per format
//! (`cargo test -p tramite-pipeline --test einvoice_corpus -- --nocapture`).
//!
//! Every field of the ground truth is read from the XML. The only fields
//! that differ from `truth.jsonl` are the documented disagreements in
//! [`DISAGREEMENTS_WITH_TRUTH`], where the XML was read again and the
//! contract (`shared/contract/extraction.md`) decides against the truth
//! file; the test fails on any other difference, so the measured accuracy
//! (asserted as a floor) cannot drift silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::Value;
use tramite_pipeline::einvoice::pdf_attachment::find_einvoice_attachment;
use tramite_pipeline::einvoice::{parse_einvoice_xml, EINVOICE_FIELD_CONFIDENCE};
use tramite_pipeline::extract::{extract_document, ExtractOptions};
use tramite_pipeline::extraction::{DocumentKind, ExtractedDocument, TextSource};
use tramite_pipeline::read::ocr::FixedTextOcr;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

/// A field where this reader and `truth.jsonl` differ on purpose.
struct DisagreementWithTruth {
    file: &'static str,
    field: &'static str,
    truth_value: &'static str,
    extracted_value: &'static str,
    reason: &'static str,
}

const MULTI_LINE_NAME: &str = "the XML writes the name over two lines; the contract's normal form for names is single spaces, the truth kept the line break";
const CFDI_TAX_BASE: &str = "CFDI with Descuento: the contract's subtotal is the tax base, SubTotal - Descuento (then subtotal + tax = Total, as truth/README claims for every file but cfdi33-real); the truth took SubTotal before the discount";
const CREDIT_NOTE_SIGN: &str = "credit note by document type with unsigned amounts in the XML; the contract says credit notes carry negative amounts, the truth copied the unsigned XML value";

/// Where the extraction and `truth.jsonl` disagree, and why the extraction
/// is kept. Each was checked against the XML by hand.
const DISAGREEMENTS_WITH_TRUTH: &[DisagreementWithTruth] = &[
    // cfdi/cfdi40-valid.xml: SubTotal="3824.15" Descuento="956.04" TotalImpuestosTrasladados="458.90" Total="3327.01".
    DisagreementWithTruth { file: "cfdi/cfdi40-valid.xml", field: "subtotal", truth_value: "3824.15", extracted_value: "2868.11", reason: CFDI_TAX_BASE },
    // cfdi/created-with-discounts-40.xml: SubTotal="3300.00" Descuento="500.00" TotalImpuestosTrasladados="448.00" Total="3248.00".
    DisagreementWithTruth { file: "cfdi/created-with-discounts-40.xml", field: "subtotal", truth_value: "3300.00", extracted_value: "2800.00", reason: CFDI_TAX_BASE },
    // ubl/gobl-peppol-credit-note.xml: <CreditNote>, CreditNoteTypeCode 381, LegalMonetaryTotal all positive.
    DisagreementWithTruth { file: "ubl/gobl-peppol-credit-note.xml", field: "subtotal", truth_value: "1800.00", extracted_value: "-1800.00", reason: CREDIT_NOTE_SIGN },
    DisagreementWithTruth { file: "ubl/gobl-peppol-credit-note.xml", field: "tax_amount", truth_value: "342.00", extracted_value: "-342.00", reason: CREDIT_NOTE_SIGN },
    DisagreementWithTruth { file: "ubl/gobl-peppol-credit-note.xml", field: "total", truth_value: "2142.00", extracted_value: "-2142.00", reason: CREDIT_NOTE_SIGN },
    // Avoir_FR_type381_BASIC: TypeCode 381 ("avoir"), summation amounts positive.
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/FNFE-factur-x-examples/Avoir_FR_type381_BASIC.pdf", field: "subtotal", truth_value: "218.48", extracted_value: "-218.48", reason: CREDIT_NOTE_SIGN },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/FNFE-factur-x-examples/Avoir_FR_type381_BASIC.pdf", field: "tax_amount", truth_value: "14.99", extracted_value: "-14.99", reason: CREDIT_NOTE_SIGN },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/FNFE-factur-x-examples/Avoir_FR_type381_BASIC.pdf", field: "total", truth_value: "233.47", extracted_value: "-233.47", reason: CREDIT_NOTE_SIGN },
    // The MVM insurance examples: <ram:Name>MVM Musterhafter\nVersicherungsverein Musterstadt a.G.\n</ram:Name>, <ram:Name>Herrn\nMax Mustermann\n</ram:Name>.
    DisagreementWithTruth { file: "XML-Rechnung/FX/EN16931_Haftpflichtversicherung_Versicherungssteuer.pdf", field: "supplier_name", truth_value: "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.", extracted_value: "MVM Musterhafter Versicherungsverein Musterstadt a.G.", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "XML-Rechnung/FX/EN16931_Haftpflichtversicherung_Versicherungssteuer.pdf", field: "customer_name", truth_value: "Herrn\nMax Mustermann", extracted_value: "Herrn Max Mustermann", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "XML-Rechnung/FX/EN16931_Kraftfahrversicherung_Bruttopreise.pdf", field: "supplier_name", truth_value: "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.", extracted_value: "MVM Musterhafter Versicherungsverein Musterstadt a.G.", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "XML-Rechnung/FX/EN16931_Kraftfahrversicherung_Bruttopreise.pdf", field: "customer_name", truth_value: "Herrn\nMax Mustermann", extracted_value: "Herrn Max Mustermann", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "XML-Rechnung/FX/EN16931_Sachversicherung_berechneter_Steuersatz.pdf", field: "supplier_name", truth_value: "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.", extracted_value: "MVM Musterhafter Versicherungsverein Musterstadt a.G.", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "XML-Rechnung/FX/EN16931_Sachversicherung_berechneter_Steuersatz.pdf", field: "customer_name", truth_value: "Herrn\nMax Mustermann", extracted_value: "Herrn Max Mustermann", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Haftpflichtversicherung_Versicherungssteuer.pdf", field: "supplier_name", truth_value: "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.", extracted_value: "MVM Musterhafter Versicherungsverein Musterstadt a.G.", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Haftpflichtversicherung_Versicherungssteuer.pdf", field: "customer_name", truth_value: "Herrn\nMax Mustermann", extracted_value: "Herrn Max Mustermann", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Kraftfahrversicherung_Bruttopreise.pdf", field: "supplier_name", truth_value: "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.", extracted_value: "MVM Musterhafter Versicherungsverein Musterstadt a.G.", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Kraftfahrversicherung_Bruttopreise.pdf", field: "customer_name", truth_value: "Herrn\nMax Mustermann", extracted_value: "Herrn Max Mustermann", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Sachversicherung_berechneter_Steuersatz.pdf", field: "supplier_name", truth_value: "MVM Musterhafter\nVersicherungsverein Musterstadt a.G.", extracted_value: "MVM Musterhafter Versicherungsverein Musterstadt a.G.", reason: MULTI_LINE_NAME },
    DisagreementWithTruth { file: "ZUGFeRDv2/correct/intarsys/EN16931/zugferd_2p0_EN16931_Sachversicherung_berechneter_Steuersatz.pdf", field: "customer_name", truth_value: "Herrn\nMax Mustermann", extracted_value: "Herrn Max Mustermann", reason: MULTI_LINE_NAME },
];

/// One line of a `truth.jsonl`.
struct TruthEntry {
    file: String,
    format: String,
    fields: BTreeMap<String, String>,
    line_count: Option<usize>,
}

fn read_truth(folder: &str) -> Vec<TruthEntry> {
    let path = Path::new(CORPUS).join(folder).join("truth.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let entry: Value = serde_json::from_str(line).expect("truth lines are JSON");
            let fields = entry["fields"]
                .as_object()
                .expect("truth lines have fields")
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().expect("truth values are strings").to_string()))
                .collect();
            TruthEntry {
                file: entry["file"].as_str().expect("truth lines name their file").to_string(),
                format: entry["format"].as_str().map(str::to_string).unwrap_or_default(),
                fields,
                line_count: entry["line_count"].as_u64().map(|count| count as usize),
            }
        })
        .collect()
}

/// True for a PDF whose embedded XML is a Factur-X MINIMUM or BASIC WL
/// profile, which the visual reading may complete (`source: "mixed"`).
fn carries_a_partial_factur_x_profile(path: &Path) -> bool {
    let bytes = std::fs::read(path).expect("a corpus file");
    find_einvoice_attachment(&bytes)
        .and_then(|attachment| parse_einvoice_xml(&attachment.xml).ok())
        .is_some_and(|einvoice| einvoice.is_partial_profile())
}

fn extract(path: &Path, label: &str, options: &ExtractOptions) -> ExtractedDocument {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    extract_document(label, &bytes, &FixedTextOcr::default(), options)
}

/// Correct and total ground-truth fields.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    correct: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.correct += other.correct;
        self.total += other.total;
    }

    fn percent(self) -> f64 {
        if self.total == 0 { 100.0 } else { self.correct as f64 * 100.0 / self.total as f64 }
    }
}

/// Scores one corpus folder; returns the tally per format, the tally
/// once the documented disagreements count as correct, and every problem
/// that is not a documented disagreement.
fn score_folder(folder: &str, entries: &[TruthEntry], format_of: impl Fn(&TruthEntry) -> String) -> (BTreeMap<String, Tally>, Tally, Vec<String>) {
    let mut per_format: BTreeMap<String, Tally> = BTreeMap::new();
    let mut with_documented_disagreements = Tally::default();
    let mut problems = Vec::new();
    let options = ExtractOptions::default();
    for entry in entries {
        let document = extract(&Path::new(CORPUS).join(folder).join(&entry.file), &entry.file, &options);
        if let Some(error) = &document.error {
            problems.push(format!("{}: failed with {}: {}", entry.file, error.code, error.message));
            continue;
        }
        if document.kind != DocumentKind::Invoice {
            problems.push(format!("{}: kind {:?}, expected invoice", entry.file, document.kind));
        }
        let completed_visually = document.source == Some(TextSource::Mixed) && carries_a_partial_factur_x_profile(&Path::new(CORPUS).join(folder).join(&entry.file));
        if document.source != Some(TextSource::Xml) && !completed_visually {
            problems.push(format!("{}: source {:?}, expected every field from the XML", entry.file, document.source));
        }
        for name in entry.fields.keys() {
            if document.fields.get(name).is_some_and(|field| field.confidence != EINVOICE_FIELD_CONFIDENCE) {
                problems.push(format!("{}: the ground-truth field {name} did not come from the XML", entry.file));
            }
        }
        if let Some(expected_lines) = entry.line_count
            && document.line_items.len() != expected_lines
        {
            problems.push(format!("{}: {} line items, truth has {expected_lines}", entry.file, document.line_items.len()));
        }
        let mut tally = Tally::default();
        for (name, truth_value) in &entry.fields {
            tally.total += 1;
            with_documented_disagreements.total += 1;
            let extracted = document.value(name);
            if extracted == Some(truth_value.as_str()) {
                tally.correct += 1;
                with_documented_disagreements.correct += 1;
                continue;
            }
            let documented = DISAGREEMENTS_WITH_TRUTH.iter().any(|disagreement| {
                disagreement.file == entry.file && disagreement.field == name && disagreement.truth_value == truth_value && Some(disagreement.extracted_value) == extracted
            });
            if documented {
                with_documented_disagreements.correct += 1;
            } else {
                problems.push(format!("{}: {name} = {extracted:?}, truth {truth_value:?}", entry.file));
            }
        }
        per_format.entry(format_of(entry)).or_default().add(tally);
    }
    (per_format, with_documented_disagreements, problems)
}

fn print_tallies(folder: &str, per_format: &BTreeMap<String, Tally>, with_documented_disagreements: Tally) -> Tally {
    let mut overall = Tally::default();
    for (format, tally) in per_format {
        println!("  {folder:<9} {format:<45} {:>4}/{:<4} {:6.2}%", tally.correct, tally.total, tally.percent());
        overall.add(*tally);
    }
    println!("  {folder:<9} {:<45} {:>4}/{:<4} {:6.2}%", "ALL (against truth.jsonl)", overall.correct, overall.total, overall.percent());
    println!(
        "  {folder:<9} {:<45} {:>4}/{:<4} {:6.2}%",
        "ALL (documented disagreements counted right)",
        with_documented_disagreements.correct,
        with_documented_disagreements.total,
        with_documented_disagreements.percent()
    );
    overall
}

#[test]
fn every_einvoice_xml_in_the_corpus_gives_its_ground_truth_fields() {
    let entries = read_truth("einvoice");
    assert_eq!(entries.len(), 27, "the einvoice corpus lists 27 files");
    let family = |entry: &TruthEntry| entry.format.split(" (").next().unwrap_or(&entry.format).to_string();
    let (per_format, with_documented_disagreements, problems) = score_folder("einvoice", &entries, family);
    println!("field accuracy, shared/corpus/einvoice:");
    let overall = print_tallies("einvoice", &per_format, with_documented_disagreements);
    assert!(problems.is_empty(), "differences from truth.jsonl that are not documented disagreements:\n{}", problems.join("\n"));
    assert_eq!(with_documented_disagreements.correct, with_documented_disagreements.total);
    // 286 of 291 against truth.jsonl: the five misses are the documented
    // credit-note signs of ubl/gobl-peppol-credit-note.xml (3) and the CFDI
    // subtotals after Descuento (2).
    assert!(overall.correct >= 286, "accuracy fell to {}/{}", overall.correct, overall.total);
}

#[test]
fn every_zugferd_pdf_in_the_corpus_gives_its_ground_truth_fields_from_the_embedded_xml() {
    let entries: Vec<TruthEntry> = read_truth("zugferd").into_iter().filter(|entry| entry.file.ends_with(".pdf")).collect();
    assert_eq!(entries.len(), 56, "the zugferd corpus lists 56 PDFs");
    let source_folder = |entry: &TruthEntry| {
        let parts: Vec<&str> = entry.file.split('/').collect();
        parts[..parts.len() - 1].join("/")
    };
    let started = Instant::now();
    let (per_format, with_documented_disagreements, problems) = score_folder("zugferd", &entries, source_folder);
    let elapsed = started.elapsed();
    println!("field accuracy, shared/corpus/zugferd (PDFs read from their embedded CII XML):");
    let overall = print_tallies("zugferd", &per_format, with_documented_disagreements);
    println!(
        "  extracting the {} PDFs took {:.1} ms ({:.2} ms per PDF, this build profile)",
        entries.len(),
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / entries.len() as f64
    );
    assert!(problems.is_empty(), "differences from truth.jsonl that are not documented disagreements:\n{}", problems.join("\n"));
    assert_eq!(with_documented_disagreements.correct, with_documented_disagreements.total);
    // 506 of 521 against truth.jsonl: the misses are the 12 single-spaced
    // MVM names and the 3 credit-note signs of Avoir_FR_type381_BASIC.
    assert!(overall.correct >= 506, "accuracy fell to {}/{}", overall.correct, overall.total);
    assert!(elapsed < Duration::from_secs(60), "reading 56 embedded XMLs took {elapsed:?}");
}

#[test]
fn subtotal_plus_tax_minus_withholding_gives_the_total_on_every_einvoice_but_the_one_with_a_local_tax() {
    let amount = |document: &ExtractedDocument, name: &str| document.value(name).map(|value| value.parse::<Decimal>().expect("a normal-form amount"));
    let mut checked = 0;
    for (folder, entries) in [("einvoice", read_truth("einvoice")), ("zugferd", read_truth("zugferd"))] {
        for entry in entries {
            if entry.file == "cfdi/cfdi33-real.xml" {
                // Its Total includes a 27.43 local tax (implocal) that is not VAT.
                continue;
            }
            let document = extract(&Path::new(CORPUS).join(folder).join(&entry.file), &entry.file, &ExtractOptions::default());
            let (Some(subtotal), Some(total)) = (amount(&document, "subtotal"), amount(&document, "total")) else {
                panic!("{}: no subtotal or total", entry.file)
            };
            let tax = amount(&document, "tax_amount").unwrap_or_default();
            let withholding = amount(&document, "withholding_amount").unwrap_or_default();
            assert_eq!(subtotal + tax - withholding, total, "{}", entry.file);
            checked += 1;
        }
    }
    assert_eq!(checked, 82);
}

#[test]
fn every_documented_disagreement_still_names_a_real_truth_value() {
    let mut truth_by_file: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for folder in ["einvoice", "zugferd"] {
        for entry in read_truth(folder) {
            truth_by_file.insert(entry.file, entry.fields);
        }
    }
    for disagreement in DISAGREEMENTS_WITH_TRUTH {
        let truth = truth_by_file.get(disagreement.file).and_then(|fields| fields.get(disagreement.field));
        assert_eq!(truth.map(String::as_str), Some(disagreement.truth_value), "{} {}: {}", disagreement.file, disagreement.field, disagreement.reason);
    }
}

#[test]
fn a_zugferd_pdf_read_with_its_xml_ignored_comes_from_the_text_layer() {
    let path = Path::new(CORPUS).join("zugferd/XML-Rechnung/FX/EN16931_Einfach.pdf");
    let from_xml = extract(&path, "EN16931_Einfach.pdf", &ExtractOptions::default());
    assert_eq!(from_xml.source, Some(TextSource::Xml));
    let visual = extract(&path, "EN16931_Einfach.pdf", &ExtractOptions { ignore_embedded_xml: true, ..ExtractOptions::default() });
    assert_eq!(visual.error, None);
    assert_eq!(visual.source, Some(TextSource::TextLayer));
    assert_eq!(visual.pages, from_xml.pages);
    println!("visual reading of EN16931_Einfach.pdf: {:?}", visual.fields.iter().map(|(name, field)| (name.as_str(), field.value.as_str())).collect::<Vec<_>>());
}

#[test]
fn the_embedded_xml_read_on_its_own_gives_the_same_fields_as_the_pdf_that_carries_it() {
    let mut compared = 0;
    let mut folders = vec![PathBuf::from(CORPUS).join("zugferd")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a corpus folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let Some(pdf_name) = path.file_name().and_then(|name| name.to_str()).and_then(|name| name.strip_suffix(".embedded.xml")) else { continue };
            let pdf_path = path.with_file_name(format!("{pdf_name}.pdf"));
            let from_xml = extract(&path, pdf_name, &ExtractOptions::default());
            let from_pdf = extract(&pdf_path, pdf_name, &ExtractOptions::default());
            assert_eq!(from_xml.error, None, "{pdf_name}");
            assert_eq!(from_xml.source, Some(TextSource::Xml), "{pdf_name}");
            assert_eq!(from_xml.kind, DocumentKind::Invoice, "{pdf_name}");
            assert_eq!(from_xml.pages, 1);
            if from_pdf.source == Some(TextSource::Xml) {
                assert_eq!(from_xml.fields, from_pdf.fields, "{pdf_name}");
                assert_eq!(from_xml.line_items, from_pdf.line_items, "{pdf_name}");
            } else {
                assert!(from_xml.fields.iter().all(|(name, field)| from_pdf.fields.get(name) == Some(field)), "{pdf_name}: the XML's fields win");
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 56, "every zugferd PDF has its embedded XML beside it");
}

#[test]
fn every_standalone_cii_file_is_read_as_xml_without_ocr() {
    let folder = Path::new(CORPUS).join("zugferd/XML-Rechnung/CII");
    let mut read = 0;
    for entry in std::fs::read_dir(&folder).expect("the CII folder exists") {
        let path = entry.expect("a directory entry").path();
        let document = extract(&path, "invoice.cii.xml", &ExtractOptions::default());
        assert_eq!(document.error, None, "{}", path.display());
        assert_eq!(document.source, Some(TextSource::Xml), "{}", path.display());
        assert!(document.value("total").is_some() && document.value("invoice_number").is_some(), "{}", path.display());
        read += 1;
    }
    assert_eq!(read, 27);
}

#[test]
fn a_minimum_profile_is_completed_from_the_page_when_the_page_reading_agrees_with_the_xml() {
    let folder = Path::new(CORPUS).join("zugferd/ZUGFeRDv2/correct/FNFE-factur-x-examples");
    // The BASIC WL twin of each MINIMUM file carries the due date and the IBAN in its XML.
    let twin_value = |twin: &str, name: &str| extract(&folder.join(twin), twin, &ExtractOptions::default()).value(name).map(str::to_string);
    // Facture_UE prints US dates (11/03/2017 for 3 November); its payment
    // line (11/17/2017) proves the order, so its page agrees with the XML too.
    for (minimum, basic_wl) in [
        ("Facture_FR_MINIMUM.pdf", "Facture_FR_BASICWL.pdf"),
        ("Facture_DOM_MINIMUM.pdf", "Facture_DOM_BASICWL.pdf"),
        ("Facture_UE_MINIMUM.pdf", "Facture_UE_BASICWL.pdf"),
    ] {
        let document = extract(&folder.join(minimum), minimum, &ExtractOptions::default());
        assert_eq!(document.source, Some(TextSource::Mixed), "{minimum}");
        assert_eq!(document.value("due_date").map(str::to_string), twin_value(basic_wl, "due_date"), "{minimum}");
        assert_eq!(document.value("iban").map(str::to_string), twin_value(basic_wl, "iban"), "{minimum}");
        assert!(document.fields["due_date"].confidence < EINVOICE_FIELD_CONFIDENCE, "a visual field keeps the visual confidence");
    }
}

#[test]
fn a_bank_statement_xml_is_refused_as_unsupported_and_names_the_supported_formats() {
    let camt_folder = Path::new(CORPUS).join("bank/camt053");
    let camt_file = std::fs::read_dir(&camt_folder)
        .expect("the camt053 folder exists")
        .map(|entry| entry.expect("a directory entry").path())
        .find(|path| path.extension().is_some_and(|extension| extension == "xml"))
        .expect("a camt.053 XML file");
    let document = extract(&camt_file, "statement.xml", &ExtractOptions::default());
    let error = document.error.expect("a camt.053 statement is not an invoice");
    assert_eq!(error.code, "unsupported_format");
    for format in ["CII", "UBL", "Facturae", "CFDI"] {
        assert!(error.message.contains(format), "{}", error.message);
    }
    assert_eq!(document.kind, DocumentKind::Unknown);
}
