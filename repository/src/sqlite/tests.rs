//! The repository's behaviour on a real SQLite database (in memory, and a
//! file where concurrency matters).

use tramite_pipeline::lifecycle::{DocumentState, ReviewQueue};

use super::SqliteRepository;
use crate::*;

fn upload(name: &str, sha: &str) -> NewDocument {
    NewDocument { client: "acme".into(), sha256: sha.into(), original_name: name.into(), size_bytes: 10 }
}

async fn repository_with(documents: &[(&str, &str)]) -> SqliteRepository {
    let repository = SqliteRepository::open_in_memory().await.unwrap();
    for (name, sha) in documents {
        repository.register_document(&upload(name, sha), 1_000).await.unwrap();
    }
    repository
}

fn clean_routing() -> Routing {
    Routing { exceptions: vec![], rules_trace_json: "[]".into() }
}

async fn process_to(repository: &SqliteRepository, worker: &str, routing: &Routing) -> i64 {
    let claimed = repository.claim_next_document(worker, 60_000, 2_000).await.unwrap().unwrap();
    repository.record_extraction(claimed.document_id, worker, "invoice", "{}", 3_000).await.unwrap();
    repository.record_routing(claimed.document_id, worker, routing, 4_000).await.unwrap();
    claimed.document_id
}

#[tokio::test]
async fn the_same_bytes_uploaded_twice_by_one_client_register_once() {
    let repository = repository_with(&[]).await;
    let first = repository.register_document(&upload("a.pdf", "aa"), 1).await.unwrap();
    let second = repository.register_document(&upload("copy-of-a.pdf", "aa"), 2).await.unwrap();
    let Registration::New { document_id } = first else { panic!("first upload is new") };
    assert_eq!(second, Registration::Duplicate { existing_document_id: document_id });
    let mut other_client = upload("a.pdf", "aa");
    other_client.client = "globex".into();
    assert!(matches!(repository.register_document(&other_client, 3).await.unwrap(), Registration::New { .. }));
}

#[tokio::test]
async fn a_claimed_document_is_not_claimed_again_while_its_lease_holds() {
    let repository = repository_with(&[("a.pdf", "aa")]).await;
    let claimed = repository.claim_next_document("w1", 60_000, 2_000).await.unwrap();
    assert!(claimed.is_some());
    assert!(repository.claim_next_document("w2", 60_000, 2_500).await.unwrap().is_none());
    assert_eq!(repository.release_expired_leases(59_999, 3).await.unwrap(), 0);
}

#[tokio::test]
async fn an_expired_lease_returns_the_document_and_the_late_worker_cannot_write() {
    let repository = repository_with(&[("a.pdf", "aa")]).await;
    let first = repository.claim_next_document("killed-worker", 10_000, 2_000).await.unwrap().unwrap();
    assert_eq!(repository.release_expired_leases(10_001, 3).await.unwrap(), 1);
    let second = repository.claim_next_document("w2", 70_000, 10_002).await.unwrap().unwrap();
    assert_eq!(first.document_id, second.document_id);
    assert_eq!(second.attempts, 2);
    let late = repository.record_extraction(first.document_id, "killed-worker", "invoice", "{}", 10_003).await.unwrap_err();
    assert_eq!(late.kind, RepositoryErrorKind::LeaseLost);
    repository.record_extraction(second.document_id, "w2", "invoice", "{}", 10_004).await.unwrap();
    let history = repository.document_history(first.document_id).await.unwrap();
    let moves: Vec<_> = history.transitions.iter().map(|transition| (transition.to_state, transition.actor.as_str())).collect();
    assert_eq!(
        moves,
        vec![
            (DocumentState::Received, "user:acme"),
            (DocumentState::Extracting, "worker:killed-worker"),
            (DocumentState::Received, "system"),
            (DocumentState::Extracting, "worker:w2"),
            (DocumentState::Validating, "worker:w2"),
        ]
    );
}

#[tokio::test]
async fn a_document_that_keeps_killing_workers_fails_after_the_last_attempt() {
    let repository = repository_with(&[("poison.pdf", "pp")]).await;
    for attempt in 0..2 {
        let now = 1_000 + attempt * 100_000;
        repository.claim_next_document("w", now + 10, now).await.unwrap().unwrap();
        repository.release_expired_leases(now + 11, 2).await.unwrap();
    }
    let documents = repository.list_documents(None, Some(DocumentState::Failed), 10).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].error_code.as_deref(), Some("too_many_attempts"));
}

#[tokio::test]
async fn a_failure_records_its_code_and_releases_the_lease() {
    let repository = repository_with(&[("empty.pdf", "ee")]).await;
    let claimed = repository.claim_next_document("w", 60_000, 2_000).await.unwrap().unwrap();
    let failure = Failure { code: "empty_file".into(), message: "the file is empty".into() };
    repository.record_failure(claimed.document_id, "w", &failure, 3_000).await.unwrap();
    let history = repository.document_history(claimed.document_id).await.unwrap();
    assert_eq!(history.document.state, DocumentState::Failed);
    assert_eq!(history.document.error_code.as_deref(), Some("empty_file"));
    assert_eq!(repository.release_expired_leases(i64::MAX, 3).await.unwrap(), 0);
}

#[tokio::test]
async fn findings_send_a_document_to_review_with_one_exception_each() {
    let repository = repository_with(&[("a.pdf", "aa")]).await;
    let routing = Routing {
        exceptions: vec![
            NewException { queue: ReviewQueue::Billing, rule: "totals_add_up".into(), severity: "review".into(), fields: vec!["total".into()], message: "Total ≠ base + IVA".into() },
            NewException { queue: ReviewQueue::DataEntry, rule: "required_fields".into(), severity: "review".into(), fields: vec!["issue_date".into()], message: "issue date missing".into() },
        ],
        rules_trace_json: "[]".into(),
    };
    let document_id = process_to(&repository, "w", &routing).await;
    let status = repository.status(None).await.unwrap();
    assert_eq!(status.count(DocumentState::InReview), 1);
    assert_eq!(status.queues.len(), 2);
    repository.decide_review(document_id, "maria", ReviewDecision::Approve, Some("checked with supplier"), 5_000).await.unwrap();
    let history = repository.document_history(document_id).await.unwrap();
    assert_eq!(history.document.state, DocumentState::Approved);
    assert!(history.exceptions.iter().all(|exception| exception.resolved_by.as_deref() == Some("maria")));
    assert!(repository.status(None).await.unwrap().queues.is_empty());
    let again = repository.decide_review(document_id, "maria", ReviewDecision::Reject, None, 6_000).await.unwrap_err();
    assert_eq!(again.kind, RepositoryErrorKind::Conflict);
}

#[tokio::test]
async fn an_export_takes_each_approved_document_exactly_once() {
    let repository = repository_with(&[("a.pdf", "aa"), ("b.pdf", "bb")]).await;
    process_to(&repository, "w", &clean_routing()).await;
    process_to(&repository, "w", &clean_routing()).await;
    let export = |id: &str| NewExport { export_id: id.into(), client: None, format: "csv".into(), path: format!("/tmp/{id}.csv") };
    let rows = repository.reserve_export(&export("e1"), 0, 10_000).await.unwrap();
    assert_eq!(rows.len(), 2);
    let concurrent = repository.reserve_export(&export("e2"), 0, 10_001).await.unwrap();
    assert!(concurrent.is_empty(), "documents reserved by a pending export are not taken again");
    assert_eq!(repository.complete_export("e1", "sha", 2, 10_002).await.unwrap(), 2);
    assert!(repository.reserve_export(&export("e3"), 0, 10_003).await.unwrap().is_empty());
    assert_eq!(repository.status(None).await.unwrap().count(DocumentState::Exported), 2);
}

#[tokio::test]
async fn an_export_that_never_completed_gives_its_documents_to_the_next_one() {
    let repository = repository_with(&[("a.pdf", "aa")]).await;
    process_to(&repository, "w", &clean_routing()).await;
    let export = |id: &str| NewExport { export_id: id.into(), client: None, format: "csv".into(), path: format!("/tmp/{id}.csv") };
    assert_eq!(repository.reserve_export(&export("crashed"), 0, 10_000).await.unwrap().len(), 1);
    let next = repository.reserve_export(&export("next"), 10_001, 20_000).await.unwrap();
    assert_eq!(next.len(), 1);
    let late = repository.complete_export("crashed", "sha", 1, 20_001).await.unwrap_err();
    assert_eq!(late.kind, RepositoryErrorKind::Conflict);
    assert_eq!(repository.complete_export("next", "sha", 1, 20_002).await.unwrap(), 1);
}

#[tokio::test]
async fn status_can_be_limited_to_one_client() {
    let repository = repository_with(&[("a.pdf", "aa")]).await;
    let mut other = upload("b.pdf", "bb");
    other.client = "globex".into();
    repository.register_document(&other, 1).await.unwrap();
    assert_eq!(repository.status(Some("globex")).await.unwrap().total(), 1);
    assert_eq!(repository.status(None).await.unwrap().total(), 2);
}

#[tokio::test]
async fn two_workers_on_one_database_file_never_claim_the_same_document() {
    let folder = tempfile::tempdir().unwrap();
    let repository = SqliteRepository::open(&folder.path().join("tramite.sqlite")).await.unwrap();
    for index in 0..40 {
        repository.register_document(&upload(&format!("{index}.pdf"), &format!("{index:02}")), 1).await.unwrap();
    }
    let mut handles = Vec::new();
    for worker in ["w1", "w2", "w3", "w4"] {
        let repository = repository.clone();
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(claimed) = repository.claim_next_document(worker, i64::MAX, 2).await.unwrap() {
                mine.push(claimed.document_id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (1..=40).collect::<Vec<i64>>());
}

#[tokio::test]
async fn a_reference_file_is_imported_whole_and_only_once() {
    let repository = repository_with(&[]).await;
    let import = NewReferenceImport {
        client: "acme".into(),
        kind: ReferenceKind::BankStatement,
        file_name: "march.n43".into(),
        sha256: "cd".repeat(32),
        payloads: vec!["{\"amount\":\"10.00\"}".into(), "{\"amount\":\"20.00\"}".into()],
    };
    assert!(repository.import_reference_records(&import, 1).await.unwrap().is_some());
    assert_eq!(repository.import_reference_records(&import, 2).await.unwrap(), None);
    assert_eq!(repository.reference_records("acme", ReferenceKind::BankStatement).await.unwrap().len(), 2);
    assert!(repository.reference_records("acme", ReferenceKind::PurchaseOrders).await.unwrap().is_empty());
    assert!(repository.reference_records("globex", ReferenceKind::BankStatement).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_clients_earlier_invoices_are_listed_but_not_the_one_being_checked_nor_later_ones() {
    let repository = repository_with(&[("a.pdf", "aa"), ("b.pdf", "bb")]).await;
    let first = process_to(&repository, "w", &clean_routing()).await;
    let claimed = repository.claim_next_document("w", 60_000, 5_000).await.unwrap().unwrap();
    repository.record_extraction(claimed.document_id, "w", "invoice", "{}", 6_000).await.unwrap();
    let earlier = repository.client_invoices("acme", claimed.document_id).await.unwrap();
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].document_id, first);
    assert_eq!(earlier[0].state, DocumentState::Approved);
    assert!(repository.client_invoices("acme", first).await.unwrap().is_empty(), "the original has no earlier copy");
}
