//! The database behind tramite: the [`Repository`] trait (documents, their
//! state history, review exceptions, export batches, job claims and leases)
//! and its SQLite implementation, the embedded default. The PostgreSQL
//! implementation plugs in behind the same trait.
//!
//! Every state change goes through [`tramite_pipeline::lifecycle`] and is
//! recorded as a transition with time and actor in the same transaction.
//! Every write a worker makes after claiming a document is guarded by its
//! lease (`lease_owner = me`), so a worker that lost its lease cannot write
//! a second result. The SQL lives in `sql/sqlite/`, one file per operation.

mod model;
mod sqlite;

use async_trait::async_trait;

pub use model::*;
pub use sqlite::SqliteRepository;

/// What went wrong, by kind, so callers decide whether to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepositoryErrorKind {
    /// The database could not be reached or was busy: retry later.
    Unavailable,
    /// The worker's lease on the document ended; its result must be dropped.
    LeaseLost,
    /// The move is not allowed from the document's current state.
    Conflict,
    /// No such document or export.
    NotFound,
    /// Stored data that does not parse: a bug or a hand-edited database.
    Corrupt,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RepositoryError {
    pub kind: RepositoryErrorKind,
    pub message: String,
}

impl RepositoryError {
    pub fn new(kind: RepositoryErrorKind, message: impl Into<String>) -> Self {
        RepositoryError { kind, message: message.into() }
    }

    pub fn is_retryable(&self) -> bool {
        self.kind == RepositoryErrorKind::Unavailable
    }
}

impl From<sqlx::Error> for RepositoryError {
    fn from(error: sqlx::Error) -> Self {
        let kind = match &error {
            sqlx::Error::RowNotFound => RepositoryErrorKind::NotFound,
            sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) | sqlx::Error::TypeNotFound { .. } => {
                RepositoryErrorKind::Corrupt
            }
            _ => RepositoryErrorKind::Unavailable,
        };
        RepositoryError::new(kind, format!("database: {error}"))
    }
}

pub type RepositoryResult<T> = Result<T, RepositoryError>;

/// One outside system: the database that holds every document's state.
#[async_trait]
pub trait Repository: Send + Sync {
    /// Registers an uploaded file. A file whose bytes the client already
    /// uploaded is not registered again: the first document's id comes back
    /// as [`Registration::Duplicate`].
    async fn register_document(&self, document: &NewDocument, now: Millis) -> RepositoryResult<Registration>;

    /// Gives back documents whose worker stopped renewing its lease (to
    /// `received`, or to `failed` after `max_attempts`). Returns how many moved.
    async fn release_expired_leases(&self, now: Millis, max_attempts: u32) -> RepositoryResult<u64>;

    /// Claims the oldest `received` document for `worker_id` until `lease_until`.
    async fn claim_next_document(&self, worker_id: &str, lease_until: Millis, now: Millis) -> RepositoryResult<Option<ClaimedDocument>>;

    /// Extends a lease; fails with [`RepositoryErrorKind::LeaseLost`] if it was lost.
    async fn extend_lease(&self, document_id: i64, worker_id: &str, lease_until: Millis, now: Millis) -> RepositoryResult<()>;

    /// `extracting → validating`, storing the extraction (contract JSON).
    async fn record_extraction(&self, document_id: i64, worker_id: &str, kind: &str, extraction_json: &str, now: Millis) -> RepositoryResult<()>;

    /// `extracting|validating → failed` with an error code and message.
    async fn record_failure(&self, document_id: i64, worker_id: &str, failure: &Failure, now: Millis) -> RepositoryResult<()>;

    /// `validating → approved` (no exceptions) or `in_review` (one exception
    /// per finding), storing the rules trace. Releases the lease.
    async fn record_routing(&self, document_id: i64, worker_id: &str, routing: &Routing, now: Millis) -> RepositoryResult<()>;

    /// A reviewer approves or rejects a document `in_review`; its open
    /// exceptions are resolved by that reviewer.
    async fn decide_review(&self, document_id: i64, reviewer: &str, decision: ReviewDecision, note: Option<&str>, now: Millis) -> RepositoryResult<()>;

    /// First half of an export: gives back documents held by exports that
    /// started before `stale_before` and never completed, then reserves every
    /// approved, not yet exported document (of `client`, or all) for a new
    /// pending export batch.
    async fn reserve_export(&self, export: &NewExport, stale_before: Millis, now: Millis) -> RepositoryResult<Vec<ExportRow>>;

    /// Second half: records the written file's hash and moves every reserved
    /// document to `exported`, in one transaction.
    async fn complete_export(&self, export_id: &str, file_sha256: &str, row_count: u64, now: Millis) -> RepositoryResult<u64>;

    /// Counts per state and per open review queue, with the oldest item's time.
    async fn status(&self, client: Option<&str>) -> RepositoryResult<StatusReport>;

    /// One document with its history and exceptions.
    async fn document_history(&self, document_id: i64) -> RepositoryResult<DocumentHistory>;

    /// Stores every record of a parsed reference file in one transaction.
    /// Returns the import id, or `None` when the client already imported
    /// these bytes (nothing is stored twice).
    async fn import_reference_records(&self, import: &NewReferenceImport, now: Millis) -> RepositoryResult<Option<i64>>;

    /// The JSON payloads of a client's reference records of one kind.
    async fn reference_records(&self, client: &str, kind: ReferenceKind) -> RepositoryResult<Vec<String>>;

    /// A client's invoices uploaded before `before_document_id` that were
    /// read (for duplicate checks: the earlier copy is the original).
    async fn client_invoices(&self, client: &str, before_document_id: i64) -> RepositoryResult<Vec<ClientInvoice>>;

    /// Documents of a client and/or state, oldest first.
    async fn list_documents(&self, client: Option<&str>, state: Option<tramite_pipeline::lifecycle::DocumentState>, limit: u32) -> RepositoryResult<Vec<DocumentRecord>>;
}
