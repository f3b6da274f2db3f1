//! The steps of one signature's verification, in order. Each returns its typed result or
//! [`Stop`] after recording the finding that ends the checks; findings that do not end them are
//! recorded and the next step runs.

use std::borrow::Cow;

use super::finding::{Finding, Stop, Verdict};
use super::report::{
    RevocationStatus, SignatureReport, SignerReport, TimestampReport, ValidationTime,
};
use super::{PerDocument, Verifier};
use crate::cms::pkcs1;
use crate::cms::signer::{self, SignerProblem};
use crate::cms::timestamp::{self, TstInfo};
use crate::cms::{SignedData, SignerInfo, oid};
use crate::crypto::{self, CryptoError, DigestAlgorithm, PublicKeyInfo};
use crate::malformed::PdfError;
use crate::pdf::Modifications;
use crate::pdf::byte_range::{self, CheckedRange};
use crate::pdf::document::Document;
use crate::pdf::fields::{self, SigField};
use crate::pdf::object::{Dict, Object};
use crate::pdf::signatures;
use crate::pki::{self, KeyUsageRule, PathInput, PathOptions, PathOutcome, PathValidator};
use crate::time::Timestamp;

/// The signed revision of one signature dictionary.
struct SignedRevision<'s, 'a> {
    /// The dictionary as the signed revision has it.
    dict: Cow<'s, Dict>,
    /// Its byte range, checked.
    range: CheckedRange,
    /// The document's bytes.
    data: &'a [u8],
}

impl SignedRevision<'_, '_> {
    /// The raw /Contents (the CMS), which the byte-range check found to be the gap.
    fn contents(&self) -> &[u8] {
        match self.dict.get(b"Contents") {
            Some(Object::String(s)) => &s.bytes,
            _ => &[],
        }
    }
}

/// The content the signature is about, per SubFilter.
struct Content {
    /// Its digest with the SignerInfo's digest algorithm.
    digest: Vec<u8>,
    /// A document timestamp's genTime.
    timestamp_time: Option<Timestamp>,
}

/// The candidates for the signer's and the path's certificates: the CMS's own, the configured
/// intermediates, the document security store's.
fn certificate_pool<'p>(
    verifier: &'p Verifier,
    sd: &SignedData<'p>,
    shared: &'p PerDocument<'_>,
) -> Vec<&'p [u8]> {
    let mut pool: Vec<&[u8]> = sd.certificates.clone();
    pool.extend(
        verifier
            .options
            .trust
            .intermediates()
            .iter()
            .map(Vec::as_slice),
    );
    pool.extend(shared.dss.certs.iter().map(Vec::as_slice));
    pool
}

/// Runs one step of the pipeline in a `step` span (debug level, field `name`). The findings it
/// records are debug events, its outcome too; the finding that ends the checks is an info event
/// with the step's name and the finding's code: a signature that fails is an answer of the
/// verifier, not a fault, so nothing here is a warning.
fn step<T>(
    name: &'static str,
    v: &mut Verdict,
    run: impl FnOnce(&mut Verdict) -> Result<T, Stop>,
) -> Result<T, Stop> {
    let span = tracing::debug_span!("step", name);
    let _in = span.enter();
    let before = v.len();
    let result = run(v);
    let added = v.since(before);
    let (outcome, recorded) = match (&result, added.split_last()) {
        (Err(Stop), Some((last, rest))) => {
            tracing::info!(step = name, code = last.code(), finding = %last, "signature check stopped");
            ("stopped", rest)
        }
        (Err(Stop), None) => ("stopped", added),
        (Ok(_), _) if added.is_empty() => ("ok", added),
        (Ok(_), _) => ("findings", added),
    };
    for f in recorded {
        tracing::debug!(step = name, code = f.code(), finding = %f, "finding");
    }
    tracing::debug!(step = name, outcome, findings = added.len(), "step done");
    result
}

impl Verifier {
    /// Runs every step on `sf`, filling `rep` and recording findings in `v`.
    pub(super) fn check_signature(
        &self,
        doc: &Document<'_>,
        sf: &SigField,
        shared: &PerDocument<'_>,
        rep: &mut SignatureReport,
        v: &mut Verdict,
    ) -> Result<(), Stop> {
        let signed = step("byte_range", v, |v| signed_revision(doc, sf, rep, v))?;
        step("modifications", v, |_| {
            (rep.modifications, rep.modification_details) =
                signatures::changes_after(doc, signed.range.revision);
            Ok(())
        })?;
        if rep.sub_filter.as_deref() == Some(pkcs1::SUB_FILTER) {
            // No CMS: a PKCS#1 signature value and the /Cert chain (cms::pkcs1).
            return self.check_pkcs1_signature(doc, &signed, shared, rep, v);
        }
        let sd = step("cms", v, |v| {
            SignedData::from_pdf_contents(signed.contents()).map_err(|e| v.stop(Finding::Cms(e)))
        })?;
        let (signer, digest_alg) = step("signer_info", v, |v| signer_info(&sd, rep, v))?;
        let sub_filter = rep.sub_filter.clone().unwrap_or_default();
        let content = step("content_digest", v, |v| {
            content_digest(&sub_filter, &sd, &signed.range, shared, digest_alg, rep, v)
        })?;
        let pool = certificate_pool(self, &sd, shared);
        let (cert, summary) = step("signer_certificate", v, |v| {
            let cert = signer::find_signer(&pool, &signer.sid)
                .ok_or_else(|| v.stop(Finding::Signer(SignerProblem::CertificateNotFound)))?;
            Ok((cert, self.summary(cert)))
        })?;
        rep.signer = summary.as_ref().map(SignerReport::from);
        let cert_sha256_hex = summary.as_ref().map(|s| s.sha256_hex.as_str());
        let (message, attr_time) = step("signed_attributes", v, |v| {
            signed_message(
                &sd,
                signer,
                digest_alg,
                &content,
                cert,
                cert_sha256_hex,
                &signed,
                rep,
                v,
            )
        })?;
        rep.signing_time = attr_time;
        let key = step("signature_value", v, |v| {
            signature_value(signer, digest_alg, cert, &message, rep, v)
        })?;
        step("policy", v, |v| {
            self.check_policy(digest_alg, &key, &sub_filter, v);
            Ok(())
        })?;
        let token_time = step("signature_timestamp", v, |v| {
            Ok(self.signature_timestamp(signer, &pool, rep, v))
        })?;
        let claimed = claimed_time(
            &signed.dict,
            attr_time,
            content.timestamp_time.or(token_time),
        );
        rep.signing_time = claimed;
        step("certificate_path", v, |v| {
            self.certificate_path(&sd, signer, cert, &pool, shared, claimed, rep, v)
        })?;
        step("disallowed_changes", v, |v| {
            disallowed_changes(rep, v);
            Ok(())
        })
    }

    /// The algorithm policy: SHA-1 digests and RSA key sizes.
    fn check_policy(
        &self,
        digest_alg: DigestAlgorithm,
        key: &PublicKeyInfo,
        sub_filter: &str,
        v: &mut Verdict,
    ) {
        if digest_alg == DigestAlgorithm::Sha1
            && !self.options.allow_sha1
            && sub_filter != "adbe.pkcs7.sha1"
        {
            v.push(Finding::Sha1Rejected);
        }
        if let Some(bits) = key.rsa_bits()
            && bits < self.options.min_rsa_bits
        {
            v.push(Finding::RsaKeyTooSmall {
                bits,
                minimum: self.options.min_rsa_bits,
            });
        }
    }

    /// The RFC 3161 token over the signature value, if any: its report, and its time when it
    /// holds.
    fn signature_timestamp(
        &self,
        signer: &SignerInfo<'_>,
        pool: &[&[u8]],
        rep: &mut SignatureReport,
        v: &mut Verdict,
    ) -> Option<Timestamp> {
        let token = signer
            .unsigned_values(oid::SIGNATURE_TIMESTAMP)
            .into_iter()
            .next()?;
        let check = timestamp::check_signature_timestamp(token.raw, &signer.signature, pool);
        let mut tr = TimestampReport::unread();
        tr.time = check.gen_time;
        tr.tsa = check
            .tsa_cert
            .and_then(|c| PathValidator::summarize(c).ok())
            .map(|s| s.subject);
        let time = match check.result {
            Ok(()) => {
                tr.integrity = true;
                check.gen_time
            }
            Err(e) => {
                tr.error = Some(e.to_string());
                v.push(Finding::SignatureTimestamp(e));
                None
            }
        };
        rep.timestamp = Some(tr);
        time
    }

    /// The certificate path of the signer at the validation time, with revocation data from the
    /// CMS, the Adobe attribute and the document security store.
    #[allow(clippy::too_many_arguments)]
    fn certificate_path(
        &self,
        sd: &SignedData<'_>,
        signer: &SignerInfo<'_>,
        cert: &[u8],
        pool: &[&[u8]],
        shared: &PerDocument<'_>,
        claimed: Option<Timestamp>,
        rep: &mut SignatureReport,
        v: &mut Verdict,
    ) -> Result<(), Stop> {
        let (mut crls, mut ocsps): (Vec<&[u8]>, Vec<&[u8]>) = SignedData::adobe_revocation(signer);
        crls.extend(sd.crls.iter().copied());
        ocsps.extend(sd.ocsp_responses.iter().copied());
        self.validate_path(cert, pool, crls, ocsps, shared, claimed, rep, v)
    }

    /// The certificate path of `cert` at the validation time, with the revocation data the
    /// signature carries (`crls`, `ocsps`) and the document security store's.
    #[allow(clippy::too_many_arguments)]
    fn validate_path<'p>(
        &self,
        cert: &[u8],
        pool: &[&[u8]],
        mut crls: Vec<&'p [u8]>,
        mut ocsps: Vec<&'p [u8]>,
        shared: &'p PerDocument<'_>,
        claimed: Option<Timestamp>,
        rep: &mut SignatureReport,
        v: &mut Verdict,
    ) -> Result<(), Stop> {
        let vt = match self.options.time {
            ValidationTime::At(t) => t,
            ValidationTime::Claimed => claimed.ok_or_else(|| v.stop(Finding::NoClaimedTime))?,
        };
        rep.validation_time = Some(vt);
        crls.extend(shared.dss.crls.iter().map(Vec::as_slice));
        ocsps.extend(shared.dss.ocsps.iter().map(Vec::as_slice));
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
        rep.warnings.extend(path.warnings.iter().cloned());
        rep.revocation = match path.revocation {
            pki::Revocation::Good => RevocationStatus::Good,
            pki::Revocation::Revoked { .. } => RevocationStatus::Revoked,
            pki::Revocation::Unknown => RevocationStatus::Unknown,
            pki::Revocation::NotChecked => RevocationStatus::NotChecked,
        };
        if let Some(f) = path_finding(&path.outcome, vt, claimed) {
            v.push(f);
        }
        Ok(())
    }
}

impl Verifier {
    /// The steps of an `adbe.x509.rsa_sha1` signature (ISO 32000-1 §12.8.3.2): the signer's
    /// certificate is the first of /Cert, the PKCS#1 v1.5 signature value in /Contents is
    /// verified over the byte ranges with the hash its DigestInfo names, then the algorithm
    /// policy, the certificate path at the claimed time (/M: there are no signed attributes)
    /// and the changes after signing, as for a CMS signature.
    fn check_pkcs1_signature(
        &self,
        doc: &Document<'_>,
        signed: &SignedRevision<'_, '_>,
        shared: &PerDocument<'_>,
        rep: &mut SignatureReport,
        v: &mut Verdict,
    ) -> Result<(), Stop> {
        let certs = step("pkcs1_certificates", v, |v| {
            pkcs1_certificates(doc, &signed.dict, signed.range.revision)
                .map_err(|e| v.stop(Finding::Pkcs1(e)))
        })?;
        let mut pool: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        let Some(&cert) = pool.first() else {
            return Err(v.stop(Finding::Pkcs1(pkcs1::Pkcs1Error::NoCert)));
        };
        pool.extend(self.options.trust.intermediates().iter().map(Vec::as_slice));
        pool.extend(shared.dss.certs.iter().map(Vec::as_slice));
        let summary = self.summary(cert);
        rep.signer = summary.as_ref().map(SignerReport::from);
        let (key, digest_alg) = step("signature_value", v, |v| {
            pkcs1_signature_value(cert, signed, rep, v)
        })?;
        step("policy", v, |v| {
            self.check_policy(digest_alg, &key, pkcs1::SUB_FILTER, v);
            Ok(())
        })?;
        let claimed = claimed_time(&signed.dict, None, None);
        rep.signing_time = claimed;
        step("certificate_path", v, |v| {
            self.validate_path(cert, &pool, Vec::new(), Vec::new(), shared, claimed, rep, v)
        })?;
        step("disallowed_changes", v, |v| {
            disallowed_changes(rep, v);
            Ok(())
        })
    }
}

/// A change after signing that the signature's permissions do not allow is a finding.
fn disallowed_changes(rep: &SignatureReport, v: &mut Verdict) {
    if rep.modifications == Modifications::Disallowed {
        let what = rep
            .modification_details
            .first()
            .cloned()
            .unwrap_or_default();
        v.push(Finding::DisallowedChange { what });
    }
}

/// The DER certificates of /Cert (a string, or an array of strings, each possibly indirect) as
/// the revision `rev` has them; the signer's comes first. Also what [`super::extract`] writes.
pub(super) fn pkcs1_certificates(
    doc: &Document<'_>,
    dict: &Dict,
    rev: usize,
) -> Result<Vec<Vec<u8>>, pkcs1::Pkcs1Error> {
    let resolve = |o: &Object| {
        doc.resolve(o, rev)
            .map_err(|_| pkcs1::Pkcs1Error::CertNotStrings)
    };
    let Some(entry) = dict.get(b"Cert") else {
        return Ok(Vec::new());
    };
    let items = match resolve(entry)? {
        Object::String(s) => return Ok(vec![s.bytes]),
        Object::Array(items) => items,
        _ => return Err(pkcs1::Pkcs1Error::CertNotStrings),
    };
    if items.len() > pkcs1::MAX_CERTS {
        return Err(pkcs1::Pkcs1Error::TooManyCerts {
            limit: pkcs1::MAX_CERTS,
        });
    }
    items
        .iter()
        .map(|item| match resolve(item)? {
            Object::String(s) => Ok(s.bytes),
            _ => Err(pkcs1::Pkcs1Error::CertNotStrings),
        })
        .collect()
}

/// The PKCS#1 v1.5 signature value of /Contents over the byte ranges, with the key of `cert`:
/// each reading of /Contents ([`pkcs1::signature_candidates`]) with each hash a DigestInfo may
/// name ([`pkcs1::DIGESTS`]). Returns the key and the hash that verified.
fn pkcs1_signature_value(
    cert: &[u8],
    signed: &SignedRevision<'_, '_>,
    rep: &mut SignatureReport,
    v: &mut Verdict,
) -> Result<(PublicKeyInfo, DigestAlgorithm), Stop> {
    let key = match signer::spki_of(cert) {
        Ok(k) => k,
        Err(CryptoError::Unsupported { what }) => {
            return Err(v.stop(Finding::Signer(SignerProblem::KeyUnsupported { what })));
        }
        Err(e) => return Err(v.stop(Finding::Signer(SignerProblem::Key(e)))),
    };
    let Some(bits) = key.rsa_bits() else {
        return Err(v.stop(Finding::Signer(SignerProblem::Signature(
            CryptoError::KeyMismatch {
                key: key.describe(),
                algorithm: "RSA PKCS#1 v1.5",
            },
        ))));
    };
    let modulus_len = bits.div_ceil(8);
    let candidates = pkcs1::signature_candidates(signed.contents(), modulus_len)
        .map_err(|e| v.stop(Finding::Pkcs1(e)))?;
    let (r1, r2) = signed.range.slices(signed.data);
    let message = [r1, r2].concat();
    // A hash ring cannot use with this key (SHA-384 with RSA-1024) leaves integrity unknown:
    // INDETERMINATE rather than a failure, since that hash may be the one the DigestInfo names.
    let mut unsupported = None;
    for (digest, alg_oid) in pkcs1::DIGESTS {
        for value in &candidates {
            match crypto::verify_signature(&key, alg_oid, None, None, &message, value) {
                Ok(alg) => {
                    rep.signature_algorithm = Some(alg.name.to_string());
                    rep.digest_algorithm = Some(digest.name().to_string());
                    rep.integrity = true;
                    return Ok((key, digest));
                }
                Err(CryptoError::Unsupported { what }) => unsupported = Some(what),
                Err(_) => {}
            }
        }
    }
    Err(v.stop(Finding::Signer(match unsupported {
        Some(what) => {
            rep.signature_algorithm = Some(what.clone());
            SignerProblem::AlgorithmUnsupported { what }
        }
        None => SignerProblem::Signature(CryptoError::BadSignature),
    })))
}

/// The byte range, checked on the dictionary as it was in the revision it signs. When it breaks
/// the rules, the changes after the revision it claims to sign are still reported.
fn signed_revision<'s, 'a>(
    doc: &Document<'a>,
    sf: &'s SigField,
    rep: &mut SignatureReport,
    v: &mut Verdict,
) -> Result<SignedRevision<'s, 'a>, Stop> {
    let dict = signatures::signed_dictionary(doc, sf);
    let checked = byte_range::check(doc, &dict).map(|(range, _)| range);
    let range = match checked {
        Ok(range) => range,
        Err(e) => {
            if let Some(rev) = signatures::claimed_revision(doc, &dict) {
                (rep.modifications, rep.modification_details) = signatures::changes_after(doc, rev);
            }
            return Err(v.stop(Finding::ByteRange(PdfError::from(e))));
        }
    };
    rep.covers_whole_file = signatures::covers_whole_file(doc.data, range.end);
    Ok(SignedRevision {
        dict,
        range,
        data: doc.data,
    })
}

/// The one SignerInfo and its digest algorithm.
fn signer_info<'s, 'a>(
    sd: &'s SignedData<'a>,
    rep: &mut SignatureReport,
    v: &mut Verdict,
) -> Result<(&'s SignerInfo<'a>, DigestAlgorithm), Stop> {
    let signer = sd
        .single_signer()
        .map_err(|e| v.stop(Finding::SignerInfo(e)))?;
    let digest_alg = DigestAlgorithm::from_oid(signer.digest_algorithm.oid).ok_or_else(|| {
        v.stop(Finding::DigestUnsupported {
            oid: signer.digest_algorithm.oid_string(),
        })
    })?;
    rep.digest_algorithm = Some(digest_alg.name().to_string());
    if !sd
        .digest_algorithms
        .iter()
        .any(|a| a.oid == signer.digest_algorithm.oid)
    {
        rep.warnings.push(
            "SignerInfo digest algorithm is not listed in SignedData.digestAlgorithms".into(),
        );
    }
    Ok((signer, digest_alg))
}

/// The digest of the content the signature is about, per SubFilter: the signed ranges
/// (detached), the encapsulated SHA-1 digest of them (adbe.pkcs7.sha1), or the TSTInfo whose
/// imprint covers them (a document timestamp).
fn content_digest(
    sub_filter: &str,
    sd: &SignedData<'_>,
    range: &CheckedRange,
    shared: &PerDocument<'_>,
    digest_alg: DigestAlgorithm,
    rep: &mut SignatureReport,
    v: &mut Verdict,
) -> Result<Content, Stop> {
    let digests = &shared.digests;
    let mut timestamp_time = None;
    let digest = match sub_filter {
        "adbe.pkcs7.detached" | "ETSI.CAdES.detached" | "" => {
            if sd.encap_content.is_some() {
                return Err(v.stop(Finding::NotDetached {
                    sub_filter: sub_filter.to_string(),
                }));
            }
            if sub_filter.is_empty() {
                rep.warnings.push(
                    "signature dictionary has no /SubFilter; treated as adbe.pkcs7.detached".into(),
                );
            }
            digests.digest(digest_alg, range)
        }
        "adbe.pkcs7.sha1" => {
            let content = sd
                .encap_content
                .as_ref()
                .ok_or_else(|| v.stop(Finding::Sha1ContentMissing))?;
            if digests.digest(DigestAlgorithm::Sha1, range) != content.as_ref() {
                return Err(v.stop(Finding::Sha1DigestMismatch));
            }
            v.push(Finding::Sha1SubFilter);
            digest_alg.digest(&[content.as_ref()])
        }
        "ETSI.RFC3161" => {
            let tst = TstInfo::from_token(sd).map_err(|e| v.stop(Finding::TstInfo(e)))?;
            let ialg = DigestAlgorithm::from_oid(&tst.imprint_algorithm)
                .ok_or_else(|| v.stop(Finding::ImprintUnsupported))?;
            if digests.digest(ialg, range) != tst.imprint {
                return Err(v.stop(Finding::ImprintMismatch));
            }
            timestamp_time = Some(tst.gen_time);
            digest_alg.digest(&[sd.encap_content.as_deref().unwrap_or(&[])])
        }
        other => {
            return Err(v.stop(Finding::SubFilterUnsupported {
                sub_filter: other.to_string(),
            }));
        }
    };
    Ok(Content {
        digest,
        timestamp_time,
    })
}

/// What the signature value covers: the signed attributes, checked by the one SignerInfo check
/// and the PAdES profile, or, without them, the content itself where the SubFilter allows it.
/// Returns the message and the signingTime attribute.
#[allow(clippy::too_many_arguments)]
fn signed_message(
    sd: &SignedData<'_>,
    signer: &SignerInfo<'_>,
    digest_alg: DigestAlgorithm,
    content: &Content,
    cert: &[u8],
    cert_sha256_hex: Option<&str>,
    signed: &SignedRevision<'_, '_>,
    rep: &mut SignatureReport,
    v: &mut Verdict,
) -> Result<(Vec<u8>, Option<Timestamp>), Stop> {
    let sub_filter = rep.sub_filter.as_deref().unwrap_or_default();
    let cades = sub_filter == "ETSI.CAdES.detached";
    let attrs = signer::check_attributes(
        sd,
        signer,
        digest_alg,
        &content.digest,
        cert,
        cert_sha256_hex,
    )
    .map_err(|p| v.stop(Finding::Signer(p)))?;
    let Some(attrs) = attrs else {
        return match sub_filter {
            "adbe.pkcs7.detached" | "" => {
                let (r1, r2) = signed.range.slices(signed.data);
                Ok(([r1, r2].concat(), None))
            }
            // Checked by the content step: the encapsulated digest is there.
            "adbe.pkcs7.sha1" => match sd.encap_content.as_deref() {
                Some(c) => Ok((c.to_vec(), None)),
                None => Err(v.stop(Finding::Sha1ContentMissing)),
            },
            _ => Err(v.stop(Finding::SignedAttributesRequired {
                sub_filter: sub_filter.to_string(),
            })),
        };
    };
    if attrs.has_signing_time && cades {
        rep.warnings
            .push("PAdES signatures should not carry a CMS signingTime (the time is in /M)".into());
    }
    match attrs.ess {
        Ok(true) => {}
        Ok(false) if cades => v.push(Finding::SigningCertificateMissing),
        Ok(false) => {}
        Err(e) => v.push(Finding::SigningCertificate(e)),
    }
    Ok((attrs.signed_bytes, attrs.signing_time))
}

/// The signature value over `message`, with the signer's key.
fn signature_value(
    signer: &SignerInfo<'_>,
    digest_alg: DigestAlgorithm,
    cert: &[u8],
    message: &[u8],
    rep: &mut SignatureReport,
    v: &mut Verdict,
) -> Result<PublicKeyInfo, Stop> {
    match signer::check_value(signer, digest_alg, cert, message) {
        Ok((name, key)) => {
            rep.signature_algorithm = Some(name.to_string());
            rep.integrity = true;
            Ok(key)
        }
        Err(p) => {
            if let SignerProblem::AlgorithmUnsupported { what } = &p {
                rep.signature_algorithm = Some(what.clone());
            }
            Err(v.stop(Finding::Signer(p)))
        }
    }
}

/// The claimed signing time: the signingTime attribute, else the dictionary's /M, else the
/// time of a timestamp (the document timestamp's, or a signature timestamp that holds).
fn claimed_time(
    dict: &Dict,
    attribute: Option<Timestamp>,
    timestamp: Option<Timestamp>,
) -> Option<Timestamp> {
    attribute.or_else(|| {
        fields::text_string(dict.get(b"M"))
            .and_then(|s| crate::time::parse_pdf_timestamp(s.as_bytes()))
            .or(timestamp)
    })
}

/// The finding a path outcome implies, if any. A revocation counts as TOTAL_FAILED only when it
/// came at or before the claimed signing time.
fn path_finding(
    outcome: &PathOutcome,
    vt: Timestamp,
    claimed: Option<Timestamp>,
) -> Option<Finding> {
    Some(match outcome {
        PathOutcome::Valid => return None,
        PathOutcome::NoChain => Finding::NoChain,
        PathOutcome::Expired => Finding::Expired { at: vt },
        PathOutcome::NotYetValid => Finding::NotYetValid,
        PathOutcome::ExpiredAtSigningTime => Finding::ExpiredAtSigningTime,
        PathOutcome::NotYetValidAtSigningTime => Finding::NotYetValidAtSigningTime,
        PathOutcome::ChainConstraints { reason } => Finding::ChainConstraints {
            reason: reason.clone(),
        },
        PathOutcome::KeyUsage { reason } => Finding::KeyUsage {
            reason: reason.clone(),
        },
        PathOutcome::BadCertSignature { subject } => Finding::BadCertSignature {
            subject: subject.clone(),
        },
        PathOutcome::CryptoConstraints { reason } => Finding::PathCryptoConstraints {
            reason: reason.clone(),
        },
        PathOutcome::Revoked { time } => {
            let at = *time;
            if claimed.is_some_and(|c| at <= c) {
                Finding::Revoked { at }
            } else {
                Finding::RevokedNoPoe { at }
            }
        }
        PathOutcome::Unsupported { what } => Finding::PathUnsupported { what: what.clone() },
    })
}
