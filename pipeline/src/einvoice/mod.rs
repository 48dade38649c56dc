//! Structured e-invoices (being written).
