//! Signing PDF e-documents: PAdES incremental signatures, one-step (key in process) or two-step
//! (prepare, sign elsewhere — a USB token, an HSM, a remote service — then complete).

pub mod appearance;
pub(crate) mod cms_builder;
pub mod key;
pub mod pdf;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod tsa;

pub use key::KeySigner;
pub use pdf::{PreparedSignature, SignOptions, SubFilter, prepare, sign_pdf, sign_pdf_to};

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
    #[error("key: {0}")]
    Key(#[from] KeyError),
    /// The signer's certificate (or its chain) cannot be used.
    #[error("certificate: {0}")]
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
    /// An RSA key outside the supported sizes.
    #[error("RSA-{bits}: keys of 2048 to 4096 bits are supported")]
    RsaSize {
        /// The bits.
        bits: usize,
    },
    /// Neither an RSA nor an ECDSA P-256/P-384 PKCS#8 key.
    #[error("not a PKCS#8 RSA, ECDSA P-256 or P-384 private key")]
    NotPkcs8,
    /// The key's public half is not the certificate's.
    #[error("the key does not match the certificate")]
    CertificateMismatch,
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
