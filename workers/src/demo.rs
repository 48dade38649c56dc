//! `tramite demo`: a realistic sample run. Generates synthetic invoices and
//! identity pages (some scanned, some with planted defects, plus a few
//! broken files), uploads them, processes until idle, and exports.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes the demo sample into `inbox` and returns how many files it holds.
/// The ground truth goes beside the inbox, in `truth.jsonl` of its parent,
/// so `tramite eval --corpus PARENT` scores the demo documents.
pub fn write_demo_inbox(inbox: &Path, seed: u64) -> Result<usize> {
    std::fs::create_dir_all(inbox).with_context(|| format!("could not create {}", inbox.display()))?;
    let documents = tramite_synthetic::demo_batch(seed);
    tramite_synthetic::write_corpus(inbox, &documents).with_context(|| format!("could not write the demo documents to {}", inbox.display()))?;
    let inbox_name = inbox.file_name().map(|name| name.to_string_lossy().to_string()).unwrap_or_default();
    let truth: Vec<String> = documents
        .iter()
        .map(|document| {
            let mut line = tramite_synthetic::truth_line(document);
            line["file"] = serde_json::Value::String(format!("{inbox_name}/{}", document.file_name));
            line.to_string()
        })
        .collect();
    let parent = inbox.parent().unwrap_or(Path::new("."));
    std::fs::write(parent.join("truth.jsonl"), truth.join("\n") + "\n").context("could not write the demo's truth.jsonl")?;
    std::fs::remove_file(inbox.join("truth.jsonl")).context("could not move the demo's truth.jsonl out of the inbox")?;
    // Files a real inbox receives too: each must end `failed` with its own code.
    let broken: [(&str, &[u8]); 3] = [
        ("broken-empty.pdf", b""),
        ("broken-truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids ["),
        ("broken-not-a-pdf.pdf", b"Hello, this is a plain text note saved with a .pdf name.\n"),
    ];
    for (name, bytes) in broken {
        std::fs::write(inbox.join(name), bytes).with_context(|| format!("could not write {name}"))?;
    }
    Ok(documents.len() + broken.len())
}

/// Where the demo puts its inbox and export.
pub fn demo_paths(data_dir: &Path) -> (PathBuf, PathBuf) {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    (data_dir.join("demo").join("inbox"), data_dir.join("exports").join(format!("demo-{stamp}.csv")))
}
