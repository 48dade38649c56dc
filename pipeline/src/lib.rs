//! tramite's domain, free of I/O: what a document is, the states it moves
//! through, and how its bytes become fields.
//!
//! - [`lifecycle`]: the document state machine (`received → extracting →
//!   validating → approved | in_review → … → exported`, plus `failed`).
//! - [`extraction`]: the output of reading one file, exactly the JSON of
//!   `shared/contract/extraction.md`.
//! - [`parse`]: amounts, dates and tax ids as printed in Spanish and English.
//! - [`identifiers`]: check-digit algorithms (IBAN, Spanish NIF/NIE/CIF,
//!   Colombian NIT, Mexican RFC, EU and GB VAT). They live here, not in the
//!   rules crate, because the field finders use them to choose candidates;
//!   the rules crate turns their verdicts into findings.
//! - [`mrz`]: ICAO 9303 machine-readable zones.
//! - [`read`]: turning bytes into text lines (format sniffing, PDF text layer,
//!   OCR behind the [`read::ocr::OcrEngine`] trait).
//! - [`fields`]: finding the contract's fields in those lines.
//! - [`second_reading`]: when a scanned invoice is read again another way,
//!   and how the two readings' fields merge.
//! - [`templates`]: supplier templates, a client's declarative file for one
//!   supplier's layout, read on top of [`fields`].
//! - [`extract`]: the one entry point the workers and `tramite extract` call.

pub mod extract;
pub mod extraction;
pub mod einvoice;
pub mod fields;
pub mod identifiers;
pub mod identity;
pub mod lifecycle;
pub mod mrz;
pub mod parse;
pub mod read;
pub mod redact;
pub mod second_reading;
pub mod templates;
