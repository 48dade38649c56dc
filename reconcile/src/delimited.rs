//! Delimited text (CSV) as every CSV parser of this crate reads it: the
//! delimiter guessed from the header row (`;`, tab or `,`; Spanish
//! exports use `;` because `,` is their decimal separator), a header row
//! whose column names are matched case-, accent- and punctuation-
//! insensitively, blank rows skipped, and each row kept with the line it
//! starts on so that every later error can name it.
//!
//! A row with fewer fields than the header is an error; when it is the last
//! row, the file was cut short and the error says it is truncated.

use crate::error::{ReferenceDataError, SourceFormat};
use crate::text::{decode_text, normalised_words};

/// One data row and the 1-based line it starts on.
pub(crate) struct DelimitedRow {
    pub line: usize,
    pub fields: Vec<String>,
}

impl DelimitedRow {
    /// The trimmed value of a column, empty when the column is absent.
    pub(crate) fn value(&self, column: Option<usize>) -> &str {
        column.and_then(|index| self.fields.get(index)).map(|value| value.trim()).unwrap_or("")
    }
}

/// A header row and the data rows under it.
pub(crate) struct DelimitedTable {
    pub header_line: usize,
    /// Header names as written, trimmed.
    pub header: Vec<String>,
    pub rows: Vec<DelimitedRow>,
}

/// A column a format defines: its canonical name and the other header
/// names accepted for it, all in [`header_key`] form.
pub(crate) struct ColumnDefinition {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// What to do with header columns no definition names.
pub(crate) enum UnknownColumns {
    /// Refuse them (a typo in a documented header); the text lists the
    /// accepted columns.
    Reject { accepted: &'static str },
    /// Skip them (bank exports carry many columns tramite does not need),
    /// and keep the first of two columns with the same meaning.
    Ignore,
}

/// A header name in comparable form: `"Fecha Valor"` → `"fecha_valor"`.
pub(crate) fn header_key(name: &str) -> String {
    normalised_words(name).join("_")
}

fn count_outside_quotes(line: &str, delimiter: char) -> usize {
    let mut inside_quotes = false;
    let mut count = 0;
    for character in line.chars() {
        if character == '"' {
            inside_quotes = !inside_quotes;
        } else if character == delimiter && !inside_quotes {
            count += 1;
        }
    }
    count
}

/// The delimiter of a CSV file judging by its first non-blank line: the
/// most frequent of `;`, tab and `,` outside quotes, preferring them in
/// that order on a tie.
fn guess_delimiter(text: &str) -> u8 {
    let first_line = text.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
    let mut best = (b',', count_outside_quotes(first_line, ','));
    for candidate in [b'\t', b';'] {
        let count = count_outside_quotes(first_line, char::from(candidate));
        if count > 0 && count >= best.1 {
            best = (candidate, count);
        }
    }
    best.0
}

/// Reads a whole delimited file into a header and its rows.
pub(crate) fn read_delimited_table(bytes: &[u8], format: SourceFormat) -> Result<DelimitedTable, ReferenceDataError> {
    let text = decode_text(bytes);
    if text.trim().is_empty() {
        return Err(ReferenceDataError::EmptyFile { format });
    }
    let mut reader =
        csv::ReaderBuilder::new().delimiter(guess_delimiter(&text)).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| {
            let line = error.position().map(|position| position.line() as usize).unwrap_or(1);
            ReferenceDataError::malformed(format, line, "the row cannot be read as CSV", "check its quotes and delimiters")
        })?;
        let line = record.position().map(|position| position.line() as usize).unwrap_or(1);
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if fields.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        match &header {
            None => header = Some((line, fields.iter().map(|field| field.trim().to_string()).collect())),
            Some(_) => rows.push(DelimitedRow { line, fields }),
        }
    }
    let Some((header_line, header)) = header else {
        return Err(ReferenceDataError::EmptyFile { format });
    };
    let last_row_index = rows.len().checked_sub(1);
    for (index, row) in rows.iter_mut().enumerate() {
        if row.fields.len() < header.len() {
            let problem = format!("the row has {} of the header's {} fields", row.fields.len(), header.len());
            return Err(if Some(index) == last_row_index {
                ReferenceDataError::truncated(format, row.line, problem)
            } else {
                ReferenceDataError::malformed(
                    format,
                    row.line,
                    problem,
                    "every row needs one field per header column (quote fields that contain the delimiter)",
                )
            });
        }
        if row.fields.len() > header.len() {
            if row.fields[header.len()..].iter().any(|field| !field.trim().is_empty()) {
                return Err(ReferenceDataError::malformed(
                    format,
                    row.line,
                    format!("the row has {} fields but the header has {}", row.fields.len(), header.len()),
                    "quote fields that contain the delimiter, or add the missing header column",
                ));
            }
            row.fields.truncate(header.len());
        }
    }
    Ok(DelimitedTable { header_line, header, rows })
}

impl DelimitedTable {
    /// Finds each defined column in the header: the index per definition,
    /// in the definitions' order. Fails on a missing required column, and
    /// when rejecting unknown columns, on one of them or a column given twice.
    pub(crate) fn locate_columns(
        &self,
        format: SourceFormat,
        definitions: &[ColumnDefinition],
        unknown_columns: UnknownColumns,
        expected_header: &'static str,
    ) -> Result<Vec<Option<usize>>, ReferenceDataError> {
        let mut located: Vec<Option<usize>> = vec![None; definitions.len()];
        for (column_index, written_name) in self.header.iter().enumerate() {
            let key = header_key(written_name);
            let definition_index =
                definitions.iter().position(|definition| definition.name == key || definition.aliases.contains(&key.as_str()));
            match definition_index {
                Some(definition_index) if located[definition_index].is_some() => {
                    if let UnknownColumns::Reject { .. } = unknown_columns {
                        return Err(ReferenceDataError::DuplicateColumn {
                            format,
                            line: self.header_line,
                            column: definitions[definition_index].name.to_string(),
                        });
                    }
                }
                Some(definition_index) => located[definition_index] = Some(column_index),
                None => match unknown_columns {
                    UnknownColumns::Reject { accepted } if !key.is_empty() => {
                        return Err(ReferenceDataError::UnknownColumn {
                            format,
                            line: self.header_line,
                            column: crate::text::shortened_for_message(written_name, 40),
                            accepted,
                        });
                    }
                    _ => {}
                },
            }
        }
        for (definition, location) in definitions.iter().zip(&located) {
            if definition.required && location.is_none() {
                return Err(ReferenceDataError::MissingColumn {
                    format,
                    line: self.header_line,
                    column: definition.name.to_string(),
                    found: self.header.iter().map(|name| crate::text::shortened_for_message(name, 30)).collect::<Vec<_>>().join(", "),
                    expected_header,
                });
            }
        }
        Ok(located)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_guessed_from_the_header_row() {
        assert_eq!(guess_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(guess_delimiter("a,b,c\n"), b',');
        assert_eq!(guess_delimiter("a\tb\n"), b'\t');
        assert_eq!(guess_delimiter("\"x;y\",b,c\n"), b',');
    }

    #[test]
    fn rows_keep_their_line_numbers_and_blank_rows_are_skipped() {
        let table = read_delimited_table(b"a;b\n1;2\n\n;\n3;4\n", SourceFormat::BankCsv).unwrap();
        assert_eq!(table.header, ["a", "b"]);
        assert_eq!(table.rows.iter().map(|row| row.line).collect::<Vec<_>>(), [2, 5]);
    }

    #[test]
    fn a_last_row_with_missing_fields_is_reported_as_truncated() {
        let error = match read_delimited_table(b"a,b,c\n1,2,3\n4,5", SourceFormat::BankCsv) {
            Err(error) => error,
            Ok(_) => panic!("a short last row must be refused"),
        };
        assert!(error.is_truncation());
        assert_eq!(error.line(), Some(3));
    }

    #[test]
    fn header_names_are_compared_without_case_accents_or_punctuation() {
        assert_eq!(header_key(" Fecha Valor "), "fecha_valor");
        assert_eq!(header_key("Quantity-Received"), "quantity_received");
    }
}
