//! The project's glossary (`i18n/GLOSSARY.md`): which words the Fluent files and the demo data
//! use, and which they must not. Read by tests on both sides, so the rule is written once.

/// Where a glossary term must be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Used {
    /// The app's Fluent files.
    App,
    /// The server's demo data.
    Data,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub vi: String,
    pub en: String,
    pub not_vi: Vec<String>,
    pub not_en: Vec<String>,
    pub used: Used,
}

/// The rows of the glossary's table (the first table with five columns and a known "used in").
pub fn parse(markdown: &str) -> Vec<Term> {
    let list = |s: &str| -> Vec<String> {
        s.split(" · ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    };
    markdown
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            let [vi, en, not_vi, not_en, used] = cells.as_slice() else {
                return None;
            };
            let used = match *used {
                "app" => Used::App,
                "data" => Used::Data,
                _ => return None,
            };
            Some(Term {
                vi: (*vi).to_owned(),
                en: (*en).to_owned(),
                not_vi: list(not_vi),
                not_en: list(not_en),
                used,
            })
        })
        .collect()
}

/// The language a text is in, for [`faults`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

/// What `text` (in `lang`, from a place that is `used`) does against the glossary: each
/// avoided term it holds, and each term it should hold but does not.
pub fn faults(terms: &[Term], lang: Lang, used: Used, text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut faults = Vec::new();
    for t in terms {
        let (want, nots) = match lang {
            Lang::Vi => (&t.vi, &t.not_vi),
            Lang::En => (&t.en, &t.not_en),
        };
        for not in nots {
            if lower.contains(&not.to_lowercase()) {
                faults.push(format!("\"{not}\" (the glossary says \"{want}\")"));
            }
        }
        if t.used == used && !lower.contains(&want.to_lowercase()) {
            faults.push(format!("\"{want}\" is never used"));
        }
    }
    faults
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "intro\n\n| Tiếng Việt | English | not (vi) | not (en) | used in |\n|---|---|---|---|---|\n| Lĩnh vực phản ánh | Category | Loại sự cố | | app |\n| Xóa | Delete | xoá · xoà | | data |\n";

    #[test]
    fn rows_parse_and_faults_are_found_both_ways() {
        let terms = parse(SAMPLE);
        assert_eq!(terms.len(), 2, "the header and rule rows are not terms");
        assert_eq!(terms[1].not_vi, ["xoá", "xoà"]);
        assert!(faults(&terms, Lang::Vi, Used::App, "Lĩnh vực phản ánh; Xóa").is_empty());
        let bad = faults(&terms, Lang::Vi, Used::App, "Loại sự cố; xoá ảnh");
        assert_eq!(bad.len(), 3, "{bad:?}");
        assert!(faults(&terms, Lang::En, Used::App, "category").is_empty());
    }
}
