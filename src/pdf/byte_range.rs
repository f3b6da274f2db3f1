//! `/ByteRange` and `/Contents` checks against the original bytes (ISO 32000-1 §12.8.1,
//! REFERENCE §6).
//!
//! ```text
//! /ByteRange [0 a b c]   — exactly four non-negative integers
//! bytes[a..b] == the /Contents hex string, '<' and '>' included
//! 0 <= a <= b <= b + c <= file length;  b + c ends a revision
//! ```

use super::document::Document;
use super::object::{Dict, Object};
use crate::malformed::ByteRangeError;

/// A checked byte range: the two signed slices and the revision they cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedRange {
    /// End of the first range (start of the gap).
    pub gap_start: usize,
    /// Start of the second range (end of the gap).
    pub gap_end: usize,
    /// End of the second range.
    pub end: usize,
    /// Index of the revision that ends at `end`.
    pub revision: usize,
}

impl CheckedRange {
    /// The two signed slices of `data`.
    pub fn slices<'d>(&self, data: &'d [u8]) -> (&'d [u8], &'d [u8]) {
        (
            data.get(..self.gap_start).unwrap_or(&[]),
            data.get(self.gap_end..self.end).unwrap_or(&[]),
        )
    }
}

/// Reads `/ByteRange` as four non-negative integers.
pub fn read_byte_range(sig: &Dict) -> Result<[u64; 4], ByteRangeError> {
    let arr = match sig.get(b"ByteRange") {
        None => return Err(ByteRangeError::Missing),
        Some(Object::Array(a)) => a,
        Some(_) => return Err(ByteRangeError::Malformed),
    };
    if arr.len() != 4 {
        return Err(ByteRangeError::Malformed);
    }
    let mut out = [0u64; 4];
    for (slot, v) in out.iter_mut().zip(arr) {
        match v {
            Object::Int(i) if *i < 0 => return Err(ByteRangeError::Negative),
            Object::Int(i) => *slot = u64::try_from(*i).map_err(|_| ByteRangeError::Malformed)?,
            _ => return Err(ByteRangeError::Malformed),
        }
    }
    Ok(out)
}

/// Applies every rule of REFERENCE §6 to `sig` (the signature dictionary read from the
/// revision the range ends) and returns the checked range and the raw /Contents bytes.
pub fn check<'s>(
    doc: &Document<'_>,
    sig: &'s Dict,
) -> Result<(CheckedRange, &'s [u8]), ByteRangeError> {
    let [start, a, b, c] = read_byte_range(sig)?;
    if start != 0 {
        return Err(ByteRangeError::NonZeroStart);
    }
    let len = doc.data.len();
    if b < a {
        return Err(ByteRangeError::Overlap);
    }
    let end = b.checked_add(c).ok_or(ByteRangeError::Malformed)?;
    let len64 = u64::try_from(len).map_err(|_| ByteRangeError::Malformed)?;
    if end > len64 || a > len64 {
        return Err(ByteRangeError::OutOfBounds { end, len });
    }
    let to_usize = |v: u64| usize::try_from(v).map_err(|_| ByteRangeError::Malformed);
    let (gap_start, gap_end, end_u) = (to_usize(a)?, to_usize(b)?, to_usize(end)?);
    let contents = match sig.get(b"Contents") {
        None => return Err(ByteRangeError::ContentsMissing),
        Some(Object::String(s)) if s.hex => s,
        Some(_) => return Err(ByteRangeError::ContentsNotHex),
    };
    if !contents.span.in_file || contents.span.start != gap_start || contents.span.end != gap_end {
        return Err(ByteRangeError::GapMismatch { start: a, end: b });
    }
    if !(sig.span.in_file && sig.span.start < gap_start && gap_end < sig.span.end) {
        return Err(ByteRangeError::GapOutsideDictionary);
    }
    let revision = doc
        .revision_ending_at(end_u)
        .ok_or(ByteRangeError::NotRevisionEnd { end })?;
    Ok((
        CheckedRange {
            gap_start,
            gap_end,
            end: end_u,
            revision,
        },
        contents.bytes.as_slice(),
    ))
}
