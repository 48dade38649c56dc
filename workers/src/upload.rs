//! `tramite upload`: puts files into the object store and registers them
//! for a client. A file whose bytes the client already uploaded is reported
//! as a duplicate and not processed twice; a path that cannot be read is
//! reported and skipped, never fatal.

use std::path::{Path, PathBuf};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use tramite_repository::{now_millis, NewDocument, Registration};

use crate::app::App;

/// What one upload did.
#[derive(Debug, Clone, Default)]
pub struct UploadSummary {
    pub registered: u64,
    pub duplicates: u64,
    pub unreadable: Vec<(PathBuf, String)>,
    pub bytes: u64,
}

/// Every regular file under the given paths (folders are walked, hidden
/// files skipped), in a stable order, with the paths that could not be read.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(error) => unreadable.push((path.clone(), error.to_string())),
            Ok(metadata) if metadata.is_file() => files.push(path.clone()),
            Ok(metadata) if metadata.is_dir() => {
                let walker = walkdir::WalkDir::new(path).sort_by_file_name().into_iter().filter_entry(|entry| entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.'));
                for entry in walker {
                    match entry {
                        Ok(entry) if entry.file_type().is_file() => files.push(entry.into_path()),
                        Ok(_) => {}
                        Err(error) => unreadable.push((error.path().map(Path::to_path_buf).unwrap_or_else(|| path.clone()), error.to_string())),
                    }
                }
            }
            Ok(_) => unreadable.push((path.clone(), "not a regular file or folder".into())),
        }
    }
    (files, unreadable)
}

/// Uploads every file under `paths` for `client`, with a progress bar when
/// `show_progress`.
pub async fn upload(app: &App, client: &str, paths: &[PathBuf], show_progress: bool) -> Result<UploadSummary> {
    let (files, unreadable) = collect_files(paths);
    let mut summary = UploadSummary { unreadable, ..UploadSummary::default() };
    let progress = if show_progress { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    progress.set_style(
        ProgressStyle::with_template("{spinner} uploading [{bar:30}] {pos}/{len} files · {per_sec} · {msg} · eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    for file in &files {
        match upload_one(app, client, file).await {
            Ok((Registration::New { .. }, size_bytes)) => {
                summary.registered += 1;
                summary.bytes += size_bytes;
            }
            Ok((Registration::Duplicate { .. }, _)) => summary.duplicates += 1,
            Err(error) => summary.unreadable.push((file.clone(), format!("{error:#}"))),
        }
        progress.set_message(format!("{} new, {} duplicate", summary.registered, summary.duplicates));
        progress.inc(1);
    }
    progress.finish_and_clear();
    Ok(summary)
}

async fn upload_one(app: &App, client: &str, file: &Path) -> Result<(Registration, u64)> {
    let stored = app.objects.put_file(file).await?;
    let original_name = file.to_string_lossy().to_string();
    let document = NewDocument { client: client.to_string(), sha256: stored.key.as_str().to_string(), original_name, size_bytes: stored.size_bytes };
    let registration = app.repository.register_document(&document, now_millis()).await?;
    if let Registration::New { document_id } = registration {
        tracing::debug!(document_id, client, size_bytes = stored.size_bytes, "registered");
    }
    Ok((registration, stored.size_bytes))
}
