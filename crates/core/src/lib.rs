//! kith-core: the domain of an address book — people, organisations, positions,
//! where each value came from — and the identity rules that decide when two
//! records are the same person. Pure data and functions: no I/O, no async.

pub mod changes;
pub mod dates;
pub mod due;
pub mod follow;
pub mod helpout;
pub mod identity;
pub mod ids;
pub mod interaction;
pub mod introduction;
pub mod merge;
pub mod model;
pub mod mycard;
pub mod names;
pub mod reciprocity;
pub mod strength;
pub mod ties;
pub mod vtext;

pub use ids::{AccountId, InteractionId, OrgId, PersonId};
pub use interaction::{Direction, Interaction, InteractionKind};
pub use model::*;
