//! Signing with a key on a PKCS#11 token (the USB tokens officials sign with, or an HSM).
//!
//! The PKCS#11 module (the token vendor's `.so` / `.dll`) is loaded at run time with `cryptoki`;
//! nothing about the token is needed at build time.
//!
//! | key on the token | mechanism                                     | algorithm                              |
//! | ---------------- | --------------------------------------------- | -------------------------------------- |
//! | RSA              | `CKM_SHA256_RSA_PKCS` (the token hashes)      | [`SignatureAlgorithm::RsaPkcs1Sha256`] |
//! | EC P-256         | SHA-256 in process, then `CKM_ECDSA`          | [`SignatureAlgorithm::EcdsaP256Sha256`] |
//! | EC P-384         | SHA-384 in process, then `CKM_ECDSA`          | [`SignatureAlgorithm::EcdsaP384Sha384`] |
//!
//! `CKM_ECDSA` returns the raw `r ‖ s`; [`Signer::sign`] returns it DER-encoded
//! (ECDSA-Sig-Value), as the CMS builder expects.
//!
//! ```no_run
//! use vnedoc::sign::pkcs11::Pkcs11Signer;
//!
//! let cert = std::fs::read("signer.der")?;
//! let signer = Pkcs11Signer::open(
//!     std::path::Path::new("/usr/lib/vendor/libtoken-pkcs11.so"),
//!     "MY TOKEN",
//!     "123456",
//!     "signing key",
//!     cert,
//!     Vec::new(),
//! )?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use x509_parser::public_key::PublicKey;

use super::{CertificateError, KeyMismatch, SignError, SignatureAlgorithm, Signer};

/// Why a token cannot be used or did not sign. No variant carries the PIN.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The PKCS#11 module cannot be loaded.
    #[error("cannot load the PKCS#11 module {}: {source}", .module.display())]
    LoadModule {
        /// The PKCS#11 module's path.
        module: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: P11Error,
    },
    /// A PKCS#11 call failed while `doing` something.
    #[error("{doing}: {}", describe(.source))]
    Call {
        /// What was being done, e.g. "opening a session".
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: P11Error,
    },
    /// `C_Login` refused the PIN.
    #[error("wrong PIN for token '{token}'")]
    WrongPin {
        /// The token's label.
        token: String,
    },
    /// The token's user PIN is locked.
    #[error("the user PIN of token '{token}' is locked")]
    PinLocked {
        /// The token's label.
        token: String,
    },
    /// The token lacks the mechanism its key needs.
    #[error("token '{token}' does not offer {mechanism} for its {key} key")]
    NoMechanism {
        /// The token's label.
        token: String,
        /// The PKCS#11 mechanism.
        mechanism: MechanismType,
        /// The key, as described in messages ("RSA", "EC P-256", …).
        key: &'static str,
    },
    /// No token at all is present.
    #[error("no token labelled '{label}': no token is present")]
    NoToken {
        /// The label.
        label: String,
    },
    /// No token has the label; `present` holds the labels seen.
    #[error("no token labelled '{label}' (present: {})", .present.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", "))]
    TokenNotFound {
        /// The label.
        label: String,
        /// The present.
        present: Vec<String>,
    },
    /// Several tokens have the label.
    #[error("{count} tokens are labelled '{label}'")]
    DuplicateToken {
        /// The label.
        label: String,
        /// How many there are.
        count: usize,
    },
    /// No private key has the label.
    #[error("no private key labelled '{label}' on the token")]
    KeyNotFound {
        /// The label.
        label: String,
    },
    /// Several private keys have the label.
    #[error("{count} private keys are labelled '{label}' on the token")]
    DuplicateKey {
        /// The label.
        label: String,
        /// How many there are.
        count: usize,
    },
    /// An EC key on a curve other than P-256 and P-384 (`params`: CKA_EC_PARAMS in hex).
    #[error(
        "key '{label}' is on an unsupported curve (CKA_EC_PARAMS {params}); P-256 and P-384 are supported"
    )]
    UnsupportedCurve {
        /// The label.
        label: String,
        /// The params.
        params: String,
    },
    /// An EC key whose CKA_EC_PARAMS cannot be read.
    #[error("key '{label}' does not reveal its curve (CKA_EC_PARAMS)")]
    UnknownCurve {
        /// The label.
        label: String,
    },
    /// A key that is neither RSA nor EC.
    #[error("key '{label}' is of type {key_type}; RSA and EC keys are supported")]
    UnsupportedKeyType {
        /// The label.
        label: String,
        /// The key type.
        key_type: KeyType,
    },
    /// A key whose CKA_KEY_TYPE cannot be read.
    #[error("key '{label}' does not reveal its type (CKA_KEY_TYPE)")]
    UnknownKeyType {
        /// The label.
        label: String,
    },
    /// `CKM_ECDSA` returned a value of the wrong length.
    #[error("the token returned a {found}-byte ECDSA signature; {expected} bytes were expected")]
    EcdsaLength {
        /// What was found.
        found: usize,
        /// What was expected.
        expected: usize,
    },
    /// `CKM_ECDSA` returned a zero r or s.
    #[error("the token returned an ECDSA signature with a zero r or s")]
    EcdsaZero,
}

/// A PKCS#11 error for a message: RvError's Display is the specification's paragraph; its
/// name is clearer.
fn describe(e: &P11Error) -> String {
    match e {
        P11Error::Pkcs11(rv, function) => format!("{function} failed with {rv:?}"),
        other => other.to_string(),
    }
}

/// DER of the namedCurve OIDs as they appear in `CKA_EC_PARAMS` (ECParameters, RFC 5480).
const EC_PARAMS_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const EC_PARAMS_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];

/// The kind of key found on the token, which fixes the mechanism and the algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKey {
    Rsa,
    EcP256,
    EcP384,
}

impl TokenKey {
    fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Self::Rsa => SignatureAlgorithm::RsaPkcs1Sha256,
            Self::EcP256 => SignatureAlgorithm::EcdsaP256Sha256,
            Self::EcP384 => SignatureAlgorithm::EcdsaP384Sha384,
        }
    }

    fn mechanism_type(self) -> MechanismType {
        match self {
            Self::Rsa => MechanismType::SHA256_RSA_PKCS,
            Self::EcP256 | Self::EcP384 => MechanismType::ECDSA,
        }
    }

    /// The size of r and of s in a raw ECDSA signature.
    fn ec_field_len(self) -> Option<usize> {
        match self {
            Self::Rsa => None,
            Self::EcP256 => Some(32),
            Self::EcP384 => Some(48),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::EcP256 => "EC P-256",
            Self::EcP384 => "EC P-384",
        }
    }
}

/// A [`Signer`] whose private key stays on a PKCS#11 token.
///
/// The session is logged in as the user for the signer's lifetime and closed when it is
/// dropped. The session sits behind a mutex, so the signer is `Send + Sync` and signatures from
/// several threads are made one at a time.
pub struct Pkcs11Signer {
    session: Mutex<Session>,
    key: ObjectHandle,
    kind: TokenKey,
    certificate: Vec<u8>,
    chain: Vec<Vec<u8>>,
    token_label: String,
    key_label: String,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token_label", &self.token_label)
            .field("key_label", &self.key_label)
            .field("algorithm", &self.kind.algorithm())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Load the PKCS#11 `module`, find the token labelled `token_label`, log in as the user with
    /// `pin`, and find the private key whose `CKA_LABEL` is `key_label`.
    ///
    /// `certificate_der` must be the certificate of that key (checked against the key: the RSA
    /// modulus, or the EC curve); `chain` holds the intermediates to embed, issuer first.
    ///
    /// Token errors are [`SignError::Device`]; a certificate that cannot be parsed or does not
    /// belong to the key is [`SignError::Certificate`]. The PIN appears in no error.
    pub fn open(
        module: &Path,
        token_label: &str,
        pin: &str,
        key_label: &str,
        certificate_der: Vec<u8>,
        chain: Vec<Vec<u8>>,
    ) -> Result<Self, SignError> {
        let pkcs11 = Pkcs11::new(module).map_err(|source| DeviceError::LoadModule {
            module: module.to_path_buf(),
            source,
        })?;
        match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            // Another signer in this process (or the application itself) initialised it.
            Ok(()) | Err(P11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(device("C_Initialize", e)),
        }

        let slot = find_token(&pkcs11, token_label)?;
        let session = pkcs11
            .open_ro_session(slot)
            .map_err(|e| device("opening a session", e))?;
        match session.login(UserType::User, Some(&AuthPin::from(pin))) {
            // Login state is per application and token: another session is already logged in.
            Ok(()) | Err(P11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(P11Error::Pkcs11(RvError::PinIncorrect, _)) => {
                return Err(DeviceError::WrongPin {
                    token: token_label.to_owned(),
                }
                .into());
            }
            Err(P11Error::Pkcs11(RvError::PinLocked, _)) => {
                return Err(DeviceError::PinLocked {
                    token: token_label.to_owned(),
                }
                .into());
            }
            Err(e) => return Err(device("logging in", e)),
        }

        let key = find_private_key(&session, key_label)?;
        let kind = key_kind(&session, key, key_label)?;
        check_certificate(&session, key, kind, &certificate_der)?;

        // Fail here rather than at the first signature when the token lacks the mechanism. A
        // token that cannot list its mechanisms is given the benefit of the doubt.
        if let Ok(mechanisms) = pkcs11.get_mechanism_list(slot)
            && !mechanisms.contains(&kind.mechanism_type())
        {
            return Err(DeviceError::NoMechanism {
                token: token_label.to_owned(),
                mechanism: kind.mechanism_type(),
                key: kind.describe(),
            }
            .into());
        }

        Ok(Self {
            session: Mutex::new(session),
            key,
            kind,
            certificate: certificate_der,
            chain,
            token_label: token_label.to_owned(),
            key_label: key_label.to_owned(),
        })
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        // A panic while holding the lock leaves no half-done state in the session: each
        // C_Sign call is complete or failed.
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Signer for Pkcs11Signer {
    fn certificate(&self) -> &[u8] {
        &self.certificate
    }

    fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        self.kind.algorithm()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match self.kind {
            TokenKey::Rsa => self
                .session()
                .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
                .map_err(|e| device("signing", e)),
            TokenKey::EcP256 | TokenKey::EcP384 => {
                let digest_alg = if self.kind == TokenKey::EcP256 {
                    &ring::digest::SHA256
                } else {
                    &ring::digest::SHA384
                };
                let digest = ring::digest::digest(digest_alg, message);
                let raw = self
                    .session()
                    .sign(&Mechanism::Ecdsa, self.key, digest.as_ref())
                    .map_err(|e| device("signing", e))?;
                let field_len = self.kind.ec_field_len().unwrap_or(0);
                ecdsa_raw_to_der(&raw, field_len)
            }
        }
    }
}

/// A token error as [`SignError::Device`], with what was being done.
fn device(doing: &'static str, source: P11Error) -> SignError {
    DeviceError::Call { doing, source }.into()
}

/// The slot holding the token labelled `label` (labels are compared without the padding spaces).
fn find_token(pkcs11: &Pkcs11, label: &str) -> Result<Slot, SignError> {
    let wanted = label.trim_end_matches(' ');
    let slots = pkcs11
        .get_slots_with_token()
        .map_err(|e| device("listing slots", e))?;
    let mut found = Vec::new();
    let mut seen = Vec::new();
    for slot in slots {
        // A slot whose token cannot be read (being removed, in error) is not the one wanted.
        let Ok(info) = pkcs11.get_token_info(slot) else {
            continue;
        };
        let have = info.label().trim_end_matches(' ');
        if have == wanted {
            found.push(slot);
        } else {
            seen.push(have.to_owned());
        }
    }
    match found.as_slice() {
        [slot] => Ok(*slot),
        [] if seen.is_empty() => Err(DeviceError::NoToken {
            label: wanted.to_owned(),
        }
        .into()),
        [] => Err(DeviceError::TokenNotFound {
            label: wanted.to_owned(),
            present: seen,
        }
        .into()),
        _ => Err(DeviceError::DuplicateToken {
            label: wanted.to_owned(),
            count: found.len(),
        }
        .into()),
    }
}

fn find_private_key(session: &Session, label: &str) -> Result<ObjectHandle, SignError> {
    let template = [
        Attribute::Class(ObjectClass::PRIVATE_KEY),
        Attribute::Label(label.as_bytes().to_vec()),
    ];
    let keys = session
        .find_objects(&template)
        .map_err(|e| device("searching for the private key", e))?;
    match keys.as_slice() {
        [key] => Ok(*key),
        [] => Err(DeviceError::KeyNotFound {
            label: label.to_owned(),
        }
        .into()),
        _ => Err(DeviceError::DuplicateKey {
            label: label.to_owned(),
            count: keys.len(),
        }
        .into()),
    }
}

fn key_kind(session: &Session, key: ObjectHandle, label: &str) -> Result<TokenKey, SignError> {
    let attrs = session
        .get_attributes(key, &[AttributeType::KeyType])
        .map_err(|e| device("reading the key type", e))?;
    let key_type = attrs.iter().find_map(|a| match a {
        Attribute::KeyType(t) => Some(*t),
        _ => None,
    });
    match key_type {
        Some(KeyType::RSA) => Ok(TokenKey::Rsa),
        Some(KeyType::EC) => {
            let attrs = session
                .get_attributes(key, &[AttributeType::EcParams])
                .map_err(|e| device("reading the key's curve (CKA_EC_PARAMS)", e))?;
            let params = attrs.iter().find_map(|a| match a {
                Attribute::EcParams(p) => Some(p.as_slice()),
                _ => None,
            });
            match params {
                Some(EC_PARAMS_P256) => Ok(TokenKey::EcP256),
                Some(EC_PARAMS_P384) => Ok(TokenKey::EcP384),
                Some(other) => Err(DeviceError::UnsupportedCurve {
                    label: label.to_owned(),
                    params: hex(other),
                }
                .into()),
                None => Err(DeviceError::UnknownCurve {
                    label: label.to_owned(),
                }
                .into()),
            }
        }
        Some(key_type) => Err(DeviceError::UnsupportedKeyType {
            label: label.to_owned(),
            key_type,
        }
        .into()),
        None => Err(DeviceError::UnknownKeyType {
            label: label.to_owned(),
        }
        .into()),
    }
}

/// Check that `certificate` carries the public key of the token's `key`: the same RSA modulus
/// (when the token shows it), or the same curve.
fn check_certificate(
    session: &Session,
    key: ObjectHandle,
    kind: TokenKey,
    certificate: &[u8],
) -> Result<(), SignError> {
    let (_, cert) =
        x509_parser::parse_x509_certificate(certificate).map_err(CertificateError::Unparsable)?;
    let spki = cert.public_key();
    let parsed = spki
        .parsed()
        .map_err(CertificateError::UnparsablePublicKey)?;
    let mismatch = |mismatch: KeyMismatch| -> SignError {
        CertificateError::NotTheTokensKey {
            key: kind.describe(),
            mismatch,
        }
        .into()
    };
    match (kind, parsed) {
        (TokenKey::Rsa, PublicKey::RSA(rsa)) => {
            // CKA_MODULUS is required on RSA private keys, but a token may keep it sensitive.
            let modulus = session
                .get_attributes(key, &[AttributeType::Modulus])
                .ok()
                .and_then(|attrs| {
                    attrs.into_iter().find_map(|a| match a {
                        Attribute::Modulus(m) => Some(m),
                        _ => None,
                    })
                });
            match modulus {
                Some(m) if strip_zeros(&m) != strip_zeros(rsa.modulus) => {
                    Err(mismatch(KeyMismatch::RsaModulus))
                }
                _ => Ok(()),
            }
        }
        (TokenKey::EcP256 | TokenKey::EcP384, PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            let want = match kind {
                TokenKey::EcP256 => &EC_PARAMS_P256[2..],
                _ => &EC_PARAMS_P384[2..],
            };
            match curve {
                Some(oid) if oid.as_bytes() == want => Ok(()),
                Some(oid) => Err(mismatch(KeyMismatch::Curve {
                    curve: oid.to_id_string(),
                })),
                None => Err(mismatch(KeyMismatch::NoCurve)),
            }
        }
        (_, _) => Err(mismatch(KeyMismatch::OtherType)),
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or(&[])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `r ‖ s` (each `field_len` bytes, big-endian, as PKCS#11 `CKM_ECDSA` returns them) to the DER
/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3).
fn ecdsa_raw_to_der(raw: &[u8], field_len: usize) -> Result<Vec<u8>, SignError> {
    if field_len == 0 || raw.len() != field_len.saturating_mul(2) {
        return Err(DeviceError::EcdsaLength {
            found: raw.len(),
            expected: field_len.saturating_mul(2),
        }
        .into());
    }
    let (r, s) = raw.split_at(field_len);
    let mut body = Vec::with_capacity(raw.len().saturating_add(6));
    for half in [r, s] {
        let magnitude = strip_zeros(half);
        if magnitude.is_empty() {
            return Err(DeviceError::EcdsaZero.into());
        }
        let pad = magnitude.first().is_some_and(|b| b & 0x80 != 0);
        crate::der::encode_header(
            0x02,
            magnitude.len().saturating_add(usize::from(pad)),
            &mut body,
        );
        if pad {
            body.push(0);
        }
        body.extend_from_slice(magnitude);
    }
    let mut out = Vec::with_capacity(body.len().saturating_add(4));
    crate::der::encode_header(0x30, body.len(), &mut out);
    out.extend_from_slice(&body);
    Ok(out)
}
