//! An in-memory object store for unit tests of logic.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use async_trait::async_trait;

use crate::{ObjectKey, ObjectStore, ObjectStoreError, ObjectStoreErrorKind, StoredObject};

#[derive(Debug, Default)]
pub struct InMemoryStore {
    objects: Mutex<HashMap<ObjectKey, Vec<u8>>>,
}

impl InMemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl ObjectStore for InMemoryStore {
    async fn put_bytes(&self, bytes: &[u8]) -> Result<StoredObject, ObjectStoreError> {
        let key = ObjectKey::for_bytes(bytes);
        self.objects.lock().expect("store lock").entry(key.clone()).or_insert_with(|| bytes.to_vec());
        Ok(StoredObject { key, size_bytes: bytes.len() as u64 })
    }

    async fn put_file(&self, path: &Path) -> Result<StoredObject, ObjectStoreError> {
        let bytes = std::fs::read(path).map_err(|error| {
            ObjectStoreError::new(ObjectStoreErrorKind::Unavailable, format!("could not read {}: {error}", path.display()))
        })?;
        self.put_bytes(&bytes).await
    }

    async fn size(&self, key: &ObjectKey) -> Result<u64, ObjectStoreError> {
        self.get(key).await.map(|bytes| bytes.len() as u64)
    }

    async fn get(&self, key: &ObjectKey) -> Result<Vec<u8>, ObjectStoreError> {
        self.objects
            .lock()
            .expect("store lock")
            .get(key)
            .cloned()
            .ok_or_else(|| ObjectStoreError::new(ObjectStoreErrorKind::NotFound, format!("no object {key}")))
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_in_memory_store_meets_the_object_store_contract() {
        crate::contract_tests::run_all(&super::InMemoryStore::new()).await;
    }
}
