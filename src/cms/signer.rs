//! The one SignerInfo check (RFC 5652 §5.4–5.6, RFC 5035, RFC 2634 §5.4).
//!
//! Every signature the crate verifies goes through these functions: PDF document signatures,
//! document timestamps, the RFC 3161 tokens in a signature's unsigned attributes, and the
//! signer's own check of a TSA reply (`sign::tsa`). The check has three parts, which callers run
//! in order:
//!
//! 1. [`find_signer`]: the certificate the SignerInfo names, by issuer and serial number or by
//!    subject key identifier.
//! 2. [`check_attributes`]: the signed attributes over their received encoding: contentType
//!    equals the encapsulated type, messageDigest is one OCTET STRING of the digest's length and
//!    equals the content's digest, signingTime is read, and the ESS signing-certificate(-v2)
//!    attribute, when present, names the signer's certificate.
//! 3. [`check_value`]: the signature value over the signed attributes (or over the content when
//!    there are none) with the certificate's key.
//!
//! Document signatures keep going after an ESS problem (the verdict is INDETERMINATE, other
//! failures still count), so the attribute check returns the ESS result instead of failing on
//! it; [`verify_token_signer`] is the strict composition timestamp tokens use, where any
//! problem rejects the token.
//!
//! Written by hand over the crate's DER views rather than with a CMS crate: the check must see
//! the attributes exactly as received (their encoding is what was signed), and the verifier's
//! fast path reads certificate fields without a full X.509 parse.

use x509_parser::prelude::FromDer;

use super::{SignedData, SignerId, SignerInfo, oid};
use crate::crypto::{self, CryptoError, DigestAlgorithm, PublicKeyInfo};
use crate::der;
use crate::malformed::CmsError;
use crate::time::Timestamp;

/// Why a SignerInfo does not check out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignerProblem {
    /// The certificate the SignerInfo names is in none of the candidates.
    #[error("{}", CmsError::SignerCertificateNotFound)]
    CertificateNotFound,
    /// A signed attribute is malformed, duplicated or missing (contentType, messageDigest,
    /// signingTime), or contentType differs from the encapsulated type.
    #[error("{0}")]
    Attribute(CmsError),
    /// messageDigest is not an OCTET STRING.
    #[error("messageDigest is not an OCTET STRING")]
    DigestNotOctetString,
    /// messageDigest has the wrong length for the digest algorithm.
    #[error("{0}")]
    DigestLength(CmsError),
    /// messageDigest differs from the digest of the content.
    #[error("messageDigest does not match the digest of the signed content")]
    DigestMismatch,
    /// The ESS signing-certificate attribute is malformed or names another certificate.
    #[error("{0}")]
    SigningCertificate(CmsError),
    /// The signer's key algorithm is not implemented.
    #[error("signer key algorithm not supported: {what}")]
    KeyUnsupported { what: String },
    /// The signer's public key is malformed.
    #[error("signer public key: {0}")]
    Key(CryptoError),
    /// The signature algorithm is not implemented.
    #[error("signature algorithm not supported: {what}")]
    AlgorithmUnsupported { what: String },
    /// The signature value does not verify.
    #[error("signature value: {0}")]
    Signature(CryptoError),
}

/// What the signed attributes said, once checked.
#[derive(Debug)]
pub struct Attributes {
    /// The bytes the signature covers: the attributes' received encoding under a SET tag.
    pub signed_bytes: Vec<u8>,
    /// The signingTime attribute, when present and readable.
    pub signing_time: Option<Timestamp>,
    /// Whether a signingTime attribute is present at all.
    pub has_signing_time: bool,
    /// The ESS signing-certificate(-v2) check: `Ok(true)` matched, `Ok(false)` absent.
    pub ess: Result<bool, CmsError>,
}

/// The raw fields of a certificate the CMS checks need, read with the crate's DER reader
/// (the full X.509 parse happens once per chain, in path validation).
pub(crate) struct TbsFields<'a> {
    /// The serial number without a leading zero byte.
    pub serial: &'a [u8],
    /// The issuer Name, tag and length included.
    pub issuer: &'a [u8],
    /// The SubjectPublicKeyInfo, tag and length included.
    pub spki: &'a [u8],
}

/// Reads [`TbsFields`] from a DER certificate; `None` when it is malformed.
pub(crate) fn tbs_fields(cert: &[u8]) -> Option<TbsFields<'_>> {
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

/// The public key of a DER certificate.
pub(crate) fn spki_of(cert: &[u8]) -> Result<PublicKeyInfo, CryptoError> {
    let f = tbs_fields(cert).ok_or(CryptoError::MalformedKey)?;
    PublicKeyInfo::from_spki_der(f.spki)
}

/// The certificate among `certs` that `sid` names: by serial number and issuer (the raw Name,
/// else the same Name in another encoding), or by subject key identifier.
pub fn find_signer<'a>(certs: &[&'a [u8]], sid: &SignerId<'_>) -> Option<&'a [u8]> {
    certs.iter().copied().find(|cert| names(cert, sid))
}

fn names(cert: &[u8], sid: &SignerId<'_>) -> bool {
    if let SignerId::IssuerSerial { issuer, serial } = sid {
        // Most certificates are told apart by serial and raw issuer without a parse.
        match tbs_fields(cert) {
            Some(f) if f.serial != *serial => return false,
            Some(f) if f.issuer == *issuer => return true,
            _ => {}
        }
    }
    let Ok((_, c)) = x509_parser::parse_x509_certificate(cert) else {
        return false;
    };
    match sid {
        SignerId::IssuerSerial { issuer, serial } => {
            let raw = match c.raw_serial() {
                [0, rest @ ..] if !rest.is_empty() => rest,
                r => r,
            };
            raw == *serial
                && (c.tbs_certificate.issuer.as_raw() == *issuer || {
                    // Same name, different encoding: compare the parsed forms.
                    x509_parser::x509::X509Name::from_der(issuer)
                        .map(|(_, n)| n.to_string() == c.tbs_certificate.issuer.to_string())
                        .unwrap_or(false)
                })
        }
        SignerId::KeyId(kid) => c.extensions().iter().any(|e| {
            matches!(
                e.parsed_extension(),
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) if k.0 == *kid
            )
        }),
    }
}

/// Checks the signed attributes of `signer` (which must have them): contentType, messageDigest
/// against `content_digest` (computed with `digest`), signingTime, and the ESS
/// signing-certificate attribute against `cert`. `cert_sha256_hex` is the certificate's SHA-256
/// when already known, so a batch from one signer does not hash it for every document.
pub fn check_attributes(
    sd: &SignedData<'_>,
    signer: &SignerInfo<'_>,
    digest: DigestAlgorithm,
    content_digest: &[u8],
    cert: &[u8],
    cert_sha256_hex: Option<&str>,
) -> Result<Option<Attributes>, SignerProblem> {
    let Some(sa) = &signer.signed_attrs else {
        return Ok(None);
    };
    match signer.single_signed_value(oid::CONTENT_TYPE) {
        Ok(Some(ct)) if ct.tag == der::TAG_OID && ct.content == sd.encap_content_type => {}
        Ok(Some(ct)) => {
            return Err(SignerProblem::Attribute(CmsError::ContentTypeMismatch {
                oid: der::oid_to_string(ct.content),
                expected: der::oid_to_string(sd.encap_content_type),
            }));
        }
        Ok(None) => return Err(SignerProblem::Attribute(CmsError::MissingContentType)),
        Err(e) => return Err(SignerProblem::Attribute(e)),
    }
    match signer.single_signed_value(oid::MESSAGE_DIGEST) {
        Ok(Some(md)) if md.tag != der::TAG_OCTET_STRING => {
            return Err(SignerProblem::DigestNotOctetString);
        }
        Ok(Some(md)) if md.content.len() != digest.output_len() => {
            return Err(SignerProblem::DigestLength(CmsError::DigestLength {
                algorithm: digest.name(),
                expected: digest.output_len(),
                found: md.content.len(),
            }));
        }
        Ok(Some(md)) if md.content != content_digest => {
            return Err(SignerProblem::DigestMismatch);
        }
        Ok(Some(_)) => {}
        Ok(None) => return Err(SignerProblem::Attribute(CmsError::MissingMessageDigest)),
        Err(e) => return Err(SignerProblem::Attribute(e)),
    }
    let (has_signing_time, signing_time) = match signer.single_signed_value(oid::SIGNING_TIME) {
        Ok(Some(t)) => (true, der::read_time(&t).ok()),
        Ok(None) => (false, None),
        Err(e) => return Err(SignerProblem::Attribute(e)),
    };
    Ok(Some(Attributes {
        signed_bytes: sa.signed_bytes(),
        signing_time,
        has_signing_time,
        ess: check_ess(signer, cert, cert_sha256_hex),
    }))
}

/// Verifies the signature value of `signer` over `message` with the key of `cert`. Returns the
/// signature algorithm's name.
pub fn check_value(
    signer: &SignerInfo<'_>,
    digest: DigestAlgorithm,
    cert: &[u8],
    message: &[u8],
) -> Result<(&'static str, PublicKeyInfo), SignerProblem> {
    let key = match spki_of(cert) {
        Ok(k) => k,
        Err(CryptoError::Unsupported { what }) => {
            return Err(SignerProblem::KeyUnsupported { what });
        }
        Err(e) => return Err(SignerProblem::Key(e)),
    };
    match crypto::verify_signature(
        &key,
        signer.signature_algorithm.oid,
        signer.signature_algorithm.params,
        Some(digest),
        message,
        &signer.signature,
    ) {
        Ok(alg) => Ok((alg.name, key)),
        Err(CryptoError::Unsupported { what }) => Err(SignerProblem::AlgorithmUnsupported { what }),
        // A key that reads as an SPKI but not as a key of the algorithm (the fallback verifier
        // refuses it): the signature cannot be judged, which is not a wrong signature.
        Err(e @ CryptoError::MalformedKey) => Err(SignerProblem::Key(e)),
        Err(e) => Err(SignerProblem::Signature(e)),
    }
}

/// Why a timestamp token's SignerInfo does not check out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenSignerError {
    /// The SignedData does not have exactly one SignerInfo.
    #[error("{0}")]
    SignerInfo(CmsError),
    /// The SignerInfo's digest algorithm is not implemented.
    #[error("digest algorithm {oid} is not supported")]
    DigestUnsupported { oid: String },
    /// A token must carry signed attributes (RFC 3161 §2.4.2).
    #[error("token without signed attributes")]
    NoSignedAttributes,
    /// The SignerInfo check failed.
    #[error(transparent)]
    Signer(#[from] SignerProblem),
}

/// The strict composition for RFC 3161 tokens: one SignerInfo with signed attributes, the signer
/// found among `certs`, every attribute check passed (an ESS attribute that names another
/// certificate rejects the token), and the signature value verified. Returns the TSA
/// certificate.
pub fn verify_token_signer<'a>(
    sd: &SignedData<'_>,
    certs: &[&'a [u8]],
) -> Result<&'a [u8], TokenSignerError> {
    let signer = sd.single_signer().map_err(TokenSignerError::SignerInfo)?;
    let digest = DigestAlgorithm::from_oid(signer.digest_algorithm.oid).ok_or_else(|| {
        TokenSignerError::DigestUnsupported {
            oid: signer.digest_algorithm.oid_string(),
        }
    })?;
    let cert = find_signer(certs, &signer.sid).ok_or(SignerProblem::CertificateNotFound)?;
    let content = sd.encap_content.as_deref().unwrap_or(&[]);
    let attrs = check_attributes(sd, signer, digest, &digest.digest(&[content]), cert, None)?
        .ok_or(TokenSignerError::NoSignedAttributes)?;
    attrs.ess.map_err(SignerProblem::SigningCertificate)?;
    check_value(signer, digest, cert, &attrs.signed_bytes)?;
    Ok(cert)
}

/// Checks the ESS signing-certificate(-v2) attribute against the signer's certificate
/// (RFC 5035 §3, RFC 2634 §5.4). Returns whether one was present.
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
