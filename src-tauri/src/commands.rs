//! Thin adapters: take the request, call the core, map the error to `{code, message}`.
//! Names and types are those of `hues_wire::ipc`; each takes one argument, `req`.

use hues_wire::ApiError;
use hues_wire::account::{CodeSent, ConsentPurpose};
use hues_wire::api::{Category, CityContacts, PublicReport};
use hues_wire::ipc::{AccountView, ConsentView};
use hues_wire::ipc::{
    ActivityItem, AreaEstimate, AreaProgress, AreaRequest, BookingInput, DraftPhoto,
    DuplicateRequest, LocalBooking, LocalReport, NearbyRequest, PlaceQuery, PlaceSuggestion,
    PlaceView, Point, RateRequest, ReopenRequest, ReportDraft, ReportInput, Settings, SyncStatus,
};
use tauri::State;

use crate::Opening;

type Res<T> = Result<T, ApiError>;

#[tauri::command]
pub fn get_sync_status(state: State<'_, Opening>, req: ()) -> Res<SyncStatus> {
    let () = req;
    Ok(state.engine.status()?)
}

#[tauri::command]
pub async fn sync_now(state: State<'_, Opening>, req: ()) -> Res<SyncStatus> {
    let () = req;
    state.engine.sync_once().await;
    Ok(state.engine.status()?)
}

#[tauri::command]
pub fn list_categories(state: State<'_, Opening>, req: ()) -> Res<Vec<Category>> {
    let () = req;
    Ok(state.store().categories()?)
}

#[tauri::command]
pub fn get_city_contacts(state: State<'_, Opening>, req: ()) -> Res<CityContacts> {
    let () = req;
    Ok(state.store().city_contacts()?)
}

#[tauri::command]
pub fn submit_report(state: State<'_, Opening>, req: ReportInput) -> Res<LocalReport> {
    let saved = state.store().submit_report(&req)?;
    state.engine.wake();
    Ok(saved)
}

#[tauri::command]
pub fn list_my_reports(state: State<'_, Opening>, req: ()) -> Res<Vec<LocalReport>> {
    let () = req;
    Ok(state.store().my_reports()?)
}

#[tauri::command]
pub fn list_activity(state: State<'_, Opening>, req: ()) -> Res<Vec<ActivityItem>> {
    let () = req;
    Ok(state.store().activity(chrono::Utc::now())?)
}

#[tauri::command]
pub fn get_settings(state: State<'_, Opening>, req: ()) -> Res<Settings> {
    let () = req;
    Ok(state.store().settings()?)
}

#[tauri::command]
pub fn save_settings(state: State<'_, Opening>, req: Settings) -> Res<Settings> {
    let saved = state.store().save_settings(&req)?;
    state.engine.wake();
    Ok(saved)
}

#[tauri::command]
pub fn load_draft(state: State<'_, Opening>, req: ()) -> Res<ReportDraft> {
    let () = req;
    Ok(state.store().draft()?)
}

#[tauri::command]
pub fn save_draft(state: State<'_, Opening>, req: ReportDraft) -> Res<()> {
    Ok(state.store().save_draft(&req)?)
}

#[tauri::command]
pub async fn list_nearby_reports(
    state: State<'_, Opening>,
    req: NearbyRequest,
) -> Res<Vec<PublicReport>> {
    state
        .engine
        .nearby(req.latitude, req.longitude, req.radius_m)
        .await
}

#[tauri::command]
pub async fn list_possible_duplicates(
    state: State<'_, Opening>,
    req: DuplicateRequest,
) -> Res<Vec<PublicReport>> {
    state
        .engine
        .possible_duplicates(&req.category, req.latitude, req.longitude)
        .await
}

#[tauri::command]
pub async fn get_public_report(state: State<'_, Opening>, req: uuid::Uuid) -> Res<PublicReport> {
    state.engine.public_report(req).await
}

#[tauri::command]
pub async fn me_too(state: State<'_, Opening>, req: uuid::Uuid) -> Res<PublicReport> {
    state.engine.me_too(req).await
}

#[tauri::command]
pub fn suggest_address(
    state: State<'_, Opening>,
    req: (Point, String),
) -> Res<Option<PlaceSuggestion>> {
    let (at, lang) = req;
    Ok(state.store().suggest_address(at, &lang)?)
}

#[tauri::command]
pub fn search_places(state: State<'_, Opening>, req: PlaceQuery) -> Res<Vec<PlaceView>> {
    Ok(state.store().search_places(&req, state.now())?)
}

#[tauri::command]
pub fn get_place(state: State<'_, Opening>, req: (String, Option<Point>)) -> Res<PlaceView> {
    let (id, near) = req;
    state
        .store()
        .place(&id, near, state.now())?
        .ok_or_else(|| ApiError::new(hues_wire::ErrorCode::NotFound, "place not found"))
}

#[tauri::command]
pub fn submit_booking(state: State<'_, Opening>, req: BookingInput) -> Res<LocalBooking> {
    let saved = state.store().submit_booking(&req)?;
    state.engine.wake();
    Ok(saved)
}

#[tauri::command]
pub fn list_my_bookings(state: State<'_, Opening>, req: ()) -> Res<Vec<LocalBooking>> {
    let () = req;
    Ok(state.store().my_bookings()?)
}

#[tauri::command]
pub fn cancel_booking(state: State<'_, Opening>, req: uuid::Uuid) -> Res<()> {
    state.store().cancel_booking(req)?;
    state.engine.wake();
    Ok(())
}

#[tauri::command]
pub fn estimate_area(state: State<'_, Opening>, req: AreaRequest) -> Res<AreaEstimate> {
    Ok(state.tile_cache.estimate(&req)?)
}

/// Starts saving an area in the background; `area_progress` tells how far it is.
#[tauri::command]
pub fn save_area(state: State<'_, Opening>, req: AreaRequest) -> Res<()> {
    hues_core::tile_cache::check_area(&req)?;
    if state.tile_cache.progress().running {
        return Err(ApiError::new(
            hues_wire::ErrorCode::InvalidValue,
            "an area is already being saved",
        ));
    }
    let template = state.store().settings()?.tile_template();
    let (cache, fetcher) = (state.tile_cache.clone(), state.tiles.clone());
    tauri::async_runtime::spawn(async move {
        if let Err(e) = cache.save_area(&fetcher, &template, &req).await {
            tracing::warn!(error = %e, "saving an area stopped");
        }
    });
    Ok(())
}

#[tauri::command]
pub fn area_progress(state: State<'_, Opening>, req: ()) -> Res<AreaProgress> {
    let () = req;
    Ok(state.tile_cache.progress())
}

#[tauri::command]
pub fn cancel_area(state: State<'_, Opening>, req: ()) -> Res<()> {
    let () = req;
    state.tile_cache.cancel();
    Ok(())
}

#[tauri::command]
pub fn list_alerts(state: State<'_, Opening>, req: ()) -> Res<Vec<hues_wire::ipc::AlertView>> {
    let () = req;
    Ok(state.store().alert_views(state.now())?)
}

#[tauri::command]
pub fn list_procedures(
    state: State<'_, Opening>,
    req: hues_wire::ipc::ProcedureQuery,
) -> Res<Vec<hues_wire::dossiers::Procedure>> {
    Ok(state.store().procedures(&req)?)
}

#[tauri::command]
pub fn get_procedure(
    state: State<'_, Opening>,
    req: String,
) -> Res<Option<hues_wire::dossiers::Procedure>> {
    Ok(state.store().procedure(&req)?)
}

#[tauri::command]
pub async fn lookup_dossier(
    state: State<'_, Opening>,
    req: hues_wire::dossiers::DossierLookup,
) -> Res<hues_wire::ipc::DossierView> {
    state.engine.dossier(&req, false, state.now()).await
}

#[tauri::command]
pub async fn track_dossier(
    state: State<'_, Opening>,
    req: hues_wire::dossiers::DossierLookup,
) -> Res<hues_wire::ipc::DossierView> {
    state.engine.dossier(&req, true, state.now()).await
}

#[tauri::command]
pub async fn untrack_dossier(state: State<'_, Opening>, req: String) -> Res<()> {
    state.engine.untrack_dossier(&req).await
}

#[tauri::command]
pub fn list_my_dossiers(
    state: State<'_, Opening>,
    req: (),
) -> Res<Vec<hues_wire::ipc::DossierView>> {
    let () = req;
    Ok(state.store().my_dossier_views(state.now())?)
}

#[tauri::command]
pub fn list_my_places(state: State<'_, Opening>, req: ()) -> Res<Vec<hues_wire::ipc::MyPlace>> {
    let () = req;
    Ok(state.store().my_places()?)
}

#[tauri::command]
pub fn save_my_place(
    app: tauri::AppHandle,
    state: State<'_, Opening>,
    req: (String, Point),
) -> Res<hues_wire::ipc::MyPlace> {
    let (name, at) = req;
    let saved = state.store().save_my_place(&name, at)?;
    // A warning already on the device may concern the new place.
    crate::notify::raise(&app);
    // A signed-in account keeps it for its other devices.
    state.engine.wake();
    Ok(saved)
}

#[tauri::command]
pub fn delete_my_place(state: State<'_, Opening>, req: uuid::Uuid) -> Res<()> {
    state.store().delete_my_place(req)?;
    state.engine.wake();
    Ok(())
}

#[tauri::command]
pub async fn get_account(state: State<'_, Opening>, req: ()) -> Res<AccountView> {
    let () = req;
    state.engine.account().await
}

#[tauri::command]
pub async fn request_sign_in_code(state: State<'_, Opening>, req: String) -> Res<CodeSent> {
    state.engine.request_sign_in_code(&req).await
}

#[tauri::command]
pub async fn verify_sign_in_code(
    state: State<'_, Opening>,
    req: (String, String),
) -> Res<AccountView> {
    let (phone, code) = req;
    state.engine.verify_sign_in_code(&phone, &code).await
}

/// Opens the identity provider's page in the system browser and waits for its answer on the
/// app's loopback address; the browser is then told to go back to the app.
#[tauri::command]
pub async fn sign_in_with_provider(
    app: tauri::AppHandle,
    state: State<'_, Opening>,
    req: (),
) -> Res<AccountView> {
    use tauri_plugin_opener::OpenerExt;
    let () = req;
    let lang = state.store().settings()?.language;
    let page = crate::notify::back_to_app_page(&lang);
    state
        .engine
        .sign_in_with_provider(
            |url| {
                app.opener()
                    .open_url(url, None::<&str>)
                    .map_err(|e| format!("opening the browser: {e}"))
            },
            &page,
        )
        .await
}

#[tauri::command]
pub async fn sign_out(state: State<'_, Opening>, req: ()) -> Res<AccountView> {
    let () = req;
    state.engine.sign_out().await
}

/// Saves the ZIP in the Downloads folder (else the app's own folder); its path.
#[tauri::command]
pub async fn export_my_data(
    app: tauri::AppHandle,
    state: State<'_, Opening>,
    req: (),
) -> Res<String> {
    use tauri::Manager;
    let () = req;
    let dir = std::env::var_os("HUES_DOWNLOAD_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| app.path().download_dir().ok())
        .or_else(|| app.path().app_data_dir().ok())
        .ok_or_else(|| ApiError::new(hues_wire::ErrorCode::Storage, "no folder to save in"))?;
    state.engine.export_my_data(&dir).await
}

#[tauri::command]
pub async fn delete_my_account(state: State<'_, Opening>, req: String) -> Res<AccountView> {
    state.engine.delete_my_account(&req).await
}

#[tauri::command]
pub async fn keep_my_account(state: State<'_, Opening>, req: ()) -> Res<AccountView> {
    let () = req;
    state.engine.keep_my_account().await
}

#[tauri::command]
pub fn list_consents(state: State<'_, Opening>, req: ()) -> Res<Vec<ConsentView>> {
    let () = req;
    Ok(state.store().consents()?)
}

/// An answer counts at once: a withdrawal holds what has not left yet; a yes sends it.
#[tauri::command]
pub fn set_consent(
    state: State<'_, Opening>,
    req: (ConsentPurpose, bool),
) -> Res<Vec<ConsentView>> {
    let (purpose, granted) = req;
    let out = state.store().set_consent(purpose, granted)?;
    state.engine.wake();
    Ok(out)
}

#[tauri::command]
pub fn rate_report(state: State<'_, Opening>, req: RateRequest) -> Res<()> {
    state.store().rate_report(req.report, req.rating)?;
    state.engine.wake();
    Ok(())
}

#[tauri::command]
pub fn reopen_report(state: State<'_, Opening>, req: ReopenRequest) -> Res<()> {
    state.store().reopen_report(req.report, &req.note)?;
    state.engine.wake();
    Ok(())
}

/// The raw bytes of a chosen picture in, the processed photo out (kept on the device).
#[tauri::command]
pub fn add_photo(state: State<'_, Opening>, request: tauri::ipc::Request<'_>) -> Res<DraftPhoto> {
    match request.body() {
        tauri::ipc::InvokeBody::Raw(bytes) => Ok(state.store().add_photo(bytes)?),
        tauri::ipc::InvokeBody::Json(_) => Err(ApiError::new(
            hues_wire::ErrorCode::InvalidType,
            "add_photo takes the file's raw bytes",
        )),
    }
}

/// The UI rendered Home (`false`): the window shows. Then it painted (`true`): a marker for the
/// start-up benchmark, which may ask the app to quit right after
/// (`HUES_EXIT_AFTER_FIRST_PAINT=1`).
#[tauri::command]
pub fn ui_ready(app: tauri::AppHandle, req: bool) {
    if !req {
        // A start-up trace line (`./x bench` reads it): Home rendered.
        eprintln!("hues: home rendered");
        crate::show_main_window(&app);
        return;
    }
    eprintln!("hues: first paint");
    if std::env::var_os("HUES_EXIT_AFTER_FIRST_PAINT").is_some() {
        app.exit(0);
    }
}

#[cfg(test)]
mod tests {
    /// The capability grants exactly the app's commands, as hues-wire names them.
    #[test]
    fn capability_grants_exactly_the_commands() {
        // Read at run time: an include_str! was once served stale by an incremental build.
        // Also the directory: a binary built by another clone sharing the target dir must not
        // read that clone's file.
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        let text = std::fs::read_to_string(format!("{dir}/capabilities/default.json"))
            .expect("capability file");
        let cap: serde_json::Value = serde_json::from_str(&text).expect("capability JSON");
        let mut granted: Vec<String> = cap["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        granted.sort();
        let mut commands: Vec<String> = hues_wire::ipc::ALL_COMMANDS
            .iter()
            .map(|c| c.to_string())
            .collect();
        commands.sort();
        assert_eq!(granted, commands);
    }

    /// A command error reaches the UI as `{code, message}`.
    #[test]
    fn command_errors_have_the_api_shape() {
        let err: hues_wire::ApiError = hues_core::CoreError::Invalid(hues_wire::ApiError::new(
            hues_wire::ErrorCode::OutOfRange,
            "latitude is not a valid coordinate",
        ))
        .into();
        let v = serde_json::to_value(&err).expect("serialize");
        assert_eq!(
            v,
            serde_json::json!({"code": "out_of_range", "message": "latitude is not a valid coordinate"})
        );
    }
}
