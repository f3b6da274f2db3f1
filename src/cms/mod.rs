//! CMS SignedData (RFC 5652) as views over the received bytes, with the checks PDF signatures
//! need: signed attributes, ESS signing-certificate, timestamp tokens; and, in [`pkcs1`], the
//! CMS-less `adbe.x509.rsa_sha1` signature value.

pub mod oid;
pub mod pkcs1;
pub mod signed_data;
pub mod signer;
pub mod timestamp;

pub use signed_data::{AlgorithmId, SignedData, SignerId, SignerInfo};
