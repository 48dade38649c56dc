//! Configuration in layers: built-in defaults, then a TOML file
//! (`tramite.toml` in the working directory, or `--config FILE`, or
//! `TRAMITE_CONFIG`), then `TRAMITE_<SECTION>_<KEY>` environment variables
//! (`TRAMITE_WORKERS_COUNT=4`, `TRAMITE_OCR_LANGUAGES=spa+eng`). Unknown
//! keys are rejected with their name and where they came from.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use tramite_pipeline::templates::SupplierTemplate;

/// Every setting, with its default.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub storage: StorageConfig,
    pub workers: WorkersConfig,
    pub read: ReadConfig,
    pub ocr: OcrConfig,
    pub rules: RulesConfig,
    pub export: ExportConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Folder holding the SQLite database and the object store.
    pub data_dir: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig { data_dir: PathBuf::from("tramite-data") }
    }
}

impl StorageConfig {
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("tramite.sqlite")
    }

    pub fn objects_dir(&self) -> PathBuf {
        self.data_dir.join("objects")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkersConfig {
    /// Documents processed at once; 0 means one per CPU core.
    pub count: usize,
    /// How long a claim holds before another worker may take the document.
    pub lease_seconds: u64,
    /// Claims of one document before it is failed as `too_many_attempts`.
    pub max_attempts: u32,
    /// How often an idle worker looks for new documents.
    pub poll_interval_ms: u64,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        WorkersConfig { count: 0, lease_seconds: 120, max_attempts: 3, poll_interval_ms: 500 }
    }
}

impl WorkersConfig {
    pub fn effective_count(&self) -> usize {
        if self.count > 0 { self.count } else { std::thread::available_parallelism().map_or(1, |cores| cores.get()) }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadConfig {
    pub max_file_bytes: u64,
    pub max_image_pixels: u64,
    pub max_pages: u32,
    /// A folder of supplier templates (`*.toml`, see
    /// `tramite_pipeline::templates`), read in file-name order.
    pub supplier_templates_dir: Option<PathBuf>,
}

impl Default for ReadConfig {
    fn default() -> Self {
        let limits = tramite_pipeline::read::ReadLimits::default();
        ReadConfig { max_file_bytes: limits.max_file_bytes, max_image_pixels: limits.max_image_pixels, max_pages: limits.max_pages, supplier_templates_dir: None }
    }
}

impl ReadConfig {
    pub fn limits(&self) -> tramite_pipeline::read::ReadLimits {
        tramite_pipeline::read::ReadLimits {
            max_file_bytes: self.max_file_bytes,
            max_image_pixels: self.max_image_pixels,
            max_pages: self.max_pages,
            ..tramite_pipeline::read::ReadLimits::default()
        }
    }

    /// The supplier templates of `supplier_templates_dir`, none when it is
    /// not set. A template that cannot be read or is wrong fails the whole
    /// load, naming its file.
    pub fn supplier_templates(&self) -> Result<std::sync::Arc<Vec<SupplierTemplate>>> {
        let Some(folder) = &self.supplier_templates_dir else { return Ok(Default::default()) };
        let entries = std::fs::read_dir(folder)
            .with_context(|| format!("could not read the supplier templates folder {} (read.supplier_templates_dir)", folder.display()))?;
        let mut files: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).filter(|path| path.extension().is_some_and(|extension| extension == "toml")).collect();
        files.sort();
        let templates = files
            .iter()
            .map(|file| {
                let text = std::fs::read_to_string(file).with_context(|| format!("could not read the supplier template {}", file.display()))?;
                SupplierTemplate::parse(&text).with_context(|| format!("supplier template {}", file.display()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(std::sync::Arc::new(templates))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcrConfig {
    /// Tesseract languages joined with `+`.
    pub languages: String,
    /// Tesseract page segmentation mode (3 = automatic, as the CLI).
    pub page_segmentation_mode: u32,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig { languages: "spa+eng".into(), page_segmentation_mode: 3 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// Language of reviewer messages: "en" or "es".
    pub language: String,
    /// Fields read with less confidence than this go to data entry.
    pub review_confidence_threshold: f32,
    /// Largest rounding difference accepted in arithmetic checks.
    pub rounding_tolerance: String,
    /// Identity documents expiring within this many days are flagged.
    pub expiry_warning_days: i64,
    /// A folder of per-client rule packs, `CLIENT.toml` each, merged over the
    /// shipped defaults (see rules/packs/clients/example.toml).
    pub client_packs_dir: Option<PathBuf>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig { language: "en".into(), review_confidence_threshold: 0.7, rounding_tolerance: "0.02".into(), expiry_warning_days: 30, client_packs_dir: None }
    }
}

impl RulesConfig {
    pub fn settings(&self, today: chrono::NaiveDate) -> Result<tramite_rules::RuleSettings> {
        let mut settings = tramite_rules::RuleSettings::new(today);
        settings.language = self.language.parse().map_err(anyhow::Error::msg).context("rules.language")?;
        settings.review_confidence_threshold = self.review_confidence_threshold;
        settings.rounding_tolerance = self
            .rounding_tolerance
            .parse()
            .with_context(|| format!("rules.rounding_tolerance {:?} is not a decimal number like \"0.02\"", self.rounding_tolerance))?;
        settings.expiry_warning_days = self.expiry_warning_days;
        Ok(settings)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExportConfig {
    /// An export that has not completed after this long is abandoned and
    /// its documents go to the next export.
    pub stale_after_seconds: u64,
}

impl Default for ExportConfig {
    fn default() -> Self {
        ExportConfig { stale_after_seconds: 600 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// "text" for people, "json" for machines.
    pub format: String,
    /// A tracing filter such as "info" or "tramite=debug".
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: "text".into(), level: "info".into() }
    }
}

const SECTIONS: [&str; 7] = ["storage", "workers", "read", "ocr", "rules", "export", "log"];
const PREFIX: &str = "TRAMITE_";
/// Environment variables with the prefix that are not settings.
const NOT_SETTINGS: [&str; 1] = ["TRAMITE_CONFIG"];

impl Config {
    /// Loads the layers. `explicit_file` (from `--config`) must exist; the
    /// default `tramite.toml` is optional.
    pub fn load(explicit_file: Option<&Path>, environment: impl IntoIterator<Item = (String, String)>) -> Result<Config> {
        let environment: Vec<(String, String)> = environment.into_iter().filter(|(name, _)| name.starts_with(PREFIX)).collect();
        let from_environment = environment.iter().find(|(name, _)| name == "TRAMITE_CONFIG").map(|(_, value)| PathBuf::from(value));
        let (file, required) = match explicit_file.map(Path::to_path_buf).or(from_environment) {
            Some(file) => (file, true),
            None => (PathBuf::from("tramite.toml"), false),
        };
        let mut table = if file.exists() {
            let text = std::fs::read_to_string(&file).with_context(|| format!("could not read the configuration file {}", file.display()))?;
            let table: toml::Table = toml::from_str(&text).with_context(|| format!("{} is not valid TOML", file.display()))?;
            table
                .clone()
                .try_into::<Config>()
                .with_context(|| format!("{}: a setting is wrong (see the README's configuration table for every key)", file.display()))?;
            table
        } else if required {
            bail!("the configuration file {} does not exist", file.display());
        } else {
            toml::Table::new()
        };
        for (name, raw_value) in &environment {
            if NOT_SETTINGS.contains(&name.as_str()) {
                continue;
            }
            let rest = name[PREFIX.len()..].to_lowercase();
            let Some(section) = SECTIONS.iter().find(|section| rest.starts_with(&format!("{section}_"))) else {
                bail!("unknown environment variable {name}: settings are TRAMITE_<SECTION>_<KEY> with SECTION one of {}", SECTIONS.join(", ").to_uppercase());
            };
            let key = &rest[section.len() + 1..];
            let value = parse_environment_value(raw_value);
            let section_table = table.entry(section.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(section_table) = section_table else { bail!("[{section}] in the configuration file must be a table") };
            section_table.insert(key.to_string(), value);
        }
        let config: Config = table.try_into().context("an environment variable (TRAMITE_...) sets an unknown key or a wrong value")?;
        Ok(config)
    }
}

/// `4` is a number, `true` a boolean, anything else a string.
fn parse_environment_value(raw: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("value = {raw}"))
        .ok()
        .and_then(|mut table| table.remove("value"))
        .filter(|value| !matches!(value, toml::Value::Table(_) | toml::Value::Array(_)))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect()
    }

    #[test]
    fn defaults_apply_when_nothing_is_configured() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("empty.toml");
        std::fs::write(&file, "").unwrap();
        let config = Config::load(Some(&file), vec![]).unwrap();
        assert_eq!(config.workers.lease_seconds, 120);
        assert_eq!(config.ocr.languages, "spa+eng");
        assert_eq!(config.storage.database_path(), PathBuf::from("tramite-data/tramite.sqlite"));
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("tramite.toml");
        std::fs::write(&file, "[workers]\ncount = 2\nlease_seconds = 30\n").unwrap();
        let config = Config::load(Some(&file), environment(&[("TRAMITE_WORKERS_COUNT", "5"), ("TRAMITE_STORAGE_DATA_DIR", "/tmp/x y")])).unwrap();
        assert_eq!(config.workers.count, 5);
        assert_eq!(config.workers.lease_seconds, 30);
        assert_eq!(config.storage.data_dir, PathBuf::from("/tmp/x y"));
    }

    #[test]
    fn an_unknown_key_in_the_file_is_rejected_with_its_name() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("tramite.toml");
        std::fs::write(&file, "[workers]\ncuont = 2\n").unwrap();
        let error = format!("{:#}", Config::load(Some(&file), vec![]).unwrap_err());
        assert!(error.contains("cuont"), "{error}");
        assert!(error.contains("tramite.toml"), "{error}");
    }

    #[test]
    fn an_unknown_environment_variable_is_rejected_with_its_name() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("empty.toml");
        std::fs::write(&file, "").unwrap();
        let error = format!("{:#}", Config::load(Some(&file), environment(&[("TRAMITE_WROKERS_COUNT", "2")])).unwrap_err());
        assert!(error.contains("TRAMITE_WROKERS_COUNT"), "{error}");
        let error = format!("{:#}", Config::load(Some(&file), environment(&[("TRAMITE_WORKERS_CUONT", "2")])).unwrap_err());
        assert!(error.contains("cuont"), "{error}");
    }

    #[test]
    fn a_missing_explicit_file_is_an_error() {
        let error = Config::load(Some(Path::new("/nonexistent/tramite.toml")), vec![]).unwrap_err();
        assert!(error.to_string().contains("does not exist"));
    }
}
