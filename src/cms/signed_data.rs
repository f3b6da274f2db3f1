//! SignedData and SignerInfo views (RFC 5652 §5).
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType ContentType, content [0] EXPLICIT ANY }
//! SignedData ::= SEQUENCE {
//!   version CMSVersion, digestAlgorithms SET OF DigestAlgorithmIdentifier,
//!   encapContentInfo EncapsulatedContentInfo,
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SET OF SignerInfo }
//! SignerInfo ::= SEQUENCE {
//!   version CMSVersion, sid SignerIdentifier, digestAlgorithm DigestAlgorithmIdentifier,
//!   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!   signatureAlgorithm SignatureAlgorithmIdentifier, signature SignatureValue,
//!   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```

use std::borrow::Cow;

use super::oid;
use crate::der::DerError;
use crate::der::{self, TAG_OID, TAG_SEQUENCE, TAG_SET, Tlv};
use crate::malformed::CmsError;

/// An AlgorithmIdentifier: the OID's content octets and the raw parameters, if any.
#[derive(Clone, Copy, Debug)]
pub struct AlgorithmId<'a> {
    pub oid: &'a [u8],
    pub params: Option<&'a [u8]>,
}

impl<'a> AlgorithmId<'a> {
    fn parse(tlv: Tlv<'a>) -> Result<Self, DerError> {
        let mut r = tlv.expect(TAG_SEQUENCE)?.children();
        let oid = r.expect(TAG_OID)?.content;
        let params = match r.next() {
            None => None,
            Some(p) => Some(p?.raw),
        };
        r.finish()?;
        Ok(AlgorithmId { oid, params })
    }

    /// Dotted text of the OID.
    pub fn oid_string(&self) -> String {
        der::oid_to_string(self.oid)
    }
}

/// How the SignerInfo names its certificate.
#[derive(Clone, Copy, Debug)]
pub enum SignerId<'a> {
    /// IssuerAndSerialNumber: the raw issuer Name and the serial's magnitude.
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    /// `[0]` SubjectKeyIdentifier.
    KeyId(&'a [u8]),
}

/// One attribute: its type and the raw values of its SET.
#[derive(Clone, Debug)]
pub struct Attribute<'a> {
    pub oid: &'a [u8],
    pub values: Vec<Tlv<'a>>,
}

/// The signed attributes with the raw bytes the signature covers.
#[derive(Clone, Debug)]
pub struct SignedAttributes<'a> {
    /// The whole `[0] IMPLICIT` element as received.
    pub raw: &'a [u8],
    pub attrs: Vec<Attribute<'a>>,
}

impl SignedAttributes<'_> {
    /// The bytes the signature is computed over: the received encoding with only the `[0]` tag
    /// replaced by SET (RFC 5652 §5.4).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut v = self.raw.to_vec();
        if let Some(first) = v.first_mut() {
            *first = TAG_SET;
        }
        v
    }
}

/// One SignerInfo.
#[derive(Clone, Debug)]
pub struct SignerInfo<'a> {
    pub sid: SignerId<'a>,
    pub digest_algorithm: AlgorithmId<'a>,
    pub signed_attrs: Option<SignedAttributes<'a>>,
    pub signature_algorithm: AlgorithmId<'a>,
    pub signature: Cow<'a, [u8]>,
    pub unsigned_attrs: Vec<Attribute<'a>>,
}

impl<'a> SignerInfo<'a> {
    /// Every signed attribute of `oid`.
    pub fn signed_attr(&self, oid: &[u8]) -> Vec<&Attribute<'a>> {
        self.signed_attrs
            .as_ref()
            .map(|s| s.attrs.iter().filter(|a| a.oid == oid).collect())
            .unwrap_or_default()
    }

    /// The single value of a signed attribute that must occur once with one value.
    /// `Ok(None)` when absent.
    pub fn single_signed_value(&self, oid: &[u8]) -> Result<Option<Tlv<'a>>, CmsError> {
        let found = self.signed_attr(oid);
        match found.as_slice() {
            [] => Ok(None),
            [a] if a.values.len() == 1 => Ok(a.values.first().copied()),
            [a] => Err(CmsError::DuplicateAttribute {
                oid: der::oid_to_string(oid),
                count: a.values.len(),
            }),
            many => Err(CmsError::DuplicateAttribute {
                oid: der::oid_to_string(oid),
                count: many.len(),
            }),
        }
    }

    /// Values of an unsigned attribute.
    pub fn unsigned_values(&self, oid: &[u8]) -> Vec<Tlv<'a>> {
        self.unsigned_attrs
            .iter()
            .filter(|a| a.oid == oid)
            .flat_map(|a| a.values.iter().copied())
            .collect()
    }
}

/// A parsed SignedData.
#[derive(Clone, Debug)]
pub struct SignedData<'a> {
    /// The whole ContentInfo as received (without the zero padding).
    pub raw: &'a [u8],
    pub digest_algorithms: Vec<AlgorithmId<'a>>,
    pub encap_content_type: &'a [u8],
    pub encap_content: Option<Cow<'a, [u8]>>,
    /// DER certificates from the `certificates` field (other certificate choices are skipped).
    pub certificates: Vec<&'a [u8]>,
    /// DER CertificateLists from the `crls` field.
    pub crls: Vec<&'a [u8]>,
    /// DER OCSPResponses from `crls` (RFC 5940 other revocation info).
    pub ocsp_responses: Vec<&'a [u8]>,
    pub signer_infos: Vec<SignerInfo<'a>>,
    /// True when any part used an indefinite length.
    pub ber: bool,
}

impl<'a> SignedData<'a> {
    /// Parses the value of a PDF `/Contents`: a ContentInfo followed only by zero padding.
    pub fn from_pdf_contents(contents: &'a [u8]) -> Result<Self, CmsError> {
        if contents.iter().all(|b| *b == 0) {
            return Err(CmsError::Empty);
        }
        let (tlv, rest) = match der::read_tlv(contents, 0) {
            Ok(x) => x,
            Err(e) => return Err(truncation_or(contents, e.into())),
        };
        let garbage = rest.iter().filter(|b| **b != 0).count();
        if garbage != 0 {
            return Err(CmsError::TrailingGarbage { count: garbage });
        }
        Self::from_content_info(tlv).map_err(|e| truncation_or(contents, e))
    }

    /// Parses exactly one ContentInfo; trailing bytes are an error.
    pub fn from_der(data: &'a [u8]) -> Result<Self, CmsError> {
        Self::from_content_info(der::parse_exact(data)?)
    }

    fn from_content_info(ci: Tlv<'a>) -> Result<Self, CmsError> {
        let mut r = ci.expect(TAG_SEQUENCE)?.children();
        let ct = r.expect(TAG_OID)?.content;
        if ct != oid::SIGNED_DATA {
            return Err(CmsError::NotSignedData {
                oid: der::oid_to_string(ct),
            });
        }
        let explicit = r.expect(0xa0)?;
        r.finish()?;
        let sd = der::parse_exact(explicit.content)?.expect(TAG_SEQUENCE)?;
        let mut ber = ci.indefinite || explicit.indefinite || sd.indefinite;
        let mut r = sd.children();
        let _version = r.expect(der::TAG_INTEGER)?;
        let digest_algorithms = r
            .expect(TAG_SET)?
            .children()
            .map(|t| t.and_then(AlgorithmId::parse))
            .collect::<Result<Vec<_>, _>>()?;
        let eci = r.expect(TAG_SEQUENCE)?;
        ber |= eci.indefinite;
        let mut er = eci.children();
        let encap_content_type = er.expect(TAG_OID)?.content;
        let encap_content = match er.optional(0xa0)? {
            Some(e) => {
                ber |= e.indefinite;
                let inner = der::parse_exact(e.content)?;
                Some(inner.octets()?)
            }
            None => None,
        };
        er.finish()?;

        let mut certificates = Vec::new();
        if let Some(certs) = r.optional(0xa0)? {
            ber |= certs.indefinite;
            for c in certs.children() {
                let c = c?;
                if c.tag == TAG_SEQUENCE {
                    certificates.push(c.raw);
                }
            }
        }
        let mut crls = Vec::new();
        let mut ocsp_responses = Vec::new();
        if let Some(revs) = r.optional(0xa1)? {
            for c in revs.children() {
                let c = c?;
                match c.tag {
                    TAG_SEQUENCE => crls.push(c.raw),
                    0xa1 => {
                        let mut o = c.children();
                        let format = o.expect(TAG_OID)?.content;
                        let value = o.next_tlv()?;
                        if format == oid::RI_OCSP_RESPONSE {
                            ocsp_responses.push(value.raw);
                        }
                    }
                    _ => {}
                }
            }
        }
        let signer_infos = r
            .expect(TAG_SET)?
            .children()
            .map(|t| t.map_err(CmsError::from).and_then(parse_signer_info))
            .collect::<Result<Vec<_>, _>>()?;
        r.finish()?;
        Ok(SignedData {
            raw: ci.raw,
            digest_algorithms,
            encap_content_type,
            encap_content,
            certificates,
            crls,
            ocsp_responses,
            signer_infos,
            ber,
        })
    }

    /// The one SignerInfo a PDF signature must have.
    pub fn single_signer(&self) -> Result<&SignerInfo<'a>, CmsError> {
        match self.signer_infos.as_slice() {
            [one] => Ok(one),
            other => Err(CmsError::SignerInfoCount { count: other.len() }),
        }
    }

    /// CRLs and OCSP responses carried in the Adobe revocation attribute
    /// (`adbe-revocationInfoArchival`, ISO 32000-1 §12.8.3.3.2) of `signer`.
    pub fn adobe_revocation(signer: &SignerInfo<'a>) -> (Vec<&'a [u8]>, Vec<&'a [u8]>) {
        let mut crls = Vec::new();
        let mut ocsps = Vec::new();
        for attr in signer.signed_attr(oid::ADBE_REVOCATION) {
            for v in &attr.values {
                for part in v.children().flatten() {
                    let list = match der::parse_exact(part.content) {
                        Ok(l) => l,
                        Err(_) => continue,
                    };
                    for item in list.children().flatten() {
                        match part.tag {
                            0xa0 => crls.push(item.raw),
                            0xa1 => ocsps.push(item.raw),
                            _ => {}
                        }
                    }
                }
            }
        }
        (crls, ocsps)
    }
}

/// When the outer encoding claims more bytes than there are before the zero padding of
/// `/Contents`, the CMS was cut short (and the parser wandered into the padding): say so rather
/// than report whatever tag the padding happened to produce.
fn truncation_or(contents: &[u8], err: CmsError) -> CmsError {
    let used = contents.iter().rposition(|b| *b != 0).map_or(0, |p| p + 1);
    // Up to two end-of-contents octet pairs may legitimately end in zeros.
    let declared = der::read_tlv(contents, 0).map(|(t, _)| t.raw.len());
    match declared {
        Ok(n) if !matches!(err, CmsError::TrailingGarbage { .. }) && n > used.saturating_add(4) => {
            CmsError::Der(DerError::Truncated)
        }
        _ => err,
    }
}

fn parse_attributes(tlv: Tlv<'_>) -> Result<Vec<Attribute<'_>>, CmsError> {
    let mut out = Vec::new();
    for a in tlv.children() {
        let mut ar = a?.expect(TAG_SEQUENCE)?.children();
        let oid = ar.expect(TAG_OID)?.content;
        let values = ar
            .expect(TAG_SET)?
            .children()
            .collect::<Result<Vec<_>, _>>()?;
        ar.finish()?;
        out.push(Attribute { oid, values });
    }
    Ok(out)
}

fn parse_signer_info(tlv: Tlv<'_>) -> Result<SignerInfo<'_>, CmsError> {
    let mut r = tlv.expect(TAG_SEQUENCE)?.children();
    let _version = r.expect(der::TAG_INTEGER)?;
    let sid_tlv = r.next_tlv()?;
    let sid = match sid_tlv.tag {
        TAG_SEQUENCE => {
            let mut s = sid_tlv.children();
            let issuer = s.expect(TAG_SEQUENCE)?.raw;
            let serial = s.next_tlv()?.unsigned_integer()?;
            s.finish()?;
            SignerId::IssuerSerial { issuer, serial }
        }
        0x80 => SignerId::KeyId(sid_tlv.content),
        found => {
            return Err(DerError::UnexpectedTag {
                expected: TAG_SEQUENCE,
                found,
            }
            .into());
        }
    };
    let digest_algorithm = AlgorithmId::parse(r.next_tlv()?)?;
    let signed_attrs = match r.optional(0xa0)? {
        Some(sa) => Some(SignedAttributes {
            raw: sa.raw,
            attrs: parse_attributes(sa)?,
        }),
        None => None,
    };
    let signature_algorithm = AlgorithmId::parse(r.next_tlv()?)?;
    let signature = r.next_tlv()?.octets()?;
    let unsigned_attrs = match r.optional(0xa1)? {
        Some(ua) => parse_attributes(ua)?,
        None => Vec::new(),
    };
    r.finish()?;
    Ok(SignerInfo {
        sid,
        digest_algorithm,
        signed_attrs,
        signature_algorithm,
        signature,
        unsigned_attrs,
    })
}
