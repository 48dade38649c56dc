//! The API started on port 0 over a fresh database, spoken to over real HTTP.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tramite_repository::{NewDocument, Repository, SqliteRepository};

async fn get(address: std::net::SocketAddr, path: &str) -> (u16, serde_json::Value) {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let status: u16 = response[9..12].parse().unwrap();
    let body_start = response.find("\r\n\r\n").unwrap() + 4;
    let body = &response[body_start..];
    // The body may be chunked; take the JSON between the first { or [ and the last } or ].
    let start = body.find(['{', '[']).unwrap();
    let end = body.rfind(['}', ']']).unwrap() + 1;
    (status, serde_json::from_str(&body[start..end]).unwrap())
}

async fn start() -> (std::net::SocketAddr, Arc<SqliteRepository>, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let repository = Arc::new(SqliteRepository::open(&folder.path().join("api.sqlite")).await.unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let shared: Arc<dyn Repository> = repository.clone();
    tokio::spawn(tramite_api::serve(listener, shared));
    (address, repository, folder)
}

#[tokio::test]
async fn status_and_document_history_are_served_as_json() {
    let (address, repository, _folder) = start().await;
    let document = NewDocument { client: "acme".into(), sha256: "ab".repeat(32), original_name: "a.pdf".into(), size_bytes: 3 };
    repository.register_document(&document, 1_000).await.unwrap();

    let (status, health) = get(address, "/api/health").await;
    assert_eq!((status, health["ok"].as_bool()), (200, Some(true)));
    let (status, report) = get(address, "/api/status?client=acme").await;
    assert_eq!(status, 200);
    assert_eq!(report["states"][0]["state"], "received");
    assert_eq!(report["states"][0]["documents"], 1);
    let (status, listing) = get(address, "/api/documents?state=received").await;
    assert_eq!(status, 200);
    assert_eq!(listing.as_array().unwrap().len(), 1);
    let (status, history) = get(address, "/api/documents/1").await;
    assert_eq!(status, 200);
    assert_eq!(history["transitions"][0]["to_state"], "received");
}

#[tokio::test]
async fn a_missing_document_is_404_and_a_bad_state_is_400() {
    let (address, _repository, _folder) = start().await;
    let (status, body) = get(address, "/api/documents/999").await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap().contains("999"));
    let (status, body) = get(address, "/api/documents?state=done").await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("done"));
}
