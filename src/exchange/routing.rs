//! Routes between agencies over the hubs, REFERENCE.md §4.
//!
//! Topology: each local agency's document system connects to its province's integration
//! platform (LGSP); the LGSPs and the ministries connect to the national document axis (VDXP,
//! run by the Government Office). So:
//!
//! - **different hubs** (e.g. two provinces): sender → sender's LGSP → VDXP → recipient's LGSP →
//!   recipient;
//! - **same hub** (same province): sender → that LGSP → recipient; the axis is not touched;
//! - **ministries** (hub [`NATIONAL_AXIS`]) attach to the axis directly: a ministry sending to
//!   a commune goes ministry → VDXP → LGSP → commune, and ministry to ministry goes through VDXP.
//!
//! Hubs come from the directory ([`Directory::hub_of`]); "same province" means "same hub".
//!
//! Recipients may be broadcast [`Group`]s; [`Router::plan`] expands them to explicit agencies
//! and records each expansion. Every recipient is checked before anything is routed: unknown,
//! expired or not-yet-valid recipients, and recipients without a hub, are all reported together
//! in one [`RouteError::Recipients`], and no route is returned.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::agency_id::{AgencyId, AgencyIdError};
use super::directory::{
    Agency, Date, Directory, Level, NATIONAL_AXIS, NATIONAL_AXIS_NAME, Validity,
};

/// What a hop is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// The sender or a recipient.
    Agency,
    /// A province's integration platform (LGSP), or any hub other than the national axis.
    ProvincialHub,
    /// The national document axis (VDXP).
    NationalHub,
}

/// One node a document passes through.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hop {
    /// Agency identifier (Decision 20 form) or hub name (`LGSP-H26`, `VDXP`).
    pub node: String,
    /// Whether the node is an agency, a provincial hub or the national axis.
    pub kind: HopKind,
    /// Agency name, or the hub's display name.
    pub name: String,
}

/// The hops from one sender to one recipient: the first hop is the sender, the last the
/// recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The sending agency.
    pub from: AgencyId,
    /// The receiving agency.
    pub to: AgencyId,
    /// The nodes in the order the document passes them, sender first and recipient last. A
    /// [`Router`] puts between them the hub both share or, when their hubs differ, the
    /// sender's hub, the national axis and the recipient's hub (a hub that is the axis itself
    /// appears once): three to five hops.
    pub hops: Vec<Hop>,
}

impl Route {
    /// Whether the route passes the national axis.
    pub fn crosses_axis(&self) -> bool {
        self.hops.iter().any(|h| h.kind == HopKind::NationalHub)
    }
}

/// A broadcast group, written with a leading `@` (not an identifier character, so a group can
/// never be mistaken for an agency): `@communes:H26`, `@districts:H26`, `@provinces`,
/// `@ministries`, `@subordinates:H26`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "group", content = "of")]
pub enum Group {
    /// Every agency of level `commune` below the unit (a province, or a district in 2019).
    CommunesOf(AgencyId),
    /// Every agency of level `district` below the unit.
    DistrictsOf(AgencyId),
    /// Every agency of level `province`.
    AllProvinces,
    /// Every agency of level `central` (ministries and government agencies).
    AllMinistries,
    /// Everything below the unit, at any depth, not the unit itself.
    SubordinatesOf(AgencyId),
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::CommunesOf(id) => write!(f, "@communes:{id}"),
            Group::DistrictsOf(id) => write!(f, "@districts:{id}"),
            Group::AllProvinces => f.write_str("@provinces"),
            Group::AllMinistries => f.write_str("@ministries"),
            Group::SubordinatesOf(id) => write!(f, "@subordinates:{id}"),
        }
    }
}

/// A recipient that is neither an identifier nor a known group.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecipientParseError {
    /// Id.
    #[error("{0}")]
    Id(#[from] AgencyIdError),
    /// Unknown group.
    #[error(
        "unknown group {found:?} (known: @communes:ID, @districts:ID, @provinces, @ministries, @subordinates:ID)"
    )]
    UnknownGroup {
        /// What was found.
        found: String,
    },
}

/// One entry of a recipient list: an agency or a broadcast group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// One agency, by identifier (`H26.001`, or the legacy `000.00.14.H20`).
    Agency(AgencyId),
    /// A broadcast group (`@communes:H26`), expanded against the directory by
    /// [`Router::plan`].
    Group(Group),
}

impl FromStr for Recipient {
    type Err = RecipientParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some(g) = s.strip_prefix('@') else {
            return Ok(Recipient::Agency(AgencyId::parse(s)?));
        };
        let (name, arg) = match g.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (g, None),
        };
        let group = match (name, arg) {
            ("provinces", None) => Group::AllProvinces,
            ("ministries", None) => Group::AllMinistries,
            ("communes", Some(a)) => Group::CommunesOf(AgencyId::parse(a)?),
            ("districts", Some(a)) => Group::DistrictsOf(AgencyId::parse(a)?),
            ("subordinates", Some(a)) => Group::SubordinatesOf(AgencyId::parse(a)?),
            _ => {
                return Err(RecipientParseError::UnknownGroup {
                    found: s.chars().take(64).collect(),
                });
            }
        };
        Ok(Recipient::Group(group))
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Agency(id) => id.fmt(f),
            Recipient::Group(g) => g.fmt(f),
        }
    }
}

/// How a group was expanded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expansion {
    /// The group as written (`@communes:H26`).
    pub group: String,
    /// The agencies it expanded to, in directory order, without the sender and without
    /// agencies that are not valid on the routing date.
    pub recipients: Vec<AgencyId>,
    /// Members left out because they are not valid on the routing date.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_valid: Vec<AgencyId>,
    /// Whether the sender was a member and was left out.
    #[serde(default)]
    pub sender_excluded: bool,
}

/// Routes to every recipient, in the order given (duplicates removed, first occurrence kept),
/// and the expansion of each group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The sending agency.
    pub from: AgencyId,
    /// One route per distinct recipient, groups expanded in place.
    pub routes: Vec<Route>,
    /// One record per group in the recipient list, in the order given; empty when only
    /// agencies were named.
    pub expansions: Vec<Expansion>,
}

/// What is wrong with one recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Not in the directory (for a group: its unit is not).
    Unknown,
    /// Its `valid_to` is before the routing date.
    Expired {
        /// Last day of existence of the recipient (for a group: of its unit).
        to: Date,
    },
    /// Its `valid_from` is after the routing date.
    NotYetValid {
        /// First day of existence of the recipient (for a group: of its unit).
        from: Date,
    },
    /// Neither it nor any ancestor names a hub.
    NoHub,
    /// It is the sender.
    IsSender,
    /// A group with no member.
    EmptyGroup,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unknown => f.write_str("unknown"),
            Problem::Expired { to } => write!(f, "expired on {to}"),
            Problem::NotYetValid { from } => write!(f, "not valid before {from}"),
            Problem::NoHub => f.write_str("has no hub"),
            Problem::IsSender => f.write_str("is the sender"),
            Problem::EmptyGroup => f.write_str("group has no member"),
        }
    }
}

/// One rejected recipient: as written, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientProblem {
    /// The recipient: an agency identifier in its Decision 20 form or a group
    /// (`@communes:H26`); for a group member without a hub, that member's identifier.
    pub recipient: String,
    /// Why it was rejected.
    pub problem: Problem,
}

/// Why nothing was routed.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteError {
    /// Sender `id` is not in the directory.
    #[error("sender {id} is not in the directory")]
    UnknownSender {
        /// The identifier.
        id: AgencyId,
    },
    /// Sender `id` is not valid on the routing date (`validity`).
    #[error("sender {id} is not valid on the routing date ({validity:?})")]
    SenderNotValid {
        /// The identifier.
        id: AgencyId,
        /// The validity.
        validity: Validity,
    },
    /// Sender `id` has no hub.
    #[error("sender {id} has no hub")]
    SenderWithoutHub {
        /// The identifier.
        id: AgencyId,
    },
    /// No recipient.
    #[error("no recipient")]
    NoRecipient,
    /// `…` recipient(s) rejected, nothing routed: `…`.
    #[error("{} recipient(s) rejected, nothing routed: {}", problems.len(), list(problems))]
    Recipients {
        /// The problems.
        problems: Vec<RecipientProblem>,
    },
}

fn list(problems: &[RecipientProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{} ({})", p.recipient, p.problem))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Routes over a directory. Validity dates are checked against the date given with
/// [`Router::on`]; without one they are not checked (the directory is taken as a snapshot).
#[derive(Clone, Copy, Debug)]
pub struct Router<'d> {
    dir: &'d Directory,
    on: Option<Date>,
}

impl<'d> Router<'d> {
    /// A router over `dir` that does not check validity dates until given one with
    /// [`Router::on`].
    pub fn new(dir: &'d Directory) -> Self {
        Router { dir, on: None }
    }

    /// Check validity dates against `date` (the caller's "today"; nothing here reads the clock).
    pub fn on(mut self, date: Date) -> Self {
        self.on = Some(date);
        self
    }

    fn validity(&self, a: &Agency) -> Validity {
        self.on.map_or(Validity::Valid, |d| a.validity_on(d))
    }

    /// One route, with the same checks as [`Router::plan`].
    pub fn route(&self, from: &AgencyId, to: &AgencyId) -> Result<Route, RouteError> {
        let mut plan = self.plan(from, &[Recipient::Agency(to.clone())])?;
        plan.routes.pop().ok_or(RouteError::NoRecipient)
    }

    /// Expands the groups, checks every recipient, and routes to each one.
    pub fn plan(&self, from: &AgencyId, recipients: &[Recipient]) -> Result<Plan, RouteError> {
        let sender = self
            .dir
            .get(from)
            .ok_or_else(|| RouteError::UnknownSender { id: from.clone() })?;
        match self.validity(sender) {
            Validity::Valid => {}
            validity => {
                return Err(RouteError::SenderNotValid {
                    id: from.clone(),
                    validity,
                });
            }
        }
        if self.dir.hub_of(from).is_none() {
            return Err(RouteError::SenderWithoutHub { id: from.clone() });
        }
        if recipients.is_empty() {
            return Err(RouteError::NoRecipient);
        }
        let mut problems = Vec::new();
        let mut expansions = Vec::new();
        let mut targets: Vec<&Agency> = Vec::new();
        let mut seen: HashSet<&AgencyId> = HashSet::new();
        for r in recipients {
            match r {
                Recipient::Agency(id) => match self.check(from, id) {
                    Ok(a) => {
                        if seen.insert(&a.id) {
                            targets.push(a);
                        }
                    }
                    Err(problem) => problems.push(RecipientProblem {
                        recipient: id.to_string(),
                        problem,
                    }),
                },
                Recipient::Group(g) => match self.expand(from, g) {
                    Ok((members, expansion)) => {
                        for a in members {
                            if self.dir.hub_of(&a.id).is_none() {
                                problems.push(RecipientProblem {
                                    recipient: a.id.to_string(),
                                    problem: Problem::NoHub,
                                });
                            } else if seen.insert(&a.id) {
                                targets.push(a);
                            }
                        }
                        expansions.push(expansion);
                    }
                    Err(problem) => problems.push(RecipientProblem {
                        recipient: g.to_string(),
                        problem,
                    }),
                },
            }
        }
        if !problems.is_empty() {
            return Err(RouteError::Recipients { problems });
        }
        let routes = targets
            .into_iter()
            .map(|to| self.hops(sender, to))
            .collect();
        Ok(Plan {
            from: from.clone(),
            routes,
            expansions,
        })
    }

    /// An explicit recipient: known, valid, not the sender, with a hub.
    fn check(&self, from: &AgencyId, id: &AgencyId) -> Result<&'d Agency, Problem> {
        let a = self.dir.get(id).ok_or(Problem::Unknown)?;
        match self.validity(a) {
            Validity::Valid => {}
            Validity::Expired { to } => return Err(Problem::Expired { to }),
            Validity::NotYetValid { from } => return Err(Problem::NotYetValid { from }),
        }
        if id == from {
            return Err(Problem::IsSender);
        }
        if self.dir.hub_of(id).is_none() {
            return Err(Problem::NoHub);
        }
        Ok(a)
    }

    /// The valid members of a group other than the sender, and the record of the expansion.
    fn expand(&self, from: &AgencyId, g: &Group) -> Result<(Vec<&'d Agency>, Expansion), Problem> {
        let (unit, level): (Option<&AgencyId>, Option<Level>) = match g {
            Group::CommunesOf(u) => (Some(u), Some(Level::COMMUNE)),
            Group::DistrictsOf(u) => (Some(u), Some(Level::DISTRICT)),
            Group::SubordinatesOf(u) => (Some(u), None),
            Group::AllProvinces => (None, Some(Level::PROVINCE)),
            Group::AllMinistries => (None, Some(Level::CENTRAL)),
        };
        let candidates: Vec<&'d Agency> = match unit {
            Some(u) => {
                let unit = self.dir.get(u).ok_or(Problem::Unknown)?;
                match self.validity(unit) {
                    Validity::Valid => {}
                    Validity::Expired { to } => return Err(Problem::Expired { to }),
                    Validity::NotYetValid { from } => return Err(Problem::NotYetValid { from }),
                }
                self.dir.subtree(u).into_iter().skip(1).collect()
            }
            None => self.dir.iter().collect(),
        };
        let mut members = Vec::new();
        let mut not_valid = Vec::new();
        let mut sender_excluded = false;
        for a in candidates {
            if level.as_ref().is_some_and(|l| &a.level != l) {
                continue;
            }
            if &a.id == from {
                sender_excluded = true;
            } else if self.validity(a) != Validity::Valid {
                not_valid.push(a.id.clone());
            } else {
                members.push(a);
            }
        }
        if members.is_empty() {
            return Err(Problem::EmptyGroup);
        }
        let expansion = Expansion {
            group: g.to_string(),
            recipients: members.iter().map(|a| a.id.clone()).collect(),
            not_valid,
            sender_excluded,
        };
        Ok((members, expansion))
    }

    /// The hops between two checked agencies (both have a hub).
    fn hops(&self, from: &Agency, to: &Agency) -> Route {
        let agency = |a: &Agency| Hop {
            node: a.id.to_string(),
            kind: HopKind::Agency,
            name: a.name.clone(),
        };
        let hub = |h: &str| {
            if h == NATIONAL_AXIS {
                Hop {
                    node: h.to_owned(),
                    kind: HopKind::NationalHub,
                    name: NATIONAL_AXIS_NAME.to_owned(),
                }
            } else {
                Hop {
                    node: h.to_owned(),
                    kind: HopKind::ProvincialHub,
                    name: self.dir.hub_name(h).unwrap_or(h).to_owned(),
                }
            }
        };
        let hf = self.dir.hub_of(&from.id).unwrap_or(NATIONAL_AXIS);
        let ht = self.dir.hub_of(&to.id).unwrap_or(NATIONAL_AXIS);
        let mut hops = vec![agency(from)];
        if hf == ht {
            hops.push(hub(hf));
        } else {
            if hf != NATIONAL_AXIS {
                hops.push(hub(hf));
            }
            hops.push(hub(NATIONAL_AXIS));
            if ht != NATIONAL_AXIS {
                hops.push(hub(ht));
            }
        }
        hops.push(agency(to));
        Route {
            from: from.id.clone(),
            to: to.id.clone(),
            hops,
        }
    }
}

/// One route over `dir` without validity dates: [`Router::route`] with no date.
pub fn route(dir: &Directory, from: &AgencyId, to: &AgencyId) -> Result<Route, RouteError> {
    Router::new(dir).route(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "id,name,level,parent,hub,valid_from,valid_to\n\
        G06,Bộ Khoa học và Công nghệ,central,,VDXP,,\n\
        G22,Văn phòng Chính phủ,central,,VDXP,,\n\
        H26,Thành phố Hà Nội,province,,LGSP-H26,,\n\
        H26.001,Quận Ba Đình,district,H26,,,2025-06-30\n\
        H26.001.00001,Phường Phúc Xá,commune,H26.001,,,2025-06-30\n\
        H29,Thành phố Hồ Chí Minh,province,,LGSP-H29,,\n\
        H29.00001,Phường Sài Gòn,commune,H29,,2025-07-01,\n\
        X01,Orphan,other,,,,\n";

    fn dir() -> Directory {
        Directory::from_csv(SMALL).unwrap()
    }
    fn id(s: &str) -> AgencyId {
        AgencyId::parse(s).unwrap()
    }
    fn nodes(r: &Route) -> Vec<&str> {
        r.hops.iter().map(|h| h.node.as_str()).collect()
    }

    #[test]
    fn shapes() {
        let d = dir();
        let r = route(&d, &id("H26.001.00001"), &id("H29.00001")).unwrap();
        assert_eq!(
            nodes(&r),
            ["H26.001.00001", "LGSP-H26", "VDXP", "LGSP-H29", "H29.00001"]
        );
        let r = route(&d, &id("H26.001.00001"), &id("H26")).unwrap();
        assert_eq!(nodes(&r), ["H26.001.00001", "LGSP-H26", "H26"]);
        assert!(!r.crosses_axis());
        let r = route(&d, &id("G06"), &id("H26.001")).unwrap();
        assert_eq!(nodes(&r), ["G06", "VDXP", "LGSP-H26", "H26.001"]);
        let r = route(&d, &id("G06"), &id("G22")).unwrap();
        assert_eq!(nodes(&r), ["G06", "VDXP", "G22"]);
        let kinds: Vec<HopKind> = r.hops.iter().map(|h| h.kind).collect();
        assert_eq!(
            kinds,
            [HopKind::Agency, HopKind::NationalHub, HopKind::Agency]
        );
    }

    #[test]
    fn all_problems_listed() {
        let d = dir();
        let on = Date::new(2025, 7, 1).unwrap();
        let rs: Vec<Recipient> = ["H26.001", "H99", "H29.00001", "X01", "H26", "@communes:H98"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let err = Router::new(&d).on(on).plan(&id("H26"), &rs).unwrap_err();
        let RouteError::Recipients { problems } = err else {
            panic!("{err:?}")
        };
        let got: Vec<(&str, &Problem)> = problems
            .iter()
            .map(|p| (p.recipient.as_str(), &p.problem))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "H26.001",
                    &Problem::Expired {
                        to: Date::new(2025, 6, 30).unwrap()
                    }
                ),
                ("H99", &Problem::Unknown),
                ("X01", &Problem::NoHub),
                ("H26", &Problem::IsSender),
                ("@communes:H98", &Problem::Unknown),
            ]
        );
        // Before the reform the district is valid and the new ward is not yet.
        let before = Router::new(&d).on(Date::new(2025, 6, 30).unwrap());
        assert!(before.route(&id("H26"), &id("H26.001")).is_ok());
        assert!(matches!(
            before.route(&id("H26"), &id("H29.00001")),
            Err(RouteError::Recipients { .. })
        ));
    }

    #[test]
    fn groups_parse_and_expand() {
        let d = dir();
        for s in [
            "@communes:H26",
            "@districts:H26",
            "@provinces",
            "@ministries",
            "@subordinates:H26",
        ] {
            let r: Recipient = s.parse().unwrap();
            assert_eq!(r.to_string(), s);
        }
        assert!(matches!(
            "@everyone".parse::<Recipient>(),
            Err(RecipientParseError::UnknownGroup { .. })
        ));
        assert!(matches!(
            "@communes".parse::<Recipient>(),
            Err(RecipientParseError::UnknownGroup { .. })
        ));
        assert!(matches!(
            "@communes:h26".parse::<Recipient>(),
            Err(RecipientParseError::Id(_))
        ));
        let plan = Router::new(&d)
            .plan(
                &id("G22"),
                &[
                    "@ministries".parse().unwrap(),
                    "@provinces".parse().unwrap(),
                ],
            )
            .unwrap();
        let to: Vec<String> = plan.routes.iter().map(|r| r.to.to_string()).collect();
        assert_eq!(to, ["G06", "H26", "H29"]);
        assert!(plan.expansions.first().unwrap().sender_excluded);
        let on = Date::new(2025, 7, 1).unwrap();
        let plan = Router::new(&d)
            .on(on)
            .plan(&id("G06"), &["@subordinates:H29".parse().unwrap()])
            .unwrap();
        assert_eq!(
            plan.expansions.first().unwrap().recipients,
            [id("H29.00001")]
        );
        let err = Router::new(&d)
            .on(on)
            .plan(&id("G06"), &["@communes:H26".parse().unwrap()])
            .unwrap_err();
        assert!(
            matches!(err, RouteError::Recipients { ref problems } if problems.first().unwrap().problem == Problem::EmptyGroup)
        );
    }

    #[test]
    fn sender_checks() {
        let d = dir();
        assert!(matches!(
            route(&d, &id("H98"), &id("H26")),
            Err(RouteError::UnknownSender { .. })
        ));
        assert!(matches!(
            route(&d, &id("X01"), &id("H26")),
            Err(RouteError::SenderWithoutHub { .. })
        ));
        let on = Date::new(2025, 7, 1).unwrap();
        assert!(matches!(
            Router::new(&d).on(on).route(&id("H26.001"), &id("H26")),
            Err(RouteError::SenderNotValid { .. })
        ));
        assert_eq!(
            Router::new(&d).plan(&id("H26"), &[]),
            Err(RouteError::NoRecipient)
        );
    }

    #[test]
    fn hop_kind_serialises_snake_case() {
        let h = Hop {
            node: "LGSP-H26".into(),
            kind: HopKind::ProvincialHub,
            name: "x".into(),
        };
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"node":"LGSP-H26","kind":"provincial_hub","name":"x"}"#
        );
    }
}
