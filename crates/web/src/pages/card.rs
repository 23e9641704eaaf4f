//! Self-updating cards and reciprocity in the web app: the "My card" page
//! (fields with visibilities, public links with their QR code, sending
//! one's details); the public card page and its `.vcf`; the unsubscribe
//! page; and the parts of the person page (needs and offers, what the user
//! can do for them, favours, history) and of the home page (what changed,
//! help out).

use crate::http::caller::PageCaller;
use crate::http::caller::SignedForm;
use crate::http::input::PersonPath;
use crate::http::problem::{Code, Problem, person_id};
use crate::http::qr::qr_svg;
use crate::pages::network::PublicPage;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kith_app::App;
use kith_app::cards::HelpOut;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/card", get(card_page).post(card_action))
        .route("/card/links", post(link_action))
        .route("/card/send", post(send_details))
        .route("/card/{token}", get(public_page))
        .route(
            "/unsubscribe/{secret}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route("/people/{id}/needs", post(add_need))
        .route("/people/{id}/favours", post(add_favour))
        .route("/needs/{id}/remove", post(remove_need))
        .route("/favours/{id}/remove", post(remove_favour))
        .route("/help-out/introduce", post(introduce))
}

struct FieldRow {
    field: String,
    value: String,
    visibility: String,
}

/// A live public link: its id and when it was made.
struct LinkRow {
    id: String,
    created_at: String,
}

/// A link just made: the only time its address can be shown.
struct NewLink {
    url: String,
    qr: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "card.html")]
struct CardPage {
    user: String,
    csrf: String,
    fields: Vec<FieldRow>,
    field_names: Vec<&'static str>,
    visibilities: [&'static str; 3],
    /// What connections and the public see, as (label, value).
    connections_see: Vec<(String, String)>,
    public_sees: Vec<(String, String)>,
    links: Vec<LinkRow>,
    new_link: Option<NewLink>,
    can_mail: bool,
    notice: String,
}

async fn card_page(State(state): State<AppState>, caller: PageCaller) -> Result<CardPage, Problem> {
    render_card_page(&state, caller, String::new(), None).await
}

async fn render_card_page(
    state: &AppState,
    caller: PageCaller,
    notice: String,
    new_link: Option<kith_app::cards::CardLinkView>,
) -> Result<CardPage, Problem> {
    let app = state.app(caller.account);
    let card = app.my_card().await?;
    let base = state.config.public_url.trim_end_matches('/');
    let new_link = new_link.and_then(|l| l.path).map(|path| {
        let url = format!("{base}{path}");
        NewLink {
            qr: qr_svg(&url, 200).unwrap_or_default(),
            url,
        }
    });
    let links = app
        .card_links()
        .await?
        .into_iter()
        .filter(|l| !l.revoked)
        .map(|l| LinkRow {
            id: l.id,
            created_at: l.created_at,
        })
        .collect();
    use kith_core::mycard::Visibility;
    Ok(CardPage {
        connections_see: app.my_card_as(Visibility::Connections).await?,
        public_sees: app.my_card_as(Visibility::Public).await?,
        fields: card
            .fields
            .iter()
            .map(|f| FieldRow {
                field: f.field.clone(),
                value: f.value.clone(),
                visibility: f.visibility.clone(),
            })
            .collect(),
        field_names: kith_core::mycard::FIELDS
            .iter()
            .map(|f| f.as_str())
            .collect(),
        visibilities: ["private", "connections", "public"],
        links,
        new_link,
        can_mail: state.can_mail(),
        notice,
        user: caller.name,
        csrf: caller.csrf,
    })
}

#[derive(Deserialize)]
struct FieldForm {
    csrf: String,
    /// set or unset.
    action: String,
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    visibility: String,
}

async fn card_action(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<FieldForm>,
) -> Result<Response, Problem> {
    let app = state.app(caller.account);
    let done = match form.action.as_str() {
        "set" => {
            let vis = Some(form.visibility.as_str()).filter(|v| !v.is_empty());
            app.set_card_field(&form.field, &form.value, vis).await?
        }
        "unset" => {
            let value = Some(form.value.as_str()).filter(|v| !v.is_empty());
            app.unset_card_field(&form.field, value).await?
        }
        other => {
            return Err(Problem::new(
                Code::InvalidValue,
                format!("unknown action {other:?}"),
            ));
        }
    };
    let notice = match done.connections_updated {
        0 => "Saved.".to_string(),
        1 => "Saved; the card 1 connection holds of you is updated.".to_string(),
        n => format!("Saved; the cards {n} connections hold of you are updated."),
    };
    Ok(render_card_page(&state, caller, notice, None)
        .await?
        .into_response())
}

#[derive(Deserialize)]
struct LinkForm {
    csrf: String,
    /// create or revoke.
    action: String,
    #[serde(default)]
    token: String,
}

async fn link_action(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<LinkForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("token", &form.token)?;
    let app = state.app(caller.account);
    match form.action.as_str() {
        "create" => {
            // Shown on this answer only: kith keeps just the link's hash.
            let link = app.create_card_link().await?;
            let notice = "Your new public link is below. Copy it now: kith keeps only a fingerprint of it and cannot show it again.".to_string();
            return Ok(render_card_page(&state, caller, notice, Some(link))
                .await?
                .into_response());
        }
        "revoke" => {
            app.revoke_card_link(Some(&form.token)).await?;
        }
        other => {
            return Err(Problem::new(
                Code::InvalidValue,
                format!("unknown action {other:?}"),
            ));
        }
    }
    Ok(
        super::flash::Flash::new("The link is revoked: it shows nothing any more.")
            .redirect(&caller, "/card#links"),
    )
}

#[derive(Deserialize)]
struct SendForm {
    csrf: String,
    /// Emails or ids, one per line (or comma-separated).
    people: String,
}

async fn send_details(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<SendForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("people", &form.people)?;
    let people: Vec<String> = form
        .people
        .split([',', '\n', ';'])
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let report = state
        .app(caller.account)
        .send_card(&people, state.mailer().as_deref(), &state.config.public_url)
        .await?;
    let mut notice = format!("Sent to {}.", report.sent.len());
    for s in &report.skipped {
        notice.push_str(&format!(" Not sent: {s}."));
    }
    Ok(render_card_page(&state, caller, notice, None)
        .await?
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "public_card.html")]
struct PublicCardPage {
    name: String,
    fields: Vec<(String, String)>,
    vcf: String,
    qr: String,
}

/// The public card (`/card/TOKEN`) or its vCard (`/card/TOKEN.vcf`);
/// anyone with the link, no sign-in. Unknown and revoked links are 404.
async fn public_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("token", &token)?;
    if let Some(t) = token.strip_suffix(".vcf") {
        let card = state.links.public_card(t).await?;
        let file: String = card
            .name
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect();
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "text/vcard; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}.vcf\"", file.trim()),
                ),
            ],
            card.vcard,
        )
            .into_response());
    }
    let card = state.links.public_card(&token).await?;
    let url = format!(
        "{}/card/{token}.vcf",
        state.config.public_url.trim_end_matches('/')
    );
    Ok(PublicCardPage {
        name: card.name,
        fields: card.fields,
        qr: qr_svg(&url, 200).unwrap_or_default(),
        vcf: format!("/card/{token}.vcf"),
    }
    .into_response())
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<PublicPage, Problem> {
    crate::http::input::check_text("link", &secret)?;
    let u = state.links.unsubscribe_info(&secret).await?;
    Ok(PublicPage {
        title: "Unsubscribe".into(),
        text: format!(
            "Stop emails from {} to {} sent through this kith server?",
            u.member, u.email
        ),
        message: String::new(),
        action: Some(format!("/unsubscribe/{secret}")),
        yes: "Unsubscribe",
        no: "",
    })
}

// A GET never acts (mail scanners follow links); the button, and mail
// clients' one-click unsubscribe (RFC 8058), post.
async fn unsubscribe(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<PublicPage, Problem> {
    crate::http::input::check_text("link", &secret)?;
    let u = state.links.unsubscribe(&secret).await?;
    Ok(PublicPage {
        title: "Unsubscribed".into(),
        text: format!(
            "{} will get no more emails from {} through this kith server.",
            u.email, u.member
        ),
        message: String::new(),
        action: None,
        yes: "",
        no: "",
    })
}

/// A need or offer as the person page lists it.
pub(super) struct NeedRow {
    pub id: String,
    pub kind: String,
    pub text: String,
    pub tags: String,
    pub removable: bool,
}

/// Someone who can help, with the form that introduces them.
pub(super) struct HelpRow {
    pub need: String,
    pub person_id: String,
    pub helper_id: Option<String>,
    pub helper: String,
    pub why: String,
}

pub(super) struct FavourRow {
    pub id: String,
    pub text: String,
}

/// The person page's reciprocity: needs and offers, who can help with
/// their needs, favours, and what changed about them.
pub(super) struct PersonCards {
    pub needs: Vec<NeedRow>,
    pub help: Vec<HelpRow>,
    pub favours: Vec<FavourRow>,
    pub balance: String,
    pub history: Vec<(String, String)>,
}

pub(super) fn help_rows(list: &[HelpOut]) -> Vec<HelpRow> {
    list.iter()
        .flat_map(|h| {
            h.helpers.iter().map(move |x| HelpRow {
                need: format!("{}: {}", h.person, h.need),
                person_id: h.person_id.to_string(),
                helper_id: x.person_id.map(|p| p.to_string()),
                helper: x.name.clone(),
                why: x.why.clone(),
            })
        })
        .collect()
}

pub(super) async fn person_cards(app: &App, id: &str) -> Result<PersonCards, Problem> {
    let needs = app
        .needs_offers(Some(id))
        .await?
        .into_iter()
        .map(|n| NeedRow {
            id: n.id.to_string(),
            kind: n.kind,
            text: n.text,
            tags: n
                .tags
                .iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(" "),
            removable: !n.from_member,
        })
        .collect();
    let help: Vec<HelpOut> = app
        .help_out()
        .await?
        .into_iter()
        .filter(|h| h.person_id.to_string() == id)
        .collect();
    let favours = app.favours(Some(id)).await?;
    let given = favours.iter().filter(|f| f.direction == "given").count();
    let received = favours.len() - given;
    Ok(PersonCards {
        needs,
        help: help_rows(&help),
        balance: if favours.is_empty() {
            String::new()
        } else {
            format!("You did them {given}, they did you {received}.")
        },
        favours: favours
            .into_iter()
            .map(|f| FavourRow {
                id: f.id.to_string(),
                text: format!(
                    "{}: {} {}",
                    &f.at[..10.min(f.at.len())],
                    if f.direction == "given" {
                        "you gave:"
                    } else {
                        "you received:"
                    },
                    f.what
                ),
            })
            .collect(),
        history: app
            .person_changes(id)
            .await?
            .into_iter()
            .map(|c| (c.at[..10.min(c.at.len())].to_string(), c.summary))
            .collect(),
    })
}

#[derive(Deserialize)]
struct NeedForm {
    csrf: String,
    kind: String,
    text: String,
    #[serde(default)]
    tags: String,
}

async fn add_need(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<NeedForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("text", &form.text)?;
    crate::http::input::check_text("tags", &form.tags)?;
    let tags: Vec<String> = form.tags.split([',', ' ']).map(str::to_string).collect();
    state
        .app(caller.account)
        .add_need_offer(Some(&id), &form.kind, &form.text, &tags)
        .await?;
    Ok(
        super::flash::Flash::new(format!("Noted the {}.", form.kind))
            .redirect(&caller, &format!("/people/{id}#needs")),
    )
}

#[derive(Deserialize)]
struct FavourForm {
    csrf: String,
    direction: String,
    what: String,
}

async fn add_favour(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<FavourForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("what", &form.what)?;
    state
        .app(caller.account)
        .add_favour(&id, &form.direction, &form.what)
        .await?;
    Ok(super::flash::Flash::new("Noted the favour.")
        .redirect(&caller, &format!("/people/{id}#favours")))
}

#[derive(Deserialize)]
struct BackForm {
    csrf: String,
    /// The page to go back to (a path on this site).
    #[serde(default)]
    back: String,
}

fn back_to(back: &str) -> String {
    // Only paths of this site: never an open redirect.
    crate::http::encode::local_path(back)
        .unwrap_or("/")
        .to_string()
}

async fn remove_need(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, form): SignedForm<BackForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("id", &id)?;
    state.app(caller.account).remove_need_offer(&id).await?;
    Ok(super::flash::Flash::new("Removed.").redirect(&caller, &back_to(&form.back)))
}

async fn remove_favour(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, form): SignedForm<BackForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("id", &id)?;
    state.app(caller.account).remove_favour(&id).await?;
    Ok(super::flash::Flash::new("Removed the favour.").redirect(&caller, &back_to(&form.back)))
}

#[derive(Deserialize)]
struct IntroduceForm {
    csrf: String,
    person: String,
    helper: String,
    #[serde(default)]
    message: String,
}

async fn introduce(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<IntroduceForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.person)?, person_id(&form.helper)?);
    crate::http::input::check_text("message", &form.message)?;
    state
        .app(caller.account)
        .introduce(
            &a,
            &b,
            &form.message,
            state.mailer().as_deref(),
            &state.config.public_url,
        )
        .await?;
    Ok(
        super::flash::Flash::new("Introduction on its way: each of them is asked first.")
            .redirect(&caller, "/network#introductions"),
    )
}

crate::http::caller::has_csrf!(
    BackForm,
    FavourForm,
    FieldForm,
    IntroduceForm,
    LinkForm,
    NeedForm,
    SendForm
);
