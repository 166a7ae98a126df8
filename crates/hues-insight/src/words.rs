//! The words that rise in what citizens write: this week against the eight weeks before.
//!
//! Texts are split into words, Vietnamese stop words dropped (on the accented text, since
//! folding makes "đến" (to) and "đèn" (lamp) the same `den`), then folded (`hues_wire::fold`).
//! Terms are single words and two-word phrases (most Vietnamese words are two syllables:
//! "ngập nước", "đèn đường"). A term rises when the share of this week's texts holding it is
//! above its share before, ranked by the log-likelihood ratio (G²) of the 2×2 table.

use std::collections::{BTreeSet, HashMap};

/// Accented Vietnamese and English words that say nothing about a problem.
const STOP: &[&str] = &[
    "và", "là", "của", "có", "không", "được", "cho", "này", "đó", "thì", "ở", "tại", "trên",
    "dưới", "với", "các", "những", "một", "đã", "đang", "sẽ", "rất", "quá", "nhiều", "ít", "đến",
    "từ", "về", "như", "khi", "còn", "mà", "nên", "vì", "để", "bị", "lại", "ra", "vào", "cũng",
    "vẫn", "hay", "hoặc", "nếu", "ấy", "kia", "đây", "gì", "nào", "tôi", "chúng", "bạn", "anh",
    "chị", "em", "ông", "bà", "xin", "cảm", "ơn", "vui", "lòng", "giúp", "nhé", "ạ", "rồi", "lắm",
    "thế", "người", "cần", "phải", "sao", "chưa", "mới", "nữa", "hết", "làm", "ngày", "hôm", "nay",
    "qua", "trong", "ngoài", "sau", "trước", "khu", "vực", "the", "a", "an", "and", "or", "of",
    "to", "in", "on", "at", "is", "are", "was", "it", "this", "that", "for", "with", "please",
    "there", "be", "not", "no", "very", "my", "we",
];

/// The terms of one text (each once).
pub fn terms(text: &str) -> BTreeSet<String> {
    let lower = text.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            if STOP.contains(&w) || w.chars().all(|c| c.is_ascii_digit()) {
                String::new()
            } else {
                hues_wire::fold::fold(w)
            }
        })
        .collect();
    let mut out = BTreeSet::new();
    for (i, w) in words.iter().enumerate() {
        if w.chars().count() < 2 {
            continue;
        }
        out.insert(w.clone());
        if let Some(next) = words.get(i + 1).filter(|n| n.chars().count() >= 2) {
            out.insert(format!("{w} {next}"));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rising {
    pub term: String,
    /// Texts holding it this week, and in the weeks before.
    pub now: u32,
    pub before: u32,
    pub g2: f64,
    /// This week's texts holding it (indices into the texts given).
    pub texts: Vec<usize>,
}

fn xlnx(x: f64) -> f64 {
    if x > 0.0 { x * x.ln() } else { 0.0 }
}

/// G² of the 2×2 table (a, b / c, d).
fn g2(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let n = a + b + c + d;
    2.0 * (xlnx(a) + xlnx(b) + xlnx(c) + xlnx(d) + xlnx(n)
        - xlnx(a + b)
        - xlnx(c + d)
        - xlnx(a + c)
        - xlnx(b + d))
}

/// The rising terms among `texts` ((text, written this week?)), at most `limit`, each held
/// by at least `min_now` texts this week. A single word is left out when a phrase holding it
/// rises with as many texts.
pub fn rising(texts: &[(&str, bool)], min_now: u32, limit: usize) -> Vec<Rising> {
    let (mut n_now, mut n_before) = (0f64, 0f64);
    let mut counts: HashMap<String, (u32, u32, Vec<usize>)> = HashMap::new();
    for (i, (text, now)) in texts.iter().enumerate() {
        if *now {
            n_now += 1.0;
        } else {
            n_before += 1.0;
        }
        for t in terms(text) {
            let e = counts.entry(t).or_default();
            if *now {
                e.0 += 1;
                e.2.push(i);
            } else {
                e.1 += 1;
            }
        }
    }
    if n_now == 0.0 {
        return Vec::new();
    }
    let mut out: Vec<Rising> = counts
        .into_iter()
        .filter(|(_, (a, b, _))| {
            *a >= min_now && f64::from(*a) / n_now > f64::from(*b) / n_before.max(1.0)
        })
        .map(|(term, (a, b, texts))| {
            let (af, bf) = (f64::from(a), f64::from(b));
            Rising {
                g2: g2(af, bf, n_now - af, n_before - bf),
                term,
                now: a,
                before: b,
                texts,
            }
        })
        .collect();
    // Ties: a phrase says more than a word.
    out.sort_by(|x, y| {
        y.g2.total_cmp(&x.g2)
            .then_with(|| y.term.contains(' ').cmp(&x.term.contains(' ')))
            .then_with(|| x.term.cmp(&y.term))
    });
    let phrases: Vec<(String, u32)> = out
        .iter()
        .filter(|r| r.term.contains(' '))
        .map(|r| (r.term.clone(), r.now))
        .collect();
    out.retain(|r| {
        r.term.contains(' ')
            || !phrases
                .iter()
                .any(|(p, n)| *n >= r.now && p.split(' ').any(|w| w == r.term))
    });
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_go_before_folding() {
        let t = terms("Đèn đường không sáng đến tối");
        assert!(t.contains("den duong"), "{t:?}");
        assert!(t.contains("den"));
        assert!(!t.contains("khong"));
        // "đến" is a stop word, "đèn" is not, though both fold to "den".
        assert!(terms("đến nơi").iter().all(|w| !w.starts_with("den")));
    }

    #[test]
    fn a_new_phrase_rises_and_old_ones_do_not() {
        let mut texts: Vec<(&str, bool)> = Vec::new();
        for _ in 0..40 {
            texts.push(("Rác thải bốc mùi", false));
            texts.push(("Ổ gà trên đường", false));
        }
        for _ in 0..5 {
            texts.push(("Rác thải bốc mùi", true));
            texts.push(("Ngập nước sâu ở kiệt", true));
        }
        let r = rising(&texts, 3, 5);
        assert_eq!(r[0].term, "ngap nuoc", "{r:?}");
        assert_eq!(r[0].now, 5);
        assert_eq!(r[0].texts.len(), 5);
        assert!(r.iter().all(|x| !x.term.contains("rac")), "{r:?}");
        assert!(
            r.iter().all(|x| x.term != "ngap"),
            "single word under its phrase: {r:?}"
        );
    }
}
