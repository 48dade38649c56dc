//! Parsers for values as people print them: amounts (`1.234,56`,
//! `1,234.56`), dates (`15/03/2026`, `15 de marzo de 2026`, `March 15,
//! 2026`) and tax ids, each returning the contract's normal form; and the
//! accents OCR drops from Spanish names.

pub mod amount;
pub mod date;
pub mod spanish_accents;
pub mod tax_id;
