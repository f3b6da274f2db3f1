//! Digests, public keys and signature verification: `ring` first, RustCrypto where ring lacks.
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
//!
//! ring is the fast path and serves everything it implements. What it does not (SHA-224 and the
//! SHA-3 family, SHAKE256, RSA keys it refuses, PSS with another salt length, P-521, brainpool,
//! DSA, Ed448, ECDSA with a hash ring does not pair with the curve) goes to [`fallback`], which
//! uses RustCrypto's crates and lists which crate serves which algorithm.

mod fallback;

use std::borrow::Cow;
use std::fmt;

use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use x509_parser::der_parser::asn1_rs::{Any, FromDer, Oid, Tag};
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
    /// id-sha224 2.16.840.1.101.3.4.2.4
    pub const SHA224: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04];
    /// NIST hash algorithms arc 2.16.840.1.101.3.4.2 (RFC 8702 §2); the algorithms add one arc.
    const fn nist_hash(last: u8) -> [u8; 9] {
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, last]
    }
    /// id-sha3-224 2.16.840.1.101.3.4.2.7
    pub const SHA3_224: &[u8] = &nist_hash(7);
    /// id-sha3-256 2.16.840.1.101.3.4.2.8
    pub const SHA3_256: &[u8] = &nist_hash(8);
    /// id-sha3-384 2.16.840.1.101.3.4.2.9
    pub const SHA3_384: &[u8] = &nist_hash(9);
    /// id-sha3-512 2.16.840.1.101.3.4.2.10
    pub const SHA3_512: &[u8] = &nist_hash(10);
    /// id-shake256 2.16.840.1.101.3.4.2.12 (RFC 8419 §2.3: 512 bits of output with Ed448)
    pub const SHAKE256: &[u8] = &nist_hash(12);
    /// id-shake256-len 2.16.840.1.101.3.4.2.18 (RFC 8419 §2.3; what pyHanko writes)
    pub const SHAKE256_LEN: &[u8] = &nist_hash(18);
    /// NIST signature algorithms arc 2.16.840.1.101.3.4.3 (RFC 5758, NIST CSOR).
    const fn nist_sig(last: u8) -> [u8; 9] {
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, last]
    }
    /// id-dsa-with-sha224 2.16.840.1.101.3.4.3.1 (RFC 5758 §3.1)
    pub const DSA_WITH_SHA224: &[u8] = &nist_sig(1);
    /// id-ecdsa-with-sha3-224 2.16.840.1.101.3.4.3.9
    pub const ECDSA_WITH_SHA3_224: &[u8] = &nist_sig(9);
    /// id-ecdsa-with-sha3-256 2.16.840.1.101.3.4.3.10
    pub const ECDSA_WITH_SHA3_256: &[u8] = &nist_sig(10);
    /// id-ecdsa-with-sha3-384 2.16.840.1.101.3.4.3.11
    pub const ECDSA_WITH_SHA3_384: &[u8] = &nist_sig(11);
    /// id-ecdsa-with-sha3-512 2.16.840.1.101.3.4.3.12
    pub const ECDSA_WITH_SHA3_512: &[u8] = &nist_sig(12);
    /// id-rsassa-pkcs1-v1_5-with-sha3-224 2.16.840.1.101.3.4.3.13
    pub const SHA3_224_WITH_RSA: &[u8] = &nist_sig(13);
    /// id-rsassa-pkcs1-v1_5-with-sha3-256 2.16.840.1.101.3.4.3.14
    pub const SHA3_256_WITH_RSA: &[u8] = &nist_sig(14);
    /// id-rsassa-pkcs1-v1_5-with-sha3-384 2.16.840.1.101.3.4.3.15
    pub const SHA3_384_WITH_RSA: &[u8] = &nist_sig(15);
    /// id-rsassa-pkcs1-v1_5-with-sha3-512 2.16.840.1.101.3.4.3.16
    pub const SHA3_512_WITH_RSA: &[u8] = &nist_sig(16);
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

/// A digest algorithm that this crate computes: SHA-1 and SHA-256/384/512 through
/// `ring::digest`, SHA-224 through `sha2`, the SHA-3 family through `sha3`, SHAKE256 through
/// `shake`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    /// SHAKE256 with 512 bits of output (RFC 8419 §2.3, the digest of Ed448 signatures).
    Shake256,
}

impl DigestAlgorithm {
    /// From the OBJECT IDENTIFIER content bytes (no tag/length).
    pub fn from_oid(oid: &[u8]) -> Option<Self> {
        match oid {
            oid::SHA1 => Some(Self::Sha1),
            oid::SHA224 => Some(Self::Sha224),
            oid::SHA256 => Some(Self::Sha256),
            oid::SHA384 => Some(Self::Sha384),
            oid::SHA512 => Some(Self::Sha512),
            oid::SHA3_224 => Some(Self::Sha3_224),
            oid::SHA3_256 => Some(Self::Sha3_256),
            oid::SHA3_384 => Some(Self::Sha3_384),
            oid::SHA3_512 => Some(Self::Sha3_512),
            // The length parameter of id-shake256-len is not seen here: 512 bits are computed,
            // and a message digest of another length fails as a length mismatch (closed).
            oid::SHAKE256 | oid::SHAKE256_LEN => Some(Self::Shake256),
            _ => None,
        }
    }

    /// The OBJECT IDENTIFIER content bytes.
    pub fn oid(self) -> &'static [u8] {
        match self {
            Self::Sha1 => oid::SHA1,
            Self::Sha224 => oid::SHA224,
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
            Self::Sha3_224 => oid::SHA3_224,
            Self::Sha3_256 => oid::SHA3_256,
            Self::Sha3_384 => oid::SHA3_384,
            Self::Sha3_512 => oid::SHA3_512,
            Self::Shake256 => oid::SHAKE256,
        }
    }

    /// Display name, e.g. `"SHA-256"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_224 => "SHA3-224",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
            Self::Shake256 => "SHAKE256",
        }
    }

    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha224 | Self::Sha3_224 => 28,
            Self::Sha256 | Self::Sha3_256 => 32,
            Self::Sha384 | Self::Sha3_384 => 48,
            Self::Sha512 | Self::Sha3_512 | Self::Shake256 => 64,
        }
    }

    /// ring's algorithm, for the digests ring computes.
    fn ring(self) -> Option<&'static ring::digest::Algorithm> {
        match self {
            Self::Sha1 => Some(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            Self::Sha256 => Some(&ring::digest::SHA256),
            Self::Sha384 => Some(&ring::digest::SHA384),
            Self::Sha512 => Some(&ring::digest::SHA512),
            _ => None,
        }
    }

    /// An incremental hasher.
    pub fn hasher(self) -> Hasher {
        use sha3::Digest as _;
        let state = match self.ring() {
            Some(alg) => HashState::Ring(ring::digest::Context::new(alg)),
            None => match self {
                Self::Sha224 => HashState::Sha224(sha2::Sha224::new()),
                Self::Sha3_224 => HashState::Sha3_224(sha3::Sha3_224::new()),
                Self::Sha3_384 => HashState::Sha3_384(sha3::Sha3_384::new()),
                Self::Sha3_512 => HashState::Sha3_512(sha3::Sha3_512::new()),
                Self::Shake256 => HashState::Shake256(shake::Shake256::default()),
                _ => HashState::Sha3_256(sha3::Sha3_256::new()),
            },
        };
        Hasher {
            algorithm: self,
            state,
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

/// Incremental digest computation (`ring::digest::Context` for the digests ring computes).
#[derive(Clone)]
pub struct Hasher {
    algorithm: DigestAlgorithm,
    state: HashState,
}

#[derive(Clone)]
enum HashState {
    Ring(ring::digest::Context),
    Sha224(sha2::Sha224),
    Sha3_224(sha3::Sha3_224),
    Sha3_256(sha3::Sha3_256),
    Sha3_384(sha3::Sha3_384),
    Sha3_512(sha3::Sha3_512),
    Shake256(shake::Shake256),
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            HashState::Ring(ctx) => ctx.update(data),
            HashState::Sha224(h) => sha3::Digest::update(h, data),
            HashState::Sha3_224(h) => sha3::Digest::update(h, data),
            HashState::Sha3_256(h) => sha3::Digest::update(h, data),
            HashState::Sha3_384(h) => sha3::Digest::update(h, data),
            HashState::Sha3_512(h) => sha3::Digest::update(h, data),
            HashState::Shake256(h) => shake::digest::Update::update(h, data),
        }
    }

    pub fn finish(self) -> Vec<u8> {
        use sha3::Digest as _;
        match self.state {
            HashState::Ring(ctx) => ctx.finish().as_ref().to_vec(),
            HashState::Sha224(h) => h.finalize().to_vec(),
            HashState::Sha3_224(h) => h.finalize().to_vec(),
            HashState::Sha3_256(h) => h.finalize().to_vec(),
            HashState::Sha3_384(h) => h.finalize().to_vec(),
            HashState::Sha3_512(h) => h.finalize().to_vec(),
            HashState::Shake256(h) => {
                use shake::digest::{ExtendableOutput as _, XofReader as _};
                let mut out = vec![0u8; DigestAlgorithm::Shake256.output_len()];
                h.finalize_xof().read(&mut out);
                out
            }
        }
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hasher")
            .field("algorithm", &self.algorithm)
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
    /// The whole SubjectPublicKeyInfo, for the keys whose parameters the fallback verifier
    /// reads (DSA's p, q, g); empty otherwise.
    spki: Vec<u8>,
    /// The key algorithm is Ed448 (RFC 8410 §3): `key` holds its 57 octets.
    ed448: bool,
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
                let (n, _) = rsa_public_key(bits).ok_or(CryptoError::MalformedKey)?;
                let bits_len = modulus_bits(n).ok_or(CryptoError::MalformedKey)?;
                Ok(Self::new(KeyKind::Rsa { bits: bits_len }, bits))
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
                Ok(Self::new(KeyKind::Ec { curve }, bits))
            }
            oid::ED25519 => {
                // RFC 8410 §3: parameters MUST be absent.
                if params.is_some() || bits.len() != 32 {
                    return Err(CryptoError::MalformedKey);
                }
                Ok(Self::new(KeyKind::Ed25519, bits))
            }
            oid::ED448 => {
                // RFC 8410 §3: parameters MUST be absent; the key is 57 octets (RFC 8032 §5.2.2).
                if params.is_some() || bits.len() != 57 {
                    return Err(CryptoError::MalformedKey);
                }
                let mut key = Self::new(KeyKind::Other(key_alg_name(alg)), bits);
                key.ed448 = true;
                Ok(key)
            }
            oid::DSA => {
                let mut key = Self::new(KeyKind::Other(key_alg_name(alg)), bits);
                key.spki = info.raw.to_vec();
                Ok(key)
            }
            other => Ok(Self::new(KeyKind::Other(key_alg_name(other)), bits)),
        }
    }

    fn new(kind: KeyKind, key: &[u8]) -> Self {
        Self {
            kind,
            key: key.to_vec(),
            spki: Vec::new(),
            ed448: false,
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

/// The modulus and exponent INTEGER contents of an RSAPublicKey (RFC 8017 A.1.1), leading zero
/// octets included. Read with the crate's own DER reader rather than x509-parser's, which
/// refuses non-minimal INTEGERs: keys of some card issuers carry them, and the certificate's
/// signature covers the key whatever its encoding (the fallback verifier reads them).
///
/// ```text
/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
/// ```
fn rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let seq = crate::der::parse_exact(der)
        .ok()?
        .expect(crate::der::TAG_SEQUENCE)
        .ok()?;
    let mut r = seq.children();
    let n = r.expect(crate::der::TAG_INTEGER).ok()?.content;
    let e = r.expect(crate::der::TAG_INTEGER).ok()?.content;
    r.finish().ok()?;
    // A negative exponent is no exponent. A modulus with its top bit set and no sign octet
    // (negative in DER) is read as the unsigned value it means: see `modulus_bits`.
    integer_bits(e)?;
    modulus_bits(n)?;
    Some((n, e))
}

/// Bit length of an RSA modulus INTEGER read as an unsigned big-endian number; `None` for zero.
///
/// DER wants a leading zero octet before a modulus whose top bit is set (X.690 §8.3.2); some ID
/// card issuers (the Estonian ESTEID 2011 generation among them) left it out, so the INTEGER
/// reads as negative. A modulus is positive by definition (RFC 8017 §3.1), the CA signed these
/// octets, and OpenSSL, NSS and BouncyCastle read them as the unsigned value: so does this. It
/// widens no verdict beyond that key: the magnitude is the only modulus the octets can mean,
/// ring (which refuses the encoding) is not asked, and the fallback verifier checks the
/// signature under that modulus like any other.
fn modulus_bits(n: &[u8]) -> Option<usize> {
    match n.first() {
        Some(b) if b & 0x80 != 0 => n.len().checked_mul(8),
        _ => integer_bits(n),
    }
}

/// Whether ring's RSA key parser takes this key for a family of `min_bits`..=8192 bits: both
/// INTEGERs minimally encoded (ring's `der::positive_integer`), the modulus odd and its length
/// rounded up to whole octets within the family, the exponent odd and from 3 to 2^33 − 1
/// (ring 0.17 `rsa::public_exponent`, `rsa::public_modulus`). A key it does not take goes to
/// the fallback verifier instead of failing in ring as a bad signature.
fn ring_takes_rsa_key(n: &[u8], e: &[u8], min_bits: usize) -> bool {
    let minimal = |i: &[u8]| match i {
        [] => false,
        [0] => false,
        [0, next, ..] => next & 0x80 != 0,
        _ => true,
    };
    let strip = |i: &'_ [u8]| -> Vec<u8> { i.iter().copied().skip_while(|&b| b == 0).collect() };
    // ring's `positive_integer` refuses a value with its top bit set (negative in DER).
    let negative = |i: &[u8]| i.first().is_some_and(|b| b & 0x80 != 0);
    if !minimal(n) || !minimal(e) || negative(n) || negative(e) {
        return false;
    }
    let (n, e) = (strip(n), strip(e));
    let n_bits = n.len().saturating_mul(8);
    let odd = |v: &[u8]| v.last().is_some_and(|b| b & 1 == 1);
    if !odd(&n) || n_bits < min_bits || n_bits > RSA_MAX_BITS || !odd(&e) || e.len() > 5 {
        return false;
    }
    let value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    (3..=(1u64 << 33) - 1).contains(&value)
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
    /// The digest the signature covers (`None` for Ed25519 and Ed448, which hash internally).
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
    /// Ed448 (RFC 8410); only through the fallback verifier.
    Ed448,
    /// DSA with SHA-224 or SHA-256 (RFC 5758 §3.1); only through the fallback verifier.
    Dsa(DigestAlgorithm),
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
        oid::ECDSA_WITH_SHA224 => ecdsa(DigestAlgorithm::Sha224),
        oid::ECDSA_WITH_SHA3_224 => ecdsa(sha3_digest(DigestAlgorithm::Sha3_224, digest)?),
        oid::ECDSA_WITH_SHA3_256 => ecdsa(sha3_digest(DigestAlgorithm::Sha3_256, digest)?),
        oid::ECDSA_WITH_SHA3_384 => ecdsa(sha3_digest(DigestAlgorithm::Sha3_384, digest)?),
        oid::ECDSA_WITH_SHA3_512 => ecdsa(sha3_digest(DigestAlgorithm::Sha3_512, digest)?),
        oid::SHA3_224_WITH_RSA => pkcs1(sha3_digest(DigestAlgorithm::Sha3_224, digest)?),
        oid::SHA3_256_WITH_RSA => pkcs1(sha3_digest(DigestAlgorithm::Sha3_256, digest)?),
        oid::SHA3_384_WITH_RSA => pkcs1(sha3_digest(DigestAlgorithm::Sha3_384, digest)?),
        oid::SHA3_512_WITH_RSA => pkcs1(sha3_digest(DigestAlgorithm::Sha3_512, digest)?),
        oid::ED25519 => {
            if params.is_none() {
                Ok(Scheme::Ed25519)
            } else {
                Err(CryptoError::MalformedAlgorithm)
            }
        }
        oid::ED448 => {
            // RFC 8410 §3: parameters absent. RFC 8419 §3: with signed attributes the message
            // digest is SHAKE256; any other digest is refused as the policy of the algorithm.
            if params.is_some() {
                return Err(CryptoError::MalformedAlgorithm);
            }
            match digest {
                Some(d) if d != DigestAlgorithm::Shake256 => Err(unsupported(format!(
                    "Ed448 with {}: RFC 8419 requires SHAKE256",
                    d.name()
                ))),
                _ => Ok(Scheme::Ed448),
            }
        }
        oid::MD5_WITH_RSA => Err(unsupported("RSA PKCS#1 v1.5 with MD5")),
        oid::SHA224_WITH_RSA => pkcs1(DigestAlgorithm::Sha224),
        // dsa-with-sha1 is integrity-wise verifiable but SHA-1: refused as the policy does.
        oid::DSA_WITH_SHA1 => Err(unsupported("DSA with SHA-1")),
        // RFC 5758 §3.1: parameters MUST be absent.
        oid::DSA_WITH_SHA224 | oid::DSA_WITH_SHA256 if params.is_some() => {
            Err(CryptoError::MalformedAlgorithm)
        }
        oid::DSA_WITH_SHA224 => Ok(Scheme::Dsa(DigestAlgorithm::Sha224)),
        oid::DSA_WITH_SHA256 => Ok(Scheme::Dsa(DigestAlgorithm::Sha256)),
        // The key's OID as the signature algorithm (iText writes it), the digest from the
        // SignerInfo, as for rsaEncryption above; parameters absent or NULL.
        oid::DSA if !params_absent_or_null(params) => Err(CryptoError::MalformedAlgorithm),
        oid::DSA => match digest {
            Some(d @ (DigestAlgorithm::Sha224 | DigestAlgorithm::Sha256)) => Ok(Scheme::Dsa(d)),
            Some(DigestAlgorithm::Sha1) => Err(unsupported("DSA with SHA-1")),
            Some(d) => Err(unsupported(format!("DSA with {}", d.name()))),
            None => Err(CryptoError::MissingDigest {
                algorithm: "id-dsa",
            }),
        },
        o if o.starts_with(oid::GOST_PREFIX) => {
            Err(unsupported(format!("GOST ({})", oid_to_string(o))))
        }
        o => Err(unsupported(format!(
            "signature algorithm {}",
            oid_to_string(o)
        ))),
    }
}

/// A SHA-3 signature algorithm's hash, which must be the SignerInfo's digest algorithm when
/// there is one (as DSS requires: its DSS-1420 files sign a SHA-256 message digest with
/// SHA3-256withRSA and are not valid). Older SHA-2 algorithms keep their behaviour.
fn sha3_digest(
    named: DigestAlgorithm,
    context: Option<DigestAlgorithm>,
) -> Result<DigestAlgorithm, CryptoError> {
    match context {
        Some(c) if c != named => Err(unsupported(format!(
            "{} signature over a {} message digest",
            named.name(),
            c.name()
        ))),
        _ => Ok(named),
    }
}

/// RSASSA-PSS parameters (RFC 4055 §3.1): hash SHA-224, SHA-256/384/512 or SHA3-*, MGF1 with
/// the same hash, any salt length, trailer 1. Returns the hash and the salt length; ring serves
/// SHA-256/384/512 with the salt as long as the hash, the fallback the rest.
///
/// ```text
/// RSASSA-PSS-params  ::=  SEQUENCE  {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1  }
/// ```
fn pss_digest(params: Option<&Any<'_>>) -> Result<(DigestAlgorithm, usize), CryptoError> {
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
        .filter(|d| *d != DigestAlgorithm::Shake256)
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
    if pss.trailer_field() != 1 {
        return Err(CryptoError::MalformedAlgorithm);
    }
    Ok((digest, salt))
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

    /// Verify with ring.
    fn run(
        self,
        key: &PublicKeyInfo,
        message: &[u8],
        signature: &[u8],
    ) -> Result<SignatureAlgorithm, CryptoError> {
        UnparsedPublicKey::new(self.alg, key.key_bytes())
            .verify(message, signature)
            .map_err(|_| CryptoError::BadSignature)?;
        Ok(SignatureAlgorithm {
            name: self.name,
            digest: self.digest,
        })
    }
}

/// `"<prefix> <digest name>"` as a `&'static str`, for the names of fallback algorithms.
macro_rules! with_digest {
    ($d:expr, $prefix:literal) => {
        match $d {
            DigestAlgorithm::Sha1 => concat!($prefix, " SHA-1"),
            DigestAlgorithm::Sha224 => concat!($prefix, " SHA-224"),
            DigestAlgorithm::Sha256 => concat!($prefix, " SHA-256"),
            DigestAlgorithm::Sha384 => concat!($prefix, " SHA-384"),
            DigestAlgorithm::Sha512 => concat!($prefix, " SHA-512"),
            DigestAlgorithm::Sha3_224 => concat!($prefix, " SHA3-224"),
            DigestAlgorithm::Sha3_256 => concat!($prefix, " SHA3-256"),
            DigestAlgorithm::Sha3_384 => concat!($prefix, " SHA3-384"),
            DigestAlgorithm::Sha3_512 => concat!($prefix, " SHA3-512"),
            DigestAlgorithm::Shake256 => concat!($prefix, " SHAKE256"),
        }
    };
}

/// A signature the fallback verified: its name and digest.
fn fallback_ok(name: &'static str, digest: Option<DigestAlgorithm>) -> SignatureAlgorithm {
    SignatureAlgorithm { name, digest }
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
    match scheme_of(sig_alg_oid, params, digest)? {
        Scheme::Pkcs1(d) => rsa_pkcs1(key, d, message, signature),
        Scheme::Pss => rsa_pss(key, params, message, signature),
        Scheme::EcdsaPlain(d) => ecdsa_plain(key, d, message, signature),
        Scheme::Ecdsa(d) => ecdsa(key, d, message, signature),
        Scheme::Ed25519 => {
            if key.kind() != &KeyKind::Ed25519 {
                return Err(key_mismatch(key, "Ed25519"));
            }
            Verifier {
                alg: &signature::ED25519,
                name: "Ed25519",
                digest: None,
            }
            .run(key, message, signature)
        }
        Scheme::Ed448 => {
            if !key.ed448 {
                return Err(key_mismatch(key, "Ed448"));
            }
            fallback::ed448(key.key_bytes(), message, signature)?;
            Ok(fallback_ok("Ed448", None))
        }
        Scheme::Dsa(d) => {
            if key.spki.is_empty() {
                return Err(key_mismatch(key, "DSA"));
            }
            fallback::dsa(&key.spki, &d.digest(&[message]), signature)?;
            Ok(fallback_ok(with_digest!(d, "DSA"), Some(d)))
        }
    }
}

/// The modulus and exponent of an RSA key and its size, within the sizes verified at all
/// (1024 to 8192 bits: smaller keys stay unsupported, whatever the policy).
fn rsa_parts<'k>(
    key: &'k PublicKeyInfo,
    algorithm: &'static str,
) -> Result<(&'k [u8], &'k [u8], usize), CryptoError> {
    let bits = key.rsa_bits().ok_or_else(|| key_mismatch(key, algorithm))?;
    let (n, e) = rsa_public_key(key.key_bytes()).ok_or(CryptoError::MalformedKey)?;
    Ok((n, e, bits))
}

/// RSA PKCS#1 v1.5 with digest `d`: keys of 1024 to 8192 bits. ring serves SHA-1, SHA-256 and
/// SHA-512 from 1024 bits and SHA-384 from 2048 bits, for the keys it takes; the fallback the
/// rest (SHA-224, SHA-3, SHA-384 below 2048 bits, keys ring refuses).
fn rsa_pkcs1(
    key: &PublicKeyInfo,
    d: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    use DigestAlgorithm::{Sha1, Sha256, Sha384, Sha512};
    let (n, e, bits) = rsa_parts(key, "RSA PKCS#1 v1.5")?;
    if !(RSA_MIN_LEGACY_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(unsupported(format!("RSA-{bits}")));
    }
    // No PKCS#1 v1.5 identifier uses SHAKE (RFC 8702 defines it for PSS and ECDSA only).
    if d == DigestAlgorithm::Shake256 {
        return Err(unsupported("RSA PKCS#1 v1.5 with SHAKE256"));
    }
    let ring = match d {
        Sha1 => Some((
            &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            RSA_MIN_LEGACY_BITS,
        )),
        Sha256 => Some((
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            RSA_MIN_LEGACY_BITS,
        )),
        // ring has no legacy 1024-bit variant for SHA-384.
        Sha384 => Some((&signature::RSA_PKCS1_2048_8192_SHA384, RSA_MIN_BITS)),
        Sha512 => Some((
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            RSA_MIN_LEGACY_BITS,
        )),
        _ => None,
    };
    let name = with_digest!(d, "RSA PKCS#1 v1.5");
    if let Some((alg, min)) = ring
        && ring_takes_rsa_key(n, e, min)
    {
        return Verifier::new(alg, name, d).run(key, message, signature);
    }
    fallback::rsa_pkcs1(n, e, RSA_MAX_BITS, d, &d.digest(&[message]), signature)?;
    Ok(fallback_ok(name, Some(d)))
}

/// RSASSA-PSS with the digest and salt length its parameters name: keys of 1024 to 8192 bits,
/// no SHA-1. ring serves SHA-256/384/512 with a salt as long as the hash on keys of 2048 bits
/// and up that it takes; the fallback the rest.
fn rsa_pss(
    key: &PublicKeyInfo,
    params: Option<&Any<'_>>,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    use DigestAlgorithm::{Sha256, Sha384, Sha512};
    let (n, e, bits) = rsa_parts(key, "RSASSA-PSS")?;
    let (d, salt) = pss_digest(params)?;
    if !(RSA_MIN_LEGACY_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(unsupported(format!("RSASSA-PSS with RSA-{bits}")));
    }
    let ring: Option<&'static dyn VerificationAlgorithm> = match d {
        Sha256 => Some(&signature::RSA_PSS_2048_8192_SHA256),
        Sha384 => Some(&signature::RSA_PSS_2048_8192_SHA384),
        Sha512 => Some(&signature::RSA_PSS_2048_8192_SHA512),
        _ => None,
    };
    let name = with_digest!(d, "RSASSA-PSS");
    if let Some(alg) = ring
        && salt == d.output_len()
        && ring_takes_rsa_key(n, e, RSA_MIN_BITS)
    {
        return Verifier::new(alg, name, d).run(key, message, signature);
    }
    fallback::rsa_pss(
        n,
        e,
        RSA_MAX_BITS,
        d,
        salt,
        &d.digest(&[message]),
        signature,
    )?;
    Ok(fallback_ok(name, Some(d)))
}

/// Plain (BSI TR-03111) ECDSA: ring serves P-256 with SHA-256 and P-384 with SHA-384, the
/// fallback the other pairs and P-521 and brainpoolP256r1/P384r1.
fn ecdsa_plain(
    key: &PublicKeyInfo,
    d: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    use DigestAlgorithm::{Sha256, Sha384};
    let KeyKind::Ec { curve } = key.kind() else {
        return Err(key_mismatch(key, "ECDSA"));
    };
    match (curve, d) {
        (Curve::P256, Sha256) => {
            return Verifier::new(
                &signature::ECDSA_P256_SHA256_FIXED,
                "ECDSA (plain) P-256 SHA-256",
                d,
            )
            .run(key, message, signature);
        }
        (Curve::P384, Sha384) => {
            return Verifier::new(
                &signature::ECDSA_P384_SHA384_FIXED,
                "ECDSA (plain) P-384 SHA-384",
                d,
            )
            .run(key, message, signature);
        }
        _ => {}
    }
    let name = ecdsa_name(curve, d, true)
        .ok_or_else(|| unsupported(format!("plain ECDSA {} with {}", curve.name(), d.name())))?;
    fallback::ecdsa(
        curve,
        key.key_bytes(),
        true,
        &d.digest(&[message]),
        signature,
    )?;
    Ok(fallback_ok(name, Some(d)))
}

/// DER-encoded ECDSA: ring serves P-256 and P-384 each with SHA-256 or SHA-384, the fallback
/// the other hashes on them and P-521 and brainpoolP256r1/P384r1.
fn ecdsa(
    key: &PublicKeyInfo,
    d: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, CryptoError> {
    use DigestAlgorithm::{Sha256, Sha384};
    let KeyKind::Ec { curve } = key.kind() else {
        return Err(key_mismatch(key, "ECDSA"));
    };
    let ring = match (curve, d) {
        (Curve::P256, Sha256) => Some((&signature::ECDSA_P256_SHA256_ASN1, "ECDSA P-256 SHA-256")),
        (Curve::P256, Sha384) => Some((&signature::ECDSA_P256_SHA384_ASN1, "ECDSA P-256 SHA-384")),
        (Curve::P384, Sha256) => Some((&signature::ECDSA_P384_SHA256_ASN1, "ECDSA P-384 SHA-256")),
        (Curve::P384, Sha384) => Some((&signature::ECDSA_P384_SHA384_ASN1, "ECDSA P-384 SHA-384")),
        _ => None,
    };
    if let Some((alg, name)) = ring {
        return Verifier::new(alg, name, d).run(key, message, signature);
    }
    let name = ecdsa_name(curve, d, false).ok_or_else(|| match d {
        DigestAlgorithm::Shake256 => unsupported(format!("ECDSA {} with SHAKE256", curve.name())),
        _ => unsupported(format!("ECDSA {}", curve.name())),
    })?;
    fallback::ecdsa(
        curve,
        key.key_bytes(),
        false,
        &d.digest(&[message]),
        signature,
    )?;
    Ok(fallback_ok(name, Some(d)))
}

/// The name of an ECDSA algorithm the fallback serves; `None` for a curve it does not
/// (brainpoolP512r1 and unnamed curves) or for SHAKE256 (no ECDSA identifier uses it).
fn ecdsa_name(curve: &Curve, d: DigestAlgorithm, plain: bool) -> Option<&'static str> {
    if d == DigestAlgorithm::Shake256 {
        return None;
    }
    Some(match (curve, plain) {
        (Curve::P256, false) => with_digest!(d, "ECDSA P-256"),
        (Curve::P384, false) => with_digest!(d, "ECDSA P-384"),
        (Curve::P521, false) => with_digest!(d, "ECDSA P-521"),
        (Curve::BrainpoolP256r1, false) => with_digest!(d, "ECDSA brainpoolP256r1"),
        (Curve::BrainpoolP384r1, false) => with_digest!(d, "ECDSA brainpoolP384r1"),
        (Curve::P256, true) => with_digest!(d, "ECDSA (plain) P-256"),
        (Curve::P384, true) => with_digest!(d, "ECDSA (plain) P-384"),
        (Curve::P521, true) => with_digest!(d, "ECDSA (plain) P-521"),
        (Curve::BrainpoolP256r1, true) => with_digest!(d, "ECDSA (plain) brainpoolP256r1"),
        (Curve::BrainpoolP384r1, true) => with_digest!(d, "ECDSA (plain) brainpoolP384r1"),
        _ => return None,
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
        // SHA-384 with RSA-1024 has no ring variant, and PSS needs 2048 bits in ring: both go
        // to the fallback (the policy then judges the key size), which refuses a zero
        // signature.
        assert_eq!(
            verify_signature(&small_key, oid::SHA384_WITH_RSA, None, None, MSG, &[0; 128]),
            Err(CryptoError::BadSignature)
        );
        let p = pss_params(oid::SHA256, oid::SHA256, 32);
        assert_eq!(
            verify_signature(&small_key, oid::RSASSA_PSS, Some(&p), None, MSG, &[0; 128]),
            Err(CryptoError::BadSignature)
        );
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

        // Another salt length goes to the fallback, which checks it: a signature made with a
        // 32-octet salt does not verify as one with a 20-octet salt.
        let salt20 = pss_params(oid::SHA256, oid::SHA256, 20);
        assert_eq!(
            verify_signature(&pk, oid::RSASSA_PSS, Some(&salt20), None, MSG, &sig),
            Err(CryptoError::BadSignature)
        );
        let cases: Vec<(Option<Vec<u8>>, &str)> = vec![
            (None, "RSASSA-PSS with SHA-1"),
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
        // P-256 with SHA-512 goes to the fallback, which refuses an empty signature.
        assert_eq!(
            verify_signature(&pk, oid::ECDSA_WITH_SHA512, None, None, MSG, &[]),
            Err(CryptoError::BadSignature)
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
    fn p521_and_brainpool_go_to_the_fallback() {
        let p521 = PublicKeyInfo::from_spki_der(fixture!("p521.spki.der")).unwrap();
        assert_eq!(p521.kind(), &KeyKind::Ec { curve: Curve::P521 });
        assert_eq!(p521.describe(), "ECDSA P-521");
        assert_eq!(
            verify_signature(&p521, oid::ECDSA_WITH_SHA512, None, None, MSG, &[]),
            Err(CryptoError::BadSignature)
        );
        let bp_der = pem(fixture!("root-bp.pem"));
        let (_, bp) = X509Certificate::from_der(&bp_der).unwrap();
        let key = PublicKeyInfo::from_parsed_spki(bp.public_key()).unwrap();
        assert_eq!(key.describe(), "ECDSA brainpoolP256r1");
        // The self-signature of the brainpool root verifies (bp256), and fails for other bytes.
        let ok = verify_with_algorithm(
            &key,
            &bp.signature_algorithm,
            None,
            bp.tbs_certificate.as_ref(),
            &bp.signature_value.data,
        )
        .unwrap();
        assert!(ok.name.starts_with("ECDSA brainpoolP256r1 "), "{}", ok.name);
        assert_eq!(
            verify_with_algorithm(
                &key,
                &bp.signature_algorithm,
                None,
                b"other",
                &bp.signature_value.data
            ),
            Err(CryptoError::BadSignature)
        );
        // brainpoolP512r1 has no maintained crate: unsupported, with the curve named.
        let mut point = vec![0x04];
        point.extend_from_slice(&[0x11; 128]);
        let bp512 = PublicKeyInfo::from_spki_der(&ec_spki(oid::BRAINPOOL_P512R1, &point)).unwrap();
        assert_eq!(
            verify_signature(&bp512, oid::ECDSA_WITH_SHA512, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "ECDSA brainpoolP512r1".into()
            })
        );
    }

    #[test]
    fn sha3_signatures_must_match_the_message_digest() {
        let (_, pk) = rsa_key();
        // DSS-1420: a SHA3-256withRSA signature over a SHA-256 message digest.
        assert_eq!(
            verify_signature(
                &pk,
                oid::SHA3_256_WITH_RSA,
                None,
                Some(DigestAlgorithm::Sha256),
                MSG,
                &[]
            ),
            Err(CryptoError::Unsupported {
                what: "SHA3-256 signature over a SHA-256 message digest".into()
            })
        );
        // Ed448 with signed attributes needs SHAKE256 (RFC 8419).
        let ed448 =
            PublicKeyInfo::from_spki_der(&spki(&alg_id(oid::ED448, None), &[0x22; 57])).unwrap();
        assert_eq!(
            verify_signature(
                &ed448,
                oid::ED448,
                None,
                Some(DigestAlgorithm::Sha512),
                MSG,
                &[]
            ),
            Err(CryptoError::Unsupported {
                what: "Ed448 with SHA-512: RFC 8419 requires SHAKE256".into()
            })
        );
        // A 56-octet Ed448 key is malformed.
        assert_eq!(
            PublicKeyInfo::from_spki_der(&spki(&alg_id(oid::ED448, None), &[0x22; 56])),
            Err(CryptoError::MalformedKey)
        );
    }

    #[test]
    fn new_digests_match_known_vectors() {
        // FIPS 202 / NIST CSRC example values for "abc".
        let hex = |d: DigestAlgorithm| faster_hex::hex_string(&d.digest(&[b"a", b"bc"]));
        assert_eq!(
            hex(DigestAlgorithm::Sha3_256),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
        assert_eq!(
            hex(DigestAlgorithm::Sha224),
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
        );
        assert!(hex(DigestAlgorithm::Shake256).starts_with("483366601360a8771c6863080cc4114d"));
        for d in [
            DigestAlgorithm::Sha224,
            DigestAlgorithm::Sha3_224,
            DigestAlgorithm::Sha3_256,
            DigestAlgorithm::Sha3_384,
            DigestAlgorithm::Sha3_512,
            DigestAlgorithm::Shake256,
        ] {
            assert_eq!(DigestAlgorithm::from_oid(d.oid()), Some(d));
            assert_eq!(d.digest(&[b"abc"]).len(), d.output_len(), "{d}");
        }
    }

    #[test]
    fn ring_takes_only_what_its_parser_takes() {
        let mut n = vec![0x00, 0xc0];
        n.extend_from_slice(&[0x55; 255]);
        n.push(0x01); // 2048 bits, odd, with its sign octet
        assert!(ring_takes_rsa_key(&n, &[1, 0, 1], 2048));
        // A non-minimal modulus (an extra zero octet) or exponent.
        let mut padded = vec![0x00];
        padded.extend_from_slice(&n);
        assert!(!ring_takes_rsa_key(&padded, &[1, 0, 1], 2048));
        assert!(!ring_takes_rsa_key(&n, &[0, 1, 0, 1], 2048));
        // An exponent above 2^33 - 1, an even one, one of 1.
        assert!(!ring_takes_rsa_key(&n, &[0x02, 0, 0, 0, 1], 2048));
        assert!(ring_takes_rsa_key(
            &n,
            &[0x01, 0xff, 0xff, 0xff, 0xff],
            2048
        ));
        assert!(!ring_takes_rsa_key(&n, &[1, 0, 0], 2048));
        assert!(!ring_takes_rsa_key(&n, &[1], 2048));
        // Below the family's size.
        assert!(!ring_takes_rsa_key(&n[..200], &[1, 0, 1], 2048));
        // The modulus without its sign octet: negative in DER, so not ring's.
        assert!(!ring_takes_rsa_key(&n[1..], &[1, 0, 1], 2048));
        assert_eq!(modulus_bits(&n[1..]), integer_bits(&n));
        assert_eq!(modulus_bits(&[0x80, 0x01]), Some(16));
        assert_eq!(modulus_bits(&[0x00, 0x00]), None);
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
            Err(CryptoError::KeyMismatch {
                key: "RSA-2048".into(),
                algorithm: "DSA"
            })
        );
        assert_eq!(
            verify_signature(&rsa, oid::DSA_WITH_SHA1, None, None, MSG, &[]),
            Err(CryptoError::Unsupported {
                what: "DSA with SHA-1".into()
            })
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
