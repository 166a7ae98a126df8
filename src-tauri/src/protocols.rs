//! The app's URI schemes. `photo://localhost/<sha256>[.thumb]` serves a photo from the device,
//! fetching (and checking, and keeping) a published one from the server when it is not here;
//! `tile://localhost/<z>/<x>/<y>` serves a map tile from the device's tile cache, else from the
//! configured tile server (and keeps it). Anything
//! else, or a failure, is a plain 404: the page shows its placeholder and never breaks.

use hues_core::tiles;
use tauri::http::{Request, Response, StatusCode, header};
use tauri::{Manager, Runtime, UriSchemeContext, UriSchemeResponder};

use crate::{AppState, Opening};

fn not_found() -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

fn ok(bytes: Vec<u8>, content_type: &str, cache: &str) -> Response<Vec<u8>> {
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, cache)
        .body(bytes)
        .unwrap_or_else(|_| not_found())
}

pub fn photo<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let name = request.uri().path().trim_start_matches('/').to_owned();
    tauri::async_runtime::spawn(async move {
        let Some(opening) = app.try_state::<Opening>() else {
            return responder.respond(not_found());
        };
        // Waits for the cache if the page asks before it is open (only at start).
        let state: &AppState = &opening;
        let (sha, thumb) = match name.strip_suffix(".thumb") {
            Some(sha) => (sha, true),
            None => (name.as_str(), false),
        };
        let bytes = match state.engine.photo(sha, thumb).await {
            Ok(path) => tokio::fs::read(path).await.ok(),
            Err(_) => None,
        };
        responder.respond(match bytes {
            // Content-addressed: the same name is always the same picture.
            Some(b) => ok(b, "image/jpeg", "max-age=31536000, immutable"),
            None => not_found(),
        });
    });
}

pub fn tile<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    tauri::async_runtime::spawn(async move {
        let Some(opening) = app.try_state::<Opening>() else {
            return responder.respond(not_found());
        };
        // Waits for the cache if the page asks before it is open (only at start).
        let state: &AppState = &opening;
        let Ok((z, x, y)) = tiles::parse_tile_path(&path) else {
            return responder.respond(not_found());
        };
        let template = state
            .store()
            .settings()
            .map(|s| s.tile_template())
            .unwrap_or_default();
        responder.respond(
            match state
                .tile_cache
                .tile(&state.tiles, &template, z, x, y)
                .await
            {
                Ok(bytes) => ok(bytes, "image/png", "max-age=86400"),
                Err(_) => not_found(),
            },
        );
    });
}
