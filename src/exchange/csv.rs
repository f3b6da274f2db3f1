//! A small RFC 4180 reader for directory files: comma-separated, `"` quoting with `""` as an
//! escaped quote, LF or CRLF line ends, an optional UTF-8 BOM. Quoted fields may contain commas
//! and line breaks. Blank lines are skipped.
//!
//! Written here rather than depending on the `csv` crate: directory files are small, and this
//! is the only CSV the crate reads.

use thiserror::Error;

/// Longest field accepted, in bytes. Agency names in the GSO data are under 60 bytes; Decision
/// 20 identifiers are at most 35 characters. 4 KiB leaves room for long official names.
pub const MAX_FIELD_BYTES: usize = 4096;

/// Most fields accepted on one record. The directory format has 7 columns.
pub const MAX_FIELDS: usize = 64;

/// Malformed CSV, with the 1-based line where the record starts.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
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
}

/// One record and the line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Reads every record of `text`, refusing more than `max_records` as soon as the next one
/// starts (a hostile file is not read to its end).
pub fn parse(text: &str, max_records: usize) -> Result<Vec<Record>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    loop {
        // Skip blank lines.
        while let Some(&c) = chars.peek() {
            if c == '\n' {
                line = line.saturating_add(1);
                chars.next();
            } else if c == '\r' {
                chars.next();
            } else {
                break;
            }
        }
        if chars.peek().is_none() {
            return Ok(records);
        }
        if records.len() >= max_records {
            return Err(CsvError::TooManyRecords { limit: max_records });
        }
        let start = line;
        let mut fields = Vec::new();
        loop {
            // One field.
            let mut field = String::new();
            let push = |field: &mut String, c: char| {
                if field.len().saturating_add(c.len_utf8()) > MAX_FIELD_BYTES {
                    return Err(CsvError::FieldTooLong {
                        line: start,
                        limit: MAX_FIELD_BYTES,
                    });
                }
                field.push(c);
                Ok(())
            };
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        None => return Err(CsvError::UnterminatedQuote { line: start }),
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            push(&mut field, '"')?;
                        }
                        Some('"') => break,
                        Some(c) => {
                            if c == '\n' {
                                line = line.saturating_add(1);
                            }
                            push(&mut field, c)?;
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',') | Some('\n') | Some('\r') => {}
                    Some(&found) => return Err(CsvError::AfterQuote { line, found }),
                }
            } else {
                while let Some(&c) = chars.peek() {
                    match c {
                        ',' | '\n' | '\r' => break,
                        '"' => return Err(CsvError::StrayQuote { line }),
                        _ => {
                            push(&mut field, c)?;
                            chars.next();
                        }
                    }
                }
            }
            if fields.len() >= MAX_FIELDS {
                return Err(CsvError::TooManyFields {
                    line: start,
                    limit: MAX_FIELDS,
                });
            }
            fields.push(field);
            match chars.next() {
                Some(',') => continue,
                Some('\r') => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line = line.saturating_add(1);
                    break;
                }
                Some('\n') => {
                    line = line.saturating_add(1);
                    break;
                }
                _ => break,
            }
        }
        records.push(Record {
            line: start,
            fields,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_bound() {
        assert_eq!(parse("a\nb\n", 2).map(|r| r.len()), Ok(2));
        assert_eq!(
            parse("a\nb\nc\n", 2),
            Err(CsvError::TooManyRecords { limit: 2 })
        );
    }

    fn rows(t: &str) -> Vec<Vec<String>> {
        parse(t, usize::MAX)
            .unwrap()
            .into_iter()
            .map(|r| r.fields)
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
        let recs = parse(t, usize::MAX).unwrap();
        assert_eq!(recs.get(1).unwrap().line, 3);
        assert_eq!(
            rows("a\n\"multi\nline\",b\nc"),
            vec![vec!["a"], vec!["multi\nline", "b"], vec!["c"]]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse("a\n\"open", usize::MAX),
            Err(CsvError::UnterminatedQuote { line: 2 })
        );
        assert_eq!(
            parse("\"a\"b", usize::MAX),
            Err(CsvError::AfterQuote {
                line: 1,
                found: 'b'
            })
        );
        assert_eq!(
            parse("a\"b", usize::MAX),
            Err(CsvError::StrayQuote { line: 1 })
        );
        let long = "x".repeat(MAX_FIELD_BYTES + 1);
        assert_eq!(
            parse(&long, usize::MAX),
            Err(CsvError::FieldTooLong {
                line: 1,
                limit: MAX_FIELD_BYTES
            })
        );
        let many = ",".repeat(MAX_FIELDS);
        assert_eq!(
            parse(&many, usize::MAX),
            Err(CsvError::TooManyFields {
                line: 1,
                limit: MAX_FIELDS
            })
        );
    }
}
