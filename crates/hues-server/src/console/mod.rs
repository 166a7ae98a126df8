//! The city's console: web pages rendered here (Askama), used by staff in a browser. Signing
//! in (Argon2id, then TOTP for admins and supervisors), server-side sessions in an HttpOnly,
//! Secure, SameSite=Strict cookie, the Origin checked on every request that changes anything,
//! and every action in the audit log. Pages are in `pages.rs`; words in `i18n/*/console.ftl`.

mod admin;
mod citizens;
mod conversations;
mod desk;
mod dossier_desk;
mod insight;
pub mod live;
mod pages;
mod queue;
mod redact;
mod tokens;
mod warnings;

use axum::Router;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};

pub use crate::i18n::Tr;
pub use desk::set_photo_required;

use crate::AppState;
use crate::error::Fail;
use crate::permissions::{self, Decision, Rule};
use crate::staff::{self, Staff, Stage};

/// What the header's menu offers: only the pages the permission table lets this person open.
#[derive(Debug, Default, Clone, Copy)]
pub struct Nav {
    pub new_case: bool,
    pub warnings: bool,
    pub dossiers: bool,
    pub overdue: bool,
    pub audit: bool,
    pub admin: bool,
    pub performance: bool,
    pub hot: bool,
    pub citizens: bool,
}

impl Nav {
    pub fn of(staff: &Staff) -> Self {
        let may = |path: &str| {
            permissions::rule(&Method::GET, path)
                .is_some_and(|r| permissions::decide(staff, r, None) == Decision::Allow)
        };
        Self {
            new_case: may("/console/new"),
            warnings: may("/console/warnings"),
            dossiers: may("/console/dossiers"),
            overdue: may("/console/overdue"),
            audit: may("/console/audit"),
            admin: may("/console/admin"),
            performance: may("/console/performance"),
            hot: may("/console/hot"),
            citizens: may("/console/citizens"),
        }
    }
}

/// The session cookie's name.
pub const COOKIE: &str = "hues_staff";
/// The language cookie's name (`vi` or `en`).
pub const LANG_COOKIE: &str = "hues_lang";

/// The language chosen on the page (its cookie), else Vietnamese: the console is the city's,
/// Vietnamese first, whatever language the browser was installed in.
pub fn tr_of(headers: &HeaderMap) -> Tr {
    Tr::new(cookie(headers, LANG_COOKIE).unwrap_or("vi"))
}

/// The console's routes; each must have its row in `permissions::TABLE` (checked here, when the
/// router is built, and enforced by `guard` on every request).
pub fn router(state: AppState) -> Router<AppState> {
    let routes: Vec<(&'static str, MethodRouter<AppState>)> = vec![
        ("/console", get(|| async { Redirect::to("/console/") })),
        ("/console/", get(queue::queue)),
        ("/console/bulk", post(queue::bulk)),
        ("/console/login", get(pages::login_form).post(pages::login)),
        ("/console/totp", get(pages::totp_form).post(pages::totp)),
        ("/console/logout", post(pages::logout)),
        ("/console/lang/{lang}", get(pages::set_lang)),
        ("/console/static/{file}", get(pages::static_file)),
        ("/console/cases/{id}", get(pages::case)),
        (
            "/console/new",
            get(pages::new_case_form).post(pages::new_case),
        ),
        ("/console/cases/{id}/status", post(pages::case_status)),
        ("/console/cases/{id}/route", post(pages::case_route)),
        ("/console/cases/{id}/notes", post(pages::case_note)),
        ("/console/cases/{id}/photos/{sha}", get(pages::case_photo)),
        (
            "/console/dossiers",
            get(dossier_desk::desk).post(dossier_desk::receive),
        ),
        ("/console/dossiers/find", get(dossier_desk::find)),
        ("/console/dossiers/{code}", get(dossier_desk::one)),
        (
            "/console/dossiers/{code}/state",
            post(dossier_desk::advance),
        ),
        (
            "/console/dossiers/{code}/apology",
            post(dossier_desk::apologise),
        ),
        ("/console/warnings", get(warnings::list)),
        (
            "/console/warnings/new",
            get(warnings::new_form).post(warnings::submit),
        ),
        ("/console/warnings/{identifier}", get(warnings::one)),
        (
            "/console/cases/{id}/photos/{sha}/redact",
            post(redact::redact),
        ),
        ("/console/audit", get(pages::audit)),
        ("/console/citizens", get(citizens::show)),
        ("/console/citizens/export", post(citizens::export)),
        ("/console/citizens/delete", post(citizens::delete)),
        ("/console/citizens/keep", post(citizens::keep)),
        ("/console/citizens/revoke", post(citizens::revoke)),
        ("/console/admin", get(admin::show)),
        ("/console/admin/sla", post(admin::sla)),
        ("/console/admin/rules", post(admin::rules)),
        ("/console/admin/templates", post(admin::templates)),
        ("/console/admin/staff", post(admin::add_staff)),
        ("/console/cases/{id}/claim", post(desk::claim)),
        ("/console/cases/{id}/assign", post(desk::assign)),
        ("/console/cases/{id}/acknowledge", post(desk::acknowledge)),
        ("/console/cases/{id}/reply", post(desk::reply)),
        ("/console/cases/{id}/preview", post(desk::preview)),
        ("/console/cases/{id}/merge", post(desk::merge)),
        ("/console/cases/{id}/unlock", post(desk::unlock)),
        ("/console/events", get(live::events)),
        ("/console/bell", get(live::bell)),
        ("/console/bell/read", post(live::bell_read)),
        ("/console/overdue", get(live::overdue)),
        ("/console/performance", get(insight::dashboard)),
        ("/console/performance/export", get(insight::export)),
        ("/console/listening", get(insight::listening)),
        ("/console/hot", get(insight::hot_list)),
        ("/console/hot/run", post(insight::hot_run)),
        ("/console/hot/{id}", get(insight::hot_alert)),
        ("/console/hot/{id}/incident", post(insight::promote)),
        ("/console/incidents/{id}", get(insight::incident)),
        (
            "/console/incidents/{id}/reply",
            post(insight::incident_reply),
        ),
        ("/console/conversations", get(conversations::list)),
        ("/console/conversations/{id}", get(conversations::one)),
        (
            "/console/conversations/{id}/case",
            post(conversations::make_case),
        ),
        (
            "/console/conversations/{id}/attach",
            post(conversations::attach),
        ),
        (
            "/console/conversations/{id}/reply",
            post(conversations::reply),
        ),
        ("/city/performance", get(insight::public_page)),
        ("/city/performance.json", get(insight::public_json)),
        ("/console/tokens", get(tokens::list).post(tokens::create)),
        ("/console/tokens/{token}/revoke", post(tokens::revoke)),
    ];
    let mut router = Router::new();
    for (path, method_router) in routes {
        assert!(
            permissions::has_path(path),
            "the console route {path} has no row in permissions::TABLE"
        );
        router = router.route(path, method_router);
    }
    router
        .route_layer(axum::middleware::from_fn_with_state(state, guard))
        .layer(axum::middleware::from_fn(same_origin))
        .layer(axum::middleware::from_fn(headers))
}

/// Every console request meets its route's rule here, before the handler: signed in (else the
/// login page), the role, and for a case its unit (another unit's case: 404; a case one may
/// read but not change: 403).
async fn guard(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    params: RawPathParams,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(rule) = matched.and_then(|m| permissions::rule(req.method(), m.as_str())) else {
        return Fail::internal("a console route without a permission rule").into_response();
    };
    if rule == Rule::Open {
        return next.run(req).await;
    }
    let signed = match Signed::look_up(req.headers(), &state).await {
        Ok(s) => s,
        Err(refused) => return refused.into_response(),
    };
    let owner = match rule {
        Rule::ReadCase | Rule::ChangeCase | Rule::OverseeCase => {
            match permissions::case_owner(&state, &params).await {
                Ok(o) => o,
                Err(f) => return f.into_response(),
            }
        }
        _ => Some(None),
    };
    match permissions::decide(&signed.staff, rule, owner.as_ref().map(|o| o.as_deref())) {
        Decision::Allow => {
            req.extensions_mut().insert(signed);
            next.run(req).await
        }
        Decision::NotFound => pages::refusal(&signed, StatusCode::NOT_FOUND),
        Decision::Forbidden => pages::refusal(&signed, StatusCode::FORBIDDEN),
    }
}

/// A request that changes anything must come from the console's own pages: its `Origin` is
/// this server (browsers send it on every POST). With the SameSite=Strict cookie this closes
/// cross-site request forgery.
async fn same_origin(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) || origin_is_host(req.headers()) {
        return next.run(req).await;
    }
    (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
}

fn origin_is_host(headers: &HeaderMap) -> bool {
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// Console pages are never framed, cached or fed scripts from elsewhere.
async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// A cookie's value from the request.
pub(super) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The `Set-Cookie` value of a session (or, with `None`, of its removal).
fn session_cookie(value: Option<&str>) -> String {
    match value {
        Some(v) => format!(
            "{COOKIE}={v}; Path=/console; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
            staff::ABSOLUTE_SECS
        ),
        None => format!("{COOKIE}=; Path=/console; HttpOnly; Secure; SameSite=Strict; Max-Age=0"),
    }
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A signed-in staff member (both factors), with the cookie that names the session. A page
/// without one sends the browser to the login page.
#[derive(Clone)]
pub struct Signed {
    pub staff: Staff,
    pub tr: Tr,
}

/// Why a console request has no signed-in staff member.
pub enum NotSigned {
    /// No session: to the login page.
    Login,
    /// The password was given, the second factor not yet.
    SecondFactor,
    Fail(Fail),
}

impl IntoResponse for NotSigned {
    fn into_response(self) -> Response {
        match self {
            Self::Login => Redirect::to("/console/login").into_response(),
            Self::SecondFactor => Redirect::to("/console/totp").into_response(),
            Self::Fail(f) => f.into_response(),
        }
    }
}

impl From<Fail> for NotSigned {
    fn from(f: Fail) -> Self {
        Self::Fail(f)
    }
}

/// The session behind a request: (staff id, stage), if alive.
async fn session_of(
    headers: &HeaderMap,
    state: &AppState,
) -> Result<Option<(String, Stage)>, Fail> {
    let Some(value) = cookie(headers, COOKIE).map(str::to_owned) else {
        return Ok(None);
    };
    let now = now_unix();
    state
        .db
        .write(move |conn| staff::session(conn, &value, now))
        .await
}

impl Signed {
    async fn look_up(headers: &HeaderMap, state: &AppState) -> Result<Self, NotSigned> {
        let tr = tr_of(headers);
        match session_of(headers, state).await? {
            None => Err(NotSigned::Login),
            Some((_, Stage::Password)) => Err(NotSigned::SecondFactor),
            Some((id, Stage::Full)) => {
                let staff = state
                    .db
                    .read(move |conn| staff::staff_by_id(conn, &id))
                    .await?
                    .ok_or(NotSigned::Login)?;
                Ok(Self { staff, tr })
            }
        }
    }
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = NotSigned;

    /// The guard's finding (it looked the session up already).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, NotSigned> {
        match parts.extensions.get::<Signed>() {
            Some(s) => Ok(s.clone()),
            None => Self::look_up(&parts.headers, state).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_the_cookie_else_vietnamese() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            "en-US,en;q=0.9".parse().expect("h"),
        );
        assert_eq!(tr_of(&h).lang, "vi", "Vietnamese first");
        h.insert(header::COOKIE, "a=b; hues_lang=en".parse().expect("h"));
        assert_eq!(tr_of(&h).lang, "en");
        h.insert(
            header::ACCEPT_LANGUAGE,
            "fr-FR, en-GB;q=0.8".parse().expect("h"),
        );
        assert_eq!(tr_of(&h).lang, "en");
        h.insert(header::COOKIE, "hues_lang=vi".parse().expect("h"));
        assert_eq!(tr_of(&h).lang, "vi");
        assert_eq!(Tr::new("en").t("login-submit"), "Sign in");
        assert_eq!(Tr::new("vi").t("status-resolved"), "Đã giải quyết");
        assert_eq!(Tr::new("en").tn("queue-count", "count", 1), "1 report");
    }
}
