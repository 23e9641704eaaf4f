//! Self-updating cards and reciprocity (docs/cards.md): each member's own
//! card and how the cards their connections hold follow it (`mine.rs`);
//! what changed in the user's network (`feed.rs`); the public card, its
//! links and "send my new details" with unsubscribe (`public.rs`); needs
//! and offers and "what can I do for them" (`helping.rs`).

mod feed;
mod helping;
mod mine;
mod public;

pub use feed::ChangeView;
pub(crate) use helping::HelpCache;
pub use helping::{HelpOut, Helper, NeedOfferView};
pub(crate) use helping::{check_text, names_of};
pub use mine::{CardFieldView, CardUpdate};
pub(crate) use mine::{apply_to, follow_member, load_card, member_as_seen};
pub use public::{
    CardLinkView, PublicCard, SendReport, Unsubscribe, public_card, unsubscribe, unsubscribe_info,
};

use kith_core::Source;
use serde::Deserialize;

/// `[cards]` in kith.toml.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CardsConfig {
    /// The most "send my new details" emails a member may send a day.
    pub emails_per_day: u32,
}

/// The daily cap on "send my new details" emails when kith.toml says none.
pub const DEFAULT_EMAILS_PER_DAY: u32 = 50;

impl Default for CardsConfig {
    fn default() -> Self {
        CardsConfig {
            emails_per_day: DEFAULT_EMAILS_PER_DAY,
        }
    }
}

/// The source of every value a member's card puts on the cards others hold.
pub(crate) fn member_source(member_name: &str) -> Source {
    Source {
        file: format!("kith member {member_name}"),
        line: 0,
        format: "member".into(),
    }
}
