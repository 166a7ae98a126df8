//! System notifications: the core decides what is owed (`Store::take_notices`, each once), this
//! words it in the citizen's language from `i18n/` and hands it to the system through
//! tauri-plugin-notification (on Linux, `org.freedesktop.Notifications` on the session bus).

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};
use hues_core::notices::Notice;
use std::sync::atomic::Ordering;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::{NotificationExt, PermissionState};

use crate::Opening;

const VI_FTL: &str = include_str!("../../i18n/vi/main.ftl");
const EN_FTL: &str = include_str!("../../i18n/en/main.ftl");

/// Raises every notification the core says is owed. Failures are logged: a missing
/// notification server must not stop sync.
pub fn raise<R: Runtime>(app: &AppHandle<R>) {
    let Some(opening) = app.try_state::<Opening>() else {
        return;
    };
    let Some(state) = opening.get() else {
        return;
    };
    // Nothing is taken (marked raised) unless it can be shown: on a phone whose user has not
    // allowed notifications yet, they wait (permission is asked at start, `ask_permission`).
    let notifier = app.notification();
    if !matches!(notifier.permission_state(), Ok(PermissionState::Granted)) {
        return;
    }
    let store = state.store();
    // A sync run that brought nothing leaves nothing new to decide.
    let revision = store.revision();
    if state.notices_at.swap(revision, Ordering::Relaxed) == revision {
        return;
    }
    let language = store.settings().map(|s| s.language).unwrap_or_default();
    let notices = match store.take_notices(state.now()) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "could not decide notifications");
            return;
        }
    };
    for notice in notices {
        let (title, body) = words(&language, &notice);
        tracing::info!(?notice, "notification");
        if let Err(e) = notifier.builder().title(title).body(body).show() {
            tracing::warn!(error = %e, "notification not shown");
        }
    }
}

/// Phones (Android 13+, iOS) ask the citizen once whether the app may notify; desktops always
/// may. Runs off the main thread and off the sync run, since the question waits for an answer.
pub fn ask_permission<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    std::thread::spawn(move || {
        let notifier = app.notification();
        if matches!(
            notifier.permission_state(),
            Ok(PermissionState::Prompt | PermissionState::PromptWithRationale)
        ) {
            let _ = notifier.request_permission();
        }
    });
}

/// The title and body of a notification in `language` (`vi` or `en`).
pub fn words(language: &str, notice: &Notice) -> (String, String) {
    let bundle = bundle(language);
    let say = |id: &str, args: &FluentArgs<'_>| {
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(args), &mut errors)
            .into_owned()
    };
    match notice {
        Notice::Alert {
            headline,
            places,
            update,
            ..
        } => {
            let mut args = FluentArgs::new();
            args.set("headline", headline.clone());
            args.set("places", places.join(", "));
            // The warning's own headline is the title; an Update says so.
            let title = if *update {
                say("notify-alert-update-title", &args)
            } else {
                headline.clone()
            };
            (title, say("notify-alert-body", &args))
        }
        Notice::Dossier {
            code,
            procedure,
            state,
            new_appointment,
        } => {
            let mut args = FluentArgs::new();
            let state_word = say(
                &format!("dossier-state-{}", state.as_str().replace('_', "-")),
                &args,
            );
            args.set("code", code.clone());
            args.set("state", state_word);
            args.set("procedure", procedure.clone());
            let body = match new_appointment {
                Some(date) => {
                    args.set("date", date.format("%d/%m/%Y").to_string());
                    say("notify-dossier-apology", &args)
                }
                None => procedure.clone(),
            };
            (say("notify-dossier-title", &args), body)
        }
    }
}

/// The page the browser shows once the identity provider sent it back to the app.
pub fn back_to_app_page(language: &str) -> String {
    let bundle = bundle(language);
    let say = |id: &str| {
        bundle
            .get_message(id)
            .and_then(|m| m.value())
            .map(|p| {
                let mut errors = Vec::new();
                bundle.format_pattern(p, None, &mut errors).into_owned()
            })
            .unwrap_or_else(|| id.to_owned())
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><meta charset=\"utf-8\">\
         <title>hues</title><main><h1>{}</h1><p>{}</p></main></html>",
        say("oidc-back-title"),
        say("oidc-back-text"),
        lang = if language == "en" { "en" } else { "vi" },
    )
}

fn bundle(language: &str) -> FluentBundle<FluentResource> {
    let (id, src) = if language == "en" {
        ("en", EN_FTL)
    } else {
        ("vi", VI_FTL)
    };
    let mut bundle = FluentBundle::new(vec![id.parse().unwrap_or_default()]);
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_are_worded_in_both_languages() {
        let notice = Notice::Alert {
            identifier: "X".into(),
            headline: "Lũ khẩn cấp".into(),
            places: vec!["Nhà".into(), "Cơ quan".into()],
            update: false,
        };
        assert_eq!(
            words("vi", &notice),
            (
                "Lũ khẩn cấp".to_owned(),
                "Liên quan đến nơi của bạn: Nhà, Cơ quan".to_owned()
            )
        );
        let update = Notice::Alert {
            identifier: "X".into(),
            headline: "Lũ khẩn cấp".into(),
            places: vec!["Nhà".into(), "Cơ quan".into()],
            update: true,
        };
        assert_eq!(words("en", &update).0, "Update: Lũ khẩn cấp");
        assert_eq!(words("en", &update).1, "Concerns your places: Nhà, Cơ quan");
        let dossier = Notice::Dossier {
            code: "HS-1".into(),
            procedure: "Đăng ký tạm trú".into(),
            state: hues_wire::dossiers::DossierState::ResultReady,
            new_appointment: None,
        };
        assert_eq!(
            words("vi", &dossier),
            (
                "Hồ sơ HS-1: Đã có kết quả".to_owned(),
                "Đăng ký tạm trú".to_owned()
            )
        );
        let apology = Notice::Dossier {
            new_appointment: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
            state: hues_wire::dossiers::DossierState::InProcessing,
            code: "HS-1".into(),
            procedure: "Đăng ký tạm trú".into(),
        };
        assert_eq!(
            words("en", &apology),
            (
                "Application HS-1: In progress".to_owned(),
                "Đăng ký tạm trú. The agency apologises for the delay; new result date: 01/12/2026."
                    .to_owned()
            )
        );
    }
}
