//! The verification pipeline and its report (ETSI EN 319 102-1 vocabulary).
//!
//! For every signature dictionary of the document (signature fields and document timestamps):
//! byte ranges against the original bytes, the CMS SignedData and its signed attributes, the
//! signature value, algorithm policy, the certificate path and revocation, and changes made after
//! signing. Every failure is fail-closed: a check that cannot be completed never yields
//! `TOTAL_PASSED`.

use serde::Serialize;
use x509_parser::prelude::FromDer;

use crate::cms::timestamp::TstInfo;
use crate::cms::{SignedData, SignerId, SignerInfo, oid};
use crate::crypto::{self, CryptoError, DigestAlgorithm, PublicKeyInfo};
use crate::der;
use crate::error::{CmsError, Error, PdfError};
use crate::pdf::byte_range::{self, CheckedRange};
use crate::pdf::diff::{self, Modifications};
use crate::pdf::document::{Document, Limits};
use crate::pdf::fields::{self, SigField};
use crate::pdf::object::{Dict, Object};
use crate::pki::{
    self, CertSummary, KeyUsageRule, PathInput, PathOptions, PathOutcome, PathValidator, TrustStore,
};

/// Largest input accepted by default: 512 MiB. Raise it with [`VerifyOptions::max_input_size`].
pub const DEFAULT_MAX_INPUT: usize = 512 << 20;

/// ETSI EN 319 102-1 main indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Indication {
    TotalPassed,
    TotalFailed,
    Indeterminate,
}

/// ETSI EN 319 102-1 sub-indications used by this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum SubIndication {
    FormatFailure,
    HashFailure,
    SigCryptoFailure,
    Revoked,
    RevokedNoPoe,
    Expired,
    NotYetValid,
    OutOfBoundsNoPoe,
    NoSigningCertificateFound,
    NoCertificateChainFound,
    ChainConstraintsFailure,
    CertificateChainGeneralFailure,
    CryptoConstraintsFailure,
    SigConstraintsFailure,
    TryLater,
}

/// Revocation status of the signer's certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevocationStatus {
    Good,
    Revoked,
    Unknown,
    NotChecked,
}

/// Which validation time was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationTime {
    /// A fixed time (Unix seconds). The CLI passes "now" or `--at`.
    At(i64),
    /// Each signature at its own claimed signing time (pyHanko `--validation-time claimed`).
    Claimed,
}

/// The signer's identity, from the certificate.
#[derive(Clone, Debug, Serialize)]
pub struct SignerReport {
    pub common_name: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    pub locality: Option<String>,
    pub country: Option<String>,
    pub uid: Option<String>,
    pub serial: String,
    pub issuer: String,
    pub sha256: String,
    pub subject: String,
}

impl From<&CertSummary> for SignerReport {
    fn from(c: &CertSummary) -> Self {
        SignerReport {
            common_name: c.common_name.clone(),
            organization: c.organization.clone(),
            organizational_unit: c.organizational_unit.clone(),
            locality: c.locality.clone(),
            country: c.country.clone(),
            uid: c.uid.clone(),
            serial: c.serial_hex.clone(),
            issuer: c.issuer.clone(),
            sha256: c.sha256_hex.clone(),
            subject: c.subject.clone(),
        }
    }
}

/// An RFC 3161 signature timestamp found in the unsigned attributes.
#[derive(Clone, Debug, Serialize)]
pub struct TimestampReport {
    pub time: String,
    /// Imprint and TSA signature verified.
    pub integrity: bool,
    pub tsa: Option<String>,
    pub error: Option<String>,
}

/// The verdict on one signature dictionary.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    pub field: String,
    pub sub_filter: Option<String>,
    pub is_doc_timestamp: bool,
    pub indication: Indication,
    pub subindication: Option<SubIndication>,
    /// Digest over the byte ranges and signature value both verified.
    pub integrity: bool,
    pub covers_whole_file: bool,
    pub modifications: Modifications,
    pub signer: Option<SignerReport>,
    /// Claimed signing time (signingTime attribute, else /M, else the timestamp).
    pub signing_time: Option<String>,
    /// The time the certificate path was validated at, and where it came from
    /// (`given`, `claimed`).
    pub validation_time: Option<String>,
    pub validation_time_source: &'static str,
    pub digest_algorithm: Option<String>,
    pub signature_algorithm: Option<String>,
    /// Certificate subjects, signer first.
    pub chain: Vec<String>,
    pub revocation: RevocationStatus,
    pub timestamp: Option<TimestampReport>,
    /// Why the verdict is not TOTAL_PASSED, most important first.
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
    /// What changed after signing.
    pub modification_details: Vec<String>,
}

/// The verdict on one document.
#[derive(Clone, Debug, Serialize)]
pub struct DocumentReport {
    pub file: String,
    pub signed: bool,
    pub signatures: Vec<SignatureReport>,
    /// Set when the document could not be read at all.
    pub error: Option<String>,
}

impl DocumentReport {
    /// True when the document has at least one signature and all are TOTAL_PASSED.
    pub fn all_passed(&self) -> bool {
        self.error.is_none()
            && !self.signatures.is_empty()
            && self
                .signatures
                .iter()
                .all(|s| s.indication == Indication::TotalPassed)
    }
}

/// Policy and inputs for verification.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    pub trust: TrustStore,
    pub time: ValidationTime,
    pub key_usage: KeyUsageRule,
    /// Accept SHA-1 digests (off by default: CRYPTO_CONSTRAINTS_FAILURE).
    pub allow_sha1: bool,
    /// Smallest RSA key accepted (2048 by default).
    pub min_rsa_bits: usize,
    pub max_input_size: usize,
    pub limits: Limits,
}

impl VerifyOptions {
    /// Strict defaults, validating at `time`.
    pub fn new(trust: TrustStore, time: ValidationTime) -> Self {
        VerifyOptions {
            trust,
            time,
            key_usage: KeyUsageRule::default(),
            allow_sha1: false,
            min_rsa_bits: pki::DEFAULT_MIN_RSA_BITS,
            max_input_size: DEFAULT_MAX_INPUT,
            limits: Limits::default(),
        }
    }
}

/// A reusable verifier. It caches verified issuer–subject pairs, so a batch does not re-verify
/// the same intermediates; it is `Sync` and can be shared across threads.
pub struct Verifier {
    options: VerifyOptions,
    paths: PathValidator,
    /// Signer summaries by certificate SHA-256 (bounded like the path caches).
    summaries: std::sync::RwLock<std::collections::HashMap<[u8; 32], crate::pki::CertSummary>>,
    recent_summaries:
        std::sync::RwLock<std::collections::VecDeque<(Vec<u8>, crate::pki::CertSummary)>>,
}

/// A failure candidate: the first TOTAL_FAILED wins, else the first INDETERMINATE.
struct Verdict {
    failed: Option<(SubIndication, String)>,
    indeterminate: Option<(SubIndication, String)>,
    errors: Vec<String>,
}

impl Verdict {
    fn new() -> Self {
        Verdict {
            failed: None,
            indeterminate: None,
            errors: Vec::new(),
        }
    }
    fn fail(&mut self, sub: SubIndication, why: impl Into<String>) {
        let why = why.into();
        self.errors.push(why.clone());
        if self.failed.is_none() {
            self.failed = Some((sub, why));
        }
    }
    fn indeterminate(&mut self, sub: SubIndication, why: impl Into<String>) {
        let why = why.into();
        self.errors.push(why.clone());
        if self.indeterminate.is_none() {
            self.indeterminate = Some((sub, why));
        }
    }
    fn result(&self) -> (Indication, Option<SubIndication>) {
        if let Some((s, _)) = &self.failed {
            (Indication::TotalFailed, Some(*s))
        } else if let Some((s, _)) = &self.indeterminate {
            (Indication::Indeterminate, Some(*s))
        } else {
            (Indication::TotalPassed, None)
        }
    }
}

fn cms_subindication(e: &CmsError) -> SubIndication {
    match e {
        CmsError::UnsupportedDigest { .. } => SubIndication::CryptoConstraintsFailure,
        CmsError::SignerCertificateNotFound | CmsError::SigningCertificateMismatch => {
            SubIndication::NoSigningCertificateFound
        }
        _ => SubIndication::FormatFailure,
    }
}

struct Parsed<'a> {
    cert_der: Vec<&'a [u8]>,
}

impl<'a> Parsed<'a> {
    fn find_signer(&self, sid: &SignerId<'_>) -> Option<&'a [u8]> {
        self.cert_der.iter().copied().find(|der| {
            if let SignerId::IssuerSerial { issuer, serial } = sid {
                // Most certificates are told apart by serial and raw issuer without a parse.
                match tbs_fields(der) {
                    Some(f) if f.serial != *serial => return false,
                    Some(f) if f.issuer == *issuer => return true,
                    _ => {}
                }
            }
            let Ok((_, c)) = x509_parser::parse_x509_certificate(der) else {
                return false;
            };
            match sid {
                SignerId::IssuerSerial { issuer, serial } => {
                    let raw = c.raw_serial();
                    let raw = match raw {
                        [0, rest @ ..] if !rest.is_empty() => rest,
                        r => r,
                    };
                    raw == *serial && (c.tbs_certificate.issuer.as_raw() == *issuer || {
                        // Same name, different encoding: compare the parsed forms.
                        x509_parser::x509::X509Name::from_der(issuer)
                            .map(|(_, n)| n.to_string() == c.tbs_certificate.issuer.to_string())
                            .unwrap_or(false)
                    })
                }
                SignerId::KeyId(kid) => c.extensions().iter().any(|e| {
                    matches!(e.parsed_extension(), x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) if k.0 == *kid)
                }),
            }
        })
    }
}

/// The raw fields of a certificate the CMS checks need, read with the crate's DER reader
/// (the full X.509 parse happens once per chain, in path validation).
struct TbsFields<'a> {
    /// The serial number without a leading zero byte.
    serial: &'a [u8],
    /// The issuer Name, tag and length included.
    issuer: &'a [u8],
    /// The SubjectPublicKeyInfo, tag and length included.
    spki: &'a [u8],
}

fn tbs_fields(cert: &[u8]) -> Option<TbsFields<'_>> {
    let c = der::parse_exact(cert)
        .ok()?
        .expect(der::TAG_SEQUENCE)
        .ok()?;
    let tbs = c.children().expect(der::TAG_SEQUENCE).ok()?;
    let mut r = tbs.children();
    r.optional(0xa0).ok()?;
    let serial = r.expect(der::TAG_INTEGER).ok()?.unsigned_integer().ok()?;
    let _signature = r.expect(der::TAG_SEQUENCE).ok()?;
    let issuer = r.expect(der::TAG_SEQUENCE).ok()?.raw;
    let _validity = r.expect(der::TAG_SEQUENCE).ok()?;
    let _subject = r.expect(der::TAG_SEQUENCE).ok()?;
    let spki = r.expect(der::TAG_SEQUENCE).ok()?.raw;
    Some(TbsFields {
        serial,
        issuer,
        spki,
    })
}

fn spki_of(der: &[u8]) -> Result<PublicKeyInfo, CryptoError> {
    let f = tbs_fields(der).ok_or(CryptoError::MalformedKey)?;
    PublicKeyInfo::from_spki_der(f.spki)
}

/// Concatenates the two signed ranges (only for signatures without signed attributes, where the
/// signature covers the content itself).
fn concat(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend_from_slice(a);
    v.extend_from_slice(b);
    v
}

/// Checks the ESS signing-certificate(-v2) attribute against the signer's certificate
/// (RFC 5035 §3, RFC 2634 §5.4). Returns whether one was present.
/// `cert_sha256_hex` is the certificate's SHA-256 when already known (from its cached summary),
/// so that a batch from one signer does not hash the same certificate for every document.
fn check_ess(
    signer: &SignerInfo<'_>,
    cert: &[u8],
    cert_sha256_hex: Option<&str>,
) -> Result<bool, CmsError> {
    let v2 = signer.single_signed_value(oid::SIGNING_CERTIFICATE_V2)?;
    let v1 = signer.single_signed_value(oid::SIGNING_CERTIFICATE)?;
    let (value, v2_form) = match (v2, v1) {
        (Some(v), _) => (v, true),
        (None, Some(v)) => (v, false),
        (None, None) => return Ok(false),
    };
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256,
    //                            certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
    let mut certs = value.expect(der::TAG_SEQUENCE)?.children();
    let list = certs.expect(der::TAG_SEQUENCE)?;
    let first = list
        .children()
        .next()
        .ok_or(CmsError::SigningCertificateMismatch)??;
    let mut r = first.expect(der::TAG_SEQUENCE)?.children();
    let alg = if v2_form {
        match r.optional(der::TAG_SEQUENCE)? {
            Some(a) => {
                let oid_tlv = a.children().expect(der::TAG_OID)?;
                DigestAlgorithm::from_oid(oid_tlv.content).ok_or(CmsError::UnsupportedDigest {
                    oid: der::oid_to_string(oid_tlv.content),
                })?
            }
            None => DigestAlgorithm::Sha256,
        }
    } else {
        DigestAlgorithm::Sha1
    };
    let hash = r.expect(der::TAG_OCTET_STRING)?.content;
    let matches = match (alg, cert_sha256_hex) {
        (DigestAlgorithm::Sha256, Some(known)) => {
            hash.len() == 32 && faster_hex::hex_string(hash) == known
        }
        _ => alg.digest(&[cert]) == hash,
    };
    if !matches {
        return Err(CmsError::SigningCertificateMismatch);
    }
    if let Some(is) = r.optional(der::TAG_SEQUENCE)? {
        // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }
        let mut isr = is.children();
        let _names = isr.next_tlv()?;
        let serial = isr.next_tlv()?.unsigned_integer()?;
        let f = tbs_fields(cert).ok_or(CmsError::SigningCertificateMismatch)?;
        if f.serial != serial {
            return Err(CmsError::SigningCertificateMismatch);
        }
    }
    Ok(true)
}

/// Certificates, CRLs and OCSP responses (DER) from the document security store.
type DssMaterial = (Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<Vec<u8>>);

/// Revocation data and certificates in the document security store (PAdES part 4, /DSS).
fn dss_material(doc: &Document<'_>) -> DssMaterial {
    let rev = doc.last_revision();
    let mut out: [Vec<Vec<u8>>; 3] = Default::default();
    let Ok((_, cat)) = fields::catalog(doc, rev) else {
        return (Vec::new(), Vec::new(), Vec::new());
    };
    let Some(Ok(Object::Dict(dss))) = cat.get(b"DSS").map(|d| doc.resolve(d, rev)) else {
        return (Vec::new(), Vec::new(), Vec::new());
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
    (certs, crls, ocsps)
}

/// Every signature dictionary of the document: those of the newest readable revision, then any
/// that earlier revisions had and later ones dropped or rewrote (each is verified against the
/// revision it signs, and the later change is reported as a modification). A newest revision
/// that cannot be read does not hide the signatures of earlier ones.
fn all_signature_fields(doc: &Document<'_>) -> Result<Vec<SigField>, PdfError> {
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

/// Digests of the signed ranges of one document's signatures. Every signature's first range
/// starts at 0, and each later signature's first range contains the earlier signatures' whole
/// revisions, so the prefix `[0, a)` is hashed once per algorithm: the context is kept at each
/// first-range end of the document (`stops`) and cloned, and only each second range (the few
/// bytes after its `/Contents`) is hashed on top. Hashing stays O(file size) whatever the number
/// of signatures.
struct RangeDigests<'a> {
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

/// What all signatures of one document share.
struct PerDocument<'a> {
    dss: DssMaterial,
    digests: RangeDigests<'a>,
}

impl<'a> RangeDigests<'a> {
    fn new(data: &'a [u8], sigs: &[SigField]) -> Self {
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
    fn digest(&self, alg: DigestAlgorithm, range: &CheckedRange) -> Vec<u8> {
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

/// The signature dictionary of `sf` as it was in revision `rev`.
fn signed_version(doc: &Document<'_>, sf: &SigField, rev: usize) -> Option<Dict> {
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

impl Verifier {
    pub fn new(options: VerifyOptions) -> Self {
        Verifier {
            options,
            paths: PathValidator::new(),
            summaries: Default::default(),
            recent_summaries: Default::default(),
        }
    }

    /// The summary of a signer's certificate, computed once per certificate (the last few
    /// compared byte for byte, older ones found by SHA-256).
    fn summary(&self, cert: &[u8]) -> Option<crate::pki::CertSummary> {
        if let Ok(recent) = self.recent_summaries.read()
            && let Some((_, s)) = recent.iter().find(|(c, _)| c.as_slice() == cert)
        {
            return Some(s.clone());
        }
        let s = self.summary_by_digest(cert)?;
        if let Ok(mut recent) = self.recent_summaries.write() {
            if recent.len() >= 8 {
                recent.pop_back();
            }
            recent.push_front((cert.to_vec(), s.clone()));
        }
        Some(s)
    }

    fn summary_by_digest(&self, cert: &[u8]) -> Option<crate::pki::CertSummary> {
        let key = crate::crypto::sha256(cert);
        if let Some(s) = self
            .summaries
            .read()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return Some(s);
        }
        let s = PathValidator::summarize(cert).ok()?;
        if let Ok(mut m) = self.summaries.write() {
            if m.len() >= crate::pki::MAX_CACHED {
                m.clear();
            }
            m.insert(key, s.clone());
        }
        Some(s)
    }

    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// Reads and verifies a file. I/O errors are returned; everything about the content is in
    /// the report.
    pub fn verify_file(&self, path: &std::path::Path) -> Result<DocumentReport, Error> {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let size = usize::try_from(meta.len()).unwrap_or(usize::MAX);
        if size > self.options.max_input_size {
            return Err(Error::TooLarge {
                size,
                limit: self.options.max_input_size,
            });
        }
        let data = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(self.verify_bytes(&path.display().to_string(), &data))
    }

    /// [`Verifier::verify_file`] for many files, on the current rayon pool: each worker reads
    /// its next file while the others hash, so reading overlaps verification. Results come back
    /// in the order of `paths`. At most one file per worker is held in memory at a time.
    pub fn verify_files<P: AsRef<std::path::Path> + Sync>(
        &self,
        paths: &[P],
    ) -> Vec<Result<DocumentReport, Error>> {
        use rayon::prelude::*;
        if paths.len() < 2 {
            // No pool to start for a single file.
            return paths.iter().map(|p| self.verify_file(p.as_ref())).collect();
        }
        paths
            .par_iter()
            .with_max_len(1)
            .map(|p| self.verify_file(p.as_ref()))
            .collect()
    }

    /// Verifies every signature of an in-memory document.
    pub fn verify_bytes(&self, file: &str, data: &[u8]) -> DocumentReport {
        let mut report = DocumentReport {
            file: file.to_string(),
            signed: false,
            signatures: Vec::new(),
            error: None,
        };
        if data.len() > self.options.max_input_size {
            report.error = Some(
                Error::TooLarge {
                    size: data.len(),
                    limit: self.options.max_input_size,
                }
                .to_string(),
            );
            return report;
        }
        let doc = match Document::parse(data, self.options.limits) {
            Ok(d) => d,
            Err(e) => {
                report.error = Some(Error::from(e).to_string());
                return report;
            }
        };
        let sigs = match all_signature_fields(&doc) {
            Ok(s) => s,
            Err(e) => {
                report.error = Some(Error::from(e).to_string());
                return report;
            }
        };
        report.signed = !sigs.is_empty();
        if let (true, Some(e)) = (sigs.is_empty(), &doc.unreadable_tail) {
            report.error = Some(Error::from(e.clone()).to_string());
            return report;
        }
        let shared = PerDocument {
            dss: dss_material(&doc),
            digests: RangeDigests::new(data, &sigs),
        };
        for sf in &sigs {
            report.signatures.push(self.verify_one(&doc, sf, &shared));
        }
        report
    }

    fn verify_one(
        &self,
        doc: &Document<'_>,
        sf: &SigField,
        shared: &PerDocument<'_>,
    ) -> SignatureReport {
        let mut v = Verdict::new();
        let mut warnings = Vec::new();
        let sub_filter = sf
            .sig
            .name(b"SubFilter")
            .map(|n| String::from_utf8_lossy(n).into_owned());
        let is_doc_ts = sf.sig.type_name() == Some(b"DocTimeStamp")
            || sub_filter.as_deref() == Some("ETSI.RFC3161");
        let mut rep = SignatureReport {
            field: sf.name.clone(),
            sub_filter: sub_filter.clone(),
            is_doc_timestamp: is_doc_ts,
            indication: Indication::TotalFailed,
            subindication: None,
            integrity: false,
            covers_whole_file: false,
            modifications: Modifications::None,
            signer: None,
            signing_time: None,
            validation_time: None,
            validation_time_source: match self.options.time {
                ValidationTime::At(_) => "given",
                ValidationTime::Claimed => "claimed",
            },
            digest_algorithm: None,
            signature_algorithm: None,
            chain: Vec::new(),
            revocation: RevocationStatus::NotChecked,
            timestamp: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            modification_details: Vec::new(),
        };
        self.verify_inner(doc, sf, shared, &mut rep, &mut v, &mut warnings);
        let (ind, sub) = v.result();
        rep.indication = ind;
        rep.subindication = sub;
        if ind == Indication::TotalPassed && !rep.integrity {
            // Fail closed: nothing may pass without verified integrity.
            rep.indication = Indication::TotalFailed;
            rep.subindication = Some(SubIndication::FormatFailure);
            v.errors.push("integrity was not established".to_string());
        }
        rep.errors = v.errors;
        rep.warnings = warnings;
        rep
    }

    #[allow(clippy::too_many_lines)]
    fn verify_inner(
        &self,
        doc: &Document<'_>,
        sf: &SigField,
        shared: &PerDocument<'_>,
        rep: &mut SignatureReport,
        v: &mut Verdict,
        warnings: &mut Vec<String>,
    ) {
        let (dss, digests) = (&shared.dss, &shared.digests);
        let data = doc.data;
        // 1. Byte ranges, checked on the dictionary as it was in the revision it signs.
        // A later revision may have rewritten the dictionary (or re-pointed the field's /V):
        // the signed revision's own version is the one whose /Contents the gap must be; the
        // rewrite itself is reported by the modification analysis.
        // (A field walked in the revision it signs already holds that version.)
        let mut sig_dict: std::borrow::Cow<'_, Dict> = std::borrow::Cow::Borrowed(&sf.sig);
        if let Ok([_, _, b, c]) = byte_range::read_byte_range(&sf.sig) {
            let end = b.checked_add(c).and_then(|e| usize::try_from(e).ok());
            if let Some(rev) = end.and_then(|e| doc.revision_ending_at(e))
                && rev != sf.revision
                && let Some(d) = signed_version(doc, sf, rev)
            {
                sig_dict = std::borrow::Cow::Owned(d);
            }
        }
        let (range, contents): (CheckedRange, &[u8]) = match byte_range::check(doc, &sig_dict) {
            Ok(x) => x,
            Err(e) => {
                v.fail(SubIndication::FormatFailure, PdfError::from(e).to_string());
                // Still say what changed after the revision the range claims to sign.
                if let Ok([_, _, b, c]) = byte_range::read_byte_range(&sig_dict) {
                    let end = b.checked_add(c).and_then(|e| usize::try_from(e).ok());
                    if let Some(rev) = end.and_then(|e| doc.revision_ending_at(e)) {
                        self.modifications(doc, rev, rep);
                    }
                }
                return;
            }
        };
        rep.covers_whole_file = data
            .get(range.end..)
            .is_some_and(|t| t.iter().all(|b| matches!(b, b'\r' | b'\n' | 0)));
        let (r1, r2) = range.slices(data);

        // 4. Changes after signing (needs only the structure; done before the crypto so the
        // report always carries it).
        self.modifications(doc, range.revision, rep);

        // 2. CMS.
        let sd = match SignedData::from_pdf_contents(contents) {
            Ok(sd) => sd,
            Err(e) => {
                v.fail(cms_subindication(&e), Error::from(e).to_string());
                return;
            }
        };
        let signer = match sd.single_signer() {
            Ok(s) => s,
            Err(e) => {
                v.fail(SubIndication::FormatFailure, Error::from(e).to_string());
                return;
            }
        };
        let sub_filter = rep.sub_filter.clone().unwrap_or_default();
        let digest_alg = match DigestAlgorithm::from_oid(signer.digest_algorithm.oid) {
            Some(d) => d,
            None => {
                v.indeterminate(
                    SubIndication::CryptoConstraintsFailure,
                    format!(
                        "digest algorithm {} is not supported",
                        signer.digest_algorithm.oid_string()
                    ),
                );
                return;
            }
        };
        rep.digest_algorithm = Some(digest_alg.name().to_string());
        if !sd
            .digest_algorithms
            .iter()
            .any(|a| a.oid == signer.digest_algorithm.oid)
        {
            warnings.push(
                "SignerInfo digest algorithm is not listed in SignedData.digestAlgorithms".into(),
            );
        }

        // The content the signature is about, per SubFilter.
        let content_digest: Vec<u8>;
        let mut tst_time = None;
        match sub_filter.as_str() {
            "adbe.pkcs7.detached" | "ETSI.CAdES.detached" | "" => {
                if sd.encap_content.is_some() {
                    v.fail(SubIndication::FormatFailure, format!("SubFilter {sub_filter} requires detached content, but the CMS encapsulates content"));
                    return;
                }
                if sub_filter.is_empty() {
                    warnings.push(
                        "signature dictionary has no /SubFilter; treated as adbe.pkcs7.detached"
                            .into(),
                    );
                }
                content_digest = digests.digest(digest_alg, &range);
            }
            "adbe.pkcs7.sha1" => {
                let Some(content) = sd.encap_content.as_ref() else {
                    v.fail(
                        SubIndication::FormatFailure,
                        "adbe.pkcs7.sha1 requires the SHA-1 digest encapsulated",
                    );
                    return;
                };
                if digests.digest(DigestAlgorithm::Sha1, &range) != content.as_ref() {
                    v.fail(
                        SubIndication::HashFailure,
                        "encapsulated SHA-1 digest does not match the signed ranges",
                    );
                    return;
                }
                content_digest = digest_alg.digest(&[content.as_ref()]);
                v.indeterminate(
                    SubIndication::CryptoConstraintsFailure,
                    "adbe.pkcs7.sha1 signs a SHA-1 digest, which the policy rejects",
                );
            }
            "ETSI.RFC3161" => {
                let tst = match TstInfo::from_token(&sd) {
                    Ok(t) => t,
                    Err(e) => {
                        v.fail(SubIndication::FormatFailure, Error::from(e).to_string());
                        return;
                    }
                };
                let Some(ialg) = DigestAlgorithm::from_oid(&tst.imprint_algorithm) else {
                    v.indeterminate(
                        SubIndication::CryptoConstraintsFailure,
                        "timestamp imprint algorithm not supported",
                    );
                    return;
                };
                if digests.digest(ialg, &range) != tst.imprint {
                    v.fail(
                        SubIndication::HashFailure,
                        "document timestamp imprint does not match the signed ranges",
                    );
                    return;
                }
                tst_time = Some(tst.gen_time);
                let content = sd.encap_content.as_deref().unwrap_or(&[]);
                content_digest = digest_alg.digest(&[content]);
            }
            other => {
                v.indeterminate(
                    SubIndication::FormatFailure,
                    format!("SubFilter {other} is not supported"),
                );
                return;
            }
        }

        // Signer certificate.
        let mut pool: Vec<&[u8]> = sd.certificates.clone();
        pool.extend(self.options.trust.intermediates().iter().map(Vec::as_slice));
        pool.extend(dss.0.iter().map(Vec::as_slice));
        let parsed = Parsed {
            cert_der: pool.clone(),
        };
        let Some(cert) = parsed.find_signer(&signer.sid) else {
            v.indeterminate(
                SubIndication::NoSigningCertificateFound,
                CmsError::SignerCertificateNotFound.to_string(),
            );
            return;
        };
        let summary = self.summary(cert);
        if let Some(s) = &summary {
            rep.signer = Some(SignerReport::from(s));
        }
        let cert_sha256_hex = summary.as_ref().map(|s| s.sha256_hex.as_str());

        // Signed attributes.
        let message: std::borrow::Cow<'_, [u8]> = match &signer.signed_attrs {
            Some(sa) => {
                match signer.single_signed_value(oid::CONTENT_TYPE) {
                    Ok(Some(ct)) => {
                        if ct.tag != der::TAG_OID || ct.content != sd.encap_content_type {
                            v.fail(
                                SubIndication::FormatFailure,
                                CmsError::ContentTypeMismatch {
                                    oid: der::oid_to_string(ct.content),
                                    expected: der::oid_to_string(sd.encap_content_type),
                                }
                                .to_string(),
                            );
                            return;
                        }
                    }
                    Ok(None) => {
                        v.fail(
                            SubIndication::FormatFailure,
                            CmsError::MissingContentType.to_string(),
                        );
                        return;
                    }
                    Err(e) => {
                        v.fail(SubIndication::FormatFailure, e.to_string());
                        return;
                    }
                }
                match signer.single_signed_value(oid::MESSAGE_DIGEST) {
                    Ok(Some(md)) => {
                        if md.tag != der::TAG_OCTET_STRING {
                            v.fail(
                                SubIndication::FormatFailure,
                                "messageDigest is not an OCTET STRING",
                            );
                            return;
                        }
                        if md.content.len() != digest_alg.output_len() {
                            v.fail(
                                SubIndication::HashFailure,
                                CmsError::DigestLength {
                                    algorithm: digest_alg.name(),
                                    expected: digest_alg.output_len(),
                                    found: md.content.len(),
                                }
                                .to_string(),
                            );
                            return;
                        }
                        if md.content != content_digest.as_slice() {
                            v.fail(
                                SubIndication::HashFailure,
                                "messageDigest does not match the digest of the signed content",
                            );
                            return;
                        }
                    }
                    Ok(None) => {
                        v.fail(
                            SubIndication::FormatFailure,
                            CmsError::MissingMessageDigest.to_string(),
                        );
                        return;
                    }
                    Err(e) => {
                        v.fail(SubIndication::FormatFailure, e.to_string());
                        return;
                    }
                }
                match signer.single_signed_value(oid::SIGNING_TIME) {
                    Ok(Some(t)) => {
                        if let Ok(t) = der::parse_time(&t) {
                            rep.signing_time = Some(crate::time::to_rfc3339(t));
                        }
                        if sub_filter == "ETSI.CAdES.detached" {
                            warnings.push("PAdES signatures should not carry a CMS signingTime (the time is in /M)".into());
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        v.fail(SubIndication::FormatFailure, e.to_string());
                        return;
                    }
                }
                match check_ess(signer, cert, cert_sha256_hex) {
                    Ok(true) => {}
                    Ok(false) => {
                        if sub_filter == "ETSI.CAdES.detached" {
                            v.fail(SubIndication::FormatFailure, "ETSI.CAdES.detached requires the ESS signing-certificate-v2 attribute");
                        }
                    }
                    Err(e) => v.indeterminate(cms_subindication(&e), e.to_string()),
                }
                std::borrow::Cow::Owned(sa.signed_bytes())
            }
            None => match sub_filter.as_str() {
                "adbe.pkcs7.detached" | "" => std::borrow::Cow::Owned(concat(r1, r2)),
                "adbe.pkcs7.sha1" => match sd.encap_content.as_ref() {
                    Some(c) => std::borrow::Cow::Owned(c.to_vec()),
                    None => return,
                },
                _ => {
                    v.fail(
                        SubIndication::FormatFailure,
                        format!("SubFilter {sub_filter} requires signed attributes"),
                    );
                    return;
                }
            },
        };

        // Signature value.
        let key = match spki_of(cert) {
            Ok(k) => k,
            Err(CryptoError::Unsupported { what }) => {
                v.indeterminate(
                    SubIndication::CryptoConstraintsFailure,
                    format!("signer key algorithm not supported: {what}"),
                );
                return;
            }
            Err(e) => {
                v.fail(
                    SubIndication::FormatFailure,
                    format!("signer public key: {e}"),
                );
                return;
            }
        };
        match crypto::verify_signature(
            &key,
            signer.signature_algorithm.oid,
            signer.signature_algorithm.params,
            Some(digest_alg),
            &message,
            &signer.signature,
        ) {
            Ok(alg) => {
                rep.signature_algorithm = Some(alg.name.to_string());
                rep.integrity = true;
            }
            Err(CryptoError::Unsupported { what }) => {
                rep.signature_algorithm = Some(what.clone());
                v.indeterminate(
                    SubIndication::CryptoConstraintsFailure,
                    format!("signature algorithm not supported: {what}"),
                );
                return;
            }
            Err(e) => {
                v.fail(
                    SubIndication::SigCryptoFailure,
                    format!("signature value: {e}"),
                );
                return;
            }
        }

        // Algorithm policy.
        if digest_alg == DigestAlgorithm::Sha1
            && !self.options.allow_sha1
            && sub_filter != "adbe.pkcs7.sha1"
        {
            v.indeterminate(
                SubIndication::CryptoConstraintsFailure,
                "SHA-1 digest rejected by the policy",
            );
        }
        if let Some(bits) = key.rsa_bits()
            && bits < self.options.min_rsa_bits
        {
            v.indeterminate(
                SubIndication::CryptoConstraintsFailure,
                format!(
                    "RSA-{bits} key is below the policy minimum of {}",
                    self.options.min_rsa_bits
                ),
            );
        }

        // Signature timestamp (RFC 3161 token over the signature value).
        if let Some(token) = signer
            .unsigned_values(oid::SIGNATURE_TIMESTAMP)
            .into_iter()
            .next()
        {
            let tr = self.check_timestamp(token.raw, &signer.signature, &pool);
            if tr.integrity {
                if tst_time.is_none() {
                    tst_time = crate::time::parse_rfc3339(&tr.time);
                }
            } else {
                v.fail(
                    SubIndication::SigConstraintsFailure,
                    format!(
                        "signature timestamp: {}",
                        tr.error.clone().unwrap_or_default()
                    ),
                );
            }
            rep.timestamp = Some(tr);
        }

        // Claimed signing time.
        if rep.signing_time.is_none() {
            let m = fields::text_string(sig_dict.get(b"M"))
                .and_then(|s| crate::time::parse_pdf_date(s.as_bytes()));
            rep.signing_time = m.or(tst_time).map(crate::time::to_rfc3339);
        }
        let claimed = rep
            .signing_time
            .as_deref()
            .and_then(crate::time::parse_rfc3339);

        // 3. Certificate path.
        let validation_time = match self.options.time {
            ValidationTime::At(t) => Some(t),
            ValidationTime::Claimed => claimed,
        };
        let Some(vt) = validation_time else {
            v.indeterminate(
                SubIndication::NoCertificateChainFound,
                "no claimed signing time to validate at",
            );
            return;
        };
        rep.validation_time = Some(crate::time::to_rfc3339(vt));
        let (mut crls, mut ocsps): (Vec<&[u8]>, Vec<&[u8]>) = SignedData::adobe_revocation(signer);
        crls.extend(sd.crls.iter().copied());
        ocsps.extend(sd.ocsp_responses.iter().copied());
        crls.extend(dss.1.iter().map(Vec::as_slice));
        ocsps.extend(dss.2.iter().map(Vec::as_slice));
        let mut opts = PathOptions::new(vt);
        opts.signing_time = claimed;
        opts.key_usage = if rep.is_doc_timestamp {
            KeyUsageRule::Any
        } else {
            self.options.key_usage
        };
        opts.min_rsa_bits = self.options.min_rsa_bits;
        opts.allow_sha1 = self.options.allow_sha1;
        let extra: Vec<&[u8]> = pool.iter().copied().filter(|c| *c != cert).collect();
        let input = PathInput {
            signer_der: cert,
            extra_certs: &extra,
            embedded_crls: &crls,
            embedded_ocsp: &ocsps,
        };
        let path = self
            .paths
            .validate_shared(&self.options.trust, &input, &opts);
        rep.chain = path.chain.iter().map(|c| c.subject.clone()).collect();
        warnings.extend(path.warnings.iter().cloned());
        rep.revocation = match path.revocation {
            pki::Revocation::Good => RevocationStatus::Good,
            pki::Revocation::Revoked { .. } => RevocationStatus::Revoked,
            pki::Revocation::Unknown => RevocationStatus::Unknown,
            pki::Revocation::NotChecked => RevocationStatus::NotChecked,
        };
        match &path.outcome {
            PathOutcome::Valid => {}
            PathOutcome::NoChain => v.indeterminate(
                SubIndication::NoCertificateChainFound,
                "no certificate path to a trust anchor",
            ),
            PathOutcome::Expired => v.indeterminate(
                SubIndication::OutOfBoundsNoPoe,
                format!(
                    "a certificate of the path is expired at the validation time {}",
                    crate::time::to_rfc3339(vt)
                ),
            ),
            // The signature exists at the validation time, so it was made before a certificate
            // of its path became valid: no later proof can change that (EN 319 102-1 lists
            // NOT_YET_VALID under TOTAL-FAILED).
            PathOutcome::NotYetValid => v.fail(
                SubIndication::NotYetValid,
                "a certificate of the path is not yet valid at the validation time",
            ),
            PathOutcome::ExpiredAtSigningTime => v.fail(
                SubIndication::Expired,
                "the signer's certificate had expired at the claimed signing time",
            ),
            PathOutcome::NotYetValidAtSigningTime => v.fail(
                SubIndication::NotYetValid,
                "the signer's certificate was not yet valid at the claimed signing time",
            ),
            PathOutcome::ChainConstraints { reason } => {
                v.indeterminate(SubIndication::ChainConstraintsFailure, reason.clone())
            }
            PathOutcome::KeyUsage { reason } => v.indeterminate(
                SubIndication::ChainConstraintsFailure,
                format!("key usage: {reason}"),
            ),
            PathOutcome::BadCertSignature { subject } => v.indeterminate(
                SubIndication::CertificateChainGeneralFailure,
                format!("certificate signature does not verify: {subject}"),
            ),
            PathOutcome::CryptoConstraints { reason } => {
                v.indeterminate(SubIndication::CryptoConstraintsFailure, reason.clone())
            }
            PathOutcome::Revoked { time } => {
                let time = *time;
                if claimed.is_some_and(|c| time <= c) {
                    v.fail(
                        SubIndication::Revoked,
                        format!(
                            "signer certificate revoked at {}",
                            crate::time::to_rfc3339(time)
                        ),
                    );
                } else {
                    v.indeterminate(SubIndication::RevokedNoPoe, format!("signer certificate revoked at {}, after the claimed signing time, with no proof of existence before it", crate::time::to_rfc3339(time)));
                }
            }
            PathOutcome::Unsupported { what } => v.indeterminate(
                SubIndication::CryptoConstraintsFailure,
                format!("certificate path: {what} not supported"),
            ),
        }

        if rep.modifications == Modifications::Disallowed {
            let what = rep
                .modification_details
                .first()
                .cloned()
                .unwrap_or_default();
            v.fail(
                SubIndication::FormatFailure,
                format!("disallowed change after signing: {what}"),
            );
        }
    }

    /// Runs the change analysis for a signature over revision `rev`. A later revision that
    /// cannot be read is a disallowed change: nothing unreadable is ever waved through.
    fn modifications(&self, doc: &Document<'_>, rev: usize, rep: &mut SignatureReport) {
        let docmdp = fields::docmdp_level(doc, rev);
        match diff::analyse(doc, rev, docmdp) {
            Ok(m) => {
                rep.modifications = m.level;
                rep.modification_details = m.findings;
            }
            Err(e) => {
                rep.modifications = Modifications::Disallowed;
                rep.modification_details =
                    vec![format!("later revisions could not be analysed: {e}")];
            }
        }
    }

    /// Verifies an RFC 3161 token whose imprint must cover `signed_value`.
    fn check_timestamp(
        &self,
        token: &[u8],
        signed_value: &[u8],
        pool: &[&[u8]],
    ) -> TimestampReport {
        let mut rep = TimestampReport {
            time: String::new(),
            integrity: false,
            tsa: None,
            error: None,
        };
        let result = (|| -> Result<(), String> {
            let sd = SignedData::from_der(token).map_err(|e| e.to_string())?;
            let tst = TstInfo::from_token(&sd).map_err(|e| e.to_string())?;
            rep.time = crate::time::to_rfc3339(tst.gen_time);
            let ialg = DigestAlgorithm::from_oid(&tst.imprint_algorithm)
                .ok_or("imprint algorithm not supported")?;
            if ialg.digest(&[signed_value]) != tst.imprint {
                return Err("imprint does not match the signature value".into());
            }
            let signer = sd.single_signer().map_err(|e| e.to_string())?;
            let dalg = DigestAlgorithm::from_oid(signer.digest_algorithm.oid)
                .ok_or("TSA digest algorithm not supported")?;
            let mut certs = sd.certificates.clone();
            certs.extend_from_slice(pool);
            let cert = Parsed { cert_der: certs }
                .find_signer(&signer.sid)
                .ok_or("TSA certificate not found")?;
            if let Ok(s) = PathValidator::summarize(cert) {
                rep.tsa = Some(s.subject);
            }
            let sa = signer
                .signed_attrs
                .as_ref()
                .ok_or("timestamp token without signed attributes")?;
            let md = signer
                .single_signed_value(oid::MESSAGE_DIGEST)
                .map_err(|e| e.to_string())?
                .ok_or("timestamp token without messageDigest")?;
            let content = sd.encap_content.as_deref().unwrap_or(&[]);
            if md.content != dalg.digest(&[content]).as_slice() {
                return Err("timestamp token messageDigest does not match TSTInfo".into());
            }
            let key = spki_of(cert).map_err(|e| e.to_string())?;
            crypto::verify_signature(
                &key,
                signer.signature_algorithm.oid,
                signer.signature_algorithm.params,
                Some(dalg),
                &sa.signed_bytes(),
                &signer.signature,
            )
            .map_err(|e| format!("TSA signature: {e}"))?;
            Ok(())
        })();
        match result {
            Ok(()) => rep.integrity = true,
            Err(e) => rep.error = Some(e),
        }
        rep
    }
}
