//! The one module that reads files: pack files, case files, and reloading a
//! pack into a [`PackHolder`]. Everything else in the crate is pure.

use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::cases::{run_cases_str, CaseReport};
use crate::pack::{PackSummary, RulePackError, RuleSet};

fn read(path: &Path) -> Result<String, RulePackError> {
    std::fs::read_to_string(path).map_err(|error| RulePackError { file: path.display().to_string(), line: 0, column: 0, reason: format!("cannot read the pack: {error}") })
}

/// Loads a pack file over the embedded defaults: a job pack replaces the
/// default pack of its job, a client pack is merged over them.
pub fn load_pack(path: impl AsRef<Path>) -> Result<RuleSet, RulePackError> {
    load_pack_over(RuleSet::defaults(), path.as_ref())
}

fn load_pack_over(base: &RuleSet, path: &Path) -> Result<RuleSet, RulePackError> {
    let text = read(path)?;
    base.with_pack(&path.display().to_string(), &text)
}

/// Checks a pack file (syntax, field and function names, types, merge with
/// the defaults) and summarises the rules it leaves in force. For
/// `tramite rules check FILE`.
pub fn check_pack(path: impl AsRef<Path>) -> Result<PackSummary, RulePackError> {
    load_pack(path).map(|rules| rules.summary())
}

/// Runs the table-driven cases of `cases_path` against the pack of
/// `pack_path` (loaded over the defaults, as [`load_pack`]). For
/// `tramite rules test PACK CASES`. A pack or case file that does not load
/// is reported in [`CaseReport::error`].
pub fn run_cases(pack_path: impl AsRef<Path>, cases_path: impl AsRef<Path>) -> CaseReport {
    let (pack_path, cases_path) = (pack_path.as_ref(), cases_path.as_ref());
    let cases_file = cases_path.display().to_string();
    let rules = match load_pack(pack_path) {
        Ok(rules) => rules,
        Err(error) => return CaseReport::failed_to_load(&pack_path.display().to_string(), &cases_file, error.to_string()),
    };
    match std::fs::read_to_string(cases_path) {
        Ok(text) => {
            let mut report = run_cases_str(&rules, &cases_file, &text);
            report.pack = pack_path.display().to_string();
            report
        }
        Err(error) => CaseReport::failed_to_load(&pack_path.display().to_string(), &cases_file, format!("{cases_file}: cannot read the cases: {error}")),
    }
}

/// The rule set a running system evaluates with. A reload that fails keeps
/// the last good rule set; one that loads replaces it atomically (readers
/// hold an `Arc` to the set they started with).
#[derive(Debug)]
pub struct PackHolder {
    base: RuleSet,
    current: RwLock<Arc<RuleSet>>,
}

impl PackHolder {
    /// Starts with `base` (e.g. `RuleSet::defaults().with_settings(..)`);
    /// every reload applies its file over `base`.
    pub fn new(base: RuleSet) -> Self {
        PackHolder { current: RwLock::new(Arc::new(base.clone())), base }
    }

    /// The rule set in force.
    pub fn current(&self) -> Arc<RuleSet> {
        self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Reads and applies a pack file over the base. On error the rule set
    /// in force stays as it was, and the error says why.
    pub fn reload(&self, path: impl AsRef<Path>) -> Result<PackSummary, RulePackError> {
        let rules = load_pack_over(&self.base, path.as_ref())?;
        Ok(self.install(rules))
    }

    /// As [`PackHolder::reload`], from a text already read.
    pub fn reload_from_str(&self, file: &str, text: &str) -> Result<PackSummary, RulePackError> {
        let rules = self.base.with_pack(file, text)?;
        Ok(self.install(rules))
    }

    fn install(&self, rules: RuleSet) -> PackSummary {
        let summary = rules.summary();
        *self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(rules);
        summary
    }
}
