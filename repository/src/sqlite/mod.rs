//! The embedded repository: one SQLite file in WAL mode, migrations from
//! `migrations/sqlite/`. Writes run in `BEGIN IMMEDIATE` transactions so a
//! read-then-write never fails half-way on a busy database; a busy database
//! waits up to the busy timeout before reporting `Unavailable`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool, Sqlite, Transaction};
use tramite_pipeline::lifecycle::{check_transition, Actor, DocumentState, ReviewQueue};

use crate::*;

macro_rules! sql {
    ($name:literal) => {
        include_str!(concat!("../../sql/sqlite/", $name, ".sql"))
    };
}

/// The SQLite repository.
#[derive(Debug, Clone)]
pub struct SqliteRepository {
    pool: SqlitePool,
}

impl SqliteRepository {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> RepositoryResult<Self> {
        if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| {
                RepositoryError::new(RepositoryErrorKind::Unavailable, format!("could not create {}: {error}", parent.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        Self::migrate(pool).await
    }

    /// A private in-memory database, for unit tests.
    pub async fn open_in_memory() -> RepositoryResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        Self::migrate(pool).await
    }

    async fn migrate(pool: SqlitePool) -> RepositoryResult<Self> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&pool)
            .await
            .map_err(|error| RepositoryError::new(RepositoryErrorKind::Unavailable, format!("database migration failed: {error}")))?;
        Ok(SqliteRepository { pool })
    }

    async fn write_transaction(&self) -> RepositoryResult<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Moves a leased document, checked against the lifecycle and guarded by
    /// the lease, and records the transition; all inside `transaction`.
    #[allow(clippy::too_many_arguments)]
    async fn move_leased(
        transaction: &mut Transaction<'static, Sqlite>,
        document_id: i64,
        worker_id: &str,
        from: DocumentState,
        to: DocumentState,
        update: LeasedUpdate<'_>,
        now: Millis,
    ) -> RepositoryResult<()> {
        check_transition(from, to).map_err(|error| RepositoryError::new(RepositoryErrorKind::Conflict, error.to_string()))?;
        let keep_lease = !to.is_settled();
        let moved = sqlx::query(sql!("move_leased_document"))
            .bind(document_id)
            .bind(worker_id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(update.kind)
            .bind(update.extraction_json)
            .bind(update.rules_trace_json)
            .bind(update.error_code)
            .bind(update.error_message)
            .bind(keep_lease)
            .bind(now)
            .execute(&mut **transaction)
            .await?;
        if moved.rows_affected() == 0 {
            return Err(RepositoryError::new(
                RepositoryErrorKind::LeaseLost,
                format!("document {document_id} is no longer leased to this worker in state {from}; its result was dropped"),
            ));
        }
        insert_transition(transaction, document_id, Some(from), to, &Actor::Worker(worker_id.to_string()), update.note, now).await
    }
}

#[derive(Default)]
struct LeasedUpdate<'a> {
    kind: Option<&'a str>,
    extraction_json: Option<&'a str>,
    rules_trace_json: Option<&'a str>,
    error_code: Option<&'a str>,
    error_message: Option<&'a str>,
    note: Option<&'a str>,
}

async fn insert_transition(
    transaction: &mut Transaction<'static, Sqlite>,
    document_id: i64,
    from: Option<DocumentState>,
    to: DocumentState,
    actor: &Actor,
    note: Option<&str>,
    now: Millis,
) -> RepositoryResult<()> {
    sqlx::query(sql!("insert_transition"))
        .bind(document_id)
        .bind(from.map(DocumentState::as_str))
        .bind(to.as_str())
        .bind(actor.to_string())
        .bind(now)
        .bind(note)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

fn parse_state(text: &str) -> RepositoryResult<DocumentState> {
    text.parse().map_err(|error: tramite_pipeline::lifecycle::UnknownState| RepositoryError::new(RepositoryErrorKind::Corrupt, error.to_string()))
}

fn parse_queue(text: &str) -> RepositoryResult<ReviewQueue> {
    text.parse().map_err(|error: String| RepositoryError::new(RepositoryErrorKind::Corrupt, error))
}

fn document_from_row(row: &SqliteRow) -> RepositoryResult<DocumentRecord> {
    Ok(DocumentRecord {
        document_id: row.try_get("id")?,
        client: row.try_get("client")?,
        sha256: row.try_get("sha256")?,
        original_name: row.try_get("original_name")?,
        size_bytes: row.try_get::<i64, _>("size_bytes")? as u64,
        state: parse_state(row.try_get("state")?)?,
        kind: row.try_get("kind")?,
        attempts: row.try_get::<i64, _>("attempts")? as u32,
        error_code: row.try_get("error_code")?,
        error_message: row.try_get("error_message")?,
        extraction_json: row.try_get("extraction")?,
        rules_trace_json: row.try_get("rules_trace")?,
        export_id: row.try_get("export_id")?,
        received_at: row.try_get("received_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[async_trait]
impl Repository for SqliteRepository {
    async fn register_document(&self, document: &NewDocument, now: Millis) -> RepositoryResult<Registration> {
        let mut transaction = self.write_transaction().await?;
        let inserted = sqlx::query(sql!("register_document"))
            .bind(&document.client)
            .bind(&document.sha256)
            .bind(&document.original_name)
            .bind(document.size_bytes as i64)
            .bind(now)
            .fetch_optional(&mut *transaction)
            .await?;
        let registration = match inserted {
            Some(row) => {
                let document_id: i64 = row.try_get("id")?;
                insert_transition(&mut transaction, document_id, None, DocumentState::Received, &Actor::User(document.client.clone()), Some("uploaded"), now).await?;
                Registration::New { document_id }
            }
            None => {
                let existing = sqlx::query(sql!("find_document_by_hash"))
                    .bind(&document.client)
                    .bind(&document.sha256)
                    .fetch_one(&mut *transaction)
                    .await?;
                Registration::Duplicate { existing_document_id: existing.try_get("id")? }
            }
        };
        transaction.commit().await?;
        Ok(registration)
    }

    async fn release_expired_leases(&self, now: Millis, max_attempts: u32) -> RepositoryResult<u64> {
        let mut transaction = self.write_transaction().await?;
        let released = sqlx::query(sql!("release_expired_leases"))
            .bind(now)
            .bind(max_attempts as i64)
            .fetch_all(&mut *transaction)
            .await?;
        for row in &released {
            let document_id: i64 = row.try_get("id")?;
            let to_state = parse_state(row.try_get("state")?)?;
            let previous: Option<String> = row.try_get("previous_state")?;
            let from_state = previous.as_deref().map(parse_state).transpose()?;
            insert_transition(&mut transaction, document_id, from_state, to_state, &Actor::System, Some("lease expired"), now).await?;
        }
        transaction.commit().await?;
        Ok(released.len() as u64)
    }

    async fn claim_next_document(&self, worker_id: &str, lease_until: Millis, now: Millis) -> RepositoryResult<Option<ClaimedDocument>> {
        let mut transaction = self.write_transaction().await?;
        let claimed = sqlx::query(sql!("claim_next_document"))
            .bind(worker_id)
            .bind(lease_until)
            .bind(now)
            .fetch_optional(&mut *transaction)
            .await?;
        let Some(row) = claimed else {
            transaction.commit().await?;
            return Ok(None);
        };
        let claimed = ClaimedDocument {
            document_id: row.try_get("id")?,
            client: row.try_get("client")?,
            sha256: row.try_get("sha256")?,
            original_name: row.try_get("original_name")?,
            size_bytes: row.try_get::<i64, _>("size_bytes")? as u64,
            attempts: row.try_get::<i64, _>("attempts")? as u32,
        };
        let note = format!("attempt {}", claimed.attempts);
        insert_transition(&mut transaction, claimed.document_id, Some(DocumentState::Received), DocumentState::Extracting, &Actor::Worker(worker_id.to_string()), Some(&note), now).await?;
        transaction.commit().await?;
        Ok(Some(claimed))
    }

    async fn extend_lease(&self, document_id: i64, worker_id: &str, lease_until: Millis, now: Millis) -> RepositoryResult<()> {
        let extended = sqlx::query(sql!("extend_lease"))
            .bind(document_id)
            .bind(worker_id)
            .bind(lease_until)
            .bind(now)
            .execute(&self.pool)
            .await?;
        if extended.rows_affected() == 0 {
            return Err(RepositoryError::new(RepositoryErrorKind::LeaseLost, format!("document {document_id}: lease lost")));
        }
        Ok(())
    }

    async fn record_extraction(&self, document_id: i64, worker_id: &str, kind: &str, extraction_json: &str, now: Millis) -> RepositoryResult<()> {
        let mut transaction = self.write_transaction().await?;
        let update = LeasedUpdate { kind: Some(kind), extraction_json: Some(extraction_json), ..LeasedUpdate::default() };
        Self::move_leased(&mut transaction, document_id, worker_id, DocumentState::Extracting, DocumentState::Validating, update, now).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn record_failure(&self, document_id: i64, worker_id: &str, failure: &Failure, now: Millis) -> RepositoryResult<()> {
        let current: String = sqlx::query(sql!("get_document")).bind(document_id).fetch_one(&self.pool).await?.try_get("state")?;
        let from = parse_state(&current)?;
        let mut transaction = self.write_transaction().await?;
        let update = LeasedUpdate {
            error_code: Some(&failure.code),
            error_message: Some(&failure.message),
            note: Some(&failure.code),
            ..LeasedUpdate::default()
        };
        Self::move_leased(&mut transaction, document_id, worker_id, from, DocumentState::Failed, update, now).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn record_routing(&self, document_id: i64, worker_id: &str, routing: &Routing, now: Millis) -> RepositoryResult<()> {
        let mut transaction = self.write_transaction().await?;
        let note = format!("{} finding(s)", routing.exceptions.len());
        let update = LeasedUpdate { rules_trace_json: Some(&routing.rules_trace_json), note: Some(&note), ..LeasedUpdate::default() };
        Self::move_leased(&mut transaction, document_id, worker_id, DocumentState::Validating, routing.target_state(), update, now).await?;
        for exception in &routing.exceptions {
            let fields_json = serde_json::to_string(&exception.fields).expect("field names serialise");
            sqlx::query(sql!("insert_exception"))
                .bind(document_id)
                .bind(exception.queue.as_str())
                .bind(&exception.rule)
                .bind(&exception.severity)
                .bind(fields_json)
                .bind(&exception.message)
                .bind(now)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn decide_review(&self, document_id: i64, reviewer: &str, decision: ReviewDecision, note: Option<&str>, now: Millis) -> RepositoryResult<()> {
        let to = match decision {
            ReviewDecision::Approve => DocumentState::Approved,
            ReviewDecision::Reject => DocumentState::Rejected,
        };
        let mut transaction = self.write_transaction().await?;
        let moved = sqlx::query(sql!("decide_review")).bind(document_id).bind(to.as_str()).bind(now).execute(&mut *transaction).await?;
        if moved.rows_affected() == 0 {
            let current = sqlx::query(sql!("get_document")).bind(document_id).fetch_optional(&mut *transaction).await?;
            return Err(match current {
                None => RepositoryError::new(RepositoryErrorKind::NotFound, format!("no document {document_id}")),
                Some(row) => RepositoryError::new(
                    RepositoryErrorKind::Conflict,
                    format!("document {document_id} is {}, not in_review: only documents in review can be approved or rejected", row.try_get::<String, _>("state")?),
                ),
            });
        }
        sqlx::query(sql!("resolve_exceptions")).bind(document_id).bind(now).bind(reviewer).execute(&mut *transaction).await?;
        insert_transition(&mut transaction, document_id, Some(DocumentState::InReview), to, &Actor::User(reviewer.to_string()), note, now).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn reserve_export(&self, export: &NewExport, stale_before: Millis, now: Millis) -> RepositoryResult<Vec<ExportRow>> {
        let mut transaction = self.write_transaction().await?;
        let abandoned = sqlx::query(sql!("abandon_stale_exports")).bind(stale_before).fetch_all(&mut *transaction).await?;
        for row in &abandoned {
            let abandoned_export_id: String = row.try_get("id")?;
            sqlx::query(sql!("release_abandoned_export_documents")).bind(&abandoned_export_id).execute(&mut *transaction).await?;
            tracing::warn!(export_id = %abandoned_export_id, "an earlier export never completed; its documents are exported again");
        }
        sqlx::query(sql!("insert_pending_export"))
            .bind(&export.export_id)
            .bind(&export.client)
            .bind(&export.format)
            .bind(&export.path)
            .bind(now)
            .execute(&mut *transaction)
            .await?;
        let reserved = sqlx::query(sql!("reserve_approved_for_export")).bind(&export.export_id).bind(&export.client).fetch_all(&mut *transaction).await?;
        let mut rows = Vec::with_capacity(reserved.len());
        for row in &reserved {
            rows.push(ExportRow {
                document_id: row.try_get("id")?,
                client: row.try_get("client")?,
                sha256: row.try_get("sha256")?,
                original_name: row.try_get("original_name")?,
                kind: row.try_get("kind")?,
                extraction_json: row.try_get("extraction")?,
            });
        }
        rows.sort_by_key(|row| row.document_id);
        transaction.commit().await?;
        Ok(rows)
    }

    async fn complete_export(&self, export_id: &str, file_sha256: &str, row_count: u64, now: Millis) -> RepositoryResult<u64> {
        let mut transaction = self.write_transaction().await?;
        let completed = sqlx::query(sql!("complete_export")).bind(export_id).bind(file_sha256).bind(row_count as i64).bind(now).execute(&mut *transaction).await?;
        if completed.rows_affected() == 0 {
            return Err(RepositoryError::new(
                RepositoryErrorKind::Conflict,
                format!("export {export_id} is no longer pending (it took too long and was abandoned); run the export again"),
            ));
        }
        let exported = sqlx::query(sql!("mark_export_documents_exported")).bind(export_id).bind(now).fetch_all(&mut *transaction).await?;
        let note = format!("export {export_id}");
        for row in &exported {
            insert_transition(&mut transaction, row.try_get("id")?, Some(DocumentState::Approved), DocumentState::Exported, &Actor::System, Some(&note), now).await?;
        }
        transaction.commit().await?;
        Ok(exported.len() as u64)
    }

    async fn status(&self, client: Option<&str>) -> RepositoryResult<StatusReport> {
        let mut report = StatusReport::default();
        for row in sqlx::query(sql!("count_by_state")).bind(client).fetch_all(&self.pool).await? {
            report.states.push(StateCount {
                state: parse_state(row.try_get("state")?)?,
                documents: row.try_get::<i64, _>("documents")? as u64,
                oldest_since: row.try_get("oldest_updated_at")?,
            });
        }
        report.states.sort_by_key(|count| count.state);
        for row in sqlx::query(sql!("count_open_exceptions_by_queue")).bind(client).fetch_all(&self.pool).await? {
            report.queues.push(QueueCount {
                queue: parse_queue(row.try_get("queue")?)?,
                documents: row.try_get::<i64, _>("documents")? as u64,
                exceptions: row.try_get::<i64, _>("exceptions")? as u64,
                oldest_since: row.try_get("oldest_created_at")?,
            });
        }
        report.queues.sort_by_key(|count| count.queue);
        Ok(report)
    }

    async fn document_history(&self, document_id: i64) -> RepositoryResult<DocumentHistory> {
        let row = sqlx::query(sql!("get_document"))
            .bind(document_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| RepositoryError::new(RepositoryErrorKind::NotFound, format!("no document {document_id}")))?;
        let document = document_from_row(&row)?;
        let mut transitions = Vec::new();
        for row in sqlx::query(sql!("list_transitions")).bind(document_id).fetch_all(&self.pool).await? {
            let from: Option<String> = row.try_get("from_state")?;
            transitions.push(TransitionRecord {
                from_state: from.as_deref().map(parse_state).transpose()?,
                to_state: parse_state(row.try_get("to_state")?)?,
                actor: row.try_get("actor")?,
                at: row.try_get("at")?,
                note: row.try_get("note")?,
            });
        }
        let mut exceptions = Vec::new();
        for row in sqlx::query(sql!("list_exceptions")).bind(document_id).fetch_all(&self.pool).await? {
            let fields_json: String = row.try_get("fields")?;
            exceptions.push(ExceptionRecord {
                exception_id: row.try_get("id")?,
                queue: parse_queue(row.try_get("queue")?)?,
                rule: row.try_get("rule")?,
                severity: row.try_get("severity")?,
                fields: serde_json::from_str(&fields_json).map_err(|error| RepositoryError::new(RepositoryErrorKind::Corrupt, error.to_string()))?,
                message: row.try_get("message")?,
                created_at: row.try_get("created_at")?,
                resolved_at: row.try_get("resolved_at")?,
                resolved_by: row.try_get("resolved_by")?,
            });
        }
        Ok(DocumentHistory { document, transitions, exceptions })
    }

    async fn import_reference_records(&self, import: &NewReferenceImport, now: Millis) -> RepositoryResult<Option<i64>> {
        let mut transaction = self.write_transaction().await?;
        let inserted = sqlx::query(sql!("insert_reference_import"))
            .bind(&import.client)
            .bind(import.kind.as_str())
            .bind(&import.file_name)
            .bind(&import.sha256)
            .bind(import.payloads.len() as i64)
            .bind(now)
            .fetch_optional(&mut *transaction)
            .await?;
        let Some(row) = inserted else {
            transaction.commit().await?;
            return Ok(None);
        };
        let import_id: i64 = row.try_get("id")?;
        for payload in &import.payloads {
            sqlx::query(sql!("insert_reference_record"))
                .bind(import_id)
                .bind(&import.client)
                .bind(import.kind.as_str())
                .bind(payload)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(Some(import_id))
    }

    async fn reference_records(&self, client: &str, kind: ReferenceKind) -> RepositoryResult<Vec<String>> {
        sqlx::query(sql!("list_reference_records"))
            .bind(client)
            .bind(kind.as_str())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok(row.try_get("payload")?))
            .collect()
    }

    async fn client_invoices(&self, client: &str, before_document_id: i64) -> RepositoryResult<Vec<ClientInvoice>> {
        sqlx::query(sql!("list_client_invoices"))
            .bind(client)
            .bind(before_document_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(ClientInvoice {
                    document_id: row.try_get("id")?,
                    state: parse_state(row.try_get("state")?)?,
                    extraction_json: row.try_get("extraction")?,
                })
            })
            .collect()
    }

    async fn list_documents(&self, client: Option<&str>, state: Option<DocumentState>, limit: u32) -> RepositoryResult<Vec<DocumentRecord>> {
        sqlx::query(sql!("list_documents"))
            .bind(client)
            .bind(state.map(DocumentState::as_str))
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(document_from_row)
            .collect()
    }
}

#[cfg(test)]
mod tests;
