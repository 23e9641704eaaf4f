//! The two small vocabularies of reciprocity: whether an entry is a need
//! or an offer, and whether a favour was given or received. Each names
//! itself as it is stored and shown (`as_str`) and reads back only that
//! exact name (`parse`). No matching here (that is `helpout`).

use std::fmt;

/// Whether an entry is something a person needs or something they offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NeedOfferKind {
    Need,
    Offer,
}

impl NeedOfferKind {
    pub const ALL: [NeedOfferKind; 2] = [NeedOfferKind::Need, NeedOfferKind::Offer];

    /// `need` or `offer`.
    pub fn as_str(self) -> &'static str {
        match self {
            NeedOfferKind::Need => "need",
            NeedOfferKind::Offer => "offer",
        }
    }

    /// Exactly `need` or `offer`.
    pub fn parse(s: &str) -> Option<NeedOfferKind> {
        NeedOfferKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for NeedOfferKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way a favour went, seen from the address book's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FavourDirection {
    /// The owner did the person a favour.
    Given,
    /// The person did the owner a favour.
    Received,
}

impl FavourDirection {
    pub const ALL: [FavourDirection; 2] = [FavourDirection::Given, FavourDirection::Received];

    /// `given` or `received`.
    pub fn as_str(self) -> &'static str {
        match self {
            FavourDirection::Given => "given",
            FavourDirection::Received => "received",
        }
    }

    /// Exactly `given` or `received`.
    pub fn parse(s: &str) -> Option<FavourDirection> {
        FavourDirection::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl fmt::Display for FavourDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_nothing_else_does() {
        for k in NeedOfferKind::ALL {
            assert_eq!(NeedOfferKind::parse(k.as_str()), Some(k));
            assert_eq!(k.to_string(), k.as_str());
        }
        for d in FavourDirection::ALL {
            assert_eq!(FavourDirection::parse(d.as_str()), Some(d));
            assert_eq!(d.to_string(), d.as_str());
        }
        assert_eq!(NeedOfferKind::parse("Need"), None);
        assert_eq!(NeedOfferKind::parse(" need"), None);
        assert_eq!(FavourDirection::parse("gave"), None);
    }
}
