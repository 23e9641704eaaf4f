//! The OpenAPI 3.1 document's frame: its title, the schemas, the bearer
//! scheme, the tags. The operations come from the routes themselves
//! (`api::routes`), each registered once.

use super::{
    cards, duplicates, export, imports, interactions, network, organizations, people, sources,
};
use crate::http::input;
use crate::http::problem::Problem;
use crate::jobs::{ImportResult, ImportStatus};
use kith_app::PersonView;
use kith_app::interactions::InteractionView;
use kith_app::keep_in_touch::DueView;
use kith_app::orgs::{MemberView, OrgView};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kith",
        description = "kith's JSON API: your address book. Authenticate with `Authorization: Bearer TOKEN` (kith token create). Errors are RFC 9457 problem documents with a stable `code`.",
    ),
    components(schemas(
        PersonView,
        kith_app::sources::SourceView,
        kith_app::sources::NewSource,
        kith_app::sources::SourceKind,
        kith_app::sources::SyncReport,
        sources::PasswordInput,
        input::PersonInput,
        input::PositionInput,
        people::PeoplePage,
        people::SortOrder,
        organizations::OrgSummary,
        organizations::OrgPage,
        OrgView,
        MemberView,
        organizations::TagCount,
        duplicates::DuplicatesPage,
        duplicates::MergeInput,
        duplicates::PairInput,
        duplicates::Unmerged,
        imports::ImportForm,
        export::ExportKind,
        ImportStatus,
        ImportResult,
        InteractionView,
        interactions::InteractionInput,
        interactions::StrengthView,
        interactions::CircleInput,
        kith_app::coming_up::ComingUpView,
        interactions::CadenceInput,
        interactions::DoneInput,
        interactions::SnoozeInput,
        DueView,
        kith_app::network::paths::PathView,
        kith_app::network::paths::PathPerson,
        kith_app::network::paths::PathHop,
        kith_app::network::paths::ReachView,
        kith_app::network::ties::TieView,
        kith_app::network::ties::SharingView,
        kith_app::network::ties::TagSharing,
        kith_app::network::ties::PersonSharing,
        kith_app::network::members::ConnectionView,
        kith_app::network::members::MemberSuggestion,
        kith_app::federation::FollowView,
        kith_app::federation::FederationStatus,
        network::FollowInput,
        kith_app::network::intros::IntroView,
        kith_app::network::map::NetworkMap,
        kith_app::network::map::MapCluster,
        kith_app::network::map::MapPerson,
        kith_app::network::map::MapTie,
        kith_app::cards::CardUpdate,
        kith_app::cards::CardFieldView,
        kith_app::cards::CardLinkView,
        kith_app::cards::SendReport,
        kith_app::cards::ChangeView,
        kith_app::cards::NeedOfferView,
        kith_app::cards::HelpOut,
        kith_app::cards::Helper,
        kith_app::favours::FavourView,
        cards::FieldInput,
        cards::CardInput,
        cards::SendInput,
        cards::NeedInput,
        cards::MakeIntroInput,
        cards::FavourInput,
        network::TieInput,
        network::InviteInput,
        network::Said,
        network::SharingInput,
        network::IntroInput,
        Problem
    )),
    modifiers(&Bearer),
    security(("bearer" = [])),
    tags(
        (name = "people", description = "The people in your address book"),
        (name = "organizations", description = "Where people work and worked"),
        (name = "tags", description = "The tags on people"),
        (name = "duplicates", description = "Suggested duplicates, merging and undoing merges"),
        (name = "imports", description = "Importing files"),
        (name = "export", description = "The whole address book as a file"),
        (name = "interactions", description = "Coffees, calls, emails, meetings with people"),
        (name = "keep in touch", description = "Cadences and who to reach out to"),
        (name = "network", description = "Ties, paths, connections between members, sharing and introductions"),
        (name = "cards", description = "Your own card and how it reaches others, what changed in your network, needs and offers, favours"),
        (name = "sources", description = "Mailboxes (IMAP), calendars (CalDAV, ICS links) and address books (CardDAV) kith reads by itself"),
    ),
)]
pub(super) struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
