//! Path building (signer → issuers → anchor) and validation of the path found.
//!
//! Why not rustls-webpki: it validates a path for TLS server and client authentication at one
//! time, and fails on the first problem. A signature verifier needs more: validation at the
//! claimed signing time as well as at the validation time, revocation from CRLs and OCSP
//! responses embedded in the document (with their own time rules), the ETSI outcome of each
//! failure (expired, not yet valid, revoked with or without proof of existence, chain
//! constraints), key-usage rules for document signing, and a search across several candidate
//! issuers (cross-certified Vietnamese CAs). Certificates are parsed by x509-parser and
//! signatures verified by ring; this module only searches and judges.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use x509_parser::extensions::ParsedExtension;

use super::cert::{CanonicalName, Cert, CertSummary, canonical_name};
use super::revocation::{self, RevStatus};
use super::{
    KeyUsageRule, PathInput, PathOptions, PathOutcome, PathReport, PkiError, Revocation, TrustStore,
};
use crate::crypto::{self, CryptoError, KeyKind, oid};
use crate::time::Timestamp;

/// Bound on issuer candidates examined in one validation (all branches together). Real inputs
/// offer a handful of certificates; 64 covers cross-certified PKIs with room to spare while
/// keeping a hostile certificate bag from making the search exponential.
const MAX_CANDIDATE_VISITS: usize = 64;

/// Entries kept in each of the validator's caches before it is cleared.
pub const MAX_CACHED: usize = 16_384;

/// Path results compared byte for byte before hashing (see [`PathValidator::validate`]).
const RECENT: usize = 8;
/// Bound on complete paths collected before choosing one.
const MAX_PATHS: usize = 4;

/// Extension OIDs (content bytes) under id-ce 2.5.29 (RFC 5280 §4.2.1).
const EXT_SUBJECT_KEY_ID: u8 = 14;
const EXT_KEY_USAGE: u8 = 15;
const EXT_SUBJECT_ALT_NAME: u8 = 17;
const EXT_ISSUER_ALT_NAME: u8 = 18;
const EXT_BASIC_CONSTRAINTS: u8 = 19;
const EXT_NAME_CONSTRAINTS: u8 = 30;
const EXT_CRL_DISTRIBUTION_POINTS: u8 = 31;
const EXT_CERT_POLICIES: u8 = 32;
const EXT_AUTHORITY_KEY_ID: u8 = 35;
const EXT_POLICY_CONSTRAINTS: u8 = 36;
const EXT_EXT_KEY_USAGE: u8 = 37;
const EXT_INHIBIT_ANY_POLICY: u8 = 54;

/// Validates certificate paths, remembering which (issuer, subject) signatures already verified
/// so that a batch of signatures never re-verifies the same intermediates.
#[derive(Debug, Default)]
pub struct PathValidator {
    /// (issuer certificate SHA-256, subject certificate SHA-256) whose signature verified.
    /// Cleared when it reaches [`MAX_CACHED`] entries.
    cache: RwLock<HashSet<([u8; 32], [u8; 32])>>,
    /// Whole results of [`PathValidator::validate`], by a SHA-256 over every input (store
    /// fingerprint, certificates, revocation data, options): a batch signed by the same people
    /// parses and checks their chain once. Cleared when it reaches [`MAX_CACHED`] entries.
    results: RwLock<HashMap<[u8; 32], Arc<PathReport>>>,
    /// The last [`RECENT`] results with their whole inputs.
    /// Read under a shared lock: a batch on many threads looks them up without waiting.
    recent: RwLock<std::collections::VecDeque<(Vec<u8>, Arc<PathReport>)>>,
    /// Certificate signature verifications actually computed (cache misses), for tests and stats.
    verifications: AtomicUsize,
}

/// A node of a path under construction: the signer, a pool certificate or an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Signer,
    Pool(usize),
    Anchor(usize),
}

struct Certs<'a> {
    signer: Cert<'a>,
    pool: Vec<Cert<'a>>,
    anchors: Vec<Cert<'a>>,
    /// The canonical subject of each of `pool` and `anchors`, computed once: the search
    /// compares every candidate's subject with each child's issuer, and with a large store
    /// (the shipped profiles hold 65 certificates) normalising both every time dominated.
    pool_subjects: Vec<CanonicalName>,
    anchor_subjects: Vec<CanonicalName>,
}

impl<'a> Certs<'a> {
    fn get(&self, n: Node) -> Option<&Cert<'a>> {
        match n {
            Node::Signer => Some(&self.signer),
            Node::Pool(i) => self.pool.get(i),
            Node::Anchor(i) => self.anchors.get(i),
        }
    }
}

/// State of the depth-first search.
struct Search {
    paths: Vec<Vec<Node>>,
    longest_partial: Vec<Node>,
    /// The first failure met while building (bad signature, unsupported algorithm).
    failure: Option<PathOutcome>,
    visits: usize,
}

impl PathValidator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of certificate signature verifications computed so far (cache hits excluded).
    pub fn signature_verifications(&self) -> usize {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Summarise a DER certificate.
    pub fn summarize(der: &[u8]) -> Result<CertSummary, PkiError> {
        CertSummary::from_der(der)
    }

    /// Whether the signature of the object with fingerprint `key.1` by the certificate with
    /// fingerprint `key.0` was already verified (certificates, CRLs, OCSP responses).
    pub(crate) fn is_verified(&self, key: &([u8; 32], [u8; 32])) -> bool {
        self.cache.read().map(|c| c.contains(key)).unwrap_or(false)
    }

    pub(crate) fn remember_verified(&self, key: ([u8; 32], [u8; 32])) {
        if let Ok(mut c) = self.cache.write() {
            if c.len() >= MAX_CACHED {
                c.clear();
            }
            c.insert(key);
        }
    }

    /// Every input of a [`PathValidator::validate`] call, length-prefixed: equal keys mean
    /// equal results.
    fn result_key(store: &TrustStore, input: &PathInput<'_>, opts: &PathOptions) -> Vec<u8> {
        let lists = [input.extra_certs, input.embedded_crls, input.embedded_ocsp];
        let size = 128
            + input.signer_der.len()
            + lists
                .iter()
                .flat_map(|l| l.iter())
                .map(|d| d.len() + 8)
                .sum::<usize>();
        let mut key = Vec::with_capacity(size);
        let mut put = |bytes: &[u8]| {
            key.extend_from_slice(&u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_be_bytes());
            key.extend_from_slice(bytes);
        };
        put(&store.fingerprint());
        put(input.signer_der);
        for list in lists {
            put(&u64::try_from(list.len()).unwrap_or(u64::MAX).to_be_bytes());
            for der in list {
                put(der);
            }
        }
        // Unix seconds, as the key has always held them: `opts` is already truncated to whole
        // seconds (see `validate_shared`), so the seconds are the whole time.
        put(&opts.validation_time.as_second().to_be_bytes());
        put(&opts.signing_time.map_or([0xff; 9], |t| {
            let mut b = [0u8; 9];
            b[1..].copy_from_slice(&t.as_second().to_be_bytes());
            b
        }));
        let usage: u8 = match opts.key_usage {
            KeyUsageRule::DigitalSignatureOrNonRepudiation => 0,
            KeyUsageRule::NonRepudiation => 1,
            KeyUsageRule::DigitalSignature => 2,
            KeyUsageRule::Any => 3,
        };
        put(&[usage, u8::from(opts.allow_sha1)]);
        put(&u64::try_from(opts.max_path_len)
            .unwrap_or(u64::MAX)
            .to_be_bytes());
        put(&u64::try_from(opts.min_rsa_bits)
            .unwrap_or(u64::MAX)
            .to_be_bytes());
        key
    }

    /// Build and validate a path for `input.signer_der`. Results are remembered: the same
    /// inputs give the same report without recomputing. The last few inputs are compared byte
    /// for byte (a batch from the same signers never hashes them); older ones are found by the
    /// SHA-256 of their inputs.
    pub fn validate(
        &self,
        store: &TrustStore,
        input: &PathInput<'_>,
        opts: &PathOptions,
    ) -> PathReport {
        PathReport::clone(&self.validate_shared(store, input, opts))
    }

    /// [`PathValidator::validate`] without copying the remembered report: a batch from the
    /// same signers reads one shared report instead of cloning its certificate summaries for
    /// every document.
    pub fn validate_shared(
        &self,
        store: &TrustStore,
        input: &PathInput<'_>,
        opts: &PathOptions,
    ) -> Arc<PathReport> {
        // Paths are judged to the second; truncating first also makes the key exact.
        let opts = &opts.to_whole_seconds();
        let key = Self::result_key(store, input, opts);
        if let Ok(recent) = self.recent.read()
            && let Some((_, r)) = recent.iter().find(|(k, _)| *k == key)
        {
            return Arc::clone(r);
        }
        let digest: [u8; 32] = {
            let mut d = [0u8; 32];
            d.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, &key).as_ref());
            d
        };
        let report = match self
            .results
            .read()
            .ok()
            .and_then(|m| m.get(&digest).cloned())
        {
            Some(r) => r,
            None => {
                let report = Arc::new(self.validate_uncached(store, input, opts));
                if let Ok(mut m) = self.results.write() {
                    if m.len() >= MAX_CACHED {
                        m.clear();
                    }
                    m.insert(digest, Arc::clone(&report));
                }
                report
            }
        };
        if let Ok(mut recent) = self.recent.write() {
            if recent.len() >= RECENT {
                recent.pop_back();
            }
            recent.push_front((key, Arc::clone(&report)));
        }
        report
    }

    /// Check `child`'s signature with `issuer`'s key, through the cache.
    fn check_signed_by(&self, child: &Cert<'_>, issuer: &Cert<'_>) -> Result<(), CryptoError> {
        let key = (issuer.sha256, child.sha256);
        if self.is_verified(&key) {
            return Ok(());
        }
        // RFC 5280 §4.1.1.2: signatureAlgorithm must equal tbsCertificate.signature.
        if child.x509.signature_algorithm != child.x509.tbs_certificate.signature {
            return Err(CryptoError::MalformedAlgorithm);
        }
        let pk = issuer.public_key()?;
        self.verifications.fetch_add(1, Ordering::Relaxed);
        crypto::verify_with_algorithm(
            &pk,
            &child.x509.signature_algorithm,
            None,
            child.x509.tbs_certificate.as_ref(),
            child.x509.signature_value.data.as_ref(),
        )?;
        self.remember_verified(key);
        Ok(())
    }

    fn validate_uncached(
        &self,
        store: &TrustStore,
        input: &PathInput<'_>,
        opts: &PathOptions,
    ) -> PathReport {
        let mut warnings = Vec::new();
        let Ok(certs) = gather(store, input, &mut warnings) else {
            return PathReport {
                chain: Vec::new(),
                outcome: PathOutcome::NoChain,
                revocation: Revocation::NotChecked,
                warnings: vec!["signer certificate is malformed".into()],
            };
        };
        let search = self.search(&certs, opts, &mut warnings);
        if search.paths.is_empty() {
            return self.partial_report(&certs, search, store, input, opts, warnings);
        }
        self.best_report(&certs, &search.paths, store, input, opts, warnings)
    }

    /// The complete paths from the signer to an anchor (at most [`MAX_PATHS`]), or the longest
    /// partial one and the first failure met.
    fn search(&self, certs: &Certs<'_>, opts: &PathOptions, warnings: &mut Vec<String>) -> Search {
        let mut search = Search {
            paths: Vec::new(),
            longest_partial: vec![Node::Signer],
            failure: None,
            visits: 0,
        };
        // The signer may itself be a trust anchor.
        if certs.anchors.iter().any(|a| a.same_entity(&certs.signer)) {
            search.paths.push(vec![Node::Signer]);
        } else {
            let mut path = vec![Node::Signer];
            self.extend(certs, &mut path, opts, &mut search);
        }
        if search.visits >= MAX_CANDIDATE_VISITS {
            warnings.push(format!(
                "path search stopped after {MAX_CANDIDATE_VISITS} issuer candidates"
            ));
        }
        search
    }

    /// The report when no path reaches an anchor: the longest partial chain, the signer's
    /// revocation status when its issuer is known, and the first failure met.
    fn partial_report(
        &self,
        certs: &Certs<'_>,
        search: Search,
        store: &TrustStore,
        input: &PathInput<'_>,
        opts: &PathOptions,
        mut warnings: Vec<String>,
    ) -> PathReport {
        let nodes = search.longest_partial;
        let chain = nodes
            .iter()
            .filter_map(|&n| certs.get(n))
            .map(Cert::summary)
            .collect();
        let revocation = match nodes.get(1).and_then(|&n| certs.get(n)) {
            Some(issuer) => {
                let st = revocation::status(
                    self,
                    &certs.signer,
                    issuer,
                    store,
                    input,
                    opts,
                    &mut warnings,
                );
                public_revocation(st)
            }
            None => Revocation::NotChecked,
        };
        if !store.has_anchors() {
            warnings.push("no trust anchors configured".into());
        }
        PathReport {
            chain,
            outcome: search.failure.unwrap_or(PathOutcome::NoChain),
            revocation,
            warnings,
        }
    }

    /// Evaluates each complete path in `paths`; the first valid one wins, else the first one
    /// found.
    fn best_report(
        &self,
        certs: &Certs<'_>,
        paths: &[Vec<Node>],
        store: &TrustStore,
        input: &PathInput<'_>,
        opts: &PathOptions,
        warnings: Vec<String>,
    ) -> PathReport {
        let mut first: Option<PathReport> = None;
        for nodes in paths {
            let path: Vec<&Cert<'_>> = nodes.iter().filter_map(|&n| certs.get(n)).collect();
            let mut w = warnings.clone();
            let (outcome, revocation) = evaluate(self, &path, store, input, opts, &mut w);
            let report = PathReport {
                chain: path.iter().map(|c| c.summary()).collect(),
                outcome,
                revocation,
                warnings: w,
            };
            if report.outcome.is_valid() {
                return report;
            }
            if first.is_none() {
                first = Some(report);
            }
        }
        first.unwrap_or(PathReport {
            chain: Vec::new(),
            outcome: PathOutcome::NoChain,
            revocation: Revocation::NotChecked,
            warnings,
        })
    }

    /// Depth-first extension of `path` (whose last node is not an anchor) towards an anchor.
    fn extend(&self, certs: &Certs<'_>, path: &mut Vec<Node>, opts: &PathOptions, s: &mut Search) {
        let Some(&last) = path.last() else { return };
        let Some(child) = certs.get(last) else { return };
        if path.len() > s.longest_partial.len() {
            s.longest_partial = path.clone();
        }
        // A path of max_path_len certificates must end with the anchor we add next.
        if path.len() >= opts.max_path_len {
            return;
        }
        let aki = child.authority_key_id();
        // `names_match` (byte-identical, or equal once normalised) with the candidates'
        // normalised subjects computed once in `gather`.
        let issuer_raw = child.x509.issuer().as_raw();
        let issuer_key = canonical_name(child.x509.issuer());
        let issued_by = |c: &Cert<'_>, subject_key: Option<&CanonicalName>| {
            c.x509.subject().as_raw() == issuer_raw || subject_key == Some(&issuer_key)
        };
        let mut candidates: Vec<(bool, Node)> = Vec::new();
        for (i, a) in certs.anchors.iter().enumerate() {
            if issued_by(a, certs.anchor_subjects.get(i)) {
                candidates.push((key_ids_match(aki, a.subject_key_id()), Node::Anchor(i)));
            }
        }
        for (i, c) in certs.pool.iter().enumerate() {
            let node = Node::Pool(i);
            if !path.contains(&node) && issued_by(c, certs.pool_subjects.get(i)) {
                candidates.push((key_ids_match(aki, c.subject_key_id()), node));
            }
        }
        // Prefer candidates whose SKI matches the child's AKI; keep anchors before pool certs.
        candidates.sort_by_key(|(m, n)| (!*m, matches!(n, Node::Pool(_))));

        for (ids_match, node) in candidates {
            if s.paths.len() >= MAX_PATHS || s.visits >= MAX_CANDIDATE_VISITS {
                return;
            }
            s.visits = s.visits.saturating_add(1);
            let Some(issuer) = certs.get(node) else {
                continue;
            };
            match self.check_signed_by(child, issuer) {
                Ok(()) => {}
                Err(CryptoError::Unsupported { what }) => {
                    s.failure.get_or_insert(PathOutcome::Unsupported { what });
                    continue;
                }
                Err(_) => {
                    // A candidate whose key id contradicts the child's AKI is simply not the
                    // issuer; one that fits by name and key id but fails is a bad signature.
                    if ids_match {
                        s.failure.get_or_insert(PathOutcome::BadCertSignature {
                            subject: child.subject_string(),
                        });
                    }
                    continue;
                }
            }
            path.push(node);
            if matches!(node, Node::Anchor(_)) {
                s.paths.push(path.clone());
                if path.len() > s.longest_partial.len() {
                    s.longest_partial = path.clone();
                }
            } else {
                self.extend(certs, path, opts, s);
            }
            path.pop();
        }
    }
}

/// `true` unless both key identifiers are present and differ.
fn key_ids_match(aki: Option<&[u8]>, ski: Option<&[u8]>) -> bool {
    match (aki, ski) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

/// The signer, the anchors of `store` that parse, and the pool: store intermediates and
/// embedded certificates, deduplicated, without the signer and without certificates that are
/// anchors (subject + key). Fails when the signer's certificate does not parse.
fn gather<'a>(
    store: &'a TrustStore,
    input: &PathInput<'a>,
    warnings: &mut Vec<String>,
) -> Result<Certs<'a>, PkiError> {
    let signer = Cert::parse(input.signer_der)?;
    let anchors: Vec<Cert<'_>> = store
        .anchors
        .iter()
        .filter_map(|d| Cert::parse(d).ok())
        .collect();
    let mut pool: Vec<Cert<'_>> = Vec::new();
    let mut seen: HashSet<[u8; 32]> = HashSet::from([signer.sha256]);
    let candidates = store
        .intermediates
        .iter()
        .map(Vec::as_slice)
        .chain(input.extra_certs.iter().copied());
    for der in candidates {
        match Cert::parse(der) {
            Ok(c) => {
                if seen.insert(c.sha256) && !anchors.iter().any(|a| a.same_entity(&c)) {
                    pool.push(c);
                }
            }
            Err(_) => warnings.push("ignored a malformed extra certificate".into()),
        }
    }
    let subjects = |certs: &[Cert<'_>]| {
        certs
            .iter()
            .map(|c| canonical_name(c.x509.subject()))
            .collect()
    };
    Ok(Certs {
        signer,
        pool_subjects: subjects(&pool),
        anchor_subjects: subjects(&anchors),
        pool,
        anchors,
    })
}

fn public_revocation(st: Option<RevStatus>) -> Revocation {
    match st {
        None => Revocation::NotChecked,
        Some(RevStatus::Good) => Revocation::Good,
        Some(RevStatus::Revoked(time)) => Revocation::Revoked { time },
        Some(RevStatus::Unknown) => Revocation::Unknown,
    }
}

fn ext_arc(oid_bytes: &[u8]) -> Option<u8> {
    match oid_bytes {
        [0x55, 0x1d, arc] => Some(*arc),
        _ => None,
    }
}

/// Critical extensions of a non-anchor certificate that we do not process.
fn check_critical_extensions(c: &Cert<'_>) -> Result<(), PathOutcome> {
    for ext in c.x509.extensions() {
        if let ParsedExtension::ParseError { .. } = ext.parsed_extension() {
            return Err(PathOutcome::ChainConstraints {
                reason: format!(
                    "certificate '{}' has a malformed extension {}",
                    c.subject_string(),
                    ext.oid.to_id_string()
                ),
            });
        }
        if !ext.critical {
            continue;
        }
        match ext_arc(ext.oid.as_bytes()) {
            Some(
                EXT_SUBJECT_KEY_ID
                | EXT_KEY_USAGE
                | EXT_SUBJECT_ALT_NAME
                | EXT_ISSUER_ALT_NAME
                | EXT_BASIC_CONSTRAINTS
                // RFC 5280 §4.2.1.13 allows it critical; the CAs under NEAC's 2025 roots mark
                // it so, and revocation reads it (revocation.rs).
                | EXT_CRL_DISTRIBUTION_POINTS
                | EXT_CERT_POLICIES
                | EXT_AUTHORITY_KEY_ID
                | EXT_POLICY_CONSTRAINTS
                | EXT_EXT_KEY_USAGE
                | EXT_INHIBIT_ANY_POLICY,
            ) => {}
            Some(EXT_NAME_CONSTRAINTS) => {
                return Err(PathOutcome::Unsupported {
                    what: format!("critical nameConstraints in '{}'", c.subject_string()),
                });
            }
            _ => {
                return Err(PathOutcome::ChainConstraints {
                    reason: format!(
                        "certificate '{}' has unknown critical extension {}",
                        c.subject_string(),
                        ext.oid.to_id_string()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// basicConstraints, pathLen and keyCertSign of the issuer at `index` (≥ 1) of `path`.
fn check_issuer(
    path: &[&Cert<'_>],
    index: usize,
    is_anchor: bool,
    warnings: &mut Vec<String>,
) -> Result<(), PathOutcome> {
    let Some(c) = path.get(index) else {
        return Ok(());
    };
    let subject = c.subject_string();
    let constraint = |reason: String| PathOutcome::ChainConstraints { reason };
    let bc = c.x509.basic_constraints().map_err(|_| {
        constraint(format!(
            "'{subject}': malformed or duplicate basicConstraints"
        ))
    })?;
    match bc {
        Some(bc) if bc.value.ca => {
            if let Some(max) = bc.value.path_len_constraint {
                // RFC 5280 §6.1.4 (l)-(m): intermediates below this one, self-issued excluded.
                let below = path
                    .get(1..index)
                    .map(|s| s.iter().filter(|c| !c.is_self_issued()).count())
                    .unwrap_or(0);
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                if below > max {
                    return Err(constraint(format!(
                        "'{subject}' allows pathLen {max} but {below} CA certificate(s) follow it"
                    )));
                }
            }
        }
        _ if is_anchor => warnings.push(format!("trust anchor '{subject}' is not marked as a CA")),
        Some(_) => {
            return Err(constraint(format!(
                "issuer '{subject}' is not a CA (basicConstraints cA=false)"
            )));
        }
        None => {
            return Err(constraint(format!(
                "issuer '{subject}' has no basicConstraints"
            )));
        }
    }
    let ku = c
        .x509
        .key_usage()
        .map_err(|_| constraint(format!("'{subject}': malformed or duplicate keyUsage")))?;
    if let Some(ku) = ku
        && !ku.value.key_cert_sign()
    {
        if is_anchor {
            warnings.push(format!("trust anchor '{subject}' lacks keyCertSign"));
        } else {
            return Err(constraint(format!(
                "issuer '{subject}' keyUsage lacks keyCertSign"
            )));
        }
    }
    Ok(())
}

fn check_crypto(path: &[&Cert<'_>], opts: &PathOptions) -> Result<(), PathOutcome> {
    let weak = |reason: String| PathOutcome::CryptoConstraints { reason };
    let last = path.len().saturating_sub(1);
    for (i, c) in path.iter().enumerate() {
        // The anchor's own signature is not relied upon.
        if i < last && !opts.allow_sha1 {
            let sig = c.x509.signature_algorithm.algorithm.as_bytes();
            if sig == oid::SHA1_WITH_RSA || sig == oid::ECDSA_WITH_SHA1 || sig == oid::DSA_WITH_SHA1
            {
                return Err(weak(format!(
                    "certificate '{}' is signed with SHA-1",
                    c.subject_string()
                )));
            }
        }
        match c.public_key() {
            Ok(k) => {
                if let KeyKind::Rsa { bits } = k.kind()
                    && *bits < opts.min_rsa_bits
                {
                    return Err(weak(format!(
                        "certificate '{}' has an RSA-{bits} key (minimum {})",
                        c.subject_string(),
                        opts.min_rsa_bits
                    )));
                }
            }
            Err(CryptoError::Unsupported { what }) => {
                return Err(PathOutcome::Unsupported { what });
            }
            Err(_) => {
                return Err(weak(format!(
                    "certificate '{}' has a malformed public key",
                    c.subject_string()
                )));
            }
        }
    }
    Ok(())
}

fn check_key_usage(signer: &Cert<'_>, rule: KeyUsageRule) -> Result<(), PathOutcome> {
    if rule == KeyUsageRule::Any {
        return Ok(());
    }
    let fail = |reason: String| PathOutcome::KeyUsage { reason };
    let ku = signer
        .x509
        .key_usage()
        .map_err(|_| fail("malformed or duplicate keyUsage".into()))?
        .ok_or_else(|| fail("signer certificate has no keyUsage extension".into()))?;
    let ds = ku.value.digital_signature();
    let nr = ku.value.non_repudiation();
    let ok = match rule {
        KeyUsageRule::DigitalSignatureOrNonRepudiation => ds || nr,
        KeyUsageRule::DigitalSignature => ds,
        KeyUsageRule::NonRepudiation => nr,
        KeyUsageRule::Any => true,
    };
    if ok {
        Ok(())
    } else {
        Err(fail(format!(
            "keyUsage {} does not satisfy {rule:?}",
            ku.value
        )))
    }
}

/// Checks 2–6 of the module docs on a complete path (signer first, anchor last).
fn evaluate(
    v: &PathValidator,
    path: &[&Cert<'_>],
    store: &TrustStore,
    input: &PathInput<'_>,
    opts: &PathOptions,
    warnings: &mut Vec<String>,
) -> (PathOutcome, Revocation) {
    let last = path.len().saturating_sub(1);
    let (Some(signer), Some(anchor)) = (path.first(), path.get(last)) else {
        return (PathOutcome::NoChain, Revocation::NotChecked);
    };
    // A one-element path is a signer that is itself a trust anchor.
    let signer_is_anchor = last == 0;
    let non_anchor: &[&Cert<'_>] = if signer_is_anchor {
        &[]
    } else {
        path.get(..last).unwrap_or(&[])
    };

    // Revocation is looked up for every certificate below the anchor, first for the signer.
    let mut signer_rev = Revocation::NotChecked;
    let mut revoked_at: Option<Timestamp> = None;
    for (i, c) in non_anchor.iter().enumerate() {
        let Some(issuer) = path.get(i.saturating_add(1)) else {
            continue;
        };
        let st = revocation::status(v, c, issuer, store, input, opts, warnings);
        if let Some(RevStatus::Revoked(t)) = st {
            revoked_at.get_or_insert(t);
            if i > 0 {
                warnings.push(format!(
                    "issuer certificate '{}' is revoked",
                    c.subject_string()
                ));
            }
        }
        if i == 0 {
            signer_rev = public_revocation(st);
        }
    }

    let outcome = (|| {
        for c in non_anchor {
            check_critical_extensions(c)?;
        }
        for i in 1..=last {
            if signer_is_anchor {
                break;
            }
            check_issuer(path, i, i == last, warnings)?;
        }
        check_crypto(path, opts)?;
        check_key_usage(signer, opts.key_usage)?;
        if let Some(time) = revoked_at {
            return Err(PathOutcome::Revoked { time });
        }
        if let Some(t) = opts.signing_time {
            if t < signer.not_before() {
                return Err(PathOutcome::NotYetValidAtSigningTime);
            }
            if t > signer.not_after() {
                return Err(PathOutcome::ExpiredAtSigningTime);
            }
        }
        let now = opts.validation_time;
        for c in non_anchor {
            if now < c.not_before() {
                return Err(PathOutcome::NotYetValid);
            }
            if now > c.not_after() {
                return Err(PathOutcome::Expired);
            }
        }
        if now < anchor.not_before() || now > anchor.not_after() {
            warnings.push(format!(
                "trust anchor '{}' is outside its validity period at the validation time",
                anchor.subject_string()
            ));
        }
        Ok(())
    })();
    (outcome.err().unwrap_or(PathOutcome::Valid), signer_rev)
}
