//! Where document bytes live: the [`ObjectStore`] trait, content-addressed
//! by sha256, with a local-folder implementation (the embedded default) and
//! an in-memory one for unit tests. The S3 implementation plugs in behind
//! the same trait.
//!
//! Objects are immutable and named by the sha256 of their bytes, so writing
//! the same content twice is harmless and a key always means the same
//! bytes.

mod local_folder;
mod memory;

use std::path::Path;

use async_trait::async_trait;

pub use local_folder::LocalFolderStore;
pub use memory::InMemoryStore;

/// The sha256 of an object's bytes, as 64 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Accepts only a well-formed sha256 hex string, so a key can never
    /// name a path outside the store.
    pub fn from_sha256_hex(hex_digest: &str) -> Result<Self, ObjectStoreError> {
        let well_formed = hex_digest.len() == 64 && hex_digest.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        if well_formed {
            Ok(ObjectKey(hex_digest.to_string()))
        } else {
            Err(ObjectStoreError::new(ObjectStoreErrorKind::InvalidKey, "an object key must be 64 lowercase hex characters (a sha256)"))
        }
    }

    pub fn for_bytes(bytes: &[u8]) -> Self {
        use sha2::{Digest, Sha256};
        ObjectKey(hex::encode(Sha256::digest(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// What went wrong, by kind, so callers can decide whether to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectStoreErrorKind {
    /// No object with that key: retrying will not help.
    NotFound,
    /// The key is malformed: a bug or bad input, not retryable.
    InvalidKey,
    /// A read or write failed (disk full, network): worth retrying.
    Unavailable,
}

#[derive(Debug, thiserror::Error)]
#[error("object store: {message}")]
pub struct ObjectStoreError {
    pub kind: ObjectStoreErrorKind,
    pub message: String,
}

impl ObjectStoreError {
    pub fn new(kind: ObjectStoreErrorKind, message: impl Into<String>) -> Self {
        ObjectStoreError { kind, message: message.into() }
    }

    pub fn is_retryable(&self) -> bool {
        self.kind == ObjectStoreErrorKind::Unavailable
    }
}

/// A stored object's key and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: ObjectKey,
    pub size_bytes: u64,
}

/// One outside system: where the bytes of every uploaded document (and
/// every export file) are kept.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Stores bytes and returns their key. Storing existing content again is
    /// a no-op that returns the same key.
    async fn put_bytes(&self, bytes: &[u8]) -> Result<StoredObject, ObjectStoreError>;

    /// Streams a file into the store (hashing while copying, so a large
    /// file is never held in memory).
    async fn put_file(&self, path: &Path) -> Result<StoredObject, ObjectStoreError>;

    /// The object's size without reading it, so callers can refuse huge
    /// objects before loading them.
    async fn size(&self, key: &ObjectKey) -> Result<u64, ObjectStoreError>;

    /// The object's bytes.
    async fn get(&self, key: &ObjectKey) -> Result<Vec<u8>, ObjectStoreError>;
}

/// The contract every implementation must satisfy; each implementation's
/// tests call it (as quickwit's storage test suite does).
#[doc(hidden)]
pub mod contract_tests {
    use super::*;

    pub async fn run_all(store: &dyn ObjectStore) {
        put_then_get_returns_the_same_bytes(store).await;
        putting_the_same_bytes_twice_gives_the_same_key(store).await;
        a_missing_key_is_not_found(store).await;
        size_is_known_without_reading(store).await;
    }

    async fn put_then_get_returns_the_same_bytes(store: &dyn ObjectStore) {
        let stored = store.put_bytes(b"factura 1").await.unwrap();
        assert_eq!(stored.key, ObjectKey::for_bytes(b"factura 1"));
        assert_eq!(store.get(&stored.key).await.unwrap(), b"factura 1");
    }

    async fn putting_the_same_bytes_twice_gives_the_same_key(store: &dyn ObjectStore) {
        let first = store.put_bytes(b"same").await.unwrap();
        let second = store.put_bytes(b"same").await.unwrap();
        assert_eq!(first, second);
    }

    async fn a_missing_key_is_not_found(store: &dyn ObjectStore) {
        let missing = ObjectKey::for_bytes(b"never stored");
        let error = store.get(&missing).await.unwrap_err();
        assert_eq!(error.kind, ObjectStoreErrorKind::NotFound);
        assert!(!error.is_retryable());
    }

    async fn size_is_known_without_reading(store: &dyn ObjectStore) {
        let stored = store.put_bytes(&[7u8; 1000]).await.unwrap();
        assert_eq!(stored.size_bytes, 1000);
        assert_eq!(store.size(&stored.key).await.unwrap(), 1000);
    }
}
