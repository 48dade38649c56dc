//! The HTTP API, served from the repository: status counts, documents and
//! their histories, JSON over HTTP. The reviewer web UI builds on it.
//!
//! - `GET /api/health` → `{"ok": true}`
//! - `GET /api/status[?client=NAME]` → counts per state and per queue
//! - `GET /api/documents[?client=NAME&state=STATE&limit=N]` → documents
//! - `GET /api/documents/{id}` → one document with transitions and exceptions

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use tramite_repository::{Repository, RepositoryError, RepositoryErrorKind};

type SharedRepository = Arc<dyn Repository>;

/// The API's routes over one repository.
pub fn router(repository: SharedRepository) -> Router {
    Router::new()
        .route("/api/health", get(|| async { Json(serde_json::json!({"ok": true})) }))
        .route("/api/status", get(status))
        .route("/api/documents", get(list_documents))
        .route("/api/documents/{document_id}", get(document_history))
        .with_state(repository)
}

/// Serves the API on a bound listener until the process stops.
pub async fn serve(listener: tokio::net::TcpListener, repository: SharedRepository) -> std::io::Result<()> {
    axum::serve(listener, router(repository)).await
}

struct ApiError(RepositoryError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.0.kind {
            RepositoryErrorKind::NotFound => StatusCode::NOT_FOUND,
            RepositoryErrorKind::Conflict | RepositoryErrorKind::LeaseLost => StatusCode::CONFLICT,
            RepositoryErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            RepositoryErrorKind::Corrupt => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(serde_json::json!({"error": self.0.message}))).into_response()
    }
}

impl From<RepositoryError> for ApiError {
    fn from(error: RepositoryError) -> Self {
        ApiError(error)
    }
}

#[derive(Deserialize)]
struct ClientFilter {
    client: Option<String>,
}

async fn status(State(repository): State<SharedRepository>, Query(filter): Query<ClientFilter>) -> Result<Response, ApiError> {
    Ok(Json(repository.status(filter.client.as_deref()).await?).into_response())
}

#[derive(Deserialize)]
struct DocumentFilter {
    client: Option<String>,
    state: Option<String>,
    limit: Option<u32>,
}

async fn list_documents(State(repository): State<SharedRepository>, Query(filter): Query<DocumentFilter>) -> Result<Response, ApiError> {
    let state = match filter.state.as_deref().map(str::parse) {
        Some(Ok(state)) => Some(state),
        Some(Err(error)) => return Ok((StatusCode::BAD_REQUEST, Json(serde_json::json!({"error": format!("state: {error}")}))).into_response()),
        None => None,
    };
    let documents = repository.list_documents(filter.client.as_deref(), state, filter.limit.unwrap_or(100).min(1000)).await?;
    Ok(Json(documents).into_response())
}

async fn document_history(State(repository): State<SharedRepository>, Path(document_id): Path<i64>) -> Result<Response, ApiError> {
    Ok(Json(repository.document_history(document_id).await?).into_response())
}
