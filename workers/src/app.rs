//! The running application: the configuration and one implementation of
//! each outside system (repository, object store, OCR engine), chosen from
//! the configuration. Today that is the embedded default (SQLite file and
//! local folder); the scaled-out implementations plug in here.

use std::sync::Arc;

use anyhow::{Context, Result};
use tramite_objects::{LocalFolderStore, ObjectStore};
use tramite_pipeline::read::ocr::{OcrEngine, TesseractOcr};
use tramite_repository::{Repository, SqliteRepository};

use crate::config::Config;

/// Everything a command needs.
#[derive(Clone)]
pub struct App {
    pub config: Config,
    pub repository: Arc<dyn Repository>,
    pub objects: Arc<dyn ObjectStore>,
    pub ocr: Arc<dyn OcrEngine>,
    pub rules: Arc<crate::rulebook::Rulebook>,
    /// The supplier templates of `read.supplier_templates_dir`.
    pub supplier_templates: Arc<Vec<tramite_pipeline::templates::SupplierTemplate>>,
}

impl App {
    /// Opens the embedded default: the SQLite file and object folder under
    /// `storage.data_dir`.
    pub async fn open(config: Config) -> Result<App> {
        let database_path = config.storage.database_path();
        let repository = SqliteRepository::open(&database_path)
            .await
            .with_context(|| format!("could not open the database {}", database_path.display()))?;
        let objects_dir = config.storage.objects_dir();
        let objects = LocalFolderStore::open(&objects_dir).with_context(|| format!("could not open the object store {}", objects_dir.display()))?;
        let ocr = tesseract_from(&config);
        let settings = config.rules.settings(chrono::Utc::now().date_naive())?;
        let rules = crate::rulebook::Rulebook::new(&settings, config.rules.client_packs_dir.clone());
        let supplier_templates = config.read.supplier_templates()?;
        Ok(App { config, repository: Arc::new(repository), objects: Arc::new(objects), ocr: Arc::new(ocr), rules: Arc::new(rules), supplier_templates })
    }
}

/// The OCR engine the configuration asks for.
pub fn tesseract_from(config: &Config) -> TesseractOcr {
    TesseractOcr { languages: config.ocr.languages.clone(), page_segmentation_mode: config.ocr.page_segmentation_mode }
}
