//! The library side of the `directory` and `route` commands. Each function takes
//! parsed arguments and returns the text to print (ending with a newline: print it with
//! `print!`), so `src/bin/vnedoc/` stays a thin layer and the output contract is tested here.
//!
//! ```text
//! vnedoc directory list [--directory 2019|2025|FILE] [--json]
//! vnedoc directory find NAME [--directory 2019|2025|FILE]
//! vnedoc route [--directory 2019|2025|FILE] --from ID --to ID... [--json]
//! ```
//!
//! Contracts (other tools depend on them):
//! - `directory list --json`: `{"agencies": [{"id", "name", "level", "parent"}, ...]}`, `parent`
//!   `null` for roots. Text: `id<TAB>name`, one per line.
//! - `directory find`: matching agencies, `id<TAB>name`, one per line, best match first.
//! - `route --json`: `{"hops": [{"node", "kind", "name"}, ...]}` when `--to` is one agency;
//!   otherwise (several `--to`, or a group) `{"routes": [{"to", "hops"}, ...]}`, plus
//!   `"expansions"` when a group was given. The first hop is the sender, the last the recipient.
//!   Text: one line per route, `node -> node -> ...`.
//!
//! `--to` takes identifiers (either form) or groups (`@communes:H26`, `@districts:H26`,
//! `@provinces`, `@ministries`, `@subordinates:H26`). The directory defaults to 2025.

use std::io::Read;
use std::path::PathBuf;
use std::str::FromStr;

use serde::Serialize;
use thiserror::Error;

use super::agency_id::{AgencyId, AgencyIdError};
use super::directory::{Date, Directory, DirectoryError, MAX_DIRECTORY_BYTES, Sample};
use super::routing::{Expansion, Hop, Recipient, RecipientParseError, RouteError, Router};

/// Where the directory comes from: `2019`, `2025` (the embedded samples) or a file path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectorySource {
    /// One of the samples embedded in the crate (`2019` or `2025`).
    Sample(Sample),
    /// A directory file in CSV or JSON (any argument other than `2019` and `2025`).
    File(PathBuf),
}

impl Default for DirectorySource {
    /// The current (2025) directory.
    fn default() -> Self {
        DirectorySource::Sample(Sample::Y2025)
    }
}

impl FromStr for DirectorySource {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "2019" => DirectorySource::Sample(Sample::Y2019),
            "2025" => DirectorySource::Sample(Sample::Y2025),
            path => DirectorySource::File(PathBuf::from(path)),
        })
    }
}

/// A failed command. [`CliError::exit_code`] says how to exit.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CliError {
    /// Directory `path`: `source`.
    #[error("directory {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Directory `origin`: `source`.
    #[error("directory {origin}: {source}")]
    Directory {
        /// The origin.
        origin: String,
        /// The underlying error.
        #[source]
        source: DirectoryError,
    },
    /// --from `arg`: `source`.
    #[error("--from {arg:?}: {source}")]
    BadSender {
        /// The arg.
        arg: String,
        /// The underlying error.
        #[source]
        source: AgencyIdError,
    },
    /// --to: `…`.
    #[error("--to: {}", .errors.iter().map(|(a, e)| format!("{a:?}: {e}")).collect::<Vec<_>>().join("; "))]
    BadRecipients {
        /// The errors.
        errors: Vec<(String, RecipientParseError)>,
    },
    /// Route.
    #[error("{0}")]
    Route(#[from] RouteError),
    /// No agency matches `query`.
    #[error("no agency matches {query:?}")]
    NoMatch {
        /// The query.
        query: String,
    },
}

impl CliError {
    /// 1: the command ran and found nothing to do (no match, recipients rejected); 2: usage
    /// error or unreadable directory.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Route(_) | CliError::NoMatch { .. } => 1,
            _ => 2,
        }
    }
}

/// Loads the directory named by `src` (files: CSV or JSON, at most [`MAX_DIRECTORY_BYTES`]).
pub fn load_directory(src: &DirectorySource) -> Result<Directory, CliError> {
    match src {
        DirectorySource::Sample(s) => Directory::sample(*s).map_err(|source| CliError::Directory {
            origin: format!("{s:?}"),
            source,
        }),
        DirectorySource::File(path) => {
            let shown = path.display().to_string();
            let io = |source| CliError::Io {
                path: shown.clone(),
                source,
            };
            let file = std::fs::File::open(path).map_err(io)?;
            let limit = u64::try_from(MAX_DIRECTORY_BYTES)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let mut text = String::new();
            file.take(limit).read_to_string(&mut text).map_err(io)?;
            Directory::parse(&text).map_err(|source| CliError::Directory {
                origin: shown.clone(),
                source,
            })
        }
    }
}

#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a AgencyId,
    name: &'a str,
    level: &'a str,
    parent: Option<&'a AgencyId>,
}

#[derive(Serialize)]
struct List<'a> {
    agencies: Vec<ListEntry<'a>>,
}

/// `vnedoc directory list`.
pub fn directory_list(src: &DirectorySource, json: bool) -> Result<String, CliError> {
    let dir = load_directory(src)?;
    if json {
        let list = List {
            agencies: dir
                .iter()
                .map(|a| ListEntry {
                    id: &a.id,
                    name: &a.name,
                    level: a.level.as_str(),
                    parent: a.parent.as_ref(),
                })
                .collect(),
        };
        Ok(to_json(&list))
    } else {
        Ok(dir
            .iter()
            .map(|a| format!("{}\t{}\n", a.id, a.name))
            .collect())
    }
}

/// `vnedoc directory find NAME`. No match is [`CliError::NoMatch`] (exit 1, like grep).
pub fn directory_find(src: &DirectorySource, name: &str) -> Result<String, CliError> {
    let dir = load_directory(src)?;
    let found = dir.find_by_name(name);
    if found.is_empty() {
        return Err(CliError::NoMatch {
            query: name.to_owned(),
        });
    }
    Ok(found
        .iter()
        .map(|a| format!("{}\t{}\n", a.id, a.name))
        .collect())
}

#[derive(Serialize)]
struct OneRoute<'a> {
    hops: &'a [Hop],
}

#[derive(Serialize)]
struct RouteTo<'a> {
    to: &'a AgencyId,
    hops: &'a [Hop],
}

#[derive(Serialize)]
struct Routes<'a> {
    routes: Vec<RouteTo<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    expansions: &'a [Expansion],
}

/// `vnedoc route --from ID --to ID...`. `on` is the date validity is checked against: pass
/// today in Vietnam (`vnedoc::time::vietnam_date(vnedoc::time::now())`); `None` skips the
/// check. Every bad `--to` is reported, not just the first.
pub fn route(
    src: &DirectorySource,
    from: &str,
    to: &[String],
    json: bool,
    on: Option<Date>,
) -> Result<String, CliError> {
    let sender = AgencyId::parse(from).map_err(|source| CliError::BadSender {
        arg: from.to_owned(),
        source,
    })?;
    let mut recipients = Vec::with_capacity(to.len());
    let mut errors = Vec::new();
    for arg in to {
        match arg.parse::<Recipient>() {
            Ok(r) => recipients.push(r),
            Err(e) => errors.push((arg.clone(), e)),
        }
    }
    if !errors.is_empty() {
        return Err(CliError::BadRecipients { errors });
    }
    let dir = load_directory(src)?;
    let router = match on {
        Some(d) => Router::new(&dir).on(d),
        None => Router::new(&dir),
    };
    let plan = router.plan(&sender, &recipients)?;
    let single = matches!(recipients.as_slice(), [Recipient::Agency(_)]);
    if json {
        if let (true, [r]) = (single, plan.routes.as_slice()) {
            return Ok(to_json(&OneRoute { hops: &r.hops }));
        }
        let routes = Routes {
            routes: plan
                .routes
                .iter()
                .map(|r| RouteTo {
                    to: &r.to,
                    hops: &r.hops,
                })
                .collect(),
            expansions: &plan.expansions,
        };
        Ok(to_json(&routes))
    } else {
        Ok(plan
            .routes
            .iter()
            .map(|r| {
                let nodes: Vec<&str> = r.hops.iter().map(|h| h.node.as_str()).collect();
                format!("{}\n", nodes.join(" -> "))
            })
            .collect())
    }
}

/// Pretty JSON and a newline. Serialising these plain structs cannot fail; should it ever, the
/// error is printed as a JSON string rather than panicking.
fn to_json<T: Serialize>(v: &T) -> String {
    match serde_json::to_string_pretty(v) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> serde_json::Value {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn list_json_contract() {
        let out = v(&directory_list(&"2025".parse().unwrap(), true).unwrap());
        let agencies = out["agencies"].as_array().unwrap();
        assert_eq!(agencies.len(), 17 + 34 + 3321);
        let first = agencies[0].as_object().unwrap();
        let keys: Vec<&str> = first.keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4);
        for k in ["id", "name", "level", "parent"] {
            assert!(first.contains_key(k), "{k}");
        }
        assert!(first["parent"].is_null());
    }

    #[test]
    fn route_json_shapes() {
        let src = DirectorySource::default();
        let one = v(&route(&src, "H26.00070", &["H29".into()], true, None).unwrap());
        let hops = one["hops"].as_array().unwrap();
        assert_eq!(hops.first().unwrap()["node"], "H26.00070");
        assert_eq!(hops.last().unwrap()["node"], "H29");
        assert_eq!(hops[2]["kind"], "national_hub");
        let many = v(&route(&src, "G06", &["H26".into(), "H29".into()], true, None).unwrap());
        assert_eq!(many["routes"].as_array().unwrap().len(), 2);
        assert_eq!(many["routes"][1]["to"], "H29");
        assert!(many.get("expansions").is_none());
        let group = v(&route(&src, "G22", &["@provinces".into()], true, None).unwrap());
        assert_eq!(group["routes"].as_array().unwrap().len(), 34);
        assert_eq!(group["expansions"][0]["group"], "@provinces");
    }

    #[test]
    fn errors_and_exit_codes() {
        let src = DirectorySource::default();
        let e = route(&src, "H26", &["h1".into(), "@all".into()], false, None).unwrap_err();
        assert!(matches!(&e, CliError::BadRecipients { errors } if errors.len() == 2));
        assert_eq!(e.exit_code(), 2);
        let e = route(&src, "H26", &["H98".into(), "H99".into()], false, None).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("H98") && e.to_string().contains("H99"));
        let e = directory_find(&src, "Atlantis").unwrap_err();
        assert_eq!(e.exit_code(), 1);
        let e = load_directory(&"/nonexistent/dir.csv".parse().unwrap()).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn text_outputs() {
        let src = DirectorySource::default();
        let out = route(&src, "H26.00070", &["H26.00073".into()], false, None).unwrap();
        assert_eq!(out, "H26.00070 -> LGSP-H26 -> H26.00073\n");
        let out = directory_find(&src, "Hoan Kiem").unwrap();
        assert_eq!(out, "H26.00070\tPhường Hoàn Kiếm\n");
    }
}
