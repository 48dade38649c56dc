//! The rules each client's documents are checked with: the shipped default
//! packs with `[rules]` settings applied, plus the client's own pack
//! `rules.client_packs_dir/CLIENT.toml` when there is one. A client pack is
//! re-read when its file changes; a pack that no longer loads is reported
//! (file, line, reason) and the last good one stays in force.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use rust_decimal::Decimal;
use tramite_pipeline::extraction::ExtractedDocument;
use tramite_rules::{PackHolder, PriorInvoice, RuleSet, RuleSettings};

struct ClientPack {
    holder: PackHolder,
    loaded_modified: Option<SystemTime>,
}

/// Rule sets per client.
pub struct Rulebook {
    base: RuleSet,
    client_packs_dir: Option<PathBuf>,
    clients: Mutex<HashMap<String, ClientPack>>,
}

impl Rulebook {
    pub fn new(settings: &RuleSettings, client_packs_dir: Option<PathBuf>) -> Self {
        Rulebook { base: RuleSet::defaults().with_settings(settings), client_packs_dir, clients: Mutex::new(HashMap::new()) }
    }

    /// The rule set in force for `client`, reloading its pack if the file
    /// changed since it was last read.
    pub fn rules_for(&self, client: &str) -> Arc<RuleSet> {
        let Some(dir) = &self.client_packs_dir else { return Arc::new(self.base.clone()) };
        let path = dir.join(format!("{client}.toml"));
        let modified = std::fs::metadata(&path).and_then(|metadata| metadata.modified()).ok();
        let mut clients = self.clients.lock().expect("rulebook lock");
        let entry = clients.entry(client.to_string()).or_insert_with(|| ClientPack { holder: PackHolder::new(self.base.clone()), loaded_modified: None });
        if modified.is_some() && modified != entry.loaded_modified {
            match entry.holder.reload(&path) {
                Ok(summary) => tracing::info!(client, rules = summary.rules.len(), "client rule pack loaded"),
                Err(error) => tracing::error!(client, error = %error, "client rule pack does not load; the last good rules stay in force"),
            }
            entry.loaded_modified = modified;
        }
        entry.holder.current()
    }
}

/// What the duplicate checks need to know of an earlier invoice.
pub fn prior_invoice(document_id: i64, document: &ExtractedDocument) -> PriorInvoice {
    PriorInvoice {
        document_id,
        supplier_tax_id: document.value("supplier_tax_id").map(str::to_string),
        invoice_number: document.value("invoice_number").map(str::to_string),
        total: document.value("total").and_then(|total| total.parse::<Decimal>().ok()),
        issue_date: document.value("issue_date").and_then(|date| chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()),
    }
}
