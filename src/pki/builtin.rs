//! The trust material of Vietnam's two public PKIs, shipped with the crate as data.
//!
//! - The Government Cipher Committee's specialised PKI for state bodies (VGCA, ca.gov.vn): the
//!   RootCA G1 and G2 and their sub-CAs. Group [`Group::Gov`].
//! - The national root for the licensed public CAs (NEAC, rootca.gov.vn): the MIC National Root
//!   CA, Vietnam National Root CA (G2) and G3, the 2025 roots under the Ministry of Science and
//!   Technology, the licensed CAs under them (VNPT, Viettel, FPT, BKAV, MISA, CA2, …) and their
//!   TSA certificates. Group [`Group::Public`].
//!
//! The DER files are in `data/trust/vn/` with `TRUST.tsv`, the provenance of each (its SHA-256,
//! the public repositories it was found in, how many independent copies confirm it, the root it
//! verifies under) and a README. `tools/gen-trust-table` writes the pin table
//! (`builtin_table.rs`) from them and refuses a file whose SHA-256 differs from its row; the
//! tests below check every pin again, and that every intermediate and TSA certificate verifies
//! under its root.
//!
//! Which certificates a [`TrustProfile`] holds:
//! - a root is *confirmed* when two or more independent copies of it were found; the roots seen
//!   in one source only are kept out of the default profiles, in [`TrustProfile::VnUnconfirmed`],
//!   until they are confirmed. An intermediate or TSA certificate goes where its root goes: its
//!   signature under that root is what vouches for it;
//! - roots are trust anchors; intermediates and TSA certificates are only path-building helpers,
//!   never anchors (a path must still end at a root of the profile).
//!
//! Written here rather than taken from a crate: the material is Vietnam's own, and no crate
//! carries it.

use std::fmt;
use std::str::FromStr;

use super::TrustStore;

#[path = "builtin_table.rs"]
mod table;

/// What a shipped certificate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuiltinRole {
    /// A self-signed root: a trust anchor of the profiles that hold it.
    Root,
    /// A sub-CA: a path-building helper, never an anchor.
    Intermediate,
    /// A TSA unit certificate (CA:FALSE, extended key usage timeStamping): a helper.
    Tsa,
}

impl BuiltinRole {
    /// `"root"`, `"intermediate"` or `"tsa"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Root => "root",
            Self::Intermediate => "intermediate",
            Self::Tsa => "tsa",
        }
    }
}

/// Which of the two PKIs a shipped certificate belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Group {
    /// The Government Cipher Committee's specialised PKI (VGCA).
    Gov,
    /// NEAC's national roots and the licensed public CAs.
    Public,
}

/// One certificate of the shipped trust material.
#[derive(Debug)]
#[non_exhaustive]
pub struct BuiltinCertificate {
    /// Its path under `data/trust/vn/`.
    pub file: &'static str,
    /// Its DER.
    pub der: &'static [u8],
    /// The SHA-256 of [`BuiltinCertificate::der`] as `TRUST.tsv` gives it, lower-case hex.
    pub sha256: &'static str,
    /// Root, intermediate or TSA.
    pub role: BuiltinRole,
    /// Which PKI.
    pub group: Group,
    /// Whether its root was found in two or more independent copies.
    pub confirmed: bool,
    /// How many independent copies of this certificate were found.
    pub independent_copies: u8,
    /// The file of the root it verifies under (`None` for a root).
    pub issuer: Option<&'static str>,
    /// Its subject as `TRUST.tsv` writes it.
    pub subject: &'static str,
}

impl BuiltinCertificate {
    /// Its validity period (notBefore, notAfter).
    pub fn validity(&self) -> (crate::time::Timestamp, crate::time::Timestamp) {
        // Every shipped certificate parses (tested below); the epoch stands in otherwise.
        super::cert::CertSummary::from_der(self.der).map_or_else(
            |_| {
                (
                    crate::time::Timestamp::UNIX_EPOCH,
                    crate::time::Timestamp::UNIX_EPOCH,
                )
            },
            |s| (s.not_before, s.not_after),
        )
    }

    /// The one profile of `vn-gov`, `vn-public` and `vn-unconfirmed` that holds it.
    pub fn profile(&self) -> TrustProfile {
        match (self.confirmed, self.group) {
            (false, _) => TrustProfile::VnUnconfirmed,
            (true, Group::Gov) => TrustProfile::VnGov,
            (true, Group::Public) => TrustProfile::VnPublic,
        }
    }
}

/// Every shipped certificate, in the order of `TRUST.tsv`.
pub fn builtin_certificates() -> &'static [BuiltinCertificate] {
    table::TABLE
}

/// A named set of the shipped certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrustProfile {
    /// `vn`: both PKIs, confirmed roots ([`TrustProfile::VnGov`] and [`TrustProfile::VnPublic`]).
    Vn,
    /// `vn-gov`: the Government Cipher Committee's PKI (VGCA RootCA G1 and G2).
    VnGov,
    /// `vn-public`: NEAC's confirmed national roots and the licensed CAs under them.
    VnPublic,
    /// `vn-unconfirmed`: the roots seen in one source only (Vietnam National Root CA G3 and the
    /// 2025 roots) and the CAs under them. Opt-in: in no other profile.
    VnUnconfirmed,
    /// `none`: no shipped certificate.
    None,
}

impl TrustProfile {
    /// Every profile, in the order of [`TrustProfile::name`]'s documentation.
    pub const ALL: [Self; 5] = [
        Self::Vn,
        Self::VnGov,
        Self::VnPublic,
        Self::VnUnconfirmed,
        Self::None,
    ];

    /// `"vn"`, `"vn-gov"`, `"vn-public"`, `"vn-unconfirmed"` or `"none"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Vn => "vn",
            Self::VnGov => "vn-gov",
            Self::VnPublic => "vn-public",
            Self::VnUnconfirmed => "vn-unconfirmed",
            Self::None => "none",
        }
    }

    /// Whether the profile holds `cert`.
    pub fn includes(self, cert: &BuiltinCertificate) -> bool {
        match self {
            Self::Vn => cert.confirmed,
            Self::VnGov => cert.confirmed && cert.group == Group::Gov,
            Self::VnPublic => cert.confirmed && cert.group == Group::Public,
            Self::VnUnconfirmed => !cert.confirmed,
            Self::None => false,
        }
    }

    /// The shipped certificates the profile holds.
    pub fn certificates(self) -> impl Iterator<Item = &'static BuiltinCertificate> {
        builtin_certificates()
            .iter()
            .filter(move |c| self.includes(c))
    }
}

impl fmt::Display for TrustProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a [`TrustProfile`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown trust profile {0:?} (vn, vn-gov, vn-public, vn-unconfirmed, none)")]
pub struct UnknownProfile(pub String);

impl FromStr for TrustProfile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

impl TrustStore {
    /// A store holding `profile`'s shipped certificates: its roots as anchors, its
    /// intermediates and TSA certificates as path-building helpers.
    pub fn from_profile(profile: TrustProfile) -> Self {
        let mut store = Self::new();
        store.add_profile(profile);
        store
    }

    /// [`TrustProfile::Vn`]: both Vietnamese PKIs, confirmed roots.
    pub fn vn() -> Self {
        Self::from_profile(TrustProfile::Vn)
    }

    /// [`TrustProfile::VnGov`]: the Government Cipher Committee's PKI.
    pub fn vn_gov() -> Self {
        Self::from_profile(TrustProfile::VnGov)
    }

    /// [`TrustProfile::VnPublic`]: NEAC and the licensed public CAs.
    pub fn vn_public() -> Self {
        Self::from_profile(TrustProfile::VnPublic)
    }

    /// [`TrustProfile::VnUnconfirmed`]: the roots seen in one source only, and their CAs.
    pub fn vn_unconfirmed() -> Self {
        Self::from_profile(TrustProfile::VnUnconfirmed)
    }

    /// Add `profile`'s shipped certificates to the store (roots as anchors, the others as
    /// helpers). A certificate already in the store is not added twice.
    pub fn add_profile(&mut self, profile: TrustProfile) {
        for c in profile.certificates() {
            let (kind, list) = match c.role {
                BuiltinRole::Root => (b'A', &mut self.anchors),
                BuiltinRole::Intermediate | BuiltinRole::Tsa => (b'I', &mut self.intermediates),
            };
            if list.iter().any(|d| d.as_slice() == c.der) {
                continue;
            }
            // Every shipped certificate parses (tested below), so it is added without
            // parsing it again.
            list.push(c.der.to_vec());
            self.absorb(kind, c.der);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::pki::cert::Cert;

    fn by_file(file: &str) -> &'static BuiltinCertificate {
        builtin_certificates()
            .iter()
            .find(|c| c.file == file)
            .unwrap()
    }

    #[test]
    fn every_pin_is_the_sha256_of_its_file() {
        let all = builtin_certificates();
        assert_eq!(all.len(), 79);
        for c in all {
            let digest = crate::crypto::sha256(c.der);
            assert_eq!(faster_hex::hex_string(&digest), c.sha256, "{}", c.file);
        }
        let mut files: Vec<_> = all.iter().map(|c| c.file).collect();
        files.sort_unstable();
        files.dedup();
        assert_eq!(files.len(), all.len(), "file names are unique");
    }

    #[test]
    fn every_certificate_parses_and_has_the_shape_of_its_role() {
        for c in builtin_certificates() {
            let cert = Cert::parse(c.der).unwrap_or_else(|e| panic!("{}: {e}", c.file));
            let x = &cert.x509;
            let ca = x
                .basic_constraints()
                .ok()
                .flatten()
                .is_some_and(|b| b.value.ca);
            match c.role {
                BuiltinRole::Root => {
                    assert_eq!(x.subject(), x.issuer(), "{}: self-issued", c.file);
                    assert!(ca, "{}: a CA", c.file);
                    assert!(c.issuer.is_none());
                }
                BuiltinRole::Intermediate => assert!(ca, "{}: a CA", c.file),
                BuiltinRole::Tsa => {
                    assert!(!ca, "{}: not a CA", c.file);
                    let eku = x.extended_key_usage().unwrap().unwrap();
                    assert!(eku.value.time_stamping, "{}: timeStamping", c.file);
                }
            }
        }
    }

    #[test]
    fn every_certificate_verifies_under_the_root_it_names() {
        for c in builtin_certificates() {
            let child = Cert::parse(c.der).unwrap();
            let issuer_file = c.issuer.unwrap_or(c.file);
            let root = by_file(issuer_file);
            assert_eq!(root.role, BuiltinRole::Root, "{}", c.file);
            assert_eq!(root.group, c.group, "{}: the group of its root", c.file);
            assert_eq!(
                root.confirmed, c.confirmed,
                "{}: its root's confirmation",
                c.file
            );
            let issuer = Cert::parse(root.der).unwrap();
            assert_eq!(child.x509.issuer(), issuer.x509.subject(), "{}", c.file);
            crate::crypto::verify_with_algorithm(
                &issuer.public_key().unwrap(),
                &child.x509.signature_algorithm,
                None,
                child.x509.tbs_certificate.as_ref(),
                child.x509.signature_value.data.as_ref(),
            )
            .unwrap_or_else(|e| panic!("{} under {issuer_file}: {e}", c.file));
        }
    }

    #[test]
    fn the_profiles_hold_what_the_provenance_confirms() {
        let count = |p: TrustProfile| p.certificates().count();
        assert_eq!(count(TrustProfile::VnGov), 10);
        assert_eq!(count(TrustProfile::VnPublic), 55);
        assert_eq!(count(TrustProfile::Vn), 65);
        assert_eq!(count(TrustProfile::VnUnconfirmed), 14);
        assert_eq!(count(TrustProfile::None), 0);
        let mut anchors: Vec<_> = TrustProfile::Vn
            .certificates()
            .filter(|c| c.role == BuiltinRole::Root)
            .map(|c| c.file)
            .collect();
        anchors.sort_unstable();
        assert_eq!(
            anchors,
            [
                "roots/neac-mic-national-root-ca-sha1.der",
                "roots/neac-vietnam-national-root-ca-g2.der",
                "roots/vgca-rootca-g1.der",
                "roots/vgca-rootca-g2.der",
            ]
        );
        // A root seen in one source only is opt-in.
        let g3 = by_file("roots/neac-vietnam-national-root-ca-g3.der");
        assert!(!TrustProfile::Vn.includes(g3));
        assert!(TrustProfile::VnUnconfirmed.includes(g3));
        // Every certificate is in exactly one of vn-gov, vn-public and vn-unconfirmed.
        for c in builtin_certificates() {
            let n = [
                TrustProfile::VnGov,
                TrustProfile::VnPublic,
                TrustProfile::VnUnconfirmed,
            ]
            .into_iter()
            .filter(|p| p.includes(c))
            .count();
            assert_eq!(n, 1, "{}", c.file);
            assert!(c.profile().includes(c), "{}", c.file);
            let (from, to) = c.validity();
            assert!(from < to, "{}", c.file);
        }
    }

    #[test]
    fn intermediates_are_never_anchors() {
        let store = TrustStore::vn();
        assert_eq!(store.anchors.len(), 4);
        assert_eq!(store.intermediates.len(), 61);
        for c in builtin_certificates() {
            if c.role != BuiltinRole::Root {
                assert!(
                    !store.anchors.iter().any(|a| a.as_slice() == c.der),
                    "{}",
                    c.file
                );
            }
        }
        // Adding a profile twice adds nothing the second time.
        let mut twice = TrustStore::vn();
        twice.add_profile(TrustProfile::VnGov);
        assert_eq!(twice.fingerprint(), store.fingerprint());
        assert_eq!(
            TrustStore::from_profile(TrustProfile::None).fingerprint(),
            [0; 32]
        );
    }

    #[test]
    fn a_path_through_a_ca_with_critical_crl_distribution_points_is_built() {
        // The CAs under NEAC's 2025 roots mark cRLDistributionPoints critical (RFC 5280
        // §4.2.1.13 allows it): a path through one must not be refused for it.
        use crate::pki::{KeyUsageRule, PathInput, PathOptions, PathOutcome, PathValidator};
        let ca = by_file("intermediates/misa-ca-rs-2026.der");
        let at = crate::time::parse_rfc3339_timestamp("2026-12-06T00:00:00Z").unwrap();
        let mut opts = PathOptions::new(at);
        opts.key_usage = KeyUsageRule::Any;
        let input = PathInput {
            signer_der: ca.der,
            extra_certs: &[],
            embedded_crls: &[],
            embedded_ocsp: &[],
        };
        let store = TrustStore::vn_unconfirmed();
        let report = PathValidator::new().validate(&store, &input, &opts);
        assert_eq!(report.outcome, PathOutcome::Valid, "{report:?}");
        // The same CA under the default profile has no anchor: its root is opt-in.
        let report = PathValidator::new().validate(&TrustStore::vn(), &input, &opts);
        assert_eq!(report.outcome, PathOutcome::NoChain, "{report:?}");
    }

    #[test]
    fn profile_names_round_trip() {
        for p in TrustProfile::ALL {
            assert_eq!(p.name().parse::<TrustProfile>(), Ok(p));
            assert_eq!(p.to_string(), p.name());
        }
        assert!("vn-private".parse::<TrustProfile>().is_err());
    }
}
