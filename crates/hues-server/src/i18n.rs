//! The server's words (the console's pages, SMS texts), from `i18n/<lang>/console.ftl` (and the app's `main.ftl`, for the names
//! of statuses and errors both show): Vietnamese first, English for visitors' staff.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

const VI: [&str; 2] = [
    include_str!("../../../i18n/vi/console.ftl"),
    include_str!("../../../i18n/vi/main.ftl"),
];
const EN: [&str; 2] = [
    include_str!("../../../i18n/en/console.ftl"),
    include_str!("../../../i18n/en/main.ftl"),
];

fn bundle(lang: &str, files: [&str; 2]) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    for src in files {
        let res = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(partial, _)| partial);
        // A key in both files: the console's wins (tests keep them apart).
        bundle.add_resource_overriding(res);
    }
    bundle
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [bundle("vi", VI), bundle("en", EN)]);

/// A page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: &'static str,
}

impl Tr {
    pub fn new(lang: &str) -> Self {
        Self {
            lang: if lang == "en" { "en" } else { "vi" },
        }
    }

    fn format(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let b = &BUNDLES[usize::from(self.lang == "en")];
        let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        b.format_pattern(pattern, args, &mut errors).into_owned()
    }

    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// With one text argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_string()));
        self.format(key, Some(&args))
    }

    /// With two text arguments.
    pub fn t2(
        &self,
        key: &str,
        a: &str,
        av: impl std::fmt::Display,
        b: &str,
        bv: impl std::fmt::Display,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(a.to_owned(), FluentValue::from(av.to_string()));
        args.set(b.to_owned(), FluentValue::from(bv.to_string()));
        self.format(key, Some(&args))
    }

    /// With one number argument (plurals follow it).
    pub fn tn(&self, key: &str, name: &str, value: usize) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value));
        self.format(key, Some(&args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(src: &str) -> std::collections::BTreeSet<String> {
        FluentResource::try_new(src.to_owned())
            .unwrap_or_else(|(_, e)| panic!("console FTL does not parse: {e:?}"))
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_console_messages_apart_from_the_apps() {
        let (vi, en) = (ids(VI[0]), ids(EN[0]));
        assert_eq!(vi, en);
        assert!(vi.len() > 40);
        assert!(
            vi.is_disjoint(&ids(VI[1])),
            "a console key hides an app key"
        );
    }

    /// The console speaks as the app does: no word the glossary replaces (`i18n/GLOSSARY.md`).
    #[test]
    fn the_console_follows_the_glossary() {
        let terms = hues_wire::glossary::parse(include_str!("../../../i18n/GLOSSARY.md"));
        for (src, nots) in [
            (
                VI[0],
                terms.iter().flat_map(|t| &t.not_vi).collect::<Vec<_>>(),
            ),
            (
                EN[0],
                terms.iter().flat_map(|t| &t.not_en).collect::<Vec<_>>(),
            ),
        ] {
            let lower = src.to_lowercase();
            for not in nots {
                assert!(!lower.contains(&not.to_lowercase()), "{not}");
            }
            assert!(
                // (A brace is written `{"{"}` in Fluent: not a quote a reader sees.)
                !src.lines().any(|l| !l.starts_with('#')
                    && l.replace("{\"{\"}", "")
                        .replace("{\"}\"}", "")
                        .contains('"')),
                "straight quotes"
            );
        }
    }
}
