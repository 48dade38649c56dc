//! The worker: claim a document under a lease, read its bytes, extract on
//! the blocking pool (while a heartbeat keeps the lease alive), run the
//! rules, and route it: clean → `approved`, any finding → `in_review` with
//! one exception per finding. A file that cannot be read → `failed` with its
//! code. Every write after the claim is guarded by the lease, so a worker
//! that lost its lease (it was too slow, or presumed dead) writes nothing.
//!
//! [`run_workers`] runs a pool of these loops, one per core by default,
//! until told to stop or, with `until_idle`, until nothing is left to do.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use tokio::sync::watch;
use tramite_objects::{ObjectKey, ObjectStoreErrorKind};
use tramite_pipeline::extract::{extract_document, ExtractOptions};
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_pipeline::lifecycle::DocumentState;
use tramite_pipeline::read::too_large_file;
use tramite_rules::{EvaluationContext, PriorInvoice};

use crate::rulebook::prior_invoice;
use tramite_repository::{now_millis, ClaimedDocument, Failure, NewException, RepositoryError, RepositoryErrorKind, Routing};

use crate::app::App;

/// How a pool of workers runs.
#[derive(Debug, Clone)]
pub struct WorkerPoolOptions {
    pub workers: usize,
    /// Stop once no document is waiting or being processed anywhere.
    pub until_idle: bool,
    /// A name for this process's workers in the history (`worker:NAME-N`).
    pub process_name: String,
}

/// What a pool did.
#[derive(Debug, Clone, Default)]
pub struct PoolSummary {
    pub processed: u64,
}

/// The outcome of processing one claimed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    InReview { findings: usize },
    Failed { code: String },
    /// The lease was lost; another worker owns the document now.
    Abandoned,
}

/// A unique name for this process's workers.
pub fn default_process_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|name| name.trim().to_string()).unwrap_or_else(|_| "host".into());
    format!("{host}-{}", std::process::id())
}

/// Runs `options.workers` worker loops until `stop` turns true or, with
/// `until_idle`, until no document is waiting or held anywhere.
pub async fn run_workers(app: &App, options: &WorkerPoolOptions, mut stop: watch::Receiver<bool>) -> Result<PoolSummary> {
    let idle = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for index in 0..options.workers.max(1) {
        let app = app.clone();
        let worker_id = format!("{}-{index}", options.process_name);
        let stop = stop.clone();
        let idle = idle.clone();
        let until_idle = options.until_idle;
        handles.push(tokio::spawn(async move { worker_loop(app, worker_id, until_idle, stop, idle).await }));
    }
    let mut summary = PoolSummary::default();
    let all_done = async {
        for handle in handles {
            match handle.await {
                Ok(Ok(processed)) => summary.processed += processed,
                Ok(Err(error)) => return Err(error),
                Err(join_error) => return Err(anyhow::anyhow!("a worker task stopped unexpectedly: {join_error}")),
            }
        }
        Ok(())
    };
    tokio::select! {
        result = all_done => result?,
        _ = stop.wait_for(|stop| *stop) => {}
    }
    Ok(summary)
}

async fn worker_loop(app: App, worker_id: String, until_idle: bool, mut stop: watch::Receiver<bool>, idle: Arc<AtomicBool>) -> Result<u64> {
    let poll_interval = Duration::from_millis(app.config.workers.poll_interval_ms.max(10));
    let mut processed = 0u64;
    loop {
        if *stop.borrow() || (until_idle && idle.load(Ordering::SeqCst)) {
            return Ok(processed);
        }
        match claim_and_process(&app, &worker_id).await {
            Ok(Some(_)) => {
                processed += 1;
                continue;
            }
            Ok(None) => {
                if until_idle && nothing_left_anywhere(&app).await? {
                    idle.store(true, Ordering::SeqCst);
                    return Ok(processed);
                }
            }
            Err(error) if error.is_retryable() => {
                tracing::warn!(worker = %worker_id, error = %error, "database unavailable; retrying");
            }
            Err(error) => return Err(anyhow::Error::new(error).context(format!("worker {worker_id} stopped"))),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll_interval) => {}
            _ = stop.wait_for(|stop| *stop) => return Ok(processed),
        }
    }
}

/// True when no document is waiting or being processed (by this process or
/// any other, including a dead one whose lease has not yet run out).
async fn nothing_left_anywhere(app: &App) -> Result<bool, RepositoryError> {
    let status = app.repository.status(None).await?;
    Ok([DocumentState::Received, DocumentState::Extracting, DocumentState::Validating].iter().all(|state| status.count(*state) == 0))
}

/// Releases expired leases, then claims and processes one document.
/// Returns `None` when nothing was waiting.
pub async fn claim_and_process(app: &App, worker_id: &str) -> Result<Option<(i64, Outcome)>, RepositoryError> {
    let now = now_millis();
    app.repository.release_expired_leases(now, app.config.workers.max_attempts).await?;
    let lease_until = now + lease_millis(app);
    let Some(claimed) = app.repository.claim_next_document(worker_id, lease_until, now).await? else {
        return Ok(None);
    };
    let document_id = claimed.document_id;
    let outcome = match process_claimed(app, worker_id, &claimed).await {
        Ok(outcome) => outcome,
        Err(error) if error.kind == RepositoryErrorKind::LeaseLost => {
            tracing::warn!(document_id, worker = worker_id, "lease lost while processing; the result was dropped");
            Outcome::Abandoned
        }
        Err(error) => return Err(error),
    };
    match &outcome {
        Outcome::Failed { code } => tracing::debug!(document_id, client = %claimed.client, outcome = "failed", code = %code, "document processed"),
        Outcome::InReview { findings } => tracing::debug!(document_id, client = %claimed.client, outcome = "in_review", findings, "document processed"),
        Outcome::Approved => tracing::debug!(document_id, client = %claimed.client, outcome = "approved", "document processed"),
        Outcome::Abandoned => {}
    }
    Ok(Some((document_id, outcome)))
}

fn lease_millis(app: &App) -> i64 {
    (app.config.workers.lease_seconds.max(1) * 1000) as i64
}

async fn process_claimed(app: &App, worker_id: &str, claimed: &ClaimedDocument) -> Result<Outcome, RepositoryError> {
    let document_id = claimed.document_id;
    let fail = |code: &str, message: String| Failure { code: code.to_string(), message };
    let limits = app.config.read.limits();
    if claimed.size_bytes > limits.max_file_bytes {
        let failure = too_large_file(claimed.size_bytes, &limits);
        return record_failed(app, worker_id, document_id, fail(failure.code, failure.message)).await;
    }
    let key = match ObjectKey::from_sha256_hex(&claimed.sha256) {
        Ok(key) => key,
        Err(error) => return record_failed(app, worker_id, document_id, fail("object_missing", error.to_string())).await,
    };
    let bytes = match app.objects.get(&key).await {
        Ok(bytes) => bytes,
        Err(error) if error.kind == ObjectStoreErrorKind::NotFound => {
            let message = "the uploaded bytes are missing from the object store; upload the file again".to_string();
            return record_failed(app, worker_id, document_id, fail("object_missing", message)).await;
        }
        Err(error) => return Err(RepositoryError::new(RepositoryErrorKind::Unavailable, error.to_string())),
    };
    let extracted = extract_with_heartbeat(app, worker_id, document_id, &claimed.original_name, bytes).await?;
    if let Some(error) = &extracted.error {
        return record_failed(app, worker_id, document_id, fail(&error.code, error.message.clone())).await;
    }
    let extraction_json = serde_json::to_string(&extracted).expect("extractions serialise");
    app.repository.record_extraction(document_id, worker_id, extracted.kind.as_str(), &extraction_json, now_millis()).await?;

    let today = chrono::Utc::now().date_naive();
    let settings = app
        .config
        .rules
        .settings(today)
        .map_err(|error| RepositoryError::new(RepositoryErrorKind::Conflict, format!("rules configuration: {error:#}")))?;
    let prior_invoices: Vec<PriorInvoice> = app
        .repository
        .client_invoices(&claimed.client, document_id)
        .await?
        .iter()
        .filter_map(|earlier| serde_json::from_str::<ExtractedDocument>(&earlier.extraction_json).ok().map(|document| prior_invoice(earlier.document_id, &document)))
        .collect();
    let context = EvaluationContext { today, language: settings.language, prior_invoices: &prior_invoices };
    let evaluation = app.rules.rules_for(&claimed.client).evaluate(&extracted, &context);
    let mut exceptions: Vec<NewException> = evaluation
        .findings
        .iter()
        .map(|finding| NewException {
            queue: finding.queue,
            rule: finding.rule.to_string(),
            severity: finding.severity.as_str().to_string(),
            fields: finding.fields.clone(),
            message: finding.message.clone(),
        })
        .collect();
    let purchase_order_mismatches = crate::reconciliation::purchase_order_exceptions(app, &claimed.client, document_id, &extracted, &app.config.rules.language)
        .await
        .map_err(|error| RepositoryError::new(RepositoryErrorKind::Unavailable, format!("{error:#}")))?;
    exceptions.extend(purchase_order_mismatches);
    let routing = Routing { rules_trace_json: serde_json::to_string(&evaluation).expect("evaluations serialise"), exceptions };
    app.repository.record_routing(document_id, worker_id, &routing, now_millis()).await?;
    Ok(if routing.exceptions.is_empty() { Outcome::Approved } else { Outcome::InReview { findings: routing.exceptions.len() } })
}

async fn record_failed(app: &App, worker_id: &str, document_id: i64, failure: Failure) -> Result<Outcome, RepositoryError> {
    app.repository.record_failure(document_id, worker_id, &failure, now_millis()).await?;
    Ok(Outcome::Failed { code: failure.code })
}

/// Runs extraction on the blocking pool; meanwhile renews the lease every
/// third of its length, and gives up (dropping the result) if it is lost.
async fn extract_with_heartbeat(app: &App, worker_id: &str, document_id: i64, file_label: &str, bytes: Vec<u8>) -> Result<ExtractedDocument, RepositoryError> {
    let ocr = app.ocr.clone();
    let options = ExtractOptions {
        limits: app.config.read.limits(),
        today: chrono::Utc::now().date_naive(),
        supplier_templates: app.supplier_templates.clone(),
        ..ExtractOptions::default()
    };
    let label = file_label.to_string();
    let mut extraction = tokio::task::spawn_blocking(move || extract_document(&label, &bytes, ocr.as_ref(), &options));
    let renew_every = Duration::from_millis((lease_millis(app) / 3).max(100) as u64);
    loop {
        tokio::select! {
            result = &mut extraction => {
                return result.map_err(|join_error| RepositoryError::new(RepositoryErrorKind::Unavailable, format!("extraction task failed: {join_error}")));
            }
            _ = tokio::time::sleep(renew_every) => {
                let now = now_millis();
                app.repository.extend_lease(document_id, worker_id, now + lease_millis(app), now).await?;
            }
        }
    }
}
