//! `adbe.x509.rsa_sha1` signatures (ISO 32000-1 §12.8.3.2, Table 252): no CMS at all, but a
//! PKCS#1 v1.5 RSA signature (RFC 8017 §8.2) over the digest of the byte ranges in /Contents,
//! and the signer's certificate chain in the signature dictionary's /Cert.
//!
//! ```text
//! /SubFilter /adbe.x509.rsa_sha1
//! /Contents  <04 82 01 00 ...256 bytes...  00 00 ...>   DER OCTET STRING, then zero padding
//! /Cert      [(leaf DER) (intermediate DER) ...]        or one string for a chain of one
//! ```
//!
//! ISO 32000-1 says the value of /Contents is "a DER-encoded PKCS#1 binary data object"; the
//! producers (Acrobat, iText) write the signature value as a DER OCTET STRING. Some write the bare
//! value instead, which has exactly the key's modulus length (RFC 8017 §8.2.2 step 1), so both
//! are read: [`signature_candidates`] returns the OCTET STRING reading first and the bare reading
//! second, and the caller keeps the one the key verifies. Neither reading can make a wrong
//! signature verify: each is checked by the RSA verification itself.
//!
//! The hash is the one the signature's DigestInfo names: SHA-1 for the SubFilter's name, and
//! from PDF 1.6 on also SHA-256, SHA-384 or SHA-512. ring verifies a DigestInfo of a given hash
//! only, so the caller tries each ([`DIGESTS`]); a DigestInfo carries its hash's OID, so at most
//! one can verify.

use crate::crypto::{self, DigestAlgorithm};
use crate::der;

/// The SubFilter value.
pub const SUB_FILTER: &str = "adbe.x509.rsa_sha1";

/// The hashes an `adbe.x509.rsa_sha1` DigestInfo may name, in the order they are tried, with the
/// PKCS#1 v1.5 signature algorithm of each (ISO 32000-1 §12.8.3.2: SHA-1; PDF 1.6 adds SHA-256,
/// SHA-384, SHA-512; RIPEMD-160 is not implemented and reads as a signature that does not
/// verify).
pub const DIGESTS: [(DigestAlgorithm, &[u8]); 4] = [
    (DigestAlgorithm::Sha1, crypto::oid::SHA1_WITH_RSA),
    (DigestAlgorithm::Sha256, crypto::oid::SHA256_WITH_RSA),
    (DigestAlgorithm::Sha384, crypto::oid::SHA384_WITH_RSA),
    (DigestAlgorithm::Sha512, crypto::oid::SHA512_WITH_RSA),
];

/// Most certificates read from /Cert: far more than any real chain (a signer, its CAs and
/// perhaps a cross-certificate), so a hostile array cannot make the verifier parse thousands.
pub const MAX_CERTS: usize = 32;

/// Why the /Contents or /Cert of an `adbe.x509.rsa_sha1` signature cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Pkcs1Error {
    /// /Contents is empty or all zero.
    #[error("/Contents is empty or all zero: no PKCS#1 signature")]
    Empty,
    /// /Contents is neither a DER OCTET STRING of the key's length nor the bare signature value,
    /// each followed only by zero padding.
    #[error(
        "/Contents holds no PKCS#1 signature of the key's length ({expected} bytes): neither a DER OCTET STRING nor the bare value, followed only by zero padding"
    )]
    Contents {
        /// The signer key's modulus length in bytes.
        expected: usize,
    },
    /// No /Cert entry (or an empty array): the signer's certificate is nowhere.
    #[error("/Cert is missing: no signer certificate")]
    NoCert,
    /// /Cert is not a string or an array of strings.
    #[error("/Cert is not a string or an array of strings")]
    CertNotStrings,
    /// The first /Cert certificate has no RSA key, so no PKCS#1 v1.5 value can be read.
    #[error("the first /Cert certificate has no RSA key")]
    CertNotRsa,
    /// Asked for the CMS of an `adbe.x509.rsa_sha1` signature, which has none.
    #[error("an adbe.x509.rsa_sha1 signature holds a PKCS#1 signature value, not a CMS")]
    NotCms,
    /// /Cert has more entries than `MAX_CERTS` (32).
    #[error("/Cert has more than {limit} entries")]
    TooManyCerts {
        /// `MAX_CERTS`.
        limit: usize,
    },
}

/// The readings of /Contents that could be the signature value of a key whose modulus has
/// `modulus_len` bytes: the content of a DER OCTET STRING that has exactly that length, then the
/// first `modulus_len` bytes themselves; each only when nothing but zeros follows it.
pub fn signature_candidates(contents: &[u8], modulus_len: usize) -> Result<Vec<&[u8]>, Pkcs1Error> {
    if contents.iter().all(|b| *b == 0) {
        return Err(Pkcs1Error::Empty);
    }
    let zeros = |rest: &[u8]| rest.iter().all(|b| *b == 0);
    let mut out = Vec::with_capacity(2);
    if let Ok((tlv, rest)) = der::read_tlv(contents, 0)
        && tlv.tag == der::TAG_OCTET_STRING
        && !tlv.indefinite
        && tlv.content.len() == modulus_len
        && zeros(rest)
    {
        out.push(tlv.content);
    }
    if let (Some(bare), Some(rest)) = (contents.get(..modulus_len), contents.get(modulus_len..))
        && zeros(rest)
        && !out.contains(&bare)
    {
        out.push(bare);
    }
    if out.is_empty() {
        return Err(Pkcs1Error::Contents {
            expected: modulus_len,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn octet_string_and_bare_value_are_read() {
        let sig: Vec<u8> = (1..=128).map(|i: u8| i | 0x80).collect();
        let mut wrapped = vec![0x04, 0x81, 0x80];
        wrapped.extend_from_slice(&sig);
        wrapped.extend_from_slice(&[0; 40]);
        assert_eq!(
            signature_candidates(&wrapped, 128).unwrap(),
            vec![sig.as_slice()]
        );
        let mut bare = sig.clone();
        bare.extend_from_slice(&[0; 40]);
        assert_eq!(
            signature_candidates(&bare, 128).unwrap(),
            vec![sig.as_slice()]
        );
        // Exactly the key's length, no padding.
        assert_eq!(
            signature_candidates(&sig, 128).unwrap(),
            vec![sig.as_slice()]
        );
    }

    #[test]
    fn a_bare_value_that_starts_like_an_octet_string() {
        // 0x04 0x7e: an OCTET STRING of 126 bytes, not the key's 128, so only the bare reading.
        let mut sig = vec![0x04, 0x7e];
        sig.extend((0..126).map(|i: u8| i.wrapping_mul(7) | 1));
        assert_eq!(
            signature_candidates(&sig, 128).unwrap(),
            vec![sig.as_slice()]
        );
        // 0x04 0x81 0x80: it reads as an OCTET STRING of 128 bytes when zero padding follows, so
        // both readings are kept and the RSA verification decides.
        let mut sig = vec![0x04, 0x81, 0x80];
        sig.extend((0..125).map(|i: u8| i | 1));
        let mut contents = sig.clone();
        contents.extend_from_slice(&[0; 10]);
        let both = signature_candidates(&contents, 128).unwrap();
        assert_eq!(both.len(), 2);
        assert_eq!(both[0], &contents[3..131]);
        assert_eq!(both[1], sig.as_slice());
    }

    #[test]
    fn trailing_data_wrong_length_and_empty_are_refused() {
        let sig = vec![0xaa; 128];
        let mut wrapped = vec![0x04, 0x81, 0x80];
        wrapped.extend_from_slice(&sig);
        wrapped.extend_from_slice(&[0, 0, 1, 0]);
        assert_eq!(
            signature_candidates(&wrapped, 128),
            Err(Pkcs1Error::Contents { expected: 128 })
        );
        // A value shorter than the modulus.
        let mut short = vec![0x04, 0x40];
        short.extend_from_slice(&[0xbb; 64]);
        short.extend_from_slice(&[0; 200]);
        assert!(signature_candidates(&short, 128).unwrap()[0].starts_with(&[0x04, 0x40]));
        assert_eq!(
            signature_candidates(&short[..66], 128),
            Err(Pkcs1Error::Contents { expected: 128 })
        );
        assert_eq!(signature_candidates(&[0; 300], 128), Err(Pkcs1Error::Empty));
        assert_eq!(signature_candidates(&[], 128), Err(Pkcs1Error::Empty));
    }
}
