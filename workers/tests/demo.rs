//! Regression test for issue 2: the README's main command, `tramite demo`,
//! settles every document and exports exactly the approved ones.

use std::process::Command;

#[test]
fn the_demo_settles_every_document_and_exports_one_row_per_approved_document() {
    let folder = tempfile::tempdir().unwrap();
    let data_dir = folder.path().join("data");
    let run = |arguments: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_tramite")).arg("--data-dir").arg(&data_dir).arg("--quiet").args(arguments).current_dir(folder.path()).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let demo = run(&["demo"]);
    assert!(demo.contains("STATE") && demo.contains("QUEUE"), "the demo prints the status table:\n{demo}");
    let status: serde_json::Value = serde_json::from_str(&run(&["status", "--format", "json"])).unwrap();
    let count = |state: &str| status["states"][state].as_u64().unwrap();
    for state in ["received", "extracting", "validating"] {
        assert_eq!(count(state), 0, "no document stuck in {state}: {status}");
    }
    assert_eq!(count("failed"), 3, "the three broken files fail: {status}");
    assert!(count("exported") > 0 && count("in_review") > 0, "{status}");
    assert_eq!(count("approved"), 0, "every approved document was exported: {status}");

    let export_dir = data_dir.join("exports");
    let exports: Vec<_> = std::fs::read_dir(&export_dir).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(exports.len(), 1);
    let rows = csv::Reader::from_path(&exports[0]).unwrap().records().count() as u64;
    assert_eq!(rows, count("exported"), "one export row per approved document");
    assert!(demo.contains(&format!("{rows} rows written")), "{demo}");
}
