//! The PDF side of verification: which signature dictionaries a document has, the version of
//! each that its revision signed, the document security store, and the change analysis as the
//! verifier reports it.

use std::borrow::Cow;

use super::byte_range;
use super::diff::{self, Modifications};
use super::document::Document;
use super::fields::{self, SigField};
use super::object::{Dict, Object};
use crate::malformed::PdfError;

/// Every signature dictionary of the document: those of the newest readable revision, then any
/// that earlier revisions had and later ones dropped or rewrote (each is verified against the
/// revision it signs, and the later change is reported as a modification). A newest revision
/// that cannot be read does not hide the signatures of earlier ones.
pub fn all_signature_fields(doc: &Document<'_>) -> Result<Vec<SigField>, PdfError> {
    let mut out: Vec<SigField> = Vec::new();
    let mut seen: std::collections::HashSet<(String, Option<u32>, Option<[u64; 4]>)> =
        std::collections::HashSet::new();
    let mut first_error = None;
    let mut any_ok = false;
    for rev in (0..=doc.last_revision()).rev() {
        match fields::signature_fields(doc, rev) {
            Ok(fs) => {
                any_ok = true;
                for f in fs {
                    let br = byte_range::read_byte_range(&f.sig).ok();
                    let key = (f.name.clone(), f.sig_id, br);
                    if seen.insert(key) {
                        out.push(f);
                    }
                }
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e);
                }
            }
        }
    }
    match (any_ok, first_error) {
        (false, Some(e)) => Err(e),
        _ => Ok(out),
    }
}

/// The revision whose end the byte range of `sig` claims to be.
pub fn claimed_revision(doc: &Document<'_>, sig: &Dict) -> Option<usize> {
    let [_, _, b, c] = byte_range::read_byte_range(sig).ok()?;
    let end = b.checked_add(c).and_then(|e| usize::try_from(e).ok())?;
    doc.revision_ending_at(end)
}

/// The signature dictionary of `sf` as the revision it signs had it. A later revision may have
/// rewritten the dictionary (or re-pointed the field's /V): the signed revision's own version is
/// the one whose /Contents the gap must be; the rewrite itself is reported by the change
/// analysis. (A field walked in the revision it signs already holds that version.)
pub fn signed_dictionary<'d>(doc: &Document<'_>, sf: &'d SigField) -> Cow<'d, Dict> {
    if let Some(rev) = claimed_revision(doc, &sf.sig)
        && rev != sf.revision
        && let Some(d) = version_in(doc, sf, rev)
    {
        return Cow::Owned(d);
    }
    Cow::Borrowed(&sf.sig)
}

/// The signature dictionary of `sf` as it was in revision `rev`.
fn version_in(doc: &Document<'_>, sf: &SigField, rev: usize) -> Option<Dict> {
    if let Some(id) = sf.sig_id
        && let Ok(Some(Object::Dict(d))) = doc.get(id, rev)
    {
        return Some(d);
    }
    let field = doc.get(sf.field_id?, rev).ok()??;
    match doc.resolve(field.as_dict()?.get(b"V")?, rev).ok()? {
        Object::Dict(d) => Some(d),
        _ => None,
    }
}

/// True when nothing but end-of-line characters and NUL padding follows `end`.
pub fn covers_whole_file(data: &[u8], end: usize) -> bool {
    data.get(end..)
        .is_some_and(|t| t.iter().all(|b| matches!(b, b'\r' | b'\n' | 0)))
}

/// What changed after revision `rev`, for a signature over it. A later revision that cannot be
/// read is a disallowed change: nothing unreadable is ever waved through.
pub fn changes_after(doc: &Document<'_>, rev: usize) -> (Modifications, Vec<String>) {
    let docmdp = fields::docmdp_level(doc, rev);
    match diff::analyse(doc, rev, docmdp) {
        Ok(m) => (m.level, m.findings),
        Err(e) => (
            Modifications::Disallowed,
            vec![format!("later revisions could not be analysed: {e}")],
        ),
    }
}

/// Certificates, CRLs and OCSP responses (DER) from the document security store.
#[derive(Debug, Default)]
pub struct DssMaterial {
    /// /DSS /Certs.
    pub certs: Vec<Vec<u8>>,
    /// /DSS /CRLs.
    pub crls: Vec<Vec<u8>>,
    /// /DSS /OCSPs.
    pub ocsps: Vec<Vec<u8>>,
}

/// Revision data and certificates in the document security store (PAdES part 4, /DSS) of the
/// newest revision. Unreadable entries are skipped: the store only adds candidates.
pub fn dss_material(doc: &Document<'_>) -> DssMaterial {
    let rev = doc.last_revision();
    let mut out: [Vec<Vec<u8>>; 3] = Default::default();
    let Ok((_, cat)) = fields::catalog(doc, rev) else {
        return DssMaterial::default();
    };
    let Some(Ok(Object::Dict(dss))) = cat.get(b"DSS").map(|d| doc.resolve(d, rev)) else {
        return DssMaterial::default();
    };
    for (i, key) in [&b"Certs"[..], b"CRLs", b"OCSPs"].iter().enumerate() {
        let Some(Ok(Object::Array(items))) = dss.get(key).map(|a| doc.resolve(a, rev)) else {
            continue;
        };
        for item in items.iter().take(10_000) {
            if let Ok(Object::Stream(s)) = doc.resolve(item, rev)
                && let (Ok(data), Some(slot)) = (doc.stream_data(&s, rev), out.get_mut(i))
            {
                slot.push(data);
            }
        }
    }
    let [certs, crls, ocsps] = out;
    DssMaterial { certs, crls, ocsps }
}
