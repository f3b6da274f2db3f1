//! PDF structure for signature verification: revisions, objects, signature fields, byte ranges
//! and the analysis of changes after signing. lopdf is used only inside `adapter`.

mod adapter;
pub mod byte_range;
pub mod diff;
pub mod document;
pub mod fields;
pub mod object;
pub mod signatures;
pub mod writer;

pub use diff::Modifications;
pub use document::{Document, Limits};
