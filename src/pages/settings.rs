use dioxus::prelude::*;
use hues_wire::ipc::Settings;

use crate::app::use_app;
use crate::bridge;
use crate::i18n::{Lang, error_text, t};

#[component]
pub fn SettingsPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut server_url = use_signal(String::new);
    let mut tile_url = use_signal(String::new);
    let mut message = use_signal(|| None::<Result<(), hues_wire::ApiError>>);
    use_future(move || async move {
        if let Ok(s) = bridge::settings().await {
            server_url.set(s.server_url);
            tile_url.set(s.tile_url);
        }
    });
    let save = move |new_lang: Lang, url: String| {
        let mut lang_sig = ctx.lang;
        spawn(async move {
            let result = bridge::save_settings(&Settings {
                language: new_lang.code().into(),
                server_url: url,
                tile_url: tile_url(),
            })
            .await;
            match result {
                Ok(saved) => {
                    lang_sig.set(Lang::from_code(&saved.language));
                    server_url.set(saved.server_url);
                    tile_url.set(saved.tile_url);
                    message.set(Some(Ok(())));
                }
                Err(e) => message.set(Some(Err(e))),
            }
        });
    };
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "settings-title")} }
            form {
                class: "form",
                onsubmit: move |e: FormEvent| {
                    e.prevent_default();
                    save(lang, server_url());
                },
                div { class: "field",
                    label { r#for: "language", {t(lang, "settings-language")} }
                    select {
                        id: "language",
                        onchange: move |e: FormEvent| save(Lang::from_code(&e.value()), server_url()),
                        for l in [Lang::Vi, Lang::En] {
                            option { value: l.code(), selected: l == lang, lang: l.code(), "{l.native_name()}" }
                        }
                    }
                }
                div { class: "field",
                    label { r#for: "server-url", {t(lang, "settings-server")} }
                    input {
                        id: "server-url",
                        r#type: "url",
                        inputmode: "url",
                        autocomplete: "off",
                        aria_describedby: "server-url-hint",
                        value: "{server_url}",
                        oninput: move |e| server_url.set(e.value()),
                    }
                    p { id: "server-url-hint", class: "hint", {t(lang, "settings-server-hint")} }
                }
                div { class: "field",
                    label { r#for: "tile-url", {t(lang, "settings-tiles")} }
                    input {
                        id: "tile-url",
                        r#type: "url",
                        inputmode: "url",
                        autocomplete: "off",
                        aria_describedby: "tile-url-hint",
                        value: "{tile_url}",
                        oninput: move |e| tile_url.set(e.value()),
                    }
                    p { id: "tile-url-hint", class: "hint", {t(lang, "settings-tiles-hint")} }
                }
                button { id: "settings-save", r#type: "submit", class: "button", {t(lang, "settings-save")} }
                match &*message.read() {
                    Some(Ok(())) => rsx! { p { class: "ok", role: "status", span { aria_hidden: "true", "✔ " } {t(lang, "settings-saved")} } },
                    Some(Err(e)) => rsx! { p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, e.code)} } },
                    None => rsx! {},
                }
            }
            crate::pages::account::SettingsConsents {}
        }
    }
}
