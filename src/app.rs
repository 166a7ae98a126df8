//! The app shell: shared state (language, sync status), the routes, the layout with the sync
//! indicator on top and the bottom navigation.

use dioxus::prelude::*;
use hues_wire::ipc::SyncStatus;

use crate::bridge;
use crate::components::{BottomNav, SyncIndicator};
use crate::i18n::{Lang, t};
use crate::pages::{
    AccountPage, AlertPage, Alerts, Home, MapPage, Me, MyActivity, MyBookingPage, MyBookings,
    MyDossierPage, MyDossiers, MyReportPage, MyReports, NotFound, PlacePage, PlacesPage,
    ProcedurePage, ProceduresPage, PublicReportPage, ReportPage, SettingsPage, SightsPage,
};

/// State every screen may read.
#[derive(Clone, Copy)]
pub struct AppCtx {
    pub lang: Signal<Lang>,
    pub status: Signal<SyncStatus>,
}

pub fn use_app() -> AppCtx {
    use_context::<AppCtx>()
}

#[derive(Routable, Clone, PartialEq, Debug)]
#[rustfmt::skip]
pub enum Route {
    #[layout(Shell)]
        #[route("/")]
        Home {},
        #[route("/report")]
        ReportPage {},
        #[route("/alerts")]
        Alerts {},
        #[route("/alerts/:id")]
        AlertPage { id: String },
        #[route("/map?:group")]
        PlacesPage { group: String },
        #[route("/places/:id")]
        PlacePage { id: String },
        #[route("/tourism")]
        SightsPage {},
        #[route("/map/reports")]
        MapPage {},
        #[route("/map/reports/:id")]
        PublicReportPage { id: String },
        #[route("/me")]
        Me {},
        #[route("/me/reports")]
        MyReports {},
        #[route("/me/reports/:id")]
        MyReportPage { id: String },
        #[route("/me/activity")]
        MyActivity {},
        #[route("/me/bookings")]
        MyBookings {},
        #[route("/me/bookings/:id")]
        MyBookingPage { id: String },
        #[route("/procedures")]
        ProceduresPage {},
        #[route("/procedures/:id")]
        ProcedurePage { id: String },
        #[route("/me/dossiers")]
        MyDossiers {},
        #[route("/me/dossiers/:code")]
        MyDossierPage { code: String },
        #[route("/me/settings")]
        SettingsPage {},
        #[route("/me/account")]
        AccountPage {},
    #[end_layout]
    #[route("/:..segments")]
    NotFound { segments: Vec<String> },
}

const STYLE: &str = include_str!("../assets/style.css");

#[component]
pub fn App() -> Element {
    let mut lang = use_signal(Lang::default);
    let mut status = use_signal(SyncStatus::default);
    use_context_provider(|| AppCtx { lang, status });
    use_future(move || async move {
        if let Ok(s) = bridge::settings().await {
            lang.set(Lang::from_code(&s.language));
        }
        loop {
            if let Ok(st) = bridge::sync_status().await {
                // Only a real change re-renders (and makes screens reload their data).
                if *status.peek() != st {
                    status.set(st);
                }
            }
            bridge::sleep_ms(1000).await;
        }
    });
    rsx! {
        style { {STYLE} }
        Router::<Route> {}
    }
}

/// On every new screen, focus moves to its heading (screen readers say where they are, the
/// keyboard starts at the top). The new screen may render a little later (data it waits for),
/// and the old heading may be focused and then removed: for a second, while the focus is still
/// where the citizen pressed, or fell to the page, it is put on the heading in `main`. Focus the
/// citizen moved elsewhere meanwhile is left alone. Through web-sys: the app's content security
/// policy allows no `eval`, which `document::eval` needs.
async fn focus_heading() {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let pressed = document.active_element();
        for _ in 0..20 {
            crate::bridge::sleep_ms(50).await;
            let active = document.active_element();
            let lost =
                active.is_none() || active == pressed || active == document.body().map(Into::into);
            let on_heading = active
                .as_ref()
                .is_some_and(|a| a.matches("main h2").unwrap_or(false));
            if on_heading || !lost {
                continue;
            }
            let heading = document
                .query_selector("main h2")
                .ok()
                .flatten()
                .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(h) = heading {
                if !h.has_attribute("tabindex") {
                    let _ = h.set_attribute("tabindex", "-1");
                }
                let _ = h.focus();
            }
        }
    }
}

#[component]
fn Shell() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let status = ctx.status.read().clone();
    let route = use_route::<Route>();
    // Not on the first screen, where nothing was pressed yet.
    let mut first = use_signal(|| true);
    use_effect(use_reactive((&route,), move |_| {
        if *first.peek() {
            first.set(false);
        } else {
            // Timers, not animation frames, which a covered window may never get.
            spawn(focus_heading());
        }
    }));
    rsx! {
        div { class: "shell", lang: lang.code(),
            a { class: "skip-link", href: "#content", {t(lang, "skip-to-content")} }
            header { class: "topbar",
                h1 { class: "brand", {t(lang, "app-name")} }
                SyncIndicator {
                    status,
                    lang,
                    on_sync: move |_| {
                        let mut status = ctx.status;
                        spawn(async move {
                            if let Ok(st) = bridge::sync_now().await {
                                status.set(st);
                            }
                        });
                    },
                }
            }
            main { id: "content", class: "content", tabindex: "-1", Outlet::<Route> {} }
            BottomNav { lang }
        }
    }
}
