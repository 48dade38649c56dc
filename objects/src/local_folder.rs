//! The embedded object store: a local folder. Objects live at
//! `ROOT/objects/ab/cd/abcd…` (sha256 fan-out so no folder grows huge).
//! Writes go to `ROOT/tmp/` first and are renamed into place, so a crash
//! never leaves a half-written object under its final name.

use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::{ObjectKey, ObjectStore, ObjectStoreError, ObjectStoreErrorKind, StoredObject};

/// A content-addressed store in a local folder.
#[derive(Debug, Clone)]
pub struct LocalFolderStore {
    root: PathBuf,
}

impl LocalFolderStore {
    /// Opens (creating if needed) a store rooted at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, ObjectStoreError> {
        let root = root.into();
        for folder in [root.join("objects"), root.join("tmp")] {
            std::fs::create_dir_all(&folder).map_err(|error| unavailable(&folder, "create the folder", &error))?;
        }
        Ok(LocalFolderStore { root })
    }

    fn object_path(&self, key: &ObjectKey) -> PathBuf {
        let hex_digest = key.as_str();
        self.root.join("objects").join(&hex_digest[0..2]).join(&hex_digest[2..4]).join(hex_digest)
    }

    fn temporary_path(&self) -> PathBuf {
        self.root.join("tmp").join(format!("{}.partial", uuid::Uuid::new_v4()))
    }

    /// Moves a fully written temporary file to its content address.
    fn commit_temporary(&self, temporary: &Path, key: &ObjectKey) -> Result<(), ObjectStoreError> {
        let final_path = self.object_path(key);
        if final_path.exists() {
            let _ = std::fs::remove_file(temporary);
            return Ok(());
        }
        let parent = final_path.parent().expect("object paths have a parent");
        std::fs::create_dir_all(parent).map_err(|error| unavailable(parent, "create the folder", &error))?;
        std::fs::rename(temporary, &final_path).map_err(|error| unavailable(&final_path, "move the object into place", &error))
    }

    fn write_stream(&self, mut source: impl Read) -> Result<StoredObject, ObjectStoreError> {
        let temporary = self.temporary_path();
        let result = (|| {
            let mut file = std::fs::File::create(&temporary).map_err(|error| unavailable(&temporary, "create", &error))?;
            let mut hasher = Sha256::new();
            let mut buffer = vec![0u8; 256 * 1024];
            let mut size_bytes = 0u64;
            loop {
                let read = match source.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => read,
                    Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                    Err(error) => return Err(unavailable(&temporary, "read the source", &error)),
                };
                hasher.update(&buffer[..read]);
                file.write_all(&buffer[..read]).map_err(|error| unavailable(&temporary, "write", &error))?;
                size_bytes += read as u64;
            }
            file.sync_all().map_err(|error| unavailable(&temporary, "sync", &error))?;
            let key = ObjectKey(hex::encode(hasher.finalize()));
            self.commit_temporary(&temporary, &key)?;
            Ok(StoredObject { key, size_bytes })
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        result
    }
}

fn unavailable(path: &Path, action: &str, error: &std::io::Error) -> ObjectStoreError {
    ObjectStoreError::new(ObjectStoreErrorKind::Unavailable, format!("could not {action} {}: {error}", path.display()))
}

fn read_error(key: &ObjectKey, path: &Path, error: std::io::Error) -> ObjectStoreError {
    if error.kind() == ErrorKind::NotFound {
        ObjectStoreError::new(ObjectStoreErrorKind::NotFound, format!("no object {key}"))
    } else {
        unavailable(path, "read", &error)
    }
}

#[async_trait]
impl ObjectStore for LocalFolderStore {
    async fn put_bytes(&self, bytes: &[u8]) -> Result<StoredObject, ObjectStoreError> {
        let store = self.clone();
        let bytes = bytes.to_vec();
        tokio::task::spawn_blocking(move || store.write_stream(bytes.as_slice()))
            .await
            .map_err(|error| ObjectStoreError::new(ObjectStoreErrorKind::Unavailable, error.to_string()))?
    }

    async fn put_file(&self, path: &Path) -> Result<StoredObject, ObjectStoreError> {
        let store = self.clone();
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::open(&path).map_err(|error| unavailable(&path, "open", &error))?;
            store.write_stream(file)
        })
        .await
        .map_err(|error| ObjectStoreError::new(ObjectStoreErrorKind::Unavailable, error.to_string()))?
    }

    async fn size(&self, key: &ObjectKey) -> Result<u64, ObjectStoreError> {
        let path = self.object_path(key);
        tokio::fs::metadata(&path).await.map(|metadata| metadata.len()).map_err(|error| read_error(key, &path, error))
    }

    async fn get(&self, key: &ObjectKey) -> Result<Vec<u8>, ObjectStoreError> {
        let path = self.object_path(key);
        tokio::fs::read(&path).await.map_err(|error| read_error(key, &path, error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_local_folder_store_meets_the_object_store_contract() {
        let folder = tempfile::tempdir().unwrap();
        let store = LocalFolderStore::open(folder.path()).unwrap();
        crate::contract_tests::run_all(&store).await;
    }

    #[tokio::test]
    async fn a_stored_file_leaves_no_temporary_behind() {
        let folder = tempfile::tempdir().unwrap();
        let store = LocalFolderStore::open(folder.path().join("store")).unwrap();
        let source = folder.path().join("scan.png");
        std::fs::write(&source, vec![1u8; 600_000]).unwrap();
        let stored = store.put_file(&source).await.unwrap();
        assert_eq!(stored.size_bytes, 600_000);
        assert_eq!(std::fs::read_dir(folder.path().join("store/tmp")).unwrap().count(), 0);
        assert_eq!(store.get(&stored.key).await.unwrap().len(), 600_000);
    }

    #[test]
    fn a_key_that_is_not_a_sha256_is_refused() {
        assert!(ObjectKey::from_sha256_hex("../../etc/passwd").is_err());
        assert!(ObjectKey::from_sha256_hex(&"A".repeat(64)).is_err());
    }
}
