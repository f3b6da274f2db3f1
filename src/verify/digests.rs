//! Digests of the signed byte ranges, shared by all signatures of one document.

use crate::cms::SignedData;
use crate::cms::timestamp::TstInfo;
use crate::crypto::DigestAlgorithm;
use crate::pdf::byte_range::{self, CheckedRange};
use crate::pdf::fields::SigField;
use crate::pdf::object::Object;

/// Digests of the signed ranges of one document's signatures. Every signature's first range
/// starts at 0, and each later signature's first range contains the earlier signatures' whole
/// revisions, so the prefix `[0, a)` is hashed once per algorithm: the context is kept at each
/// first-range end of the document (`stops`) and cloned, and only each second range (the few
/// bytes after its `/Contents`) is hashed on top. Hashing stays O(file size) whatever the number
/// of signatures.
pub(crate) struct RangeDigests<'a> {
    data: &'a [u8],
    /// The first-range ends (`a` of `[0 a b c]`) of every signature dictionary, sorted.
    stops: Vec<usize>,
    /// Per algorithm, contexts over `[0, pos)`, sorted by `pos`.
    prefixes: std::cell::RefCell<Vec<(DigestAlgorithm, Checkpoints)>>,
    /// Digests computed ahead, in parallel, when the algorithms differ.
    precomputed: std::collections::HashMap<RangeKey, Vec<u8>>,
}

/// Hashing contexts over `[0, pos)`, by `pos`.
type Checkpoints = Vec<(usize, crate::crypto::Hasher)>;

/// A signed range to digest: algorithm, gap start, gap end, end.
type RangeKey = (DigestAlgorithm, usize, usize, usize);

/// The algorithm a signature's ranges are hashed with, read ahead of verification: the TSTInfo
/// imprint algorithm for a document timestamp, SHA-1 for `adbe.pkcs7.sha1`, else the
/// SignerInfo's digest algorithm. `None` when anything is off (verification then reports it).
fn range_key(data: &[u8], sf: &SigField) -> Option<RangeKey> {
    let [start, a, b, c] = byte_range::read_byte_range(&sf.sig).ok()?;
    let (a, b) = (usize::try_from(a).ok()?, usize::try_from(b).ok()?);
    let end = b.checked_add(usize::try_from(c).ok()?)?;
    if start != 0 || a > b || end > data.len() {
        return None;
    }
    let contents = match sf.sig.get(b"Contents")? {
        Object::String(s) => s.bytes.as_slice(),
        _ => return None,
    };
    let sd = SignedData::from_pdf_contents(contents).ok()?;
    let alg = match sf.sig.name(b"SubFilter") {
        Some(b"ETSI.RFC3161") => {
            DigestAlgorithm::from_oid(&TstInfo::from_token(&sd).ok()?.imprint_algorithm)?
        }
        Some(b"adbe.pkcs7.sha1") => DigestAlgorithm::Sha1,
        _ => DigestAlgorithm::from_oid(sd.single_signer().ok()?.digest_algorithm.oid)?,
    };
    Some((alg, a, b, end))
}

/// When a document's signatures use two or more digest algorithms (a SHA-256 signature and a
/// SHA-512 document timestamp, say), the chains are independent: hash each on its own thread
/// while the pool has more than one. Each chain still hashes its shared prefix once.
fn precompute_independent(
    data: &[u8],
    sigs: &[SigField],
) -> std::collections::HashMap<RangeKey, Vec<u8>> {
    if sigs.len() < 2 || rayon::current_num_threads() < 2 {
        return Default::default();
    }
    let mut groups: Vec<(DigestAlgorithm, Vec<RangeKey>)> = Vec::new();
    for key in sigs.iter().filter_map(|sf| range_key(data, sf)) {
        match groups.iter_mut().find(|(alg, _)| *alg == key.0) {
            Some((_, keys)) => keys.push(key),
            None => groups.push((key.0, vec![key])),
        }
    }
    if groups.len() < 2 {
        return Default::default();
    }
    use rayon::prelude::*;
    groups
        .into_par_iter()
        .flat_map_iter(|(alg, mut keys)| {
            keys.sort_unstable_by_key(|k| (k.1, k.2, k.3));
            keys.dedup();
            let mut h = alg.hasher();
            let mut pos = 0;
            // Sorted by first-range end: the running context only moves forward.
            keys.into_iter().map(move |k| {
                let (_, a, b, end) = k;
                h.update(data.get(pos..a).unwrap_or(&[]));
                pos = pos.max(a);
                let mut fork = h.clone();
                fork.update(data.get(b..end).unwrap_or(&[]));
                (k, fork.finish())
            })
        })
        .collect()
}

impl<'a> RangeDigests<'a> {
    pub(crate) fn new(data: &'a [u8], sigs: &[SigField]) -> Self {
        let mut stops: Vec<usize> = sigs
            .iter()
            .filter_map(|sf| byte_range::read_byte_range(&sf.sig).ok())
            .filter_map(|[_, a, _, _]| usize::try_from(a).ok())
            .filter(|a| *a <= data.len())
            .collect();
        stops.sort_unstable();
        stops.dedup();
        RangeDigests {
            data,
            stops,
            prefixes: Default::default(),
            precomputed: precompute_independent(data, sigs),
        }
    }

    /// The digest of `data[..range.gap_start] ‖ data[range.gap_end..range.end]`.
    pub(crate) fn digest(&self, alg: DigestAlgorithm, range: &CheckedRange) -> Vec<u8> {
        let key = (alg, range.gap_start, range.gap_end, range.end);
        if let Some(d) = self.precomputed.get(&key) {
            return d.clone();
        }
        let (_, r2) = range.slices(self.data);
        let mut h = self.prefix(alg, range.gap_start);
        h.update(r2);
        h.finish()
    }

    /// A context over `data[..a]`, advanced from the nearest kept one; the contexts at every
    /// stop passed on the way are kept.
    fn prefix(&self, alg: DigestAlgorithm, a: usize) -> crate::crypto::Hasher {
        let a = a.min(self.data.len());
        let mut all = self.prefixes.borrow_mut();
        let i = match all.iter().position(|(x, _)| *x == alg) {
            Some(i) => i,
            None => {
                all.push((alg, vec![(0, alg.hasher())]));
                all.len().saturating_sub(1)
            }
        };
        let Some((_, kept)) = all.get_mut(i) else {
            return alg.hasher();
        };
        let j = kept.partition_point(|(p, _)| *p <= a).saturating_sub(1);
        let Some((mut pos, mut h)) = kept.get(j).cloned() else {
            return alg.hasher();
        };
        let first_stop = self.stops.partition_point(|s| *s <= pos);
        for &stop in self.stops.get(first_stop..).unwrap_or(&[]) {
            if stop > a {
                break;
            }
            h.update(self.data.get(pos..stop).unwrap_or(&[]));
            pos = stop;
            let at = kept.partition_point(|(p, _)| *p < stop);
            if kept.get(at).is_none_or(|(p, _)| *p != stop) {
                kept.insert(at, (stop, h.clone()));
            }
        }
        if pos < a {
            h.update(self.data.get(pos..a).unwrap_or(&[]));
        }
        h
    }
}
