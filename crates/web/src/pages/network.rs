//! The network in the web app: "Who do I know at…", paths with a button
//! to ask for an introduction, connections and invitations, people you
//! may know, introductions to answer, sharing settings, verified email
//! addresses; the map; the public pages where a person answers an
//! introduction or a member verifies an address; and the path and tie
//! parts of person and organisation pages.

use crate::http::caller::SignedForm;
use crate::http::caller::{CsrfForm, PageCaller};
use crate::http::input::PersonPath;
use crate::http::input::path_target;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use kith_app::App;
use kith_app::network::paths::{PathTarget, PathView};
use kith_app::network::ties::SharingScope;
use kith_core::ties::{Sharing, TieKind};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/network", get(network_page))
        .route("/network/map", get(crate::pages::network_map::map_page))
        .route("/network/connections", post(connection_action))
        .route("/network/follows", post(follow_action))
        .route("/network/sharing", post(set_sharing))
        .route("/network/introductions", post(ask_introduction))
        .route(
            "/network/introductions/{id}/{action}",
            post(answer_introduction),
        )
        .route("/network/emails", post(email_action))
        .route("/people/{id}/ties", post(set_tie))
        .route("/verify-email/{secret}", get(verify_page).post(verify))
        .route(
            "/introductions/answer/{secret}",
            get(answer_page).post(answer),
        )
}

/// One person on a path as a page shows them.
pub(super) struct StepRow {
    pub name: String,
    /// Their page, when they are in the user's address book.
    pub href: Option<String>,
    pub member: Option<String>,
    pub degree: String,
    /// Why they are tied to the one before (empty for the user).
    pub why: String,
}

/// A path as a page shows it, with the connection one may ask.
pub(super) struct PathRow {
    pub strength: String,
    pub steps: Vec<StepRow>,
    /// The connection right after the user, if the path goes through one.
    pub ask_via: Option<String>,
    /// Who the path leads to, as shown.
    pub about: String,
    /// Unique on the page (for its form's fields).
    pub key: String,
    /// What an introduction request names: `to` a person or `org`.
    pub ask_field: &'static str,
    pub ask_value: String,
}

fn degree_text(d: Option<u8>) -> String {
    match d {
        Some(1) => "1st".into(),
        Some(2) => "2nd".into(),
        Some(3) => "3rd".into(),
        _ => String::new(),
    }
}

pub(super) fn path_rows(paths: &[PathView], target: &PathTarget) -> Vec<PathRow> {
    let (ask_field, ask_value) = match target {
        PathTarget::Person(q) => ("to", q.clone()),
        PathTarget::Org(q) => ("org", q.clone()),
    };
    paths
        .iter()
        .enumerate()
        .map(|(n, p)| PathRow {
            key: format!("path-{n}"),
            ask_field,
            ask_value: ask_value.clone(),
            strength: format!("{:.0}%", p.strength * 100.0),
            steps: p
                .people
                .iter()
                .enumerate()
                .map(|(i, x)| StepRow {
                    name: if i == 0 { "You".into() } else { x.name.clone() },
                    href: x.id.filter(|_| i > 0).map(|id| format!("/people/{id}")),
                    member: x.member.clone().filter(|_| i > 0),
                    degree: if i == 0 {
                        String::new()
                    } else {
                        degree_text(x.degree)
                    },
                    why: if i == 0 {
                        String::new()
                    } else {
                        let hop = &p.hops[i - 1];
                        format!("{:.0}%: {}", hop.strength * 100.0, hop.why.join("; "))
                    },
                })
                .collect(),
            ask_via: p
                .people
                .get(1)
                .and_then(|x| x.member.clone())
                .filter(|_| p.people.len() > 2),
            about: p.people.last().map(|x| x.name.clone()).unwrap_or_default(),
        })
        .collect()
}

/// The user's own tie to someone of their book, as a path of one step.
pub(super) fn direct_path(id: &str, name: &str, strength: f64, why: &str) -> PathRow {
    PathRow {
        strength: format!("{:.0}%", strength * 100.0),
        steps: vec![
            StepRow {
                name: "You".into(),
                href: None,
                member: None,
                degree: String::new(),
                why: String::new(),
            },
            StepRow {
                name: name.to_string(),
                href: Some(format!("/people/{id}")),
                member: None,
                degree: degree_text(Some(1)),
                why: format!("{:.0}%: you know them ({why})", strength * 100.0),
            },
        ],
        ask_via: None,
        about: name.to_string(),
        key: "path-direct".into(),
        ask_field: "to",
        ask_value: id.to_string(),
    }
}

/// The paths to a target for a page: none when there is no path, and the
/// message of a clear "no" kept for the page.
pub(super) async fn paths_for_page(
    app: &App,
    target: &PathTarget,
    k: usize,
) -> Result<(Vec<PathRow>, String), Problem> {
    match app.paths_everywhere(target, k).await {
        Ok(r) if r.paths.is_empty() => Ok((
            Vec::new(),
            format!(
                "No path to {} through the people you can see.{}",
                r.label,
                unanswered_note(r.unanswered)
            ),
        )),
        Ok(r) => Ok((
            path_rows(&r.paths, target),
            unanswered_note(r.unanswered).trim().to_string(),
        )),
        Err(kith_app::AppError::NotFound(m) | kith_app::AppError::Invalid(m)) => {
            Ok((Vec::new(), m))
        }
        Err(e) => Err(e.into()),
    }
}

/// " 2 connections' servers did not answer." (empty when all did).
fn unanswered_note(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " 1 connection's server did not answer.".into(),
        n => format!(" {n} connections' servers did not answer."),
    }
}

struct ReachRow {
    name: String,
    href: Option<String>,
    title: String,
    degree: String,
    strength: String,
    via: String,
    /// The connection to ask for an introduction, if the path goes through one.
    ask_via: Option<String>,
    key: String,
}

/// One of several people of the user's book a partial name matched.
struct Choice {
    id: String,
    name: String,
    detail: String,
}

/// What a name typed to find a path stands for in the user's book.
enum Picked {
    /// One person (their id).
    One(String),
    /// Several: the user picks.
    Several(Vec<Choice>),
    /// An id, an address, a profile, or nobody of the book: as typed.
    AsTyped,
}

/// Forgiving lookups: "grace" is Grace Hopper when she is the only one.
async fn pick_person(app: &App, typed: &str) -> Result<Picked, Problem> {
    let looks_exact = typed.parse::<kith_core::PersonId>().is_ok()
        || typed.contains('@')
        || typed.contains("://")
        || typed.contains('/');
    if looks_exact {
        return Ok(Picked::AsTyped);
    }
    let found = app
        .list_people(&kith_app::types::PeopleFilter {
            search: Some(typed.to_string()),
            limit: Some(8),
            ..Default::default()
        })
        .await?;
    let wanted = kith_core::names::normalize(typed);
    if found
        .iter()
        .any(|p| kith_core::names::normalize(&p.name) == wanted)
    {
        return Ok(Picked::AsTyped);
    }
    Ok(match found.as_slice() {
        [] => Picked::AsTyped,
        [one] => Picked::One(one.id.to_string()),
        many => Picked::Several(
            many.iter()
                .map(|p| Choice {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    detail: super::person_line(p),
                })
                .collect(),
        ),
    })
}

struct IntroRow {
    id: String,
    text: String,
    status: String,
    message: String,
    can_answer: bool,
    can_withdraw: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "network.html")]
struct NetworkPage {
    user: String,
    csrf: String,
    org: String,
    to: String,
    reach: Vec<ReachRow>,
    reach_note: String,
    /// A close organisation name when none matched.
    did_you_mean: Option<String>,
    /// The organisations a partial name was taken to mean.
    org_names: String,
    paths: Vec<PathRow>,
    paths_note: String,
    /// Several people match a partial name: which one?
    choices: Vec<Choice>,
    /// Introductions can be asked here (mail works, the user's address is confirmed).
    can_ask: bool,
    connections: Vec<(String, String)>,
    /// The user's handle, when the server federates.
    handle: Option<String>,
    /// Accounts followed or following: (handle, name, status).
    follows: Vec<(String, String, String)>,
    suggestions: Vec<(String, String)>,
    intros: Vec<IntroRow>,
    sharing: &'static str,
    levels: Vec<(&'static str, &'static str)>,
    rules: Vec<(String, String)>,
    emails: Vec<(String, bool)>,
    refuses: bool,
    can_mail: bool,
}

#[derive(Deserialize)]
struct NetworkQuery {
    #[serde(default)]
    org: String,
    #[serde(default)]
    to: String,
}

async fn network_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<NetworkQuery>,
) -> Result<NetworkPage, Problem> {
    let app = state.app(caller.account);
    let (mut reach, mut reach_note) = (Vec::new(), String::new());
    let (mut did_you_mean, mut org_names) = (None, String::new());
    if !q.org.trim().is_empty() {
        crate::http::input::check_text("org", &q.org)?;
        let lookup = app.org_lookup(&q.org).await?;
        let exact = lookup.names.len() == 1
            && kith_core::names::normalize(&lookup.names[0]) == kith_core::names::normalize(&q.org);
        if !exact && !lookup.names.is_empty() {
            org_names = lookup.names.join(", ");
        }
        let report = app.who_at_everywhere(&q.org, 50).await?;
        let missing = unanswered_note(report.unanswered);
        reach_note = missing.trim().to_string();
        reach = report
            .people
            .into_iter()
            .enumerate()
            .map(|(n, r)| ReachRow {
                key: format!("reach-{n}"),
                href: r.person.id.map(|id| format!("/people/{id}")),
                name: r.person.name,
                title: r.title.unwrap_or_default(),
                degree: degree_text(r.person.degree),
                strength: format!("{:.0}%", r.strength * 100.0),
                via: r.via.join(" → "),
                ask_via: r.ask_via,
            })
            .collect();
        if reach.is_empty() {
            reach_note = format!("Nobody you can reach is at {} now.{missing}", q.org.trim());
            did_you_mean = lookup.did_you_mean;
        }
    }
    let mut choices = Vec::new();
    let mut to = q.to.trim().to_string();
    let (paths, paths_note) = if to.is_empty() {
        (Vec::new(), String::new())
    } else {
        crate::http::input::check_text("to", &to)?;
        match pick_person(&app, &to).await? {
            Picked::One(id) => {
                to = id;
                paths_for_page(&app, &PathTarget::Person(to.clone()), 3).await?
            }
            Picked::Several(found) => {
                choices = found;
                (Vec::new(), String::new())
            }
            Picked::AsTyped => paths_for_page(&app, &PathTarget::Person(to.clone()), 3).await?,
        }
    };
    let can_ask = state.can_mail() && app.has_verified_email().await?;
    let connections = app
        .connections()
        .await?
        .into_iter()
        .map(|c| (c.name, c.status))
        .collect();
    let handle = app.federation_status().await?.handle;
    let follows = app
        .follows()
        .await?
        .into_iter()
        .map(|f| (f.handle, f.name, f.status))
        .collect();
    let suggestions = app
        .people_you_may_know()
        .await?
        .into_iter()
        .map(|s| (s.name, s.reason))
        .collect();
    let intros = app
        .introductions()
        .await?
        .into_iter()
        .map(|i| IntroRow {
            id: i.id.to_string(),
            text: match i.role.as_str() {
                "broker" => format!("{} asks you to introduce them to {}", i.requester, i.person),
                "introducer" => format!("You are introducing {} to {}", i.requester, i.person),
                _ => format!("You asked {} for an introduction to {}", i.broker, i.person),
            },
            can_answer: i.role == "broker" && i.status == "asked",
            can_withdraw: matches!(i.role.as_str(), "requester" | "introducer")
                && matches!(i.status.as_str(), "asked" | "accepted"),
            status: i.status,
            message: i.message,
        })
        .collect();
    let sharing = app.sharing().await?;
    let mut rules: Vec<(String, String)> = sharing
        .tags
        .iter()
        .map(|t| (format!("tag {}", t.tag), t.level.as_str().to_string()))
        .collect();
    rules.extend(
        sharing
            .people
            .iter()
            .map(|p| (p.name.clone(), p.level.as_str().to_string())),
    );
    Ok(NetworkPage {
        user: caller.name,
        csrf: caller.csrf,
        org: q.org,
        to: q.to,
        reach,
        reach_note,
        did_you_mean,
        org_names,
        paths,
        paths_note,
        choices,
        can_ask,
        connections,
        handle,
        follows,
        suggestions,
        intros,
        sharing: sharing.default.as_str(),
        levels: Sharing::ALL
            .iter()
            .map(|l| (l.as_str(), l.describe()))
            .collect(),
        rules,
        emails: app
            .member_emails()
            .await?
            .into_iter()
            .map(|e| (e.email, e.verified))
            .collect(),
        refuses: app.refuses_introductions().await?,
        can_mail: state.can_mail(),
    })
}

#[derive(Deserialize)]
struct ConnectionForm {
    csrf: String,
    /// invite, accept, decline or remove.
    action: String,
    name: String,
}

async fn connection_action(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<ConnectionForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("name", &form.name)?;
    let app = state.app(caller.account);
    let name = form.name.trim();
    let done = match form.action.as_str() {
        "invite" => app.invite(name).await.map(|_| format!("Invited {name}.")),
        "accept" => app
            .accept(name)
            .await
            .map(|()| format!("You and {name} are connected.")),
        "decline" => app
            .decline(name)
            .await
            .map(|()| format!("Declined {name}'s invitation.")),
        "remove" => app
            .disconnect(name)
            .await
            .map(|()| format!("You and {name} are no longer connected.")),
        other => {
            return Err(Problem::new(
                Code::InvalidValue,
                format!("unknown action {other:?}"),
            ));
        }
    };
    flash_back(&caller, "/network#connections", done)
}

/// Back to the page with what happened, or what was wrong (a member or
/// server not found, another server failing) as the notice.
fn flash_back(
    caller: &crate::http::caller::PageCaller,
    back: &str,
    done: kith_app::Result<String>,
) -> Result<Response, Problem> {
    match done {
        Ok(text) => Ok(super::flash::Flash::new(text).redirect(caller, back)),
        Err(
            kith_app::AppError::Invalid(m)
            | kith_app::AppError::NotFound(m)
            | kith_app::AppError::Remote(m),
        ) => Ok(super::flash::Flash::error(m).redirect(caller, back)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct FollowForm {
    csrf: String,
    /// follow or unfollow.
    action: String,
    handle: String,
}

async fn follow_action(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<FollowForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("handle", &form.handle)?;
    let app = state.app(caller.account);
    let handle = form.handle.trim();
    let done = match form.action.as_str() {
        "follow" => app.follow_account(handle).await,
        "unfollow" => app
            .unfollow_account(handle)
            .await
            .map(|()| format!("You no longer follow {handle}.")),
        other => {
            return Err(Problem::new(
                Code::InvalidValue,
                format!("unknown action {other:?}"),
            ));
        }
    };
    flash_back(&caller, "/network#follows", done)
}

#[derive(Deserialize)]
struct SharingForm {
    csrf: String,
    level: String,
    #[serde(default)]
    tag: String,
}

async fn set_sharing(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<SharingForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("tag", &form.tag)?;
    let scope = if form.tag.trim().is_empty() {
        SharingScope::All
    } else {
        SharingScope::Tag(form.tag.clone())
    };
    let level = match form.level.as_str() {
        "clear" if scope != SharingScope::All => None,
        l => Some(Sharing::parse(l).ok_or_else(|| {
            Problem::new(
                Code::InvalidValue,
                format!("level {l:?}: use nothing, role or name"),
            )
        })?),
    };
    state.app(caller.account).set_sharing(&scope, level).await?;
    Ok(
        super::flash::Flash::new("Saved what your connections may use.")
            .redirect(&caller, "/network#sharing"),
    )
}

#[derive(Deserialize)]
struct AskForm {
    csrf: String,
    #[serde(default)]
    to: String,
    /// Or anyone at an organisation (from who-at).
    #[serde(default)]
    org: String,
    via: String,
    #[serde(default)]
    message: String,
}

async fn ask_introduction(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<AskForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("message", &form.message)?;
    crate::http::input::check_text("via", &form.via)?;
    let target = if form.org.trim().is_empty() {
        path_target(Some(form.to), None)?
    } else {
        path_target(None, Some(form.org))?
    };
    let asked = state
        .app(caller.account)
        .request_introduction(&target, &form.via, &form.message)
        .await;
    match asked {
        Ok(i) => Ok(super::flash::Flash::new(format!(
            "Asked {} to introduce you to {}. You will see the answer here.",
            i.broker, i.person
        ))
        .redirect(&caller, "/network#introductions")),
        Err(kith_app::AppError::Invalid(m) | kith_app::AppError::NotFound(m)) => {
            Ok(super::flash::Flash::error(m).redirect(&caller, "/network#introductions"))
        }
        Err(e) => Err(e.into()),
    }
}

async fn answer_introduction(
    State(state): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let id: uuid::Uuid = id
        .parse()
        .map_err(|_| Problem::new(Code::NotFound, format!("no introduction request {id}")))?;
    let app = state.app(caller.account);
    let text = match action.as_str() {
        "accept" => {
            app.accept_introduction(id, state.mailer().as_deref(), &state.config.public_url)
                .await?;
            "Accepted: kith asks the other person, then introduces you by email."
        }
        "decline" => {
            app.decline_introduction(id).await?;
            "Declined."
        }
        "withdraw" => {
            app.withdraw_introduction(id).await?;
            "Withdrawn."
        }
        other => return Err(Problem::new(Code::NotFound, format!("no action {other:?}"))),
    };
    Ok(super::flash::Flash::new(text).redirect(&caller, "/network#introductions"))
}

#[derive(Deserialize)]
struct EmailForm {
    csrf: String,
    /// add, remove, refuse or welcome.
    action: String,
    #[serde(default)]
    email: String,
}

async fn email_action(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<EmailForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("email", &form.email)?;
    let app = state.app(caller.account);
    match form.action.as_str() {
        "add" => {
            let Some(mailer) = state.mailer() else {
                return Err(Problem::new(
                    Code::MailFailed,
                    "this server cannot send email yet, so it cannot mail the link",
                ));
            };
            app.add_member_email(&form.email, &mailer, &state.config.public_url)
                .await?;
        }
        "remove" => app.remove_member_email(&form.email).await?,
        "refuse" => app.set_refuse_introductions(true).await?,
        "welcome" => app.set_refuse_introductions(false).await?,
        other => {
            return Err(Problem::new(
                Code::InvalidValue,
                format!("unknown action {other:?}"),
            ));
        }
    }
    let text = match form.action.as_str() {
        "add" => format!("A link to confirm {} is on its way.", form.email.trim()),
        "remove" => format!("Removed {}.", form.email.trim()),
        "refuse" => "You refuse introduction requests from now on.".to_string(),
        _ => "You take introduction requests again.".to_string(),
    };
    Ok(super::flash::Flash::new(text).redirect(&caller, "/network#emails"))
}

#[derive(Deserialize)]
struct TieForm {
    csrf: String,
    /// The other person: an id, email or exact name.
    other: String,
    kind: String,
    /// Empty: the kind's strength; else a percentage.
    #[serde(default)]
    strength: String,
}

async fn set_tie(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, form): SignedForm<TieForm>,
) -> Result<Response, Problem> {
    crate::http::input::check_text("other", &form.other)?;
    let strength = match form.strength.trim().trim_end_matches('%') {
        "" => None,
        s => Some(s.parse::<f64>().map(|p| p / 100.0).map_err(|_| {
            Problem::new(
                Code::InvalidValue,
                format!("strength {s:?}: give a percentage from 1 to 100"),
            )
        })?),
    };
    state
        .app(caller.account)
        .set_tie(&id, &form.other, &form.kind, strength)
        .await?;
    Ok(super::flash::Flash::new("Saved the tie.").redirect(&caller, &format!("/people/{id}#ties")))
}

/// The kinds of tie, for forms.
pub(super) fn tie_kinds() -> Vec<&'static str> {
    TieKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// A page for someone without an account, who came by a link in a mail:
/// a statement and, when there is a question, its buttons.
#[derive(Template, WebTemplate)]
#[template(path = "public_answer.html")]
pub(crate) struct PublicPage {
    pub title: String,
    pub text: String,
    pub message: String,
    /// The form's action, when there is a question to answer.
    pub action: Option<String>,
    pub yes: &'static str,
    pub no: &'static str,
}

async fn verify_page(Path(secret): Path<String>) -> PublicPage {
    PublicPage {
        title: "Confirm your email address".into(),
        text: "Confirm that this address is yours on kith.".into(),
        message: String::new(),
        action: Some(format!("/verify-email/{secret}")),
        yes: "Confirm",
        no: "",
    }
}

// The link came by mail: whoever holds it may answer, and a GET never
// acts (mail scanners follow links), so the button posts.
async fn verify(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<PublicPage, Problem> {
    let (_, email) = state.links.verify_member_email(&secret).await?;
    Ok(PublicPage {
        title: "Address confirmed".into(),
        text: format!(
            "{email} is confirmed. Members who have it in their address book may now see that you are a member."
        ),
        message: String::new(),
        action: None,
        yes: "",
        no: "",
    })
}

async fn answer_page(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<PublicPage, Problem> {
    let invite = state.links.introduction_invite(&secret).await?;
    Ok(PublicPage {
        title: "An introduction".into(),
        text: format!(
            "{} would like to introduce you to {}. Nothing is shared with {} unless you say yes.",
            invite.broker, invite.requester, invite.requester
        ),
        message: invite.message,
        action: Some(format!("/introductions/answer/{secret}")),
        yes: "Yes, introduce us",
        no: "No, thank you",
    })
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<PublicPage, Problem> {
    let Some(mailer) = state.mailer() else {
        return Err(Problem::new(
            Code::MailFailed,
            "this server cannot send mail now; try again later",
        ));
    };
    let yes = form.answer == "yes";
    let done = state
        .links
        .answer_introduction(&secret, yes, &mailer)
        .await?;
    Ok(PublicPage {
        title: if yes { "Introduced" } else { "Declined" }.into(),
        text: if yes {
            format!(
                "Thank you: {}, {} and you each have an email introducing you.",
                done.broker, done.requester
            )
        } else {
            format!(
                "Thank you: {} will know you declined. Nothing was shared.",
                done.broker
            )
        },
        message: String::new(),
        action: None,
        yes: "",
        no: "",
    })
}

crate::http::caller::has_csrf!(
    AskForm,
    ConnectionForm,
    EmailForm,
    FollowForm,
    SharingForm,
    TieForm
);
