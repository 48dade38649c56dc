//! Check-digit algorithms for the identifiers on invoices: IBAN (ISO 13616
//! mod-97, per-country length), BIC shape, Spanish NIF/NIE/CIF, Colombian NIT,
//! Mexican RFC, EU VAT shapes and the GB VAT mod-97 check.

pub mod bic;
pub mod iban;
pub mod tax_id;
