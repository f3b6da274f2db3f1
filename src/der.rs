//! Strict BER/DER reading over untrusted bytes.
//!
//! Every value is a view ([`Tlv`]) that borrows the input and keeps the raw bytes of the whole
//! encoding, so signatures are checked over the bytes received, never over a re-encoding.
//! Indefinite lengths (BER, X.690 §8.1.3.6) are accepted because about 61% of real PDF
//! signatures use them; nesting is bounded by [`MAX_DEPTH`].
//!
//! Why not a DER crate: the crates made for DER (`der`, `asn1-rs` under x509-parser) decode into
//! owned or typed values and reject BER, while signatures must be checked over the bytes exactly
//! as received (signed attributes are hashed in their received encoding, indefinite lengths
//! included) and the hot path reads a few fields of a certificate without a full parse. This
//! reader is a few hundred lines of views with depth, length and time checks, fuzzed in CI;
//! certificates themselves are still parsed by x509-parser.

use thiserror::Error;

use crate::time::Timestamp;

/// Deepest nesting accepted. CMS SignedData with a timestamp token inside an unsigned attribute
/// nests about 14 levels; 64 leaves room for odd encoders and stops stack exhaustion.
pub const MAX_DEPTH: usize = 64;

/// Malformed BER/DER.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerError {
    #[error("truncated encoding")]
    Truncated,
    #[error("invalid length octets")]
    BadLength,
    #[error("indefinite length on a primitive encoding")]
    IndefinitePrimitive,
    #[error("high tag numbers are not used in CMS")]
    HighTagNumber,
    #[error("nesting deeper than {} levels", MAX_DEPTH)]
    TooDeep,
    #[error("expected tag {expected:#04x}, found {found:#04x}")]
    UnexpectedTag { expected: u8, found: u8 },
    #[error("{len} bytes after the end of the encoding")]
    TrailingData { len: usize },
    #[error("invalid INTEGER")]
    BadInteger,
    #[error("invalid time")]
    BadTime,
}

/// One BER element: tag, contents and the raw bytes of the whole element.
#[derive(Clone, Copy, Debug)]
pub struct Tlv<'a> {
    /// The identifier octet (single-byte tags only; high tag numbers are rejected).
    pub tag: u8,
    /// The contents octets. For an indefinite-length element, everything between the header and
    /// the end-of-contents octets.
    pub content: &'a [u8],
    /// The whole element: header, contents and end-of-contents octets.
    pub raw: &'a [u8],
    /// True when the element used the indefinite-length form.
    pub indefinite: bool,
}

pub const TAG_BOOLEAN: u8 = 0x01;
pub const TAG_INTEGER: u8 = 0x02;
pub const TAG_BIT_STRING: u8 = 0x03;
pub const TAG_OCTET_STRING: u8 = 0x04;
pub const TAG_NULL: u8 = 0x05;
pub const TAG_OID: u8 = 0x06;
pub const TAG_UTF8: u8 = 0x0c;
pub const TAG_PRINTABLE: u8 = 0x13;
pub const TAG_IA5: u8 = 0x16;
pub const TAG_UTCTIME: u8 = 0x17;
pub const TAG_GENTIME: u8 = 0x18;
pub const TAG_SEQUENCE: u8 = 0x30;
pub const TAG_SET: u8 = 0x31;

impl<'a> Tlv<'a> {
    /// True for a constructed encoding (bit 6 of the identifier).
    pub fn is_constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// Iterates over the children of a constructed element.
    pub fn children(&self) -> Reader<'a> {
        Reader::new(self.content)
    }

    /// Requires this element to carry `tag`.
    pub fn expect(self, tag: u8) -> Result<Self, DerError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(DerError::UnexpectedTag {
                expected: tag,
                found: self.tag,
            })
        }
    }

    /// The value of an OCTET STRING, joining BER constructed segments (tag 0x24) when needed.
    pub fn octets(&self) -> Result<std::borrow::Cow<'a, [u8]>, DerError> {
        match self.tag {
            TAG_OCTET_STRING => Ok(std::borrow::Cow::Borrowed(self.content)),
            0x24 => {
                let mut out = Vec::new();
                collect_segments(self.content, &mut out, 0)?;
                Ok(std::borrow::Cow::Owned(out))
            }
            found => Err(DerError::UnexpectedTag {
                expected: TAG_OCTET_STRING,
                found,
            }),
        }
    }

    /// A non-negative INTEGER as its big-endian magnitude, without the sign octet.
    pub fn unsigned_integer(&self) -> Result<&'a [u8], DerError> {
        if self.tag != TAG_INTEGER {
            return Err(DerError::UnexpectedTag {
                expected: TAG_INTEGER,
                found: self.tag,
            });
        }
        match self.content {
            [] => Err(DerError::BadInteger),
            [0, rest @ ..] if !rest.is_empty() => Ok(rest),
            c => Ok(c),
        }
    }

    /// A small INTEGER (at most 8 content octets) as i64.
    pub fn small_integer(&self) -> Result<i64, DerError> {
        if self.tag != TAG_INTEGER {
            return Err(DerError::UnexpectedTag {
                expected: TAG_INTEGER,
                found: self.tag,
            });
        }
        if self.content.is_empty() || self.content.len() > 8 {
            return Err(DerError::BadInteger);
        }
        let negative = self.content.first().is_some_and(|b| b & 0x80 != 0);
        let mut v: i64 = if negative { -1 } else { 0 };
        for b in self.content {
            v = (v << 8) | i64::from(*b);
        }
        Ok(v)
    }
}

fn collect_segments(mut data: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<(), DerError> {
    if depth > MAX_DEPTH {
        return Err(DerError::TooDeep);
    }
    while !data.is_empty() {
        let (tlv, rest) = read_tlv(data, depth)?;
        match tlv.tag {
            TAG_OCTET_STRING => out.extend_from_slice(tlv.content),
            0x24 => collect_segments(tlv.content, out, depth + 1)?,
            found => {
                return Err(DerError::UnexpectedTag {
                    expected: TAG_OCTET_STRING,
                    found,
                });
            }
        }
        data = rest;
    }
    Ok(())
}

/// Reads one element from the front of `data`, returning it and the rest.
pub fn read_tlv(data: &[u8], depth: usize) -> Result<(Tlv<'_>, &[u8]), DerError> {
    if depth > MAX_DEPTH {
        return Err(DerError::TooDeep);
    }
    let (&tag, after_tag) = data.split_first().ok_or(DerError::Truncated)?;
    if tag & 0x1f == 0x1f {
        return Err(DerError::HighTagNumber);
    }
    let (&first, mut rest) = after_tag.split_first().ok_or(DerError::Truncated)?;
    if first == 0x80 {
        // Indefinite length: only for constructed encodings (X.690 §8.1.3.2).
        if tag & 0x20 == 0 {
            return Err(DerError::IndefinitePrimitive);
        }
        let body_start = 2;
        let mut cursor = rest;
        loop {
            if cursor.len() >= 2 && cursor.first() == Some(&0) && cursor.get(1) == Some(&0) {
                let content_len = rest.len() - cursor.len();
                let total = body_start + content_len + 2;
                let content = rest.get(..content_len).ok_or(DerError::Truncated)?;
                let raw = data.get(..total).ok_or(DerError::Truncated)?;
                let after = data.get(total..).ok_or(DerError::Truncated)?;
                return Ok((
                    Tlv {
                        tag,
                        content,
                        raw,
                        indefinite: true,
                    },
                    after,
                ));
            }
            if cursor.is_empty() {
                return Err(DerError::Truncated);
            }
            let (_, next) = read_tlv(cursor, depth + 1)?;
            cursor = next;
        }
    }
    let len: usize = if first & 0x80 == 0 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return Err(DerError::BadLength);
        }
        let mut len: usize = 0;
        for _ in 0..n {
            let (&b, r) = rest.split_first().ok_or(DerError::Truncated)?;
            len = len
                .checked_mul(256)
                .and_then(|l| l.checked_add(usize::from(b)))
                .ok_or(DerError::BadLength)?;
            rest = r;
        }
        len
    };
    let header = data.len() - rest.len();
    let content = rest.get(..len).ok_or(DerError::Truncated)?;
    let total = header.checked_add(len).ok_or(DerError::BadLength)?;
    let raw = data.get(..total).ok_or(DerError::Truncated)?;
    let after = data.get(total..).ok_or(DerError::Truncated)?;
    Ok((
        Tlv {
            tag,
            content,
            raw,
            indefinite: false,
        },
        after,
    ))
}

/// Parses exactly one element; trailing bytes are an error.
pub fn parse_exact(data: &[u8]) -> Result<Tlv<'_>, DerError> {
    let (tlv, rest) = read_tlv(data, 0)?;
    if rest.is_empty() {
        Ok(tlv)
    } else {
        Err(DerError::TrailingData { len: rest.len() })
    }
}

/// A sequential reader over the children of a constructed element.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next element, or an error when none is left.
    pub fn next_tlv(&mut self) -> Result<Tlv<'a>, DerError> {
        let (tlv, rest) = read_tlv(self.data, 1)?;
        self.data = rest;
        Ok(tlv)
    }

    /// The next element with `tag`.
    pub fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, DerError> {
        self.next_tlv()?.expect(tag)
    }

    /// The next element if it carries `tag`, else None (nothing consumed).
    pub fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>, DerError> {
        match self.data.first() {
            Some(&t) if t == tag => self.next_tlv().map(Some),
            _ => Ok(None),
        }
    }

    /// Requires the reader to be exhausted.
    pub fn finish(&self) -> Result<(), DerError> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(DerError::TrailingData {
                len: self.data.len(),
            })
        }
    }
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Tlv<'a>, DerError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.data.is_empty() {
            return None;
        }
        match self.next_tlv() {
            Ok(t) => Some(Ok(t)),
            Err(e) => {
                self.data = &[];
                Some(Err(e))
            }
        }
    }
}

/// Dotted-decimal text of an OID's content octets, for reports and errors.
pub fn oid_to_string(oid: &[u8]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut acc: u64 = 0;
    let mut first = true;
    for &b in oid {
        acc = (acc << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                let (a, rest) = if acc < 40 {
                    (0, acc)
                } else if acc < 80 {
                    (1, acc - 40)
                } else {
                    (2, acc - 80)
                };
                parts.push(a.to_string());
                parts.push(rest.to_string());
                first = false;
            } else {
                parts.push(acc.to_string());
            }
            acc = 0;
        }
        if acc > (u64::MAX >> 8) {
            return "invalid".to_string();
        }
    }
    parts.join(".")
}

/// Encodes a definite-length header for `tag` and `len` (DER, shortest form).
pub fn encode_header(tag: u8, len: usize, out: &mut Vec<u8>) {
    out.push(tag);
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let n = bytes.len() - skip;
        out.push(0x80 | u8::try_from(n).unwrap_or(0));
        out.extend_from_slice(bytes.get(skip..).unwrap_or(&[]));
    }
}

/// Reads a UTCTime or GeneralizedTime (as used in CMS signingTime and a time-stamp token's
/// genTime). [`DerError::BadTime`] when malformed or out of the [`Timestamp`] range.
///
/// Accepted, as always: `YYMMDDhhmm` (UTCTime; `YY` < 50 is 20YY) or `YYYYMMDDhhmm`
/// (GeneralizedTime), optional seconds, optional fractional digits (ignored), then nothing,
/// `Z`, or `±hh[mm]`; field ranges as in [`crate::time`].
pub fn read_time(tlv: &Tlv<'_>) -> Result<Timestamp, DerError> {
    crate::time::timestamp(parse_time(tlv)?).ok_or(DerError::BadTime)
}

/// [`read_time`] as Unix seconds, with the full range of the encodings (the last hours of year
/// 9999, past [`Timestamp::MAX`], still read).
pub fn parse_time(tlv: &Tlv<'_>) -> Result<i64, DerError> {
    let s = std::str::from_utf8(tlv.content).map_err(|_| DerError::BadTime)?;
    let (year, rest) = match tlv.tag {
        TAG_UTCTIME => {
            let yy: i64 = s
                .get(0..2)
                .and_then(|v| v.parse().ok())
                .ok_or(DerError::BadTime)?;
            (
                if yy >= 50 { 1900 + yy } else { 2000 + yy },
                s.get(2..).ok_or(DerError::BadTime)?,
            )
        }
        TAG_GENTIME => (
            s.get(0..4)
                .and_then(|v| v.parse().ok())
                .ok_or(DerError::BadTime)?,
            s.get(4..).ok_or(DerError::BadTime)?,
        ),
        _ => return Err(DerError::BadTime),
    };
    let num = |r: std::ops::Range<usize>| -> Result<i64, DerError> {
        rest.get(r)
            .and_then(|v| v.parse().ok())
            .ok_or(DerError::BadTime)
    };
    let (mo, d, h, mi) = (num(0..2)?, num(2..4)?, num(4..6)?, num(6..8)?);
    let sec = num(8..10).unwrap_or(0);
    let tail = rest.get(10..).unwrap_or("");
    let tail = tail.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = if tail.is_empty() || tail == "Z" {
        0
    } else {
        let sign = if tail.starts_with('-') { -1 } else { 1 };
        let oh: i64 = tail
            .get(1..3)
            .and_then(|v| v.parse().ok())
            .ok_or(DerError::BadTime)?;
        let om: i64 = tail.get(3..5).and_then(|v| v.parse().ok()).unwrap_or(0);
        sign * (oh * 3600 + om * 60)
    };
    crate::time::unix_from_fields(year, mo, d, h, mi, sec)
        .map(|t| t - offset)
        .ok_or(DerError::BadTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_and_indefinite() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let t = parse_exact(&der).unwrap();
        assert_eq!(t.tag, 0x30);
        assert_eq!(t.children().next_tlv().unwrap().small_integer().unwrap(), 5);
        let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];
        let t = parse_exact(&ber).unwrap();
        assert!(t.indefinite);
        assert_eq!(t.content, &[0x02, 0x01, 0x05]);
        assert_eq!(t.raw.len(), 7);
    }

    #[test]
    fn rejects_truncation_and_trailing() {
        assert!(matches!(
            parse_exact(&[0x30, 0x05, 0x02]),
            Err(DerError::Truncated)
        ));
        assert!(matches!(
            parse_exact(&[0x05, 0x00, 0x01]),
            Err(DerError::TrailingData { len: 1 })
        ));
        assert!(matches!(
            parse_exact(&[0x04, 0x80, 0, 0]),
            Err(DerError::IndefinitePrimitive)
        ));
        assert!(matches!(
            parse_exact(&[0x04, 0x85, 1, 1, 1, 1, 1]),
            Err(DerError::BadLength)
        ));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut v = Vec::new();
        for _ in 0..200 {
            v.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..200 {
            v.extend_from_slice(&[0, 0]);
        }
        assert!(matches!(parse_exact(&v), Err(DerError::TooDeep)));
    }

    #[test]
    fn oid_text() {
        assert_eq!(
            oid_to_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02]),
            "1.2.840.113549.1.7.2"
        );
    }

    #[test]
    fn times() {
        let t = Tlv {
            tag: TAG_UTCTIME,
            content: b"250601020000Z",
            raw: &[],
            indefinite: false,
        };
        assert_eq!(parse_time(&t).unwrap(), 1_748_743_200);
        let g = Tlv {
            tag: TAG_GENTIME,
            content: b"20250601090000+0700",
            raw: &[],
            indefinite: false,
        };
        assert_eq!(parse_time(&g).unwrap(), 1_748_743_200);
        assert_eq!(read_time(&g).unwrap().to_string(), "2025-06-01T02:00:00Z");
        let far = Tlv {
            tag: TAG_GENTIME,
            content: b"99991231235959Z",
            raw: &[],
            indefinite: false,
        };
        assert_eq!(parse_time(&far).unwrap(), 253_402_300_799);
        assert!(matches!(read_time(&far), Err(DerError::BadTime)));
        let feb31 = Tlv {
            tag: TAG_UTCTIME,
            content: b"260231000000Z",
            raw: &[],
            indefinite: false,
        };
        let mar3 = Tlv {
            content: b"260303000000Z",
            ..feb31
        };
        assert_eq!(parse_time(&feb31).unwrap(), parse_time(&mar3).unwrap());
    }
}
