//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers'
//! annotations (utoipa) and served at `/api/v1/openapi.json`.

use crate::api;
use crate::api_cards;
use crate::api_interactions;
use crate::api_more;
use crate::api_network;
use crate::import_pages::{ImportResult, ImportStatus};
use crate::problem::Problem;
use axum::Json;
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
    paths(
        api::list_people,
        api::create_person,
        api::get_person,
        api::patch_person,
        api::delete_person,
        api_more::list_deleted,
        api_more::restore,
        api_more::list_organizations,
        api_more::get_organization,
        api_more::list_tags,
        api_more::list_duplicates,
        api_more::merge,
        api_more::dismiss,
        api_more::unmerge,
        api_more::create_import,
        api_more::get_import,
        api_more::export,
        api_interactions::list_interactions,
        api_interactions::log_interaction,
        api_interactions::delete_interaction,
        api_interactions::get_strength,
        api_interactions::set_circle,
        api_interactions::coming_up,
        api_interactions::set_cadence,
        api_interactions::set_tag_cadence,
        api_interactions::list_due,
        api_interactions::mark_done,
        api_interactions::snooze,
        api_network::paths,
        api_network::who_at,
        api_network::ties_of,
        api_network::set_tie,
        api_network::remove_tie,
        api_network::connections,
        api_network::invite,
        api_network::suggestions,
        api_network::accept,
        api_network::decline,
        api_network::disconnect,
        api_network::sharing,
        api_network::set_sharing,
        api_network::introductions,
        api_network::introduction,
        api_network::request_introduction,
        api_network::answer_introduction,
        api_network::map,
        api_cards::get_card,
        api_cards::put_card,
        api_cards::set_field,
        api_cards::unset_field,
        api_cards::links,
        api_cards::create_link,
        api_cards::revoke_link,
        api_cards::send_card,
        api_cards::changes,
        api_cards::person_changes,
        api_cards::needs,
        api_cards::add_need,
        api_cards::remove_need,
        api_cards::help_out,
        api_cards::make_introduction,
        api_cards::favours,
        api_cards::add_favour,
        api_cards::remove_favour,
    ),
    components(schemas(
        PersonView,
        api::PersonInput,
        api::PositionInput,
        api::PeoplePage,
        api::SortOrder,
        api_more::OrgSummary,
        api_more::OrgPage,
        OrgView,
        MemberView,
        api_more::TagCount,
        api_more::DuplicatesPage,
        api_more::MergeInput,
        api_more::PairInput,
        api_more::Unmerged,
        api_more::ImportForm,
        api_more::ExportKind,
        ImportStatus,
        ImportResult,
        InteractionView,
        api_interactions::InteractionInput,
        api_interactions::StrengthView,
        api_interactions::CircleInput,
        kith_app::coming_up::ComingUpView,
        api_interactions::CadenceInput,
        api_interactions::DoneInput,
        api_interactions::SnoozeInput,
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
        kith_app::cards::FavourView,
        api_cards::FieldInput,
        api_cards::CardInput,
        api_cards::SendInput,
        api_cards::NeedInput,
        api_cards::MakeIntroInput,
        api_cards::FavourInput,
        api_network::TieInput,
        api_network::InviteInput,
        api_network::Said,
        api_network::SharingInput,
        api_network::IntroInput,
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
    ),
)]
pub struct ApiDoc;

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

/// `GET /api/v1/openapi.json` (public: it describes, it does not reveal).
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
