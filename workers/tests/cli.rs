//! Integration tests: the real `tramite` binary on real files, each test
//! with its own fresh data folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tramite_synthetic::{generate, GeneratorOptions};

fn tramite(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tramite"));
    command.arg("--data-dir").arg(data_dir).arg("--quiet");
    command.env("TRAMITE_WORKERS_POLL_INTERVAL_MS", "50");
    command.current_dir(data_dir.parent().unwrap());
    command
}

fn run_ok(command: &mut Command) -> String {
    let output: Output = command.output().expect("tramite runs");
    assert!(output.status.success(), "tramite failed: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn status_json(data_dir: &Path) -> serde_json::Value {
    serde_json::from_str(&run_ok(tramite(data_dir).args(["status", "--format", "json"]))).unwrap()
}

/// A few synthetic text-PDF invoices (fast to process) in `inbox`.
fn write_text_invoices(inbox: &Path, count: usize, seed: u64) -> usize {
    std::fs::create_dir_all(inbox).unwrap();
    let options = GeneratorOptions { seed, invoices: count, identities: 0, scanned_share: 0.0, defect_share: 0.0, ..GeneratorOptions::default() };
    let documents = generate(&options);
    tramite_synthetic::write_corpus(inbox, &documents).unwrap();
    std::fs::remove_file(inbox.join("truth.jsonl")).unwrap();
    documents.len()
}

fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let inbox = folder.path().join("inbox");
    (folder, data_dir, inbox)
}

#[test]
fn uploading_the_same_folder_twice_registers_nothing_new_the_second_time() {
    let (_folder, data_dir, inbox) = workspace();
    let count = write_text_invoices(&inbox, 4, 1);
    let first = run_ok(tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox));
    assert!(first.contains(&format!("{count} new")), "{first}");
    let second = run_ok(tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox));
    assert!(second.contains("0 new") && second.contains(&format!("{count} already uploaded")), "{second}");
    assert_eq!(status_json(&data_dir)["states"]["received"], count as u64);
}

#[test]
fn an_unreadable_path_is_reported_and_the_others_are_uploaded_with_exit_code_3() {
    let (_folder, data_dir, inbox) = workspace();
    write_text_invoices(&inbox, 1, 2);
    let output = tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox).arg(inbox.join("missing.pdf")).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.pdf"));
    assert_eq!(status_json(&data_dir)["states"]["received"], 1);
}

#[test]
fn exporting_twice_exports_nothing_the_second_time() {
    let (folder, data_dir, inbox) = workspace();
    write_text_invoices(&inbox, 5, 3);
    run_ok(tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox));
    run_ok(tramite(&data_dir).args(["run", "--until-idle"]));
    let approved = status_json(&data_dir)["states"]["approved"].as_u64().unwrap();
    assert!(approved > 0, "clean synthetic invoices should be approved");
    let first_file = folder.path().join("first.csv");
    let first = run_ok(tramite(&data_dir).args(["export", "--format", "csv", "--out"]).arg(&first_file));
    assert!(first.contains(&format!("exported {approved} documents")), "{first}");
    let rows = csv::Reader::from_path(&first_file).unwrap().records().count() as u64;
    assert_eq!(rows, approved);
    let second_file = folder.path().join("second.csv");
    let second = run_ok(tramite(&data_dir).args(["export", "--format", "csv", "--out"]).arg(&second_file));
    assert!(second.contains("nothing to export"), "{second}");
    assert!(!second_file.exists());
    let status = status_json(&data_dir);
    assert_eq!(status["states"]["exported"], approved);
    assert_eq!(status["states"]["approved"], 0);
}

fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::GrayImage::new(width, height).write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn encrypt_with_qpdf(source: &Path, target: &Path) {
    let status = Command::new("qpdf")
        .args(["--encrypt", "user-secret", "owner-secret", "256", "--"])
        .arg(source)
        .arg(target)
        .status()
        .expect("qpdf is installed by the README's test command");
    assert!(status.success());
}

#[test]
fn each_broken_file_fails_with_its_own_code_and_the_good_files_beside_it_are_processed() {
    let (folder, data_dir, inbox) = workspace();
    let good = write_text_invoices(&inbox, 2, 4);
    let any_pdf = std::fs::read_dir(&inbox).unwrap().map(|entry| entry.unwrap().path()).find(|path| path.extension().is_some_and(|ext| ext == "pdf")).unwrap();
    let pdf_bytes = std::fs::read(&any_pdf).unwrap();
    std::fs::write(inbox.join("empty.pdf"), b"").unwrap();
    std::fs::write(inbox.join("truncated.pdf"), &pdf_bytes[..pdf_bytes.len() / 3]).unwrap();
    encrypt_with_qpdf(&any_pdf, &folder.path().join("encrypted.pdf"));
    std::fs::rename(folder.path().join("encrypted.pdf"), inbox.join("encrypted.pdf")).unwrap();
    std::fs::write(inbox.join("notes.pdf"), b"This is a text file with a .pdf name.\n").unwrap();
    std::fs::write(inbox.join("pixel.png"), png_bytes(1, 1)).unwrap();
    run_ok(tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox));
    run_ok(tramite(&data_dir).args(["run", "--until-idle"]));

    let history = |name: &str| -> serde_json::Value {
        let document_id = document_id_of(&data_dir, name);
        serde_json::from_str(&run_ok(tramite(&data_dir).args(["history", "--format", "json"]).arg(document_id.to_string()))).unwrap()
    };
    let expected = [("empty.pdf", "empty_file"), ("truncated.pdf", "corrupt"), ("encrypted.pdf", "encrypted"), ("notes.pdf", "unsupported_format"), ("pixel.png", "image_too_small")];
    for (name, code) in expected {
        let document = history(name);
        assert_eq!(document["document"]["state"], "failed", "{name}");
        assert_eq!(document["document"]["error_code"], code, "{name}");
        let message = document["document"]["error_message"].as_str().unwrap();
        assert!(message.len() > 20, "{name}: the message says what happened and what to do: {message}");
    }
    let status = status_json(&data_dir);
    assert_eq!(status["states"]["failed"], 5);
    assert_eq!(status["states"]["approved"].as_u64().unwrap() + status["states"]["in_review"].as_u64().unwrap(), good as u64);
}

/// The id of the document uploaded from a file with this name.
fn document_id_of(data_dir: &Path, file_name: &str) -> i64 {
    for document_id in 1..100 {
        let output = Command::new(env!("CARGO_BIN_EXE_tramite")).arg("--data-dir").arg(data_dir).args(["history", "--format", "json"]).arg(document_id.to_string()).output().unwrap();
        if !output.status.success() {
            break;
        }
        let history: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        if history["document"]["original_name"].as_str().unwrap().ends_with(file_name) {
            return document_id;
        }
    }
    panic!("no document named {file_name}");
}

#[test]
fn extract_prints_one_contract_line_per_file_of_the_invoice2data_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/invoice2data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus).unwrap().map(|entry| entry.unwrap().path()).filter(|path| path.extension().is_some_and(|ext| ext == "pdf")).collect();
    files.sort();
    assert!(files.len() >= 10);
    let (_folder, data_dir, _) = workspace();
    let output = run_ok(tramite(&data_dir).args(["extract", "--format", "jsonl"]).args(&files));
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), files.len());
    for (line, file) in lines.iter().zip(&files) {
        let document: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(document["file"], file.display().to_string());
        assert_eq!(document["sha256"].as_str().unwrap().len(), 64);
        assert!(["invoice", "identity", "unknown"].contains(&document["kind"].as_str().unwrap()));
        assert!(document["fields"].is_object());
        assert!(document["error"].is_null(), "{}: {}", file.display(), document["error"]);
        assert!(document["pages"].as_u64().unwrap() >= 1);
        assert!(["text_layer", "xml", "mixed"].contains(&document["source"].as_str().unwrap()), "{}: born-digital, no OCR", file.display());
        for (name, field) in document["fields"].as_object().unwrap() {
            let confidence = field["confidence"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&confidence), "{name}");
            assert!(field["value"].is_string() && field["page"].as_u64().unwrap() >= 1, "{name}");
        }
    }
    let invoices = lines.iter().filter(|line| line.contains("\"kind\":\"invoice\"")).count();
    assert!(invoices >= files.len() - 1, "nearly every corpus PDF is recognised as an invoice ({invoices}/{})", files.len());
}

#[test]
fn extract_reports_a_bad_file_and_goes_on_with_the_next() {
    let (folder, data_dir, inbox) = workspace();
    write_text_invoices(&inbox, 1, 5);
    let good = std::fs::read_dir(&inbox).unwrap().map(|entry| entry.unwrap().path()).next().unwrap();
    let bad = folder.path().join("bad.pdf");
    std::fs::write(&bad, b"%PDF-1.4 garbage").unwrap();
    let output = run_ok(tramite(&data_dir).args(["extract", "--format", "jsonl"]).arg(&bad).arg(&good));
    let lines: Vec<serde_json::Value> = output.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["code"], "corrupt");
    assert!(lines[1]["error"].is_null());
    assert_eq!(lines[1]["kind"], "invoice");
}

#[test]
fn an_unknown_configuration_key_is_rejected_with_its_name() {
    let (folder, data_dir, _) = workspace();
    let config = folder.path().join("tramite.toml");
    std::fs::write(&config, "[workers]\nleese_seconds = 5\n").unwrap();
    let output = tramite(&data_dir).arg("--config").arg(&config).arg("status").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("leese_seconds") && stderr.contains("tramite.toml"), "{stderr}");
}

#[test]
fn a_reader_that_stops_early_ends_the_command_with_status_141_and_no_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/invoice2data");
    let files: Vec<PathBuf> = ["AzureInterior.pdf", "saeco.pdf", "oyo.pdf"].iter().map(|name| corpus.join(name)).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tramite"))
        .args(["extract", "--format", "jsonl"])
        .args(&files)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close our end of the pipe before the command writes its first line.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}

#[test]
fn a_supplier_template_reads_the_invoice_number_the_generic_reading_strips_of_its_hash() {
    let (_folder, data_dir, _) = workspace();
    let flipkart = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/invoice2data/FlipkartInvoice.pdf");
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates/invoice2data");
    let read = |with_templates: bool| -> serde_json::Value {
        let mut command = tramite(&data_dir);
        if with_templates {
            command.env("TRAMITE_READ_SUPPLIER_TEMPLATES_DIR", &templates);
        }
        serde_json::from_str(&run_ok(command.args(["extract", "--format", "jsonl"]).arg(&flipkart))).unwrap()
    };
    assert_eq!(read(false)["fields"]["invoice_number"]["value"], "BLR_WFLD20151000982590");
    let templated = read(true);
    assert_eq!(templated["fields"]["invoice_number"]["value"], "#BLR_WFLD20151000982590");
    assert_eq!(templated["fields"]["invoice_number"]["confidence"], 0.95);
    assert_eq!(templated["fields"]["currency"]["value"], "INR");
    assert_eq!(templated["fields"]["total"]["value"], "319.00", "fields the template does not name are read the generic way");
}

#[test]
fn a_broken_supplier_template_stops_tramite_naming_its_file_and_field() {
    let (folder, data_dir, _) = workspace();
    let templates = folder.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("acme.toml"), "name = \"Acme\"\nkeywords = [\"Acme\"]\n[fields]\ninvoice_nr = { after = \"No.\" }\n").unwrap();
    let invoice = folder.path().join("invoice.txt");
    std::fs::write(&invoice, "Acme\nInvoice No. 7\nTotal 10.00\n").unwrap();
    let output = tramite(&data_dir).env("TRAMITE_READ_SUPPLIER_TEMPLATES_DIR", &templates).args(["extract"]).arg(&invoice).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("acme.toml") && error.contains("`invoice_nr`") && error.contains("invoice_number"), "{error}");
}
