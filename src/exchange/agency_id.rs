//! Agency identifiers (mã định danh), REFERENCE.md §3.
//!
//! Two written forms are accepted:
//!
//! - **Decision 20/2020/QĐ-TTg** (also the edXML `OrganId` since the 2022 amendment of
//!   QCVN 102): at most 35 characters of `A-Z 0-9 .`, groups separated by `.`, read **left to
//!   right**; the first group is the level-1 code `MX1X2` with `M` in `A..=Y`. Grammar derived
//!   from the decision: `^[A-Y][0-9]{2}(\.[0-9A-Z]+)*$`, length ≤ 35. Examples: `H26`
//!   (Hà Nội People's Committee), `H26.001`, `G22` (Government Office).
//! - **Legacy QCVN 102:2016** `DDD.CC.BB.Mxx`: exactly 13 characters, read **right to left**,
//!   zero-filled. Examples: `000.00.00.H41` (Nghệ An People's Committee), `000.00.14.H20` (a
//!   department of Đồng Tháp), `000.00.00.G22` (Government Office).
//!
//! [`AgencyId`] keeps the Decision 20 form as its canonical value: equality, ordering, hashing
//! and `Display` use it, whichever form was parsed.
//!
//! # Assumption: the legacy ↔ Decision 20 mapping
//! The mapping between the two forms is **not officially published** (REFERENCE.md §3). This
//! module uses the plausible, unverified reading: reverse the legacy groups (`Mxx`, `BB`, `CC`,
//! `DDD`) and drop the all-zero groups at the end of the reversed list, so
//! `000.00.14.H20` ↔ `H20.14`, `000.00.00.G22` ↔ `G22`, `003.05.14.H20` ↔ `H20.14.05.003`.
//! Inner zero groups are kept (`003.00.14.H20` ↔ `H20.14.00.003`). A Decision 20 identifier
//! has a legacy form only when it has at most three groups after the level-1 code, of exactly
//! 2, 2 and 3 digits, the last one not all zeros (otherwise the round trip would not be exact):
//! [`AgencyId::to_legacy`] returns `None` for every other identifier.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest Decision 20 identifier: "tối đa 35 ký tự" (Decision 20/2020/QĐ-TTg, REFERENCE.md §3).
pub const MAX_LEN: usize = 35;

/// Length of a legacy QCVN 102:2016 identifier `DDD.CC.BB.Mxx` (3+1+2+1+2+1+3).
pub const LEGACY_LEN: usize = 13;

/// Widths of the legacy groups after the level-1 code, in Decision 20 (left-to-right) order:
/// `BB`, `CC`, `DDD` (QCVN 102:2016 `DDD.CC.BB.Mxx`, zero-filled).
const LEGACY_WIDTHS: [usize; 3] = [2, 2, 3];

/// Why a string is not an agency identifier. Positions are 0-based character offsets into the
/// input as given.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AgencyIdError {
    /// Empty agency identifier.
    #[error("empty agency identifier")]
    Empty,
    /// Agency identifier is `len` characters long, over the limit of `max`.
    #[error("agency identifier is {len} characters long, over the limit of {max}")]
    TooLong {
        /// Length in bytes.
        len: usize,
        /// The maximum allowed.
        max: usize,
    },
    /// Character `ch` at position `pos` is not allowed (only A-Z, 0-9 and '.').
    #[error("character {ch:?} at position {pos} is not allowed (only A-Z, 0-9 and '.')")]
    BadCharacter {
        /// The offending character.
        ch: char,
        /// Its position (0-based).
        pos: usize,
    },
    /// Empty group at position `pos`.
    #[error("empty group at position {pos}")]
    EmptyGroup {
        /// Its position (0-based).
        pos: usize,
    },
    /// Level-1 group `found` is not a letter A-Y followed by two digits.
    #[error("level-1 group {found:?} is not a letter A-Y followed by two digits")]
    BadLevel1 {
        /// What was found.
        found: String,
    },
    /// Legacy identifier is `len` characters long, expected `expected` (DDD.CC.BB.Mxx).
    #[error("legacy identifier is {len} characters long, expected {expected} (DDD.CC.BB.Mxx)")]
    LegacyLength {
        /// Length in bytes.
        len: usize,
        /// What was expected.
        expected: usize,
    },
}

/// An agency identifier, held in its Decision 20/2020 form (see the module docs).
///
/// Serialised as its Decision 20 string; deserialisation accepts both forms.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyId(String);

impl AgencyId {
    /// Parses either form: a leading digit selects the legacy form, anything else the
    /// Decision 20 form. Strict: no surrounding spaces, no lower case.
    pub fn parse(s: &str) -> Result<Self, AgencyIdError> {
        match s.chars().next() {
            None => Err(AgencyIdError::Empty),
            Some(c) if c.is_ascii_digit() => Self::parse_legacy(s),
            Some(_) => Self::parse_decision20(s),
        }
    }

    /// Parses the Decision 20/2020 form only.
    pub fn parse_decision20(s: &str) -> Result<Self, AgencyIdError> {
        if s.is_empty() {
            return Err(AgencyIdError::Empty);
        }
        // Every allowed character is ASCII, so the byte length bounds the character count: a
        // long input is rejected before it is scanned.
        if s.len() > MAX_LEN {
            let len = s.chars().take(MAX_LEN.saturating_mul(4)).count();
            if len > MAX_LEN {
                return Err(AgencyIdError::TooLong { len, max: MAX_LEN });
            }
        }
        let mut group_start = 0usize;
        for (pos, ch) in s.chars().enumerate() {
            match ch {
                'A'..='Z' | '0'..='9' => {}
                '.' => {
                    if pos == group_start {
                        return Err(AgencyIdError::EmptyGroup { pos });
                    }
                    group_start = pos.saturating_add(1);
                }
                _ => return Err(AgencyIdError::BadCharacter { ch, pos }),
            }
        }
        // All characters are ASCII from here on, so byte offsets are character offsets.
        if group_start == s.len() {
            return Err(AgencyIdError::EmptyGroup { pos: group_start });
        }
        let first = s.split('.').next().unwrap_or_default();
        if !is_level1(first) {
            return Err(AgencyIdError::BadLevel1 {
                found: first.to_owned(),
            });
        }
        Ok(AgencyId(s.to_owned()))
    }

    /// Parses the legacy QCVN 102:2016 form `DDD.CC.BB.Mxx` only, and converts it with the
    /// assumed mapping of the module docs.
    pub fn parse_legacy(s: &str) -> Result<Self, AgencyIdError> {
        let len = s.chars().take(LEGACY_LEN.saturating_add(1)).count();
        if len != LEGACY_LEN || s.len() != LEGACY_LEN {
            // Also catches non-ASCII input of 13 characters (byte length differs).
            if let (true, Some((pos, ch))) = (
                len == LEGACY_LEN,
                s.chars().enumerate().find(|(_, c)| !c.is_ascii()),
            ) {
                return Err(AgencyIdError::BadCharacter { ch, pos });
            }
            return Err(AgencyIdError::LegacyLength {
                len: s.chars().count(),
                expected: LEGACY_LEN,
            });
        }
        for (pos, ch) in s.chars().enumerate() {
            let ok = match pos {
                3 | 6 | 9 => ch == '.',
                0..=8 => ch.is_ascii_digit(),
                _ => ch.is_ascii_uppercase() || ch.is_ascii_digit(),
            };
            if !ok {
                return Err(AgencyIdError::BadCharacter { ch, pos });
            }
        }
        let groups: Vec<&str> = s.split('.').collect();
        let [ddd, cc, bb, level1] = groups.as_slice() else {
            return Err(AgencyIdError::LegacyLength {
                len,
                expected: LEGACY_LEN,
            });
        };
        if !is_level1(level1) {
            return Err(AgencyIdError::BadLevel1 {
                found: (*level1).to_owned(),
            });
        }
        let mut rest = vec![*bb, *cc, *ddd];
        while rest.last().is_some_and(|g| g.bytes().all(|b| b == b'0')) {
            rest.pop();
        }
        let mut out = (*level1).to_owned();
        for g in rest {
            out.push('.');
            out.push_str(g);
        }
        Ok(AgencyId(out))
    }

    /// The Decision 20 form, borrowed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Decision 20 form (`H20.14`).
    pub fn to_decision20(&self) -> String {
        self.0.clone()
    }

    /// The legacy QCVN 102:2016 form (`000.00.14.H20`), where the assumed mapping of the module
    /// docs gives one; `None` otherwise.
    pub fn to_legacy(&self) -> Option<String> {
        let mut groups = self.groups();
        let level1 = groups.next()?;
        let rest: Vec<&str> = groups.collect();
        if rest.len() > LEGACY_WIDTHS.len() {
            return None;
        }
        if rest.last().is_some_and(|g| g.bytes().all(|b| b == b'0')) {
            return None;
        }
        let mut padded = Vec::with_capacity(LEGACY_WIDTHS.len());
        for (i, width) in LEGACY_WIDTHS.iter().enumerate() {
            match rest.get(i) {
                Some(g) if g.len() == *width && g.bytes().all(|b| b.is_ascii_digit()) => {
                    padded.push((*g).to_owned())
                }
                Some(_) => return None,
                None => padded.push("0".repeat(*width)),
            }
        }
        padded.reverse();
        padded.push(level1.to_owned());
        Some(padded.join("."))
    }

    /// The level-1 code (`H26` for `H26.001.00001`).
    pub fn level1(&self) -> &str {
        self.groups().next().unwrap_or_default()
    }

    /// The groups, left to right (`["H26", "001"]`).
    pub fn groups(&self) -> std::str::Split<'_, char> {
        self.0.split('.')
    }

    /// Number of groups (1 for a level-1 code).
    pub fn depth(&self) -> usize {
        self.groups().count()
    }

    /// The prefix without the last group (`H26.001` for `H26.001.00001`); `None` for a level-1
    /// code. This is the identifier's own hierarchy; a directory's `parent` column may differ.
    pub fn parent(&self) -> Option<AgencyId> {
        self.0
            .rfind('.')
            .and_then(|i| self.0.get(..i))
            .map(|p| AgencyId(p.to_owned()))
    }

    /// Whether `self` is a strict prefix of `other` at a group boundary (`H26` of `H26.001`).
    pub fn is_prefix_of(&self, other: &AgencyId) -> bool {
        other
            .0
            .strip_prefix(self.0.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// `MX1X2`: one letter `A..=Y`, then two digits.
fn is_level1(g: &str) -> bool {
    matches!(g.as_bytes(), [m, x1, x2] if (b'A'..=b'Y').contains(m) && x1.is_ascii_digit() && x2.is_ascii_digit())
}

impl FromStr for AgencyId {
    type Err = AgencyIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for AgencyId {
    type Error = AgencyIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AgencyId> for String {
    fn from(id: AgencyId) -> String {
        id.0
    }
}

impl fmt::Display for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyId({})", self.0)
    }
}

impl AsRef<str> for AgencyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }

    #[test]
    fn decision20_examples() {
        for s in [
            "H26",
            "H26.001",
            "H26.001.00001",
            "H26.00070",
            "G06",
            "A01.B2.C3",
            "Y99",
        ] {
            assert_eq!(id(s).as_str(), s);
            assert_eq!(id(s).to_string(), s);
        }
        let max = format!("H26.{}", "1".repeat(MAX_LEN - 4));
        assert_eq!(id(&max).as_str().len(), MAX_LEN);
    }

    #[test]
    fn level1_and_parent() {
        let c = id("H26.001.00001");
        assert_eq!(c.level1(), "H26");
        assert_eq!(c.parent(), Some(id("H26.001")));
        assert_eq!(id("H26.001").parent(), Some(id("H26")));
        assert_eq!(id("H26").parent(), None);
        assert_eq!(c.depth(), 3);
        assert!(id("H26").is_prefix_of(&c));
        assert!(!id("H26.00").is_prefix_of(&id("H26.001")));
        assert!(!c.is_prefix_of(&c));
    }

    #[test]
    fn precise_errors() {
        use AgencyIdError::*;
        assert_eq!(AgencyId::parse(""), Err(Empty));
        assert_eq!(
            AgencyId::parse("h26"),
            Err(BadCharacter { ch: 'h', pos: 0 })
        );
        assert_eq!(
            AgencyId::parse("H26-001"),
            Err(BadCharacter { ch: '-', pos: 3 })
        );
        assert_eq!(
            AgencyId::parse("H26.Đ1"),
            Err(BadCharacter { ch: 'Đ', pos: 4 })
        );
        assert_eq!(
            AgencyId::parse("H26 "),
            Err(BadCharacter { ch: ' ', pos: 3 })
        );
        assert_eq!(AgencyId::parse("H26..1"), Err(EmptyGroup { pos: 4 }));
        assert_eq!(AgencyId::parse("H26."), Err(EmptyGroup { pos: 4 }));
        assert_eq!(
            AgencyId::parse("Z01"),
            Err(BadLevel1 {
                found: "Z01".into()
            })
        );
        assert_eq!(AgencyId::parse("H2"), Err(BadLevel1 { found: "H2".into() }));
        assert_eq!(
            AgencyId::parse("H2A.01"),
            Err(BadLevel1 {
                found: "H2A".into()
            })
        );
        assert_eq!(
            AgencyId::parse("H260"),
            Err(BadLevel1 {
                found: "H260".into()
            })
        );
        let long = format!("H26.{}", "1".repeat(MAX_LEN - 3));
        assert_eq!(
            AgencyId::parse(&long),
            Err(TooLong {
                len: MAX_LEN + 1,
                max: MAX_LEN
            })
        );
        // A huge input is rejected without scanning all of it.
        let huge = "A".repeat(1 << 20);
        assert!(matches!(AgencyId::parse(&huge), Err(TooLong { .. })));
    }

    #[test]
    fn leading_dot_is_an_empty_group() {
        assert_eq!(
            AgencyId::parse(".H26"),
            Err(AgencyIdError::EmptyGroup { pos: 0 })
        );
    }

    #[test]
    fn legacy_examples() {
        assert_eq!(id("000.00.14.H20").as_str(), "H20.14");
        assert_eq!(id("000.00.00.H41").as_str(), "H41");
        assert_eq!(id("000.00.00.G22").as_str(), "G22");
        assert_eq!(id("003.05.14.H20").as_str(), "H20.14.05.003");
        assert_eq!(id("003.00.14.H20").as_str(), "H20.14.00.003");
        assert_eq!(id("000.05.00.H20").as_str(), "H20.00.05");
        assert_eq!(id("000.00.14.H20"), id("H20.14"));
    }

    #[test]
    fn legacy_round_trip() {
        for s in [
            "000.00.14.H20",
            "000.00.00.H41",
            "000.00.00.G22",
            "003.05.14.H20",
            "003.00.00.H20",
            "000.05.00.H20",
        ] {
            assert_eq!(id(s).to_legacy().as_deref(), Some(s), "{s}");
        }
        assert_eq!(id("H26").to_legacy().as_deref(), Some("000.00.00.H26"));
        // No legacy form: groups of the wrong width, too many groups, trailing zero group.
        for s in [
            "H26.001",
            "H26.001.00001",
            "H26.1",
            "H26.AB",
            "H26.01.02.003.04",
            "H26.00",
        ] {
            assert_eq!(id(s).to_legacy(), None, "{s}");
        }
    }

    #[test]
    fn legacy_errors() {
        use AgencyIdError::*;
        assert_eq!(
            AgencyId::parse("000.00.14.H2"),
            Err(LegacyLength {
                len: 12,
                expected: 13
            })
        );
        assert_eq!(
            AgencyId::parse("000.00.14.H200"),
            Err(LegacyLength {
                len: 14,
                expected: 13
            })
        );
        assert_eq!(
            AgencyId::parse("000-00.14.H20"),
            Err(BadCharacter { ch: '-', pos: 3 })
        );
        assert_eq!(
            AgencyId::parse("000.0A.14.H20"),
            Err(BadCharacter { ch: 'A', pos: 5 })
        );
        assert_eq!(
            AgencyId::parse("000.00.14.h20"),
            Err(BadCharacter { ch: 'h', pos: 10 })
        );
        assert_eq!(
            AgencyId::parse("000.00.14.Z20"),
            Err(BadLevel1 {
                found: "Z20".into()
            })
        );
        assert_eq!(
            AgencyId::parse("000.00.14.H2Đ"),
            Err(BadCharacter { ch: 'Đ', pos: 12 })
        );
        assert_eq!(
            AgencyId::parse_legacy("H20.14"),
            Err(LegacyLength {
                len: 6,
                expected: 13
            })
        );
    }

    #[test]
    fn serde_uses_decision20_and_accepts_both() {
        let v: AgencyId = serde_json::from_str("\"000.00.14.H20\"").unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"H20.14\"");
        assert!(serde_json::from_str::<AgencyId>("\"h20\"").is_err());
    }
}
