//! Icons from Lucide (npm `lucide-static`, ISC), bundled: `./x` copies the ones named in
//! `assets/icons.txt` into `index.html` as one hidden SVG sprite, and each `Icon` points at its
//! symbol. Decorative: a text label always says the same (`aria-hidden`).

use dioxus::prelude::*;

#[component]
pub fn Icon(name: &'static str) -> Element {
    rsx! {
        svg { class: "icon", "aria-hidden": "true", "focusable": "false",
            r#use { href: "#i-{name}" }
        }
    }
}
