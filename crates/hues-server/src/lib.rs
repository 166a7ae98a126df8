//! hues reference server: the backend the app syncs with. `router(state)` builds the whole HTTP
//! surface, so tests can drive it without a socket; `main.rs` only parses flags and serves.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod accounts;
pub mod alerts;
pub mod auth;
pub mod cap;
pub mod channels;
pub mod console;
pub mod db;
pub mod demo;
pub mod dossiers;
pub mod error;
pub mod extract;
pub mod feed;
pub mod i18n;
pub mod insight;
pub mod limits;
pub mod open311;
pub mod outbound;
pub mod owners;
pub mod permissions;
pub mod photo_routes;
pub mod photos;
pub mod publication;
pub mod routes;
pub mod routing;
pub mod sla;
pub mod staff;
pub mod store;
pub mod tiles;

pub use db::Db;

/// Largest request body on every route but the two below: a report is a few KB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest CAP document (`POST /api/v1/alerts`): the parser's own cap.
pub const MAX_CAP_BYTES: usize = cap::MAX_BYTES;

/// The largest body a route takes, decided before anything reads it (authentication included):
/// a photo upload, a CAP document, else `MAX_BODY_BYTES`.
pub fn body_limit(method: &axum::http::Method, path: &str) -> usize {
    use axum::http::Method;
    match (method, path) {
        (&Method::PUT, p) if p.starts_with("/api/v1/photos/") => {
            hues_wire::api::MAX_PHOTO_BYTES + 1024
        }
        (&Method::POST, "/api/v1/alerts") => MAX_CAP_BYTES,
        _ => MAX_BODY_BYTES,
    }
}

/// Refuses a body over the route's limit from its `Content-Length` before any handler or
/// extractor runs, and caps a body without one (chunked) at the same limit as it streams.
async fn limit_body(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = body_limit(req.method(), req.uri().path());
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return error::Fail::new(
            hues_wire::ErrorCode::PayloadTooLarge,
            format!("request body over {limit} bytes"),
        )
        .into_response();
    }
    let (parts, body) = req.into_parts();
    let body = if declared.is_some() {
        // Hyper stops at the declared length: the check above holds.
        body
    } else if limit > MAX_BODY_BYTES {
        // A large route (photo, CAP) is not read ahead of its authentication: its body is cut
        // at the limit as it streams (axum answers 413).
        axum::body::Body::new(http_body_util::Limited::new(body, limit))
    } else {
        // No length given (chunked): read up to the limit now, so that a route's own work
        // (authentication first) never starts on a body that is over it.
        match http_body_util::BodyExt::collect(http_body_util::Limited::new(body, limit)).await {
            Ok(collected) => axum::body::Body::from(collected.to_bytes()),
            Err(_) => {
                return error::Fail::new(
                    hues_wire::ErrorCode::PayloadTooLarge,
                    format!("request body over {limit} bytes"),
                )
                .into_response();
            }
        }
    };
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// SHA-256 of the shared operator token (the demo's, and scripts'); staff use their own.
    pub operator_token_hash: Option<String>,
    /// Where photo files live: `<data-dir>/photos/`.
    pub photos: photos::PhotoStore,
    /// Map tiles to serve (`--tiles`), if any.
    pub tiles: Option<tiles::TileFile>,
    /// Registrations, failed look-ups, photo storage.
    pub limits: limits::Limits,
    /// Whether the client's address is the right-most `X-Forwarded-For` entry (behind a proxy).
    pub trust_forwarded_for: bool,
    /// The city's numbers every sync page carries.
    pub city: hues_wire::api::CityContacts,
    /// The console's bundled browser libraries (`Config::vendor_dir`).
    pub vendor_dir: Option<PathBuf>,
    /// Zalo and Messenger (`Config::channels`).
    pub channels: std::sync::Arc<channels::Settings>,
    /// How citizens sign in (`Config::accounts`).
    pub accounts: std::sync::Arc<accounts::Settings>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// The shared operator token: `hues-server` gives one only with `--demo`.
    pub operator_token: Option<String>,
    pub demo: bool,
    /// An MBTiles file to serve at `/tiles/{z}/{x}/{y}.png`.
    pub tiles: Option<PathBuf>,
    /// Registrations, failed look-ups, photo storage (`limits::Limits::default()` in general).
    pub limits: limits::Limits,
    /// Behind a reverse proxy: take the client's address from the right-most `X-Forwarded-For`
    /// entry. Without a proxy that sets it, this lets every client choose its address.
    pub trust_forwarded_for: bool,
    /// The city's hotline as people write it ("1900 1075"); the demo's is Hue-S's.
    pub hotline: Option<String>,
    /// The console's bundled browser libraries (htmx, Leaflet), as `./x` lays them out in
    /// `dist/vendor`; without it the console works as plain pages (no live updates, no map).
    pub vendor_dir: Option<PathBuf>,
    /// The Zalo Official Account and the Facebook page the city answers on (none: no webhooks).
    pub channels: channels::Settings,
    /// Where citizens' sign-in codes go (an SMS gateway, or the log: the demo's), the identity
    /// provider, the grace period of a deletion.
    pub accounts: accounts::Settings,
}

/// Hue-S's hotline, the demo's when none is given.
pub const DEMO_HOTLINE: &str = "1900 1075";

impl AppState {
    /// Opens the database under `data_dir` and, with `demo`, seeds the Huế demo data.
    pub fn open(config: &Config) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)?;
        let db = Db::open(&config.data_dir.join("hues-server.db"))?;
        // Alerts stored before their records were kept: filled before serving.
        db.run_blocking(alerts::fill_records)
            .map_err(|e| anyhow::anyhow!("filling alert records: {}", e.0))?;
        let hotline = match config.hotline.as_deref().map(str::trim) {
            Some(h) if hues_wire::contacts::tel_uri(h).is_none() => {
                anyhow::bail!(
                    "the hotline {h:?} is not a phone number (digits, spaces, a leading +)"
                )
            }
            Some(h) if !h.is_empty() => Some(h.to_owned()),
            _ => config.demo.then(|| DEMO_HOTLINE.to_owned()),
        };
        if config.demo {
            demo::seed(&db)?;
            demo::seed_alerts(&db, chrono::Utc::now())?;
            demo::seed_dossiers(&db, chrono::Utc::now())?;
            demo::seed_staff(&db, chrono::Utc::now())?;
        }
        Ok(Self {
            db,
            operator_token_hash: config.operator_token.as_deref().map(auth::hash_token),
            photos: photos::PhotoStore::new(config.data_dir.join("photos"))?,
            tiles: config
                .tiles
                .as_deref()
                .map(tiles::TileFile::open)
                .transpose()?,
            limits: config.limits,
            trust_forwarded_for: config.trust_forwarded_for,
            city: hues_wire::api::CityContacts { hotline },
            vendor_dir: config.vendor_dir.clone(),
            channels: std::sync::Arc::new(config.channels.clone()),
            accounts: std::sync::Arc::new(config.accounts.clone()),
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "hues API", description = "The hues reference server's own API, used by the app to sync."),
    modifiers(&Security),
    tags((name = "citizen"), (name = "public"), (name = "operator"), (name = "system"))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["bearer", "operator"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(routes::health))
        .routes(routes!(routes::register_device))
        .routes(routes!(routes::list_categories))
        .routes(routes!(routes::create_report))
        .routes(routes!(routes::get_report))
        .routes(routes!(routes::rate_report))
        .routes(routes!(routes::reopen_report))
        .routes(routes!(routes::me_too))
        .routes(routes!(routes::public_reports))
        .routes(routes!(routes::public_report))
        .routes(routes!(routes::possible_duplicates))
        .routes(routes!(photo_routes::put_photo))
        .routes(routes!(photo_routes::get_photo))
        .routes(routes!(routes::sync))
        .routes(routes!(routes::operator_list_reports))
        .routes(routes!(routes::operator_set_status))
        .routes(routes!(routes::operator_publish))
        .routes(routes!(routes::create_booking))
        .routes(routes!(routes::cancel_booking))
        .routes(routes!(routes::operator_list_bookings))
        .routes(routes!(routes::operator_decide_booking))
        .routes(routes!(alerts::post_alert))
        .routes(routes!(alerts::alerts_atom))
        .routes(routes!(alerts::get_alert_xml))
        .routes(routes!(dossiers::list_procedures))
        .routes(routes!(dossiers::lookup_dossier))
        .routes(routes!(dossiers::track_dossier))
        .routes(routes!(dossiers::untrack_dossier))
        .routes(routes!(dossiers::operator_receive))
        .routes(routes!(dossiers::operator_advance))
        .routes(routes!(dossiers::operator_apologise))
        .routes(routes!(dossiers::operator_deadlines))
        .routes(routes!(accounts::request_code))
        .routes(routes!(accounts::verify_code))
        .routes(routes!(accounts::sign_out))
        .routes(routes!(accounts::status))
        .routes(routes!(accounts::oidc::start))
        .routes(routes!(accounts::oidc::finish))
        .routes(routes!(accounts::data::export_mine))
        .routes(routes!(accounts::data::delete_mine))
        .routes(routes!(accounts::data::keep_mine))
        .routes(routes!(accounts::data::record_consents))
        .routes(routes!(
            accounts::data::put_my_place,
            accounts::data::delete_my_place
        ))
        .routes(routes!(routes::openapi_json))
}

/// The OpenAPI document, built once from the same registrations as the router.
pub fn openapi_document() -> &'static String {
    static DOC: LazyLock<String> = LazyLock::new(|| {
        let (_, doc) = api().split_for_parts();
        doc.to_pretty_json()
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    });
    &DOC
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let (router, _) = api().split_for_parts();
    router
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            permissions::api_guard,
        ))
        .merge(open311::router())
        .merge(console::router(state.clone()))
        .merge(channels::router())
        .route("/tiles/{z}/{x}/{y}", axum::routing::get(tiles::tile))
        .fallback(routes::fallback_not_found)
        .method_not_allowed_fallback(routes::fallback_method)
        // Each route's own limit (`body_limit`) is applied by `limit_body`; axum's default
        // limit is lifted so that it does not also cut the photo route at 2 MB.
        .layer(axum::middleware::from_fn(limit_body))
        .layer(DefaultBodyLimit::disable())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until the process is stopped (or the future is dropped), with the hourly photo sweep,
/// the notices' sweep and the daily hot-issue scan beside it. Each connection's peer address reaches handlers as `ConnectInfo<SocketAddr>`.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let sweeper = AbortOnDrop(tokio::spawn(photos::sweep_every_hour(state.clone())));
    let notices = AbortOnDrop(tokio::spawn(console::live::sweep_every_minute(
        state.clone(),
    )));
    let hot = AbortOnDrop(tokio::spawn(insight::hot::daily(state.clone())));
    let replies = AbortOnDrop(tokio::spawn(channels::run(state.clone())));
    let erasures = AbortOnDrop(tokio::spawn(accounts::erase_every_hour(state.clone())));
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await;
    drop((sweeper, notices, hot, replies, erasures));
    served
}

/// Stops a background task when its owner goes.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
