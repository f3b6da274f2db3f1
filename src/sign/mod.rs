//! Signing PDF e-documents: PAdES incremental signatures, one-step (key in process) or two-step
//! (prepare, sign elsewhere — a USB token, an HSM, a remote service — then complete).

pub mod appearance;
pub(crate) mod cms_builder;
pub mod key;
pub mod pdf;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod preflight;
pub mod tsa;

pub use key::KeySigner;
pub use pdf::{PreparedSignature, SignOptions, SubFilter, prepare, sign_pdf, sign_pdf_to};
pub use preflight::{SignWarning, preflight};

use thiserror::Error;

/// Signature algorithms the signer can produce (ring for keys in process).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`sha256WithRSAEncryption`).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (`sha384WithRSAEncryption`).
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (`sha512WithRSAEncryption`).
    RsaPkcs1Sha512,
    /// ECDSA on P-256 with SHA-256 (`ecdsa-with-SHA256`).
    EcdsaP256Sha256,
    /// ECDSA on P-384 with SHA-384 (`ecdsa-with-SHA384`).
    EcdsaP384Sha384,
}

impl SignatureAlgorithm {
    /// The digest algorithm used for the document and the signed attributes.
    pub fn digest(self) -> crate::crypto::DigestAlgorithm {
        use crate::crypto::DigestAlgorithm::*;
        match self {
            Self::RsaPkcs1Sha256 | Self::EcdsaP256Sha256 => Sha256,
            Self::RsaPkcs1Sha384 | Self::EcdsaP384Sha384 => Sha384,
            Self::RsaPkcs1Sha512 => Sha512,
        }
    }
}

/// Produces a raw signature value over a message (the DER signed attributes). The signer hashes
/// the message itself, as PKCS#11 `CKM_SHA256_RSA_PKCS` and ring do; ECDSA values are returned
/// DER-encoded (ECDSA-Sig-Value).
pub trait Signer {
    /// The signer's certificate (DER).
    fn certificate(&self) -> &[u8];
    /// Intermediate certificates to embed (DER), signer's issuer first.
    fn chain(&self) -> &[Vec<u8>];
    /// The algorithm of the values [`Signer::sign`] returns; it also sets the digest of the
    /// document and of the signed attributes ([`SignatureAlgorithm::digest`]).
    fn algorithm(&self) -> SignatureAlgorithm;
    /// The signature value over `message` (the DER signed attributes), hashing it with the
    /// algorithm's digest first. Fails with [`SignError`] when the key or device refuses.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// The error of x509-parser when a certificate cannot be parsed.
pub type X509ParseError = x509_parser::nom::Err<x509_parser::error::X509Error>;

/// Failures while signing.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SignError {
    /// The input document cannot be read.
    #[error("PDF: {0}")]
    Pdf(#[from] crate::malformed::PdfError),
    /// The private key cannot be used, or the value it produced is wrong.
    #[error("signing key: {0}")]
    Key(#[from] KeyError),
    /// The private key read from `path` cannot be used ([`KeySigner::from_files`]).
    #[error("signing key {}: {source}", .path.display())]
    KeyFile {
        /// The key file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: KeyError,
    },
    /// The signer's certificate (or its chain) cannot be used.
    #[error("signer certificate: {0}")]
    Certificate(#[from] CertificateError),
    /// The CMS is larger than the space reserved for it.
    #[error("the CMS ({needed} bytes) does not fit the reserved /Contents ({reserved} bytes)")]
    ContentsTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes reserved.
        reserved: usize,
    },
    /// The document has a structure the signer does not rewrite.
    #[error("the document cannot take a signature: {0}")]
    Unsupported(&'static str),
    /// The PKCS#11 token failed or refused.
    #[cfg(feature = "pkcs11")]
    #[error("signing device: {0}")]
    Device(#[from] pkcs11::DeviceError),
    /// The time-stamping authority failed or sent a token that does not hold.
    #[error("timestamp: {0}")]
    Timestamp(#[from] tsa::TsaError),
    /// The visible appearance cannot be built.
    #[error("appearance: {0}")]
    Appearance(#[from] appearance::AppearanceError),
    /// Writing the signed document failed.
    #[error("output: {0}")]
    Io(#[source] std::io::Error),
}

/// Why a private key cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key file cannot be read.
    #[error("{}: {source}", .path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// PEM text without the `-----BEGIN {label}-----` line.
    #[error("no -----BEGIN {label}----- block")]
    NoPemBegin {
        /// The label.
        label: String,
    },
    /// PEM text without the `-----END {label}-----` line.
    #[error("no -----END {label}-----")]
    NoPemEnd {
        /// The label.
        label: String,
    },
    /// The PEM body is not base64.
    #[error("PEM: {0}")]
    PemBase64(#[source] base64::DecodeError),
    /// A key the signing policy refuses (RSA outside [`key::MIN_RSA_BITS`]..=
    /// [`key::MAX_RSA_BITS`], a curve other than P-256/P-384, Ed25519, DSA, …).
    #[error("{}", refusal(.key))]
    Refused {
        /// What the key is.
        key: key::KeyType,
    },
    /// An encrypted key (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a legacy PEM with
    /// `Proc-Type: 4,ENCRYPTED`): the signer reads unencrypted keys only.
    #[error(
        "the key file is encrypted ({label}); decrypt it first: \
         `openssl pkey -in KEY -out KEY.plain` (and keep the copy safe), or use a PKCS#11 token"
    )]
    Encrypted {
        /// The PEM label.
        label: String,
    },
    /// PEM text without a private key block.
    #[error(
        "no private key in the PEM file (found: {}); the key is the file with \
         -----BEGIN PRIVATE KEY-----",
        if .found.is_empty() { "no complete PEM block".to_owned() } else { .found.join(", ") }
    )]
    NoPrivateKeyBlock {
        /// The labels found.
        found: Vec<String>,
    },
    /// A PEM private key of a kind the signer does not read (`OPENSSH PRIVATE KEY`, `DSA
    /// PRIVATE KEY`, …).
    #[error(
        "{label} keys are not supported: convert it with \
         `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8` (RSA or ECDSA P-256/P-384)"
    )]
    UnsupportedPemKey {
        /// The PEM label.
        label: String,
    },
    /// The PEM block of the key cannot be decoded.
    #[error(
        "the {label} block cannot be decoded: {}",
        if *.unterminated { "no -----END line" } else { "not base64" }
    )]
    MalformedPemKey {
        /// The PEM label.
        label: String,
        /// The file ends before the END line (else the body is not base64).
        unterminated: bool,
    },
    /// Bytes that are neither PEM nor a DER private key.
    #[error(
        "not a private key: not a PEM file (no -----BEGIN line) and not a DER PKCS#8, \
         PKCS#1 or SEC1 key"
    )]
    NotAKey,
    /// A certificate given as the key.
    #[error("this is a certificate, not a private key")]
    CertificateNotKey,
    /// A PEM block announced as `format` whose DER is not that structure.
    #[error("a malformed {format} private key")]
    Malformed {
        /// `PKCS#8`, `PKCS#1` or `SEC1`.
        format: &'static str,
    },
    /// ring refused a key of a supported type (inconsistent RSA primes, a point off the
    /// curve, …).
    #[error("the {format} key is invalid ({reason})")]
    Rejected {
        /// `PKCS#8`, `PKCS#1` or `SEC1`.
        format: &'static str,
        /// ring's reason (`InvalidEncoding`, `InconsistentComponents`, …).
        reason: String,
    },
    /// A SEC1 key without a field the signer needs.
    #[error(
        "the SEC1 (EC PRIVATE KEY) file has no {missing}: convert it with \
         `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8`"
    )]
    Sec1Incomplete {
        /// `curve` or `public key`.
        missing: &'static str,
    },
    /// The key's public half is not the certificate's.
    #[error(
        "the key ({key}) does not match the certificate's public key ({}subject {subject})",
        .certificate_key.as_ref().map(|k| format!("{k}, ")).unwrap_or_default()
    )]
    CertificateMismatch {
        /// The private key's type.
        key: key::KeyType,
        /// The certificate's key type, when it can be read.
        certificate_key: Option<key::KeyType>,
        /// The certificate's subject (RFC 4514).
        subject: String,
    },
    /// ring failed to produce an RSA signature (its error carries no detail).
    #[error("RSA signing failed")]
    RsaSigning,
    /// ring failed to produce an ECDSA signature (its error carries no detail).
    #[error("ECDSA signing failed")]
    EcdsaSigning,
    /// The signer returned a value that does not verify with the certificate's key.
    #[error("the signature value does not verify with the certificate: {0}")]
    SignatureDoesNotVerify(#[source] crate::crypto::CryptoError),
}

/// The message of [`KeyError::Refused`]: what the key is, then what the policy takes.
fn refusal(key: &key::KeyType) -> String {
    use key::{KeyType, MAX_RSA_BITS, MIN_RSA_BITS};
    match key {
        KeyType::Rsa { bits } if *bits < MIN_RSA_BITS => format!(
            "{key}; the policy requires RSA of at least {MIN_RSA_BITS} bits (or ECDSA P-256/P-384)"
        ),
        KeyType::Rsa { .. } => format!(
            "{key}; keys of {MIN_RSA_BITS} to {MAX_RSA_BITS} bits are supported (or ECDSA \
             P-256/P-384)"
        ),
        KeyType::Ec { .. } => format!(
            "{key}; the curve is not supported: the policy takes ECDSA P-256 or P-384 (or RSA \
             of at least {MIN_RSA_BITS} bits)"
        ),
        _ => format!(
            "{key} keys are not supported: the policy takes RSA of at least {MIN_RSA_BITS} \
             bits or ECDSA P-256/P-384"
        ),
    }
}

/// Why the signer's certificate cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The certificate is not DER X.509.
    #[error("{0}")]
    Parse(#[source] X509ParseError),
    /// A certificate file holds no certificate that can be read.
    #[error("{0}")]
    Load(#[source] crate::pki::PkiError),
    /// A certificate file cannot be read.
    #[error("{}: {source}", .path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A certificate file holds no usable certificate (not PEM or DER, only other PEM blocks,
    /// a CRL, …).
    #[error("{}: {source}", .path.display())]
    File {
        /// The file.
        path: std::path::PathBuf,
        /// What it holds instead.
        #[source]
        source: crate::pki::PkiError,
    },
    /// A chain file (intermediates to embed) holds no usable certificate.
    #[error("chain file {}: {source}", .path.display())]
    ChainFile {
        /// The file.
        path: std::path::PathBuf,
        /// What it holds instead.
        #[source]
        source: crate::pki::PkiError,
    },
    /// The certificate file holds no certificate.
    #[error("no certificate")]
    NoCertificate,
    /// The certificate's public key cannot be read.
    #[error("{0}")]
    PublicKey(#[source] crate::crypto::CryptoError),
    /// The signed attributes built for the certificate are not DER.
    #[error("signed attributes: {0}")]
    SignedAttributes(#[source] crate::der::DerError),
    /// The certificate given for a token's key cannot be parsed.
    #[error("cannot parse the certificate: {0}")]
    Unparsable(#[source] X509ParseError),
    /// The public key of the certificate given for a token's key cannot be parsed.
    #[error("cannot parse the certificate's public key: {0}")]
    UnparsablePublicKey(#[source] x509_parser::error::X509Error),
    /// The certificate carries another key than the token's.
    #[error("the certificate does not belong to the token's {key} key: {mismatch}")]
    NotTheTokensKey {
        /// The token key, as described in messages ("RSA", "EC P-256", …).
        key: &'static str,
        /// The mismatch.
        mismatch: KeyMismatch,
    },
}

/// How a certificate's key differs from a token's key.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyMismatch {
    /// Both RSA, with different moduli.
    #[error("the RSA moduli differ")]
    RsaModulus,
    /// Both EC, on different curves (the certificate's curve as a dotted OID).
    #[error("the certificate's curve is {curve}")]
    Curve {
        /// The curve.
        curve: String,
    },
    /// An EC certificate key without a named curve.
    #[error("the certificate's key names no curve")]
    NoCurve,
    /// RSA against EC, or the reverse.
    #[error("the certificate's key is of another type")]
    OtherType,
}
