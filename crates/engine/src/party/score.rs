//! Scoring one query against one listed name: token alignment (exact, typo,
//! romanisation variant, split/joined words, initials), weighted coverage of
//! both names, and the adjustments that make a score explainable.

use std::fmt::Write as _;

use super::vocab::Vocab;

/// One query token with its expansions into the vocabulary.
#[derive(Clone, Debug)]
pub struct QToken<'a> {
    /// Normalised text.
    pub text: String,
    /// Weight (idf of the token, or of its best listed variant).
    pub weight: f32,
    /// Listed tokens it may stand for, with similarity, sorted by id
    /// (borrowed from the index's memo for listed tokens).
    pub exp: std::borrow::Cow<'a, [(u32, f32)]>,
    /// True when some expansion is a join of two listed tokens.
    pub joins: bool,
    /// True for a run of two initials of a Latin-script name ("JC").
    pub initials: bool,
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

/// An aligned pair: query tokens `qa..=qb` with the name tokens in `nmask`.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    qa: u8,
    qb: u8,
    nmask: u64,
    sim: f32,
}

/// The alignment of a query with one name.
#[derive(Clone, Debug, Default)]
pub struct Alignment {
    /// Chosen links, in query order.
    pub links: Vec<Link>,
    /// Weighted share of the query covered, in [0, 1].
    pub query_cov: f32,
    /// Weighted share of the name covered, in [0, 1].
    pub name_cov: f32,
    /// Number of name tokens covered.
    pub name_tokens_covered: u32,
    /// Number of query tokens covered.
    pub query_tokens_covered: u32,
    /// True when every matched listed token is a generic word and the name
    /// has others.
    pub generic_only: bool,
    /// Mask of the name tokens covered.
    pub name_mask: u64,
    /// Mask of the query tokens covered.
    pub query_mask: u64,
    /// Number of typo-like links (similarity below 1, not a romanisation
    /// variant of the table).
    pub fuzzy_links: u32,
    /// True when a pair of words is spelt otherwise (similarity below 1:
    /// a slip, a variant of the tables, a word form).
    pub spelt_otherwise: bool,
    /// True when one query word is paired with two listed words or more
    /// (`petrochina` with PETRO CHINA).
    pub word_for_words: bool,
    /// True when words are paired run together or split (two query words
    /// with one listed word, or one with two) and not as written:
    /// `micron technology` with MICROTECHNOLOGY.
    pub regrouped_fuzzy: bool,
}

/// Similarity of `id` in an expansion list sorted by id (0 when absent).
fn lookup(exp: &[(u32, f32)], id: u32) -> f32 {
    match exp.binary_search_by_key(&id, |(v, _)| *v) {
        Ok(i) => exp[i].1,
        Err(_) => 0.0,
    }
}

/// Candidate links (with their weight) and chosen links.
type LinkBufs = (Vec<(Link, f32)>, Vec<Link>);

thread_local! {
    /// Reused buffers: candidate links and chosen links.
    static BUFS: std::cell::RefCell<LinkBufs> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Aligns the query with a name of `tokens` (and `joins`: listed token
/// pairs concatenated, with the mask of the two tokens) and computes the
/// weighted coverages. Links are chosen greedily, most similar first.
pub fn align(
    q: &[QToken<'_>],
    qjoins: &[QJoin],
    tokens: &[u32],
    joins: &[(u32, u64)],
    vocab: &Vocab,
    allow_initials: bool,
    keep_links: bool,
) -> Alignment {
    BUFS.with(|b| {
        let mut b = b.borrow_mut();
        let (links, chosen) = &mut *b;
        links.clear();
        chosen.clear();
        align_with(
            q,
            qjoins,
            tokens,
            joins,
            vocab,
            allow_initials,
            keep_links,
            links,
            chosen,
        )
    })
}

#[allow(clippy::too_many_arguments)]
fn align_with(
    q: &[QToken<'_>],
    qjoins: &[QJoin],
    tokens: &[u32],
    joins: &[(u32, u64)],
    vocab: &Vocab,
    allow_initials: bool,
    keep_links: bool,
    links: &mut Vec<(Link, f32)>,
    chosen: &mut Vec<Link>,
) -> Alignment {
    let n = tokens.len().min(64);
    let in_name = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    // The weight of the name tokens in `m`, summed in token order (only
    // the set bits are visited: most masks hold one token).
    let wn_mask = |m: u64| -> f32 {
        let mut m = m & in_name;
        // -0.0, as `Iterator::sum` starts: the same value for an empty mask.
        let mut sum = -0.0;
        while m != 0 {
            sum += vocab.idf(tokens[m.trailing_zeros() as usize]);
            m &= m - 1;
        }
        sum
    };
    let mut push = |qa: usize, qb: usize, nmask: u64, sim: f32| {
        let wq: f32 = q[qa..=qb].iter().map(|t| t.weight).sum();
        links.push((
            Link {
                qa: qa as u8,
                qb: qb as u8,
                nmask,
                sim,
            },
            wq + wn_mask(nmask),
        ));
    };
    for (i, qt) in q.iter().enumerate() {
        for (j, &t) in tokens.iter().take(n).enumerate() {
            let mut s = lookup(&qt.exp, t);
            if s == 0.0
                && allow_initials
                && qt.text.len() == 1
                && vocab.text(t).as_bytes().first() == qt.text.as_bytes().first()
            {
                s = 0.6;
            }
            if s > 0.0 {
                push(i, i, 1u64 << j, s);
            }
        }
        // A run of initials ("JC") for as many given names in a row
        // ("Jean Claude"), their first letters in order.
        if allow_initials && qt.initials {
            let k = qt.text.len();
            let letters = qt.text.as_bytes();
            for j in 0..(n + 1).saturating_sub(k) {
                if (0..k).all(|m| vocab.text(tokens[j + m]).as_bytes().first() == Some(&letters[m]))
                {
                    push(
                        i,
                        i,
                        ((1u64 << k) - 1) << j,
                        super::similarity::INITIALS_RUN_SIM,
                    );
                }
            }
        }
        if qt.joins {
            for &(jn, mask) in joins {
                let s = lookup(&qt.exp, jn);
                if s > 0.0 {
                    push(i, i, mask, s);
                }
            }
        }
    }
    for qj in qjoins {
        for (j, &t) in tokens.iter().take(n).enumerate() {
            let s = lookup(&qj.exp, t);
            if s > 0.0 {
                push(qj.a, qj.b, 1u64 << j, s);
            }
        }
        for &(jn, mask) in joins {
            let s = lookup(&qj.exp, jn);
            if s > 0.0 {
                push(qj.a, qj.b, mask, s);
            }
        }
    }
    links.sort_by(|(a, wa), (b, wb)| {
        b.sim
            .total_cmp(&a.sim)
            .then(wb.total_cmp(wa))
            .then(a.qa.cmp(&b.qa))
            .then(a.nmask.cmp(&b.nmask))
    });
    let mut q_used = 0u64;
    let mut n_used = 0u64;
    for &(l, _) in links.iter() {
        let qm = span_mask(l.qa, l.qb);
        if q_used & qm != 0 || n_used & l.nmask != 0 {
            continue;
        }
        q_used |= qm;
        n_used |= l.nmask;
        chosen.push(l);
    }
    let q_total: f32 = q.iter().map(|t| t.weight).sum();
    let n_total: f32 = wn_mask(u64::MAX);
    let mut q_cov = 0.0;
    let mut n_cov = 0.0;
    for l in chosen.iter() {
        q_cov += l.sim
            * q[l.qa as usize..=l.qb as usize]
                .iter()
                .map(|t| t.weight)
                .sum::<f32>();
        n_cov += l.sim * wn_mask(l.nmask);
    }
    // The match rests on generic words while the name's distinctive words
    // are missing ("International Trading" against "XYZ International Trading").
    let generic_only = !chosen.is_empty()
        && (0..n).all(|j| n_used & (1u64 << j) == 0 || vocab.is_generic(tokens[j]))
        && (0..n).any(|j| !vocab.is_generic(tokens[j]));
    let word_for_words = chosen
        .iter()
        .any(|l| l.qa == l.qb && l.nmask.count_ones() >= 2);
    let regrouped_fuzzy = chosen
        .iter()
        .any(|l| (l.qa != l.qb || l.nmask.count_ones() >= 2) && l.sim < 1.0);
    let links = if keep_links {
        chosen.sort_by_key(|l| l.qa);
        chosen.clone()
    } else {
        Vec::new()
    };
    // Typo-like pairs (not romanisation variants from the table).
    let fuzzy_links = chosen
        .iter()
        .filter(|l| {
            l.sim < 1.0
                && !(l.qa == l.qb
                    && l.nmask.count_ones() == 1
                    && super::similarity::equivalent(
                        &q[l.qa as usize].text,
                        vocab.text(tokens[l.nmask.trailing_zeros() as usize]),
                    ))
        })
        .count() as u32;
    let spelt_otherwise = chosen.iter().any(|l| l.sim < 1.0);
    Alignment {
        generic_only,
        name_mask: n_used,
        query_mask: q_used,
        fuzzy_links,
        spelt_otherwise,
        word_for_words,
        regrouped_fuzzy,
        links,
        query_cov: if q_total > 0.0 { q_cov / q_total } else { 0.0 },
        name_cov: if n_total > 0.0 { n_cov / n_total } else { 0.0 },
        name_tokens_covered: n_used.count_ones(),
        query_tokens_covered: q_used.count_ones(),
    }
}

/// [`span_mask`] of query tokens `a..=b` (indices past 63 count as 63).
pub(super) fn span_bits(a: usize, b: usize) -> u64 {
    span_mask(a.min(63) as u8, b.min(63) as u8)
}

fn span_mask(a: u8, b: u8) -> u64 {
    let a = u32::from(a.min(63));
    let b = u32::from(b.min(63));
    let width = b - a + 1;
    let ones = if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    ones << a
}

impl Alignment {
    /// Pairs as `query~listed (sim)` strings for explanations and matched terms.
    pub fn pairs(&self, q: &[QToken<'_>], tokens: &[u32], vocab: &Vocab) -> Vec<String> {
        self.links
            .iter()
            .map(|l| {
                let qs: Vec<&str> = (l.qa..=l.qb).map(|i| q[i as usize].text.as_str()).collect();
                let ns: Vec<&str> = (0..tokens.len().min(64))
                    .filter(|j| l.nmask & (1u64 << j) != 0)
                    .map(|j| vocab.text(tokens[j]))
                    .collect();
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
    pub fn describe(&self, q: &[QToken<'_>], tokens: &[u32], vocab: &Vocab) -> String {
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
            .filter(|(j, _)| {
                !self
                    .links
                    .iter()
                    .any(|l| *j < 64 && l.nmask & (1u64 << j) != 0)
            })
            .map(|(_, &t)| vocab.text(t))
            .collect();
        if !unmatched.is_empty() {
            let _ = write!(
                s,
                "; listed tokens not in the query: {}",
                unmatched.join(" ")
            );
        }
        let extra: Vec<&str> = q
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                !self
                    .links
                    .iter()
                    .any(|l| (l.qa as usize..=l.qb as usize).contains(i))
            })
            .map(|(_, t)| t.text.as_str())
            .collect();
        if !extra.is_empty() {
            let _ = write!(s, "; query tokens not in the name: {}", extra.join(" "));
        }
        s
    }
}
