//! PDF structure for signature verification: revisions, objects, signature fields, byte ranges
//! and the analysis of changes after signing. lopdf is used only inside `adapter`.
//!
//! The files import downwards only: `diff` (the change analysis) uses `fields` and `document`;
//! the verdicts that `document` caches for `diff` are named in the leaf `modifications`.

mod adapter;
pub mod byte_range;
pub mod diff;
pub mod document;
pub mod encryption;
pub mod fields;
mod modifications;
pub mod object;
pub mod signatures;
pub mod writer;

pub use diff::Modifications;
pub use document::{Document, Limits};
