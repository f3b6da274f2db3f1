//! The crate's errors: one enum per area, joined in [`enum@Error`].
//!
//! [`DerError`] is defined beside its reader in [`crate::der`], a leaf module, and re-exported
//! here: its message names [`crate::der::MAX_DEPTH`], and this module imports the areas' errors,
//! never the other way round.

use thiserror::Error;

pub use crate::der::DerError;

/// Any failure of the crate's entry points.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    #[error("PDF: {0}")]
    Pdf(#[from] PdfError),
    #[error("CMS: {0}")]
    Cms(#[from] CmsError),
    #[error("DER: {0}")]
    Der(#[from] DerError),
    #[error("I/O on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "input is {size} bytes, over the limit of {limit} (raise VerifyOptions::max_input_size)"
    )]
    TooLarge { size: usize, limit: usize },
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
    #[error("timestamp token: {0}")]
    Timestamp(String),
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
    #[error("stream filter: {0}")]
    Filter(String),
    #[error("encrypted documents are not supported")]
    Encrypted,
    #[error("/ByteRange: {0}")]
    ByteRange(ByteRangeError),
}

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
