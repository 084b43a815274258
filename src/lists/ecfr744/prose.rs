//! The prose of an eCFR part 744 "Entity" cell, read into names and
//! addresses.
//!
//! A cell reads `NAME, a.k.a., the following N aliases: —A; —B; and —C.`
//! then, after a blank line, `ADDRESS; and ADDRESS. (See alternate address
//! under X)`; or `NAME, ADDRESS` without aliases; or with inline aliases
//! (`NAME (a.k.a. A; f.k.a. B), ADDRESS`, `NAME, a.k.a., A, ADDRESS`). A
//! cell may also hold blocks of subordinate institutions and affiliated
//! entities (italic names) and addresses that apply to all of them.
//!
//! Where the prose gives no separator, the name ends at the first comma or
//! full stop that is not part of a legal form (`Co., Ltd.`, `Ltd. 300 Oak
//! Way` ends after `Ltd.`); the announced alias count (`the following two
//! aliases`) bounds a list written without dashes, and a list whose count
//! disagrees is reported in the entry's notes.

use super::table::{ITALIC_END, ITALIC_START, SUP_END, SUP_START};

/// One listed party read from prose.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Entity {
    /// The name as listed.
    pub name: String,
    /// a.k.a. names.
    pub aliases: Vec<String>,
    /// f.k.a. (and n.k.a.) names.
    pub former: Vec<String>,
    /// Addresses as written.
    pub addresses: Vec<String>,
    /// Cross-references and reading notes ("See alternate address under Pakistan").
    pub notes: Vec<String>,
}

/// A part of a cell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block {
    /// The cell's own party.
    Main(String),
    /// A subordinate institution (a party of its own, listed with the main one).
    Subordinate(String),
    /// Affiliated entities, each starting with an italic name.
    Affiliates(String),
    /// Addresses that apply to the main party and its subordinates.
    Addresses(String),
    /// "The following eight subordinate institutions of X:" (X).
    Parent(String),
}

/// Text without italic markers; superscripts inline (`1 1⁄2`).
pub(crate) fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ITALIC_START | ITALIC_END | SUP_END => {}
            SUP_START => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A requirement cell: footnote references as `[n]`.
pub(crate) fn with_footnote_refs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ITALIC_START | ITALIC_END => {}
            SUP_START => out.push_str(" ["),
            SUP_END => out.push(']'),
            _ => out.push(c),
        }
    }
    collapse(&out)
}

/// Footnote numbers referenced in a cell.
pub(crate) fn footnote_refs(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(SUP_START) {
        let after = &rest[i + SUP_START.len_utf8()..];
        let Some(j) = after.find(SUP_END) else {
            break;
        };
        let n = after[..j].trim().to_string();
        if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && !out.contains(&n) {
            out.push(n);
        }
        rest = &after[j..];
    }
    out
}

/// Whitespace runs as one space, trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits a cell into its blocks (marker lines start a new block).
pub(crate) fn blocks(cell: &str) -> Vec<Block> {
    enum Kind {
        Main,
        Subordinate,
        Affiliates,
        Addresses,
    }
    let mut out = Vec::new();
    let mut kind = Kind::Main;
    let mut buf = String::new();
    let flush = |kind: &Kind, buf: &mut String, out: &mut Vec<Block>| {
        let text = std::mem::take(buf);
        if plain(&text).trim().is_empty() {
            return;
        }
        out.push(match kind {
            Kind::Main => Block::Main(text),
            Kind::Subordinate => Block::Subordinate(text),
            Kind::Affiliates => Block::Affiliates(text),
            Kind::Addresses => Block::Addresses(text),
        });
    };
    for line in cell.split('\n') {
        let p = collapse(&plain(line));
        let lower = p.to_lowercase();
        let marker = lower.trim_end_matches(':').trim();
        if marker == "subordinate institution" || marker == "subordinate instituion" {
            flush(&kind, &mut buf, &mut out);
            kind = Kind::Subordinate;
            continue;
        }
        if let Some(rest) = lower.strip_prefix("affiliated entities") {
            flush(&kind, &mut buf, &mut out);
            kind = Kind::Affiliates;
            let offset = line.len() - line.trim_start().len();
            let _ = rest;
            // Keep whatever follows the colon on the same line.
            if let Some((_, after)) = line[offset..].split_once(':') {
                buf.push_str(after);
                buf.push('\n');
            }
            continue;
        }
        if lower.starts_with("the following addresses apply") {
            flush(&kind, &mut buf, &mut out);
            kind = Kind::Addresses;
            if let Some((_, after)) = line.split_once(':') {
                buf.push_str(after);
                buf.push('\n');
            }
            continue;
        }
        if lower.starts_with("the following") && lower.contains("subordinate institutions of") {
            flush(&kind, &mut buf, &mut out);
            if let Some((_, parent)) = p.split_once(" of ") {
                out.push(Block::Parent(
                    parent.trim_end_matches(':').trim().to_string(),
                ));
            }
            kind = Kind::Subordinate;
            continue;
        }
        buf.push_str(line);
        buf.push('\n');
    }
    flush(&kind, &mut buf, &mut out);
    out
}

/// The affiliated entities of a block: each starts at an italic run that is
/// a name (not a connector such as "and").
pub(crate) fn affiliates(block: &str) -> Vec<String> {
    let mut starts = Vec::new();
    let mut search = 0;
    while let Some(i) = block[search..].find(ITALIC_START) {
        let at = search + i;
        let after = &block[at + ITALIC_START.len_utf8()..];
        let end = after.find(ITALIC_END).unwrap_or(after.len());
        let words = collapse(&after[..end]);
        let connector = words
            .trim_matches(|c: char| c == ',' || c == ';')
            .to_lowercase();
        if !matches!(connector.as_str(), "" | "and" | "or" | "and," | "and;") {
            starts.push(at);
        }
        search = at + ITALIC_START.len_utf8();
    }
    if starts.is_empty() {
        return vec![block.to_string()];
    }
    let mut out = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(block.len());
        out.push(block[s..end].to_string());
    }
    out
}

/// Legal forms that may follow a comma or full stop inside a name.
const LEGAL: &[&str] = &[
    "co",
    "ltd",
    "inc",
    "corp",
    "llc",
    "l.l.c",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "ao",
    "pao",
    "oao",
    "zao",
    "ooo",
    "gmbh",
    "ag",
    "sa",
    "s.a",
    "bv",
    "b.v",
    "nv",
    "n.v",
    "plc",
    "pte",
    "pvt",
    "private",
    "limited",
    "company",
    "corporation",
    "sdn",
    "bhd",
    "srl",
    "s.r.l",
    "spa",
    "s.p.a",
    "kft",
    "oy",
    "ou",
    "ab",
    "a.s",
    "llp",
    "lp",
    "fze",
    "fzc",
    "fzco",
    "fz-llc",
    "sarl",
    "s.a.r.l",
    "s.l",
    "pty",
    "kk",
    "k.k",
    "jv",
    "tov",
    "s.r.o",
    "d.o.o",
    "sti",
    "şti",
    "lda",
    "ltda",
    "sas",
    "s.a.s",
    "ehf",
    "aps",
    "pt",
    "tbk",
    "se",
    "est",
    "incorporated",
    "s.a.c",
    "c.a",
    "de",
];

/// True when `word` (punctuation at its ends ignored) is a legal form.
fn is_legal(word: &str) -> bool {
    let w = word
        .trim_matches(|c: char| matches!(c, ',' | ';' | '.' | '(' | ')' | '"' | '\''))
        .to_lowercase();
    LEGAL.contains(&w.as_str())
}

/// True for initials and one- or two-letter abbreviations (`A.A.`, `M.`).
fn is_initials(word: &str) -> bool {
    let w = word.trim_end_matches('.');
    !w.is_empty()
        && (w
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
            || (w.chars().count() <= 2 && w.chars().all(char::is_alphabetic)))
}

/// The word ending at byte `end` of `s`.
fn word_before(s: &str, end: usize) -> &str {
    let head = &s[..end];
    let start = head
        .rfind(|c: char| c.is_whitespace() || c == ',')
        .map_or(0, |i| i + 1);
    &head[start..]
}

/// The word starting at the beginning of `s` (after spaces).
fn word_after(s: &str) -> &str {
    let t = s.trim_start();
    let end = t
        .find(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .unwrap_or(t.len());
    &t[..end]
}

/// Splits `NAME, rest` (or `NAME. rest`) where the name ends: at the first
/// comma or full stop outside brackets that is not inside a legal form.
pub(crate) fn cut_name(s: &str) -> (String, String) {
    let s = collapse(s);
    let bytes: Vec<(usize, char)> = s.char_indices().collect();
    let mut depth = 0usize;
    for (k, &(i, c)) in bytes.iter().enumerate() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let rest = &s[i + 1..];
                if is_legal(word_after(rest)) {
                    continue;
                }
                return (s[..i].trim().to_string(), rest.trim().to_string());
            }
            '.' if depth == 0 => {
                let next = bytes.get(k + 1).map(|&(_, c)| c);
                if next.is_some_and(|c| !c.is_whitespace()) {
                    continue; // inside a word or abbreviation (P.O., 1.5)
                }
                let prev = word_before(&s, i + 1);
                let rest = &s[i + 1..];
                let after = word_after(rest);
                if is_legal(prev) {
                    if is_legal(after) || after.is_empty() {
                        continue;
                    }
                    return (s[..=i].trim().to_string(), rest.trim().to_string());
                }
                if is_initials(prev) {
                    continue;
                }
                return (s[..i].trim().to_string(), rest.trim().to_string());
            }
            _ => {}
        }
    }
    (
        s.trim()
            .trim_end_matches(['.', ',', ';'])
            .trim()
            .to_string(),
        String::new(),
    )
}

/// An alias marker at byte `i` of `s`: `a.k.a.`, `aka`, `f.k.a.`, `n.k.a.`
/// (any case, with or without dots and inner spaces), starting a word.
/// Returns (former name?, byte length).
fn marker_at(s: &str, i: usize) -> Option<(bool, usize)> {
    if i > 0 {
        let prev = s[..i].chars().next_back()?;
        if prev.is_alphanumeric() || prev == '.' {
            return None;
        }
    }
    let rest = &s[i..];
    let first = rest.chars().next()?.to_ascii_lowercase();
    let former = match first {
        'a' => false,
        'f' | 'n' => true,
        _ => return None,
    };
    // Letters k, a after the first, each optionally followed by '.' and a space.
    let mut len = first.len_utf8();
    let mut dotted = false;
    let mut chars = rest[len..].char_indices().peekable();
    let mut want = ['k', 'a'].into_iter();
    let mut expect = want.next();
    while let Some(w) = expect {
        // optional '.', optional one space
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            dotted = true;
        }
        if let Some(&(_, ' ')) = chars.peek() {
            if !dotted {
                return None;
            }
            chars.next();
        }
        match chars.next() {
            Some((j, c)) if c.to_ascii_lowercase() == w => {
                len = first.len_utf8() + j + c.len_utf8();
            }
            _ => return None,
        }
        expect = want.next();
    }
    if let Some(&(j, '.')) = chars.peek() {
        len = first.len_utf8() + j + 1;
        chars.next();
    }
    if !dotted && former {
        return None; // "fka"/"nka" without dots: too likely a word
    }
    match rest[len..].chars().next() {
        Some(c) if c.is_alphanumeric() => None,
        _ => Some((former, len)),
    }
}

/// The first alias marker at or after byte `from`.
fn find_marker(s: &str, from: usize) -> Option<(usize, bool, usize)> {
    s.char_indices()
        .filter(|(i, _)| *i >= from)
        .find_map(|(i, _)| marker_at(s, i).map(|(former, len)| (i, former, len)))
}

const NUMBERS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

/// The alias count an intro announces ("the following three aliases" -> 3,
/// "the following alias" -> 1).
fn announced(intro: &str) -> Option<usize> {
    let words: Vec<String> = intro
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let pos = words.iter().position(|w| w == "alias" || w == "aliases")?;
    for w in words[..pos].iter().rev().take(3) {
        if let Some(n) = NUMBERS.iter().position(|x| x == w) {
            return Some(n);
        }
        if let Ok(n) = w.parse() {
            return Some(n);
        }
    }
    (words[pos] == "alias").then_some(1)
}

/// An alias as listed, without bullets, trailing connectors and a final
/// full stop (kept after a legal form or initials).
fn clean_alias(a: &str) -> String {
    let mut a = collapse(a);
    loop {
        let before = a.clone();
        a = a
            .trim_start_matches(['\u{2014}', '\u{2013}', '-', ' ', ':'])
            .trim()
            .to_string();
        for prefix in ["and ", "or "] {
            if let Some(t) = a.strip_prefix(prefix) {
                a = t.trim().to_string();
            }
        }
        for suffix in [" and", " or", ";", ","] {
            if let Some(t) = a.strip_suffix(suffix) {
                a = t.trim().to_string();
            }
        }
        if a == before {
            break;
        }
    }
    for cut in [", and to include", ", to include", " and to include"] {
        if let Some(i) = a.to_lowercase().find(cut) {
            a.truncate(i);
        }
    }
    if a.ends_with('.') {
        let last = a.split_whitespace().last().unwrap_or("");
        if !(is_legal(last) || is_initials(last)) {
            a.pop();
        }
    }
    a.trim().to_string()
}

/// Addresses of a tail: notes in parentheses ("See alternate address under
/// X") set apart, `Address:` labels dropped, split at `; and`.
fn addresses(tail: &str, e: &mut Entity) {
    let mut t = collapse(tail);
    // Parenthesised cross-references.
    loop {
        let lower = t.to_lowercase();
        let Some(i) = lower.find("(see ") else {
            break;
        };
        let Some(j) = t[i..].find(')') else {
            break;
        };
        let note = t[i + 1..i + j].trim().to_string();
        if !note.is_empty() && !e.notes.contains(&note) {
            e.notes.push(note);
        }
        t = format!("{} {}", &t[..i], &t[i + j + 1..]);
    }
    // "to include the following subordinate." left over from an alias.
    if t.to_lowercase().starts_with("to include") {
        if let Some(i) = t.find(". ") {
            t = t[i + 2..].to_string();
        }
    }
    for part in t.split(';') {
        let mut p = collapse(part);
        // "Addresses for Huawei Technologies Co., Ltd.: Bantian ..."
        let lower = p.to_lowercase();
        if lower.starts_with("addresses for ") || lower.starts_with("address for ") {
            if let Some((_, rest)) = p.split_once(':') {
                p = rest.trim().to_string();
            }
        }
        for label in [
            "and ",
            "Alt Address:",
            "Alt. Address:",
            "Address:",
            "Addresses:",
        ] {
            if p.get(..label.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(label))
            {
                p = p[label.len()..].trim().to_string();
            }
        }
        let p = p.trim_matches(|c: char| c == '.' || c == ',' || c.is_whitespace());
        if !p.is_empty() {
            e.addresses.push(p.to_string());
        }
    }
}

/// Reads one party's prose (a main block, a subordinate block or one
/// affiliate).
pub(crate) fn entity(text: &str) -> Entity {
    let mut e = entity_prose(text);
    // "X (CETC 13) subordinate institution: Hebei Sinopack Electronics"
    let lower = e.name.to_lowercase();
    if let Some(i) = lower.find("subordinate institution:") {
        let parent = e.name[..i].trim().trim_end_matches(',').trim().to_string();
        let name = e.name[i + "subordinate institution:".len()..]
            .trim()
            .to_string();
        if !name.is_empty() {
            e.name = name;
            e.notes.push(format!("Subordinate institution of {parent}"));
        }
    }
    e
}

fn entity_prose(text: &str) -> Entity {
    let t = plain(text);
    let t = t.trim();
    let mut e = Entity::default();
    let Some((first, _, _)) = find_marker(t, 0) else {
        let (name, rest) = cut_name(t);
        e.name = name;
        addresses(&rest, &mut e);
        return e;
    };
    let head = t[..first].trim_end();
    let (head, start) = match head.strip_suffix('(') {
        Some(h) => (h, head.len() - 1),
        None => (head, first),
    };
    e.name = collapse(head).trim_end_matches(',').trim().to_string();
    let mut rest: String = t[start..].to_string();
    loop {
        let r = rest.trim_start_matches([' ', ',', '\n']).to_string();
        if let Some(inner) = r.strip_prefix('(') {
            let lead = inner.len() - inner.trim_start().len();
            if marker_at(inner, lead).is_some() {
                let close = inner.find(')').unwrap_or(inner.len());
                inline_list(&inner[..close], &mut e);
                rest = inner[(close + 1).min(inner.len())..].to_string();
                continue;
            }
            rest = r;
            break;
        }
        let Some((former, len)) = marker_at(&r, 0) else {
            rest = r;
            break;
        };
        let after = &r[len..];
        let intro_end = after
            .find([':', '\n', '\u{2014}'])
            .unwrap_or_else(|| after.char_indices().nth(60).map_or(after.len(), |(i, _)| i));
        let intro = &after[..intro_end];
        let lower = intro.to_lowercase();
        let bullet = lower.contains("following")
            || lower.contains("alias")
            || after[intro_end..].starts_with('\n')
            || after[intro_end..].starts_with('\u{2014}');
        if bullet && !former {
            let body = &after[intro_end + usize::from(after[intro_end..].starts_with(':'))..];
            let tail = bullet_list(body, announced(intro), &mut e);
            addresses(&tail, &mut e);
            return e;
        }
        let body = after.trim_start_matches([',', ' ', ':', '\n']);
        let (name, next) = cut_name(body);
        push_inline(&name, former, &mut e);
        rest = next;
    }
    addresses(&rest, &mut e);
    e
}

/// Inline names after a marker: `A and B` of short names gives two.
fn push_inline(name: &str, former: bool, e: &mut Entity) {
    let parts: Vec<&str> = name.split(" and ").collect();
    let split = parts.len() > 1
        && parts.iter().all(|p| {
            let n = p.split_whitespace().count();
            (1..=4).contains(&n)
                && p.split_whitespace()
                    .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
        });
    let names: Vec<&str> = if split { parts } else { vec![name] };
    for n in names {
        let n = clean_alias(n);
        if n.is_empty() {
            continue;
        }
        if former {
            e.former.push(n);
        } else {
            e.aliases.push(n);
        }
    }
}

/// The inside of `(a.k.a. A; a.k.a. B; f.k.a. C)`.
fn inline_list(inner: &str, e: &mut Entity) {
    let mut pos = 0;
    let mut former = false;
    let mut parts: Vec<(bool, String)> = Vec::new();
    let mut cur = String::new();
    while pos < inner.len() {
        if let Some((f, len)) = marker_at(inner, pos) {
            if !cur.trim().is_empty() {
                parts.push((former, std::mem::take(&mut cur)));
            }
            cur.clear();
            former = f;
            pos += len;
            continue;
        }
        let c = inner[pos..].chars().next().unwrap_or(' ');
        if c == ';' {
            parts.push((former, std::mem::take(&mut cur)));
        } else {
            cur.push(c);
        }
        pos += c.len_utf8();
    }
    parts.push((former, cur));
    for (former, p) in parts {
        let p = collapse(&p);
        let p = p.trim_matches([',', ' ']);
        if p.is_empty() {
            continue;
        }
        // "A, B and C" inside one clause: short names separated by commas.
        let pieces: Vec<&str> = p.split(", ").flat_map(|x| x.split(" and ")).collect();
        let names = pieces.len() > 1
            && pieces.iter().all(|x| {
                let n = x.split_whitespace().count();
                (1..=4).contains(&n)
                    && x.split_whitespace()
                        .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()))
            });
        if names {
            for x in pieces {
                push_inline(x, former, e);
            }
        } else {
            push_inline(p, former, e);
        }
    }
}

/// Splits at `;` (or `; and`, `; or`) followed by a line break: names
/// listed one per line after a dashed one.
fn split_at_line_ends(item: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in item.match_indices(';') {
        let after = item[i + 1..].trim_start_matches([' ', '\t']);
        let after = after
            .strip_prefix("and")
            .or_else(|| after.strip_prefix("or"))
            .map_or(after, |a| a.trim_start_matches([' ', '\t']));
        if after.starts_with('\n') {
            out.push(item[start..i].to_string());
            // Past the connector and the line break.
            start = item.len() - after.len() + 1;
        }
    }
    out.push(item[start..].to_string());
    out
}

/// Byte positions of the bullets of a list: an em dash (or a hyphen
/// followed by a letter) at the start of a line or after `:`, `;` or
/// `; and`. A dash inside a name (`AGAT—Control Systems`) is no bullet.
fn bullet_starts(list: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, c) in list.char_indices() {
        let dash = c == '\u{2014}'
            || (c == '-'
                && list[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric));
        if !dash {
            continue;
        }
        let before = list[..i].trim_end_matches([' ', '\t']);
        let before = before
            .strip_suffix(" and")
            .or_else(|| before.strip_suffix(" or"))
            .map_or(before, |b| b.trim_end());
        let at_start = before.is_empty() || before.ends_with(['\n', ':', ';']);
        if at_start {
            out.push(i);
        }
    }
    out
}

/// A bulleted alias list; returns the text after it (addresses).
fn bullet_list(body: &str, count: Option<usize>, e: &mut Entity) -> String {
    // A blank line ends the list.
    let lines: Vec<&str> = body.split('\n').collect();
    let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let blank = lines
        .iter()
        .enumerate()
        .skip(first + 1)
        .find(|(_, l)| l.trim().is_empty())
        .map(|(i, _)| i);
    let (list, mut tail) = match blank {
        Some(i) => (lines[..i].join("\n"), lines[i..].join("\n")),
        None => (body.to_string(), String::new()),
    };
    let starts = bullet_starts(&list);
    let dashed = !starts.is_empty();
    let mut items: Vec<String> = if dashed {
        let mut out = Vec::new();
        for (n, &s) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(list.len());
            // Undashed names on the lines after a dashed one ("—Huawei Marine;\n HMN Tech").
            out.extend(split_at_line_ends(&list[s..end]));
        }
        out
    } else {
        list.split(';').map(str::to_string).collect()
    };
    items.retain(|i| !clean_alias(i).is_empty());
    if !dashed {
        if let Some(n) = count.filter(|&n| n > 0 && n < items.len()) {
            let rest = items.split_off(n);
            let joined = rest.join(";");
            if let Some(last) = items.last_mut() {
                last.push(';');
                last.push_str(&joined);
            }
        }
    }
    if blank.is_none() {
        if let Some(last) = items.pop() {
            let (name, rest) = cut_name(&last);
            items.push(name);
            tail = rest;
        }
    }
    let aliases: Vec<String> = items
        .iter()
        .map(|i| clean_alias(i))
        .filter(|a| !a.is_empty())
        .collect();
    if let Some(n) = count {
        if n != aliases.len() {
            e.notes
                .push(format!("{n} alias(es) announced, {} read", aliases.len()));
        }
    }
    e.aliases.extend(aliases);
    tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_end_at_the_first_comma_or_stop_outside_legal_forms() {
        let cases = [
            (
                "Huawei Technologies Co., Ltd., Bantian Huawei Base, Longgang",
                "Huawei Technologies Co., Ltd.",
                "Bantian Huawei Base, Longgang",
            ),
            (
                "Huawei Software Technologies Co. Ltd. 300 South Oak Way, Green Park",
                "Huawei Software Technologies Co. Ltd.",
                "300 South Oak Way, Green Park",
            ),
            (
                "Koksokhimtrans Ltd. Rakhmanovskiy lane, 4",
                "Koksokhimtrans Ltd.",
                "Rakhmanovskiy lane, 4",
            ),
            (
                "A.A. Kharkevich Institute (IITP, RAS), Moscow",
                "A.A. Kharkevich Institute (IITP, RAS)",
                "Moscow",
            ),
            (
                "Huawei Tech Investment, PT, Bri Ii Building",
                "Huawei Tech Investment, PT",
                "Bri Ii Building",
            ),
            (
                "Waseem Jawad, P.O. Box: 25123, Dubai U.A.E.",
                "Waseem Jawad",
                "P.O. Box: 25123, Dubai U.A.E.",
            ),
            (
                "Huawei Technology Co. Ltd., Hanoi, Vietnam.",
                "Huawei Technology Co. Ltd.",
                "Hanoi, Vietnam.",
            ),
        ];
        for (text, name, rest) in cases {
            assert_eq!(
                cut_name(text),
                (name.to_string(), rest.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn alias_markers() {
        let yes = [
            "a.k.a.", "A.K.A.", "a.k.a", "aka", "a. k. a.", "f.k.a.", "n.k.a.",
        ];
        for m in yes {
            assert!(marker_at(&format!("{m}, X"), 0).is_some(), "{m}");
        }
        for no in ["akademia", "Karnataka", "fka", "Akash"] {
            assert!(find_marker(no, 0).is_none(), "{no}");
        }
        assert_eq!(announced(", the following three aliases"), Some(3));
        assert_eq!(announced(" the following alias"), Some(1));
        assert_eq!(announced(", the following 22 aliases"), Some(22));
        assert_eq!(announced(", the following aliases"), None);
    }

    fn read(text: &str) -> (String, Vec<String>, Vec<String>, Vec<String>) {
        let e = entity(text);
        (e.name, e.aliases, e.former, e.addresses)
    }

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// (cell, name, aliases, former names, addresses)
    type Cell = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    );

    /// Cells as the eCFR text of 2026-07-23 writes them (shortened).
    #[test]
    fn entity_cells() {
        let cases: &[Cell] = &[
            (
                "Emal Bilal Mangal, a.k.a., the following three aliases:\n\u{2014}Imal Bilal; \u{E000}and\u{E001}\n\u{2014}Aimal Balal; \u{E000}and\u{E001}\n\u{2014}Bellal Mangal.\n \n Kolola Pushta, Kabul, Afghanistan; \u{E000}and\u{E001} Maidan Sahr, Paktiya, Afghanistan.",
                "Emal Bilal Mangal",
                &["Imal Bilal", "Aimal Balal", "Bellal Mangal"],
                &[],
                &[
                    "Kolola Pushta, Kabul, Afghanistan",
                    "Maidan Sahr, Paktiya, Afghanistan",
                ],
            ),
            (
                "APEX, a.k.a., the following four aliases:\n\u{2014}APEKS;\n\u{2014}APEX Systems;\n\u{2014}OOO APEX; and\n\u{2014}APEX Ltd., 26 General Belov St Office 415, Moscow, Russia 115583; and 53 Sherbakovskaya Street, Moscow, Russia 105318.",
                "APEX",
                &["APEKS", "APEX Systems", "OOO APEX", "APEX Ltd."],
                &[],
                &[
                    "26 General Belov St Office 415, Moscow, Russia 115583",
                    "53 Sherbakovskaya Street, Moscow, Russia 105318",
                ],
            ),
            (
                "Kral Aviation, a.k.a., the following two aliases: Kral Havacilik Ic Ve Dis Ticaret Sirketi; and Kral Aviation Ltd. Senlikkoy Mah, Gumus Sok, Istanbul, Turkey; and Yesilkoy Mh., Istanbul",
                "Kral Aviation",
                &[
                    "Kral Havacilik Ic Ve Dis Ticaret Sirketi",
                    "Kral Aviation Ltd.",
                ],
                &[],
                &[
                    "Senlikkoy Mah, Gumus Sok, Istanbul, Turkey",
                    "Yesilkoy Mh., Istanbul",
                ],
            ),
            (
                "Lim Yong Nam, (a.k.a. Lin Rongnan, Steven Lim and Yong Nam Lim), YuJingHuaCheng Huaqiang South Road Futian, Shenzhen, China 518033",
                "Lim Yong Nam",
                &["Lin Rongnan", "Steven Lim", "Yong Nam Lim"],
                &[],
                &["YuJingHuaCheng Huaqiang South Road Futian, Shenzhen, China 518033"],
            ),
            (
                "Hong Kong Engy Technology Co., a.k.a. Hong Kong Energy Technology Co., a.k.a. SZ Engy Technology Co., Workshop 15, 2/F, Cardinal Industrial Building, Hong Kong",
                "Hong Kong Engy Technology Co.",
                &["Hong Kong Energy Technology Co.", "SZ Engy Technology Co."],
                &[],
                &["Workshop 15, 2/F, Cardinal Industrial Building, Hong Kong"],
            ),
            (
                "Majid Seif, a.k.a., Mark Ong and Matti Chong, 27-06 Amcorp Building, Selangor, Malaysia.",
                "Majid Seif",
                &["Mark Ong", "Matti Chong"],
                &[],
                &["27-06 Amcorp Building, Selangor, Malaysia"],
            ),
            (
                "Gazmash, AO (f.k.a., Dochernee Otkrytoe Aktsionernoe Obshchestvo Gazmash), a.k.a., the following two aliases:\n\u{2014}Aktsionernoe Obshchestvo 'Gazmash'; and\n\u{2014}Gazmash. d. 54 korp. 1, St. Petersburg 197374, Russia.",
                "Gazmash, AO",
                &["Aktsionernoe Obshchestvo 'Gazmash'", "Gazmash"],
                &["Dochernee Otkrytoe Aktsionernoe Obshchestvo Gazmash"],
                &["d. 54 korp. 1, St. Petersburg 197374, Russia"],
            ),
            (
                "Gazprom, OAO (a.k.a. Open Joint Stock Company Gazprom; a.k.a. OAO Gazprom; a.k.a. Gazprom)\n\n\n\n Address: 16 Nametkina St., Moscow, Russia\n\n Alt Address: 16 Nametkina ul., Moscow 117991, Russia.",
                "Gazprom, OAO",
                &["Open Joint Stock Company Gazprom", "OAO Gazprom", "Gazprom"],
                &[],
                &[
                    "16 Nametkina St., Moscow, Russia Alt Address: 16 Nametkina ul., Moscow 117991, Russia",
                ],
            ),
            (
                "Waseem Jawad, Ras Al Khaimah Free Trade Zone (RAKFTZ), U.A.E.; \u{E000}and\u{E001} P.O. Box: 25123, Dubai U.A.E.",
                "Waseem Jawad",
                &[],
                &[],
                &[
                    "Ras Al Khaimah Free Trade Zone (RAKFTZ), U.A.E",
                    "P.O. Box: 25123, Dubai U.A.E",
                ],
            ),
        ];
        for (text, name, aliases, former, addrs) in cases {
            let (n, a, f, ad) = read(text);
            assert_eq!(n, *name, "{text}");
            assert_eq!(a, v(aliases), "{text}");
            assert_eq!(f, v(former), "{text}");
            assert_eq!(ad, v(addrs), "{text}");
        }
    }

    #[test]
    fn alternate_address_notes_are_set_apart() {
        let e = entity(
            "Ahmad Rahzad, a.k.a., Saeb Karim, 29, Jomhoori Ave., Tehran, Iran (See alternate address under Malaysia)",
        );
        assert_eq!(e.aliases, ["Saeb Karim"]);
        assert_eq!(e.addresses, ["29, Jomhoori Ave., Tehran, Iran"]);
        assert_eq!(e.notes, ["See alternate address under Malaysia"]);
    }

    #[test]
    fn blocks_of_subordinates_affiliates_and_shared_addresses() {
        let cell = "CASIC Second Academy, a.k.a., the following one alias:\n\u{2014}CASIC 2nd Academy.\n\u{E000}Subordinate institution\u{E001}\nSecond Design Department, a.k.a., the following one alias:\n\u{2014}Beijing Institute of Electronics Systems Engineering.\n The following addresses apply to the entity and to the subordinate institutions:\n \n 50 Yongding Road, Beijing, China.";
        let b = blocks(cell);
        assert_eq!(b.len(), 3, "{b:?}");
        assert!(matches!(&b[0], Block::Main(t) if t.starts_with("CASIC Second Academy")));
        assert!(
            matches!(&b[1], Block::Subordinate(t) if t.starts_with("Second Design Department"))
        );
        assert!(matches!(&b[2], Block::Addresses(t) if t.contains("50 Yongding Road")));
        let aff = "\n \u{E000}Hangzhou New Longshine Co., Ltd.,\u{E001} Room 605, Hangzhou, China.\n \u{E000}Huawei Marine Networks Co., Ltd.,\u{E001} a.k.a., the following one alias:\n\u{2014}Huawei Marine;\n HMN Technologies;\n Huahai Zhihui Technology Co., Ltd.; \u{E000}and\u{E001}\n HMN Tech.\n Building R4, No. 2 City Avenue, Dongguan, 523808.";
        let parts = affiliates(aff);
        assert_eq!(parts.len(), 2);
        assert_eq!(entity(&parts[0]).name, "Hangzhou New Longshine Co., Ltd.");
        let marine = entity(&parts[1]);
        assert_eq!(marine.name, "Huawei Marine Networks Co., Ltd.");
        assert_eq!(
            marine.aliases,
            [
                "Huawei Marine",
                "HMN Technologies",
                "Huahai Zhihui Technology Co., Ltd.",
                "HMN Tech"
            ]
        );
        assert_eq!(
            marine.addresses,
            ["Building R4, No. 2 City Avenue, Dongguan, 523808"]
        );
        let meu =
            blocks("The following eight subordinate institutions of Aero-Engine Company of China:");
        assert_eq!(meu, [Block::Parent("Aero-Engine Company of China".into())]);
    }
}
