//! # vnedoc
//!
//! Digital signatures on Vietnam's government PDF e-documents: strict verification of PAdES /
//! CMS signatures (byte ranges, CMS SignedData, certificate paths, revocation, and changes made
//! after signing), reported in the ETSI EN 319 102-1 vocabulary.
//!
//! ```no_run
//! use vnedoc::{TrustStore, ValidationTime, Verifier, VerifyOptions};
//!
//! let mut trust = TrustStore::new();
//! for der in TrustStore::load_pem_or_der(&std::fs::read("root.pem")?)? {
//!     trust.add_anchor_der(der)?;
//! }
//! let verifier = Verifier::new(VerifyOptions::new(trust, ValidationTime::At(vnedoc::time::now())));
//! let report = verifier.verify_file(std::path::Path::new("signed.pdf"))?;
//! for sig in &report.signatures {
//!     println!("{}: {:?} {:?}", sig.field, sig.indication, sig.subindication);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Limitations
//! - Encrypted documents are read as they are; strings inside them are compared encrypted.
//! - Broken cross-reference tables are not repaired: such a file is reported with an error.
//! - Signature timestamps are checked for integrity; they are not yet used as proof of
//!   existence for long-term validation.

#![forbid(unsafe_code)]
// The crate-wide lint levels (clippy::unwrap_used, expect_used, as_conversions denied) are in
// Cargo.toml's [lints] table; unsafe code is also forbidden here so that it shows in the source.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod check;
pub mod cms;
pub mod crypto;
pub mod der;
pub mod error;
pub mod exchange;
pub mod ledger;
pub mod pdf;
pub mod pki;
pub mod sign;
pub mod time;
pub mod verify;

pub use error::Error;

// The README's Rust example is compiled as a doctest so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use pki::{KeyUsageRule, TrustStore};
pub use verify::{
    DocumentReport, Indication, RevocationStatus, SignatureReport, SubIndication, ValidationTime,
    Verifier, VerifyOptions,
};
