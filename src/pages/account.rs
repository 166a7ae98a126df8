//! Me → Account (issue 15): signing in with a phone number (or the identity provider), the
//! citizen's consents and their withdrawal, "download my data", "delete my account", signing
//! out. And the consent question the report form asks before the first use of position and
//! photos. The app works without an account; signing in is offered, never required.

use dioxus::prelude::*;
use hues_wire::ApiError;
use hues_wire::account::{ConsentPurpose, KEPT_AFTER_ERASURE};
use hues_wire::ipc::{self, AccountView, ConsentView};
use hues_wire::time::format_local;

use crate::app::{Route, use_app};
use crate::bridge;
use crate::i18n::{Lang, error_text, t, t_with};

fn purpose_key(p: ConsentPurpose) -> &'static str {
    match p {
        ConsentPurpose::Location => "location",
        ConsentPurpose::Photos => "photos",
    }
}

/// An error line, said in words with a sign besides the colour.
#[component]
fn Problem(lang: Lang, error: ApiError) -> Element {
    rsx! { p { class: "error", role: "alert", span { aria_hidden: "true", "⚠ " } {error_text(lang, error.code)} } }
}

/// The consent questions, asked where position and photos are first used (the report form)
/// until each has an answer for the current wording. What is sent, to whom and why, in plain
/// words; "no" is as easy as "yes".
#[component]
pub fn ConsentAsk() -> Element {
    let lang = *use_app().lang.read();
    let mut consents = use_signal(Vec::<ConsentView>::new);
    let mut loaded = use_signal(|| false);
    use_future(move || async move {
        if let Ok(c) = bridge::call::<ipc::ListConsents>(&()).await {
            consents.set(c);
        }
        loaded.set(true);
    });
    let answer = move |purpose: ConsentPurpose, granted: bool| {
        spawn(async move {
            if let Ok(c) = bridge::call::<ipc::SetConsent>(&(purpose, granted)).await {
                consents.set(c);
            }
        });
    };
    if !loaded() {
        return rsx! {};
    }
    let open: Vec<ConsentView> = consents
        .read()
        .iter()
        .filter(|c| c.granted.is_none() || c.outdated)
        .cloned()
        .collect();
    let location_refused = consents
        .read()
        .iter()
        .any(|c| c.purpose == ConsentPurpose::Location && c.granted == Some(false) && !c.outdated);
    rsx! {
        if !open.is_empty() {
            section { id: "consent-ask", class: "card consent", aria_labelledby: "consent-ask-title",
                h3 { id: "consent-ask-title", {t(lang, "consent-ask-title")} }
                for c in open {
                    div { class: "consent-question",
                        h4 { {t(lang, &format!("consent-{}-title", purpose_key(c.purpose)))} }
                        p { {t(lang, &format!("consent-{}-text", purpose_key(c.purpose)))} }
                        div { class: "actions",
                            button {
                                id: "consent-{purpose_key(c.purpose)}-yes",
                                r#type: "button",
                                class: "button",
                                onclick: move |_| answer(c.purpose, true),
                                {t(lang, "consent-yes")}
                            }
                            button {
                                id: "consent-{purpose_key(c.purpose)}-no",
                                r#type: "button",
                                class: "button secondary",
                                onclick: move |_| answer(c.purpose, false),
                                {t(lang, "consent-no")}
                            }
                        }
                    }
                }
            }
        }
        if location_refused {
            p { id: "consent-held", class: "notice", role: "status",
                span { aria_hidden: "true", "⚠ " }
                {t(lang, "consent-held")}
                " "
                Link { to: Route::AccountPage {}, {t(lang, "consent-change")} }
            }
        }
    }
}

#[component]
pub fn AccountPage() -> Element {
    let ctx = use_app();
    let lang = *ctx.lang.read();
    let mut account = use_signal(AccountView::default);
    let mut consents = use_signal(Vec::<ConsentView>::new);
    let mut phone = use_signal(String::new);
    let mut code = use_signal(String::new);
    let mut code_sent = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<ApiError>);
    let mut busy = use_signal(|| false);
    let mut exported = use_signal(|| None::<String>);
    let mut confirming_delete = use_signal(|| false);
    let mut delete_phone = use_signal(String::new);
    use_future(move || async move {
        if let Ok(c) = bridge::call::<ipc::ListConsents>(&()).await {
            consents.set(c);
        }
        if let Ok(a) = bridge::call::<ipc::GetAccount>(&()).await {
            account.set(a);
        }
    });
    // Whatever the action, one at a time, its error said, the account refreshed.
    let mut act =
        move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>| {
            if busy() {
                return;
            }
            busy.set(true);
            error.set(None);
            spawn(async move {
                if let Err(e) = f.await {
                    error.set(Some(e));
                }
                busy.set(false);
            });
        };
    let a = account.read().clone();
    rsx! {
        section { class: "page", aria_labelledby: "page-title",
            h2 { id: "page-title", {t(lang, "account-title")} }
            if a.signed_out_by_server && a.phone.is_none() {
                p { id: "account-signed-out", class: "notice", role: "alert",
                    span { aria_hidden: "true", "⚠ " }
                    {t(lang, "account-signed-out")}
                }
            }
            match a.phone.clone() {
                None => rsx! {
                    p { {t(lang, "account-why")} }
                    form {
                        class: "form",
                        onsubmit: move |e: FormEvent| {
                            e.prevent_default();
                            let number = phone();
                            act(Box::pin(async move {
                                if code_sent().is_none() {
                                    let sent = bridge::call::<ipc::RequestSignInCode>(&number).await?;
                                    code_sent.set(Some(sent.phone));
                                } else {
                                    let view = bridge::call::<ipc::VerifySignInCode>(&(number, code())).await?;
                                    account.set(view);
                                    code_sent.set(None);
                                    code.set(String::new());
                                }
                                Ok(())
                            }));
                        },
                        div { class: "field",
                            label { r#for: "account-phone", {t(lang, "account-phone")} }
                            input {
                                id: "account-phone",
                                r#type: "tel",
                                inputmode: "tel",
                                autocomplete: "tel",
                                value: "{phone}",
                                oninput: move |e| phone.set(e.value()),
                            }
                        }
                        if let Some(masked) = code_sent() {
                            p { id: "account-code-sent", role: "status", {t_with(lang, "account-code-sent", "phone", masked)} }
                            div { class: "field",
                                label { r#for: "account-code", {t(lang, "account-code")} }
                                input {
                                    id: "account-code",
                                    inputmode: "numeric",
                                    autocomplete: "one-time-code",
                                    maxlength: "6",
                                    value: "{code}",
                                    oninput: move |e| code.set(e.value()),
                                }
                            }
                            button { id: "account-verify", r#type: "submit", class: "button", disabled: busy(), {t(lang, "account-verify")} }
                        } else {
                            button { id: "account-send-code", r#type: "submit", class: "button", disabled: busy(), {t(lang, "account-send-code")} }
                        }
                    }
                    if a.identity_provider {
                        button {
                            id: "account-provider",
                            r#type: "button",
                            class: "button secondary",
                            onclick: move |_| act(Box::pin(async move {
                                // The browser opens; this returns once it came back.
                                account.set(bridge::call::<ipc::SignInWithProvider>(&()).await?);
                                Ok(())
                            })),
                            {t(lang, "account-provider")}
                        }
                    }
                },
                Some(masked) => rsx! {
                    p { id: "account-signed-in", role: "status",
                        span { aria_hidden: "true", "✔ " }
                        {t_with(lang, "account-signed-in", "phone", masked)}
                    }
                    p { class: "hint", {t(lang, "account-same-everywhere")} }
                    div { class: "actions",
                        button {
                            id: "account-export",
                            r#type: "button",
                            class: "button secondary",
                            disabled: busy(),
                            onclick: move |_| act(Box::pin(async move {
                                let path = bridge::call::<ipc::ExportMyData>(&()).await?;
                                exported.set(Some(path));
                                Ok(())
                            })),
                            {t(lang, "account-export")}
                        }
                        button {
                            id: "account-sign-out",
                            r#type: "button",
                            class: "button secondary",
                            disabled: busy(),
                            onclick: move |_| act(Box::pin(async move {
                                let view = bridge::call::<ipc::SignOut>(&()).await?;
                                account.set(view);
                                if let Ok(c) = bridge::call::<ipc::ListConsents>(&()).await {
                                    consents.set(c);
                                }
                                Ok(())
                            })),
                            {t(lang, "account-sign-out")}
                        }
                    }
                    if let Some(path) = exported() {
                        p { id: "account-exported", role: "status", {t_with(lang, "account-exported", "path", path)} }
                    }
                    h3 { {t(lang, "account-delete-title")} }
                    match a.erase_after {
                        Some(at) => rsx! {
                            p { id: "account-deletion", role: "status",
                                span { aria_hidden: "true", "⏳ " }
                                {t_with(lang, "account-deletion-pending", "date", format_local(at))}
                            }
                            button {
                                id: "account-keep",
                                r#type: "button",
                                class: "button",
                                disabled: busy(),
                                onclick: move |_| act(Box::pin(async move {
                                    account.set(bridge::call::<ipc::KeepMyAccount>(&()).await?);
                                    Ok(())
                                })),
                                {t(lang, "account-keep")}
                            }
                        },
                        None if confirming_delete() => rsx! {
                            p { {t(lang, "account-delete-what")} }
                            ul { id: "account-kept",
                                for what in KEPT_AFTER_ERASURE {
                                    li { strong { {t(lang, &format!("kept-{what}"))} } ": " {t(lang, &format!("kept-{what}-why"))} }
                                }
                            }
                            form {
                                class: "form",
                                onsubmit: move |e: FormEvent| {
                                    e.prevent_default();
                                    let number = delete_phone();
                                    act(Box::pin(async move {
                                        account.set(bridge::call::<ipc::DeleteMyAccount>(&number).await?);
                                        confirming_delete.set(false);
                                        Ok(())
                                    }));
                                },
                                div { class: "field",
                                    label { r#for: "account-delete-phone", {t(lang, "account-delete-confirm-label")} }
                                    input {
                                        id: "account-delete-phone",
                                        r#type: "tel",
                                        inputmode: "tel",
                                        value: "{delete_phone}",
                                        oninput: move |e| delete_phone.set(e.value()),
                                    }
                                }
                                button { id: "account-delete-confirm", r#type: "submit", class: "button danger", disabled: busy(), {t(lang, "account-delete-confirm")} }
                            }
                        },
                        None => rsx! {
                            button {
                                id: "account-delete",
                                r#type: "button",
                                class: "button secondary",
                                onclick: move |_| confirming_delete.set(true),
                                {t(lang, "account-delete")}
                            }
                        },
                    }
                },
            }
            if let Some(e) = error() {
                Problem { lang, error: e }
            }
            ConsentList { consents }
        }
    }
}

/// Every consent with its state in words, each withdrawn or given with one button (Account
/// and Settings show it).
#[component]
pub fn ConsentList(mut consents: Signal<Vec<ConsentView>>) -> Element {
    let lang = *use_app().lang.read();
    rsx! {
        h3 { id: "consents-title", {t(lang, "consents-title")} }
        ul { id: "consents", class: "menu", aria_labelledby: "consents-title",
            for c in consents.read().iter().cloned() {
                li { class: "card",
                    h4 { {t(lang, &format!("consent-{}-title", purpose_key(c.purpose)))} }
                    p { class: "hint", {t(lang, &format!("consent-{}-text", purpose_key(c.purpose)))} }
                    p { id: "consent-{purpose_key(c.purpose)}-state",
                        match (c.granted, c.outdated) {
                            (Some(true), false) => rsx! { span { aria_hidden: "true", "✔ " } {t(lang, "consent-given")} },
                            (Some(false), false) => rsx! { span { aria_hidden: "true", "✖ " } {t(lang, "consent-refused")} },
                            _ => rsx! { span { aria_hidden: "true", "? " } {t(lang, "consent-not-asked")} },
                        }
                        if let Some(at) = c.decided_at {
                            " · " {format_local(at)}
                        }
                    }
                    button {
                        id: "consent-{purpose_key(c.purpose)}-toggle",
                        r#type: "button",
                        class: "button secondary",
                        onclick: move |_| {
                            let give = c.granted != Some(true) || c.outdated;
                            spawn(async move {
                                if let Ok(list) = bridge::call::<ipc::SetConsent>(&(c.purpose, give)).await {
                                    consents.set(list);
                                }
                            });
                        },
                        if c.granted == Some(true) && !c.outdated { {t(lang, "consent-withdraw")} } else { {t(lang, "consent-give")} }
                    }
                }
            }
        }
    }
}

/// Settings' part: the consents, loaded here.
#[component]
pub fn SettingsConsents() -> Element {
    let mut consents = use_signal(Vec::<ConsentView>::new);
    use_future(move || async move {
        if let Ok(c) = bridge::call::<ipc::ListConsents>(&()).await {
            consents.set(c);
        }
    });
    rsx! { ConsentList { consents } }
}
