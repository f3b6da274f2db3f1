//! Directory files read with the [`csv`] crate, through a thin adapter that keeps what
//! the directory loader asks of them.
//!
//! The format is RFC 4180: comma-separated, `"` quoting with `""` as an escaped quote, LF or
//! CRLF line ends, an optional UTF-8 BOM. Quoted fields may contain commas and line breaks.
//! Blank lines are skipped. The crate does the reading; this module adds three things it does
//! not do:
//!
//! - **Strict quoting.** The crate is lenient: `"a"b` reads as `ab`, `a"b` as `a"b`, and a quote
//!   left open runs to the end of the file. A directory with a stray quote is more likely broken
//!   than meant, so each record is checked against the text it was read from: every field must
//!   be exactly its unquoted text, or its quoted form, and any deviation is a [`CsvError`] naming
//!   the line.
//! - **Limits.** At most [`MAX_FIELDS`] fields of at most [`MAX_FIELD_BYTES`] bytes each, and at
//!   most the caller's number of records, refused as soon as the next record is read. The crate
//!   grows a record's buffer as the record needs, but the text is in memory and the directory
//!   loader bounds its size first, so no record can allocate beyond that.
//! - **Line numbers** of where each record starts, after any blank lines before it (the crate's
//!   own position is where the previous record ended). A line ends at a line feed, and at a
//!   carriage return alone that ends a record.
//!
//! The header is not treated specially: it is the first record, and the caller reads it.

use thiserror::Error;

/// Longest field accepted, in bytes. Agency names in the GSO data are under 60 bytes; Decision
/// 20 identifiers are at most 35 characters. 4 KiB leaves room for long official names.
pub const MAX_FIELD_BYTES: usize = 4096;

/// Most fields accepted on one record. The directory format has 7 columns.
pub const MAX_FIELDS: usize = 64;

/// Malformed CSV, with the 1-based line where the record starts (for a misplaced quote, the
/// line of the quote).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CsvError {
    #[error("line {line}: unterminated quoted field")]
    UnterminatedQuote { line: usize },
    #[error("line {line}: character {found:?} after a closing quote")]
    AfterQuote { line: usize, found: char },
    #[error("line {line}: a quote inside an unquoted field")]
    StrayQuote { line: usize },
    #[error("line {line}: field longer than {limit} bytes")]
    FieldTooLong { line: usize, limit: usize },
    #[error("line {line}: more than {limit} fields")]
    TooManyFields { line: usize, limit: usize },
    #[error("more than {limit} records")]
    TooManyRecords { limit: usize },
    /// An error of the `csv` reader itself. Reading a `&str` with flexible record lengths
    /// leaves it none it is known to raise; kept so that any it does raise is reported.
    #[error(transparent)]
    Reader(#[from] ::csv::Error),
}

/// One record and the line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Reads every record of `text`, refusing more than `max_records` as soon as the next one is
/// read (a hostile file is not read to its end).
pub fn parse(text: &str, max_records: usize) -> Result<Vec<Record>, CsvError> {
    let mut reader = ::csv::ReaderBuilder::new()
        // The caller reads the header as the first record.
        .has_headers(false)
        // The caller reports a row of the wrong length with its own error.
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut row = ::csv::StringRecord::new();
    let mut records = Vec::new();
    // Line of `text[counted..]`.
    let (mut counted, mut line) = (0usize, 1usize);
    loop {
        let from = offset(reader.position());
        if !reader.read_record(&mut row)? {
            return Ok(records);
        }
        if records.len() >= max_records {
            return Err(CsvError::TooManyRecords { limit: max_records });
        }
        let to = offset(reader.position());
        // What the reader consumed: the BOM at the start of the text and any blank lines, the
        // record, its line end.
        let mut raw = text.get(from..to).unwrap_or_default();
        if from == 0 {
            raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        }
        let raw = raw.trim_start_matches(['\r', '\n']);
        let start = to.saturating_sub(raw.len());
        line = line.saturating_add(newlines(text.get(counted..start).unwrap_or_default()));
        counted = start;
        let end = check(raw, &row, line)?;
        records.push(Record {
            line,
            fields: row.iter().map(str::to_owned).collect(),
        });
        // A record ended by a carriage return alone (old Mac line ends) ends a line too.
        let after = text.get(start.saturating_add(end)..).unwrap_or_default();
        if after
            .strip_prefix('\r')
            .is_some_and(|t| !t.starts_with('\n'))
        {
            line = line.saturating_add(1);
        }
    }
}

/// A reader position as an offset into the text.
fn offset(p: &::csv::Position) -> usize {
    usize::try_from(p.byte()).unwrap_or(usize::MAX)
}

fn newlines(s: &str) -> usize {
    memchr::memchr_iter(b'\n', s.as_bytes()).count()
}

/// Checks the limits, and that `raw`, the text the record starting on `line` was read from,
/// is `fields` written by RFC 4180's rules: each field verbatim without quotes, or quoted with
/// `""` for a quote, separated by commas, then nothing but the line end. Returns the length of
/// the record without its line end.
fn check(raw: &str, fields: &::csv::StringRecord, line: usize) -> Result<usize, CsvError> {
    let mut rest = raw;
    // Line of the text at `rest`.
    let line_at = |rest: &str| {
        let done = raw.get(..raw.len().saturating_sub(rest.len()));
        line.saturating_add(newlines(done.unwrap_or_default()))
    };
    for (i, field) in fields.iter().enumerate() {
        rest = match rest.strip_prefix('"') {
            Some(quoted) => {
                match_quoted(quoted, field).ok_or_else(|| quote_error(quoted, line, line_at))?
            }
            None => rest
                .strip_prefix(field)
                .filter(|_| !field.contains('"'))
                .ok_or_else(|| {
                    let e = CsvError::StrayQuote {
                        line: line_at(rest),
                    };
                    too_long_first(rest.find('"').unwrap_or_default(), line, e)
                })?,
        };
        if field.len() > MAX_FIELD_BYTES {
            return Err(CsvError::FieldTooLong {
                line,
                limit: MAX_FIELD_BYTES,
            });
        }
        if i >= MAX_FIELDS {
            return Err(CsvError::TooManyFields {
                line,
                limit: MAX_FIELDS,
            });
        }
        if i.saturating_add(1) < fields.len() {
            // The reader ended the field on a comma; after a quoted field matched in full,
            // anything else was caught by `match_quoted`.
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
    }
    match rest.trim_start_matches(['\r', '\n']).chars().next() {
        None => Ok(raw.len().saturating_sub(rest.len())),
        // The reader ends a record only at a line end or at the end of the text; text left
        // over follows a closing quote.
        Some(found) => Err(CsvError::AfterQuote {
            line: line_at(rest),
            found,
        }),
    }
}

/// `quoted`, the text after an opening quote, with `field` quoted and closed at its start:
/// the text after the closing quote, which must be a comma, a line end or nothing.
fn match_quoted<'a>(mut quoted: &'a str, field: &str) -> Option<&'a str> {
    let mut pieces = field.split('"');
    if let Some(first) = pieces.next() {
        quoted = quoted.strip_prefix(first)?;
    }
    for piece in pieces {
        quoted = quoted.strip_prefix("\"\"")?.strip_prefix(piece)?;
    }
    let after = quoted.strip_prefix('"')?;
    matches!(after.chars().next(), None | Some(',' | '\r' | '\n')).then_some(after)
}

/// Why the quoted field in `quoted` (the text after its opening quote) does not read as RFC
/// 4180 has it: it is never closed, or its closing quote is followed by a character that
/// neither ends the field nor doubles the quote.
fn quote_error(quoted: &str, line: usize, line_at: impl Fn(&str) -> usize) -> CsvError {
    let mut rest = quoted;
    // Doubled quotes so far: the field's text is one byte shorter for each.
    let mut pairs = 0usize;
    while let Some(k) = rest.find('"') {
        let after = rest.get(k.saturating_add(1)..).unwrap_or_default();
        match after.strip_prefix('"') {
            Some(more) => {
                rest = more;
                pairs = pairs.saturating_add(1);
            }
            None => {
                let text = quoted.len().saturating_sub(after.len().saturating_add(1));
                if let Some(found) = after.chars().next() {
                    let e = CsvError::AfterQuote {
                        line: line_at(after),
                        found,
                    };
                    return too_long_first(text.saturating_sub(pairs), line, e);
                }
                break;
            }
        }
    }
    let e = CsvError::UnterminatedQuote { line };
    too_long_first(quoted.len().saturating_sub(pairs), line, e)
}

/// `e`, found after `text` bytes of a field's text, unless those are already over
/// [`MAX_FIELD_BYTES`]: a reader going byte by byte meets the length first, and so the error
/// is the same whichever way the text is read.
fn too_long_first(text: usize, line: usize, e: CsvError) -> CsvError {
    if text > MAX_FIELD_BYTES {
        CsvError::FieldTooLong {
            line,
            limit: MAX_FIELD_BYTES,
        }
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_bound() {
        assert_eq!(parse("a\nb\n", 2).map(|r| r.len()).unwrap(), 2);
        assert!(matches!(
            parse("a\nb\nc\n", 2),
            Err(CsvError::TooManyRecords { limit: 2 })
        ));
    }

    fn rows(t: &str) -> Vec<Vec<String>> {
        parse(t, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|r| r.fields)
            .collect()
    }

    fn lines(t: &str) -> Vec<usize> {
        parse(t, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|r| r.line)
            .collect()
    }

    #[test]
    fn reads_quotes_crlf_bom_and_blank_lines() {
        let t = "\u{feff}a,b,c\r\n\r\nG16,\"Bộ Văn hóa, Thể thao\",\"x \"\"y\"\"\"\n1,,\n";
        assert_eq!(
            rows(t),
            vec![
                vec!["a", "b", "c"],
                vec!["G16", "Bộ Văn hóa, Thể thao", "x \"y\""],
                vec!["1", "", ""],
            ]
        );
        assert_eq!(lines(t), [1, 3, 4]);
        let t = "a\n\"multi\nline\",b\nc";
        assert_eq!(
            rows(t),
            vec![vec!["a"], vec!["multi\nline", "b"], vec!["c"]]
        );
        assert_eq!(lines(t), [1, 2, 4]);
        assert_eq!(lines("\n\na\r\n\r\n\r\nb\n\n"), [3, 6]);
        assert_eq!(
            rows("\"\",\"\"\"\",\"a\r\nb\"\r\n"),
            vec![vec!["", "\"", "a\r\nb"]]
        );
        assert_eq!(rows("\u{feff}"), Vec::<Vec<String>>::new());
        assert_eq!(rows("a\u{feff},b"), vec![vec!["a\u{feff}", "b"]]);
        assert_eq!(rows(" a , b "), vec![vec![" a ", " b "]]);
    }

    #[test]
    fn errors() {
        let err = |t: &str| parse(t, usize::MAX).unwrap_err();
        assert!(matches!(
            err("a\n\"open"),
            CsvError::UnterminatedQuote { line: 2 }
        ));
        assert!(matches!(
            err("a\n\"open\nb,c\n"),
            CsvError::UnterminatedQuote { line: 2 }
        ));
        assert!(matches!(
            err("a,\"b\"\"\n"),
            CsvError::UnterminatedQuote { line: 1 }
        ));
        assert!(matches!(
            err("\"a\"b"),
            CsvError::AfterQuote {
                line: 1,
                found: 'b'
            }
        ));
        assert!(matches!(
            err("x\n\"a\nb\" ,c"),
            CsvError::AfterQuote {
                line: 3,
                found: ' '
            }
        ));
        assert!(matches!(
            err("x,\"a\"\"b\"\"\"c\n"),
            CsvError::AfterQuote {
                line: 1,
                found: 'c'
            }
        ));
        assert!(matches!(err("a\"b"), CsvError::StrayQuote { line: 1 }));
        assert!(matches!(
            err("x\n\"a\nb\",c\"\n"),
            CsvError::StrayQuote { line: 3 }
        ));
        assert!(matches!(err("ab\""), CsvError::StrayQuote { line: 1 }));
        let long = "x".repeat(MAX_FIELD_BYTES + 1);
        assert!(matches!(
            err(&long),
            CsvError::FieldTooLong {
                line: 1,
                limit: MAX_FIELD_BYTES
            }
        ));
        assert_eq!(rows(&long[1..]).len(), 1);
        let many = ",".repeat(MAX_FIELDS);
        assert!(matches!(
            err(&many),
            CsvError::TooManyFields {
                line: 1,
                limit: MAX_FIELDS
            }
        ));
        assert_eq!(rows(&many[1..]).first().map(Vec::len), Some(MAX_FIELDS));
    }
}
