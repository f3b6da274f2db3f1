//! Just enough of the ZIP format (APPNOTE.TXT 6.3) to unwrap attachment content that a sender
//! zipped before base64: one entry, stored (method 0) or deflated (method 8), CRC-checked, with
//! the inflated size bounded. Multi-entry archives are left alone (they are real archives).
//!
//! The entry is located through the central directory, as APPNOTE §4.3.6 prescribes, so entries
//! written with a data descriptor (general-purpose flag bit 3, sizes zero in the local header)
//! are read correctly.
//!
//! Why not the `zip` crate: only this one case is needed (a single stored or deflated entry,
//! inflated by flate2 with a hard size bound), while the crate brings archive writing,
//! encryption, several compression methods and their dependencies into a library that reads
//! untrusted envelopes; about 150 lines with the bound and the CRC check in sight are easier to
//! keep strict.

use std::io::Read;

use super::ZipError;

/// Local file header signature `PK\x03\x04` (APPNOTE §4.3.7).
const LOCAL_SIG: &[u8; 4] = b"PK\x03\x04";
/// Central directory file header signature (§4.3.12).
const CENTRAL_SIG: &[u8; 4] = b"PK\x01\x02";
/// End of central directory signature (§4.3.16).
const EOCD_SIG: &[u8; 4] = b"PK\x05\x06";
/// Fixed part of the end-of-central-directory record.
const EOCD_LEN: usize = 22;
/// The EOCD comment is at most 65,535 bytes, so the record starts within this many bytes of
/// the end.
const EOCD_SEARCH: usize = EOCD_LEN + 0xFFFF;
/// Fixed part of a local file header (§4.3.7).
const LOCAL_LEN: usize = 30;
/// Fixed part of a central directory header (§4.3.12).
const CENTRAL_LEN: usize = 46;

/// Why extraction stopped.
#[derive(Debug)]
pub(super) enum Failure {
    /// The entry inflates past the limit (the size reached or declared).
    TooLarge(u64),
    Bad(ZipError),
}

impl From<ZipError> for Failure {
    fn from(e: ZipError) -> Self {
        Failure::Bad(e)
    }
}

/// Content starts with a local file header.
pub(super) fn looks_zipped(content: &[u8]) -> bool {
    content.starts_with(LOCAL_SIG)
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, ZipError> {
    let s = b.get(at..at.checked_add(2).ok_or(ZipError::Malformed)?);
    let s: [u8; 2] = s
        .and_then(|s| s.try_into().ok())
        .ok_or(ZipError::Malformed)?;
    Ok(u16::from_le_bytes(s))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, ZipError> {
    let s = b.get(at..at.checked_add(4).ok_or(ZipError::Malformed)?);
    let s: [u8; 4] = s
        .and_then(|s| s.try_into().ok())
        .ok_or(ZipError::Malformed)?;
    Ok(u32::from_le_bytes(s))
}

fn idx(v: u32) -> Result<usize, ZipError> {
    usize::try_from(v).map_err(|_| ZipError::Malformed)
}

/// The single entry's content, `Ok(None)` if the archive holds zero or several entries or one
/// directory.
pub(super) fn extract_single(data: &[u8], limit: u64) -> Result<Option<Vec<u8>>, Failure> {
    let search_from = data.len().saturating_sub(EOCD_SEARCH);
    let tail = data.get(search_from..).ok_or(ZipError::Malformed)?;
    let eocd_rel = tail
        .windows(4)
        .rposition(|w| w == EOCD_SIG)
        .ok_or(ZipError::Malformed)?;
    let eocd = search_from
        .checked_add(eocd_rel)
        .ok_or(ZipError::Malformed)?;
    if data.len().saturating_sub(eocd) < EOCD_LEN {
        return Err(ZipError::Malformed.into());
    }
    let entries = u16_at(data, eocd + 10)?;
    let cd_offset = u32_at(data, eocd + 16)?;
    if entries == 0xFFFF || cd_offset == 0xFFFF_FFFF {
        return Err(ZipError::Zip64.into());
    }
    if entries != 1 {
        return Ok(None);
    }

    let cd = idx(cd_offset)?;
    if data.get(cd..cd + 4) != Some(CENTRAL_SIG.as_slice()) {
        return Err(ZipError::Malformed.into());
    }
    let flags = u16_at(data, cd + 8)?;
    let method = u16_at(data, cd + 10)?;
    let crc = u32_at(data, cd + 16)?;
    let compressed = u32_at(data, cd + 20)?;
    let size = u32_at(data, cd + 24)?;
    let name_len = usize::from(u16_at(data, cd + 28)?);
    let local_offset = u32_at(data, cd + 42)?;
    let name = data
        .get(cd + CENTRAL_LEN..cd + CENTRAL_LEN + name_len)
        .ok_or(ZipError::Malformed)?;
    if name.ends_with(b"/") {
        return Ok(None); // a directory entry
    }
    if flags & 1 != 0 {
        return Err(ZipError::Encrypted.into());
    }
    if compressed == 0xFFFF_FFFF || size == 0xFFFF_FFFF || local_offset == 0xFFFF_FFFF {
        return Err(ZipError::Zip64.into());
    }
    if u64::from(size) > limit {
        return Err(Failure::TooLarge(u64::from(size)));
    }

    let local = idx(local_offset)?;
    if data.get(local..local + 4) != Some(LOCAL_SIG.as_slice()) {
        return Err(ZipError::Malformed.into());
    }
    let local_name = usize::from(u16_at(data, local + 26)?);
    let local_extra = usize::from(u16_at(data, local + 28)?);
    let start = local
        .checked_add(LOCAL_LEN)
        .and_then(|s| s.checked_add(local_name))
        .and_then(|s| s.checked_add(local_extra))
        .ok_or(ZipError::Malformed)?;
    let end = start
        .checked_add(idx(compressed)?)
        .ok_or(ZipError::Malformed)?;
    let raw = data.get(start..end).ok_or(ZipError::Malformed)?;

    let content = match method {
        0 => raw.to_vec(),
        8 => {
            let mut out = Vec::new();
            // Read one byte past the limit to tell "exactly at the limit" from "over it".
            flate2::read::DeflateDecoder::new(raw)
                .take(limit.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|_| ZipError::BadDeflate)?;
            let got = u64::try_from(out.len()).unwrap_or(u64::MAX);
            if got > limit {
                return Err(Failure::TooLarge(got));
            }
            out
        }
        m => return Err(ZipError::UnsupportedMethod(m).into()),
    };
    if u64::try_from(content.len()).ok() != Some(u64::from(size)) {
        return Err(ZipError::Malformed.into());
    }
    let mut hasher = flate2::Crc::new();
    hasher.update(&content);
    if hasher.sum() != crc {
        return Err(ZipError::BadCrc.into());
    }
    Ok(Some(content))
}
