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

/// Failures while signing.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SignError {
    #[error("PDF: {0}")]
    Pdf(#[from] crate::error::PdfError),
    #[error("key: {0}")]
    Key(String),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("the CMS ({needed} bytes) does not fit the reserved /Contents ({reserved} bytes)")]
    ContentsTooSmall { needed: usize, reserved: usize },
    #[error("the document cannot take a signature: {0}")]
    Unsupported(&'static str),
    #[error("signing device: {0}")]
    Device(String),
    #[error("timestamp: {0}")]
    Timestamp(String),
    #[error("appearance: {0}")]
    Appearance(String),
    /// Writing the signed document failed.
    #[error("output: {0}")]
    Io(String),
}
