//! The one error type of the reference data parsers.
//!
//! A parser returns every record of a file or one of these, never part of
//! the file. Each error names the kind of file, the line (1-based, as an
//! editor shows it), the field when one is at fault, and what to do about
//! it. Messages never quote names or account numbers: values are quoted
//! only for amounts, dates, quantities and codes, and an account appears
//! masked to its last four characters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which kind of reference file an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    PurchaseOrdersCsv,
    GoodsReceiptsCsv,
    Camt053,
    Norma43,
    BankCsv,
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            SourceFormat::PurchaseOrdersCsv => "purchase orders CSV",
            SourceFormat::GoodsReceiptsCsv => "goods receipts CSV",
            SourceFormat::Camt053 => "camt.053 statement",
            SourceFormat::Norma43 => "Norma 43 statement",
            SourceFormat::BankCsv => "bank CSV export",
        })
    }
}

/// Why a reference file could not be imported. Nothing of the file is
/// imported when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceDataError {
    /// The file has no data at all.
    #[error("{format}: the file is empty; export it again from the system it comes from")]
    EmptyFile { format: SourceFormat },

    /// A required column is not in the header row.
    #[error(
        "{format} line {line}: the header has no column `{column}` (it has: {found}); add it, the expected header is `{expected_header}`"
    )]
    MissingColumn { format: SourceFormat, line: usize, column: String, found: String, expected_header: &'static str },

    /// A header column this format does not define (often a typo).
    #[error("{format} line {line}: unknown column `{column}`; rename or remove it (accepted columns: {accepted})")]
    UnknownColumn { format: SourceFormat, line: usize, column: String, accepted: &'static str },

    /// The same column twice in the header.
    #[error("{format} line {line}: the column `{column}` appears twice in the header; keep one")]
    DuplicateColumn { format: SourceFormat, line: usize, column: String },

    /// One field of one record cannot be read.
    #[error("{format} line {line}, field `{field}`: {problem}; {remedy}")]
    InvalidField { format: SourceFormat, line: usize, field: String, problem: String, remedy: String },

    /// The file stops before it is complete.
    #[error("{format} line {line}: {problem}; the file looks truncated: get the complete file again from its source")]
    Truncated { format: SourceFormat, line: usize, problem: String },

    /// A record or the document's structure is not what the format says.
    #[error("{format} line {line}: {problem}; {remedy}")]
    Malformed { format: SourceFormat, line: usize, problem: String, remedy: String },

    /// The same record twice.
    #[error("{format} line {line}: {record} was already given at line {first_line}; remove the repeated row or correct it")]
    DuplicateRecord { format: SourceFormat, line: usize, first_line: usize, record: String },
}

impl ReferenceDataError {
    /// The kind of file the error is about.
    pub fn format(&self) -> SourceFormat {
        match self {
            ReferenceDataError::EmptyFile { format }
            | ReferenceDataError::MissingColumn { format, .. }
            | ReferenceDataError::UnknownColumn { format, .. }
            | ReferenceDataError::DuplicateColumn { format, .. }
            | ReferenceDataError::InvalidField { format, .. }
            | ReferenceDataError::Truncated { format, .. }
            | ReferenceDataError::Malformed { format, .. }
            | ReferenceDataError::DuplicateRecord { format, .. } => *format,
        }
    }

    /// The 1-based line the error is about (none for an empty file).
    pub fn line(&self) -> Option<usize> {
        match self {
            ReferenceDataError::EmptyFile { .. } => None,
            ReferenceDataError::MissingColumn { line, .. }
            | ReferenceDataError::UnknownColumn { line, .. }
            | ReferenceDataError::DuplicateColumn { line, .. }
            | ReferenceDataError::InvalidField { line, .. }
            | ReferenceDataError::Truncated { line, .. }
            | ReferenceDataError::Malformed { line, .. }
            | ReferenceDataError::DuplicateRecord { line, .. } => Some(*line),
        }
    }

    /// The field at fault, when one is.
    pub fn field(&self) -> Option<&str> {
        match self {
            ReferenceDataError::InvalidField { field, .. } => Some(field),
            ReferenceDataError::MissingColumn { column, .. }
            | ReferenceDataError::UnknownColumn { column, .. }
            | ReferenceDataError::DuplicateColumn { column, .. } => Some(column),
            _ => None,
        }
    }

    /// Whether the file was cut short (as opposed to wrong inside).
    pub fn is_truncation(&self) -> bool {
        matches!(self, ReferenceDataError::Truncated { .. })
    }

    pub(crate) fn invalid_field(
        format: SourceFormat,
        line: usize,
        field: &str,
        problem: impl Into<String>,
        remedy: impl Into<String>,
    ) -> Self {
        ReferenceDataError::InvalidField { format, line, field: field.to_string(), problem: problem.into(), remedy: remedy.into() }
    }

    pub(crate) fn malformed(format: SourceFormat, line: usize, problem: impl Into<String>, remedy: impl Into<String>) -> Self {
        ReferenceDataError::Malformed { format, line, problem: problem.into(), remedy: remedy.into() }
    }

    pub(crate) fn truncated(format: SourceFormat, line: usize, problem: impl Into<String>) -> Self {
        ReferenceDataError::Truncated { format, line, problem: problem.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_message_names_the_file_kind_line_field_and_remedy() {
        let error = ReferenceDataError::invalid_field(
            SourceFormat::PurchaseOrdersCsv,
            7,
            "amount",
            "`12,3,4` is not an amount",
            "write it as 1234.56 or 1.234,56",
        );
        assert_eq!(
            error.to_string(),
            "purchase orders CSV line 7, field `amount`: `12,3,4` is not an amount; write it as 1234.56 or 1.234,56"
        );
        assert_eq!(error.line(), Some(7));
        assert_eq!(error.field(), Some("amount"));
        assert!(!error.is_truncation());
    }
}
