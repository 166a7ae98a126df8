//! Translations with Fluent. Every string a person sees comes from `i18n/<lang>/main.ftl`,
//! compiled into the bundle. Vietnamese first; English for visitors.

use std::cell::RefCell;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use hues_wire::ErrorCode;
use unic_langid::LanguageIdentifier;

pub const VI_FTL: &str = include_str!("../i18n/vi/main.ftl");
pub const EN_FTL: &str = include_str!("../i18n/en/main.ftl");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Self {
        if code == "en" { Lang::En } else { Lang::Vi }
    }

    /// The language's own name, shown in the picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
        }
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let (id, src) = match lang {
        Lang::Vi => ("vi", VI_FTL),
        Lang::En => ("en", EN_FTL),
    };
    let langid: LanguageIdentifier = id.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![langid]);
    // Unicode isolation marks would show up in the webview's plain text; we mix no RTL text.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(partial, _)| partial);
    // Duplicate ids are caught by the tests; keep the first.
    let _ = bundle.add_resource(resource);
    bundle
}

thread_local! {
    static BUNDLES: RefCell<Option<[FluentBundle<FluentResource>; 2]>> = const { RefCell::new(None) };
}

fn format(lang: Lang, id: &str, args: Option<&FluentArgs<'_>>) -> String {
    BUNDLES.with(|cell| {
        let mut slot = cell.borrow_mut();
        let bundles = slot.get_or_insert_with(|| [bundle(Lang::Vi), bundle(Lang::En)]);
        let b = &bundles[lang as usize];
        let Some(pattern) = b.get_message(id).and_then(|m| m.value()) else {
            // A missing key shows itself rather than an empty screen; tests forbid it.
            return id.to_owned();
        };
        let mut errors = Vec::new();
        b.format_pattern(pattern, args, &mut errors).into_owned()
    })
}

/// The text of message `id` in `lang`.
pub fn t(lang: Lang, id: &str) -> String {
    format(lang, id, None)
}

/// The text of message `id` with one argument.
pub fn t_with<'a>(
    lang: Lang,
    id: &str,
    name: &'a str,
    value: impl Into<FluentValue<'a>>,
) -> String {
    let mut args = FluentArgs::new();
    args.set(name, value);
    format(lang, id, Some(&args))
}

/// The translated message for an error code.
pub fn error_text(lang: Lang, code: ErrorCode) -> String {
    t(lang, &format!("error-{}", code.as_str()))
}

/// Digits grouped by thousands as `lang` writes them: 200.000 in Vietnamese, 200,000 in
/// English. (Four lines; a formatting crate with locale tables would weigh on the wasm.)
fn grouped(lang: Lang, n: u64) -> String {
    let sep = if lang == Lang::En { ',' } else { '.' };
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A number with `decimals` digits after the mark, as `lang` writes it: 1.234,5 in
/// Vietnamese, 1,234.5 in English.
pub fn number(lang: Lang, value: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round() as u64;
    let sign = if value < 0.0 && scaled > 0 { "-" } else { "" };
    let whole = grouped(lang, scaled / scale);
    if decimals == 0 {
        return format!("{sign}{whole}");
    }
    let mark = if lang == Lang::En { '.' } else { ',' };
    let frac = scaled % scale;
    format!(
        "{sign}{whole}{mark}{frac:0width$}",
        width = decimals as usize
    )
}

/// A distance: metres under a kilometre, else kilometres with one decimal (850 m; 1,2 km in
/// Vietnamese, 1.2 km in English).
pub fn distance(lang: Lang, metres: f64) -> String {
    if metres.round() < 1000.0 {
        format!("{} m", number(lang, metres, 0))
    } else {
        format!("{} km", number(lang, metres / 1000.0, 1))
    }
}

/// An amount of đồng: 200.000 ₫ in Vietnamese, 200,000 VND in English.
pub fn money(lang: Lang, vnd: u64) -> String {
    match lang {
        Lang::Vi => format!("{} ₫", grouped(lang, vnd)),
        Lang::En => format!("{} VND", grouped(lang, vnd)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hues_wire::api::ReportStatus;
    use std::collections::BTreeSet;

    fn ids(src: &str) -> BTreeSet<String> {
        let res = FluentResource::try_new(src.to_owned()).unwrap_or_else(|(_, errs)| {
            panic!("FTL does not parse: {errs:?}");
        });
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_messages() {
        let vi = ids(VI_FTL);
        let en = ids(EN_FTL);
        assert!(vi.len() > 50);
        assert_eq!(
            vi.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new()
        );
    }

    /// Every literal key the code passes to `t`/`t_with` (and the keys built from status and
    /// rating names) exists, so no screen ever shows a raw key.
    #[test]
    fn every_key_the_code_uses_exists() {
        let known = ids(VI_FTL);
        let mut missing = Vec::new();
        let mut seen = 0;
        let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        let mut stack = vec![std::path::Path::new(&root).join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                for call in ["t(lang, \"", "t_with(lang, \""] {
                    for (i, _) in text.match_indices(call) {
                        let rest = &text[i + call.len()..];
                        let key = &rest[..rest.find('"').unwrap_or(0)];
                        seen += 1;
                        if !known.contains(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(seen > 50, "only {seen} keys found");
        assert_eq!(missing, Vec::<String>::new());
        let mut built: Vec<String> = ReportStatus::ALL
            .iter()
            .map(|s| format!("status-{}", s.as_str()))
            .collect();
        built.extend(
            hues_wire::api::PLACE_CATEGORIES
                .iter()
                .map(|c| format!("place-cat-{c}")),
        );
        built.extend((0..8).map(|n| format!("compass-{n}")));
        built.extend(
            hues_wire::api::BookingStatus::ALL
                .iter()
                .map(|s| format!("booking-status-{}", s.as_str())),
        );
        built.extend(
            hues_wire::api::BookingKind::ALL
                .iter()
                .map(|k| format!("booking-kind-{}", k.as_str().replace('_', "-"))),
        );
        built.extend(
            hues_wire::dossiers::AdminLevel::ALL
                .iter()
                .map(|l| format!("procedure-level-{}", l.as_str())),
        );
        for key in built {
            assert!(known.contains(&key), "{key}");
        }
    }

    #[test]
    fn every_error_code_is_translated() {
        for lang in [Lang::Vi, Lang::En] {
            for code in ErrorCode::ALL {
                let text = error_text(lang, code);
                assert!(!text.starts_with("error-"), "{lang:?} {code}");
            }
        }
    }

    #[test]
    fn plurals_and_arguments() {
        assert_eq!(
            t_with(Lang::En, "sync-waiting", "count", 1),
            "1 report waiting to be sent"
        );
        assert_eq!(
            t_with(Lang::En, "sync-waiting", "count", 3),
            "3 reports waiting to be sent"
        );
        assert_eq!(
            t_with(Lang::Vi, "sync-waiting", "count", 3),
            "3 phản ánh chờ gửi"
        );
        assert_eq!(t(Lang::Vi, "nav-home"), "Trang chủ");
        assert_eq!(t(Lang::En, "no-such-key"), "no-such-key");
    }

    #[test]
    fn numbers_distances_and_money_as_each_language_writes_them() {
        let table = [
            (
                Lang::Vi,
                1234.5,
                "1.234,5",
                1200.0,
                "1,2 km",
                200_000,
                "200.000 ₫",
            ),
            (
                Lang::En,
                1234.5,
                "1,234.5",
                1200.0,
                "1.2 km",
                200_000,
                "200,000 VND",
            ),
        ];
        for (lang, n, n_text, d, d_text, vnd, vnd_text) in table {
            assert_eq!(number(lang, n, 1), n_text);
            assert_eq!(distance(lang, d), d_text);
            assert_eq!(money(lang, vnd), vnd_text);
        }
        assert_eq!(distance(Lang::Vi, 850.4), "850 m");
        assert_eq!(
            distance(Lang::En, 999.6),
            "1.0 km",
            "rounds up to a kilometre"
        );
        assert_eq!(distance(Lang::Vi, 12_345.0), "12,3 km");
        assert_eq!(money(Lang::Vi, 0), "0 ₫");
        assert_eq!(money(Lang::En, 1_000_000), "1,000,000 VND");
        assert_eq!(number(Lang::Vi, -0.04, 1), "0,0");
        assert_eq!(number(Lang::En, -2.5, 2), "-2.50");
        assert_eq!(number(Lang::Vi, 4000.0, 0), "4.000");
    }

    /// The text a person reads in a Fluent file: message values and their continuation lines,
    /// without comments, ids, and string literals such as `{"{"}`.
    fn values(ftl: &str) -> String {
        ftl.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| match l.split_once(" = ") {
                Some((id, v)) if !id.starts_with(' ') => v,
                _ => l,
            })
            .map(|v| v.replace("{\"{\"}", "{").replace("{\"}\"}", "}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Issue 12: both Fluent files follow the glossary (a replaced term fails; a term is used).
    #[test]
    fn both_fluent_files_follow_the_glossary() {
        use hues_wire::glossary::{Lang as G, Used, faults, parse};
        let terms = parse(include_str!("../i18n/GLOSSARY.md"));
        assert!(terms.len() >= 20, "{} terms", terms.len());
        for (lang, ftl) in [(G::Vi, VI_FTL), (G::En, EN_FTL)] {
            let bad = faults(&terms, lang, Used::App, &values(ftl));
            assert!(bad.is_empty(), "{lang:?}: {bad:#?}");
        }
        // It bites: the old word fails.
        let old = values("report-category = Loại sự cố\nprocedure-fee = Phí, lệ phí");
        assert!(!faults(&terms, G::Vi, Used::App, &old).is_empty());
    }

    #[test]
    fn quotes_are_typographic() {
        for (lang, ftl) in [("vi", VI_FTL), ("en", EN_FTL)] {
            for line in values(ftl).lines() {
                assert!(!line.contains('"'), "{lang}: straight quotes in {line}");
            }
        }
    }
}
