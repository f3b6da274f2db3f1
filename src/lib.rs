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
//! - Encrypted documents are read with the standard security handler only (RC4 and AES, R2 to
//!   R6, [`VerifyOptions::password`] or the empty user password); public-key (/Adobe.PubSec)
//!   and other handlers are refused as unreadable ([`verify::VerifyError::Encryption`]).
//! - Broken cross-reference tables are not repaired: such a file is reported with an error.
//! - Signature timestamps are checked for integrity; they are not yet used as proof of
//!   existence for long-term validation.

#![forbid(unsafe_code)]
// The crate-wide lint levels (clippy::unwrap_used, expect_used, as_conversions denied) are in
// Cargo.toml's [lints] table; unsafe code is also forbidden here so that it shows in the source.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod check;
// The crate's internals: not part of the API, so their items are documented for the crate's own
// readers where it helps rather than item by item. They reach outside only through the hidden
// `internals` module below (tests, benches, fuzz targets).
#[allow(missing_docs)]
pub(crate) mod cms;
#[allow(missing_docs)]
pub(crate) mod crypto;
#[allow(missing_docs)]
pub(crate) mod der;
pub mod error;
pub mod exchange;
pub mod ledger;
pub(crate) mod malformed;
#[allow(missing_docs)]
pub(crate) mod pdf;
#[allow(missing_docs)]
pub(crate) mod pki;
pub mod sign;
pub mod time;
pub mod verify;

pub use error::Error;
pub use pki::{KeyUsageRule, TrustStore};
pub use verify::{
    DocumentReport, Finding, Indication, RevocationStatus, SignatureReport, SubIndication,
    ValidationTime, Verifier, VerifyOptions,
};

/// Not part of the API: the crate's internals as its own tests, benches and fuzz targets reach
/// them. Nothing here follows semantic versioning.
#[doc(hidden)]
pub mod internals {
    /// CMS views and checks.
    pub mod cms {
        pub use crate::cms::{
            AlgorithmId, SignedData, SignerId, SignerInfo, oid, signed_data, signer, timestamp,
        };
    }
    /// Digests, keys and signature verification.
    pub mod crypto {
        pub use crate::crypto::*;
    }
    /// The DER reader.
    pub mod der {
        pub use crate::der::*;
    }
    /// The PDF reader, writer and change analysis.
    pub mod pdf {
        pub use crate::pdf::{
            Document, Limits, Modifications, byte_range, diff, document, fields, object,
            signatures, writer,
        };
    }
    /// The CMS SignedData the signer writes.
    pub mod cms_builder {
        pub use crate::sign::cms_builder::*;
    }
    /// Certificate paths and revocation.
    pub mod pki {
        pub use crate::pki::*;
    }
}

// The README's Rust example is compiled as a doctest so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
