//! vCard 2.1 / 3.0 / 4.0: `read` cuts a file into cards (keeping each
//! card's line number), parses each with `calcard` and maps it onto a
//! [`Card`](kith_core::Card); `write` writes vCard 3.0 and 4.0. Properties
//! kith does not interpret are kept as extra lines and written back out.

mod read;
mod write;

pub use read::{MAX_CARD_BYTES, Reader, from_vcard, parse_card};
pub use write::{Version, to_vcard, write_card};

/// kith's own property for jobs other than the current one (ORG/TITLE).
const POSITION_PROPERTY: &str = "X-KITH-POSITION";

/// Where kith keeps the text of a line it could not read as a property.
const UNPARSED_PROPERTY: &str = "X-KITH-UNPARSED";

/// Apple's convention for a birthday without a year in vCard 3.0, which has
/// no syntax for it: the year 1604 stands for "no year".
const OMIT_YEAR: &str = "X-APPLE-OMIT-YEAR";
