//! The values the repository takes and returns.

use serde::Serialize;
use tramite_pipeline::lifecycle::{DocumentState, ReviewQueue};

/// Unix time in milliseconds (UTC), as stored.
pub type Millis = i64;

/// The current time as [`Millis`].
pub fn now_millis() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

/// An uploaded file to register.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub client: String,
    pub sha256: String,
    pub original_name: String,
    pub size_bytes: u64,
}

/// The outcome of registering a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    New { document_id: i64 },
    Duplicate { existing_document_id: i64 },
}

/// A document a worker now holds under a lease.
#[derive(Debug, Clone)]
pub struct ClaimedDocument {
    pub document_id: i64,
    pub client: String,
    pub sha256: String,
    pub original_name: String,
    pub size_bytes: u64,
    pub attempts: u32,
}

/// Why a document failed, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

/// One exception for the review queues (one per rule finding).
#[derive(Debug, Clone, Serialize)]
pub struct NewException {
    pub queue: ReviewQueue,
    pub rule: String,
    pub severity: String,
    pub fields: Vec<String>,
    pub message: String,
}

/// Where the rules sent a document.
#[derive(Debug, Clone)]
pub struct Routing {
    pub exceptions: Vec<NewException>,
    pub rules_trace_json: String,
}

impl Routing {
    pub fn target_state(&self) -> DocumentState {
        if self.exceptions.is_empty() { DocumentState::Approved } else { DocumentState::InReview }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDecision {
    Approve,
    Reject,
}

/// An export batch about to be written.
#[derive(Debug, Clone)]
pub struct NewExport {
    pub export_id: String,
    pub client: Option<String>,
    pub format: String,
    pub path: String,
}

/// One document reserved for an export.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub document_id: i64,
    pub client: String,
    pub sha256: String,
    pub original_name: String,
    pub kind: Option<String>,
    pub extraction_json: Option<String>,
}

/// Counts for `tramite status`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct StatusReport {
    pub states: Vec<StateCount>,
    pub queues: Vec<QueueCount>,
}

impl StatusReport {
    pub fn count(&self, state: DocumentState) -> u64 {
        self.states.iter().find(|count| count.state == state).map_or(0, |count| count.documents)
    }

    pub fn total(&self) -> u64 {
        self.states.iter().map(|count| count.documents).sum()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StateCount {
    pub state: DocumentState,
    pub documents: u64,
    /// When the longest-waiting document in this state last moved.
    pub oldest_since: Millis,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueCount {
    pub queue: ReviewQueue,
    pub documents: u64,
    pub exceptions: u64,
    pub oldest_since: Millis,
}

/// A document as stored.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentRecord {
    pub document_id: i64,
    pub client: String,
    pub sha256: String,
    pub original_name: String,
    pub size_bytes: u64,
    pub state: DocumentState,
    pub kind: Option<String>,
    pub attempts: u32,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub extraction_json: Option<String>,
    pub rules_trace_json: Option<String>,
    pub export_id: Option<String>,
    pub received_at: Millis,
    pub updated_at: Millis,
}

/// One recorded move.
#[derive(Debug, Clone, Serialize)]
pub struct TransitionRecord {
    pub from_state: Option<DocumentState>,
    pub to_state: DocumentState,
    pub actor: String,
    pub at: Millis,
    pub note: Option<String>,
}

/// One review exception as stored.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionRecord {
    pub exception_id: i64,
    pub queue: ReviewQueue,
    pub rule: String,
    pub severity: String,
    pub fields: Vec<String>,
    pub message: String,
    pub created_at: Millis,
    pub resolved_at: Option<Millis>,
    pub resolved_by: Option<String>,
}

/// A document with everything that happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentHistory {
    pub document: DocumentRecord,
    pub transitions: Vec<TransitionRecord>,
    pub exceptions: Vec<ExceptionRecord>,
}

/// The kinds of reference data a client imports for reconciliation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    PurchaseOrders,
    GoodsReceipts,
    BankStatement,
}

impl ReferenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceKind::PurchaseOrders => "purchase_orders",
            ReferenceKind::GoodsReceipts => "goods_receipts",
            ReferenceKind::BankStatement => "bank_statement",
        }
    }
}

/// A parsed reference file about to be stored.
#[derive(Debug, Clone)]
pub struct NewReferenceImport {
    pub client: String,
    pub kind: ReferenceKind,
    pub file_name: String,
    pub sha256: String,
    /// One JSON payload per record.
    pub payloads: Vec<String>,
}

/// An invoice the client already sent, as read.
#[derive(Debug, Clone)]
pub struct ClientInvoice {
    pub document_id: i64,
    pub state: DocumentState,
    pub extraction_json: String,
}
