//! Document exchange between agencies at every level of government: agency
//! identifiers, the agency directory, routing over the provincial hubs (LGSP) and the national
//! document axis (VDXP), and the functions behind the `directory` and `route` commands.
//! Background: REFERENCE.md §1, §3, §4.
//!
//! The exchange imports neither the verifier nor the ledger: the engine asks about attached
//! files through [`crate::check::SignatureCheck`] and tells what it sent and filed to a
//! [`record::Recorder`]; the ledger implements both seams and imports this module.

pub mod agency_id;
pub mod cli;
mod csv;
pub mod directory;
pub mod edxml;
pub mod engine;
pub mod fold;
pub mod record;
pub mod routing;
pub mod status;
pub mod store;

pub use agency_id::{AgencyId, AgencyIdError};
pub use directory::{Agency, Date, Directory, DirectoryError, Level, Sample, Validity};
pub use routing::{
    Expansion, Group, Hop, HopKind, Plan, Problem, Recipient, RecipientProblem, Route, RouteError,
    Router, route,
};
