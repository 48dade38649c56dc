//! Reading a plain-text document (an invoice exported as `.txt`, a text
//! e-mail body saved to a file) into the same [`TextLine`]s the PDF and OCR
//! readers give, so the field finders treat it like any other page.
//!
//! Columns in such files are laid out with runs of spaces or tabs; a run of
//! two or more spaces (or a tab) separates cells. Each character is given a
//! fixed width and each line a fixed height, so a cell's horizontal extent
//! is its character column range and cells in the same column line up the
//! way they do on a page. A form feed starts a new page.
//!
//! Only files that are text are read: bytes with NUL or other control
//! characters (a binary file) are refused as `unsupported_format`.

use super::{ReadDocument, ReadFailure, TextLine};
use crate::extraction::TextSource;

/// The width given to one character, in points (a 10-point monospaced font).
const CHARACTER_WIDTH: f32 = 6.0;
/// The height given to one line, in points.
const LINE_HEIGHT: f32 = 12.0;
/// Columns a tab advances to (a multiple of this).
const TAB_STOP: usize = 8;

/// Whether the bytes look like text: valid UTF-8 (or single-byte text) with
/// no control characters other than tab, line breaks and form feed.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    !sample.is_empty() && !sample.iter().any(|byte| *byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r' | 0x0C))
}

/// Reads a plain-text document into lines with cells and boxes.
pub fn read_plain_text(bytes: &[u8]) -> Result<ReadDocument, ReadFailure> {
    if !looks_like_text(bytes) {
        return Err(ReadFailure::new("unsupported_format", "the file is neither a PDF, an image, an e-invoice XML nor plain text; send the document as PDF or image"));
    }
    let text = decode_text(bytes);
    let mut lines = Vec::new();
    let mut page = 1;
    for (page_index, page_text) in text.split('\u{0C}').enumerate() {
        page = page_index as u32 + 1;
        for (row, raw_line) in page_text.lines().enumerate() {
            if let Some(line) = text_line_from_row(&expand_tabs(raw_line), row, page) {
                lines.push(line);
            }
        }
    }
    Ok(ReadDocument { pages: page, source: TextSource::TextLayer, lines })
}

/// UTF-8 (a byte-order mark dropped), else each byte as Windows-1252-ish
/// Latin-1, so an old export still reads.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => bytes.iter().map(|byte| *byte as char).collect(),
    }
}

fn expand_tabs(line: &str) -> String {
    let mut expanded = String::with_capacity(line.len());
    let mut column = 0;
    for character in line.chars() {
        if character == '\t' {
            let next_stop = (column / TAB_STOP + 1) * TAB_STOP;
            expanded.extend(std::iter::repeat_n(' ', next_stop - column));
            column = next_stop;
        } else {
            expanded.push(character);
            column += 1;
        }
    }
    expanded
}

/// One row of text as a line: cells are runs of text separated by two or
/// more spaces, joined with exactly two spaces as every reader does.
fn text_line_from_row(row_text: &str, row: usize, page: u32) -> Option<TextLine> {
    let characters: Vec<char> = row_text.trim_end().chars().collect();
    let mut cells: Vec<(usize, usize)> = Vec::new();
    let mut position = 0;
    while position < characters.len() {
        if characters[position] == ' ' {
            position += 1;
            continue;
        }
        let start = position;
        let mut end = position;
        while end < characters.len() && !(characters[end] == ' ' && characters.get(end + 1).is_none_or(|next| *next == ' ')) {
            end += 1;
        }
        cells.push((start, end));
        position = end;
    }
    if cells.is_empty() {
        return None;
    }
    let text = cells.iter().map(|(start, end)| characters[*start..*end].iter().collect::<String>()).collect::<Vec<_>>().join("  ");
    let extents: Vec<[f32; 2]> = cells.iter().map(|(start, end)| [*start as f32 * CHARACTER_WIDTH, *end as f32 * CHARACTER_WIDTH]).collect();
    let top = row as f32 * LINE_HEIGHT;
    let bbox = [extents[0][0], top, extents[extents.len() - 1][1], top + LINE_HEIGHT - 2.0];
    Some(TextLine { page, text, bbox: Some(bbox), confidence: 0.99, cells: extents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_separated_by_two_spaces_become_cells_with_aligned_extents() {
        let document = read_plain_text(b"Invoice no:   F-12        Date: 2021-01-01\nTotal         316,83\n").unwrap();
        assert_eq!(document.lines.len(), 2);
        assert_eq!(document.lines[0].text, "Invoice no:  F-12  Date: 2021-01-01");
        assert_eq!(document.lines[0].cells.len(), 3);
        assert_eq!(document.lines[0].cells[1][0], document.lines[1].cells[1][0], "F-12 and 316,83 start in the same column");
        assert_eq!(document.source, TextSource::TextLayer);
    }

    #[test]
    fn a_single_space_stays_inside_a_cell_and_tabs_expand_to_stops() {
        let document = read_plain_text(b"Grand total\t99.00").unwrap();
        assert_eq!(document.lines[0].text, "Grand total  99.00");
        assert_eq!(document.lines[0].cells[1][0], 16.0 * CHARACTER_WIDTH);
    }

    #[test]
    fn a_form_feed_starts_a_new_page_and_latin1_bytes_still_read() {
        let document = read_plain_text(b"Factura 1\x0cP\xe1gina 2").unwrap();
        assert_eq!(document.pages, 2);
        assert_eq!(document.lines[1].page, 2);
        assert_eq!(document.lines[1].text, "Página 2");
    }

    #[test]
    fn binary_bytes_are_refused_as_unsupported_format() {
        let failure = read_plain_text(b"\x00\x01binary").unwrap_err();
        assert_eq!(failure.code, "unsupported_format");
        assert!(!looks_like_text(b""));
    }
}
