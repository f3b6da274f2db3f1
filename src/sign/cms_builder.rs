//! DER encoding of the CMS SignedData a PAdES signature carries (RFC 5652 §5, ETSI EN 319 122-1
//! §5.2): signed attributes contentType, messageDigest and ESS signing-certificate-v2, written
//! as DER with the SET OF sorted; no signingTime (the time is in /M).

use super::{CertificateError, SignError, SignatureAlgorithm};
use crate::cms::oid;
use crate::crypto::DigestAlgorithm;
use crate::der;

/// One DER element.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    der::encode_header(tag, content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

/// SEQUENCE of already encoded parts.
pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(der::TAG_SEQUENCE, &parts.concat())
}

/// DER SET OF: the parts sorted by their encodings (X.690 §11.6).
pub fn set_of(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut sorted: Vec<&Vec<u8>> = parts.iter().collect();
    sorted.sort();
    let joined: Vec<u8> = sorted.into_iter().flatten().copied().collect();
    tlv(der::TAG_SET, &joined)
}

fn oid_tlv(oid: &[u8]) -> Vec<u8> {
    tlv(der::TAG_OID, oid)
}

fn algorithm_id(oid: &[u8], null_params: bool) -> Vec<u8> {
    if null_params {
        seq(&[&oid_tlv(oid), &[0x05, 0x00]])
    } else {
        seq(&[&oid_tlv(oid)])
    }
}

fn attribute(oid: &[u8], value: &[u8]) -> Vec<u8> {
    seq(&[&oid_tlv(oid), &set_of(&[value.to_vec()])])
}

/// sha256WithRSAEncryption and friends (RFC 4055 §5), ecdsa-with-SHA* (RFC 5758 §3.2).
fn signature_algorithm_id(alg: SignatureAlgorithm) -> Vec<u8> {
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03];
    match alg {
        SignatureAlgorithm::RsaPkcs1Sha256 => algorithm_id(&[RSA, &[0x0b]].concat(), true),
        SignatureAlgorithm::RsaPkcs1Sha384 => algorithm_id(&[RSA, &[0x0c]].concat(), true),
        SignatureAlgorithm::RsaPkcs1Sha512 => algorithm_id(&[RSA, &[0x0d]].concat(), true),
        SignatureAlgorithm::EcdsaP256Sha256 => algorithm_id(&[ECDSA, &[0x02]].concat(), false),
        SignatureAlgorithm::EcdsaP384Sha384 => algorithm_id(&[ECDSA, &[0x03]].concat(), false),
    }
}

/// The signer's issuer (raw Name) and serial (raw INTEGER content).
fn issuer_serial(cert: &[u8]) -> Result<(Vec<u8>, Vec<u8>), SignError> {
    let (_, c) = x509_parser::parse_x509_certificate(cert).map_err(CertificateError::Parse)?;
    Ok((
        c.tbs_certificate.issuer.as_raw().to_vec(),
        c.tbs_certificate.raw_serial().to_vec(),
    ))
}

/// The DER signed attributes (a SET, ready to be signed) for a document digest.
pub fn signed_attributes(
    digest_alg: DigestAlgorithm,
    document_digest: &[u8],
    cert: &[u8],
) -> Result<Vec<u8>, SignError> {
    let (issuer, serial) = issuer_serial(cert)?;
    // ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash, issuerSerial }
    // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } ; directoryName is [4].
    let general_names = seq(&[&tlv(0xa4, &issuer)]);
    let issuer_serial = seq(&[&general_names, &tlv(der::TAG_INTEGER, &serial)]);
    let cert_hash = tlv(
        der::TAG_OCTET_STRING,
        &DigestAlgorithm::Sha256.digest(&[cert]),
    );
    let ess_cert_id = seq(&[&cert_hash, &issuer_serial]);
    let signing_cert_v2 = seq(&[&seq(&[&ess_cert_id])]);
    let attrs = vec![
        attribute(oid::CONTENT_TYPE, &oid_tlv(oid::DATA)),
        attribute(
            oid::MESSAGE_DIGEST,
            &tlv(der::TAG_OCTET_STRING, document_digest),
        ),
        attribute(oid::SIGNING_CERTIFICATE_V2, &signing_cert_v2),
    ];
    let _ = digest_alg;
    Ok(set_of(&attrs))
}

/// The complete ContentInfo.
pub fn signed_data(
    alg: SignatureAlgorithm,
    cert: &[u8],
    chain: &[Vec<u8>],
    signed_attrs: &[u8],
    signature: &[u8],
    timestamp_token: Option<&[u8]>,
) -> Result<Vec<u8>, SignError> {
    let (issuer, serial) = issuer_serial(cert)?;
    let digest_id = algorithm_id(alg.digest().oid(), false);
    // signedAttrs is [0] IMPLICIT: the SET's contents under tag 0xA0.
    let attrs_content = der::read_tlv(signed_attrs, 0)
        .map(|(t, _)| t.content.to_vec())
        .map_err(CertificateError::SignedAttributes)?;
    let mut signer_info_parts: Vec<Vec<u8>> = vec![
        tlv(der::TAG_INTEGER, &[1]),
        seq(&[&issuer, &tlv(der::TAG_INTEGER, &serial)]),
        digest_id.clone(),
        tlv(0xa0, &attrs_content),
        signature_algorithm_id(alg),
        tlv(der::TAG_OCTET_STRING, signature),
    ];
    if let Some(token) = timestamp_token {
        let attr = attribute(oid::SIGNATURE_TIMESTAMP, token);
        signer_info_parts.push(tlv(0xa1, &attr));
    }
    let signer_info = tlv(der::TAG_SEQUENCE, &signer_info_parts.concat());
    let mut certs: Vec<Vec<u8>> = vec![cert.to_vec()];
    certs.extend(chain.iter().cloned());
    let certificates = {
        let mut sorted = certs.clone();
        sorted.sort();
        sorted.dedup();
        tlv(0xa0, &sorted.concat())
    };
    let sd = seq(&[
        &tlv(der::TAG_INTEGER, &[1]),
        &set_of(&[digest_id]),
        &seq(&[&oid_tlv(oid::DATA)]),
        &certificates,
        &set_of(&[signer_info]),
    ]);
    Ok(seq(&[&oid_tlv(oid::SIGNED_DATA), &tlv(0xa0, &sd)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_of_is_sorted() {
        let s = set_of(&[vec![0x04, 0x01, 0x02], vec![0x02, 0x01, 0x05]]);
        assert_eq!(s, vec![0x31, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x02]);
    }

    #[test]
    fn long_lengths() {
        let big = vec![0u8; 300];
        let t = tlv(0x04, &big);
        assert_eq!(&t[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(der::parse_exact(&t).unwrap().content.len(), 300);
    }
}
