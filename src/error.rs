//! The crate's errors: one enum per area, joined in [`enum@Error`].
//!
//! Each area defines its errors beside its code (the input-format ones in a leaf module, the
//! DER reader's beside the reader); this module only joins them and names them for users. It
//! imports every area and no area imports it, so the joined enum adds no import cycle.

use thiserror::Error;

pub use crate::cms::pkcs1::Pkcs1Error;
pub use crate::cms::signer::{SignerProblem, TokenSignerError};
pub use crate::cms::timestamp::TimestampError;
pub use crate::crypto::CryptoError;
pub use crate::der::DerError;
pub use crate::malformed::{ByteRangeError, CmsError, EncryptionError, FilterError, PdfError};
pub use crate::pki::PkiError;
pub use crate::verify::VerifyError;

/// Any failure of the crate's entry points: each area's error converts into it with `?`, and
/// [`std::error::Error::source`] gives the area's error, whose own sources lead to the
/// underlying cause (an I/O error, a SQLite error, an HTTP error, …).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A PDF that cannot be read.
    #[error("PDF: {0}")]
    Pdf(#[from] PdfError),
    /// A CMS SignedData that cannot be read.
    #[error("CMS: {0}")]
    Cms(#[from] CmsError),
    /// An `adbe.x509.rsa_sha1` signature whose /Contents or /Cert cannot be read.
    #[error("adbe.x509.rsa_sha1: {0}")]
    Pkcs1(#[from] Pkcs1Error),
    /// Malformed DER.
    #[error("DER: {0}")]
    Der(#[from] DerError),
    /// A document the verifier cannot read (I/O, size limit).
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// A certificate, CRL or PEM input that cannot be used.
    #[error("PKI: {0}")]
    Pki(#[from] PkiError),
    /// A key, algorithm or signature the crypto layer refuses.
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// A signature timestamp token that does not hold.
    #[error("timestamp token: {0}")]
    Timestamp(#[from] TimestampError),
    /// A SignerInfo that does not check out.
    #[error("SignerInfo: {0}")]
    Signer(#[from] SignerProblem),
    /// A timestamp token's SignerInfo that does not check out.
    #[error("timestamp token SignerInfo: {0}")]
    TokenSigner(#[from] TokenSignerError),
    /// Signing failed ([`crate::sign`]).
    #[error("signing: {0}")]
    Sign(#[from] crate::sign::SignError),
    /// No usable timestamp from a TSA ([`crate::sign::tsa`]).
    #[error("TSA: {0}")]
    Tsa(#[from] crate::sign::tsa::TsaError),
    /// The exchange engine refused a request ([`crate::exchange::engine`]).
    #[error("exchange: {0}")]
    Engine(#[from] crate::exchange::engine::EngineError),
    /// An edXML envelope that cannot be sent ([`crate::exchange::engine`]).
    #[error("envelope: {0}")]
    Envelope(#[from] crate::exchange::engine::EnvelopeError),
    /// The exchange store failed ([`crate::exchange::store`]).
    #[error("exchange store: {0}")]
    Store(#[from] crate::exchange::store::StoreError),
    /// A recorder (the ledger, for the engine) failed ([`crate::exchange::record`]).
    #[error("recording: {0}")]
    Record(#[from] crate::exchange::record::RecordError),
    /// A route that cannot be planned ([`crate::exchange::routing`]).
    #[error("routing: {0}")]
    Route(#[from] crate::exchange::RouteError),
    /// A recipient that is neither an identifier nor a known group.
    #[error("recipient: {0}")]
    Recipient(#[from] crate::exchange::routing::RecipientParseError),
    /// An agency directory that cannot be loaded ([`crate::exchange::directory`]).
    #[error("agency directory: {0}")]
    Directory(#[from] crate::exchange::DirectoryError),
    /// An agency identifier that does not parse.
    #[error("agency identifier: {0}")]
    AgencyId(#[from] crate::exchange::AgencyIdError),
    /// An edXML document that cannot be read or written ([`crate::exchange::edxml`]).
    #[error("edXML: {0}")]
    Edxml(#[from] crate::exchange::edxml::EdxmlError),
    /// A DocumentId that does not parse.
    #[error("DocumentId: {0}")]
    DocumentId(#[from] crate::exchange::edxml::DocumentIdError),
    /// A ZIP-wrapped attachment that cannot be opened.
    #[error("ZIP: {0}")]
    Zip(#[from] crate::exchange::edxml::ZipError),
    /// A string that is not a processing status code.
    #[error("status: {0}")]
    StatusCode(#[from] crate::exchange::status::BadStatusCode),
    /// A processing status refused in the current state.
    #[error("status: {0}")]
    Transition(#[from] crate::exchange::status::IllegalTransition),
    /// A failed `vnedoc exchange` command ([`crate::exchange::cli`]).
    #[error("exchange command: {0}")]
    ExchangeCli(#[from] crate::exchange::cli::CliError),
    /// The ledger failed ([`crate::ledger`]).
    #[error("ledger: {0}")]
    Ledger(#[from] crate::ledger::LedgerError),
    /// A string that is not a ledger period.
    #[error("ledger: {0}")]
    Period(#[from] crate::ledger::PeriodError),
    /// A string that names no way of finding units in a scan.
    #[error("ledger scan: {0}")]
    UnitsFrom(#[from] crate::ledger::scan::UnitsFromError),
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    /// The messages from `e` down its `source()` chain.
    fn chain(e: &(dyn std::error::Error + 'static)) -> Vec<String> {
        let mut out = vec![e.to_string()];
        let mut next = e.source();
        while let Some(s) = next {
            out.push(s.to_string());
            next = s.source();
        }
        out
    }

    #[test]
    fn area_errors_join_with_their_sources() {
        fn write() -> Result<(), super::Error> {
            Err(crate::sign::SignError::Io(std::io::Error::other(
                "disk full",
            )))?;
            Ok(())
        }
        let e = write().unwrap_err();
        assert_eq!(
            chain(&e),
            [
                "signing: output: disk full",
                "output: disk full",
                "disk full"
            ]
        );
        let io = e.source().and_then(|s| s.source()).unwrap();
        assert!(io.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn store_backend_keeps_the_sqlite_error() {
        let dir = std::env::temp_dir().join("vnedoc-no-such-dir-for-errors/a/b");
        let Err(e) = crate::exchange::store::SqliteStore::open(&dir.join("x.db")) else {
            panic!("a store in a missing directory opened");
        };
        let e = super::Error::from(e);
        let backend = e.source().and_then(|s| s.source()).unwrap();
        assert!(backend.downcast_ref::<rusqlite::Error>().is_some(), "{e}");
        assert!(
            e.to_string()
                .starts_with("exchange store: store backend failed during open: ")
        );
    }
}
