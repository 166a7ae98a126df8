//! Who may call what: one table, every console route and every operator route with its rule,
//! enforced in one place (the console's guard and the operator API's) before any handler runs.
//! A console route without a row here is refused (the router will not even be built), an
//! operator route without one answers 500; the permission tests walk this same table, every
//! row × every role × a case of one's own unit and of another.

use axum::extract::{MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hues_wire::ErrorCode;
use uuid::Uuid;

use crate::error::Fail;
use crate::staff::{self, Role, Staff};
use crate::{AppState, auth};

/// What a route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Anyone: the sign-in pages, the stylesheet, the language switch.
    Open,
    /// Any signed-in staff member.
    Staff,
    /// Staff holding one of these roles (in any unit).
    Roles(&'static [Role]),
    /// Staff who may read the report named by the path's `{id}` (someone else's: 404).
    ReadCase,
    /// Staff who may change it (a reader who may not: 403).
    ChangeCase,
    /// Staff who oversee it: break its edit lock (the unit's supervisors, the dispatchers).
    OverseeCase,
}

/// Roles that see the whole city's list (given at the root).
pub const CITY_READERS: &[Role] = &[Role::Dispatcher, Role::CitySupervisor, Role::Admin];
/// Roles that publish warnings and decide bookings: the operations centre and admins.
pub const CITY_ACTORS: &[Role] = &[Role::Dispatcher, Role::Admin];
/// Roles that work dossiers at a desk.
pub const DOSSIER_DESK: &[Role] = &[Role::Dispatcher, Role::Officer, Role::UnitSupervisor];
/// Roles that take calls for the city (the contact centre).
pub const CONTACT_CENTRE: &[Role] = &[Role::Dispatcher];
/// Administration: staff, units, rules, targets, templates, the audit log.
pub const ADMIN: &[Role] = &[Role::Admin];
/// Who writes, updates and cancels the city's warnings (CAP).
pub const WARNERS: &[Role] = CITY_ACTORS;
/// Who watches how the units do and what is flaring up: the dashboards, the hot issues.
pub const OVERSEERS: &[Role] = &[
    Role::Dispatcher,
    Role::UnitSupervisor,
    Role::CitySupervisor,
    Role::Admin,
];
/// Who turns a hot issue into an incident (city supervisors read, they change nothing).
pub const INCIDENT_MAKERS: &[Role] = &[Role::Dispatcher, Role::UnitSupervisor, Role::Admin];
/// Who answers an incident's reporters (each report only if they may change it).
pub const HANDLERS: &[Role] = &[Role::Dispatcher, Role::Officer, Role::UnitSupervisor];

pub struct Entry {
    pub method: Method,
    pub path: &'static str,
    pub rule: Rule,
}

const fn at(method: Method, path: &'static str, rule: Rule) -> Entry {
    Entry { method, path, rule }
}

/// Every console and operator route. Keep it in the order of the routers.
pub const TABLE: &[Entry] = &[
    // The console.
    at(Method::GET, "/console", Rule::Open),
    at(Method::GET, "/console/", Rule::Staff),
    at(Method::GET, "/console/login", Rule::Open),
    at(Method::POST, "/console/login", Rule::Open),
    at(Method::GET, "/console/totp", Rule::Open),
    at(Method::POST, "/console/totp", Rule::Open),
    at(Method::POST, "/console/logout", Rule::Open),
    at(Method::GET, "/console/lang/{lang}", Rule::Open),
    at(Method::GET, "/console/static/{file}", Rule::Open),
    at(Method::GET, "/console/events", Rule::Staff),
    at(Method::GET, "/console/bell", Rule::Staff),
    at(Method::POST, "/console/bell/read", Rule::Staff),
    // Each sees the overdue cases they may read.
    at(Method::GET, "/console/overdue", Rule::Staff),
    at(Method::POST, "/console/bulk", Rule::Staff),
    at(Method::GET, "/console/tokens", Rule::Staff),
    at(Method::POST, "/console/tokens", Rule::Staff),
    at(Method::POST, "/console/tokens/{token}/revoke", Rule::Staff),
    at(Method::GET, "/console/dossiers", Rule::Roles(DOSSIER_DESK)),
    at(Method::POST, "/console/dossiers", Rule::Roles(DOSSIER_DESK)),
    at(
        Method::GET,
        "/console/dossiers/find",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(
        Method::GET,
        "/console/dossiers/{code}",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(
        Method::POST,
        "/console/dossiers/{code}/state",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(
        Method::POST,
        "/console/dossiers/{code}/apology",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(Method::GET, "/console/warnings", Rule::Roles(WARNERS)),
    at(Method::GET, "/console/warnings/new", Rule::Roles(WARNERS)),
    at(Method::POST, "/console/warnings/new", Rule::Roles(WARNERS)),
    at(
        Method::GET,
        "/console/warnings/{identifier}",
        Rule::Roles(WARNERS),
    ),
    // Insight (issue 14): the dashboards and the hot issues; the public figures for anyone.
    at(Method::GET, "/console/performance", Rule::Roles(OVERSEERS)),
    at(
        Method::GET,
        "/console/performance/export",
        Rule::Roles(OVERSEERS),
    ),
    at(Method::GET, "/console/listening", Rule::Roles(OVERSEERS)),
    at(Method::GET, "/console/hot", Rule::Roles(OVERSEERS)),
    at(Method::POST, "/console/hot/run", Rule::Roles(OVERSEERS)),
    at(Method::GET, "/console/hot/{id}", Rule::Roles(OVERSEERS)),
    at(
        Method::POST,
        "/console/hot/{id}/incident",
        Rule::Roles(INCIDENT_MAKERS),
    ),
    at(Method::GET, "/console/incidents/{id}", Rule::Staff),
    at(
        Method::POST,
        "/console/incidents/{id}/reply",
        Rule::Roles(HANDLERS),
    ),
    // Zalo and Messenger at the contact centre.
    at(
        Method::GET,
        "/console/conversations",
        Rule::Roles(CONTACT_CENTRE),
    ),
    at(
        Method::GET,
        "/console/conversations/{id}",
        Rule::Roles(CONTACT_CENTRE),
    ),
    at(
        Method::POST,
        "/console/conversations/{id}/case",
        Rule::Roles(CONTACT_CENTRE),
    ),
    at(
        Method::POST,
        "/console/conversations/{id}/attach",
        Rule::Roles(CONTACT_CENTRE),
    ),
    at(
        Method::POST,
        "/console/conversations/{id}/reply",
        Rule::Roles(CONTACT_CENTRE),
    ),
    at(Method::GET, "/city/performance", Rule::Open),
    at(Method::GET, "/city/performance.json", Rule::Open),
    // Citizens' accounts on their behalf: the contact centre, and admins.
    at(Method::GET, "/console/citizens", Rule::Roles(CITY_ACTORS)),
    at(
        Method::POST,
        "/console/citizens/export",
        Rule::Roles(CITY_ACTORS),
    ),
    at(
        Method::POST,
        "/console/citizens/delete",
        Rule::Roles(CITY_ACTORS),
    ),
    at(
        Method::POST,
        "/console/citizens/keep",
        Rule::Roles(CITY_ACTORS),
    ),
    at(
        Method::POST,
        "/console/citizens/revoke",
        Rule::Roles(CITY_ACTORS),
    ),
    at(Method::GET, "/console/new", Rule::Roles(CONTACT_CENTRE)),
    at(Method::POST, "/console/new", Rule::Roles(CONTACT_CENTRE)),
    at(Method::GET, "/console/cases/{id}", Rule::ReadCase),
    at(
        Method::GET,
        "/console/cases/{id}/photos/{sha}",
        Rule::ReadCase,
    ),
    at(
        Method::POST,
        "/console/cases/{id}/photos/{sha}/redact",
        Rule::ChangeCase,
    ),
    at(Method::POST, "/console/cases/{id}/status", Rule::ChangeCase),
    at(Method::POST, "/console/cases/{id}/route", Rule::ChangeCase),
    at(Method::POST, "/console/cases/{id}/notes", Rule::ChangeCase),
    at(Method::POST, "/console/cases/{id}/claim", Rule::ChangeCase),
    at(Method::POST, "/console/cases/{id}/assign", Rule::ChangeCase),
    at(
        Method::POST,
        "/console/cases/{id}/acknowledge",
        Rule::ChangeCase,
    ),
    at(Method::POST, "/console/cases/{id}/reply", Rule::ChangeCase),
    at(
        Method::POST,
        "/console/cases/{id}/preview",
        Rule::ChangeCase,
    ),
    at(Method::POST, "/console/cases/{id}/merge", Rule::ChangeCase),
    at(
        Method::POST,
        "/console/cases/{id}/unlock",
        Rule::OverseeCase,
    ),
    at(Method::GET, "/console/audit", Rule::Roles(ADMIN)),
    at(Method::GET, "/console/admin", Rule::Roles(ADMIN)),
    at(Method::POST, "/console/admin/sla", Rule::Roles(ADMIN)),
    at(Method::POST, "/console/admin/rules", Rule::Roles(ADMIN)),
    at(Method::POST, "/console/admin/templates", Rule::Roles(ADMIN)),
    at(Method::POST, "/console/admin/staff", Rule::Roles(ADMIN)),
    // The operator API (a staff member's token, or the demo's shared one).
    at(
        Method::GET,
        "/api/v1/operator/reports",
        Rule::Roles(CITY_READERS),
    ),
    at(
        Method::POST,
        "/api/v1/operator/reports/{id}/publication",
        Rule::ChangeCase,
    ),
    at(
        Method::POST,
        "/api/v1/operator/reports/{id}/status",
        Rule::ChangeCase,
    ),
    at(
        Method::GET,
        "/api/v1/operator/bookings",
        Rule::Roles(CITY_ACTORS),
    ),
    at(
        Method::POST,
        "/api/v1/operator/bookings/{id}/decision",
        Rule::Roles(CITY_ACTORS),
    ),
    at(Method::POST, "/api/v1/alerts", Rule::Roles(CITY_ACTORS)),
    at(
        Method::POST,
        "/api/v1/operator/dossiers",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(
        Method::POST,
        "/api/v1/operator/dossiers/{code}/state",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(
        Method::POST,
        "/api/v1/operator/dossiers/{code}/apology",
        Rule::Roles(DOSSIER_DESK),
    ),
    at(
        Method::GET,
        "/api/v1/operator/dossiers/deadlines",
        Rule::Staff,
    ),
];

/// The rule of a route (a `GET` row also covers `HEAD`).
pub fn rule(method: &Method, path: &str) -> Option<Rule> {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    TABLE
        .iter()
        .find(|e| e.path == path && e.method == method)
        .map(|e| e.rule)
}

/// Whether the table has a row for `path` (any method): the console's router checks each of its
/// routes with this when it is built.
pub fn has_path(path: &str) -> bool {
    TABLE.iter().any(|e| e.path == path)
}

/// A rule's answer for one staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not theirs, or no such case: not said to exist.
    NotFound,
    /// Theirs to read, not to do.
    Forbidden,
}

/// `owner`: for case rules, the unit that owns the case (`Some(None)`: unrouted), `None` when
/// there is no such case.
pub fn decide(staff: &Staff, rule: Rule, owner: Option<Option<&str>>) -> Decision {
    match rule {
        Rule::Open | Rule::Staff => Decision::Allow,
        Rule::Roles(roles) if roles.iter().any(|r| staff.has(*r)) => Decision::Allow,
        Rule::Roles(_) => Decision::Forbidden,
        Rule::ReadCase | Rule::ChangeCase | Rule::OverseeCase => match owner {
            Some(unit) if staff.can_read_case(unit) => {
                let may = match rule {
                    Rule::ChangeCase => staff.can_change_case(unit),
                    Rule::OverseeCase => {
                        staff.covers(&[Role::UnitSupervisor, Role::Dispatcher], unit)
                    }
                    _ => true,
                };
                if may {
                    Decision::Allow
                } else {
                    Decision::Forbidden
                }
            }
            _ => Decision::NotFound,
        },
    }
}

/// The case a request's `{id}` names: its owner unit, or `None` for no such case.
pub async fn case_owner(
    state: &AppState,
    params: &RawPathParams,
) -> Result<Option<Option<String>>, Fail> {
    let Some(id) = params
        .iter()
        .find(|(k, _)| *k == "id")
        .and_then(|(_, v)| Uuid::parse_str(v).ok())
    else {
        return Ok(None);
    };
    state
        .db
        .read(move |conn| crate::store::report_unit(conn, id))
        .await
}

/// Who calls an operator route: the demo's shared token (every route), or a staff member's own
/// API token (their roles).
#[derive(Debug, Clone)]
pub enum Actor {
    Shared,
    Staff(Box<Staff>),
}

/// The operator API's guard: the caller's token, then the route's rule. Routes without a row
/// (the citizens' and public ones) pass untouched.
pub async fn api_guard(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    params: RawPathParams,
    mut req: Request,
    next: Next,
) -> Response {
    let Some(rule) = matched.and_then(|m| rule(req.method(), m.as_str())) else {
        return next.run(req).await;
    };
    let token = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Fail::new(ErrorCode::Unauthorized, "operator bearer token required")
            .into_response();
    };
    let actor = match actor_of(&state, &token).await {
        Ok(Some(a)) => a,
        Ok(None) => return refuse_token(&state, &token).await,
        Err(f) => return f.into_response(),
    };
    if let Actor::Staff(staff) = &actor {
        let owner = match rule {
            Rule::ReadCase | Rule::ChangeCase | Rule::OverseeCase => {
                match case_owner(&state, &params).await {
                    Ok(o) => o,
                    Err(f) => return f.into_response(),
                }
            }
            _ => Some(None),
        };
        match decide(staff, rule, owner.as_ref().map(|o| o.as_deref())) {
            Decision::Allow => {}
            Decision::NotFound => return Fail::not_found("report").into_response(),
            Decision::Forbidden => {
                return Fail::new(ErrorCode::Forbidden, "your roles do not allow this")
                    .into_response();
            }
        }
    }
    req.extensions_mut().insert(actor);
    next.run(req).await
}

/// The shared token (when the server has one) or a staff member's API token.
async fn actor_of(state: &AppState, token: &str) -> Result<Option<Actor>, Fail> {
    if let Some(shared) = &state.operator_token_hash
        && auth::same_token(token, shared)
    {
        return Ok(Some(Actor::Shared));
    }
    let hash = auth::hash_token(token);
    let staff = state
        .db
        .read(move |conn| staff::staff_by_token_hash(conn, &hash))
        .await?;
    Ok(staff.map(|s| Actor::Staff(Box::new(s))))
}

/// A citizen's valid token on an operator route is forbidden; anything else is unknown.
async fn refuse_token(state: &AppState, token: &str) -> Response {
    let hash = auth::hash_token(token);
    match state
        .db
        .read(move |conn| crate::store::device_by_token_hash(conn, &hash))
        .await
    {
        Ok(Some(_)) => Fail::new(ErrorCode::Forbidden, "this route is for operators"),
        Ok(None) => Fail::new(ErrorCode::Unauthorized, "unknown operator token"),
        Err(f) => f,
    }
    .into_response()
}
