//! Regression test for issue 3: extraction accuracy must not drop below the
//! last recorded figure on the public corpus and on the project's own
//! synthetic corpus (fixed seed). The floors live in
//! `docs/accuracy-floors.toml`; raise them when accuracy improves.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(serde::Deserialize)]
struct Floors {
    corpus: Vec<CorpusFloor>,
}

#[derive(serde::Deserialize)]
struct CorpusFloor {
    name: String,
    /// A folder under shared/corpus, or "synthetic" for the generated one.
    path: String,
    #[serde(default)]
    ignore_embedded_xml: bool,
    /// A folder of supplier templates, relative to the repository root.
    #[serde(default)]
    supplier_templates_dir: Option<String>,
    accuracy_floor: f64,
    silent_error_ceiling: f64,
}

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The project's own corpora, generated from fixed seeds: `synthetic` mixes
/// text PDFs, 200 dpi scans, photos and identity pages;
/// `synthetic-scans-300dpi` is invoices only, all scanned (two thirds
/// flatbed at 300 dpi, a third phone photos).
fn synthetic_corpus(folder: &Path, name: &str) -> PathBuf {
    let corpus = folder.join(name);
    std::fs::create_dir_all(&corpus).unwrap();
    let options = match name {
        "synthetic" => tramite_synthetic::GeneratorOptions { seed: 20_261_123, invoices: 36, identities: 8, scanned_share: 0.3, defect_share: 0.2, ..Default::default() },
        "synthetic-scans-300dpi" => {
            tramite_synthetic::GeneratorOptions { seed: 4242, invoices: 30, identities: 0, scanned_share: 1.0, defect_share: 0.2, scan_dpi: 300 }
        }
        other => panic!("no synthetic corpus named {other} in docs/accuracy-floors.toml"),
    };
    tramite_synthetic::write_corpus(&corpus, &tramite_synthetic::generate(&options)).unwrap();
    corpus
}

#[test]
fn accuracy_holds_the_recorded_floor_on_every_corpus() {
    let floors: Floors = toml::from_str(&std::fs::read_to_string(repository_root().join("docs/accuracy-floors.toml")).unwrap()).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for floor in &floors.corpus {
        let corpus = if floor.path.starts_with("synthetic") { synthetic_corpus(folder.path(), &floor.path) } else { repository_root().join("../shared/corpus").join(&floor.path) };
        let mut command = Command::new(env!("CARGO_BIN_EXE_tramite"));
        command.args(["eval", "--format", "json", "--corpus"]).arg(&corpus).current_dir(folder.path());
        if floor.ignore_embedded_xml {
            command.arg("--ignore-embedded-xml");
        }
        if let Some(templates) = &floor.supplier_templates_dir {
            command.env("TRAMITE_READ_SUPPLIER_TEMPLATES_DIR", repository_root().join(templates));
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}: {}", floor.name, String::from_utf8_lossy(&output.stderr));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let correct = report["overall"]["correct"].as_f64().unwrap();
        let total = report["overall"]["total"].as_f64().unwrap();
        let accuracy = 100.0 * correct / total;
        let silent = 100.0 * report["silent_errors"].as_array().unwrap().len() as f64 / total;
        println!("{:<28} accuracy {accuracy:6.2}% (floor {:.2}%) · silent errors {silent:5.2}% (ceiling {:.2}%)", floor.name, floor.accuracy_floor, floor.silent_error_ceiling);
        if accuracy < floor.accuracy_floor {
            failures.push(format!("{}: accuracy {accuracy:.2}% fell below {:.2}%", floor.name, floor.accuracy_floor));
        }
        if silent > floor.silent_error_ceiling {
            failures.push(format!("{}: silent errors {silent:.2}% rose above {:.2}%", floor.name, floor.silent_error_ceiling));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
