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
//! ## Logging
//!
//! The crate emits [`tracing`](https://docs.rs/tracing) spans and events and installs no
//! subscriber: an application that installs none pays one relaxed atomic load per call site
//! (nothing is formatted). Nothing is logged inside the PDF parser's per-object loops. No PIN,
//! key, certificate, CMS blob or document content is ever a field; a TSA URL is logged with its
//! user information replaced by `***`. Errors the caller also receives (an `Err`, or
//! `DocumentReport::error`) are `debug` events: the caller decides what they are worth. `warn`
//! is for what is handled but unexpected; `info` for one line per document and summaries.
//!
//! The names and fields below are a contract, like the JSON report's: services may filter on
//! them. Targets are the module paths (`vnedoc::verify`, `vnedoc::verify::pipeline`,
//! `vnedoc::sign::pdf`, `vnedoc::sign::tsa`, `vnedoc::ledger::scan`, `vnedoc::exchange::engine`).
//!
//! | span (level) | fields | around |
//! |---|---|---|
//! | `document` (info) | `file`, `len` (bytes) | [`Verifier::verify_bytes`] (and so `verify_file`) |
//! | `signature` (info) | `field`, `sub_filter` | one signature's checks, inside `document` |
//! | `step` (debug) | `name`: `byte_range`, `modifications`, `cms`, `signer_info`, `content_digest`, `signer_certificate`, `signed_attributes`, `signature_value`, `policy`, `signature_timestamp`, `certificate_path`, `disallowed_changes` | one step of the pipeline, inside `signature` |
//! | `fetch` (info) | `kind = "tsa"`, `url`, `status`, `bytes`, `elapsed_ms` | one HTTP exchange with a TSA |
//! | `fetch` (debug) | `kind = "file"`, `path`, `bytes` | reading a file to verify or to attach to an edXML envelope |
//! | `sign` (info) | `sub_filter`, `input_bytes`, `tsa` | [`sign::sign_pdf`], [`sign::sign_pdf_to`] |
//! | `scan` (info) | `files` | [`ledger::scan::Scanner::scan`] |
//!
//! | event (level) | fields |
//! |---|---|
//! | `document verified` (info) | `signatures`, `passed` |
//! | `document not verified` (debug) | `error` |
//! | `file not verified` (debug) | `path`, `error` |
//! | `signature checked` (info) | `indication`, `subindication` (ETSI names), `findings` |
//! | `step done` (debug) | `step`, `outcome` (`ok`, `findings`, `stopped`), `findings` |
//! | `finding` (debug) | `step`, `code`, `finding`: a finding that does not stop the checks |
//! | `signature check stopped` (info) | `step`, `code` ([`Finding::code`]), `finding` |
//! | `TSA request` (debug) | `request_bytes` |
//! | `TSA answered` (info) | `bytes`, `elapsed_ms` |
//! | `TSA exchange failed`, `TSA answered with an error`, `TSA answer of another media type`, `TSA answer refused` (debug) | `error`, `body` or `content_type`; `elapsed_ms` |
//! | `signature prepared` (info) | `field`, `sub_filter`, `input_bytes`, `update_bytes`, `reserved`, `visible` |
//! | `signature timestamp obtained` (debug) | `token_bytes` |
//! | `signature completed` (info) | `cms_bytes`, `output_bytes`, `timestamped` |
//! | `signing failed` (debug) | `error` (left out for a TSA failure, whose message holds the URL as given) |
//! | `document classified` (debug) | `file`, `unit`, `outcome` (`signed_valid`, `signed_invalid`, `unsigned`), `legally_complete` |
//! | `file skipped` (debug) | `file`, `reason` |
//! | `scan done` (info) | `files`, `signed_valid`, `signed_invalid`, `unsigned`, `skipped` |
//! | `envelope sent` (debug) | `sender`, `document_id`, `outcome` (`queued`, `already_sent`, `conflict`), `recipients` |
//! | `batch sent` (info), `batch refused` (debug) | `documents`; `error` |
//! | `envelope hop` (debug) | `sender`, `document_id`, `recipient`, `hop`, `node`, `last` |
//! | `hop did not take the envelope` (warn) | `sender`, `document_id`, `recipient`, `hop`, `node`, `attempts` |
//! | `envelope arrived` (debug) | `document_id`, `recipient`, `files`, `statuses` |
//! | `envelope rejected on arrival` (info) | `document_id`, `recipient`, `file`, `verdict` |
//! | `delivery round` (debug), `deliveries done` (info) | `advanced`, `arrived`, `failed`, `stale`, `refused` |
//! | `status reported` (info), `status refused` (debug) | `sender`, `document_id`, `recipient`, `status` (the edXML code); `error` |
//!
//! The `vnedoc` binary writes them to stderr: `-v` info, `-vv` debug, `-vvv` trace, `-q` errors
//! only, warnings by default; `VNEDOC_LOG` (`EnvFilter` syntax, e.g.
//! `VNEDOC_LOG=vnedoc::verify=debug`) overrides the flags. `RUST_LOG` is not read.
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

/// The trust material of Vietnam's two public PKIs, shipped with the crate: the certificates,
/// their pins and the profiles ([`TrustStore::from_profile`]). See `data/trust/vn/README.md`.
pub mod trust {
    pub use crate::pki::{
        BuiltinCertificate, BuiltinRole, Group, TrustProfile, UnknownProfile, builtin_certificates,
    };
}

pub use error::Error;
pub use pki::{KeyUsageRule, TrustProfile, TrustStore};
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
