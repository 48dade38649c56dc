//! Regression test for issue 2: killing `tramite run` with SIGKILL in the
//! middle of a batch and starting it again finishes every document exactly
//! once.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tramite_synthetic::{generate, GeneratorOptions};

fn tramite(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tramite"));
    command.arg("--data-dir").arg(data_dir).arg("--quiet");
    command.env("TRAMITE_WORKERS_LEASE_SECONDS", "2");
    command.env("TRAMITE_WORKERS_POLL_INTERVAL_MS", "50");
    command.env("TRAMITE_WORKERS_COUNT", "2");
    command.current_dir(data_dir.parent().unwrap());
    command
}

fn status(data_dir: &Path) -> serde_json::Value {
    let output = tramite(data_dir).args(["status", "--format", "json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn count(status: &serde_json::Value, state: &str) -> u64 {
    status["states"][state].as_u64().unwrap()
}

#[test]
fn a_run_killed_mid_batch_and_restarted_finishes_every_document_exactly_once() {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let inbox = folder.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    // Scans take OCR time, so the kill lands while documents are in hand.
    let options = GeneratorOptions { seed: 11, invoices: 14, identities: 2, scanned_share: 0.5, defect_share: 0.2, ..GeneratorOptions::default() };
    let documents = generate(&options);
    tramite_synthetic::write_corpus(&inbox, &documents).unwrap();
    std::fs::remove_file(inbox.join("truth.jsonl")).unwrap();
    let total = documents.len() as u64;
    let upload = tramite(&data_dir).args(["upload", "--client", "acme"]).arg(&inbox).output().unwrap();
    assert!(upload.status.success());

    let mut child = tramite(&data_dir).arg("run").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let started = Instant::now();
    loop {
        let now = status(&data_dir);
        let settled = total - count(&now, "received") - count(&now, "extracting") - count(&now, "validating");
        if settled >= 2 && count(&now, "extracting") > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "the run never got going: {now}");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = status(&data_dir);
    assert!(count(&at_kill, "extracting") + count(&at_kill, "validating") > 0, "the kill should leave documents in hand: {at_kill}");
    assert!(count(&at_kill, "received") > 0, "the kill should land mid-batch: {at_kill}");

    let rerun = tramite(&data_dir).args(["run", "--until-idle"]).output().unwrap();
    assert!(rerun.status.success(), "{}", String::from_utf8_lossy(&rerun.stderr));
    let after = status(&data_dir);
    let settled = count(&after, "approved") + count(&after, "in_review") + count(&after, "failed");
    assert_eq!(settled, total, "every document settled: {after}");
    for state in ["received", "extracting", "validating"] {
        assert_eq!(count(&after, state), 0, "{state}: {after}");
    }

    // Exactly once: each document entered a settled state once in its history.
    for document_id in 1..=total {
        let output = tramite(&data_dir).args(["history", "--format", "json"]).arg(document_id.to_string()).output().unwrap();
        let history: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let settles = history["transitions"].as_array().unwrap().iter().filter(|transition| ["approved", "in_review", "failed"].contains(&transition["to_state"].as_str().unwrap())).count();
        assert_eq!(settles, 1, "document {document_id}: {history}");
        let exceptions = history["exceptions"].as_array().unwrap();
        let mut rules: Vec<&str> = exceptions.iter().map(|exception| exception["rule"].as_str().unwrap()).collect();
        let before = rules.len();
        rules.dedup();
        assert_eq!(rules.len(), before, "document {document_id} has duplicated exceptions: {history}");
    }
}
