//! Certificates, trust store, path building and validation, revocation (CRL and OCSP).
//!
//! Parsing is x509-parser's; every signature (certificates, CRLs, OCSP responses) is checked by
//! [`crate::crypto`] over the bytes received. Policy comes in as data ([`TrustStore`],
//! [`PathOptions`]) and the validation time is a parameter: nothing here reads the clock.
//!
//! The entry point is [`PathValidator::validate`], which builds a path from the signer to a trust
//! anchor (RFC 5280 §6, simplified: no policy processing, name constraints unsupported) and
//! reports the first failure in this order:
//!
//! 1. no path / bad certificate signature / unsupported algorithm while building it,
//! 2. chain constraints (unknown critical extensions, basicConstraints, pathLen, keyCertSign),
//! 3. cryptographic constraints (SHA-1 signatures, short RSA keys),
//! 4. the signer's key usage,
//! 5. revocation,
//! 6. time: the signer at signing time, then every certificate at validation time.

mod builtin;
mod cert;
mod path;
pub(crate) mod pem;
mod revocation;

pub use builtin::{
    BuiltinCertificate, BuiltinRole, Group, TrustProfile, UnknownProfile, builtin_certificates,
};
pub use cert::CertSummary;
pub(crate) use cert::name_to_string;
pub use path::{MAX_CACHED, PathValidator};

use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use crate::time::Timestamp;

/// Errors for inputs that cannot be used at all (as opposed to validation outcomes, which are
/// reported in a [`PathReport`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not a valid X.509 certificate")]
    MalformedCertificate,
    /// The bytes are not a DER X.509 CRL.
    #[error("not a valid X.509 CRL")]
    MalformedCrl,
    /// Bytes follow the DER object.
    #[error("{what}: data after the end of the DER object")]
    TrailingData { what: &'static str },
    /// A PEM block could not be decoded (`index` counts from 0).
    #[error(
        "PEM block {} ({label}) cannot be decoded: {}",
        .index.saturating_add(1),
        if *.unterminated { "no -----END line" } else { "not base64" }
    )]
    MalformedPem {
        index: usize,
        label: String,
        /// The file ends before the block's END line (else the body is not base64).
        unterminated: bool,
    },
    /// The input holds neither PEM blocks nor a DER object.
    #[error("not a PEM file (no -----BEGIN line) and not a DER object")]
    NotPemOrDer,
    /// The input holds neither PEM blocks nor DER of the `expected` kind ("certificate",
    /// "CRL").
    #[error("not a PEM file (no -----BEGIN line) and not a DER {expected}")]
    NotPemOrDerOf { expected: &'static str },
    /// DER of another kind than `expected` ("a DER CRL, not a certificate").
    #[error("a DER {found}, not a {expected}")]
    OtherDer {
        expected: &'static str,
        found: &'static str,
    },
    /// PEM text without a block labelled `label`; `found` lists the labels it has.
    #[error("no {label} block in the PEM file (found: {})", found_labels(.found))]
    NoPemBlock {
        label: &'static str,
        found: Vec<String>,
    },
}

/// `found` for messages: `PRIVATE KEY, X509 CRL`, or `no PEM block` when empty.
fn found_labels(found: &[String]) -> String {
    if found.is_empty() {
        "no complete PEM block".to_owned()
    } else {
        found.join(", ")
    }
}

/// What [`TrustStore::load_certificates`] and [`TrustStore::load_crls`] look for.
#[derive(Clone, Copy)]
struct Wanted {
    /// "certificate" or "CRL", for messages.
    what: &'static str,
    /// The PEM labels taken (RFC 7468 §5 and §6; `X509 CERTIFICATE` is the old OpenSSL one).
    labels: &'static [&'static str],
    /// The PEM label named in messages.
    label: &'static str,
}

const CERTIFICATES: Wanted = Wanted {
    what: "certificate",
    labels: &["CERTIFICATE", "X509 CERTIFICATE"],
    label: "CERTIFICATE",
};

const CRLS: Wanted = Wanted {
    what: "CRL",
    labels: &["X509 CRL"],
    label: "X509 CRL",
};

/// Trust anchors, extra intermediate certificates and CRLs, all kept as DER.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<Vec<u8>>,
    intermediates: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    /// A digest of everything added, in order: two stores with the same fingerprint hold the
    /// same data, so path results computed with one hold for the other.
    fingerprint: [u8; 32],
}

/// Parse a whole certificate, rejecting trailing data.
pub(crate) fn parse_certificate(der: &[u8]) -> Result<X509Certificate<'_>, PkiError> {
    let (rest, cert) =
        X509Certificate::from_der(der).map_err(|_| PkiError::MalformedCertificate)?;
    if rest.is_empty() {
        Ok(cert)
    } else {
        Err(PkiError::TrailingData {
            what: "certificate",
        })
    }
}

/// Parse a whole CRL, rejecting trailing data.
pub(crate) fn parse_crl(der: &[u8]) -> Result<CertificateRevocationList<'_>, PkiError> {
    let (rest, crl) =
        CertificateRevocationList::from_der(der).map_err(|_| PkiError::MalformedCrl)?;
    if rest.is_empty() {
        Ok(crl)
    } else {
        Err(PkiError::TrailingData { what: "CRL" })
    }
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn absorb(&mut self, kind: u8, der: &[u8]) {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&self.fingerprint);
        ctx.update(&[kind]);
        ctx.update(&u64::try_from(der.len()).unwrap_or(u64::MAX).to_be_bytes());
        ctx.update(der);
        self.fingerprint.copy_from_slice(ctx.finish().as_ref());
    }

    /// SHA-256 chained over every anchor, intermediate and CRL added, in order.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// Add a trust anchor. The anchor is trusted by its subject and public key; its own
    /// signature, validity and extensions are not checked.
    pub fn add_anchor_der(&mut self, der: Vec<u8>) -> Result<(), PkiError> {
        parse_certificate(&der)?;
        self.absorb(b'A', &der);
        self.anchors.push(der);
        Ok(())
    }

    /// Add an untrusted certificate that path building may use as an intermediate.
    pub fn add_intermediate_der(&mut self, der: Vec<u8>) -> Result<(), PkiError> {
        parse_certificate(&der)?;
        self.absorb(b'I', &der);
        self.intermediates.push(der);
        Ok(())
    }

    /// Add a CRL (its signature is checked when it is used).
    pub fn add_crl_der(&mut self, der: Vec<u8>) -> Result<(), PkiError> {
        parse_crl(&der)?;
        self.absorb(b'C', &der);
        self.crls.push(der);
        Ok(())
    }

    /// Decode a file holding one or more PEM blocks (any label: `CERTIFICATE`, `X509 CRL`, …),
    /// or else one DER object (a SEQUENCE with nothing after it).
    pub fn load_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
        if pem::is_pem(bytes) {
            let blocks = pem::blocks(bytes);
            if blocks.is_empty() {
                return Err(PkiError::NotPemOrDer);
            }
            return blocks
                .into_iter()
                .enumerate()
                .map(|(index, b)| {
                    b.contents.map_err(|p| PkiError::MalformedPem {
                        index,
                        label: b.label,
                        unterminated: p == pem::PemProblem::NoEnd,
                    })
                })
                .collect();
        }
        use x509_parser::der_parser::asn1_rs::{Any, Tag};
        match Any::from_der(bytes) {
            Ok((rest, any)) if rest.is_empty() && any.tag() == Tag::Sequence => {
                Ok(vec![bytes.to_vec()])
            }
            Ok((rest, _)) if !rest.is_empty() => Err(PkiError::TrailingData { what: "DER file" }),
            _ => Err(PkiError::NotPemOrDer),
        }
    }

    /// The certificates of a file: its `CERTIFICATE` PEM blocks (other blocks, such as a key
    /// beside the certificate, are skipped), or else one DER certificate. Each is checked to
    /// parse. The errors say what the file holds instead: text that is not PEM, a PEM file
    /// with only other blocks (and which), a DER CRL.
    pub fn load_certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
        let ders = Self::load_wanted(bytes, CERTIFICATES)?;
        for der in &ders {
            parse_certificate(der)?;
        }
        Ok(ders)
    }

    /// The CRLs of a file: its `X509 CRL` PEM blocks, or else one DER CRL, each checked to
    /// parse; the errors are those of [`TrustStore::load_certificates`].
    pub fn load_crls(bytes: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
        let ders = Self::load_wanted(bytes, CRLS)?;
        for der in &ders {
            parse_crl(der)?;
        }
        Ok(ders)
    }

    fn load_wanted(bytes: &[u8], wanted: Wanted) -> Result<Vec<Vec<u8>>, PkiError> {
        if pem::is_pem(bytes) {
            let blocks = pem::blocks(bytes);
            let found = pem::labels(&blocks);
            let mut out = Vec::new();
            for (index, b) in blocks.into_iter().enumerate() {
                if !wanted.labels.contains(&b.label.as_str()) {
                    continue;
                }
                out.push(b.contents.map_err(|p| PkiError::MalformedPem {
                    index,
                    label: b.label,
                    unterminated: p == pem::PemProblem::NoEnd,
                })?);
            }
            if out.is_empty() {
                return Err(PkiError::NoPemBlock {
                    label: wanted.label,
                    found,
                });
            }
            return Ok(out);
        }
        let is_cert = X509Certificate::from_der(bytes).is_ok_and(|(rest, _)| rest.is_empty());
        let is_crl =
            CertificateRevocationList::from_der(bytes).is_ok_and(|(rest, _)| rest.is_empty());
        match (wanted.what, is_cert, is_crl) {
            ("certificate", true, _) | ("CRL", _, true) => Ok(vec![bytes.to_vec()]),
            ("certificate", false, true) => Err(PkiError::OtherDer {
                expected: wanted.what,
                found: "CRL",
            }),
            ("CRL", true, false) => Err(PkiError::OtherDer {
                expected: wanted.what,
                found: "certificate",
            }),
            _ => Err(PkiError::NotPemOrDerOf {
                expected: wanted.what,
            }),
        }
    }

    pub fn has_anchors(&self) -> bool {
        !self.anchors.is_empty()
    }

    pub fn anchors(&self) -> &[Vec<u8>] {
        &self.anchors
    }

    pub fn intermediates(&self) -> &[Vec<u8>] {
        &self.intermediates
    }

    pub fn crls(&self) -> &[Vec<u8>] {
        &self.crls
    }
}

/// Which key usage bits the signer's certificate must assert (RFC 5280 §4.2.1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyUsageRule {
    /// digitalSignature or nonRepudiation (contentCommitment); the usual PAdES rule, since many
    /// qualified certificates assert only nonRepudiation.
    #[default]
    DigitalSignatureOrNonRepudiation,
    NonRepudiation,
    DigitalSignature,
    /// No key usage requirement (the extension may also be absent).
    Any,
}

/// Default bound on the number of certificates in a path, signer and anchor included
/// (real PKIs, including the Vietnamese government and public CAs, use 2–4).
pub const DEFAULT_MAX_PATH_LEN: usize = 8;
/// Default minimum RSA modulus size (ETSI TS 119 312 and the EU DSS default policy, 2024+).
pub const DEFAULT_MIN_RSA_BITS: usize = 2048;

/// Policy for one path validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathOptions {
    /// The time at which validity and revocation are judged. Judged to the second: a fraction
    /// of a second is dropped (truncated toward the epoch, as [`Timestamp::as_second`] does).
    pub validation_time: Timestamp,
    /// The claimed or proven signing time; the signer must have been valid then. Judged to the
    /// second, like `validation_time`.
    pub signing_time: Option<Timestamp>,
    pub key_usage: KeyUsageRule,
    /// Maximum number of certificates in a path, signer and anchor included.
    pub max_path_len: usize,
    /// Smallest RSA key accepted anywhere in the path (anchor included).
    pub min_rsa_bits: usize,
    /// Accept certificates signed with SHA-1.
    pub allow_sha1: bool,
}

impl PathOptions {
    /// Strict defaults at `validation_time`.
    pub fn new(validation_time: Timestamp) -> Self {
        Self {
            validation_time,
            signing_time: None,
            key_usage: KeyUsageRule::default(),
            max_path_len: DEFAULT_MAX_PATH_LEN,
            min_rsa_bits: DEFAULT_MIN_RSA_BITS,
            allow_sha1: false,
        }
    }

    /// These options with the validation and signing times truncated to whole seconds, the
    /// resolution at which paths are judged and results remembered (see "Times at the edge" in
    /// `cert.rs` for why the clamped certificate times rely on it).
    pub(crate) fn to_whole_seconds(&self) -> Self {
        let whole = |t: Timestamp| Timestamp::from_second(t.as_second()).unwrap_or(t);
        Self {
            validation_time: whole(self.validation_time),
            signing_time: self.signing_time.map(whole),
            ..self.clone()
        }
    }
}

/// What path validation gets from the signature being verified.
#[derive(Debug, Clone, Copy)]
pub struct PathInput<'a> {
    /// The signer's certificate (DER).
    pub signer_der: &'a [u8],
    /// Other certificates carried with the signature (CMS `certificates`, PDF /DSS /Certs).
    pub extra_certs: &'a [&'a [u8]],
    /// CRLs carried with the signature (CMS `crls`, adbe-revocationInfoArchival, /DSS /CRLs).
    pub embedded_crls: &'a [&'a [u8]],
    /// DER OCSPResponse or BasicOCSPResponse (adbe-revocationInfoArchival, /DSS /OCSPs).
    pub embedded_ocsp: &'a [&'a [u8]],
}

/// Revocation status of the signer's certificate at the validation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// A CRL or OCSP response from the issuer, with a valid signature, says not revoked.
    Good,
    /// Revoked at `time`, at or before the validation time.
    Revoked { time: Timestamp },
    /// An OCSP responder answered "unknown", or revocation data could not be used.
    Unknown,
    /// No revocation data for this certificate.
    NotChecked,
}

/// The verdict of path validation (see the module docs for the order of checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathOutcome {
    Valid,
    /// No path to a trust anchor (also when there are no anchors).
    NoChain,
    /// A certificate of the path is expired at the validation time.
    Expired,
    /// A certificate of the path is not yet valid at the validation time.
    NotYetValid,
    /// The signer's certificate had expired at the signing time.
    ExpiredAtSigningTime,
    /// The signer's certificate was not yet valid at the signing time.
    NotYetValidAtSigningTime,
    /// basicConstraints, pathLen, CA key usage or an unknown critical extension.
    ChainConstraints {
        reason: String,
    },
    /// The signer's key usage does not allow signing under the rule.
    KeyUsage {
        reason: String,
    },
    /// A certificate's signature does not verify with its issuer's key.
    BadCertSignature {
        subject: String,
    },
    /// A weak algorithm in the path (SHA-1 signature, short RSA key).
    CryptoConstraints {
        reason: String,
    },
    /// A certificate of the path is revoked, at `time` (at or before the validation time).
    Revoked {
        time: Timestamp,
    },
    /// An algorithm or extension this crate cannot judge.
    Unsupported {
        what: String,
    },
}

impl PathOutcome {
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid)
    }
}

/// The result of [`PathValidator::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathReport {
    /// Signer first, the anchor last when a path was found; otherwise what could be assembled.
    pub chain: Vec<CertSummary>,
    pub outcome: PathOutcome,
    /// The signer's revocation status.
    pub revocation: Revocation,
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests;
