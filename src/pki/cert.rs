//! A parsed certificate with what path building needs, and the human-readable summary.

use std::fmt::Write as _;

use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::asn1_rs::{Any, Tag};
use x509_parser::extensions::ParsedExtension;
use x509_parser::time::ASN1Time;
use x509_parser::x509::X509Name;

use super::{PkiError, parse_certificate};
use crate::crypto::{DigestAlgorithm, PublicKeyInfo};
use crate::time::Timestamp;

// ---------------------------------------------------------------------------------------------
// Times at the edge
//
// x509-parser reads UTCTime and GeneralizedTime as Unix seconds (`ASN1Time::timestamp`). They
// become `Timestamp`s here, once; everything after compares `Timestamp`s.
//
// ASN.1 times run from year 0000 to 9999 (GeneralizedTime has four year digits, UTCTime spans
// 1950..=2049); jiff's instants end at `Timestamp::MAX`, 9999-12-30T22:00:00.999999999Z. A time
// T past M = 9999-12-30T22:00:00Z, the last whole second in range (RFC 5280's "no well-defined
// expiration" notAfter 99991231235959Z among them), has no `Timestamp` and is clamped. The
// times it is compared with, the validation and signing times V, are whole seconds no later
// than M: `PathValidator` truncates the `PathOptions` times to the second before using them
// (as the `i64` seconds it used to take were), and M is the last whole second in range.
//
// Clamping must not change the outcome of `V < T`, `V <= T`, `V > T` or `V >= T` for any such
// V. A T in range converts exactly, so nothing changes. For a T past M, every V <= M gives
// `V < T` and `V <= T` true and the other two false, so the clamped value must be greater than
// every V. M itself is not: at V = M, `V < M` is false where `V < T` was true, and a
// certificate valid only from 99991231000000Z would pass as valid at 9999-12-30T22:00:00Z (a
// CRL or OCSP response from that future would be used, a revocation then would count). So
// comparisons clamp to `Timestamp::MAX`, M plus 999 999 999 ns, which is greater than every
// whole-second V, and each relation keeps its outcome (see the `year_9999` tests). Below the
// range (before year -9999) there is no ASN.1 time; the clamp to `Timestamp::MIN` is only
// there so that the conversion is total.
//
// Reported instants are whole seconds, like every instant the crate makes: `CertSummary` clamps
// with `crate::time::saturating_timestamp` (a notAfter of 99991231235959Z reads
// 9999-12-30T22:00:00Z there). A reported revocation time is at or before V, hence in range
// and never clamped.

/// An ASN.1 time as an instant to compare with a validation or signing time (see "Times at
/// the edge" above for the clamp past [`Timestamp::MAX`]).
pub(crate) fn bound(t: &ASN1Time) -> Timestamp {
    bound_from_unix(t.timestamp())
}

/// [`bound`] for x509-parser's Unix seconds.
pub(crate) fn bound_from_unix(unix: i64) -> Timestamp {
    match crate::time::timestamp(unix) {
        Some(t) => t,
        None if unix > 0 => Timestamp::MAX,
        None => Timestamp::MIN,
    }
}

/// An ASN.1 time for a report: whole seconds, clamped to the last whole second in range.
fn reported(t: &ASN1Time) -> Timestamp {
    crate::time::saturating_timestamp(t.timestamp())
}

/// UID attribute, 0.9.2342.19200300.100.1.1 (RFC 4519 §2.39): Vietnamese public CAs put
/// `MST:`/`CCCD:`/`CMND:`/`MNS:` identifiers here.
const OID_UID: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01];
/// emailAddress 1.2.840.113549.1.9.1 (PKCS #9).
const OID_EMAIL: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];
/// domainComponent 0.9.2342.19200300.100.1.25 (RFC 4519 §2.4).
const OID_DC: &[u8] = &[0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19];

/// Short names of X.520 attributes under 2.5.4 (RFC 4514 §3 plus the common extras).
fn x520_short_name(last_arc: u8) -> Option<&'static str> {
    Some(match last_arc {
        3 => "CN",
        4 => "SN",
        5 => "SERIALNUMBER",
        6 => "C",
        7 => "L",
        8 => "ST",
        9 => "STREET",
        10 => "O",
        11 => "OU",
        12 => "T",
        42 => "GN",
        _ => return None,
    })
}

fn attribute_name(oid: &[u8]) -> String {
    match oid {
        [0x55, 0x04, last] => x520_short_name(*last)
            .map(str::to_owned)
            .unwrap_or_else(|| crate::crypto::oid_to_string(oid)),
        OID_UID => "UID".to_owned(),
        OID_DC => "DC".to_owned(),
        OID_EMAIL => "E".to_owned(),
        other => crate::crypto::oid_to_string(other),
    }
}

/// Decode a directory string to UTF-8; `None` if it is not a string type or is malformed.
fn attribute_string(value: &Any<'_>) -> Option<String> {
    let data = value.data;
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => std::str::from_utf8(data).ok().map(str::to_owned),
        // T.61 in practice carries Latin-1 (RFC 5280 §4.1.2.4 discourages it).
        Tag::TeletexString => Some(data.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if !data.len().is_multiple_of(2) {
                return None;
            }
            let units = data.chunks_exact(2).map(|c| match c {
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0,
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        Tag::UniversalString => {
            if !data.len().is_multiple_of(4) {
                return None;
            }
            data.chunks_exact(4)
                .map(|c| match c {
                    [a, b, d, e] => char::from_u32(u32::from_be_bytes([*a, *b, *d, *e])),
                    _ => None,
                })
                .collect()
        }
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Escape an attribute value per RFC 4514 §2.4.
fn escape_rfc4514(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
    out
}

/// RFC 4514 string: RDNs in reverse order, `,` between RDNs, `+` inside one; values that are
/// not strings as `#` followed by the hex of the value's content octets.
pub(crate) fn name_to_string(name: &X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let key = attribute_name(atv.attr_type().as_bytes());
                    match attribute_string(atv.attr_value()) {
                        Some(v) => format!("{key}={}", escape_rfc4514(&v)),
                        None => format!("{key}=#{}", hex(atv.attr_value().data)),
                    }
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// The comparable form [`canonical_name`] gives.
pub(crate) type CanonicalName = Vec<Vec<(Vec<u8>, String)>>;

/// Comparable form of a name (RFC 5280 §7.1, simplified): per RDN, the sorted list of
/// (attribute OID, value with whitespace collapsed and case folded).
pub(crate) fn canonical_name(name: &X509Name<'_>) -> CanonicalName {
    name.iter_rdn()
        .map(|rdn| {
            let mut atvs: Vec<(Vec<u8>, String)> = rdn
                .iter()
                .map(|atv| {
                    let v = match attribute_string(atv.attr_value()) {
                        Some(s) => s
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_lowercase(),
                        None => format!("#{}", hex(atv.attr_value().data)),
                    };
                    (atv.attr_type().as_bytes().to_vec(), v)
                })
                .collect();
            atvs.sort();
            atvs
        })
        .collect()
}

/// Whether two names are the same: byte-identical, or equal after RFC 5280 §7.1-style
/// normalisation.
pub(crate) fn names_match(a: &X509Name<'_>, b: &X509Name<'_>) -> bool {
    a.as_raw() == b.as_raw() || canonical_name(a) == canonical_name(b)
}

fn first_attr(name: &X509Name<'_>, oid: &[u8]) -> Option<String> {
    name.iter_attributes()
        .find(|atv| atv.attr_type().as_bytes() == oid)
        .map(|atv| {
            attribute_string(atv.attr_value())
                .unwrap_or_else(|| format!("#{}", hex(atv.attr_value().data)))
        })
}

/// Unsigned serial number in lower-case hex, without leading zero bytes.
pub(crate) fn serial_hex(raw_serial: &[u8]) -> String {
    let start = raw_serial
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(raw_serial.len().saturating_sub(1));
    hex(raw_serial.get(start..).unwrap_or(raw_serial))
}

/// Serial content octets with leading zero bytes removed, for comparisons.
pub(crate) fn normalized_serial(raw_serial: &[u8]) -> &[u8] {
    let start = raw_serial
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(raw_serial.len());
    raw_serial.get(start..).unwrap_or(raw_serial)
}

/// Who a certificate names and when it is valid, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// Subject DN, RFC 4514 style (most significant RDN last), UTF-8.
    pub subject: String,
    pub issuer: String,
    /// Serial number, lower-case hex.
    pub serial_hex: String,
    /// SHA-256 of the certificate DER, lower-case hex.
    pub sha256_hex: String,
    pub common_name: Option<String>,
    pub organization: Option<String>,
    pub organizational_unit: Option<String>,
    pub locality: Option<String>,
    pub country: Option<String>,
    /// UID (0.9.2342.19200300.100.1.1), e.g. `MST:0301234567`.
    pub uid: Option<String>,
    /// Start of the validity period, clamped to the instant range.
    pub not_before: Timestamp,
    /// End of the validity period, clamped to the instant range: a notAfter of
    /// `99991231235959Z` (RFC 5280's "no well-defined expiration") reads
    /// 9999-12-30T22:00:00Z, the last whole second of [`Timestamp`].
    pub not_after: Timestamp,
}

impl CertSummary {
    pub(crate) fn of(cert: &X509Certificate<'_>, sha256: &[u8; 32]) -> Self {
        let subject = cert.subject();
        let validity = cert.validity();
        Self {
            subject: name_to_string(subject),
            issuer: name_to_string(cert.issuer()),
            serial_hex: serial_hex(cert.raw_serial()),
            sha256_hex: hex(sha256),
            common_name: first_attr(subject, &[0x55, 0x04, 3]),
            organization: first_attr(subject, &[0x55, 0x04, 10]),
            organizational_unit: first_attr(subject, &[0x55, 0x04, 11]),
            locality: first_attr(subject, &[0x55, 0x04, 7]),
            country: first_attr(subject, &[0x55, 0x04, 6]),
            uid: first_attr(subject, OID_UID),
            not_before: reported(&validity.not_before),
            not_after: reported(&validity.not_after),
        }
    }

    /// Summarise a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, PkiError> {
        let c = Cert::parse(der)?;
        Ok(Self::of(&c.x509, &c.sha256))
    }
}

/// A certificate parsed once, with its fingerprint and (if supported) its public key.
pub(crate) struct Cert<'a> {
    pub x509: X509Certificate<'a>,
    pub sha256: [u8; 32],
}

impl<'a> Cert<'a> {
    pub fn parse(der: &'a [u8]) -> Result<Self, PkiError> {
        let x509 = parse_certificate(der)?;
        let digest = DigestAlgorithm::Sha256.digest(&[der]);
        let sha256 =
            <[u8; 32]>::try_from(digest.as_slice()).map_err(|_| PkiError::MalformedCertificate)?;
        Ok(Self { x509, sha256 })
    }

    pub fn subject_string(&self) -> String {
        name_to_string(self.x509.subject())
    }

    pub fn summary(&self) -> CertSummary {
        CertSummary::of(&self.x509, &self.sha256)
    }

    pub fn public_key(&self) -> Result<PublicKeyInfo, crate::crypto::CryptoError> {
        PublicKeyInfo::from_parsed_spki(self.x509.public_key())
    }

    /// Same subject and same SubjectPublicKeyInfo: how anchors are recognised.
    pub fn same_entity(&self, other: &Cert<'_>) -> bool {
        self.x509.subject().as_raw() == other.x509.subject().as_raw()
            && self.x509.public_key().raw == other.x509.public_key().raw
    }

    /// Self-issued: subject and issuer names match (RFC 5280 §6.1, pathLen counting).
    pub fn is_self_issued(&self) -> bool {
        names_match(self.x509.subject(), self.x509.issuer())
    }

    pub fn subject_key_id(&self) -> Option<&'a [u8]> {
        self.x509
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0),
                _ => None,
            })
    }

    pub fn authority_key_id(&self) -> Option<&'a [u8]> {
        self.x509
            .iter_extensions()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(aki) => {
                    aki.key_identifier.as_ref().map(|k| k.0)
                }
                _ => None,
            })
    }

    /// notBefore, for comparisons (see [`bound`]).
    pub fn not_before(&self) -> Timestamp {
        bound(&self.x509.validity().not_before)
    }

    /// notAfter, for comparisons (see [`bound`]).
    pub fn not_after(&self) -> Timestamp {
        bound(&self.x509.validity().not_after)
    }
}
