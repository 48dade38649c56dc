//! tramite's workers and commands: everything the `tramite` binary does,
//! as a library so integration tests drive the same code.
//!
//! - [`config`]: defaults → `tramite.toml` → `TRAMITE_*` environment.
//! - [`app`]: the outside systems (repository, object store, OCR) wired
//!   from the configuration.
//! - [`processing`]: claim a document under a lease, extract on the
//!   blocking pool, run the rules, route; and the worker pool around it.
//! - [`upload`], [`export`], [`status`], [`demo`]: the commands.

pub mod app;
pub mod batch;
pub mod check;
pub mod config;
pub mod demo;
pub mod eval;
pub mod export;
pub mod processing;
pub mod reconciliation;
pub mod rulebook;
pub mod status;
pub mod upload;
