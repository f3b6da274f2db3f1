//! The algorithms ring lacks (src/crypto/fallback.rs), each timed against its own bound: the
//! fixture of fixtures/algos/ (one ~12 KB PDF per family, made by fixtures/gen/algos_pdfs.py),
//! verified by the crate, against the digest of its signed ranges plus one verification done
//! directly with the same RustCrypto crate the fallback uses (its key parsed from the
//! certificate inside the timing, as the verifier does).

use std::hint::black_box;
use std::path::PathBuf;

use ecdsa::signature::hazmat::PrehashVerifier as _;
use vnedoc::internals::cms::signed_data::SignedData;

/// The message digest of the signed ranges, by the algorithm the signature uses.
#[derive(Clone, Copy)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_512,
    Shake256,
}

impl Hash {
    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn ring_d(alg: &'static ring::digest::Algorithm, parts: &[&[u8]]) -> Vec<u8> {
            let mut c = ring::digest::Context::new(alg);
            parts.iter().for_each(|p| c.update(p));
            c.finish().as_ref().to_vec()
        }
        fn rc<D: sha3::Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            parts.iter().for_each(|p| h.update(p));
            h.finalize().to_vec()
        }
        match self {
            Self::Sha256 => ring_d(&ring::digest::SHA256, parts),
            Self::Sha384 => ring_d(&ring::digest::SHA384, parts),
            Self::Sha512 => ring_d(&ring::digest::SHA512, parts),
            Self::Sha3_256 => rc::<sha3::Sha3_256>(parts),
            Self::Sha3_512 => rc::<sha3::Sha3_512>(parts),
            Self::Shake256 => {
                use shake::digest::{ExtendableOutput, Update, XofReader};
                let mut h = shake::Shake256::default();
                parts.iter().for_each(|p| h.update(p));
                let mut out = vec![0u8; 64];
                h.finalize_xof().read(&mut out);
                out
            }
        }
    }
}

/// The family of a fixture: which crate verifies it, and how.
#[derive(Clone, Copy)]
pub enum Family {
    Ed448,
    Bp256,
    Bp384,
    P521,
    P256,
    Dsa,
    RsaPkcs1Sha3_256,
    RsaPssSha3_512,
    RsaPkcs1Sha256,
}

pub struct FbInput {
    pub name: &'static str,
    pub pdf: Vec<u8>,
    gap: (usize, usize),
    end: usize,
    hash: Hash,
    family: Family,
    spki: Vec<u8>,
    key_bits: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// Fixture name, family, hash (the signature's).
pub const INPUTS: &[(&str, Family, Hash)] = &[
    ("algos/algos-ed448.pdf", Family::Ed448, Hash::Shake256),
    ("algos/algos-ecdsa-bp256.pdf", Family::Bp256, Hash::Sha256),
    ("algos/algos-ecdsa-bp384.pdf", Family::Bp384, Hash::Sha384),
    ("pdf/pyhanko-p521.pdf", Family::P521, Hash::Sha512),
    (
        "algos/algos-ecdsa-p256-sha3-256.pdf",
        Family::P256,
        Hash::Sha3_256,
    ),
    (
        "algos/algos-ecdsa-p256-sha512.pdf",
        Family::P256,
        Hash::Sha512,
    ),
    ("algos/algos-dsa-sha256.pdf", Family::Dsa, Hash::Sha256),
    (
        "algos/algos-rsa-sha3-256.pdf",
        Family::RsaPkcs1Sha3_256,
        Hash::Sha3_256,
    ),
    (
        "algos/algos-rsa-pss-sha3-512.pdf",
        Family::RsaPssSha3_512,
        Hash::Sha3_512,
    ),
    (
        "algos/algos-rsa-large-exponent.pdf",
        Family::RsaPkcs1Sha256,
        Hash::Sha256,
    ),
];

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn load(rel: &'static str, family: Family, hash: Hash) -> FbInput {
    let pdf = std::fs::read(fixtures_dir().join(rel)).expect(rel);
    let ((a, b, c), contents) = crate::inputs::last_signature(&pdf);
    let sd = SignedData::from_pdf_contents(&contents).expect("CMS");
    let si = sd.single_signer().expect("SignerInfo");
    let message = si
        .signed_attrs
        .as_ref()
        .expect("signed attributes")
        .signed_bytes();
    let signature = si.signature.to_vec();
    let cert = vnedoc::internals::cms::signer::find_signer(&sd.certificates, &si.sid)
        .expect("signer certificate");
    let (_, cert) = x509_parser::parse_x509_certificate(cert).expect("certificate");
    let spki = cert.tbs_certificate.subject_pki.raw.to_vec();
    let key_bits = cert
        .tbs_certificate
        .subject_pki
        .subject_public_key
        .data
        .to_vec();
    FbInput {
        name: rel,
        pdf,
        gap: (a, b),
        end: b + c,
        hash,
        family,
        spki,
        key_bits,
        message,
        signature,
    }
}

/// ECDSA over the prehash with curve `$c` (a macro: the crates' trait bounds are long).
macro_rules! ec {
    ($c:ty, $point:expr, $hash:expr, $m:expr, $s:expr) => {{
        let k = ecdsa::VerifyingKey::<$c>::from_sec1_bytes($point).unwrap();
        let sig = ecdsa::Signature::<$c>::from_der($s).unwrap();
        k.verify_prehash(&$hash.digest(&[$m]), &sig).is_ok()
    }};
}

impl FbInput {
    /// Digest of the ranges + one verification by the fallback's crate.
    pub fn bound(&self) {
        let pdf = &self.pdf;
        black_box(
            self.hash
                .digest(&[&pdf[..self.gap.0], &pdf[self.gap.1..self.end]]),
        );
        let (m, s) = (&self.message[..], &self.signature[..]);
        let ok = match self.family {
            Family::Ed448 => {
                let k: [u8; 57] = self.key_bits[..].try_into().unwrap();
                let k = ed448_goldilocks::VerifyingKey::from_bytes(&k).unwrap();
                let sig = ed448_goldilocks::Signature::from_slice(s).unwrap();
                k.verify_raw(&sig, m).is_ok()
            }
            Family::Bp256 => ec!(bp256::BrainpoolP256r1, &self.key_bits, self.hash, m, s),
            Family::Bp384 => ec!(bp384::BrainpoolP384r1, &self.key_bits, self.hash, m, s),
            Family::P521 => ec!(p521::NistP521, &self.key_bits, self.hash, m, s),
            Family::P256 => ec!(p256::NistP256, &self.key_bits, self.hash, m, s),
            Family::Dsa => {
                use dsa::pkcs8::DecodePublicKey;
                let k = dsa::VerifyingKey::from_public_key_der(&self.spki).unwrap();
                let sig = dsa::Signature::try_from(s).unwrap();
                k.verify_prehash(&self.hash.digest(&[m]), &sig).is_ok()
            }
            Family::RsaPkcs1Sha3_256 | Family::RsaPkcs1Sha256 => {
                let oid_last = match self.family {
                    Family::RsaPkcs1Sha3_256 => 0x08,
                    _ => 0x01,
                };
                let prefix = [
                    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
                    0x02, oid_last, 0x05, 0x00, 0x04, 0x20,
                ];
                let scheme = rsa::pkcs1v15::Pkcs1v15Sign {
                    hash_len: Some(32),
                    prefix: Box::new(prefix),
                };
                rsa_key(&self.key_bits)
                    .verify(scheme, &self.hash.digest(&[m]), s)
                    .is_ok()
            }
            Family::RsaPssSha3_512 => rsa_key(&self.key_bits)
                .verify(
                    rsa::pss::Pss::<sha3::Sha3_512>::new_with_salt(64),
                    &self.hash.digest(&[m]),
                    s,
                )
                .is_ok(),
        };
        assert!(ok, "{}: bound verification", self.name);
    }
}

fn rsa_key(bits: &[u8]) -> rsa::PublicKey {
    let (_, k) = <x509_parser::public_key::RSAPublicKey as x509_parser::prelude::FromDer<
        '_,
        x509_parser::error::X509Error,
    >>::from_der(bits)
    .unwrap();
    let n = rsa::BoxedUint::from_be_slice(k.modulus, (k.modulus.len() * 8) as u32).unwrap();
    let e = rsa::BoxedUint::from_be_slice(k.exponent, (k.exponent.len() * 8) as u32).unwrap();
    rsa::PublicKey::new_unchecked(n, e)
}
