//! Who signed: a competent person or the issuing agency (Decree 30/2020/NĐ-CP Art. 5,
//! REFERENCE.md §1), told from the signer's certificate (REFERENCE.md §5).

use serde::{Deserialize, Serialize};

use crate::exchange::fold;
use crate::verify::SignerReport;

/// The role a signature plays under Decree 30 Art. 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerRole {
    /// A natural person (the competent person who signs for the agency).
    Person,
    /// The agency itself (its organisation certificate).
    Agency,
    /// The certificate does not say.
    Unknown,
}

/// Tells person from agency. Implement it to use a deployment's own knowledge (a list of
/// agency certificates, certificate policies, an HR directory).
pub trait SignerClassifier {
    /// The role of the signature whose signer is `signer`; [`SignerRole::Unknown`] when the
    /// certificate does not tell.
    fn classify(&self, signer: &SignerReport) -> SignerRole;
}

/// Leading words of agency names in Vietnamese certificates. Agency certificates carry the
/// agency in `CN` (REFERENCE.md §5: "Agency certificates carry the agency in CN and the parent
/// body in O"); these are the heads of the names of state bodies (People's Committees,
/// ministries, departments, offices, boards, schools…). Both tone placements of "ủy"/"uỷ" are
/// in use, so both are listed. Compared word by word, ignoring case and Unicode composition but
/// not diacritics, so a person named "Bàn" is not taken for a "Ban".
pub const DEFAULT_AGENCY_PREFIXES: &[&str] = &[
    "UBND",
    "HĐND",
    "Ủy ban",
    "Uỷ ban",
    "Hội đồng nhân dân",
    "Bộ",
    "Sở",
    "Văn phòng",
    "Ban",
    "Cục",
    "Tổng cục",
    "Chi cục",
    "Vụ",
    "Viện",
    "Học viện",
    "Trường",
    "Đại học",
    "Trung tâm",
    "Phòng",
    "Thanh tra",
    "Kho bạc",
    "Tòa án",
    "Toà án",
    "Công an",
    "Bệnh viện",
    "Tỉnh ủy",
    "Tỉnh uỷ",
    "Thành ủy",
    "Thành uỷ",
    "Huyện ủy",
    "Huyện uỷ",
    "Đảng ủy",
    "Đảng uỷ",
];

/// `UID` prefixes of personal identity numbers (REFERENCE.md §5): citizen ID card, old ID card.
pub const PERSONAL_UID_PREFIXES: &[&str] = &["CCCD:", "CMND:"];

/// `UID` prefixes of organisation numbers (REFERENCE.md §5): tax code, budget-unit code.
pub const ORGANISATION_UID_PREFIXES: &[&str] = &["MST:", "MNS:"];

/// The classifier of REFERENCE.md §5:
///
/// 1. a personal `UID` (`CCCD:`, `CMND:`) → [`SignerRole::Person`], unless the `CN` also reads
///    as an agency name (contradictory: [`SignerRole::Unknown`]);
/// 2. an agency name in `CN` → [`SignerRole::Agency`];
/// 3. an organisation `UID` (`MST:`, `MNS:`) without a personal one → [`SignerRole::Agency`];
/// 4. anything else → [`SignerRole::Unknown`] (for instance a government-CA personal
///    certificate, which names the person in `CN` but carries no `UID`).
///
/// The certificate policies are not in [`SignerReport`], so they are not consulted.
#[derive(Clone, Debug)]
pub struct DefaultClassifier {
    /// Exact keys ([`fold::exact_key`]) of the agency prefixes.
    prefixes: Vec<String>,
}

impl Default for DefaultClassifier {
    fn default() -> Self {
        DefaultClassifier::new()
    }
}

impl DefaultClassifier {
    /// With [`DEFAULT_AGENCY_PREFIXES`].
    pub fn new() -> Self {
        DefaultClassifier {
            prefixes: DEFAULT_AGENCY_PREFIXES
                .iter()
                .map(|p| fold::exact_key(p))
                .collect(),
        }
    }

    /// Adds a leading word (or words) of agency names. An empty prefix is ignored.
    pub fn with_agency_prefix(mut self, prefix: &str) -> Self {
        let key = fold::exact_key(prefix);
        if !key.is_empty() {
            self.prefixes.push(key);
        }
        self
    }

    /// Whether `name` starts with one of the agency prefixes, on a word boundary.
    pub fn is_agency_name(&self, name: &str) -> bool {
        let key = fold::exact_key(name);
        self.prefixes.iter().any(|p| {
            key.strip_prefix(p.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
    }
}

/// The `UID` values, split on the separators multi-valued renderings use.
fn uid_values(uid: &str) -> impl Iterator<Item = &str> {
    uid.split([',', ';', '+', '/'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn has_prefix(uid: Option<&str>, prefixes: &[&str]) -> bool {
    uid.is_some_and(|u| {
        uid_values(u).any(|v| {
            prefixes.iter().any(|p| {
                v.get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
            })
        })
    })
}

impl SignerClassifier for DefaultClassifier {
    fn classify(&self, signer: &SignerReport) -> SignerRole {
        let uid = signer.uid.as_deref();
        let personal = has_prefix(uid, PERSONAL_UID_PREFIXES);
        let organisation = has_prefix(uid, ORGANISATION_UID_PREFIXES);
        let agency_cn = signer
            .common_name
            .as_deref()
            .is_some_and(|cn| self.is_agency_name(cn));
        match (personal, agency_cn, organisation) {
            (true, true, _) => SignerRole::Unknown,
            (true, false, _) => SignerRole::Person,
            (false, true, _) | (false, false, true) => SignerRole::Agency,
            (false, false, false) => SignerRole::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(cn: &str, uid: Option<&str>) -> SignerReport {
        SignerReport {
            common_name: Some(cn.to_owned()),
            organization: None,
            organizational_unit: None,
            locality: None,
            country: Some("VN".to_owned()),
            uid: uid.map(str::to_owned),
            serial: "01".to_owned(),
            issuer: String::new(),
            sha256: String::new(),
            subject: String::new(),
        }
    }

    #[test]
    fn roles() {
        let c = DefaultClassifier::new();
        let role = |cn: &str, uid: Option<&str>| c.classify(&signer(cn, uid));
        assert_eq!(
            role("Nguyễn Văn An", Some("CCCD:001088000123")),
            SignerRole::Person
        );
        assert_eq!(
            role("Võ Thị Hồng", Some("cmnd:341234567")),
            SignerRole::Person
        );
        assert_eq!(
            role("UBND Tỉnh Đồng Tháp", Some("MST:0301234567")),
            SignerRole::Agency
        );
        assert_eq!(role("Sở Tư pháp", None), SignerRole::Agency);
        assert_eq!(role("Uỷ ban nhân dân xã An Bình", None), SignerRole::Agency);
        assert_eq!(role("ỦY BAN NHÂN DÂN TỈNH", None), SignerRole::Agency);
        assert_eq!(role("Công ty X", Some("MNS:1234567")), SignerRole::Agency);
        assert_eq!(role("Nguyễn Văn An", None), SignerRole::Unknown);
        // "Bàn" is a surname, not "Ban"; "Bộ" must be a whole word.
        assert_eq!(role("Bàn Văn Sử", None), SignerRole::Unknown);
        assert_eq!(role("Bội Thị Lan", None), SignerRole::Unknown);
        // A personal number on an agency name contradicts itself.
        assert_eq!(role("Sở Nội vụ", Some("CCCD:1")), SignerRole::Unknown);
        // NFD input (decomposed marks) matches too.
        assert_eq!(role("So\u{31B}\u{309} Tài chính", None), SignerRole::Agency);
    }

    #[test]
    fn extra_prefix() {
        let c = DefaultClassifier::new().with_agency_prefix("Hợp tác xã");
        assert!(c.is_agency_name("Hợp tác xã Nông nghiệp"));
        assert!(!DefaultClassifier::new().is_agency_name("Hợp tác xã Nông nghiệp"));
    }
}
