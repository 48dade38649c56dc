//! Extracting a batch of files from disk with no database: in parallel,
//! one OCR engine per thread, results handed back in the order given. Used
//! by `tramite extract`, `tramite check` and `tramite eval`.
//!
//! Nothing is shared between the threads but a counter and the result
//! slots: each thread starts its own tesseract engines (kept warm for the
//! rest of the batch, see `tramite_pipeline::read::ocr`) and never waits for
//! another. Files are handed out largest first (a scan costs about a second
//! of OCR, a born-digital PDF a few milliseconds, and bytes are the cheap
//! estimate at hand), so that a big file picked up last does not leave the
//! other threads idle at the end of the batch; results are still emitted in
//! the order given, each as soon as it and every file before it are done.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};

use tramite_pipeline::extract::{extract_document, failure_to_contract, ExtractOptions};
use tramite_pipeline::extraction::{ExtractedDocument, ExtractionFailure};
use tramite_pipeline::read::ocr::OcrEngine;
use tramite_pipeline::read::too_large_file;
use tramite_pipeline::redact::mask_free_text;

/// Extracts one file from disk. A file over the size limit is refused
/// without being read; an unreadable one gets an `unreadable` error.
pub fn extract_path(path: &Path, label: &str, ocr: &dyn OcrEngine, options: &ExtractOptions) -> ExtractedDocument {
    let refused = |failure: ExtractionFailure| {
        let mut document = extract_document(label, b"", ocr, options);
        document.sha256 = String::new();
        document.error = Some(failure);
        document
    };
    let document = match std::fs::metadata(path) {
        Ok(metadata) if metadata.len() > options.limits.max_file_bytes => refused(failure_to_contract(too_large_file(metadata.len(), &options.limits))),
        _ => match std::fs::read(path) {
            Ok(bytes) => extract_document(label, &bytes, ocr, options),
            Err(error) => refused(ExtractionFailure { code: "unreadable".into(), message: format!("the file could not be read ({}); check the path and its permissions", error.kind()) }),
        },
    };
    if let Some(error) = &document.error {
        tracing::info!(file = %mask_free_text(label), code = %error.code, "file not extracted");
    }
    document
}

/// Extracts every file on `threads` threads and calls `emit(index,
/// document)` in input order as soon as each next result is ready.
pub fn extract_in_order<E>(
    files: &[(PathBuf, String)],
    ocr: &dyn OcrEngine,
    options: &ExtractOptions,
    threads: usize,
    mut emit: impl FnMut(usize, ExtractedDocument) -> Result<(), E>,
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<ExtractedDocument>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let processing_order = largest_first(files);
    let (ready_sender, ready) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1).min(files.len().max(1)) {
            let ready_sender = ready_sender.clone();
            let (next, slots, processing_order) = (&next, &slots, &processing_order);
            scope.spawn(move || {
                loop {
                    let Some(&index) = processing_order.get(next.fetch_add(1, Ordering::SeqCst)) else { break };
                    let (path, label) = &files[index];
                    let document = extract_path(path, label, ocr, options);
                    *slots[index].lock().expect("result slot") = Some(document);
                    let _ = ready_sender.send(());
                }
            });
        }
        drop(ready_sender);
        let mut emitted = 0;
        while emitted < files.len() {
            let document = slots[emitted].lock().expect("result slot").take();
            match document {
                Some(document) => {
                    emit(emitted, document)?;
                    emitted += 1;
                }
                None => {
                    if ready.recv().is_err() {
                        break;
                    }
                }
            }
        }
        Ok(())
    })
}

/// The indices of `files`, largest file first (files whose size cannot be
/// read count as empty; equal sizes keep their input order).
fn largest_first(files: &[(PathBuf, String)]) -> Vec<usize> {
    let sizes: Vec<u64> = files.iter().map(|(path, _)| std::fs::metadata(path).map_or(0, |metadata| metadata.len())).collect();
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(sizes[index]));
    order
}

/// Every file's extraction, in input order.
pub fn extract_all(files: &[(PathBuf, String)], ocr: &dyn OcrEngine, options: &ExtractOptions, threads: usize) -> Vec<ExtractedDocument> {
    let mut documents = Vec::with_capacity(files.len());
    let _ = extract_in_order(files, ocr, options, threads, |_, document| {
        documents.push(document);
        Ok::<(), std::convert::Infallible>(())
    });
    documents
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_handed_out_largest_first_and_results_come_back_in_input_order() {
        let folder = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for (name, size) in [("small.txt", 10usize), ("large.txt", 3000), ("missing.txt", 0), ("middle.txt", 500)] {
            let path = folder.path().join(name);
            if name != "missing.txt" {
                std::fs::write(&path, vec![b'x'; size]).unwrap();
            }
            files.push((path, name.to_string()));
        }
        assert_eq!(largest_first(&files), vec![1, 3, 0, 2]);

        let ocr = tramite_pipeline::read::ocr::FixedTextOcr::default();
        let documents = extract_all(&files, &ocr, &ExtractOptions::default(), 3);
        let labels: Vec<&str> = documents.iter().map(|document| document.file.as_str()).collect();
        assert_eq!(labels, ["small.txt", "large.txt", "missing.txt", "middle.txt"]);
        assert_eq!(documents[2].error.as_ref().map(|error| error.code.as_str()), Some("unreadable"));
    }
}
