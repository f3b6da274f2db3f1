//! Digests, public keys and signature verification, all computed by `ring`.
//!
//! This module is the only place that touches signature math. It takes algorithm identifiers as
//! raw DER (the OBJECT IDENTIFIER content bytes and the parameters' full TLV), so the CMS and PKI
//! layers hand it exactly what they read, and it answers with the algorithm it actually used
//! ([`SignatureAlgorithm`]), or says plainly that an algorithm is unsupported
//! ([`CryptoError::Unsupported`]) as opposed to a signature being wrong
//! ([`CryptoError::BadSignature`]).
//!
//! Policy (is SHA-1 or RSA-1024 acceptable?) is not decided here: legacy algorithms are verified
//! through ring's `*_FOR_LEGACY_USE_ONLY` variants so that integrity is still known, and the
//! caller judges the algorithm it gets back.

use std::borrow::Cow;
use std::fmt;

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Oid, Tag};
use x509_parser::public_key::RSAPublicKey;
use x509_parser::signature_algorithm::RsaSsaPssParams;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// OBJECT IDENTIFIER content bytes (DER, without tag and length) of the algorithms we name.
pub mod oid {
    /// id-sha1 1.3.14.3.2.26 (RFC 3279 §2.2.1)
    pub const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
    /// id-sha256 2.16.840.1.101.3.4.2.1 (RFC 5754 §2)
    pub const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    /// id-sha384 2.16.840.1.101.3.4.2.2
    pub const SHA384: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
    /// id-sha512 2.16.840.1.101.3.4.2.3
    pub const SHA512: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03];
    /// id-sha224 2.16.840.1.101.3.4.2.4 (named only to report it unsupported)
    pub const SHA224: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04];
    /// id-md5 1.2.840.113549.2.5 (named only to report it unsupported)
    pub const MD5: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05];

    /// PKCS#1 arc 1.2.840.113549.1.1 (RFC 8017 Appendix C); the algorithms add one arc.
    const fn pkcs1(last: u8) -> [u8; 9] {
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, last]
    }
    /// rsaEncryption 1.2.840.113549.1.1.1
    pub const RSA_ENCRYPTION: &[u8] = &pkcs1(1);
    /// md5WithRSAEncryption 1.2.840.113549.1.1.4
    pub const MD5_WITH_RSA: &[u8] = &pkcs1(4);
    /// sha1WithRSAEncryption 1.2.840.113549.1.1.5
    pub const SHA1_WITH_RSA: &[u8] = &pkcs1(5);
    /// id-mgf1 1.2.840.113549.1.1.8
    pub const MGF1: &[u8] = &pkcs1(8);
    /// id-RSASSA-PSS 1.2.840.113549.1.1.10
    pub const RSASSA_PSS: &[u8] = &pkcs1(10);
    /// sha256WithRSAEncryption 1.2.840.113549.1.1.11
    pub const SHA256_WITH_RSA: &[u8] = &pkcs1(11);
    /// sha384WithRSAEncryption 1.2.840.113549.1.1.12
    pub const SHA384_WITH_RSA: &[u8] = &pkcs1(12);
    /// sha512WithRSAEncryption 1.2.840.113549.1.1.13
    pub const SHA512_WITH_RSA: &[u8] = &pkcs1(13);
    /// sha224WithRSAEncryption 1.2.840.113549.1.1.14
    pub const SHA224_WITH_RSA: &[u8] = &pkcs1(14);

    /// id-ecPublicKey 1.2.840.10045.2.1 (RFC 5480 §2.1.1)
    pub const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// ecdsa-with-SHA1 1.2.840.10045.4.1 (RFC 3279 §2.2.3)
    pub const ECDSA_WITH_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01];
    /// ecdsa-with-SHA224 1.2.840.10045.4.3.1 (RFC 5758 §3.2)
    pub const ECDSA_WITH_SHA224: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x01];
    /// ecdsa-with-SHA256 1.2.840.10045.4.3.2
    pub const ECDSA_WITH_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    /// ecdsa-with-SHA384 1.2.840.10045.4.3.3
    pub const ECDSA_WITH_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    /// ecdsa-with-SHA512 1.2.840.10045.4.3.4
    pub const ECDSA_WITH_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];

    /// secp256r1 / prime256v1 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1)
    pub const CURVE_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1 1.3.132.0.34
    pub const CURVE_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1 1.3.132.0.35
    pub const CURVE_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// brainpoolP256r1 1.3.36.3.3.2.8.1.1.7 (RFC 5639 §4.1)
    pub const BRAINPOOL_P256R1: &[u8] = &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07];
    /// brainpoolP384r1 1.3.36.3.3.2.8.1.1.11
    pub const BRAINPOOL_P384R1: &[u8] = &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b];
    /// brainpoolP512r1 1.3.36.3.3.2.8.1.1.13
    pub const BRAINPOOL_P512R1: &[u8] = &[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d];

    /// id-Ed25519 1.3.101.112 (RFC 8410 §3)
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// id-Ed448 1.3.101.113
    pub const ED448: &[u8] = &[0x2b, 0x65, 0x71];

    /// id-dsa 1.2.840.10040.4.1 (RFC 3279 §2.3.2)
    pub const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
    /// id-dsa-with-sha1 1.2.840.10040.4.3
    pub const DSA_WITH_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03];
    /// id-dsa-with-sha256 2.16.840.1.101.3.4.3.2 (RFC 5758 §3.1)
    pub const DSA_WITH_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02];
    /// GOST arcs start with 1.2.643 (RFC 4491); only the prefix is compared.
    pub const GOST_PREFIX: &[u8] = &[0x2a, 0x85, 0x03];
}

/// Render OBJECT IDENTIFIER content bytes as dotted decimal (e.g. `1.2.840.113549.1.1.11`).
pub fn oid_to_string(oid: &[u8]) -> String {
    Oid::new(Cow::Borrowed(oid)).to_id_string()
}

/// Errors of this module. "Unsupported" (we cannot judge) is kept apart from "invalid".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The algorithm, curve, key size or parameter set is not implemented.
    #[error("unsupported algorithm: {what}")]
    Unsupported { what: String },
    /// The signature does not verify with this key (or its encoding is wrong).
    #[error("signature does not verify")]
    BadSignature,
    /// The SubjectPublicKeyInfo or the key inside it is malformed.
    #[error("malformed public key")]
    MalformedKey,
    /// The AlgorithmIdentifier (OID or parameters) is malformed.
    #[error("malformed algorithm identifier")]
    MalformedAlgorithm,
    /// The signature algorithm needs a digest algorithm from its context (bare
    /// rsaEncryption / id-ecPublicKey) and none was given.
    #[error("signature algorithm {algorithm} needs a digest algorithm from its context")]
    MissingDigest { algorithm: &'static str },
    /// The key type does not fit the signature algorithm.
    #[error("{key} key cannot verify a {algorithm} signature")]
    KeyMismatch {
        key: String,
        algorithm: &'static str,
    },
}

/// A digest algorithm that this crate computes (through `ring::digest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// From the OBJECT IDENTIFIER content bytes (no tag/length).
    pub fn from_oid(oid: &[u8]) -> Option<Self> {
        match oid {
            oid::SHA1 => Some(Self::Sha1),
            oid::SHA256 => Some(Self::Sha256),
            oid::SHA384 => Some(Self::Sha384),
            oid::SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The OBJECT IDENTIFIER content bytes.
    pub fn oid(self) -> &'static [u8] {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// Display name, e.g. `"SHA-256"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        self.ring().output_len()
    }

    fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            Self::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            Self::Sha256 => &ring::digest::SHA256,
            Self::Sha384 => &ring::digest::SHA384,
            Self::Sha512 => &ring::digest::SHA512,
        }
    }

    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        Hasher {
            ctx: ring::digest::Context::new(self.ring()),
        }
    }

    /// Digest of the concatenation of `parts`.
    pub fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        let mut h = self.hasher();
        for p in parts {
            h.update(p);
        }
        h.finish()
    }
}

/// SHA-256 of `bytes` as a fixed-size array: the document and certificate key of the ledger,
/// the exchange engine and the verifier's caches.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Incremental digest computation (wraps `ring::digest::Context`).
#[derive(Clone)]
pub struct Hasher {
    ctx: ring::digest::Context,
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        self.ctx.update(data);
    }

    pub fn finish(self) -> Vec<u8> {
        self.ctx.finish().as_ref().to_vec()
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", self.ctx.algorithm())
            .finish()
    }
}

/// Named elliptic curves (RFC 5480 §2.1.1.1, RFC 5639).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    P521,
    BrainpoolP256r1,
    BrainpoolP384r1,
    BrainpoolP512r1,
    /// Any other named curve, as a dotted OID.
    Other(String),
}

impl Curve {
    pub(crate) fn from_oid(oid: &[u8]) -> Self {
        match oid {
            oid::CURVE_P256 => Self::P256,
            oid::CURVE_P384 => Self::P384,
            oid::CURVE_P521 => Self::P521,
            oid::BRAINPOOL_P256R1 => Self::BrainpoolP256r1,
            oid::BRAINPOOL_P384R1 => Self::BrainpoolP384r1,
            oid::BRAINPOOL_P512R1 => Self::BrainpoolP512r1,
            other => Self::Other(oid_to_string(other)),
        }
    }

    /// Display name, e.g. `"P-256"`, `"brainpoolP256r1"`.
    pub fn name(&self) -> Cow<'static, str> {
        match self {
            Self::P256 => "P-256".into(),
            Self::P384 => "P-384".into(),
            Self::P521 => "P-521".into(),
            Self::BrainpoolP256r1 => "brainpoolP256r1".into(),
            Self::BrainpoolP384r1 => "brainpoolP384r1".into(),
            Self::BrainpoolP512r1 => "brainpoolP512r1".into(),
            Self::Other(oid) => format!("curve {oid}").into(),
        }
    }
}

/// The kind of a public key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// RSA with the modulus size in bits.
    Rsa {
        bits: usize,
    },
    /// EC key (id-ecPublicKey) on a named curve.
    Ec {
        curve: Curve,
    },
    Ed25519,
    /// Any other key algorithm (DSA, GOST, Ed448, …), as a display name or dotted OID.
    Other(String),
}

/// A public key parsed from a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
///
/// ```text
/// SubjectPublicKeyInfo  ::=  SEQUENCE  {
///      algorithm            AlgorithmIdentifier,
///      subjectPublicKey     BIT STRING  }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeyInfo {
    kind: KeyKind,
    /// What ring's `UnparsedPublicKey` takes: the RSAPublicKey DER for RSA, the uncompressed
    /// point for EC, the 32 raw bytes for Ed25519; the BIT STRING content otherwise.
    key: Vec<u8>,
}

impl PublicKeyInfo {
    /// Parse a DER SubjectPublicKeyInfo; trailing data is rejected.
    pub fn from_spki_der(spki: &[u8]) -> Result<Self, CryptoError> {
        let (rest, info) =
            SubjectPublicKeyInfo::from_der(spki).map_err(|_| CryptoError::MalformedKey)?;
        if !rest.is_empty() {
            return Err(CryptoError::MalformedKey);
        }
        Self::from_parsed_spki(&info)
    }

    /// From an SPKI that x509-parser has already parsed (e.g. a certificate's).
    pub fn from_parsed_spki(info: &SubjectPublicKeyInfo<'_>) -> Result<Self, CryptoError> {
        if info.subject_public_key.unused_bits != 0 {
            return Err(CryptoError::MalformedKey);
        }
        let bits: &[u8] = info.subject_public_key.data.as_ref();
        let alg = info.algorithm.algorithm.as_bytes();
        let params = info.algorithm.parameters.as_ref();
        match alg {
            oid::RSA_ENCRYPTION => {
                // RFC 3279 §2.3.1: parameters MUST be NULL (tolerate absent, as webpki does not).
                if !params_absent_or_null(params) {
                    return Err(CryptoError::MalformedKey);
                }
                let (rest, rsa) =
                    RSAPublicKey::from_der(bits).map_err(|_| CryptoError::MalformedKey)?;
                if !rest.is_empty() {
                    return Err(CryptoError::MalformedKey);
                }
                let bits_len = integer_bits(rsa.modulus).ok_or(CryptoError::MalformedKey)?;
                Ok(Self {
                    kind: KeyKind::Rsa { bits: bits_len },
                    key: bits.to_vec(),
                })
            }
            oid::EC_PUBLIC_KEY => {
                // RFC 5480 §2.1.1: ECParameters ::= CHOICE { namedCurve OID, ... }; only
                // namedCurve is allowed in PKIX.
                let curve_any = params.ok_or(CryptoError::MalformedKey)?;
                if curve_any.tag() != Tag::Oid {
                    return Err(CryptoError::Unsupported {
                        what: "EC key with explicit curve parameters".into(),
                    });
                }
                let curve = Curve::from_oid(curve_any.data);
                Ok(Self {
                    kind: KeyKind::Ec { curve },
                    key: bits.to_vec(),
                })
            }
            oid::ED25519 => {
                // RFC 8410 §3: parameters MUST be absent.
                if params.is_some() || bits.len() != 32 {
                    return Err(CryptoError::MalformedKey);
                }
                Ok(Self {
                    kind: KeyKind::Ed25519,
                    key: bits.to_vec(),
                })
            }
            other => Ok(Self {
                kind: KeyKind::Other(key_alg_name(other)),
                key: bits.to_vec(),
            }),
        }
    }

    pub fn kind(&self) -> &KeyKind {
        &self.kind
    }

    /// The key bytes in the form ring takes (see the field doc).
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// `"RSA-2048"`, `"ECDSA P-256"`, `"Ed25519"`, `"DSA"`, …
    pub fn describe(&self) -> String {
        match &self.kind {
            KeyKind::Rsa { bits } => format!("RSA-{bits}"),
            KeyKind::Ec { curve } => format!("ECDSA {}", curve.name()),
            KeyKind::Ed25519 => "Ed25519".into(),
            KeyKind::Other(name) => name.clone(),
        }
    }

    pub fn rsa_bits(&self) -> Option<usize> {
        match self.kind {
            KeyKind::Rsa { bits } => Some(bits),
            _ => None,
        }
    }
}

/// Bit length of a DER INTEGER's content (big-endian, possibly with a sign byte); `None` for a
/// zero or negative value.
pub(crate) fn integer_bits(int: &[u8]) -> Option<usize> {
    if int.first().is_some_and(|b| b & 0x80 != 0) {
        return None; // negative
    }
    let start = int.iter().position(|&b| b != 0)?;
    let significant = int.get(start..)?;
    let first = *significant.first()?;
    let rest_bits = significant.len().checked_sub(1)?.checked_mul(8)?;
    let lead = usize::try_from(8u32.checked_sub(first.leading_zeros())?).ok()?;
    rest_bits.checked_add(lead)
}

pub(crate) fn key_alg_name(oid_bytes: &[u8]) -> String {
    match oid_bytes {
        oid::DSA => "DSA".into(),
        oid::ED448 => "Ed448".into(),
        o if o.starts_with(oid::GOST_PREFIX) => format!("GOST ({})", oid_to_string(o)),
        o => format!("key algorithm {}", oid_to_string(o)),
    }
}

fn params_absent_or_null(params: Option<&Any<'_>>) -> bool {
    match params {
        None => true,
        Some(p) => p.tag() == Tag::Null && p.data.is_empty(),
    }
}

/// The algorithm a signature was verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureAlgorithm {
    /// e.g. `"RSA PKCS#1 v1.5 SHA-256"`, `"RSASSA-PSS SHA-256"`, `"ECDSA P-256 SHA-256"`,
    /// `"Ed25519"`.
    pub name: &'static str,
    /// The digest the signature covers (`None` for Ed25519, which hashes internally).
    pub digest: Option<DigestAlgorithm>,
}

/// What the signature-algorithm OID says before looking at the key.
enum Scheme {
    Pkcs1(DigestAlgorithm),
    Pss,
    Ecdsa(DigestAlgorithm),
    /// ECDSA with the plain r‖s encoding (BSI TR-03111 §5.2.1), used by some EU signers.
    EcdsaPlain(DigestAlgorithm),
    Ed25519,
}

/// ecdsa-plain-SHA256/384/512, 0.4.0.127.0.7.1.1.4.1.{3,4,5} (BSI TR-03111 §5.2.1).
const ECDSA_PLAIN_SHA256: &[u8] = &[0x04, 0x00, 0x7f, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x03];
const ECDSA_PLAIN_SHA384: &[u8] = &[0x04, 0x00, 0x7f, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x04];
const ECDSA_PLAIN_SHA512: &[u8] = &[0x04, 0x00, 0x7f, 0x00, 0x07, 0x01, 0x01, 0x04, 0x01, 0x05];

fn unsupported(what: impl Into<String>) -> CryptoError {
    CryptoError::Unsupported { what: what.into() }
}

/// Decide the scheme from the signature AlgorithmIdentifier and the context digest.
///
/// The key's own OID as the signature algorithm (rsaEncryption, id-ecPublicKey, as CMS producers
/// write it: RFC 5652 §10.1.2 allows rsaEncryption) takes the digest from the context, the
/// SignerInfo's digestAlgorithm; the key type is still checked against the scheme, and the
/// digest still meets the caller's policy.
fn scheme_of(
    sig_alg_oid: &[u8],
    params: Option<&Any<'_>>,
    digest: Option<DigestAlgorithm>,
) -> Result<Scheme, CryptoError> {
    let pkcs1 = |d: DigestAlgorithm| {
        // RFC 4055 §5 / RFC 8017 A.2.4: parameters NULL (absent is seen in the wild).
        if params_absent_or_null(params) {
            Ok(Scheme::Pkcs1(d))
        } else {
            Err(CryptoError::MalformedAlgorithm)
        }
    };
    let ecdsa = |d: DigestAlgorithm| {
        // RFC 5758 §3.2: parameters MUST be absent. Several producers write an explicit NULL
        // instead (as RFC 3279 §2.2.3 had it for ecdsa-with-SHA1); a NULL says nothing, so it
        // reads as absent. Any other parameter is refused.
        if params_absent_or_null(params) {
            Ok(Scheme::Ecdsa(d))
        } else {
            Err(CryptoError::MalformedAlgorithm)
        }
    };
    match sig_alg_oid {
        ECDSA_PLAIN_SHA256 => Ok(Scheme::EcdsaPlain(DigestAlgorithm::Sha256)),
        ECDSA_PLAIN_SHA384 => Ok(Scheme::EcdsaPlain(DigestAlgorithm::Sha384)),
        ECDSA_PLAIN_SHA512 => Ok(Scheme::EcdsaPlain(DigestAlgorithm::Sha512)),
        oid::RSA_ENCRYPTION => pkcs1(digest.ok_or(CryptoError::MissingDigest {
            algorithm: "rsaEncryption",
        })?),
        oid::SHA1_WITH_RSA => pkcs1(DigestAlgorithm::Sha1),
        oid::SHA256_WITH_RSA => pkcs1(DigestAlgorithm::Sha256),
        oid::SHA384_WITH_RSA => pkcs1(DigestAlgorithm::Sha384),
        oid::SHA512_WITH_RSA => pkcs1(DigestAlgorithm::Sha512),
        oid::RSASSA_PSS => Ok(Scheme::Pss),
        oid::EC_PUBLIC_KEY => ecdsa(digest.ok_or(CryptoError::MissingDigest {
            algorithm: "id-ecPublicKey",
        })?),
        oid::ECDSA_WITH_SHA256 => ecdsa(DigestAlgorithm::Sha256),
        oid::ECDSA_WITH_SHA384 => ecdsa(DigestAlgorithm::Sha384),
        oid::ECDSA_WITH_SHA512 => ecdsa(DigestAlgorithm::Sha512),
        oid::ECDSA_WITH_SHA1 => Err(unsupported("ECDSA with SHA-1")),
        oid::ECDSA_WITH_SHA224 => Err(unsupported("ECDSA with SHA-224")),
        oid::ED25519 => {
            if params.is_none() {
                Ok(Scheme::Ed25519)
            } else {
                Err(CryptoError::MalformedAlgorithm)
            }
        }
        oid::ED448 => Err(unsupported("Ed448")),
        oid::MD5_WITH_RSA => Err(unsupported("RSA PKCS#1 v1.5 with MD5")),
        oid::SHA224_WITH_RSA => Err(unsupported("RSA PKCS#1 v1.5 with SHA-224")),
        oid::DSA | oid::DSA_WITH_SHA1 | oid::DSA_WITH_SHA256 => Err(unsupported("DSA")),
        o if o.starts_with(oid::GOST_PREFIX) => {
            Err(unsupported(format!("GOST ({})", oid_to_string(o))))
        }
        o => Err(unsupported(format!(
            "signature algorithm {}",
            oid_to_string(o)
        ))),
    }
}

/// RSASSA-PSS parameters (RFC 4055 §3.1); only the profile ring implements is accepted:
/// hash SHA-256/384/512, MGF1 with the same hash, salt length = hash length, trailer 1.
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
fn pss_digest(params: Option<&Any<'_>>) -> Result<DigestAlgorithm, CryptoError> {
    // Absent parameters mean all defaults, i.e. SHA-1 (RFC 4055 §3.1).
    let params = params.ok_or_else(|| unsupported("RSASSA-PSS with SHA-1"))?;
    let pss = RsaSsaPssParams::try_from(params).map_err(|_| CryptoError::MalformedAlgorithm)?;
    if let Some(h) = pss.hash_algorithm()
        && !params_absent_or_null(h.parameters.as_ref())
    {
        return Err(CryptoError::MalformedAlgorithm);
    }
    let hash_oid = pss.hash_algorithm_oid().as_bytes();
    let digest = DigestAlgorithm::from_oid(hash_oid)
        .ok_or_else(|| unsupported(format!("RSASSA-PSS with hash {}", oid_to_string(hash_oid))))?;
    if digest == DigestAlgorithm::Sha1 {
        return Err(unsupported("RSASSA-PSS with SHA-1"));
    }
    let mgf = pss
        .mask_gen_algorithm()
        .map_err(|_| CryptoError::MalformedAlgorithm)?;
    if mgf.mgf.as_bytes() != oid::MGF1 {
        return Err(unsupported(format!(
            "RSASSA-PSS mask generation {}",
            mgf.mgf.to_id_string()
        )));
    }
    if mgf.hash.as_bytes() != hash_oid {
        return Err(unsupported(
            "RSASSA-PSS with MGF1 hash different from message hash",
        ));
    }
    let salt = usize::try_from(pss.salt_length()).map_err(|_| CryptoError::MalformedAlgorithm)?;
    if salt != digest.output_len() {
        return Err(unsupported(format!(
            "RSASSA-PSS {} with salt length {salt}",
            digest.name()
        )));
    }
    if pss.trailer_field() != 1 {
        return Err(CryptoError::MalformedAlgorithm);
    }
    Ok(digest)
}

/// Parse the full DER TLV of algorithm parameters; trailing data is rejected.
fn parse_params(params: Option<&[u8]>) -> Result<Option<Any<'_>>, CryptoError> {
    match params {
        None => Ok(None),
        Some(bytes) => {
            let (rest, any) = Any::from_der(bytes).map_err(|_| CryptoError::MalformedAlgorithm)?;
            if rest.is_empty() {
                Ok(Some(any))
            } else {
                Err(CryptoError::MalformedAlgorithm)
            }
        }
    }
}

/// Smallest and largest RSA moduli ring verifies (its `RSA_*_1024_8192_*` and
/// `RSA_*_2048_8192_*` families).
const RSA_MIN_LEGACY_BITS: usize = 1024;
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// Verify `signature` over `message` with `key`.
///
/// `sig_alg_oid` / `sig_alg_params` are the signature AlgorithmIdentifier (OID content bytes,
/// parameters as a full DER TLV or `None`); `digest` is the digest algorithm from the context (the
/// CMS SignerInfo digestAlgorithm), used when the OID is bare rsaEncryption or id-ecPublicKey.
pub fn verify_signature(
    key: &PublicKeyInfo,
    sig_alg_oid: &[u8],
    sig_alg_params: Option<&[u8]>,
    digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    let params = parse_params(sig_alg_params)?;
    verify_with_any(
        key,
        sig_alg_oid,
        params.as_ref(),
        digest,
        message,
        signature,
    )
}

/// [`verify_signature`] with an AlgorithmIdentifier that x509-parser already parsed.
pub fn verify_with_algorithm(
    key: &PublicKeyInfo,
    alg: &AlgorithmIdentifier<'_>,
    digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    verify_with_any(
        key,
        alg.algorithm.as_bytes(),
        alg.parameters.as_ref(),
        digest,
        message,
        signature,
    )
}

/// What ring verifies a signature with: its algorithm, the name reported and the digest.
struct Verifier {
    alg: &'static dyn VerificationAlgorithm,
    name: &'static str,
    digest: Option<DigestAlgorithm>,
}

impl Verifier {
    fn new(
        alg: &'static dyn VerificationAlgorithm,
        name: &'static str,
        digest: DigestAlgorithm,
    ) -> Self {
        Verifier {
            alg,
            name,
            digest: Some(digest),
        }
    }
}

/// The key of the signature does not fit the signature algorithm.
fn key_mismatch(key: &PublicKeyInfo, algorithm: &'static str) -> CryptoError {
    CryptoError::KeyMismatch {
        key: key.describe(),
        algorithm,
    }
}

fn verify_with_any(
    key: &PublicKeyInfo,
    sig_alg_oid: &[u8],
    params: Option<&Any<'_>>,
    digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    let v = match scheme_of(sig_alg_oid, params, digest)? {
        Scheme::Pkcs1(d) => rsa_pkcs1(key, d)?,
        Scheme::Pss => rsa_pss(key, params)?,
        Scheme::EcdsaPlain(d) => ecdsa_plain(key, d)?,
        Scheme::Ecdsa(d) => ecdsa(key, d)?,
        Scheme::Ed25519 => {
            if key.kind() != &KeyKind::Ed25519 {
                return Err(key_mismatch(key, "Ed25519"));
            }
            Verifier {
                alg: &signature::ED25519,
                name: "Ed25519",
                digest: None,
            }
        }
    };
    UnparsedPublicKey::new(v.alg, key.key_bytes())
        .verify(message, signature)
        .map_err(|_| CryptoError::BadSignature)?;
    Ok(SignatureAlgorithm {
        name: v.name,
        digest: v.digest,
    })
}

/// RSA PKCS#1 v1.5 with digest `d`: keys of 1024 to 8192 bits (2048 for SHA-384).
fn rsa_pkcs1(key: &PublicKeyInfo, d: DigestAlgorithm) -> Result<Verifier, CryptoError> {
    use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
    let bits = key
        .rsa_bits()
        .ok_or_else(|| key_mismatch(key, "RSA PKCS#1 v1.5"))?;
    if !(RSA_MIN_LEGACY_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(unsupported(format!("RSA-{bits}")));
    }
    Ok(match d {
        Sha1 => Verifier::new(
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            "RSA PKCS#1 v1.5 SHA-1",
            d,
        ),
        Sha256 => Verifier::new(
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            "RSA PKCS#1 v1.5 SHA-256",
            d,
        ),
        // ring has no legacy 1024-bit variant for SHA-384.
        Sha384 if bits < RSA_MIN_BITS => {
            return Err(unsupported(format!("RSA-{bits} with SHA-384")));
        }
        Sha384 => Verifier::new(
            &signature::RSA_PKCS1_2048_8192_SHA384,
            "RSA PKCS#1 v1.5 SHA-384",
            d,
        ),
        Sha512 => Verifier::new(
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            "RSA PKCS#1 v1.5 SHA-512",
            d,
        ),
    })
}

/// RSASSA-PSS with the digest its parameters name: keys of 2048 to 8192 bits, no SHA-1.
fn rsa_pss(key: &PublicKeyInfo, params: Option<&Any<'_>>) -> Result<Verifier, CryptoError> {
    use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
    let bits = key
        .rsa_bits()
        .ok_or_else(|| key_mismatch(key, "RSASSA-PSS"))?;
    let d = pss_digest(params)?;
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(unsupported(format!("RSASSA-PSS with RSA-{bits}")));
    }
    Ok(match d {
        Sha256 => Verifier::new(
            &signature::RSA_PSS_2048_8192_SHA256,
            "RSASSA-PSS SHA-256",
            d,
        ),
        Sha384 => Verifier::new(
            &signature::RSA_PSS_2048_8192_SHA384,
            "RSASSA-PSS SHA-384",
            d,
        ),
        Sha512 => Verifier::new(
            &signature::RSA_PSS_2048_8192_SHA512,
            "RSASSA-PSS SHA-512",
            d,
        ),
        Sha1 => return Err(unsupported("RSASSA-PSS with SHA-1")),
    })
}

/// Plain (BSI TR-03111) ECDSA: P-256 with SHA-256 and P-384 with SHA-384.
fn ecdsa_plain(key: &PublicKeyInfo, d: DigestAlgorithm) -> Result<Verifier, CryptoError> {
    use DigestAlgorithm::{Sha256, Sha384};
    let KeyKind::Ec { curve } = key.kind() else {
        return Err(key_mismatch(key, "ECDSA"));
    };
    Ok(match (curve, d) {
        (Curve::P256, Sha256) => Verifier::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            "ECDSA (plain) P-256 SHA-256",
            d,
        ),
        (Curve::P384, Sha384) => Verifier::new(
            &signature::ECDSA_P384_SHA384_FIXED,
            "ECDSA (plain) P-384 SHA-384",
            d,
        ),
        (other, _) => {
            return Err(unsupported(format!(
                "plain ECDSA {} with {}",
                other.name(),
                d.name()
            )));
        }
    })
}

/// DER-encoded ECDSA: P-256 and P-384, each with SHA-256 or SHA-384.
fn ecdsa(key: &PublicKeyInfo, d: DigestAlgorithm) -> Result<Verifier, CryptoError> {
    use DigestAlgorithm::{Sha256, Sha384};
    let KeyKind::Ec { curve } = key.kind() else {
        return Err(key_mismatch(key, "ECDSA"));
    };
    Ok(match (curve, d) {
        (Curve::P256, Sha256) => {
            Verifier::new(&signature::ECDSA_P256_SHA256_ASN1, "ECDSA P-256 SHA-256", d)
        }
        (Curve::P256, Sha384) => {
            Verifier::new(&signature::ECDSA_P256_SHA384_ASN1, "ECDSA P-256 SHA-384", d)
        }
        (Curve::P384, Sha256) => {
            Verifier::new(&signature::ECDSA_P384_SHA256_ASN1, "ECDSA P-384 SHA-256", d)
        }
        (Curve::P384, Sha384) => {
            Verifier::new(&signature::ECDSA_P384_SHA384_ASN1, "ECDSA P-384 SHA-384", d)
        }
        (Curve::P256 | Curve::P384, _) => {
            return Err(unsupported(format!(
                "ECDSA {} with {}",
                curve.name(),
                d.name()
            )));
        }
        (other, _) => return Err(unsupported(format!("ECDSA {}", other.name()))),
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::as_conversions
    )]
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
    use x509_parser::certificate::X509Certificate;

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/pki-unit/",
                $name
            ))
            .as_slice()
        };
    }

    fn pem(bytes: &[u8]) -> Vec<u8> {
        x509_parser::pem::parse_x509_pem(bytes).unwrap().1.contents
    }

    /// Minimal DER TLV writer for building test inputs (lengths < 65536).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let n = content.len();
        if n < 0x80 {
            out.push(n as u8);
        } else if n < 0x100 {
            out.extend([0x81, n as u8]);
        } else {
            out.extend([0x82, (n >> 8) as u8, n as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    fn alg_id(oid_bytes: &[u8], params: Option<&[u8]>) -> Vec<u8> {
        let mut c = tlv(0x06, oid_bytes);
        if let Some(p) = params {
            c.extend_from_slice(p);
        }
        tlv(0x30, &c)
    }

    fn spki(alg: &[u8], key: &[u8]) -> Vec<u8> {
        let mut bits = vec![0u8];
        bits.extend_from_slice(key);
        let mut c = alg.to_vec();
        c.extend(tlv(0x03, &bits));
        tlv(0x30, &c)
    }

    fn ec_spki(curve: &[u8], point: &[u8]) -> Vec<u8> {
        spki(&alg_id(oid::EC_PUBLIC_KEY, Some(&tlv(0x06, curve))), point)
    }

    fn pss_params(hash: &[u8], mgf_hash: &[u8], salt: u8) -> Vec<u8> {
        let null = [0x05, 0x00];
        let mut c = tlv(0xa0, &alg_id(hash, Some(&null)));
        c.extend(tlv(
            0xa1,
            &alg_id(oid::MGF1, Some(&alg_id(mgf_hash, Some(&null)))),
        ));
        c.extend(tlv(0xa2, &tlv(0x02, &[salt])));
        tlv(0x30, &c)
    }

    const MSG: &[u8] = b"vnedoc test message";

    fn rsa_key() -> (RsaKeyPair, PublicKeyInfo) {
        let kp = RsaKeyPair::from_der(fixture!("sign-rsa.pkcs1.der")).unwrap();
        let pk = PublicKeyInfo::from_spki_der(fixture!("sign-rsa.spki.der")).unwrap();
        (kp, pk)
    }

    fn rsa_sign(kp: &RsaKeyPair, enc: &'static dyn signature::RsaEncoding) -> Vec<u8> {
        let mut sig = vec![0; kp.public().modulus_len()];
        kp.sign(enc, &SystemRandom::new(), MSG, &mut sig).unwrap();
        sig
    }

    #[test]
    fn oid_constants_are_the_named_oids() {
        let cases: &[(&[u8], &str)] = &[
            (oid::SHA1, "1.3.14.3.2.26"),
            (oid::SHA256, "2.16.840.1.101.3.4.2.1"),
            (oid::SHA512, "2.16.840.1.101.3.4.2.3"),
            (oid::RSA_ENCRYPTION, "1.2.840.113549.1.1.1"),
            (oid::RSASSA_PSS, "1.2.840.113549.1.1.10"),
            (oid::SHA256_WITH_RSA, "1.2.840.113549.1.1.11"),
            (oid::EC_PUBLIC_KEY, "1.2.840.10045.2.1"),
            (oid::ECDSA_WITH_SHA384, "1.2.840.10045.4.3.3"),
            (oid::CURVE_P256, "1.2.840.10045.3.1.7"),
            (oid::CURVE_P384, "1.3.132.0.34"),
            (oid::CURVE_P521, "1.3.132.0.35"),
            (oid::BRAINPOOL_P256R1, "1.3.36.3.3.2.8.1.1.7"),
            (oid::BRAINPOOL_P512R1, "1.3.36.3.3.2.8.1.1.13"),
            (oid::ED25519, "1.3.101.112"),
            (oid::DSA_WITH_SHA256, "2.16.840.1.101.3.4.3.2"),
        ];
        for (bytes, dotted) in cases {
            assert_eq!(oid_to_string(bytes), *dotted);
        }
    }

    #[test]
    fn digests_match_known_vectors() {
        let abc = DigestAlgorithm::Sha256.digest(&[b"a", b"bc"]);
        assert_eq!(
            abc[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "SHA-256(abc) starts ba7816bf (FIPS 180-2 B.1)"
        );
        let mut h = DigestAlgorithm::Sha1.hasher();
        h.update(b"abc");
        assert_eq!(h.finish()[..4], [0xa9, 0x99, 0x3e, 0x36]);
        for (d, len, name) in [
            (DigestAlgorithm::Sha1, 20, "SHA-1"),
            (DigestAlgorithm::Sha256, 32, "SHA-256"),
            (DigestAlgorithm::Sha384, 48, "SHA-384"),
            (DigestAlgorithm::Sha512, 64, "SHA-512"),
        ] {
            assert_eq!(d.output_len(), len);
            assert_eq!(d.digest(&[b"x"]).len(), len);
            assert_eq!(d.name(), name);
            assert_eq!(DigestAlgorithm::from_oid(d.oid()), Some(d));
        }
        assert_eq!(DigestAlgorithm::from_oid(oid::MD5), None);
    }

    #[test]
    fn rsa_pkcs1_sha256_explicit_and_bare_oid() {
        let (kp, pk) = rsa_key();
        assert_eq!(pk.describe(), "RSA-2048");
        assert_eq!(pk.rsa_bits(), Some(2048));
        let sig = rsa_sign(&kp, &signature::RSA_PKCS1_SHA256);
        let null = [0x05, 0x00];
        let a = verify_signature(&pk, oid::SHA256_WITH_RSA, Some(&null), None, MSG, &sig).unwrap();
        assert_eq!(a.name, "RSA PKCS#1 v1.5 SHA-256");
        assert_eq!(a.digest, Some(DigestAlgorithm::Sha256));
        let b = verify_signature(
            &pk,
            oid::RSA_ENCRYPTION,
            None,
            Some(DigestAlgorithm::Sha256),
            MSG,
            &sig,
        )
        .unwrap();
        assert_eq!(b, a);
        assert_eq!(
            verify_signature(&pk, oid::RSA_ENCRYPTION, None, None, MSG, &sig),
            Err(CryptoError::MissingDigest {
                algorithm: "rsaEncryption"
            })
        );
        // Wrong digest from context, tampered message, tampered signature.
        assert_eq!(
            verify_signature(
                &pk,
                oid::RSA_ENCRYPTION,
                None,
                Some(DigestAlgorithm::Sha512),
                MSG,
                &sig
            ),
            Err(CryptoError::BadSignature)
        );
        assert_eq!(
            verify_signature(&pk, oid::SHA256_WITH_RSA, None, None, b"other", &sig),
            Err(CryptoError::BadSignature)
        );
        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert_eq!(
            verify_signature(&pk, oid::SHA256_WITH_RSA, None, None, MSG, &bad),
            Err(CryptoError::BadSignature)
        );
        // Parameters other than NULL are malformed for PKCS#1 v1.5.
        assert_eq!(
            verify_signature(
                &pk,
                oid::SHA256_WITH_RSA,
                Some(&[0x02, 0x01, 0x00]),
                None,
                MSG,
                &sig
            ),
            Err(CryptoError::MalformedAlgorithm)
        );
    }

    #[test]
    fn rsa_pkcs1_sha384_sha512() {
        let (kp, pk) = rsa_key();
        let s384 = rsa_sign(&kp, &signature::RSA_PKCS1_SHA384);
        let s512 = rsa_sign(&kp, &signature::RSA_PKCS1_SHA512);
        assert_eq!(
            verify_signature(&pk, oid::SHA384_WITH_RSA, None, None, MSG, &s384)
                .unwrap()
                .name,
            "RSA PKCS#1 v1.5 SHA-384"
        );
        assert_eq!(
            verify_signature(&pk, oid::SHA512_WITH_RSA, None, None, MSG, &s512)
                .unwrap()
                .name,
            "RSA PKCS#1 v1.5 SHA-512"
        );
    }

    #[test]
    fn rsa_sha1_and_rsa1024_certificates_verify_as_legacy() {
        // leaf-sha1 is signed with sha1WithRSAEncryption by int-rsa; int-rsa signs leaf-rsa1024.
        let issuer_der = pem(fixture!("int-rsa.pem"));
        let (_, issuer) = X509Certificate::from_der(&issuer_der).unwrap();
        let key = PublicKeyInfo::from_parsed_spki(issuer.public_key()).unwrap();
        let leaf_der = pem(fixture!("leaf-sha1.pem"));
        let (_, leaf) = X509Certificate::from_der(&leaf_der).unwrap();
        let a = verify_with_algorithm(
            &key,
            &leaf.signature_algorithm,
            None,
            leaf.tbs_certificate.as_ref(),
            &leaf.signature_value.data,
        )
        .unwrap();
        assert_eq!(a.name, "RSA PKCS#1 v1.5 SHA-1");
        assert_eq!(a.digest, Some(DigestAlgorithm::Sha1));

        let small_der = pem(fixture!("leaf-rsa1024.pem"));
        let (_, small) = X509Certificate::from_der(&small_der).unwrap();
        let small_key = PublicKeyInfo::from_parsed_spki(small.public_key()).unwrap();
        assert_eq!(small_key.rsa_bits(), Some(1024));
        assert_eq!(small_key.describe(), "RSA-1024");
        // SHA-384 with RSA-1024 has no ring variant.
        assert_eq!(
            verify_signature(&small_key, oid::SHA384_WITH_RSA, None, None, MSG, &[0; 128]),
            Err(CryptoError::Unsupported {
                what: "RSA-1024 with SHA-384".into()
            })
        );
        // PSS needs at least 2048 bits in ring.
        let p = pss_params(oid::SHA256, oid::SHA256, 32);
        assert!(matches!(
            verify_signature(&small_key, oid::RSASSA_PSS, Some(&p), None, MSG, &[0; 128]),
            Err(CryptoError::Unsupported { .. })
        ));
    }

    #[test]
    fn rsa_pss_params_are_checked() {
        let (kp, pk) = rsa_key();
        let sig = rsa_sign(&kp, &signature::RSA_PSS_SHA256);
        let good = pss_params(oid::SHA256, oid::SHA256, 32);
        let a = verify_signature(&pk, oid::RSASSA_PSS, Some(&good), None, MSG, &sig).unwrap();
        assert_eq!(a.name, "RSASSA-PSS SHA-256");
        assert_eq!(a.digest, Some(DigestAlgorithm::Sha256));

        let sig512 = rsa_sign(&kp, &signature::RSA_PSS_SHA512);
        let p512 = pss_params(oid::SHA512, oid::SHA512, 64);
        assert_eq!(
            verify_signature(&pk, oid::RSASSA_PSS, Some(&p512), None, MSG, &sig512)
                .unwrap()
                .name,
            "RSASSA-PSS SHA-512"
        );

        let cases: Vec<(Option<Vec<u8>>, &str)> = vec![
            (None, "RSASSA-PSS with SHA-1"),
            (
                Some(pss_params(oid::SHA256, oid::SHA256, 20)),
                "RSASSA-PSS SHA-256 with salt length 20",
            ),
            (
                Some(pss_params(oid::SHA256, oid::SHA1, 32)),
                "RSASSA-PSS with MGF1 hash different from message hash",
            ),
            (
                Some(pss_params(oid::SHA1, oid::SHA1, 20)),
                "RSASSA-PSS with SHA-1",
            ),
        ];
        for (params, what) in cases {
            assert_eq!(
                verify_signature(&pk, oid::RSASSA_PSS, params.as_deref(), None, MSG, &sig),
                Err(CryptoError::Unsupported { what: what.into() }),
                "{what}"
            );
        }
        // Trailing bytes after the parameters.
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            verify_signature(&pk, oid::RSASSA_PSS, Some(&trailing), None, MSG, &sig),
            Err(CryptoError::MalformedAlgorithm)
        );
    }

    #[test]
    fn ecdsa_p256_and_p384() {
        let rng = SystemRandom::new();
        for (signing, curve, sig_oid, name, desc) in [
            (
                &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                oid::CURVE_P256,
                oid::ECDSA_WITH_SHA256,
                "ECDSA P-256 SHA-256",
                "ECDSA P-256",
            ),
            (
                &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                oid::CURVE_P384,
                oid::ECDSA_WITH_SHA384,
                "ECDSA P-384 SHA-384",
                "ECDSA P-384",
            ),
        ] {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).unwrap();
            let kp = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng).unwrap();
            let pk =
                PublicKeyInfo::from_spki_der(&ec_spki(curve, kp.public_key().as_ref())).unwrap();
            assert_eq!(pk.describe(), desc);
            let sig = kp.sign(&rng, MSG).unwrap();
            let a = verify_signature(&pk, sig_oid, None, None, MSG, sig.as_ref()).unwrap();
            assert_eq!(a.name, name);
            let digest = a.digest;
            let b =
                verify_signature(&pk, oid::EC_PUBLIC_KEY, None, digest, MSG, sig.as_ref()).unwrap();
            assert_eq!(b, a);
            assert_eq!(
                verify_signature(&pk, sig_oid, None, None, b"other", sig.as_ref()),
                Err(CryptoError::BadSignature)
            );
            // ecdsa-with-SHA* parameters are absent (RFC 5758 §3.2); an explicit NULL, as
            // producers write it, reads the same; any other parameter is refused.
            assert_eq!(
                verify_signature(&pk, sig_oid, Some(&[0x05, 0x00]), None, MSG, sig.as_ref()),
                Ok(a)
            );
            assert_eq!(
                verify_signature(
                    &pk,
                    oid::EC_PUBLIC_KEY,
                    Some(&[0x05, 0x00]),
                    digest,
                    MSG,
                    sig.as_ref()
                ),
                Ok(a)
            );
            let mut curve_param = vec![0x06, u8::try_from(curve.len()).unwrap()];
            curve_param.extend_from_slice(curve);
            for other in [
                &[0x05, 0x01, 0x00][..],
                &[0x02, 0x01, 0x00],
                &curve_param,
                &[0x30, 0x00],
            ] {
                assert_eq!(
                    verify_signature(&pk, sig_oid, Some(other), None, MSG, sig.as_ref()),
                    Err(CryptoError::MalformedAlgorithm),
                    "parameters {other:02x?}"
                );
                assert_eq!(
                    verify_signature(
                        &pk,
                        oid::EC_PUBLIC_KEY,
                        Some(other),
                        digest,
                        MSG,
                        sig.as_ref()
                    ),
                    Err(CryptoError::MalformedAlgorithm),
                    "id-ecPublicKey with parameters {other:02x?}"
                );
            }
            // The key's OID as the signature algorithm needs the context digest, and a key of
            // the other type is refused.
            assert_eq!(
                verify_signature(&pk, oid::EC_PUBLIC_KEY, None, None, MSG, sig.as_ref()),
                Err(CryptoError::MissingDigest {
                    algorithm: "id-ecPublicKey"
                })
            );
            assert!(matches!(
                verify_signature(
                    &pk,
                    oid::RSA_ENCRYPTION,
                    Some(&[0x05, 0x00]),
                    digest,
                    MSG,
                    sig.as_ref()
                ),
                Err(CryptoError::KeyMismatch { .. })
            ));
        }
    }

    #[test]
    fn ecdsa_unsupported_combinations() {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let kp = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
        let pk = PublicKeyInfo::from_spki_der(&ec_spki(oid::CURVE_P256, kp.public_key().as_ref()))
            .unwrap();
        assert_eq!(
            verify_signature(&pk, oid::ECDSA_WITH_SHA512, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "ECDSA P-256 with SHA-512".into()
            })
        );
        assert_eq!(
            verify_signature(&pk, oid::ECDSA_WITH_SHA1, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "ECDSA with SHA-1".into()
            })
        );
        assert_eq!(
            verify_signature(&pk, oid::EC_PUBLIC_KEY, None, None, MSG, &[]),
            Err(CryptoError::MissingDigest {
                algorithm: "id-ecPublicKey"
            })
        );
        // An RSA key cannot verify ECDSA.
        let (_, rsa) = rsa_key();
        assert_eq!(
            verify_signature(&rsa, oid::ECDSA_WITH_SHA256, None, None, MSG, &[]),
            Err(CryptoError::KeyMismatch {
                key: "RSA-2048".into(),
                algorithm: "ECDSA"
            })
        );
    }

    #[test]
    fn p521_and_brainpool_are_unsupported() {
        let p521 = PublicKeyInfo::from_spki_der(fixture!("p521.spki.der")).unwrap();
        assert_eq!(p521.kind(), &KeyKind::Ec { curve: Curve::P521 });
        assert_eq!(p521.describe(), "ECDSA P-521");
        assert_eq!(
            verify_signature(&p521, oid::ECDSA_WITH_SHA512, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "ECDSA P-521".into()
            })
        );
        let bp_der = pem(fixture!("root-bp.pem"));
        let (_, bp) = X509Certificate::from_der(&bp_der).unwrap();
        let key = PublicKeyInfo::from_parsed_spki(bp.public_key()).unwrap();
        assert_eq!(key.describe(), "ECDSA brainpoolP256r1");
        assert_eq!(
            verify_with_algorithm(
                &key,
                &bp.signature_algorithm,
                None,
                bp.tbs_certificate.as_ref(),
                &bp.signature_value.data
            ),
            Err(CryptoError::Unsupported {
                what: "ECDSA brainpoolP256r1".into()
            })
        );
    }

    #[test]
    fn ed25519() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let kp = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let pk = PublicKeyInfo::from_spki_der(&spki(
            &alg_id(oid::ED25519, None),
            kp.public_key().as_ref(),
        ))
        .unwrap();
        assert_eq!(pk.describe(), "Ed25519");
        let sig = kp.sign(MSG);
        let a = verify_signature(
            &pk,
            oid::ED25519,
            None,
            Some(DigestAlgorithm::Sha512),
            MSG,
            sig.as_ref(),
        )
        .unwrap();
        assert_eq!(
            a,
            SignatureAlgorithm {
                name: "Ed25519",
                digest: None
            }
        );
        assert_eq!(
            verify_signature(&pk, oid::ED25519, None, None, b"x", sig.as_ref()),
            Err(CryptoError::BadSignature)
        );
        // Ed25519 parameters must be absent (RFC 8410 §3).
        let with_params = spki(
            &alg_id(oid::ED25519, Some(&[0x05, 0x00])),
            kp.public_key().as_ref(),
        );
        assert_eq!(
            PublicKeyInfo::from_spki_der(&with_params),
            Err(CryptoError::MalformedKey)
        );
    }

    #[test]
    fn other_algorithms_and_malformed_input() {
        let (_, rsa) = rsa_key();
        assert_eq!(
            verify_signature(&rsa, oid::DSA_WITH_SHA256, None, None, MSG, &[]),
            Err(CryptoError::Unsupported { what: "DSA".into() })
        );
        assert_eq!(
            verify_signature(&rsa, oid::MD5_WITH_RSA, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "RSA PKCS#1 v1.5 with MD5".into()
            })
        );
        // GOST R 34.10-2012 256 signature 1.2.643.7.1.1.3.2
        let gost = [0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x03, 0x02];
        assert_eq!(
            verify_signature(&rsa, &gost, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "GOST (1.2.643.7.1.1.3.2)".into()
            })
        );
        let dsa_key =
            PublicKeyInfo::from_spki_der(&spki(&alg_id(oid::DSA, None), &tlv(0x02, &[1, 2, 3])))
                .unwrap();
        assert_eq!(dsa_key.describe(), "DSA");
        assert_eq!(
            PublicKeyInfo::from_spki_der(&[0x30, 0x00]),
            Err(CryptoError::MalformedKey)
        );
        let mut trailing = fixture!("sign-rsa.spki.der").to_vec();
        trailing.push(0);
        assert_eq!(
            PublicKeyInfo::from_spki_der(&trailing),
            Err(CryptoError::MalformedKey)
        );
        assert_eq!(
            PublicKeyInfo::from_spki_der(&[]),
            Err(CryptoError::MalformedKey)
        );
    }

    #[test]
    fn integer_bits_counts_significant_bits() {
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), Some(16));
        assert_eq!(integer_bits(&[0x01]), Some(1));
        assert_eq!(integer_bits(&[0x00]), None);
        assert_eq!(integer_bits(&[0x80]), None);
        assert_eq!(integer_bits(&[]), None);
    }
}
