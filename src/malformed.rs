//! Errors in untrusted input: PDF structure, byte ranges, stream filters and CMS encodings.
//!
//! A leaf module: the PDF and CMS readers and the verifier import these, and [`crate::error`]
//! joins them (with every other area's error) into [`enum@crate::Error`]. The DER reader's own
//! error stays beside it in `der`.

use thiserror::Error;

use crate::der::DerError;

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
    /// The document is encrypted and cannot be decrypted, or an encrypted object does not
    /// decrypt.
    #[error("{0}")]
    Encryption(EncryptionError),
    /// A signature dictionary's /ByteRange or /Contents breaks a rule.
    #[error("/ByteRange: {0}")]
    ByteRange(ByteRangeError),
}

/// Why an encrypted document cannot be read (ISO 32000-2 §7.6, the standard security handler).
///
/// The first six arise when the document is opened, before any object is read; `Data` when one
/// encrypted string or stream does not decrypt.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncryptionError {
    /// The empty user password does not open the document and no password was given.
    #[error("encrypted with {method}; a password is needed (--password)")]
    PasswordNeeded {
        /// The cipher and handler revision (`AES-256, standard security handler R6`).
        method: String,
    },
    /// The password given is neither the user nor the owner password (nor is the empty one).
    #[error("wrong password (encrypted with {method})")]
    WrongPassword {
        /// The cipher and handler revision.
        method: String,
    },
    /// /Filter names a public-key security handler (ISO 32000-2 §7.6.5): the document is
    /// encrypted for the private keys of its recipients, not with a password.
    #[error("public-key security handler is not supported (/Filter /{filter})")]
    PublicKey {
        /// The handler's name (`Adobe.PubSec`).
        filter: String,
    },
    /// /Filter names a security handler other than /Standard.
    #[error("security handler /{filter} is not supported (only /Standard is)")]
    UnsupportedHandler {
        /// The handler's name.
        filter: String,
    },
    /// A /V (algorithm) and /R (revision) pair the standard handler does not define or the
    /// crate does not implement (V 3 is unpublished; V 1, 2, 4 go with R 2 to 4, V 5 with R 5, 6).
    #[error("standard security handler V {v} R {r} is not supported")]
    UnsupportedVersion {
        /// /V.
        v: i64,
        /// /R.
        r: i64,
    },
    /// A crypt filter method other than /V2 (RC4), /AESV2, /AESV3 or /Identity.
    #[error("crypt filter method /{method} is not supported")]
    UnsupportedCryptFilter {
        /// The /CFM name (or the crypt filter's name when it is not in /CF).
        method: String,
    },
    /// The encryption dictionary breaks a rule of the standard handler.
    #[error("encryption dictionary: {what}")]
    Dictionary {
        /// What is wrong.
        what: &'static str,
    },
    /// An encrypted string or stream of object `num` that does not decrypt.
    #[error("object {num} {generation}: encrypted data {what}")]
    Data {
        /// Object number.
        num: u32,
        /// Generation number.
        generation: u16,
        /// What is wrong.
        what: &'static str,
    },
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
