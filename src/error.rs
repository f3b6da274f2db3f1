//! The crate's errors: one enum per area, joined in [`enum@Error`].
//!
//! [`DerError`] is defined beside the crate's DER reader, a leaf module, and re-exported here:
//! its message names the reader's nesting limit, and this module imports the areas' errors,
//! never the other way round.

use thiserror::Error;

pub use crate::cms::signer::{SignerProblem, TokenSignerError};
pub use crate::cms::timestamp::TimestampError;
pub use crate::crypto::CryptoError;
pub use crate::der::DerError;
pub use crate::pki::PkiError;

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
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input over [`crate::VerifyOptions`]' size limit.
    #[error(
        "input is {size} bytes, over the limit of {limit} (raise VerifyOptions::max_input_size)"
    )]
    TooLarge {
        /// Size in bytes.
        size: usize,
        /// The limit that was reached.
        limit: usize,
    },
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

/// A CMS SignedData that breaks a rule of RFC 5652 or of the PDF signature profiles.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CmsError {
    /// The DER/BER encoding is malformed.
    #[error("malformed encoding: {0}")]
    Der(#[from] DerError),
    /// /Contents holds no CMS: empty or only zero padding.
    #[error("/Contents is empty or all zero: no CMS")]
    Empty,
    /// Non-zero bytes follow the CMS inside /Contents (room for a second structure).
    #[error("{count} non-zero bytes after the CMS in /Contents")]
    TrailingGarbage {
        /// How many there are.
        count: usize,
    },
    /// The ContentInfo is of another type than id-signedData.
    #[error("ContentInfo type {oid} is not id-signedData")]
    NotSignedData {
        /// The OID, dotted.
        oid: String,
    },
    /// Not exactly one SignerInfo, as a PDF signature has.
    #[error("SignedData has {count} SignerInfos; a PDF signature has exactly one")]
    SignerInfoCount {
        /// How many there are.
        count: usize,
    },
    /// Signed attributes without contentType (RFC 5652 §5.3 requires it).
    #[error("signed attributes lack contentType")]
    MissingContentType,
    /// contentType differs from the encapsulated content type.
    #[error("contentType attribute {oid} does not match the encapsulated type {expected}")]
    ContentTypeMismatch {
        /// The OID, dotted.
        oid: String,
        /// What was expected.
        expected: String,
    },
    /// Signed attributes without messageDigest.
    #[error("signed attributes lack messageDigest")]
    MissingMessageDigest,
    /// A signed attribute that must occur once with one value occurs several times or with several values.
    #[error("attribute {oid} appears {count} times or with {count} values; exactly one is allowed")]
    DuplicateAttribute {
        /// The OID, dotted.
        oid: String,
        /// How many there are.
        count: usize,
    },
    /// A digest algorithm the crate does not compute.
    #[error("digest algorithm {oid} is not supported")]
    UnsupportedDigest {
        /// The OID, dotted.
        oid: String,
    },
    /// messageDigest has the wrong length for its algorithm.
    #[error("messageDigest is {found} bytes, {algorithm} gives {expected}")]
    DigestLength {
        /// The algorithm.
        algorithm: &'static str,
        /// What was expected.
        expected: usize,
        /// What was found.
        found: usize,
    },
    /// The certificate the SignerInfo names is neither in the CMS nor among the supplied ones.
    #[error("the signer's certificate is not in the CMS or the supplied certificates")]
    SignerCertificateNotFound,
    /// The ESS signing-certificate(-v2) attribute names another certificate than the signer's.
    #[error("ESS signing-certificate attribute does not match the signer's certificate")]
    SigningCertificateMismatch,
    /// The SubFilter's profile requires something the CMS lacks.
    #[error("SubFilter {sub_filter} requires {what}")]
    Profile {
        /// The SubFilter.
        sub_filter: String,
        /// What is wrong.
        what: &'static str,
    },
    /// The encapsulated content the structure needs is absent.
    #[error("encapsulated content is missing")]
    MissingContent,
    /// A timestamp token whose encapsulated content is not a TSTInfo (`oid` dotted).
    #[error("timestamp token: encapsulated content is {oid}, not id-ct-TSTInfo")]
    NotTstInfo {
        /// The OID, dotted.
        oid: String,
    },
}

/// A PDF structure that breaks ISO 32000 or the signature rules of REFERENCE §6.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfError {
    /// No `%PDF-` header within the first 1024 bytes.
    #[error("no %PDF- header in the first 1024 bytes")]
    NoHeader,
    /// No `startxref` and `%%EOF` at the end: the last revision cannot be found.
    #[error("no startxref / %%EOF found")]
    NoStartXref,
    /// A syntax error.
    #[error("syntax error at byte {offset}: {what}")]
    Syntax {
        /// Byte offset in the input.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A cross-reference section (table or stream) is malformed.
    #[error("cross-reference section at {offset}: {what}")]
    Xref {
        /// Byte offset in the input.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// An object is malformed or not where the cross-reference says.
    #[error("object {num} {generation}: {what}")]
    Object {
        /// Object number.
        num: u32,
        /// Generation number.
        generation: u16,
        /// What is wrong.
        what: &'static str,
    },
    /// A chain of indirect references longer than the limit.
    #[error("reference chain longer than {limit}")]
    TooManyReferences {
        /// The limit that was reached.
        limit: usize,
    },
    /// Arrays and dictionaries nested deeper than the limit.
    #[error("nesting deeper than {limit}")]
    TooDeep {
        /// The limit that was reached.
        limit: usize,
    },
    /// More objects than the limit.
    #[error("more than {limit} objects")]
    TooManyObjects {
        /// The limit that was reached.
        limit: usize,
    },
    /// A stream that decodes to more bytes than the limit.
    #[error("stream decodes to more than {limit} bytes")]
    DecompressionLimit {
        /// The limit that was reached.
        limit: usize,
    },
    /// A stream filter failed to decode its data.
    #[error("stream filter: {0}")]
    Filter(#[source] FilterError),
    /// The document is encrypted.
    #[error("encrypted documents are not supported")]
    Encrypted,
    /// A signature dictionary's /ByteRange or /Contents breaks a rule.
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
    /// No /ByteRange.
    #[error("missing")]
    Missing,
    /// /ByteRange is not an array of exactly four integers.
    #[error("not an array of exactly four integers")]
    Malformed,
    /// A /ByteRange value is negative.
    #[error("negative value")]
    Negative,
    /// The first range does not start at byte 0.
    #[error("first range does not start at 0")]
    NonZeroStart,
    /// The ranges overlap or are out of order.
    #[error("ranges overlap or are out of order")]
    Overlap,
    /// The second range ends past the end of the file.
    #[error("range ends at {end}, past the end of the file ({len} bytes)")]
    OutOfBounds {
        /// End offset.
        end: u64,
        /// Length in bytes.
        len: usize,
    },
    /// The gap between the ranges is not exactly the /Contents hex string.
    #[error("the gap {start}..{end} is not exactly the /Contents hex string")]
    GapMismatch {
        /// Start offset.
        start: u64,
        /// End offset.
        end: u64,
    },
    /// The gap lies outside the signature dictionary.
    #[error("the gap is outside the signature dictionary")]
    GapOutsideDictionary,
    /// The signed bytes do not end where a revision ends.
    #[error("signed bytes end at {end}, which is not the end of a revision")]
    NotRevisionEnd {
        /// End offset.
        end: u64,
    },
    /// No /Contents.
    #[error("/Contents missing")]
    ContentsMissing,
    /// /Contents is not a hexadecimal string.
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
