//! Revocation status from CRLs (RFC 5280 §5–6.3) and OCSP responses (RFC 6960).
//!
//! Every CRL and OCSP response is used only after its signature verifies with the key of the
//! certificate's issuer (or, for OCSP, of a responder certificate that this issuer delegated with
//! id-kp-OCSPSigning). Unusable data is skipped with a warning, never treated as "good".

use x509_parser::der_parser::asn1_rs::{Any, Class, FromDer, Tag};
use x509_parser::extensions::ParsedExtension;
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::time::ASN1Time;
use x509_parser::x509::{AlgorithmIdentifier, ReasonCode};

use super::cert::{Cert, bound, name_to_string, names_match, normalized_serial};
use super::{PathInput, PathOptions, PathValidator, TrustStore, parse_crl};
use crate::crypto::{self, DigestAlgorithm};
use crate::time::Timestamp;

/// What the revocation data says about one certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RevStatus {
    Good,
    /// Revoked at this time, at or before the validation time.
    Revoked(Timestamp),
    Unknown,
}

/// Combine the CRL and OCSP answers for `cert` issued by `issuer`: revoked wins, then good,
/// then unknown; `None` when nothing usable speaks about this certificate.
pub(crate) fn status(
    v: &PathValidator,
    cert: &Cert<'_>,
    issuer: &Cert<'_>,
    store: &TrustStore,
    input: &PathInput<'_>,
    opts: &PathOptions,
    warnings: &mut Vec<String>,
) -> Option<RevStatus> {
    let mut answers = Vec::new();
    let crls = store
        .crls
        .iter()
        .map(Vec::as_slice)
        .chain(input.embedded_crls.iter().copied());
    for der in crls {
        if let Some(st) = crl_status(v, cert, issuer, der, opts, warnings) {
            answers.push(st);
        }
    }
    for der in input.embedded_ocsp {
        if let Some(st) = ocsp_status(v, cert, issuer, der, input, opts, warnings) {
            answers.push(st);
        }
    }
    let revoked = answers.iter().find_map(|a| match a {
        RevStatus::Revoked(t) => Some(*t),
        _ => None,
    });
    if let Some(t) = revoked {
        return Some(RevStatus::Revoked(t));
    }
    if answers.contains(&RevStatus::Good) {
        return Some(RevStatus::Good);
    }
    answers.first().copied()
}

/// SHA-256 of a revocation object's DER, its key in the validator's verification cache.
fn fingerprint(der: &[u8]) -> [u8; 32] {
    let d = DigestAlgorithm::Sha256.digest(&[der]);
    <[u8; 32]>::try_from(d.as_slice()).unwrap_or([0; 32])
}

fn is_ca(c: &Cert<'_>) -> bool {
    matches!(c.x509.basic_constraints(), Ok(Some(bc)) if bc.value.ca)
}

/// CRL extension arcs under id-ce 2.5.29 (RFC 5280 §5.2).
const CRL_EXT_CRL_NUMBER: u8 = 20;
const CRL_EXT_DELTA_CRL_INDICATOR: u8 = 27;
const CRL_EXT_ISSUING_DP: u8 = 28;
const CRL_EXT_AUTHORITY_KEY_ID: u8 = 35;
const CRL_EXT_ISSUER_ALT_NAME: u8 = 18;

fn crl_status(
    v: &PathValidator,
    cert: &Cert<'_>,
    issuer: &Cert<'_>,
    der: &[u8],
    opts: &PathOptions,
    warnings: &mut Vec<String>,
) -> Option<RevStatus> {
    let crl = parse_crl(der).ok()?;
    // Only CRLs of this certificate's issuer (no indirect CRLs).
    if !names_match(crl.issuer(), cert.x509.issuer())
        || !names_match(crl.issuer(), issuer.x509.subject())
    {
        return None;
    }
    let issuer_name = name_to_string(crl.issuer());
    let mut skip = |why: String| {
        warnings.push(format!("CRL of '{issuer_name}' not used: {why}"));
        None
    };
    let cache_key = (issuer.sha256, fingerprint(der));
    if !v.is_verified(&cache_key) {
        if let Err(e) = check_crl_signature(&crl, issuer) {
            return skip(e.to_string());
        }
        v.remember_verified(cache_key);
    }
    if bound(&crl.last_update()) > opts.validation_time {
        return skip("issued after the validation time".into());
    }
    for ext in crl.extensions() {
        let arc = match ext.oid.as_bytes() {
            [0x55, 0x1d, a] => Some(*a),
            _ => None,
        };
        match (arc, ext.parsed_extension()) {
            (Some(CRL_EXT_DELTA_CRL_INDICATOR), _) => {
                return skip("delta CRLs are not supported".into());
            }
            (Some(CRL_EXT_ISSUING_DP), ParsedExtension::IssuingDistributionPoint(idp)) => {
                if idp.indirect_crl || idp.only_some_reasons.is_some() {
                    return skip("indirect or reason-partitioned CRL".into());
                }
                let ca = is_ca(cert);
                if (idp.only_contains_user_certs && ca)
                    || (idp.only_contains_ca_certs && !ca)
                    || idp.only_contains_attribute_certs
                {
                    return None; // out of this CRL's scope
                }
            }
            (Some(CRL_EXT_CRL_NUMBER | CRL_EXT_AUTHORITY_KEY_ID | CRL_EXT_ISSUER_ALT_NAME), _) => {}
            _ if ext.critical => {
                return skip(format!(
                    "unknown critical extension {}",
                    ext.oid.to_id_string()
                ));
            }
            _ => {}
        }
    }
    if let Some(next) = crl.next_update()
        && bound(&next) < opts.validation_time
    {
        warnings.push(format!(
            "CRL of '{issuer_name}' is past its nextUpdate at the validation time"
        ));
    }
    let serial = normalized_serial(cert.x509.raw_serial());
    for entry in crl.iter_revoked_certificates() {
        if normalized_serial(entry.raw_serial()) != serial {
            continue;
        }
        // removeFromCRL only appears in delta CRLs (RFC 5280 §5.3.1).
        if matches!(entry.reason_code(), Some((_, ReasonCode::RemoveFromCRL))) {
            continue;
        }
        let t = bound(&entry.revocation_date);
        return Some(if t <= opts.validation_time {
            RevStatus::Revoked(t)
        } else {
            RevStatus::Good
        });
    }
    Some(RevStatus::Good)
}

/// Why a CRL's signature is not accepted; the message goes into the report's warnings.
#[derive(Debug, thiserror::Error)]
enum CrlSignatureError {
    /// The issuer's keyUsage does not allow signing CRLs.
    #[error("issuer keyUsage lacks cRLSign")]
    NoCrlSign,
    /// `signatureAlgorithm` and `tbsCertList.signature` differ.
    #[error("signature algorithm fields differ")]
    AlgorithmMismatch,
    /// The issuer's public key cannot be read.
    #[error("{0}")]
    IssuerKey(#[source] crypto::CryptoError),
    /// The signature does not verify (or its algorithm is not implemented).
    #[error("signature: {0}")]
    Signature(#[source] crypto::CryptoError),
}

fn check_crl_signature(
    crl: &CertificateRevocationList<'_>,
    issuer: &Cert<'_>,
) -> Result<(), CrlSignatureError> {
    if let Ok(Some(ku)) = issuer.x509.key_usage()
        && !ku.value.crl_sign()
    {
        return Err(CrlSignatureError::NoCrlSign);
    }
    if crl.signature_algorithm != crl.tbs_cert_list.signature {
        return Err(CrlSignatureError::AlgorithmMismatch);
    }
    let key = issuer.public_key().map_err(CrlSignatureError::IssuerKey)?;
    crypto::verify_with_algorithm(
        &key,
        &crl.signature_algorithm,
        None,
        crl.tbs_cert_list.as_ref(),
        crl.signature_value.data.as_ref(),
    )
    .map(|_| ())
    .map_err(CrlSignatureError::Signature)
}

// ---------------------------------------------------------------------------------------------
// OCSP (RFC 6960 §4.2.1), parsed with asn1-rs over the received bytes.

/// Read one DER TLV: the parsed value, its full encoding, and what follows.
fn tlv(input: &[u8]) -> Option<(Any<'_>, &[u8], &[u8])> {
    let (rest, any) = Any::from_der(input).ok()?;
    let used = input.len().checked_sub(rest.len())?;
    Some((any, input.get(..used)?, rest))
}

fn is_context(any: &Any<'_>, n: u32) -> bool {
    any.header.class() == Class::ContextSpecific && any.header.tag() == Tag(n)
}

fn time_of(raw: &[u8]) -> Option<Timestamp> {
    let (rest, t) = ASN1Time::from_der(raw).ok()?;
    rest.is_empty().then(|| bound(&t))
}

enum CertStatus {
    Good,
    Revoked(Timestamp),
    Unknown,
}

struct SingleResponse<'a> {
    hash_alg: AlgorithmIdentifier<'a>,
    name_hash: &'a [u8],
    key_hash: &'a [u8],
    serial: &'a [u8],
    status: CertStatus,
    this_update: Timestamp,
    next_update: Option<Timestamp>,
}

/// ```text
/// BasicOCSPResponse ::= SEQUENCE {
///    tbsResponseData      ResponseData,
///    signatureAlgorithm   AlgorithmIdentifier,
///    signature            BIT STRING,
///    certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ResponseData ::= SEQUENCE {
///    version              [0] EXPLICIT Version DEFAULT v1,
///    responderID              ResponderID,
///    producedAt               GeneralizedTime,
///    responses                SEQUENCE OF SingleResponse,
///    responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
struct BasicOcsp<'a> {
    tbs: &'a [u8],
    produced_at: Timestamp,
    responses: Vec<SingleResponse<'a>>,
    sig_alg: AlgorithmIdentifier<'a>,
    signature: &'a [u8],
    certs: Vec<&'a [u8]>,
}

/// id-pkix-ocsp-basic 1.3.6.1.5.5.7.48.1.1
const OID_OCSP_BASIC: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

/// Accept an OCSPResponse (successful, basic) or a bare BasicOCSPResponse.
fn parse_ocsp(der: &[u8]) -> Option<BasicOcsp<'_>> {
    let (outer, _, rest) = tlv(der)?;
    if !rest.is_empty() || outer.tag() != Tag::Sequence {
        return None;
    }
    let (first, _, _) = tlv(outer.data)?;
    if first.tag() == Tag::Enumerated {
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT
        //   ResponseBytes OPTIONAL }; ResponseBytes ::= SEQUENCE { responseType OID,
        //   response OCTET STRING }
        let (status, _, rest) = tlv(outer.data)?;
        if status.data != [0] {
            return None; // not "successful"
        }
        let (bytes0, _, rest) = tlv(rest)?;
        if !rest.is_empty() || !is_context(&bytes0, 0) {
            return None;
        }
        let (rb, _, rest) = tlv(bytes0.data)?;
        if !rest.is_empty() || rb.tag() != Tag::Sequence {
            return None;
        }
        let (typ, _, rest) = tlv(rb.data)?;
        let (resp, _, rest) = tlv(rest)?;
        if !rest.is_empty()
            || typ.tag() != Tag::Oid
            || typ.data != OID_OCSP_BASIC
            || resp.tag() != Tag::OctetString
        {
            return None;
        }
        return parse_basic(resp.data);
    }
    parse_basic(der)
}

fn parse_basic(der: &[u8]) -> Option<BasicOcsp<'_>> {
    let (outer, _, rest) = tlv(der)?;
    if !rest.is_empty() || outer.tag() != Tag::Sequence {
        return None;
    }
    let (tbs_any, tbs, rest) = tlv(outer.data)?;
    let (rest, sig_alg) = AlgorithmIdentifier::from_der(rest).ok()?;
    let (sig, _, rest) = tlv(rest)?;
    if sig.tag() != Tag::BitString || sig.data.first() != Some(&0) {
        return None;
    }
    let signature = sig.data.get(1..)?;
    let mut certs = Vec::new();
    if !rest.is_empty() {
        let (c0, _, rest) = tlv(rest)?;
        if !rest.is_empty() || !is_context(&c0, 0) {
            return None;
        }
        let (seq, _, rest) = tlv(c0.data)?;
        if !rest.is_empty() || seq.tag() != Tag::Sequence {
            return None;
        }
        let mut r = seq.data;
        while !r.is_empty() {
            let (_, raw, rest) = tlv(r)?;
            certs.push(raw);
            r = rest;
        }
    }

    if tbs_any.tag() != Tag::Sequence {
        return None;
    }
    let mut r = tbs_any.data;
    let (mut item, _, mut rest) = tlv(r)?;
    if is_context(&item, 0) {
        // version [0] EXPLICIT INTEGER: only v1 (0) exists.
        let (v, _, _) = tlv(item.data)?;
        if v.tag() != Tag::Integer || v.data != [0] {
            return None;
        }
        (item, _, rest) = tlv(rest)?;
    }
    // responderID: byName [1] / byKey [2]; which key signed is established by verification.
    if !(is_context(&item, 1) || is_context(&item, 2)) {
        return None;
    }
    let (_, produced_raw, rest2) = tlv(rest)?;
    let produced_at = time_of(produced_raw)?;
    let (responses_seq, _, _) = tlv(rest2)?;
    if responses_seq.tag() != Tag::Sequence {
        return None;
    }
    r = responses_seq.data;
    let mut responses = Vec::new();
    while !r.is_empty() {
        let (single, _, next) = tlv(r)?;
        responses.push(parse_single(&single)?);
        r = next;
    }
    Some(BasicOcsp {
        tbs,
        produced_at,
        responses,
        sig_alg,
        signature,
        certs,
    })
}

/// ```text
/// SingleResponse ::= SEQUENCE {
///    certID                       CertID,
///    certStatus                   CertStatus,
///    thisUpdate                   GeneralizedTime,
///    nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///    singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// CertID ::= SEQUENCE {
///    hashAlgorithm       AlgorithmIdentifier,
///    issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///    issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///    serialNumber        CertificateSerialNumber }
/// CertStatus ::= CHOICE {
///    good        [0]     IMPLICIT NULL,
///    revoked     [1]     IMPLICIT RevokedInfo,
///    unknown     [2]     IMPLICIT UnknownInfo }
/// RevokedInfo ::= SEQUENCE {
///    revocationTime              GeneralizedTime,
///    revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
fn parse_single<'a>(single: &Any<'a>) -> Option<SingleResponse<'a>> {
    if single.tag() != Tag::Sequence {
        return None;
    }
    let (cert_id, _, rest) = tlv(single.data)?;
    if cert_id.tag() != Tag::Sequence {
        return None;
    }
    let (r, hash_alg) = AlgorithmIdentifier::from_der(cert_id.data).ok()?;
    let (name_hash, _, r) = tlv(r)?;
    let (key_hash, _, r) = tlv(r)?;
    let (serial, _, r) = tlv(r)?;
    if !r.is_empty()
        || name_hash.tag() != Tag::OctetString
        || key_hash.tag() != Tag::OctetString
        || serial.tag() != Tag::Integer
    {
        return None;
    }
    let (st, _, rest) = tlv(rest)?;
    let status = if is_context(&st, 0) {
        CertStatus::Good
    } else if is_context(&st, 1) {
        // IMPLICIT RevokedInfo: the content is the SEQUENCE's content.
        let (_, raw, _) = tlv(st.data)?;
        CertStatus::Revoked(time_of(raw)?)
    } else if is_context(&st, 2) {
        CertStatus::Unknown
    } else {
        return None;
    };
    let (_, this_raw, mut rest) = tlv(rest)?;
    let this_update = time_of(this_raw)?;
    let mut next_update = None;
    if !rest.is_empty() {
        let (n, _, r) = tlv(rest)?;
        if is_context(&n, 0) {
            next_update = Some(time_of(n.data)?);
            rest = r;
        }
    }
    let _ = rest; // singleExtensions are not needed
    Some(SingleResponse {
        hash_alg,
        name_hash: name_hash.data,
        key_hash: key_hash.data,
        serial: serial.data,
        status,
        this_update,
        next_update,
    })
}

/// Whether a CertID designates `cert` issued by `issuer` (RFC 6960 §4.1.1).
fn cert_id_matches(s: &SingleResponse<'_>, cert: &Cert<'_>, issuer: &Cert<'_>) -> bool {
    if normalized_serial(s.serial) != normalized_serial(cert.x509.raw_serial()) {
        return false;
    }
    let Some(h) = DigestAlgorithm::from_oid(s.hash_alg.algorithm.as_bytes()) else {
        return false;
    };
    let key_bits: &[u8] = issuer.x509.public_key().subject_public_key.data.as_ref();
    h.digest(&[issuer.x509.subject().as_raw()]) == s.name_hash
        && h.digest(&[key_bits]) == s.key_hash
}

fn verify_ocsp_by(resp: &BasicOcsp<'_>, signer: &Cert<'_>) -> bool {
    signer
        .public_key()
        .ok()
        .and_then(|k| {
            crypto::verify_with_algorithm(&k, &resp.sig_alg, None, resp.tbs, resp.signature).ok()
        })
        .is_some()
}

/// A delegated responder: issued by `issuer` (signature checked), id-kp-OCSPSigning, valid at
/// the validation time (RFC 6960 §4.2.2.2).
fn delegated_responder_ok(responder: &Cert<'_>, issuer: &Cert<'_>, opts: &PathOptions) -> bool {
    if !names_match(responder.x509.issuer(), issuer.x509.subject()) {
        return false;
    }
    let eku_ok =
        matches!(responder.x509.extended_key_usage(), Ok(Some(eku)) if eku.value.ocsp_signing);
    let t = opts.validation_time;
    if !eku_ok || t < responder.not_before() || t > responder.not_after() {
        return false;
    }
    if responder.x509.signature_algorithm != responder.x509.tbs_certificate.signature {
        return false;
    }
    issuer
        .public_key()
        .ok()
        .and_then(|k| {
            crypto::verify_with_algorithm(
                &k,
                &responder.x509.signature_algorithm,
                None,
                responder.x509.tbs_certificate.as_ref(),
                responder.x509.signature_value.data.as_ref(),
            )
            .ok()
        })
        .is_some()
}

fn ocsp_status(
    v: &PathValidator,
    cert: &Cert<'_>,
    issuer: &Cert<'_>,
    der: &[u8],
    input: &PathInput<'_>,
    opts: &PathOptions,
    warnings: &mut Vec<String>,
) -> Option<RevStatus> {
    let Some(resp) = parse_ocsp(der) else {
        warnings.push("ignored a malformed or unsuccessful OCSP response".into());
        return None;
    };
    let single = resp
        .responses
        .iter()
        .find(|s| cert_id_matches(s, cert, issuer))?;
    let subject = cert.subject_string();
    let mut skip = |why: &str| {
        warnings.push(format!("OCSP response for '{subject}' not used: {why}"));
        None
    };
    let cache_key = (issuer.sha256, fingerprint(der));
    let signed = v.is_verified(&cache_key)
        || verify_ocsp_by(&resp, issuer)
        || resp
            .certs
            .iter()
            .chain(input.extra_certs.iter())
            .filter_map(|d| Cert::parse(d).ok())
            .any(|r| delegated_responder_ok(&r, issuer, opts) && verify_ocsp_by(&resp, &r));
    if !signed {
        return skip("no signature by the issuer or an authorised responder");
    }
    v.remember_verified(cache_key);
    if single.this_update > opts.validation_time || resp.produced_at > opts.validation_time {
        return skip("produced after the validation time");
    }
    if single.next_update.is_some_and(|n| n < opts.validation_time) {
        warnings.push(format!(
            "OCSP response for '{subject}' is past its nextUpdate at the validation time"
        ));
    }
    Some(match single.status {
        CertStatus::Good => RevStatus::Good,
        CertStatus::Revoked(t) if t <= opts.validation_time => RevStatus::Revoked(t),
        CertStatus::Revoked(_) => RevStatus::Good,
        CertStatus::Unknown => RevStatus::Unknown,
    })
}
