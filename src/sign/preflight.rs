//! What is wrong with a signer's certificate that does not stop signing but will stop the
//! signature from validating: the certificate is expired or not yet valid at the signing time,
//! or its key usage does not allow signing.
//!
//! The signer still signs (a test document, a certificate renewed since, a policy that takes
//! other key usages); the caller shows the warnings. The rules are the verifier's
//! (certificate path validation): the signer must be valid at the signing time, and the default key usage
//! rule ([`crate::KeyUsageRule::DigitalSignatureOrNonRepudiation`]) wants digitalSignature or
//! nonRepudiation.

use crate::time::Timestamp;

use super::CertificateError;

/// A problem of the signer's certificate, found before signing by [`preflight`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignWarning {
    /// The certificate's notAfter is before the signing time.
    Expired {
        /// notAfter.
        not_after: Timestamp,
        /// The signing time.
        signing_time: Timestamp,
    },
    /// The certificate's notBefore is after the signing time.
    NotYetValid {
        /// notBefore.
        not_before: Timestamp,
        /// The signing time.
        signing_time: Timestamp,
    },
    /// The certificate's keyUsage (RFC 5280 §4.2.1.3) asserts neither digitalSignature nor
    /// nonRepudiation, or the certificate has no keyUsage extension.
    KeyUsage {
        /// The usages it asserts (`keyEncipherment`, …); `None` without the extension.
        asserted: Option<Vec<&'static str>>,
    },
}

impl std::fmt::Display for SignWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const WILL_NOT: &str = "the signature will not validate";
        match self {
            Self::Expired {
                not_after,
                signing_time,
            } => write!(
                f,
                "the signer certificate expired on {not_after}, before the signing time \
                 {signing_time}; {WILL_NOT}"
            ),
            Self::NotYetValid {
                not_before,
                signing_time,
            } => write!(
                f,
                "the signer certificate is valid only from {not_before}, after the signing time \
                 {signing_time}; {WILL_NOT}"
            ),
            Self::KeyUsage { asserted: None } => write!(
                f,
                "the signer certificate has no key usage extension, so it allows neither \
                 digitalSignature nor nonRepudiation; {WILL_NOT} under the usual policy"
            ),
            Self::KeyUsage {
                asserted: Some(usages),
            } => write!(
                f,
                "the signer certificate's key usage is {}, neither digitalSignature nor \
                 nonRepudiation; {WILL_NOT} under the usual policy",
                if usages.is_empty() {
                    "empty".to_owned()
                } else {
                    usages.join(", ")
                }
            ),
        }
    }
}

/// The warnings for signing with `certificate` (DER) at `signing_time`, in the order expiry,
/// key usage. Fails only when the certificate cannot be parsed.
pub fn preflight(
    certificate: &[u8],
    signing_time: Timestamp,
) -> Result<Vec<SignWarning>, CertificateError> {
    let cert = crate::pki::parse_certificate(certificate).map_err(CertificateError::Load)?;
    let mut out = Vec::new();
    let validity = cert.validity();
    let not_before = crate::time::saturating_timestamp(validity.not_before.timestamp());
    let not_after = crate::time::saturating_timestamp(validity.not_after.timestamp());
    // Judged to the second, as path validation does.
    let at = crate::time::saturating_timestamp(signing_time.as_second());
    if at > not_after {
        out.push(SignWarning::Expired {
            not_after,
            signing_time: at,
        });
    } else if at < not_before {
        out.push(SignWarning::NotYetValid {
            not_before,
            signing_time: at,
        });
    }
    match cert.key_usage() {
        Ok(Some(ku)) => {
            let ku = ku.value;
            if !ku.digital_signature() && !ku.non_repudiation() {
                let named = [
                    (ku.key_encipherment(), "keyEncipherment"),
                    (ku.data_encipherment(), "dataEncipherment"),
                    (ku.key_agreement(), "keyAgreement"),
                    (ku.key_cert_sign(), "keyCertSign"),
                    (ku.crl_sign(), "cRLSign"),
                    (ku.encipher_only(), "encipherOnly"),
                    (ku.decipher_only(), "decipherOnly"),
                ];
                out.push(SignWarning::KeyUsage {
                    asserted: Some(
                        named
                            .iter()
                            .filter(|(on, _)| *on)
                            .map(|(_, n)| *n)
                            .collect(),
                    ),
                });
            }
        }
        Ok(None) => out.push(SignWarning::KeyUsage { asserted: None }),
        // A malformed or duplicated extension: the verifier refuses it as key usage too.
        Err(_) => out.push(SignWarning::KeyUsage { asserted: None }),
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(name: &str) -> Vec<u8> {
        let pem = std::fs::read(format!(
            "{}/fixtures/pki/{name}.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        crate::pki::TrustStore::load_certificates(&pem)
            .unwrap()
            .remove(0)
    }

    fn at(s: &str) -> Timestamp {
        crate::time::parse_rfc3339_timestamp(s).unwrap()
    }

    #[test]
    fn a_valid_signing_certificate_has_no_warning() {
        let w = preflight(&cert("leaf-rsa2048"), at("2026-11-26T09:00:00+07:00")).unwrap();
        assert_eq!(w, []);
        // nonRepudiation alone is enough.
        let w = preflight(&cert("leaf-nonrep"), at("2026-11-26T09:00:00+07:00")).unwrap();
        assert_eq!(w, []);
    }

    #[test]
    fn expired_not_yet_valid_and_key_usage() {
        let w = preflight(&cert("leaf-expired"), at("2026-11-26T09:00:00+07:00")).unwrap();
        assert_eq!(
            w,
            [SignWarning::Expired {
                not_after: at("2022-01-01T00:00:00Z"),
                signing_time: at("2026-11-26T02:00:00Z"),
            }]
        );
        assert!(w[0].to_string().starts_with(
            "the signer certificate expired on 2022-01-01T00:00:00Z, before the signing time"
        ));
        let w = preflight(&cert("leaf-rsa2048"), at("2018-06-01T00:00:00Z")).unwrap();
        assert_eq!(
            w,
            [SignWarning::NotYetValid {
                not_before: at("2019-01-01T00:00:00Z"),
                signing_time: at("2018-06-01T00:00:00Z"),
            }]
        );
        let w = preflight(&cert("leaf-noku"), at("2026-11-26T09:00:00+07:00")).unwrap();
        assert_eq!(
            w,
            [SignWarning::KeyUsage {
                asserted: Some(vec!["keyEncipherment"])
            }]
        );
        // Exactly at notAfter the certificate is still valid.
        let w = preflight(&cert("leaf-expired"), at("2022-01-01T00:00:00Z")).unwrap();
        assert_eq!(w, []);
    }

    #[test]
    fn an_unparsable_certificate_is_an_error() {
        assert!(preflight(b"not a certificate", at("2026-01-01T00:00:00Z")).is_err());
    }
}
