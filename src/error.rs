//! The crate's errors: one enum per area, joined in [`enum@Error`].
//!
//! [`DerError`] is defined beside its reader in [`crate::der`], a leaf module, and re-exported
//! here: its message names [`crate::der::MAX_DEPTH`], and this module imports the areas' errors,
//! never the other way round.

use thiserror::Error;

pub use crate::der::DerError;

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
    /// Malformed DER.
    #[error("DER: {0}")]
    Der(#[from] DerError),
    /// A file that cannot be read.
    #[error("I/O on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// An input over [`crate::VerifyOptions`]' size limit.
    #[error(
        "input is {size} bytes, over the limit of {limit} (raise VerifyOptions::max_input_size)"
    )]
    TooLarge { size: usize, limit: usize },
    /// A certificate, CRL or PEM input that cannot be used ([`crate::pki`]).
    #[error("PKI: {0}")]
    Pki(#[from] crate::pki::PkiError),
    /// A key, algorithm or signature the crypto layer refuses ([`crate::crypto`]).
    #[error("crypto: {0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    /// A signature timestamp token that does not hold ([`crate::cms::timestamp`]).
    #[error("timestamp token: {0}")]
    Timestamp(#[from] crate::cms::timestamp::TimestampError),
    /// A SignerInfo that does not check out ([`crate::cms::signer`]).
    #[error("SignerInfo: {0}")]
    Signer(#[from] crate::cms::signer::SignerProblem),
    /// A timestamp token's SignerInfo that does not check out ([`crate::cms::signer`]).
    #[error("timestamp token SignerInfo: {0}")]
    TokenSigner(#[from] crate::cms::signer::TokenSignerError),
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

/// A CMS SignedData that breaks a rule of RFC 5652 or of the PDF signature profiles.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CmsError {
    #[error("malformed encoding: {0}")]
    Der(#[from] DerError),
    #[error("/Contents is empty or all zero: no CMS")]
    Empty,
    #[error("{count} non-zero bytes after the CMS in /Contents")]
    TrailingGarbage { count: usize },
    #[error("ContentInfo type {oid} is not id-signedData")]
    NotSignedData { oid: String },
    #[error("SignedData has {count} SignerInfos; a PDF signature has exactly one")]
    SignerInfoCount { count: usize },
    #[error("signed attributes lack contentType")]
    MissingContentType,
    #[error("contentType attribute {oid} does not match the encapsulated type {expected}")]
    ContentTypeMismatch { oid: String, expected: String },
    #[error("signed attributes lack messageDigest")]
    MissingMessageDigest,
    #[error("attribute {oid} appears {count} times or with {count} values; exactly one is allowed")]
    DuplicateAttribute { oid: String, count: usize },
    #[error("digest algorithm {oid} is not supported")]
    UnsupportedDigest { oid: String },
    #[error("messageDigest is {found} bytes, {algorithm} gives {expected}")]
    DigestLength {
        algorithm: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("the signer's certificate is not in the CMS or the supplied certificates")]
    SignerCertificateNotFound,
    #[error("ESS signing-certificate attribute does not match the signer's certificate")]
    SigningCertificateMismatch,
    #[error("SubFilter {sub_filter} requires {what}")]
    Profile {
        sub_filter: String,
        what: &'static str,
    },
    #[error("encapsulated content is missing")]
    MissingContent,
    /// A timestamp token whose encapsulated content is not a TSTInfo (`oid` dotted).
    #[error("timestamp token: encapsulated content is {oid}, not id-ct-TSTInfo")]
    NotTstInfo { oid: String },
}

/// A PDF structure that breaks ISO 32000 or the signature rules of REFERENCE §6.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfError {
    #[error("no %PDF- header in the first 1024 bytes")]
    NoHeader,
    #[error("no startxref / %%EOF found")]
    NoStartXref,
    #[error("syntax error at byte {offset}: {what}")]
    Syntax { offset: usize, what: &'static str },
    #[error("cross-reference section at {offset}: {what}")]
    Xref { offset: usize, what: &'static str },
    #[error("object {num} {generation}: {what}")]
    Object {
        num: u32,
        generation: u16,
        what: &'static str,
    },
    #[error("reference chain longer than {limit}")]
    TooManyReferences { limit: usize },
    #[error("nesting deeper than {limit}")]
    TooDeep { limit: usize },
    #[error("more than {limit} objects")]
    TooManyObjects { limit: usize },
    #[error("stream decodes to more than {limit} bytes")]
    DecompressionLimit { limit: usize },
    /// A stream filter failed to decode its data.
    #[error("stream filter: {0}")]
    Filter(#[source] FilterError),
    #[error("encrypted documents are not supported")]
    Encrypted,
    #[error("/ByteRange: {0}")]
    ByteRange(ByteRangeError),
}

/// Why a stream filter (decoded by lopdf) failed.
#[derive(Clone, Debug, Error)]
#[non_exhaustive]
pub enum FilterError {
    /// lopdf's decoder refused the data. Shared so that [`PdfError`] stays `Clone`.
    #[error("{0}")]
    Decoder(#[source] std::sync::Arc<lopdf::Error>),
    /// lopdf's decoder panicked on malformed data (the panic is caught).
    #[error("decoder failed on malformed data")]
    Panicked,
}

/// Equal when of the same variant with the same message: lopdf's error is not comparable.
impl PartialEq for FilterError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Decoder(a), Self::Decoder(b)) => a.to_string() == b.to_string(),
            (Self::Panicked, Self::Panicked) => true,
            _ => false,
        }
    }
}

impl Eq for FilterError {}

/// The ByteRange and /Contents rules (REFERENCE §6). Each defect has its own variant.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ByteRangeError {
    #[error("missing")]
    Missing,
    #[error("not an array of exactly four integers")]
    Malformed,
    #[error("negative value")]
    Negative,
    #[error("first range does not start at 0")]
    NonZeroStart,
    #[error("ranges overlap or are out of order")]
    Overlap,
    #[error("range ends at {end}, past the end of the file ({len} bytes)")]
    OutOfBounds { end: u64, len: usize },
    #[error("the gap {start}..{end} is not exactly the /Contents hex string")]
    GapMismatch { start: u64, end: u64 },
    #[error("the gap is outside the signature dictionary")]
    GapOutsideDictionary,
    #[error("signed bytes end at {end}, which is not the end of a revision")]
    NotRevisionEnd { end: u64 },
    #[error("/Contents missing")]
    ContentsMissing,
    #[error("/Contents is not a hexadecimal string")]
    ContentsNotHex,
}

impl From<ByteRangeError> for PdfError {
    fn from(e: ByteRangeError) -> Self {
        PdfError::ByteRange(e)
    }
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
