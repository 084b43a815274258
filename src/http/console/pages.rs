//! The console's pages as pure renderers: the answers of the API (protobuf
//! messages, already cut to what the caller may see by the exporter
//! boundary) in, HTML out. The login page, the queue with its filters, the
//! officer's case page (shipment with highlighted evidence, each finding's
//! party next to the listed entry, score breakdown, history, checks, the
//! action forms the role table allows), the exporter's case page, and the
//! compliance pages (lists, versions and diffs, the policy table, reports
//! as SVG charts).

use std::fmt::Write as _;

use super::html::{Bar, bar_chart, esc, highlight, time, url};
use crate::api::pb;

/// Short name of a proto enum value (`CASE_STATUS_IN_REVIEW` -> `IN_REVIEW`).
pub fn short<'a>(name: &'a str, prefix: &str) -> &'a str {
    name.strip_prefix(prefix).unwrap_or(name)
}

/// `OPEN`, `IN_REVIEW` ...
pub fn status_name(s: i32) -> &'static str {
    pb::CaseStatus::try_from(s).map_or("UNKNOWN", |s| short(s.as_str_name(), "CASE_STATUS_"))
}

/// `CLEAR`, `REVIEW` ...
pub fn decision_name(d: i32) -> &'static str {
    pb::Decision::try_from(d).map_or("UNKNOWN", |d| short(d.as_str_name(), "DECISION_"))
}

fn priority_name(p: i32) -> &'static str {
    pb::CasePriority::try_from(p).map_or("", |p| match p {
        pb::CasePriority::Unspecified => "",
        other => short(other.as_str_name(), "CASE_PRIORITY_"),
    })
}

fn badge(kind: &str, text: &str) -> String {
    format!(
        "<span class=\"badge {kind}-{}\">{}</span>",
        esc(&text.to_ascii_lowercase()),
        esc(text)
    )
}

/// A hidden CSRF field.
pub fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    )
}

/// A required reason field.
fn reason_field(label: &str) -> String {
    format!(
        "<label>{} <textarea name=\"reason\" required minlength=\"1\" rows=\"2\"></textarea></label>",
        esc(label)
    )
}

/// A message above the page (`done` or `error`).
pub fn notice(done: Option<&str>, error: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(d) = done.filter(|d| !d.is_empty()) {
        let _ = write!(out, "<p class=\"notice ok\" role=\"status\">{}</p>", esc(d));
    }
    if let Some(e) = error.filter(|e| !e.is_empty()) {
        let _ = write!(
            out,
            "<p class=\"notice error\" role=\"alert\">{}</p>",
            esc(e)
        );
    }
    out
}

/// The login page.
pub fn login(csrf: &str, error: Option<&str>) -> String {
    format!(
        "<h1>Log in</h1>{}<form class=\"login\" method=\"post\" action=\"/console/login\">{}\
         <label>Access token <input type=\"password\" name=\"token\" autocomplete=\"off\" required autofocus></label>\
         <button type=\"submit\">Log in</button></form>\
         <p class=\"hint\">Use the token your administrator gave you \
         (<code>exportscreen token create</code>). The token stays on the server; \
         your browser keeps only a session cookie.</p>",
        notice(None, error),
        csrf_field(csrf)
    )
}

/// What the queue shows, as the user filtered it.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// `OPEN`, `IN_REVIEW` ... (empty: the active statuses).
    pub status: String,
    /// `PROHIBITED`, `REVIEW` ...
    pub decision: String,
    /// A list id the case cites.
    pub list: String,
    /// Exporter (exact).
    pub exporter: String,
    /// Shipment reference (substring).
    pub reference: String,
    /// A party's name or a cited listed name (substring).
    pub party: String,
    /// Search: case id, reference, exporter, party names, cited entry
    /// names and ids.
    pub q: String,
}

const STATUSES: &[&str] = &[
    "OPEN",
    "IN_REVIEW",
    "INFO_REQUESTED",
    "APPROVED",
    "DENIED",
    "POST_SHIPMENT_CHECK_DUE",
    "VERIFIED",
    "DIVERTED",
    "CLOSED",
];
const DECISIONS: &[&str] = &["PROHIBITED", "LICENSE_REQUIRED", "REVIEW", "CLEAR"];

fn select(name: &str, label: &str, options: &[&str], current: &str, any: &str) -> String {
    let mut out = format!(
        "<label>{} <select name=\"{name}\"><option value=\"\">{}</option>",
        esc(label),
        esc(any)
    );
    for o in options {
        let sel = if *o == current { " selected" } else { "" };
        let _ = write!(out, "<option{sel}>{o}</option>");
    }
    out.push_str("</select></label>");
    out
}

fn input(name: &str, label: &str, value: &str) -> String {
    format!(
        "<label>{} <input name=\"{name}\" value=\"{}\"></label>",
        esc(label),
        esc(value)
    )
}

/// The queue page: filters and the cases, highest priority first.
pub fn queue(
    f: &QueueFilter,
    cases: &[pb::CaseSummary],
    exporter_view: bool,
    more: bool,
) -> String {
    let mut out = String::from(if exporter_view {
        "<h1>Your screenings' cases</h1>"
    } else {
        "<h1>Case queue</h1>"
    });
    let _ = write!(
        out,
        "<form class=\"filters\" method=\"get\" action=\"/console/queue\">\
         <label class=\"search\">Search <input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"case, reference, exporter, party or listed name\"></label>{}{}",
        esc(&f.q),
        select(
            "status",
            "Status",
            STATUSES,
            &f.status,
            "open, in review, info requested"
        ),
        select("decision", "Decision", DECISIONS, &f.decision, "any"),
    );
    if !exporter_view {
        out.push_str(&input("list", "List", &f.list));
        out.push_str(&input("exporter", "Exporter", &f.exporter));
    }
    out.push_str(&input("reference", "Reference", &f.reference));
    if !exporter_view {
        out.push_str(&input("party", "Party", &f.party));
    }
    out.push_str("<button type=\"submit\">Filter</button></form>");
    if cases.is_empty() {
        out.push_str("<p class=\"empty\">No cases match.</p>");
        return out;
    }
    out.push_str("<table class=\"queue\"><thead><tr><th>Case</th>");
    if !exporter_view {
        out.push_str("<th>Priority</th>");
    }
    out.push_str("<th>Status</th><th>Decision</th><th>Exporter</th><th>Reference</th>");
    if !exporter_view {
        out.push_str("<th>Parties</th><th>Cited entries</th><th>Officer</th>");
    }
    out.push_str("<th>Opened</th></tr></thead><tbody>");
    for c in cases {
        let _ = write!(
            out,
            "<tr><td><a class=\"case-link\" href=\"/console/cases/{}\">{}</a></td>",
            url(&c.case_id),
            esc(&c.case_id)
        );
        if !exporter_view {
            let _ = write!(
                out,
                "<td>{} {}</td>",
                badge("priority", priority_name(c.priority)),
                c.priority_score
            );
        }
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            badge("status", status_name(c.status)),
            badge("decision", decision_name(c.decision)),
            esc(&c.exporter),
            esc(&c.reference)
        );
        if !exporter_view {
            let entries: Vec<String> = c
                .entries
                .iter()
                .map(|e| {
                    format!(
                        "{}:{} {}",
                        esc(&e.list_id),
                        esc(&e.entry_id),
                        esc(&e.entry_name)
                    )
                })
                .collect();
            let parties: Vec<String> = c.parties.iter().map(|p| esc(p)).collect();
            let _ = write!(
                out,
                "<td>{}</td><td>{}</td><td>{}</td>",
                parties.join("<br>"),
                entries.join("<br>"),
                esc(&c.assignee)
            );
        }
        let _ = write!(out, "<td>{}</td></tr>", time(c.created_at_unix_ms));
    }
    out.push_str("</tbody></table>");
    if more {
        out.push_str("<p class=\"hint\">More cases match: narrow the filters.</p>");
    }
    out
}

/// The listed entry of a finding, as GetEntry answered (or why not).
#[derive(Clone, Debug)]
pub enum Listed {
    /// The entry at the version the screening used.
    Entry(Box<pb::GetEntryResponse>),
    /// Not available (the message says why).
    Unavailable(String),
}

/// What the officer's case page needs besides the case.
pub struct CaseExtras<'a> {
    /// The listed entry of each finding of the latest screening, by index.
    pub listed: &'a [Option<Listed>],
    /// The session's CSRF token.
    pub csrf: &'a str,
    /// The user's principal.
    pub me: &'a str,
    /// Which action forms the role table allows: (mark, claim, request
    /// info, decide, reopen, record check).
    pub may: Actions,
}

/// The actions a user may take (from the role table).
#[derive(Clone, Copy, Debug, Default)]
pub struct Actions {
    /// MarkFinding.
    pub mark: bool,
    /// ClaimCase.
    pub claim: bool,
    /// RequestInfo.
    pub request_info: bool,
    /// DecideCase.
    pub decide: bool,
    /// ReopenCase.
    pub reopen: bool,
    /// RecordCheck.
    pub record_check: bool,
}

/// The original text a finding's target names, and a label for it.
fn target_text<'a>(s: &'a pb::Shipment, target: &str) -> Option<(String, &'a str)> {
    let (kind, idx) = target.split_once(':').unwrap_or((target, ""));
    let i: Option<usize> = idx.parse().ok();
    match kind {
        "party" => i
            .and_then(|i| s.parties.get(i))
            .map(|p| (format!("party {}", i.unwrap_or(0) + 1), p.name.as_str())),
        "item" => i.and_then(|i| s.items.get(i)).map(|it| {
            (
                format!("item {}", i.unwrap_or(0) + 1),
                it.description.as_str(),
            )
        }),
        "end_use" => Some(("end use".into(), s.end_use.as_str())),
        "destination" => Some(("destination".into(), s.destination_country.as_str())),
        _ => None,
    }
}

/// The terms of `findings` targeting `target` (for `<mark>`).
fn terms_for<'a>(findings: &'a [pb::Finding], target: &str) -> Vec<&'a str> {
    findings
        .iter()
        .filter(|f| f.target == target && !f.suppressed)
        .flat_map(|f| {
            std::iter::once(f.matched_text.as_str())
                .chain(f.matched_terms.iter().map(String::as_str))
        })
        .filter(|t| !t.is_empty())
        .collect()
}

fn role_name(r: i32) -> &'static str {
    pb::PartyRole::try_from(r).map_or("", |r| short(r.as_str_name(), "PARTY_ROLE_"))
}

/// The shipment with each finding's evidence marked in its own text.
fn shipment(s: &pb::Shipment, findings: &[pb::Finding]) -> String {
    let mut out = String::from("<section class=\"shipment\"><h2>Shipment</h2><dl>");
    let _ = write!(
        out,
        "<dt>Exporter</dt><dd>{}</dd><dt>Reference</dt><dd>{}</dd><dt>Destination</dt><dd>{}</dd><dt>End use</dt><dd>{}</dd></dl>",
        esc(&s.exporter),
        esc(&s.reference),
        highlight(&s.destination_country, &terms_for(findings, "destination")),
        highlight(&s.end_use, &terms_for(findings, "end_use")),
    );
    out.push_str("<h3>Parties</h3><table><thead><tr><th>#</th><th>Role</th><th>Name</th><th>Address</th><th>Country</th></tr></thead><tbody>");
    for (i, p) in s.parties.iter().enumerate() {
        let target = format!("party:{i}");
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            role_name(p.role),
            highlight(&p.name, &terms_for(findings, &target)),
            esc(&p.address),
            esc(&p.country)
        );
    }
    out.push_str("</tbody></table><h3>Items</h3><table><thead><tr><th>#</th><th>Description</th><th>Declared code</th><th>Quantity</th></tr></thead><tbody>");
    for (i, it) in s.items.iter().enumerate() {
        let target = format!("item:{i}");
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
            i + 1,
            highlight(&it.description, &terms_for(findings, &target)),
            esc(&it.declared_code),
            it.quantity,
            esc(&it.unit)
        );
    }
    out.push_str("</tbody></table></section>");
    out
}

fn list_items(items: &[String]) -> String {
    if items.is_empty() {
        return "<span class=\"none\">none</span>".into();
    }
    let li: Vec<String> = items
        .iter()
        .map(|i| format!("<li>{}</li>", esc(i)))
        .collect();
    format!("<ul>{}</ul>", li.concat())
}

/// Every field a listed party entry carries.
fn listed_entry(l: &pb::GetEntryResponse) -> String {
    let mut out = String::from("<div class=\"listed\"><h4>Listed entry</h4><dl>");
    let _ = write!(
        out,
        "<dt>List</dt><dd>{} version {}</dd>",
        esc(&l.list_id),
        l.version
    );
    let Some(entry) = &l.entry else {
        out.push_str("</dl></div>");
        return out;
    };
    let _ = write!(out, "<dt>Entry</dt><dd>{}</dd>", esc(&entry.entry_id));
    match &entry.body {
        Some(pb::list_entry::Body::Denial(d)) => {
            let names: Vec<String> = d
                .names
                .iter()
                .map(|n| format!("{} ({})", n.name, n.kind))
                .collect();
            let addresses: Vec<String> = d
                .addresses
                .iter()
                .map(|a| {
                    [&a.street, &a.city, &a.region, &a.postal_code, &a.country]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect();
            let ids: Vec<String> = d
                .identifiers
                .iter()
                .map(|i| {
                    format!("{} {} {}", i.kind, i.value, i.country)
                        .trim()
                        .to_string()
                })
                .collect();
            let _ = write!(
                out,
                "<dt>Kind</dt><dd>{}</dd><dt>Names and aliases</dt><dd>{}</dd><dt>Programmes</dt><dd>{}</dd>\
                 <dt>Addresses</dt><dd>{}</dd><dt>Countries</dt><dd>{}</dd><dt>Dates of birth</dt><dd>{}</dd>\
                 <dt>Identifiers</dt><dd>{}</dd><dt>Remarks</dt><dd>{}</dd>",
                esc(&d.kind),
                list_items(&names),
                list_items(&d.programs),
                list_items(&addresses),
                list_items(&d.countries),
                list_items(&d.dates_of_birth),
                list_items(&ids),
                if d.remarks.is_empty() {
                    "<span class=\"none\">none</span>".to_string()
                } else {
                    esc(&d.remarks)
                }
            );
            if let Some(t) = &d.listing {
                let _ = write!(
                    out,
                    "<dt>Licence requirement</dt><dd>{} ({})</dd><dt>Review policy</dt><dd>{}</dd><dt>Federal Register</dt><dd>{}</dd>",
                    esc(&t.license_requirement),
                    esc(&t.license_scope),
                    esc(&t.license_review_policy),
                    esc(&t.federal_register.join("; "))
                );
            }
        }
        Some(pb::list_entry::Body::ControlJson(j)) => {
            let _ = write!(out, "<dt>Control entry</dt><dd><pre>{}</pre></dd>", esc(j));
        }
        None => {}
    }
    out.push_str("</dl></div>");
    out
}

/// The party a finding names, as the shipment gives it.
fn party_side(s: &pb::Shipment, f: &pb::Finding, findings: &[pb::Finding]) -> String {
    let Some(i) = f
        .target
        .strip_prefix("party:")
        .and_then(|i| i.parse::<usize>().ok())
    else {
        return String::new();
    };
    let Some(p) = s.parties.get(i) else {
        return String::new();
    };
    format!(
        "<div class=\"party\"><h4>Party in the shipment</h4><dl><dt>Role</dt><dd>{}</dd><dt>Name</dt><dd>{}</dd>\
         <dt>Address</dt><dd>{}</dd><dt>Country</dt><dd>{}</dd></dl></div>",
        role_name(p.role),
        highlight(&p.name, &terms_for(findings, &f.target)),
        esc(&p.address),
        esc(&p.country)
    )
}

fn verdict_name(v: i32) -> &'static str {
    pb::FindingVerdict::try_from(v).map_or("", |v| short(v.as_str_name(), "FINDING_VERDICT_"))
}

/// One finding: what, why, evidence, the party next to the listed entry,
/// the latest officer verdict and the mark form.
#[allow(clippy::too_many_arguments)]
fn finding(
    case_id: &str,
    screening: &pb::GetScreeningResponse,
    index: usize,
    f: &pb::Finding,
    listed: Option<&Listed>,
    marks: &[pb::FindingMark],
    x: &CaseExtras<'_>,
    status: &str,
) -> String {
    let shipment = screening.shipment.clone().unwrap_or_default();
    let findings = screening
        .result
        .as_ref()
        .map(|r| r.findings.as_slice())
        .unwrap_or(&[]);
    let version = screening
        .result
        .as_ref()
        .and_then(|r| r.list_versions.iter().find(|v| v.list_id == f.list_id))
        .map(|v| format!(" (list version {})", v.version))
        .unwrap_or_default();
    let mut out = format!(
        "<article class=\"finding\" id=\"finding-{}\"><h3>#{} {} {} {}</h3>",
        index + 1,
        index + 1,
        badge("decision", decision_name(f.decision)),
        esc(&f.target),
        if f.entry_id.is_empty() {
            esc(&f.rule)
        } else {
            format!(
                "{}:{} {}{}",
                esc(&f.list_id),
                esc(&f.entry_id),
                esc(&f.entry_name),
                esc(&version)
            )
        }
    );
    if f.suppressed {
        out.push_str(
            "<p class=\"suppressed\">Suppressed: judged not a match earlier (does not count).</p>",
        );
    }
    let _ = write!(
        out,
        "<p class=\"reason\">{}</p><dl class=\"score\"><dt>Score</dt><dd>{:.2}</dd><dt>Rule</dt><dd>{}</dd><dt>Explanation</dt><dd>{}</dd>",
        esc(&f.reason),
        f.score,
        esc(&f.rule),
        esc(&f.explanation)
    );
    if let Some((label, text)) = target_text(&shipment, &f.target) {
        let _ = write!(
            out,
            "<dt>Evidence ({})</dt><dd class=\"evidence\">{}</dd>",
            esc(&label),
            highlight(text, &terms_for(findings, &f.target))
        );
    }
    out.push_str("</dl>");
    let party = party_side(&shipment, f, findings);
    match listed {
        Some(Listed::Entry(e)) => {
            let _ = write!(
                out,
                "<div class=\"side-by-side\">{party}{}</div>",
                listed_entry(e)
            );
        }
        Some(Listed::Unavailable(why)) => {
            let _ = write!(
                out,
                "<div class=\"side-by-side\">{party}<div class=\"listed\"><h4>Listed entry</h4><p>{}</p></div></div>",
                esc(why)
            );
        }
        None if !party.is_empty() => {
            let _ = write!(out, "<div class=\"side-by-side\">{party}</div>");
        }
        None => {}
    }
    if let Some(m) = marks
        .iter()
        .rev()
        .find(|m| m.screening_id == screening.screening_id && m.finding_index as usize == index)
    {
        let _ = write!(
            out,
            "<p class=\"mark\">Judged {} by {} {}: {}{}</p>",
            badge("verdict", verdict_name(m.verdict)),
            esc(&m.officer),
            time(m.at_unix_ms),
            esc(&m.reason),
            if m.four_eyes {
                " <strong>(four-eyes: approval needs a second officer)</strong>"
            } else {
                ""
            }
        );
    }
    if x.may.mark && matches!(status, "IN_REVIEW" | "INFO_REQUESTED") {
        let party_match = f.target.starts_with("party:") && !f.entry_id.is_empty();
        let _ = write!(
            out,
            "<form class=\"mark-form\" method=\"post\" action=\"/console/cases/{}/mark\">{}\
             <input type=\"hidden\" name=\"screening_id\" value=\"{}\">\
             <input type=\"hidden\" name=\"finding_index\" value=\"{index}\">\
             <fieldset><legend>Judge finding #{}</legend>\
             <label><input type=\"radio\" name=\"verdict\" value=\"NOT_A_MATCH\" required> Not a match</label>\
             <label><input type=\"radio\" name=\"verdict\" value=\"CONFIRMED_MATCH\"> Confirmed match</label>{}{}\
             <button type=\"submit\">Record judgement</button></fieldset></form>",
            url(case_id),
            csrf_field(x.csrf),
            esc(&screening.screening_id),
            index + 1,
            if party_match {
                "<label class=\"bulk\"><input type=\"checkbox\" name=\"close_others\" value=\"1\"> \
                 Bulk: also close every other open case whose only open finding is this party against this entry</label>"
            } else {
                ""
            },
            reason_field("Reason")
        );
    }
    out.push_str("</article>");
    out
}

fn action_form(
    case_id: &str,
    action: &str,
    title: &str,
    csrf: &str,
    extra: &str,
    button: &str,
) -> String {
    format!(
        "<form class=\"action\" method=\"post\" action=\"/console/cases/{}/{action}\"><fieldset><legend>{}</legend>{}{}{}\
         <button type=\"submit\">{}</button></fieldset></form>",
        url(case_id),
        esc(title),
        csrf_field(csrf),
        extra,
        reason_field("Reason"),
        esc(button)
    )
}

fn history(h: &[pb::CaseHistoryEntry], exporter_view: bool) -> String {
    let mut out =
        String::from("<section class=\"history\"><h2>History</h2><table><thead><tr><th>When</th>");
    if !exporter_view {
        out.push_str("<th>Who</th>");
    }
    out.push_str("<th>Action</th><th>Status</th><th>Reason</th>");
    if !exporter_view {
        out.push_str("<th>Detail</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for e in h {
        let from = if e.from == 0 {
            String::new()
        } else {
            format!("{} → ", status_name(e.from))
        };
        let _ = write!(out, "<tr><td>{}</td>", time(e.at_unix_ms));
        if !exporter_view {
            let _ = write!(out, "<td>{}</td>", esc(&e.actor));
        }
        let _ = write!(
            out,
            "<td>{}</td><td>{}{}</td><td>{}</td>",
            esc(&e.action),
            from,
            status_name(e.to),
            esc(&e.reason)
        );
        if !exporter_view {
            let _ = write!(out, "<td>{}</td>", esc(&e.detail));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
    out
}

/// The officer's case page.
pub fn case(c: &pb::Case, x: &CaseExtras<'_>) -> String {
    let s = c.summary.clone().unwrap_or_default();
    let status = status_name(s.status);
    let mut out = format!(
        "<h1>Case {} {} {}</h1><dl class=\"summary\"><dt>Exporter</dt><dd>{}</dd><dt>Reference</dt><dd>{}</dd>\
         <dt>Priority</dt><dd>{} {}</dd><dt>Held by</dt><dd class=\"assignee\">{}</dd><dt>Opened</dt><dd>{}</dd>\
         <dt>Screenings</dt><dd>{}</dd>",
        esc(&s.case_id),
        badge("status", status),
        badge("decision", decision_name(s.decision)),
        esc(&s.exporter),
        esc(&s.reference),
        badge("priority", priority_name(s.priority)),
        s.priority_score,
        if s.assignee.is_empty() {
            "nobody".to_string()
        } else {
            esc(&s.assignee)
        },
        time(s.created_at_unix_ms),
        s.screenings
    );
    if !c.decided_by.is_empty() {
        let _ = write!(
            out,
            "<dt>Decided</dt><dd>{} by {}</dd>",
            time(s.decided_at_unix_ms),
            esc(&c.decided_by)
        );
    }
    if s.check_due_unix_ms != 0 {
        let _ = write!(
            out,
            "<dt>Check due</dt><dd>{}</dd>",
            time(s.check_due_unix_ms)
        );
    }
    out.push_str("</dl>");
    if let Some(p) = &c.pending_approval {
        let _ = write!(
            out,
            "<p class=\"notice four-eyes\" role=\"status\">Four-eyes: approved by {} {} ({}); \
             a second, different officer must approve.</p>",
            esc(&p.officer),
            time(p.at_unix_ms),
            esc(&p.reason)
        );
    }
    if let Some(sig) = &c.signals {
        let _ = write!(
            out,
            "<section class=\"signals\"><h2>Score breakdown</h2><p>{}</p><dl><dt>Strongest match</dt><dd>{:.2}</dd>\
             <dt>Category I item</dt><dd>{}</dd><dt>Embargoed destination</dt><dd>{}</dd>\
             <dt>Parties' earlier denials</dt><dd>{}</dd><dt>Parties' earlier confirmed matches</dt><dd>{}</dd></dl></section>",
            esc(&sig.explanation),
            sig.max_score,
            if sig.category_i { "yes" } else { "no" },
            if sig.embargoed_destination {
                "yes"
            } else {
                "no"
            },
            sig.prior_denials,
            sig.prior_confirmations
        );
    }
    out.push_str(&actions(c, &s, status, x));
    if let Some(latest) = c.screenings.last() {
        let findings = latest
            .result
            .as_ref()
            .map(|r| r.findings.as_slice())
            .unwrap_or(&[]);
        let _ = write!(
            out,
            "<p class=\"hint\">Latest screening {} {}</p>",
            esc(&latest.screening_id),
            time(latest.screened_at_unix_ms)
        );
        if let Some(sh) = &latest.shipment {
            out.push_str(&shipment(sh, findings));
        }
        out.push_str("<section class=\"findings\"><h2>Findings</h2>");
        for (i, f) in findings.iter().enumerate() {
            let listed = x.listed.get(i).and_then(Option::as_ref);
            out.push_str(&finding(
                &s.case_id, latest, i, f, listed, &c.marks, x, status,
            ));
        }
        out.push_str("</section>");
    }
    if c.screenings.len() > 1 {
        out.push_str("<section><h2>Earlier screenings</h2><ul>");
        for sc in &c.screenings[..c.screenings.len() - 1] {
            let _ = write!(
                out,
                "<li>{} {} {}</li>",
                esc(&sc.screening_id),
                time(sc.screened_at_unix_ms),
                sc.result
                    .as_ref()
                    .map(|r| decision_name(r.decision))
                    .unwrap_or("")
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str(&checks(&c.checks));
    if x.may.record_check
        && matches!(
            status,
            "IN_REVIEW" | "INFO_REQUESTED" | "APPROVED" | "POST_SHIPMENT_CHECK_DUE"
        )
    {
        let kinds = "<label>Kind <select name=\"kind\"><option value=\"END_USE_CERTIFICATE\">End-use certificate</option>\
                     <option value=\"POST_SHIPMENT_VERIFIED\">Post-shipment check: verified</option>\
                     <option value=\"POST_SHIPMENT_DIVERTED\">Post-shipment check: diverted</option></select></label>\
                     <label>Document <input name=\"document\"></label>";
        out.push_str(&action_form(
            &s.case_id,
            "record-check",
            "Record a document or check",
            x.csrf,
            kinds,
            "Record",
        ));
    }
    out.push_str(&history(&c.history, false));
    out
}

fn checks(checks: &[pb::CaseCheck]) -> String {
    let mut out = String::from("<section class=\"checks\"><h2>Documents and checks</h2>");
    if checks.is_empty() {
        out.push_str("<p class=\"empty\">None recorded.</p></section>");
        return out;
    }
    out.push_str("<table><thead><tr><th>When</th><th>Kind</th><th>Document</th><th>Officer</th><th>Notes</th></tr></thead><tbody>");
    for k in checks {
        let kind =
            pb::CheckKind::try_from(k.kind).map_or("", |k| short(k.as_str_name(), "CHECK_KIND_"));
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            time(k.at_unix_ms),
            kind,
            esc(&k.document),
            esc(&k.officer),
            esc(&k.notes)
        );
    }
    out.push_str("</tbody></table></section>");
    out
}

/// The case-level action forms the role table and the status allow.
fn actions(c: &pb::Case, s: &pb::CaseSummary, status: &str, x: &CaseExtras<'_>) -> String {
    let mut out = String::from("<section class=\"actions\"><h2>Actions</h2>");
    let held_by_me = s.assignee == x.me;
    if x.may.claim && matches!(status, "OPEN" | "IN_REVIEW" | "INFO_REQUESTED") && !held_by_me {
        out.push_str(&action_form(
            &s.case_id,
            "claim",
            "Claim this case",
            x.csrf,
            "",
            "Claim",
        ));
    }
    if x.may.request_info && status == "IN_REVIEW" {
        out.push_str(&action_form(
            &s.case_id,
            "request-info",
            "Request information from the exporter (the reason is the question)",
            x.csrf,
            "",
            "Request information",
        ));
    }
    let second_approval = c
        .pending_approval
        .as_ref()
        .is_some_and(|p| p.officer != x.me);
    if x.may.decide
        && matches!(status, "IN_REVIEW" | "INFO_REQUESTED")
        && (held_by_me || second_approval)
    {
        let extra = "<label><input type=\"radio\" name=\"decision\" value=\"APPROVE\" required> Approve</label>\
                     <label><input type=\"radio\" name=\"decision\" value=\"DENY\"> Deny</label>\
                     <label>Post-shipment check due (approval, optional) <input type=\"date\" name=\"check_due\"></label>";
        let title = if second_approval {
            "Decide (second officer: your approval completes the four-eyes rule)"
        } else {
            "Decide"
        };
        out.push_str(&action_form(
            &s.case_id, "decide", title, x.csrf, extra, "Decide",
        ));
    }
    if x.may.reopen
        && matches!(
            status,
            "APPROVED" | "DENIED" | "POST_SHIPMENT_CHECK_DUE" | "VERIFIED" | "DIVERTED" | "CLOSED"
        )
    {
        out.push_str(&action_form(
            &s.case_id,
            "reopen",
            "Reopen this case",
            x.csrf,
            "",
            "Reopen",
        ));
    }
    out.push_str("</section>");
    out
}

/// The exporter's view of its case: status, decision, its screenings and
/// the questions addressed to it (the API already removed the rest).
pub fn exporter_case(c: &pb::Case) -> String {
    let s = c.summary.clone().unwrap_or_default();
    let mut out = format!(
        "<h1>Case {} {} {}</h1><dl class=\"summary\"><dt>Exporter</dt><dd>{}</dd><dt>Reference</dt><dd>{}</dd><dt>Opened</dt><dd>{}</dd></dl>",
        esc(&s.case_id),
        badge("status", status_name(s.status)),
        badge("decision", decision_name(s.decision)),
        esc(&s.exporter),
        esc(&s.reference),
        time(s.created_at_unix_ms)
    );
    let questions: Vec<&pb::CaseHistoryEntry> = c
        .history
        .iter()
        .filter(|h| h.action == "request_info" && !h.reason.is_empty())
        .collect();
    out.push_str("<section class=\"questions\"><h2>Questions for you</h2>");
    if questions.is_empty() {
        out.push_str("<p class=\"empty\">None.</p>");
    } else {
        out.push_str("<ul>");
        for q in questions {
            let _ = write!(out, "<li>{} {}</li>", time(q.at_unix_ms), esc(&q.reason));
        }
        out.push_str("</ul><p class=\"hint\">Answer by screening the shipment again with the same reference.</p>");
    }
    out.push_str("</section><section><h2>Your screenings</h2><ul>");
    for sc in &c.screenings {
        let _ = write!(
            out,
            "<li>{} {} {}</li>",
            esc(&sc.screening_id),
            time(sc.screened_at_unix_ms),
            sc.result
                .as_ref()
                .map(|r| decision_name(r.decision))
                .unwrap_or("")
        );
    }
    out.push_str("</ul></section>");
    out.push_str(&history(&c.history, true));
    out
}

/// The lists page.
pub fn lists(lists: &[pb::ListInfo]) -> String {
    let mut out = String::from(
        "<h1>Lists</h1><table><thead><tr><th>List</th><th>Kind</th><th>Version</th><th>Entries</th>\
         <th>Published</th><th>Imported</th><th>Source</th><th></th></tr></thead><tbody>",
    );
    for l in lists {
        let _ = write!(
            out,
            "<tr><td><a href=\"/console/lists/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
            url(&l.list_id),
            esc(&l.list_id),
            esc(&l.kind),
            l.version,
            l.entries,
            esc(&l.published),
            time(l.imported_at_unix_ms),
            esc(&l.source),
            if l.official { "official" } else { "" },
            if l.retired { " retired" } else { "" }
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// One list: its versions, and a diff between two of them.
pub fn list_versions(
    list_id: &str,
    versions: &[pb::ListVersion],
    diff: Option<&pb::DiffVersionsResponse>,
) -> String {
    let mut out = format!(
        "<h1>List {}</h1><table><thead><tr><th>Version</th><th>Origin</th><th>Entries</th><th>Published</th>\
         <th>Imported</th><th>Added</th><th>Author</th><th>Reason</th></tr></thead><tbody>",
        esc(list_id)
    );
    for v in versions {
        let info = v.info.clone().unwrap_or_default();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            info.version,
            esc(&v.origin),
            info.entries,
            esc(&info.published),
            time(info.imported_at_unix_ms),
            v.added,
            esc(&info.author),
            esc(&info.reason)
        );
    }
    let _ = write!(
        out,
        "</tbody></table><form class=\"filters\" method=\"get\" action=\"/console/lists/{}\">\
         <label>From version <input name=\"from\" inputmode=\"numeric\" required></label>\
         <label>To version <input name=\"to\" inputmode=\"numeric\" placeholder=\"current\"></label>\
         <button type=\"submit\">Diff</button></form>",
        url(list_id)
    );
    if let Some(d) = diff {
        let _ = write!(
            out,
            "<section class=\"diff\"><h2>Version {} → {}</h2><p>{} added, {} removed, {} changed.</p>",
            d.from_version, d.to_version, d.added_count, d.removed_count, d.changed_count
        );
        let name = |e: &pb::ListEntry| match &e.body {
            Some(pb::list_entry::Body::Denial(d)) => {
                d.names.first().map(|n| n.name.clone()).unwrap_or_default()
            }
            _ => String::new(),
        };
        out.push_str("<ul>");
        for (class, sign, entries) in [("added", "+", &d.added), ("removed", "−", &d.removed)] {
            for e in entries {
                let _ = write!(
                    out,
                    "<li class=\"{class}\">{sign} {} {}</li>",
                    esc(&e.entry_id),
                    esc(&name(e))
                );
            }
        }
        for c in &d.changed {
            let _ = write!(
                out,
                "<li class=\"changed\">~ {} ({})</li>",
                esc(&c.identity_key),
                esc(&c.fields.join(", "))
            );
        }
        out.push_str("</ul></section>");
    }
    out
}

/// The reports page: charts from GetReport.
pub fn report(r: &pb::Report) -> String {
    let mut out = String::from("<h1>Reports</h1>");
    if !r.weeks.is_empty() {
        let opened: Vec<Bar> = r
            .weeks
            .iter()
            .map(|w| Bar {
                label: w.week.clone(),
                value: f64::from(w.opened),
            })
            .collect();
        let decided: Vec<Bar> = r
            .weeks
            .iter()
            .map(|w| Bar {
                label: w.week.clone(),
                value: f64::from(w.decided),
            })
            .collect();
        out.push_str(&bar_chart("Cases opened per week", "cases", &opened));
        out.push_str(&bar_chart("Cases decided per week", "cases", &decided));
    }
    let open: Vec<Bar> = r
        .open_cases
        .iter()
        .map(|o| Bar {
            label: priority_name(o.priority).to_string(),
            value: f64::from(o.total),
        })
        .collect();
    out.push_str(&bar_chart("Open cases by priority", "cases", &open));
    let ttd: Vec<Bar> = r
        .officers
        .iter()
        .map(|o| Bar {
            label: o.officer.clone(),
            value: o.mean_millis_to_decision as f64 / 3_600_000.0,
        })
        .collect();
    let _ = write!(
        out,
        "<p>Decided: {}; mean time to decision: {:.1} h.</p>",
        r.decided,
        r.mean_millis_to_decision as f64 / 3_600_000.0
    );
    out.push_str(&bar_chart(
        "Mean time to decision per officer",
        "hours",
        &ttd,
    ));
    let top: Vec<Bar> = r
        .top_entities
        .iter()
        .map(|e| Bar {
            label: format!("{}:{}", e.list_id, e.entry_id),
            value: f64::from(e.cases),
        })
        .collect();
    out.push_str(&bar_chart("Top matched entries", "cases", &top));
    out
}

/// The policy page: the `[[listing]]` rules of the policy in force.
pub fn policy(rules: &[crate::engine::policy::ListingRule]) -> String {
    let mut out = String::from(
        "<h1>Policy: what a near-exact list match leads to</h1><p class=\"hint\">From <code>control-lists/policy.toml</code> \
         (<code>[[listing]]</code>). A confirmed match on a list whose consequence is not <code>review</code> makes \
         approval a four-eyes decision.</p><table><thead><tr><th>Rule</th><th>Lists</th><th>Programmes</th>\
         <th>Consequence</th><th>Roles</th><th>Legal basis</th></tr></thead><tbody>",
    );
    for r in rules {
        let roles: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.name),
            esc(&r.lists.join(", ")),
            esc(&r.programs.join(", ")),
            esc(r.consequence.as_str()),
            esc(&roles.join(", ")),
            esc(&r.cite)
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The webhooks page: each subscription with its latest deliveries, one
/// row per attempt (status, duration, next attempt, error).
pub fn webhooks(logs: &[(pb::Webhook, Vec<pb::WebhookDelivery>)]) -> String {
    use crate::cli::commands::webhooks::event_name;
    let mut out = String::from("<h1>Webhooks</h1>");
    if logs.is_empty() {
        out.push_str(
            "<p>No subscriptions. Create one with <code>exportscreen webhooks create</code> or <code>POST /v1/webhooks</code>.</p>",
        );
        return out;
    }
    for (h, deliveries) in logs {
        let events: Vec<&str> = h.events.iter().map(|e| event_name(*e)).collect();
        out.push_str(&format!(
            "<section class=\"webhook\"><h2>{} <small>{}</small></h2><p>{} &middot; {} &middot; created {} by {}</p>",
            esc(&h.webhook_id),
            esc(&h.url),
            esc(&events.join(", ")),
            if h.exporter.is_empty() {
                "licensing office".to_string()
            } else {
                esc(&h.exporter)
            },
            time(h.created_at_unix_ms),
            esc(&h.created_by),
        ));
        if deliveries.is_empty() {
            out.push_str("<p>No deliveries yet.</p></section>");
            continue;
        }
        out.push_str("<table><thead><tr><th>Delivery</th><th>Event</th><th>State</th><th>Attempt</th><th>At</th><th>Status</th><th>ms</th><th>Next attempt</th><th>Error</th></tr></thead><tbody>");
        for d in deliveries {
            let state = match pb::WebhookDeliveryState::try_from(d.state) {
                Ok(pb::WebhookDeliveryState::Pending) => "pending",
                Ok(pb::WebhookDeliveryState::Delivered) => "delivered",
                Ok(pb::WebhookDeliveryState::Failed) => "failed",
                Ok(pb::WebhookDeliveryState::Unspecified) | Err(_) => "?",
            };
            for a in &d.attempts {
                out.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{state}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&d.delivery_id),
                    event_name(d.event_type),
                    a.attempt,
                    time(a.at_unix_ms),
                    if a.status_code == 0 { "-".to_string() } else { a.status_code.to_string() },
                    a.duration_ms,
                    if a.next_attempt_at_unix_ms == 0 { "-".to_string() } else { time(a.next_attempt_at_unix_ms) },
                    esc(&a.error),
                ));
            }
            if d.attempts.is_empty() {
                out.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{state}</td><td colspan=\"6\">not attempted yet</td></tr>",
                    esc(&d.delivery_id),
                    event_name(d.event_type),
                ));
            }
        }
        out.push_str("</tbody></table></section>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment_with_party() -> pb::Shipment {
        pb::Shipment {
            reference: "PO-1".into(),
            exporter: "ACME".into(),
            parties: vec![
                pb::Party {
                    name: "ACME".into(),
                    ..Default::default()
                },
                pb::Party {
                    name: "Alpha <Trading> LLC".into(),
                    address: "Plot 12".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    fn party_finding() -> pb::Finding {
        pb::Finding {
            target: "party:1".into(),
            list_id: "ofac-sdn".into(),
            entry_id: "7".into(),
            entry_name: "ALPHA TRADING".into(),
            matched_text: "Alpha <Trading>".into(),
            decision: pb::Decision::Review.into(),
            ..Default::default()
        }
    }

    fn extras<'a>(listed: &'a [Option<Listed>], may: Actions) -> CaseExtras<'a> {
        CaseExtras {
            listed,
            csrf: "tok",
            me: "olga",
            may,
        }
    }

    fn case_in(status: pb::CaseStatus) -> pb::Case {
        pb::Case {
            summary: Some(pb::CaseSummary {
                case_id: "case-1".into(),
                status: status.into(),
                assignee: "olga".into(),
                ..Default::default()
            }),
            screenings: vec![pb::GetScreeningResponse {
                screening_id: "scr-1".into(),
                shipment: Some(shipment_with_party()),
                result: Some(pb::ScreenShipmentResponse {
                    findings: vec![party_finding()],
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn the_case_page_marks_evidence_and_shows_the_listed_entry_beside_the_party() {
        let listed = vec![Some(Listed::Entry(Box::new(pb::GetEntryResponse {
            list_id: "ofac-sdn".into(),
            version: 3,
            entry: Some(pb::ListEntry {
                entry_id: "7".into(),
                body: Some(pb::list_entry::Body::Denial(pb::DenialEntry {
                    names: vec![pb::EntryName {
                        name: "ALPHA TRADING".into(),
                        kind: "primary".into(),
                    }],
                    programs: vec!["SDGT".into()],
                    dates_of_birth: vec!["1970".into()],
                    remarks: "Linked to <X>".into(),
                    ..Default::default()
                })),
                ..Default::default()
            }),
        })))];
        let all = Actions {
            mark: true,
            claim: true,
            request_info: true,
            decide: true,
            reopen: true,
            record_check: true,
        };
        let html = case(&case_in(pb::CaseStatus::InReview), &extras(&listed, all));
        assert!(
            html.contains("<mark>Alpha &lt;Trading&gt;</mark> LLC"),
            "{html}"
        );
        assert!(html.contains("class=\"side-by-side\""));
        assert!(html.contains("ofac-sdn version 3"));
        assert!(
            html.contains("SDGT") && html.contains("1970") && html.contains("Linked to &lt;X&gt;")
        );
        assert!(html.contains("action=\"/console/cases/case-1/mark\""));
        assert!(html.contains("name=\"close_others\""));
        assert!(html.contains("name=\"csrf\" value=\"tok\""));
        assert!(html.contains("/console/cases/case-1/decide"));
        assert!(
            !html.contains("/console/cases/case-1/reopen"),
            "an active case does not reopen"
        );

        let decided = case(&case_in(pb::CaseStatus::Approved), &extras(&listed, all));
        assert!(decided.contains("/console/cases/case-1/reopen"));
        assert!(!decided.contains("/mark\""), "no marks on a decided case");
        // The role table said no: no forms at all.
        let none = case(
            &case_in(pb::CaseStatus::InReview),
            &extras(&listed, Actions::default()),
        );
        assert!(!none.contains("<form class=\"action\"") && !none.contains("mark-form"));
    }

    #[test]
    fn the_exporter_page_shows_questions_and_no_internal_text() {
        let mut c = case_in(pb::CaseStatus::InfoRequested);
        c.history = vec![pb::CaseHistoryEntry {
            action: "request_info".into(),
            reason: "Name the laboratory".into(),
            ..Default::default()
        }];
        let html = exporter_case(&c);
        assert!(html.contains("Name the laboratory"));
        assert!(!html.contains("<form"), "an exporter has no actions here");
        assert!(!html.contains("side-by-side"));
    }
}
