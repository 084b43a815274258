//! Scoring one query against one listed name: token alignment (exact, typo,
//! romanisation variant, split/joined words, initials), weighted coverage of
//! both names, and the adjustments that make a score explainable.

use std::fmt::Write as _;

use super::vocab::Vocab;

/// One query token with its expansions into the vocabulary.
#[derive(Clone, Debug)]
pub struct QToken {
    /// Normalised text.
    pub text: String,
    /// Weight (idf of the token, or of its best listed variant).
    pub weight: f32,
    /// Listed tokens it may stand for, with similarity.
    pub exp: Vec<(u32, f32)>,
}

/// Adjacent query tokens `a..=b` that, joined, equal or resemble one listed token.
#[derive(Clone, Debug)]
pub struct QJoin {
    /// First query token.
    pub a: usize,
    /// Last query token.
    pub b: usize,
    /// Listed tokens the join may stand for.
    pub exp: Vec<(u32, f32)>,
}

/// An aligned pair: query tokens `qa..=qb` with name tokens `na..=nb`.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    qa: u8,
    qb: u8,
    na: u8,
    nb: u8,
    sim: f32,
}

/// The alignment of a query with one name.
#[derive(Clone, Debug, Default)]
pub struct Alignment {
    /// Chosen links.
    pub links: Vec<Link>,
    /// Weighted share of the query covered, in [0, 1].
    pub query_cov: f32,
    /// Weighted share of the name covered, in [0, 1].
    pub name_cov: f32,
    /// Number of name tokens matched exactly (sim 1).
    pub exact_pairs: usize,
    /// Highest weight among matched name tokens.
    pub best_weight: f32,
}

fn lookup(exp: &[(u32, f32)], id: u32) -> f32 {
    exp.iter()
        .find(|(v, _)| *v == id)
        .map(|(_, s)| *s)
        .unwrap_or(0.0)
}

/// Aligns the query with a name of `tokens` (and `joins[k]` = join of
/// tokens k and k+1, `u32::MAX` when absent) and computes coverages.
pub fn align(
    q: &[QToken],
    qjoins: &[QJoin],
    tokens: &[u32],
    joins: &[u32],
    vocab: &Vocab,
    allow_initials: bool,
) -> Alignment {
    let mut links: Vec<Link> = Vec::with_capacity(q.len() * 2);
    for (i, qt) in q.iter().enumerate() {
        for (j, &t) in tokens.iter().enumerate() {
            let mut s = lookup(&qt.exp, t);
            if s == 0.0 && allow_initials && qt.text.len() == 1 {
                if vocab.text(t).as_bytes().first() == qt.text.as_bytes().first() {
                    s = 0.6;
                }
            }
            if s > 0.0 {
                links.push(Link {
                    qa: i as u8,
                    qb: i as u8,
                    na: j as u8,
                    nb: j as u8,
                    sim: s,
                });
            }
        }
        for (k, &jn) in joins.iter().enumerate() {
            if jn == u32::MAX {
                continue;
            }
            let s = lookup(&qt.exp, jn);
            if s > 0.0 {
                links.push(Link {
                    qa: i as u8,
                    qb: i as u8,
                    na: k as u8,
                    nb: k as u8 + 1,
                    sim: s,
                });
            }
        }
    }
    for qj in qjoins {
        for (j, &t) in tokens.iter().enumerate() {
            let s = lookup(&qj.exp, t);
            if s > 0.0 {
                links.push(Link {
                    qa: qj.a as u8,
                    qb: qj.b as u8,
                    na: j as u8,
                    nb: j as u8,
                    sim: s,
                });
            }
        }
    }
    let wq = |l: &Link| -> f32 { (l.qa..=l.qb).map(|i| q[i as usize].weight).sum() };
    let wn = |l: &Link| -> f32 { (l.na..=l.nb).map(|j| vocab.idf(tokens[j as usize])).sum() };
    links.sort_by(|a, b| {
        let va = a.sim * (wq(a) + wn(a));
        let vb = b.sim * (wq(b) + wn(b));
        vb.total_cmp(&va)
            .then(a.qa.cmp(&b.qa))
            .then(a.na.cmp(&b.na))
    });
    let mut q_used = 0u64;
    let mut n_used = 0u64;
    let mut chosen = Vec::with_capacity(q.len());
    for l in links {
        let qm = span_mask(l.qa, l.qb);
        let nm = span_mask(l.na, l.nb);
        if q_used & qm != 0 || n_used & nm != 0 {
            continue;
        }
        q_used |= qm;
        n_used |= nm;
        chosen.push(l);
    }
    let q_total: f32 = q.iter().map(|t| t.weight).sum();
    let n_total: f32 = tokens.iter().map(|&t| vocab.idf(t)).sum();
    let mut q_cov = 0.0;
    let mut n_cov = 0.0;
    let mut exact = 0;
    let mut best = 0.0f32;
    for l in &chosen {
        q_cov += l.sim * wq(l);
        n_cov += l.sim * wn(l);
        if l.sim >= 1.0 {
            exact += usize::from(l.nb - l.na) + 1;
        }
        best = best.max(wn(l));
    }
    chosen.sort_by_key(|l| l.qa);
    Alignment {
        links: chosen,
        query_cov: if q_total > 0.0 { q_cov / q_total } else { 0.0 },
        name_cov: if n_total > 0.0 { n_cov / n_total } else { 0.0 },
        exact_pairs: exact,
        best_weight: best,
    }
}

fn span_mask(a: u8, b: u8) -> u64 {
    let a = u32::from(a.min(63));
    let b = u32::from(b.min(63));
    let width = b - a + 1;
    let ones = if width >= 64 { u64::MAX } else { (1u64 << width) - 1 };
    ones << a
}

impl Alignment {
    /// Pairs as `query~listed (sim)` strings for explanations and matched terms.
    pub fn pairs(&self, q: &[QToken], tokens: &[u32], vocab: &Vocab) -> Vec<String> {
        self.links
            .iter()
            .map(|l| {
                let qs: Vec<&str> = (l.qa..=l.qb).map(|i| q[i as usize].text.as_str()).collect();
                let ns: Vec<&str> = (l.na..=l.nb).map(|j| vocab.text(tokens[j as usize])).collect();
                let (qs, ns) = (qs.join(" "), ns.join(" "));
                if l.sim >= 1.0 && qs == ns {
                    qs
                } else {
                    format!("{qs}~{ns}")
                }
            })
            .collect()
    }

    /// Human-readable pairing with similarities.
    pub fn describe(&self, q: &[QToken], tokens: &[u32], vocab: &Vocab) -> String {
        let mut s = String::new();
        for (p, l) in self.pairs(q, tokens, vocab).iter().zip(&self.links) {
            if !s.is_empty() {
                s.push_str(", ");
            }
            let _ = write!(s, "{p} {:.2}", l.sim);
        }
        let unmatched: Vec<&str> = tokens
            .iter()
            .enumerate()
            .filter(|(j, _)| !self.links.iter().any(|l| (l.na as usize..=l.nb as usize).contains(j)))
            .map(|(_, &t)| vocab.text(t))
            .collect();
        if !unmatched.is_empty() {
            let _ = write!(s, "; listed tokens not in the query: {}", unmatched.join(" "));
        }
        let extra: Vec<&str> = q
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.links.iter().any(|l| (l.qa as usize..=l.qb as usize).contains(i)))
            .map(|(_, t)| t.text.as_str())
            .collect();
        if !extra.is_empty() {
            let _ = write!(s, "; query tokens not in the name: {}", extra.join(" "));
        }
        s
    }
}
