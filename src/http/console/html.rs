//! HTML building blocks of the console: escaping, the page layout (with
//! the navigation the user's roles allow), evidence highlighting with
//! `<mark>`, machine-readable times (`<time datetime>`, localised by the
//! committed script) and server-rendered SVG bar charts. Pure functions.

use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a path segment or query value.
pub fn url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A time as `<time datetime="RFC 3339">` with the UTC text inside (the
/// console script rewrites the text in the browser's local time); empty
/// for 0.
pub fn time(unix_ms: i64) -> String {
    if unix_ms == 0 {
        return String::new();
    }
    match chrono::DateTime::from_timestamp_millis(unix_ms) {
        Some(t) => {
            let rfc = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            format!(
                "<time datetime=\"{rfc}\">{}</time>",
                t.format("%Y-%m-%d %H:%M UTC")
            )
        }
        None => String::new(),
    }
}

/// `text` escaped, with each occurrence of the `terms` (case-insensitive,
/// longest first, non-overlapping) wrapped in `<mark>`.
pub fn highlight(text: &str, terms: &[&str]) -> String {
    let lower = text.to_lowercase();
    // Lower-casing can change byte lengths (rare scripts): then no marks.
    if lower.len() != text.len() {
        return esc(text);
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut sorted: Vec<String> = terms
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t.len() <= lower.len())
        .collect();
    sorted.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in &sorted {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(t.as_str()) {
            let (a, b) = (from + pos, from + pos + t.len());
            if spans.iter().all(|(x, y)| b <= *x || a >= *y) {
                spans.push((a, b));
            }
            from = b;
        }
    }
    spans.sort();
    let mut out = String::with_capacity(text.len() + spans.len() * 13);
    let mut at = 0;
    for (a, b) in spans {
        if !text.is_char_boundary(a) || !text.is_char_boundary(b) {
            continue;
        }
        out.push_str(&esc(&text[at..a]));
        out.push_str("<mark>");
        out.push_str(&esc(&text[a..b]));
        out.push_str("</mark>");
        at = b;
    }
    out.push_str(&esc(&text[at..]));
    out
}

/// A link of the navigation bar.
pub struct Nav {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
}

/// A whole page: head (CSS and script from `/console/assets/`), the
/// navigation, who is logged in with a logout form (carrying `csrf`), and
/// `body`. `user` is `None` on the login page.
pub fn page(title: &str, user: Option<(&str, &str, &str)>, nav: &[Nav], body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · exportscreen</title>\
         <link rel=\"stylesheet\" href=\"/console/assets/console.css\">\
         <script src=\"/console/assets/console.js\" defer></script></head><body>\
         <header><a class=\"brand\" href=\"/console/\">exportscreen</a><nav>",
        esc(title)
    );
    for n in nav {
        let _ = write!(out, "<a href=\"{}\">{}</a>", n.href, esc(n.label));
    }
    out.push_str("</nav>");
    if let Some((principal, roles, csrf)) = user {
        let _ = write!(
            out,
            "<form class=\"logout\" method=\"post\" action=\"/console/logout\">\
             <span class=\"who\">{} <small>({})</small></span>\
             <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
             <button type=\"submit\">Log out</button></form>",
            esc(principal),
            esc(roles),
            esc(csrf)
        );
    }
    let _ = writeln!(out, "</header><main>{body}</main></body></html>");
    out
}

/// One bar of a chart.
pub struct Bar {
    /// Label under the bar.
    pub label: String,
    /// Its value.
    pub value: f64,
}

/// A server-rendered SVG bar chart (one series), with each bar's value
/// written above it and a `<title>` for the accessible name.
pub fn bar_chart(title: &str, unit: &str, bars: &[Bar]) -> String {
    let (w, h, pad, label_h) = (640.0_f64, 220.0_f64, 24.0_f64, 40.0_f64);
    let max = bars
        .iter()
        .map(|b| b.value)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let slot = if bars.is_empty() {
        w
    } else {
        (w - 2.0 * pad) / bars.len() as f64
    };
    let mut out = format!(
        "<figure class=\"chart\"><svg role=\"img\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let bh = (h - label_h - pad) * (b.value / max);
        let x = pad + slot * i as f64 + slot * 0.15;
        let y = h - label_h - bh;
        let bw = slot * 0.7;
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\"><title>{}: {} {}</title></rect>\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
             <text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            esc(&b.label),
            fmt_value(b.value),
            esc(unit),
            x + bw / 2.0,
            (y - 4.0).max(10.0),
            fmt_value(b.value),
            x + bw / 2.0,
            h - label_h + 16.0,
            esc(&b.label),
        );
    }
    if bars.is_empty() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text>",
            w / 2.0,
            h / 2.0
        );
    }
    let _ = write!(
        out,
        "</svg><figcaption>{} ({})</figcaption></figure>",
        esc(title),
        esc(unit)
    );
    out
}

fn fmt_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
        assert_eq!(url("case 1/ä"), "case%201%2F%C3%A4");
    }

    #[test]
    fn evidence_is_marked_in_the_original_text() {
        assert_eq!(
            highlight("Second rocket stage, <solid>", &["ROCKET STAGE", "stage"]),
            "Second <mark>rocket stage</mark>, &lt;solid&gt;"
        );
        assert_eq!(
            highlight("Alpha Trading LLC", &["alpha", "trading"]),
            "<mark>Alpha</mark> <mark>Trading</mark> LLC"
        );
        assert_eq!(highlight("plain", &[]), "plain");
    }

    #[test]
    fn times_are_machine_readable() {
        assert_eq!(
            time(1_764_931_200_000),
            "<time datetime=\"2025-12-05T10:40:00Z\">2025-12-05 10:40 UTC</time>"
        );
        assert_eq!(time(0), "");
    }

    #[test]
    fn charts_draw_one_bar_per_value() {
        let svg = bar_chart(
            "Cases opened",
            "cases",
            &[
                Bar {
                    label: "W48".into(),
                    value: 3.0,
                },
                Bar {
                    label: "W49".into(),
                    value: 6.0,
                },
            ],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">6<") && svg.contains(">W49<"), "{svg}");
    }
}
