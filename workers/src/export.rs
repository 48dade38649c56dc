//! `tramite export`: every approved document not yet exported, one row per
//! document with the contract's fields, exactly once.
//!
//! Exactly once, even across crashes: (1) one transaction reserves the
//! approved documents for a new pending export batch (a reserved document
//! cannot be taken by another batch); (2) the file is written to a temporary
//! name, synced and renamed into place; (3) one transaction records the
//! file's sha256 and moves the reserved documents to `exported`. A process
//! that dies between (1) and (3) leaves a pending batch; after
//! `export.stale_after_seconds` the next export abandons it and takes its
//! documents. An export file counts only once tramite has reported it.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tramite_pipeline::extraction::{ExtractedDocument, LineItem};
use tramite_repository::{now_millis, ExportRow, NewExport};

use crate::app::App;

/// Export file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated, one row per document, a header row first.
    Csv,
    /// JSON Lines, one object per document, line items included.
    Jsonl,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

/// The contract's field names, in export column order.
pub const EXPORT_FIELDS: [&str; 27] = [
    "invoice_number", "invoice_type", "issue_date", "due_date", "supplier_name", "supplier_tax_id", "customer_name",
    "customer_tax_id", "currency", "subtotal", "tax_rate", "tax_amount", "withholding_amount", "total", "iban",
    "po_number", "document_type", "issuing_country", "nationality", "document_number", "surname", "given_names",
    "birth_date", "expiry_date", "sex", "mrz", "mrz_valid",
];

/// What one export did.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub export_id: String,
    pub rows: u64,
    /// The file written, if there was anything to export.
    pub file: Option<PathBuf>,
    pub sha256: Option<String>,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    document_id: i64,
    client: &'a str,
    file: &'a str,
    sha256: &'a str,
    kind: &'a str,
    fields: std::collections::BTreeMap<&'a str, &'a str>,
    line_items: &'a [LineItem],
}

/// Exports every approved, not yet exported document (of `client`, or all).
pub async fn export(app: &App, client: Option<&str>, format: ExportFormat, out: &Path) -> Result<ExportSummary> {
    if out.is_dir() {
        bail!("--out {} is a folder; give a file name such as {}/export.{}", out.display(), out.display(), format.as_str());
    }
    let export_id = uuid::Uuid::new_v4().to_string();
    let now = now_millis();
    let stale_before = now - (app.config.export.stale_after_seconds * 1000) as i64;
    let batch = NewExport { export_id: export_id.clone(), client: client.map(str::to_string), format: format.as_str().into(), path: out.display().to_string() };
    let rows = app.repository.reserve_export(&batch, stale_before, now).await.context("could not reserve documents for export")?;
    if rows.is_empty() {
        app.repository.complete_export(&export_id, "", 0, now_millis()).await?;
        return Ok(ExportSummary { export_id, rows: 0, file: None, sha256: None });
    }
    let contents = render(&rows, format)?;
    let sha256 = hex::encode(Sha256::digest(&contents));
    write_atomically(out, &export_id, &contents)?;
    if let Err(error) = app.repository.complete_export(&export_id, &sha256, rows.len() as u64, now_millis()).await {
        let _ = std::fs::remove_file(out);
        return Err(anyhow::Error::new(error).context(format!("the export could not be recorded, so {} was removed; run the export again", out.display())));
    }
    Ok(ExportSummary { export_id, rows: rows.len() as u64, file: Some(out.to_path_buf()), sha256: Some(sha256) })
}

fn parse_extraction(row: &ExportRow) -> Result<Option<ExtractedDocument>> {
    row.extraction_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .with_context(|| format!("document {}: its stored extraction does not parse", row.document_id))
}

/// The export file's bytes.
pub fn render(rows: &[ExportRow], format: ExportFormat) -> Result<Vec<u8>> {
    let mut output = Vec::new();
    match format {
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(&mut output);
            let mut header = vec!["document_id", "client", "file", "sha256", "kind"];
            header.extend(EXPORT_FIELDS);
            writer.write_record(&header)?;
            for row in rows {
                let extraction = parse_extraction(row)?;
                let mut record = vec![row.document_id.to_string(), row.client.clone(), row.original_name.clone(), row.sha256.clone(), row.kind.clone().unwrap_or_default()];
                for field in EXPORT_FIELDS {
                    record.push(extraction.as_ref().and_then(|extraction| extraction.value(field)).unwrap_or("").to_string());
                }
                writer.write_record(&record)?;
            }
            writer.flush()?;
        }
        ExportFormat::Jsonl => {
            for row in rows {
                let extraction = parse_extraction(row)?;
                let fields = extraction.as_ref().map(|extraction| extraction.fields.iter().map(|(name, field)| (name.as_str(), field.value.as_str())).collect()).unwrap_or_default();
                let json = JsonRow {
                    document_id: row.document_id,
                    client: &row.client,
                    file: &row.original_name,
                    sha256: &row.sha256,
                    kind: row.kind.as_deref().unwrap_or("unknown"),
                    fields,
                    line_items: extraction.as_ref().map_or(&[], |extraction| extraction.line_items.as_slice()),
                };
                serde_json::to_writer(&mut output, &json)?;
                output.push(b'\n');
            }
        }
    }
    Ok(output)
}

/// Writes to a temporary file beside `out`, syncs, and renames into place,
/// so `out` is never seen half-written.
fn write_atomically(out: &Path, export_id: &str, contents: &[u8]) -> Result<()> {
    let parent = out.parent().filter(|parent| !parent.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("could not create the folder {}", parent.display()))?;
    let temporary = parent.join(format!(".{}.{export_id}.partial", out.file_name().map(|name| name.to_string_lossy()).unwrap_or_default()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, out)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.with_context(|| format!("could not write the export file {}", out.display()))
}
