//! Private keys in process, through ring: RSA (PKCS#1 v1.5, 2048–4096 bits) and ECDSA
//! P-256/P-384, from PKCS#8 in PEM or DER.

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, RsaKeyPair};

use super::{CertificateError, KeyError, SignError, SignatureAlgorithm, Signer};

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

impl KeySigner {
    /// A signer from a PKCS#8 key (PEM `PRIVATE KEY` or DER), its certificate (DER) and the
    /// intermediates to embed. The key must match the certificate.
    pub fn from_pkcs8(
        key: &[u8],
        certificate: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignError> {
        let der = pem_or_der(key, "PRIVATE KEY")?;
        let rng = SystemRandom::new();
        let pair = if let Ok(k) = RsaKeyPair::from_pkcs8(&der) {
            let bits = k.public().modulus_len() * 8;
            if !(2048..=4096).contains(&bits) {
                return Err(KeyError::RsaSize { bits }.into());
            }
            Pair::Rsa(k)
        } else if let Ok(k) =
            EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING, &der, &rng)
        {
            Pair::Ecdsa(k, SignatureAlgorithm::EcdsaP256Sha256)
        } else if let Ok(k) =
            EcdsaKeyPair::from_pkcs8(&ring::signature::ECDSA_P384_SHA384_ASN1_SIGNING, &der, &rng)
        {
            Pair::Ecdsa(k, SignatureAlgorithm::EcdsaP384Sha384)
        } else {
            return Err(KeyError::NotPkcs8.into());
        };
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
            return Err(KeyError::CertificateMismatch.into());
        }
        Ok(KeySigner {
            pair,
            certificate,
            chain,
            rng,
        })
    }

    /// Reads the key, and a certificate file whose first certificate is the signer's and the
    /// rest its chain (PEM or DER), plus extra chain files.
    pub fn from_files(
        key: &std::path::Path,
        cert: &std::path::Path,
        extra_chain: &[std::path::PathBuf],
    ) -> Result<Self, SignError> {
        let read = |p: &std::path::Path| {
            std::fs::read(p).map_err(|source| KeyError::Read {
                path: p.to_path_buf(),
                source,
            })
        };
        let mut certs = crate::pki::TrustStore::load_pem_or_der(&read(cert)?)
            .map_err(CertificateError::Load)?;
        if certs.is_empty() {
            return Err(CertificateError::NoCertificate.into());
        }
        let signer = certs.remove(0);
        for p in extra_chain {
            certs.extend(
                crate::pki::TrustStore::load_pem_or_der(&read(p)?)
                    .map_err(CertificateError::Load)?,
            );
        }
        Self::from_pkcs8(&read(key)?, signer, certs)
    }
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
