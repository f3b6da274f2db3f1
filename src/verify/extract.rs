//! What each signature of a document is made of, taken apart for inspection (what `pdfsig -dump`
//! and pyHanko's revision extraction give): the revision it signs, its CMS and the certificates
//! the CMS carries. An `adbe.x509.rsa_sha1` signature has no CMS: its PKCS#1 signature value
//! and the certificates of /Cert are given instead.
//!
//! Nothing here verifies anything. The byte range is checked by the same rules as in
//! verification (REFERENCE §6) only to decide whether the signed revision can be cut out: a
//! range that breaks a rule yields its reason, never a guess at the revision.

use crate::Error;
use crate::cms::SignedData;
use crate::cms::pkcs1::{self, Pkcs1Error};
use crate::cms::signer::find_signer;
use crate::malformed::{ByteRangeError, PdfError};
use crate::pdf::byte_range;
use crate::pdf::document::{Document, Limits};
use crate::pdf::object::Object;
use crate::pdf::signatures;
use crate::pki::PathValidator;

/// One signature dictionary of a document, taken apart.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExtractedSignature<'a> {
    /// The signature field's fully qualified name.
    pub field: String,
    /// The signature dictionary's /SubFilter.
    pub sub_filter: Option<String>,
    /// A document timestamp (`/Type /DocTimeStamp` or SubFilter `ETSI.RFC3161`).
    pub is_doc_timestamp: bool,
    /// /ByteRange as written, when it is four non-negative integers.
    pub byte_range: Option<[u64; 4]>,
    /// The revision the signature signs: the document's bytes from 0 to the end of the byte
    /// range, itself a complete PDF. An error when the byte range breaks one of the rules, in
    /// which case no revision is cut out.
    pub signed_revision: Result<&'a [u8], ByteRangeError>,
    /// The CMS ContentInfo from /Contents as the signer encoded it, without the zero padding
    /// (a `.p7s`), or why /Contents holds none. An `adbe.x509.rsa_sha1` signature has no CMS:
    /// see [`ExtractedSignature::pkcs1_signature`].
    pub cms: Result<Vec<u8>, Error>,
    /// Only for SubFilter `adbe.x509.rsa_sha1` (ISO 32000-1 §12.8.3.2): the PKCS#1 v1.5
    /// signature value in /Contents, read at the modulus length of the first /Cert certificate
    /// (the DER OCTET STRING reading first, else the bare value), or why it cannot be read.
    /// `None` for every other SubFilter.
    pub pkcs1_signature: Option<Result<Vec<u8>, Pkcs1Error>>,
    /// The certificates in the CMS `certificates` field (for `adbe.x509.rsa_sha1`, in /Cert), in
    /// their order.
    pub certificates: Vec<ExtractedCertificate>,
    /// Index in [`ExtractedSignature::certificates`] of the certificate the SignerInfo names,
    /// when the CMS has exactly one SignerInfo and carries that certificate (for
    /// `adbe.x509.rsa_sha1`, the first of /Cert).
    pub signer_certificate: Option<usize>,
}

/// A certificate carried in a CMS.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExtractedCertificate {
    /// Its DER as found.
    pub der: Vec<u8>,
    /// Subject distinguished name (RFC 4514 text), when it parses as a certificate.
    pub subject: Option<String>,
    /// Issuer distinguished name (RFC 4514 text), when it parses as a certificate.
    pub issuer: Option<String>,
    /// SHA-256 of the DER, lower-case hexadecimal.
    pub sha256: String,
}

/// Every signature dictionary of `data`, in the order of the verifier's report
/// ([`super::DocumentReport::signatures`]), taken apart.
///
/// An error when the document cannot be read as a PDF at all; each signature's own defects are
/// in its [`ExtractedSignature`].
pub fn extract_signatures(
    data: &[u8],
    limits: Limits,
) -> Result<Vec<ExtractedSignature<'_>>, PdfError> {
    let doc = Document::parse(data, limits)?;
    let sigs = signatures::all_signature_fields(&doc)?;
    if let (true, Some(e)) = (sigs.is_empty(), &doc.unreadable_tail) {
        return Err(e.clone());
    }
    Ok(sigs
        .iter()
        .map(|sf| {
            let dict = signatures::signed_dictionary(&doc, sf);
            let sub_filter = dict
                .name(b"SubFilter")
                .map(|n| String::from_utf8_lossy(n).into_owned());
            let is_doc_timestamp = dict.type_name() == Some(b"DocTimeStamp")
                || sub_filter.as_deref() == Some("ETSI.RFC3161");
            let checked = byte_range::check(&doc, &dict);
            let signed_revision = checked
                .as_ref()
                .map(|(range, _)| data.get(..range.end).unwrap_or(&[]))
                .map_err(Clone::clone);
            let contents = match dict.get(b"Contents") {
                Some(Object::String(s)) if s.hex => Ok(s.bytes.as_slice()),
                None => Err(PdfError::ByteRange(ByteRangeError::ContentsMissing)),
                Some(_) => Err(PdfError::ByteRange(ByteRangeError::ContentsNotHex)),
            };
            if sub_filter.as_deref() == Some(pkcs1::SUB_FILTER) {
                let rev = checked.as_ref().map_or(sf.revision, |(r, _)| r.revision);
                let certs = super::pipeline::pkcs1_certificates(&doc, &dict, rev);
                let certificates: Vec<_> = certs.iter().flatten().map(|c| certificate(c)).collect();
                let value = match (certs, contents) {
                    (Err(e), _) => Err(e),
                    (Ok(c), _) if c.is_empty() => Err(Pkcs1Error::NoCert),
                    (Ok(_), Err(_)) => Err(Pkcs1Error::Empty),
                    (Ok(c), Ok(contents)) => pkcs1_value(&c[0], contents),
                };
                return ExtractedSignature {
                    field: sf.name.clone(),
                    sub_filter,
                    is_doc_timestamp,
                    byte_range: byte_range::read_byte_range(&dict).ok(),
                    signed_revision,
                    cms: Err(Error::Pkcs1(Pkcs1Error::NotCms)),
                    signer_certificate: (!certificates.is_empty()).then_some(0),
                    certificates,
                    pkcs1_signature: Some(value),
                };
            }
            let parsed = contents
                .map_err(Error::from)
                .and_then(|c| SignedData::from_pdf_contents(c).map_err(Error::from));
            let (cms, certificates, signer_certificate) = match parsed {
                Ok(sd) => {
                    let signer = sd
                        .single_signer()
                        .ok()
                        .and_then(|si| find_signer(&sd.certificates, &si.sid))
                        .and_then(|c| sd.certificates.iter().position(|x| *x == c));
                    let certs = sd.certificates.iter().map(|c| certificate(c)).collect();
                    (Ok(sd.raw.to_vec()), certs, signer)
                }
                Err(e) => (Err(e), Vec::new(), None),
            };
            ExtractedSignature {
                field: sf.name.clone(),
                sub_filter,
                is_doc_timestamp,
                byte_range: byte_range::read_byte_range(&dict).ok(),
                signed_revision,
                cms,
                pkcs1_signature: None,
                certificates,
                signer_certificate,
            }
        })
        .collect())
}

/// The signature value of an `adbe.x509.rsa_sha1` /Contents at the modulus length of the signer
/// certificate's RSA key: the first of [`pkcs1::signature_candidates`].
fn pkcs1_value(signer: &[u8], contents: &[u8]) -> Result<Vec<u8>, Pkcs1Error> {
    let modulus_len = crate::cms::signer::spki_of(signer)
        .ok()
        .and_then(|k| k.rsa_bits())
        .map(|bits| bits.div_ceil(8))
        .ok_or(Pkcs1Error::CertNotRsa)?;
    let candidates = pkcs1::signature_candidates(contents, modulus_len)?;
    candidates
        .first()
        .map(|v| v.to_vec())
        .ok_or(Pkcs1Error::Contents {
            expected: modulus_len,
        })
}

fn certificate(der: &[u8]) -> ExtractedCertificate {
    let summary = PathValidator::summarize(der).ok();
    ExtractedCertificate {
        der: der.to_vec(),
        sha256: faster_hex::hex_string(&crate::crypto::sha256(der)),
        subject: summary.as_ref().map(|s| s.subject.clone()),
        issuer: summary.map(|s| s.issuer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        std::fs::read(format!("{}/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn two_signatures_give_two_nested_revisions() {
        let data = fixture("pdf/pyhanko-two-signatures.pdf");
        let sigs = extract_signatures(&data, Limits::default()).unwrap();
        assert_eq!(sigs.len(), 2);
        let fields: Vec<&str> = sigs.iter().map(|s| s.field.as_str()).collect();
        assert_eq!(fields, ["Signature1", "Signature2"]);
        let mut revisions: Vec<&[u8]> = sigs
            .iter()
            .map(|s| *s.signed_revision.as_ref().unwrap())
            .collect();
        revisions.sort_by_key(|r| r.len());
        assert!(revisions[0].len() < revisions[1].len());
        assert_eq!(
            revisions[1],
            data.as_slice(),
            "the last signature covers the file"
        );
        for s in &sigs {
            let rev = s.signed_revision.as_ref().unwrap();
            assert!(data.starts_with(rev));
            let [_, _, b, c] = s.byte_range.unwrap();
            assert_eq!(usize::try_from(b + c).unwrap(), rev.len());
            let cms = s.cms.as_ref().unwrap();
            SignedData::from_der(cms).unwrap();
            let signer = &s.certificates[s.signer_certificate.unwrap()];
            assert!(signer.subject.is_some(), "{signer:?}");
            assert!(s.certificates.iter().all(|c| c.sha256.len() == 64));
        }
    }

    #[test]
    fn a_broken_byte_range_is_a_reason_not_a_revision() {
        let data = fixture("defects/byterange-out-of-bounds.pdf");
        let sigs = extract_signatures(&data, Limits::default()).unwrap();
        let [s] = sigs.as_slice() else {
            panic!("one signature: {sigs:?}")
        };
        assert!(
            matches!(s.signed_revision, Err(ByteRangeError::OutOfBounds { .. })),
            "{:?}",
            s.signed_revision
        );
        // The CMS is still there to look at.
        assert!(s.cms.is_ok(), "{:?}", s.cms);
    }

    #[test]
    fn x509_rsa_sha1_gives_its_signature_value_and_the_cert_chain() {
        for name in [
            "producers/x509-rsa-sha1.pdf",
            "producers/x509-rsa-sha1-bare.pdf",
        ] {
            let data = fixture(name);
            let sigs = extract_signatures(&data, Limits::default()).unwrap();
            let [s] = sigs.as_slice() else {
                panic!("{name}: one signature: {sigs:?}")
            };
            assert!(
                matches!(s.cms, Err(Error::Pkcs1(Pkcs1Error::NotCms))),
                "{name}: {:?}",
                s.cms
            );
            assert_eq!(s.certificates.len(), 2, "{name}: leaf and intermediate");
            assert_eq!(s.signer_certificate, Some(0));
            let value = s.pkcs1_signature.as_ref().unwrap().as_ref().unwrap();
            assert_eq!(value.len(), 256, "{name}: an RSA-2048 value");
            // The value given is the one that verifies over the byte ranges.
            let key = crate::cms::signer::spki_of(&s.certificates[0].der).unwrap();
            let [a, b, c, d] = s.byte_range.unwrap().map(|x| usize::try_from(x).unwrap());
            let message = [&data[a..a + b], &data[c..c + d]].concat();
            crate::crypto::verify_signature(
                &key,
                crate::crypto::oid::SHA1_WITH_RSA,
                None,
                None,
                &message,
                value,
            )
            .unwrap();
        }
        let data = fixture("producers/x509-rsa-sha1-no-cert.pdf");
        let sigs = extract_signatures(&data, Limits::default()).unwrap();
        assert!(matches!(
            sigs[0].pkcs1_signature,
            Some(Err(Pkcs1Error::NoCert))
        ));
        // Every other SubFilter has no PKCS#1 value.
        let data = fixture("pdf/pyhanko-two-signatures.pdf");
        let sigs = extract_signatures(&data, Limits::default()).unwrap();
        assert!(sigs.iter().all(|s| s.pkcs1_signature.is_none()));
    }

    #[test]
    fn not_a_pdf_is_an_error() {
        assert_eq!(
            extract_signatures(b"garbage", Limits::default()).unwrap_err(),
            PdfError::NoHeader
        );
    }

    #[test]
    fn missing_contents_is_reported() {
        let data = fixture("defects/contents-missing.pdf");
        let sigs = extract_signatures(&data, Limits::default()).unwrap();
        let [s] = sigs.as_slice() else {
            panic!("one signature: {sigs:?}")
        };
        assert!(s.cms.is_err());
        assert!(s.signed_revision.is_err());
        assert!(s.certificates.is_empty());
    }
}
