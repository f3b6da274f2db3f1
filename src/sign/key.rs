//! Private keys in process, through ring: RSA (PKCS#1 v1.5, 2048–4096 bits) and ECDSA
//! P-256/P-384, from PKCS#8, PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`) files, in
//! PEM or DER.
//!
//! A key file is recognised by its PEM label or, for DER, by its structure before ring sees
//! it, so that a refusal says what the key is ("RSA 1024-bit", "ECDSA P-521", an encrypted
//! PKCS#8, a certificate given as the key) rather than only that ring did not take it.

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};

use super::{CertificateError, KeyError, SignError, SignatureAlgorithm, Signer};
use crate::crypto::{Curve, oid};
use crate::der::{self, TAG_BIT_STRING, TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE};
use crate::pki::pem;

/// Smallest RSA modulus the signer accepts: ETSI TS 119 312 and the EU DSS default policy
/// (the verifier's default minimum, `PathOptions::min_rsa_bits`, is the same number).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus the signer accepts: ring signs with keys of up to 8192 bits, but 4096
/// is the largest the Vietnamese CAs issue and the largest the peers were tested with.
pub const MAX_RSA_BITS: usize = 4096;

/// What a key is, as messages name it: `RSA 2048-bit`, `ECDSA P-256`, `Ed25519`, …
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyType {
    /// RSA, with the size of its modulus.
    Rsa {
        /// Modulus size in bits.
        bits: usize,
    },
    /// ECDSA (id-ecPublicKey) on a named curve.
    Ec {
        /// `P-256`, `P-384`, `P-521`, `brainpoolP256r1`, … or `curve 1.2.…` (dotted OID).
        curve: String,
    },
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// Any other algorithm, by name (`DSA`, `Ed448`, `RSASSA-PSS`) or dotted OID.
    Other {
        /// The name.
        algorithm: String,
    },
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA {bits}-bit"),
            Self::Ec { curve } => write!(f, "ECDSA {curve}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Other { algorithm } => f.write_str(algorithm),
        }
    }
}

impl KeyType {
    fn ec(curve_oid: &[u8]) -> Self {
        Self::Ec {
            curve: Curve::from_oid(curve_oid).name().into_owned(),
        }
    }

    /// The type of a certificate's public key, or `None` when it cannot be read.
    pub(crate) fn of_certificate(
        cert: &x509_parser::certificate::X509Certificate<'_>,
    ) -> Option<Self> {
        use crate::crypto::KeyKind;
        let info = crate::crypto::PublicKeyInfo::from_parsed_spki(cert.public_key()).ok()?;
        Some(match info.kind() {
            KeyKind::Rsa { bits } => Self::Rsa { bits: *bits },
            KeyKind::Ec { curve } => Self::Ec {
                curve: curve.name().into_owned(),
            },
            KeyKind::Ed25519 => Self::Ed25519,
            KeyKind::Other(name) => Self::Other {
                algorithm: name.clone(),
            },
        })
    }
}

enum Pair {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair, SignatureAlgorithm),
}

/// A signer holding its private key in memory.
pub struct KeySigner {
    pair: Pair,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    rng: SystemRandom,
}

/// The DER of a PEM block labelled `label`, or the input itself when it is not PEM.
pub fn pem_or_der(bytes: &[u8], label: &str) -> Result<Vec<u8>, SignError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) if t.contains("-----BEGIN") => t,
        _ => return Ok(bytes.to_vec()),
    };
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin).ok_or_else(|| KeyError::NoPemBegin {
        label: label.to_owned(),
    })? + begin.len();
    let stop = text[start..].find(&end).ok_or_else(|| KeyError::NoPemEnd {
        label: label.to_owned(),
    })? + start;
    let b64: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| KeyError::PemBase64(e).into())
}

/// The PEM labels of private keys, and what the signer does with each.
const PKCS8_LABEL: &str = "PRIVATE KEY";
const PKCS1_LABEL: &str = "RSA PRIVATE KEY";
const SEC1_LABEL: &str = "EC PRIVATE KEY";
const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// The DER of a key file's private key and the format it is in.
fn key_der(bytes: &[u8]) -> Result<(Vec<u8>, Format), KeyError> {
    if !pem::is_pem(bytes) {
        return Ok((bytes.to_vec(), Format::Der));
    }
    let blocks = pem::blocks(bytes);
    let block = blocks.iter().find(|b| {
        [PKCS8_LABEL, PKCS1_LABEL, SEC1_LABEL, ENCRYPTED_LABEL].contains(&b.label.as_str())
            || b.label.ends_with(" PRIVATE KEY")
    });
    let Some(block) = block else {
        return Err(KeyError::NoPrivateKeyBlock {
            found: pem::labels(&blocks),
        });
    };
    // RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`) are how OpenSSL's legacy formats encrypt.
    if block.label == ENCRYPTED_LABEL || block.has_headers {
        return Err(KeyError::Encrypted {
            label: block.label.clone(),
        });
    }
    let format = match block.label.as_str() {
        PKCS8_LABEL => Format::Pkcs8,
        PKCS1_LABEL => Format::Pkcs1,
        SEC1_LABEL => Format::Sec1,
        other => {
            return Err(KeyError::UnsupportedPemKey {
                label: other.to_owned(),
            });
        }
    };
    match &block.contents {
        Ok(der) => Ok((der.clone(), format)),
        Err(p) => Err(KeyError::MalformedPemKey {
            label: block.label.clone(),
            unterminated: *p == pem::PemProblem::NoEnd,
        }),
    }
}

/// The container a key file's DER was announced as (PEM label), or `Der` when it came bare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Der,
    Pkcs8,
    Pkcs1,
    Sec1,
}

/// A private key recognised by its DER structure.
enum Parsed<'a> {
    /// PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2):
    ///
    /// ```text
    /// OneAsymmetricKey ::= SEQUENCE {
    ///   version                   INTEGER { v1(0), v2(1) },
    ///   privateKeyAlgorithm       AlgorithmIdentifier,
    ///   privateKey                OCTET STRING,
    ///   attributes            [0] IMPLICIT Attributes OPTIONAL,
    ///   publicKey             [1] IMPLICIT BIT STRING OPTIONAL }
    /// ```
    Pkcs8(KeyType),
    /// PKCS#1 RSAPrivateKey (RFC 8017 Appendix A.1.2):
    ///
    /// ```text
    /// RSAPrivateKey ::= SEQUENCE {
    ///   version INTEGER (0), modulus INTEGER, publicExponent INTEGER, privateExponent INTEGER,
    ///   prime1 INTEGER, prime2 INTEGER, exponent1 INTEGER, exponent2 INTEGER,
    ///   coefficient INTEGER, otherPrimeInfos OtherPrimeInfos OPTIONAL }
    /// ```
    Pkcs1 { bits: usize },
    /// SEC1 ECPrivateKey (RFC 5915 §3):
    ///
    /// ```text
    /// ECPrivateKey ::= SEQUENCE {
    ///   version        INTEGER { ecPrivkeyVer1(1) },
    ///   privateKey     OCTET STRING,
    ///   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
    ///   publicKey  [1] BIT STRING OPTIONAL }
    /// ```
    Sec1 {
        private: &'a [u8],
        curve: Option<&'a [u8]>,
        public: Option<&'a [u8]>,
    },
    /// PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3): `SEQUENCE { AlgorithmIdentifier, OCTET
    /// STRING }`.
    Encrypted,
    /// An X.509 certificate given where the key belongs.
    Certificate,
}

/// Recognises the key structures above; `None` for anything else.
fn parse_key(der: &[u8]) -> Option<Parsed<'_>> {
    if crate::pki::parse_certificate(der).is_ok() {
        return Some(Parsed::Certificate);
    }
    let top = der::parse_exact(der).ok()?.expect(TAG_SEQUENCE).ok()?;
    let mut fields = top.children();
    let first = fields.next_tlv().ok()?;
    let second = fields.next_tlv().ok()?;
    match (first.tag, second.tag) {
        (TAG_SEQUENCE, TAG_OCTET_STRING) if fields.is_empty() => Some(Parsed::Encrypted),
        (TAG_INTEGER, TAG_SEQUENCE) => {
            // PKCS#8: the algorithm identifier, then the private key.
            let mut alg = second.children();
            let alg_oid = alg.expect(TAG_OID).ok()?.content;
            let params = alg.next_tlv().ok();
            let private = fields.expect(TAG_OCTET_STRING).ok()?.content;
            let key = match alg_oid {
                oid::RSA_ENCRYPTION | oid::RSASSA_PSS => {
                    let bits = rsa_private_key_bits(private)?;
                    if alg_oid == oid::RSASSA_PSS {
                        KeyType::Other {
                            algorithm: format!("RSASSA-PSS {bits}-bit"),
                        }
                    } else {
                        KeyType::Rsa { bits }
                    }
                }
                oid::EC_PUBLIC_KEY => match params {
                    Some(p) if p.tag == TAG_OID => KeyType::ec(p.content),
                    // The curve may be named only inside the ECPrivateKey.
                    _ => match parse_sec1(private)? {
                        Parsed::Sec1 {
                            curve: Some(curve), ..
                        } => KeyType::ec(curve),
                        _ => return None,
                    },
                },
                oid::ED25519 => KeyType::Ed25519,
                other => KeyType::Other {
                    algorithm: crate::crypto::key_alg_name(other),
                },
            };
            Some(Parsed::Pkcs8(key))
        }
        (TAG_INTEGER, TAG_INTEGER) => Some(Parsed::Pkcs1 {
            bits: rsa_private_key_bits(der)?,
        }),
        (TAG_INTEGER, TAG_OCTET_STRING) => parse_sec1(der),
        _ => None,
    }
}

/// The modulus size of a PKCS#1 RSAPrivateKey.
fn rsa_private_key_bits(der: &[u8]) -> Option<usize> {
    let top = der::parse_exact(der).ok()?.expect(TAG_SEQUENCE).ok()?;
    let mut fields = top.children();
    fields.expect(TAG_INTEGER).ok()?;
    let modulus = fields.expect(TAG_INTEGER).ok()?;
    crate::crypto::integer_bits(modulus.content)
}

/// A SEC1 ECPrivateKey's fields.
fn parse_sec1(der: &[u8]) -> Option<Parsed<'_>> {
    let top = der::parse_exact(der).ok()?.expect(TAG_SEQUENCE).ok()?;
    let mut fields = top.children();
    if fields.expect(TAG_INTEGER).ok()?.small_integer().ok()? != 1 {
        return None;
    }
    let private = fields.expect(TAG_OCTET_STRING).ok()?.content;
    let curve = match fields.optional(0xa0).ok()? {
        Some(p) => Some(p.children().expect(TAG_OID).ok()?.content),
        None => None,
    };
    let public = match fields.optional(0xa1).ok()? {
        Some(p) => {
            let bits = p.children().expect(TAG_BIT_STRING).ok()?.content;
            // The unused-bits octet, 0 for a point.
            match bits.split_first() {
                Some((0, point)) => Some(point),
                _ => return None,
            }
        }
        None => None,
    };
    Some(Parsed::Sec1 {
        private,
        curve,
        public,
    })
}

/// The policy's refusal of a key the signer recognised but does not sign with.
fn refuse(key: KeyType) -> KeyError {
    KeyError::Refused { key }
}

/// A ring key pair for a key file's bytes (PEM or DER; PKCS#8, PKCS#1 or SEC1).
fn key_pair(bytes: &[u8], rng: &SystemRandom) -> Result<Pair, KeyError> {
    let (der, format) = key_der(bytes)?;
    let parsed = parse_key(&der).ok_or(match format {
        Format::Der => KeyError::NotAKey,
        Format::Pkcs8 => KeyError::Malformed { format: "PKCS#8" },
        Format::Pkcs1 => KeyError::Malformed { format: "PKCS#1" },
        Format::Sec1 => KeyError::Malformed { format: "SEC1" },
    })?;
    let rejected = |format: &'static str| {
        move |e: ring::error::KeyRejected| KeyError::Rejected {
            format,
            reason: e.to_string(),
        }
    };
    let rsa_bits = |bits: usize| {
        if (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
            Ok(())
        } else {
            Err(refuse(KeyType::Rsa { bits }))
        }
    };
    match parsed {
        Parsed::Certificate => Err(KeyError::CertificateNotKey),
        Parsed::Encrypted => Err(KeyError::Encrypted {
            label: ENCRYPTED_LABEL.to_owned(),
        }),
        Parsed::Pkcs8(KeyType::Rsa { bits }) => {
            rsa_bits(bits)?;
            Ok(Pair::Rsa(
                RsaKeyPair::from_pkcs8(&der).map_err(rejected("PKCS#8"))?,
            ))
        }
        Parsed::Pkcs8(KeyType::Ec { curve }) => {
            let (alg, ours) = match curve.as_str() {
                "P-256" => (
                    &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    SignatureAlgorithm::EcdsaP256Sha256,
                ),
                "P-384" => (
                    &ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                    SignatureAlgorithm::EcdsaP384Sha384,
                ),
                _ => return Err(refuse(KeyType::Ec { curve })),
            };
            let pair = EcdsaKeyPair::from_pkcs8(alg, &der, rng).map_err(rejected("PKCS#8"))?;
            Ok(Pair::Ecdsa(pair, ours))
        }
        Parsed::Pkcs8(other) => Err(refuse(other)),
        Parsed::Pkcs1 { bits } => {
            rsa_bits(bits)?;
            Ok(Pair::Rsa(
                RsaKeyPair::from_der(&der).map_err(rejected("PKCS#1"))?,
            ))
        }
        Parsed::Sec1 {
            private,
            curve,
            public,
        } => {
            let curve = curve.ok_or(KeyError::Sec1Incomplete { missing: "curve" })?;
            let (alg, ours) = match curve {
                oid::CURVE_P256 => (
                    &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    SignatureAlgorithm::EcdsaP256Sha256,
                ),
                oid::CURVE_P384 => (
                    &ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING,
                    SignatureAlgorithm::EcdsaP384Sha384,
                ),
                other => return Err(refuse(KeyType::ec(other))),
            };
            let public = public.ok_or(KeyError::Sec1Incomplete {
                missing: "public key",
            })?;
            let pair = EcdsaKeyPair::from_private_key_and_public_key(alg, private, public, rng)
                .map_err(rejected("SEC1"))?;
            Ok(Pair::Ecdsa(pair, ours))
        }
    }
}

impl KeySigner {
    /// A signer from a private key file's bytes, its certificate (DER) and the intermediates
    /// to embed. The key may be PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
    /// (`EC PRIVATE KEY`), PEM or DER; it must be RSA of [`MIN_RSA_BITS`] to [`MAX_RSA_BITS`]
    /// bits or ECDSA P-256/P-384, unencrypted, and match the certificate. The errors name what
    /// the key is when it is refused ([`KeyError::Refused`]).
    pub fn from_key(
        key: &[u8],
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignError> {
        let rng = SystemRandom::new();
        let pair = key_pair(key, &rng)?;
        let public: &[u8] = match &pair {
            Pair::Rsa(k) => k.public_key().as_ref(),
            Pair::Ecdsa(k, _) => k.public_key().as_ref(),
        };
        let (_, cert) =
            x509_parser::parse_x509_certificate(&certificate).map_err(CertificateError::Parse)?;
        if cert
            .tbs_certificate
            .subject_pki
            .subject_public_key
            .data
            .as_ref()
            != public
        {
            let key = match &pair {
                Pair::Rsa(k) => KeyType::Rsa {
                    bits: k.public().modulus_len().saturating_mul(8),
                },
                Pair::Ecdsa(_, SignatureAlgorithm::EcdsaP384Sha384) => KeyType::Ec {
                    curve: "P-384".to_owned(),
                },
                Pair::Ecdsa(..) => KeyType::Ec {
                    curve: "P-256".to_owned(),
                },
            };
            return Err(KeyError::CertificateMismatch {
                key,
                certificate_key: KeyType::of_certificate(&cert),
                subject: crate::pki::name_to_string(cert.subject()),
            }
            .into());
        }
        Ok(KeySigner {
            pair,
            certificate,
            chain,
            rng,
        })
    }

    /// [`KeySigner::from_key`], under its former name: PKCS#1 and SEC1 keys are read too.
    pub fn from_pkcs8(
        key: &[u8],
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignError> {
        Self::from_key(key, certificate, chain)
    }

    /// Reads the key, and a certificate file whose first certificate is the signer's and the
    /// rest its chain (PEM or DER), plus extra chain files. Errors name the file.
    pub fn from_files(
        key: &std::path::Path,
        cert: &std::path::Path,
        extra_chain: &[std::path::PathBuf],
    ) -> Result<Self, SignError> {
        let (signer, certs) = read_certificates(cert, extra_chain)?;
        let bytes = std::fs::read(key).map_err(|source| KeyError::Read {
            path: key.to_path_buf(),
            source,
        })?;
        Self::from_key(&bytes, signer, certs).map_err(|e| match e {
            SignError::Key(source) => SignError::KeyFile {
                path: key.to_path_buf(),
                source,
            },
            other => other,
        })
    }
}

/// The signer's certificate (the first of `cert`) and the chain to embed (the rest of `cert`,
/// then every certificate of `extra_chain`), from PEM or DER files.
pub fn read_certificates(
    cert: &std::path::Path,
    extra_chain: &[std::path::PathBuf],
) -> Result<(Vec<u8>, Vec<Vec<u8>>), CertificateError> {
    let load = |p: &std::path::Path, chain: bool| {
        let bytes = std::fs::read(p).map_err(|source| CertificateError::Read {
            path: p.to_path_buf(),
            source,
        })?;
        crate::pki::TrustStore::load_certificates(&bytes).map_err(|source| {
            let path = p.to_path_buf();
            if chain {
                CertificateError::ChainFile { path, source }
            } else {
                CertificateError::File { path, source }
            }
        })
    };
    let mut certs = load(cert, false)?;
    if certs.is_empty() {
        return Err(CertificateError::NoCertificate);
    }
    let signer = certs.remove(0);
    for p in extra_chain {
        certs.extend(load(p, true)?);
    }
    Ok((signer, certs))
}

impl Signer for KeySigner {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        match &self.pair {
            Pair::Rsa(_) => SignatureAlgorithm::RsaPkcs1Sha256,
            Pair::Ecdsa(_, a) => *a,
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.pair {
            Pair::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(
                    &ring::signature::RSA_PKCS1_SHA256,
                    &self.rng,
                    message,
                    &mut sig,
                )
                .map_err(|_| KeyError::RsaSigning)?;
                Ok(sig)
            }
            Pair::Ecdsa(k, _) => k
                .sign(&self.rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::EcdsaSigning.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/fixtures/pki/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn cert(leaf: &str) -> Vec<u8> {
        crate::pki::TrustStore::load_certificates(&fixture(&format!("{leaf}.pem")))
            .unwrap()
            .remove(0)
    }

    fn key_error(key: &[u8], leaf: &str) -> KeyError {
        match KeySigner::from_key(key, cert(leaf), Vec::new()) {
            Err(SignError::Key(e)) => e,
            Err(e) => panic!("not a key error: {e}"),
            Ok(_) => panic!("{leaf}: the key was taken"),
        }
    }

    /// The DER inside the first PEM block of a fixture.
    fn der_of(name: &str) -> Vec<u8> {
        pem::blocks(&fixture(name)).remove(0).contents.unwrap()
    }

    #[test]
    fn keys_are_read_from_pkcs8_pkcs1_and_sec1_pem_and_der() {
        for (key, leaf, alg) in [
            (
                "leaf-rsa2048.key",
                "leaf-rsa2048",
                SignatureAlgorithm::RsaPkcs1Sha256,
            ),
            (
                "leaf-rsa2048.pkcs1.key",
                "leaf-rsa2048",
                SignatureAlgorithm::RsaPkcs1Sha256,
            ),
            (
                "leaf-p256.key",
                "leaf-p256",
                SignatureAlgorithm::EcdsaP256Sha256,
            ),
            (
                "leaf-p256.sec1.key",
                "leaf-p256",
                SignatureAlgorithm::EcdsaP256Sha256,
            ),
            (
                "leaf-p384.key",
                "leaf-p384",
                SignatureAlgorithm::EcdsaP384Sha384,
            ),
        ] {
            for bytes in [fixture(key), der_of(key)] {
                let s = KeySigner::from_key(&bytes, cert(leaf), Vec::new())
                    .unwrap_or_else(|e| panic!("{key}: {e}"));
                assert_eq!(s.algorithm(), alg, "{key}");
                let sig = s.sign(b"message").unwrap();
                assert!(!sig.is_empty(), "{key}");
            }
        }
    }

    #[test]
    fn refusals_name_the_key() {
        let e = key_error(&fixture("leaf-rsa1024.key"), "leaf-rsa1024");
        assert_eq!(
            e.to_string(),
            "RSA 1024-bit; the policy requires RSA of at least 2048 bits (or ECDSA P-256/P-384)"
        );
        assert!(matches!(
            key_error(&der_of("leaf-p521.key"), "leaf-p521"),
            KeyError::Refused { key: KeyType::Ec { curve } } if curve == "P-521"
        ));
        assert!(matches!(
            key_error(&fixture("leaf-ed25519.key"), "leaf-ed25519"),
            KeyError::Refused {
                key: KeyType::Ed25519
            }
        ));
        assert!(matches!(
            key_error(&fixture("leaf-rsa2048.encrypted.key"), "leaf-rsa2048"),
            KeyError::Encrypted { .. }
        ));
        // Encrypted PKCS#8 as DER is recognised by its structure.
        assert!(matches!(
            key_error(&der_of("leaf-rsa2048.encrypted.key"), "leaf-rsa2048"),
            KeyError::Encrypted { .. }
        ));
        let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
            DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(
            key_error(legacy, "leaf-rsa2048"),
            KeyError::Encrypted { .. }
        ));
        assert!(matches!(
            key_error(&cert("leaf-rsa2048"), "leaf-rsa2048"),
            KeyError::CertificateNotKey
        ));
        assert!(matches!(
            key_error(&fixture("leaf-rsa2048.pem"), "leaf-rsa2048"),
            KeyError::NoPrivateKeyBlock { found } if found == ["CERTIFICATE"]
        ));
        assert!(matches!(
            key_error(b"\x30\x03\x02\x01\x00", "leaf-rsa2048"),
            KeyError::NotAKey
        ));
        let ssh = b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        assert!(matches!(
            key_error(ssh, "leaf-rsa2048"),
            KeyError::UnsupportedPemKey { label } if label == "OPENSSH PRIVATE KEY"
        ));
        let junk = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        assert!(matches!(
            key_error(junk, "leaf-rsa2048"),
            KeyError::Malformed { format: "PKCS#8" }
        ));
    }

    #[test]
    fn a_key_for_another_certificate_names_it() {
        let e = key_error(&fixture("leaf-p256.key"), "leaf-p384");
        let KeyError::CertificateMismatch {
            key,
            certificate_key,
            subject,
        } = &e
        else {
            panic!("{e}");
        };
        assert_eq!(key.to_string(), "ECDSA P-256");
        assert_eq!(
            certificate_key.as_ref().map(ToString::to_string).as_deref(),
            Some("ECDSA P-384")
        );
        assert!(subject.starts_with("CN=Lê Hoàng Dũng,"), "{subject}");
        assert!(
            e.to_string().starts_with(
                "the key (ECDSA P-256) does not match the certificate's public key (ECDSA P-384, \
                 subject CN=Lê Hoàng Dũng,"
            ),
            "{e}"
        );
    }
}
