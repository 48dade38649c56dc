//! Billing reconciliation (being written).
