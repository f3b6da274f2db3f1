//! The verifier for what `ring` does not implement, by RustCrypto's crates.
//!
//! `ring` stays the fast path: [`super`] sends a signature here only when ring has no
//! algorithm for it or refuses its key, never for a combination ring serves. What each crate
//! serves:
//!
//! | Algorithm                                              | Crate                        |
//! |--------------------------------------------------------|------------------------------|
//! | RSA PKCS#1 v1.5 with SHA-224, SHA3-*, or SHA-384 on keys below 2048 bits | `rsa`      |
//! | RSASSA-PSS with any salt length, SHA-224/SHA-2/SHA3-*, keys of 1024 bits and up | `rsa` |
//! | RSA keys ring refuses but X.509 allows (see [`rsa_key`])  | `rsa`                     |
//! | ECDSA P-256 / P-384 with a hash ring does not pair with the curve | `p256`, `p384`    |
//! | ECDSA P-521                                            | `p521`                       |
//! | ECDSA brainpoolP256r1 / brainpoolP384r1 (DER and BSI plain) | `bp256`, `bp384`        |
//! | DSA with SHA-224 / SHA-256 (SHA-1 verified, then refused by policy) | `dsa`           |
//! | Ed448 (RFC 8032 pure, empty context)                   | `ed448-goldilocks`           |
//!
//! brainpoolP512r1 has no maintained RustCrypto crate (there is no `bp512`); it stays
//! unsupported, reported with the curve named (INDETERMINATE), rather than verified by a
//! hand-written curve implementation.
//!
//! Every function answers [`CryptoError::BadSignature`] for a signature that does not verify
//! and for one whose encoding the crate refuses, so a fallback algorithm fails closed like the
//! ring path; [`CryptoError::MalformedKey`] for a key the crate cannot read.

use ecdsa::signature::hazmat::PrehashVerifier as _;

use super::{CryptoError, Curve, DigestAlgorithm};

/// A big-endian unsigned INTEGER without its leading zero octets.
fn strip_zeros(int: &[u8]) -> &[u8] {
    let start = int.iter().position(|&b| b != 0).unwrap_or(int.len());
    int.get(start..).unwrap_or_default()
}

/// Largest public exponent read here, in octets. ring takes at most 2^33 − 1; X.509 sets no
/// bound, and some issuers used 32-bit random exponents. Verification costs one modular
/// multiplication per exponent bit, so 8 octets keep it within four times ring's worst case.
const RSA_MAX_EXPONENT_LEN: usize = 8;

/// An RSA public key from the modulus and exponent as the RSAPublicKey INTEGERs carry them
/// (leading zero octets allowed: some card issuers wrote non-minimal encodings).
///
/// What ring refuses and this accepts: a modulus or exponent with extra leading zero octets, an
/// exponent above 2^33 − 1 (up to [`RSA_MAX_EXPONENT_LEN`] octets), a modulus of 1024 bits or
/// more whose byte length ring's family for the algorithm does not take (e.g. PSS or SHA-384
/// below 2048 bits). What it still refuses, as X.509 does (RFC 8017 §3.1): an even or zero
/// modulus, an even exponent or one below 3, an exponent not below the modulus. The modulus
/// size bounds are the caller's (its policy); below 1024 bits is never verified here.
fn rsa_key(n: &[u8], e: &[u8], max_bits: usize) -> Result<rsa::PublicKey, CryptoError> {
    use rsa::BoxedUint;
    let n = strip_zeros(n);
    let e = strip_zeros(e);
    if e.is_empty() || e.len() > RSA_MAX_EXPONENT_LEN || n.is_empty() {
        return Err(CryptoError::MalformedKey);
    }
    let bits = |b: &[u8]| u32::try_from(b.len()).ok().and_then(|l| l.checked_mul(8));
    let n_int = BoxedUint::from_be_slice(n, bits(n).ok_or(CryptoError::MalformedKey)?)
        .map_err(|_| CryptoError::MalformedKey)?;
    let e_int = BoxedUint::from_be_slice(e, bits(e).ok_or(CryptoError::MalformedKey)?)
        .map_err(|_| CryptoError::MalformedKey)?;
    let e_small = e.len() <= 4 || (e.len() == 5 && e.first().is_some_and(|&b| b < 2));
    if e_small {
        return rsa::PublicKey::new_with_size_limits(n_int, e_int, 1024..=max_bits)
            .map_err(|_| CryptoError::MalformedKey);
    }
    // A larger exponent than the crate's checked constructor takes: its other checks by hand,
    // since `new_unchecked` panics on an even modulus.
    let last_odd = |b: &[u8]| b.last().is_some_and(|x| x & 1 == 1);
    // `n` has no leading zero octet left, so its first octet gives the top bits.
    let n_bits = n.len().saturating_mul(8).saturating_sub(
        n.first()
            .map_or(0, |b| b.leading_zeros())
            .try_into()
            .unwrap_or(0),
    );
    if !last_odd(n) || !last_odd(e) || e.len() >= n.len() || !(1024..=max_bits).contains(&n_bits) {
        return Err(CryptoError::MalformedKey);
    }
    Ok(rsa::PublicKey::new_unchecked(n_int, e_int))
}

/// The DigestInfo prefix of EMSA-PKCS1-v1_5 (RFC 8017 §9.2): `SEQUENCE { SEQUENCE { OID, NULL },
/// OCTET STRING <len> }` up to the digest value. The NULL is written for SHA-3 too, as OpenSSL,
/// BouncyCastle and the `rsa` crate do.
fn digest_info_prefix(d: DigestAlgorithm) -> Vec<u8> {
    let oid = d.oid();
    let len = d.output_len();
    // Every length here is below 128, so each header is two octets.
    let alg_len = 2 + oid.len() + 2;
    // The content of the outer SEQUENCE: the AlgorithmIdentifier TLV and the OCTET STRING TLV.
    let total = 2 + alg_len + 2 + len;
    let mut out = Vec::with_capacity(2 + total - len);
    for b in [0x30, total, 0x30, alg_len, 0x06, oid.len()] {
        out.push(u8::try_from(b).unwrap_or(0));
    }
    out.extend_from_slice(oid);
    out.extend_from_slice(&[0x05, 0x00, 0x04]);
    out.push(u8::try_from(len).unwrap_or(0));
    out
}

/// RSA PKCS#1 v1.5 over `digest` (already computed with `d`).
pub(super) fn rsa_pkcs1(
    n: &[u8],
    e: &[u8],
    max_bits: usize,
    d: DigestAlgorithm,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let key = rsa_key(n, e, max_bits)?;
    let scheme = rsa::pkcs1v15::Pkcs1v15Sign {
        hash_len: Some(d.output_len()),
        prefix: digest_info_prefix(d).into_boxed_slice(),
    };
    key.verify(scheme, digest, signature)
        .map_err(|_| CryptoError::BadSignature)
}

/// RSASSA-PSS over `digest` with MGF1 of the same hash and exactly `salt` octets of salt.
pub(super) fn rsa_pss(
    n: &[u8],
    e: &[u8],
    max_bits: usize,
    d: DigestAlgorithm,
    salt: usize,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let key = rsa_key(n, e, max_bits)?;
    macro_rules! pss {
        ($h:ty) => {
            key.verify(rsa::pss::Pss::<$h>::new_with_salt(salt), digest, signature)
        };
    }
    use DigestAlgorithm as D;
    let r = match d {
        D::Sha1 => return Err(super::unsupported("RSASSA-PSS with SHA-1")),
        D::Sha224 => pss!(sha2::Sha224),
        D::Sha256 => pss!(sha2::Sha256),
        D::Sha384 => pss!(sha2::Sha384),
        D::Sha512 => pss!(sha2::Sha512),
        D::Sha3_224 => pss!(sha3::Sha3_224),
        D::Sha3_256 => pss!(sha3::Sha3_256),
        D::Sha3_384 => pss!(sha3::Sha3_384),
        D::Sha3_512 => pss!(sha3::Sha3_512),
        D::Shake256 => return Err(super::unsupported("RSASSA-PSS with SHAKE256")),
    };
    r.map_err(|_| CryptoError::BadSignature)
}

/// ECDSA over `digest` with the curve's key `point` (SEC1, as the SPKI carries it); `plain` is
/// the BSI TR-03111 r‖s encoding, else the DER ECDSA-Sig-Value (RFC 5480 §2.2).
pub(super) fn ecdsa(
    curve: &Curve,
    point: &[u8],
    plain: bool,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    macro_rules! ec {
        ($c:ty) => {{
            let key = ecdsa::VerifyingKey::<$c>::from_sec1_bytes(point)
                .map_err(|_| CryptoError::MalformedKey)?;
            let sig = if plain {
                ecdsa::Signature::<$c>::from_slice(signature)
            } else {
                ecdsa::Signature::<$c>::from_der(signature)
            }
            .map_err(|_| CryptoError::BadSignature)?;
            key.verify_prehash(digest, &sig)
                .map_err(|_| CryptoError::BadSignature)
        }};
    }
    match curve {
        Curve::P256 => ec!(p256::NistP256),
        Curve::P384 => ec!(p384::NistP384),
        Curve::P521 => ec!(p521::NistP521),
        Curve::BrainpoolP256r1 => ec!(bp256::BrainpoolP256r1),
        Curve::BrainpoolP384r1 => ec!(bp384::BrainpoolP384r1),
        other => Err(super::unsupported(format!("ECDSA {}", other.name()))),
    }
}

/// DSA (FIPS 186-4) over `digest` with the key of the DER SubjectPublicKeyInfo `spki` (its
/// parameters hold p, q, g; RFC 3279 §2.3.2); the signature is `Dss-Sig-Value`.
pub(super) fn dsa(spki: &[u8], digest: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
    use dsa::pkcs8::DecodePublicKey as _;
    let key =
        dsa::VerifyingKey::from_public_key_der(spki).map_err(|_| CryptoError::MalformedKey)?;
    let sig = dsa::Signature::try_from(signature).map_err(|_| CryptoError::BadSignature)?;
    key.verify_prehash(digest, &sig)
        .map_err(|_| CryptoError::BadSignature)
}

/// Ed448 (RFC 8032 §5.2, pure, empty context) over `message` with the 57-octet `key`.
pub(super) fn ed448(key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
    let bytes: [u8; 57] = key.try_into().map_err(|_| CryptoError::MalformedKey)?;
    let key = ed448_goldilocks::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| CryptoError::MalformedKey)?;
    let sig = ed448_goldilocks::Signature::from_slice(signature)
        .map_err(|_| CryptoError::BadSignature)?;
    key.verify_raw(&sig, message)
        .map_err(|_| CryptoError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_prefix_matches_rfc8017() {
        // RFC 8017 §9.2 note 1, SHA-256.
        let want = [
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ];
        assert_eq!(digest_info_prefix(DigestAlgorithm::Sha256), want);
        // SHA3-256: the same shape with id-sha3-256 (2.16.840.1.101.3.4.2.8).
        let p = digest_info_prefix(DigestAlgorithm::Sha3_256);
        assert_eq!(p.get(14), Some(&0x08));
        assert_eq!(p.len(), want.len());
    }

    #[test]
    fn rsa_key_refuses_what_x509_refuses() {
        // An even modulus, an even exponent, an exponent of 1, an oversized exponent.
        let mut n = vec![0xc0; 128];
        n[127] = 0x01;
        let even_n = vec![0xc0; 128];
        assert_eq!(
            rsa_key(&even_n, &[1, 0, 1], 8192).err(),
            Some(CryptoError::MalformedKey)
        );
        assert_eq!(
            rsa_key(&n, &[1, 0, 0], 8192).err(),
            Some(CryptoError::MalformedKey)
        );
        assert_eq!(
            rsa_key(&n, &[1], 8192).err(),
            Some(CryptoError::MalformedKey)
        );
        assert_eq!(
            rsa_key(&n, &[1; 9], 8192).err(),
            Some(CryptoError::MalformedKey)
        );
        // Below 1024 bits.
        assert_eq!(
            rsa_key(&n[1..], &[1, 0, 1], 8192).err(),
            Some(CryptoError::MalformedKey)
        );
        // Leading zero octets are read past; an exponent above 2^33 - 1 is taken.
        let mut padded = vec![0, 0, 0];
        padded.extend_from_slice(&n);
        assert!(rsa_key(&padded, &[0, 0, 1, 0, 1], 8192).is_ok());
        assert!(rsa_key(&n, &[0x01, 0, 0, 0, 0, 0x01], 8192).is_ok());
    }
}
