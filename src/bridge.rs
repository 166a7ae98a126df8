//! The one door between the UI and the native side. `call::<C>(req)` invokes Tauri command `C`
//! with its typed request and returns its typed response; a rejection becomes `Err(ApiError)`,
//! never a panic. Only this file touches `window.__TAURI__`.

use hues_wire::api::Category;
use hues_wire::dossiers::{DossierLookup, Procedure};
use hues_wire::ipc::{
    self, Command, DraftPhoto, LocalReport, ReportDraft, ReportInput, Settings, SyncStatus,
};
use hues_wire::{ApiError, ErrorCode};

#[cfg(target_arch = "wasm32")]
mod native {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
        pub async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
        /// The URL of `path` in one of the app's schemes, as this platform spells it
        /// (`photo://localhost/…` on Linux, `http://photo.localhost/…` on Windows and Android).
        #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = convertFileSrc)]
        pub fn convert_file_src(path: &str, protocol: &str) -> String;
    }
}

/// Invokes command `C`. Only the JSON on each side is generic: the call itself is one function
/// for every command (one copy in the bundle, not one per command type).
#[cfg(target_arch = "wasm32")]
pub async fn call<C: Command>(req: &C::Request) -> Result<C::Response, ApiError> {
    // JSON on both ways: `()` becomes `null`, and serde_json is already in the bundle.
    let req = serde_json::to_string(req).map_err(|e| bad_response(e.to_string()))?;
    let json = invoke(C::NAME, arguments(&req)?).await?;
    serde_json::from_str(&json).map_err(|e| bad_response(format!("{}: {e}", C::NAME)))
}

#[cfg(target_arch = "wasm32")]
fn bad_response(what: String) -> ApiError {
    ApiError::new(ErrorCode::BadResponse, what)
}

/// The arguments object of a command, `{"req": …}`, from its request's JSON.
#[cfg(target_arch = "wasm32")]
fn arguments(req: &str) -> Result<wasm_bindgen::JsValue, ApiError> {
    js_sys::JSON::parse(&format!("{{\"{}\":{req}}}", ipc::ARG))
        .map_err(|_| bad_response("arguments".into()))
}

/// Invokes a command by name: its answer as JSON, or its refusal as an `ApiError`.
#[cfg(target_arch = "wasm32")]
async fn invoke(name: &'static str, args: wasm_bindgen::JsValue) -> Result<String, ApiError> {
    use wasm_bindgen::JsValue;

    let text = |v: &JsValue| -> Option<String> { js_sys::JSON::stringify(v).ok()?.as_string() };
    match native::invoke(name, args).await {
        // `undefined` (a command returning unit) stringifies to nothing.
        Ok(value) => Ok(text(&value).unwrap_or_else(|| "null".into())),
        Err(err) => Err(text(&err)
            .and_then(|json| serde_json::from_str::<ApiError>(&json).ok())
            .unwrap_or_else(|| {
                // Tauri's own errors (unknown command, denied permission) are plain strings.
                bad_response(err.as_string().unwrap_or_else(|| format!("{name} failed")))
            })),
    }
}

/// Sends a picture's bytes as the raw body of `add_photo` (no JSON for megabytes).
#[cfg(target_arch = "wasm32")]
pub async fn add_photo(bytes: &[u8]) -> Result<DraftPhoto, ApiError> {
    let body = js_sys::Uint8Array::from(bytes);
    let json = invoke(ipc::AddPhoto::NAME, body.into()).await?;
    serde_json::from_str(&json).map_err(|e| bad_response(format!("add_photo: {e}")))
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn add_photo(_bytes: &[u8]) -> Result<DraftPhoto, ApiError> {
    Err(ApiError::new(
        ErrorCode::Network,
        "add_photo: no native side outside the app",
    ))
}

/// On the host (tests, SSR) there is no native side: every call fails as if offline.
#[cfg(not(target_arch = "wasm32"))]
pub async fn call<C: Command>(_req: &C::Request) -> Result<C::Response, ApiError> {
    Err(ApiError::new(
        ErrorCode::Network,
        format!("{}: no native side outside the app", C::NAME),
    ))
}

/// The device's position from the native geolocation plugin, which phones have: `Some((lat,
/// lon, accuracy_m))`, `Some(Err)` when it refused or failed, `None` where the app has no such
/// plugin (desktops), so the caller asks the webview instead.
#[cfg(target_arch = "wasm32")]
pub async fn native_position() -> Option<Result<(f64, f64, f64), String>> {
    use wasm_bindgen::JsValue;
    let parse = |json: &str| js_sys::JSON::parse(json).unwrap_or(JsValue::NULL);
    let text = |v: &JsValue| js_sys::JSON::stringify(v).ok()?.as_string();
    let missing = |e: &JsValue| {
        let t = e.as_string().unwrap_or_default();
        t.contains("not found") || t.contains("not allowed") || t.contains("geolocation")
    };
    let perms = match native::invoke("plugin:geolocation|check_permissions", parse("{}")).await {
        Ok(v) => text(&v).unwrap_or_default(),
        // No plugin here (desktop): not an error, just not this way.
        Err(e) if missing(&e) => return None,
        Err(e) => return Some(Err(text(&e).unwrap_or_default())),
    };
    if !perms.contains("\"location\":\"granted\"") {
        let asked = native::invoke(
            "plugin:geolocation|request_permissions",
            parse(r#"{"permissions":["location"]}"#),
        )
        .await;
        if let Err(e) = asked {
            return Some(Err(text(&e).unwrap_or_default()));
        }
    }
    let options =
        parse(r#"{"options":{"enableHighAccuracy":true,"timeout":15000,"maximumAge":60000}}"#);
    let v = match native::invoke("plugin:geolocation|get_current_position", options).await {
        Ok(v) => v,
        Err(e) => return Some(Err(text(&e).unwrap_or_default())),
    };
    let position: Option<serde_json::Value> = text(&v).and_then(|t| serde_json::from_str(&t).ok());
    let coords = position.as_ref().map(|p| &p["coords"]);
    let get = |k: &str| coords.and_then(|c| c[k].as_f64());
    Some(match (get("latitude"), get("longitude"), get("accuracy")) {
        (Some(lat), Some(lon), Some(acc)) => Ok((lat, lon, acc)),
        _ => Err("no position in the answer".into()),
    })
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn native_position() -> Option<Result<(f64, f64, f64), String>> {
    None
}

/// The URL of `path` in the app's scheme `scheme` (`photo`, `tile`).
#[cfg(target_arch = "wasm32")]
pub fn scheme_url(scheme: &str, path: &str) -> String {
    native::convert_file_src(path, scheme)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn scheme_url(scheme: &str, path: &str) -> String {
    format!("{scheme}://localhost/{path}")
}

/// Where a photo is shown from: the device, or the server through the device (kept after).
pub fn photo_url(sha256: &str, thumb: bool) -> String {
    let name = if thumb {
        format!("{sha256}.thumb")
    } else {
        sha256.to_owned()
    };
    scheme_url("photo", &name)
}

/// Waits `ms` milliseconds without blocking the UI.
#[cfg(target_arch = "wasm32")]
pub async fn sleep_ms(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn sleep_ms(_ms: u32) {
    std::future::pending::<()>().await;
}

/// Waits for the webview's next frame.
#[cfg(target_arch = "wasm32")]
pub async fn next_frame() {
    let frame = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn next_frame() {}

// Named wrappers, so pages read like sentences.

pub async fn sync_status() -> Result<SyncStatus, ApiError> {
    call::<ipc::GetSyncStatus>(&()).await
}

pub async fn sync_now() -> Result<SyncStatus, ApiError> {
    call::<ipc::SyncNow>(&()).await
}

pub async fn categories() -> Result<Vec<Category>, ApiError> {
    call::<ipc::ListCategories>(&()).await
}

pub async fn city_contacts() -> Result<hues_wire::api::CityContacts, ApiError> {
    call::<ipc::GetCityContacts>(&()).await
}

pub async fn submit_report(input: &ReportInput) -> Result<LocalReport, ApiError> {
    call::<ipc::SubmitReport>(input).await
}

pub async fn my_reports() -> Result<Vec<LocalReport>, ApiError> {
    call::<ipc::ListMyReports>(&()).await
}

pub async fn activity() -> Result<Vec<ipc::ActivityItem>, ApiError> {
    call::<ipc::ListActivity>(&()).await
}

pub async fn settings() -> Result<Settings, ApiError> {
    call::<ipc::GetSettings>(&()).await
}

pub async fn save_settings(s: &Settings) -> Result<Settings, ApiError> {
    call::<ipc::SaveSettings>(s).await
}

pub async fn load_draft() -> Result<ReportDraft, ApiError> {
    call::<ipc::LoadDraft>(&()).await
}

pub async fn save_draft(d: &ReportDraft) -> Result<(), ApiError> {
    call::<ipc::SaveDraft>(d).await
}

pub async fn rate_report(req: &ipc::RateRequest) -> Result<(), ApiError> {
    call::<ipc::RateReport>(req).await
}

pub async fn reopen_report(req: &ipc::ReopenRequest) -> Result<(), ApiError> {
    call::<ipc::ReopenReport>(req).await
}

pub async fn nearby_reports(
    req: &ipc::NearbyRequest,
) -> Result<Vec<hues_wire::api::PublicReport>, ApiError> {
    call::<ipc::ListNearbyReports>(req).await
}

pub async fn possible_duplicates(
    req: &ipc::DuplicateRequest,
) -> Result<Vec<hues_wire::api::PublicReport>, ApiError> {
    call::<ipc::ListPossibleDuplicates>(req).await
}

pub async fn me_too(id: &uuid::Uuid) -> Result<hues_wire::api::PublicReport, ApiError> {
    call::<ipc::MeToo>(id).await
}

pub async fn suggest_address(
    at: ipc::Point,
    lang: &str,
) -> Result<Option<ipc::PlaceSuggestion>, ApiError> {
    call::<ipc::SuggestAddress>(&(at, lang.to_owned())).await
}

pub async fn public_report(id: &uuid::Uuid) -> Result<hues_wire::api::PublicReport, ApiError> {
    call::<ipc::GetPublicReport>(id).await
}

pub async fn ui_ready(painted: bool) -> Result<(), ApiError> {
    call::<ipc::UiReady>(&painted).await
}

pub async fn search_places(q: &ipc::PlaceQuery) -> Result<Vec<ipc::PlaceView>, ApiError> {
    call::<ipc::SearchPlaces>(q).await
}

pub async fn place(id: &str, near: Option<ipc::Point>) -> Result<ipc::PlaceView, ApiError> {
    call::<ipc::GetPlace>(&(id.to_owned(), near)).await
}

pub async fn submit_booking(b: &ipc::BookingInput) -> Result<ipc::LocalBooking, ApiError> {
    call::<ipc::SubmitBooking>(b).await
}

pub async fn my_bookings() -> Result<Vec<ipc::LocalBooking>, ApiError> {
    call::<ipc::ListMyBookings>(&()).await
}

pub async fn cancel_booking(id: &uuid::Uuid) -> Result<(), ApiError> {
    call::<ipc::CancelBooking>(id).await
}

pub async fn estimate_area(req: &ipc::AreaRequest) -> Result<ipc::AreaEstimate, ApiError> {
    call::<ipc::EstimateArea>(req).await
}

pub async fn save_area(req: &ipc::AreaRequest) -> Result<(), ApiError> {
    call::<ipc::SaveArea>(req).await
}

pub async fn area_progress() -> Result<ipc::AreaProgress, ApiError> {
    call::<ipc::AreaProgressNow>(&()).await
}

pub async fn cancel_area() -> Result<(), ApiError> {
    call::<ipc::CancelArea>(&()).await
}

pub async fn alerts() -> Result<Vec<ipc::AlertView>, ApiError> {
    call::<ipc::ListAlerts>(&()).await
}

pub async fn my_places() -> Result<Vec<ipc::MyPlace>, ApiError> {
    call::<ipc::ListMyPlaces>(&()).await
}

pub async fn save_my_place(name: &str, at: ipc::Point) -> Result<ipc::MyPlace, ApiError> {
    call::<ipc::SaveMyPlace>(&(name.to_owned(), at)).await
}

pub async fn delete_my_place(id: &uuid::Uuid) -> Result<(), ApiError> {
    call::<ipc::DeleteMyPlace>(id).await
}

pub async fn procedures(q: &ipc::ProcedureQuery) -> Result<Vec<Procedure>, ApiError> {
    call::<ipc::ListProcedures>(q).await
}

pub async fn procedure(id: &str) -> Result<Option<Procedure>, ApiError> {
    call::<ipc::GetProcedure>(&id.to_owned()).await
}

pub async fn lookup_dossier(l: &DossierLookup) -> Result<ipc::DossierView, ApiError> {
    call::<ipc::LookupDossier>(l).await
}

pub async fn track_dossier(l: &DossierLookup) -> Result<ipc::DossierView, ApiError> {
    call::<ipc::TrackDossier>(l).await
}

pub async fn my_dossiers() -> Result<Vec<ipc::DossierView>, ApiError> {
    call::<ipc::ListMyDossiers>(&()).await
}

pub async fn untrack_dossier(code: &str) -> Result<(), ApiError> {
    call::<ipc::UntrackDossier>(&code.to_owned()).await
}
