//! The verdict vocabulary of the change analysis ([`super::diff`]): how a document changed
//! after a signature, and the per-revision verdicts a
//! [`Document`](super::document::Document) keeps so that each revision is judged once. A leaf
//! of `pdf/`: the document holds the verdicts without importing the analysis that computes
//! them.

use std::collections::HashMap;

/// How the document changed after a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Modifications {
    None,
    Allowed,
    Disallowed,
}

/// The outcome of the analysis with the reasons for its verdict.
#[derive(Clone, Debug)]
pub struct ModificationReport {
    pub level: Modifications,
    pub findings: Vec<String>,
}

/// DocMDP permission level (ISO 32000-1 Table 254): 1 no changes, 2 form filling and signing,
/// 3 also annotations.
pub type DocMdp = Option<i64>;

/// The change analysis' verdict on each revision, by (revision, DocMDP level), kept with the
/// document it belongs to.
pub(crate) type RevisionVerdicts = HashMap<(usize, DocMdp), (Modifications, Vec<String>)>;
