// End-to-end test of the officer console in a real browser: Debian's
// chromium driven by playwright-core (no test runner; exits non-zero on
// any failure). Starts the server binary on loopback with a temporary data
// directory (seeded with the bundled lists), creates tokens through the
// HTTP/JSON API, screens shipments as an exporter, then:
//   - an officer logs in, opens the top case, sees the listed entry next
//     to the party, marks the false positive "not a match" in bulk and
//     sees the other open cases of that party close;
//   - a confirmed SDN match makes approval a four-eyes decision: the first
//     officer's approval waits, a second officer completes it; then the
//     case is reopened;
//   - the exporter logs in and sees its case and the question addressed to
//     it, but none of the officers' internal notes.
// Writes console-queue.png and console-case.png to $SCREENSHOTS (default
// docs/, where the README shows them).
//
// Usage: node console.mjs   (EXPORTSCREEN_BIN overrides the binary,
// CHROMIUM the browser; default target/debug/exportscreen, /usr/bin/chromium)

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const NOTE = "INTERNAL-NOTE";

function fail(msg) {
  throw new Error(msg);
}

function check(cond, msg) {
  if (!cond) fail(msg);
}

function binary() {
  if (process.env.EXPORTSCREEN_BIN) return process.env.EXPORTSCREEN_BIN;
  for (const p of ["target/debug/exportscreen", "target/release/exportscreen"]) {
    const full = join(root, p);
    if (existsSync(full)) return full;
  }
  fail("no exportscreen binary: run `cargo build` first (or set EXPORTSCREEN_BIN)");
}

function freePort() {
  return new Promise((ok, ko) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
    srv.on("error", ko);
  });
}

async function waitHealthy(base, server) {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) fail(`server exited with ${server.exitCode}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch (_) {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail("server not healthy after 120 s");
}

/** One unary call of the HTTP/JSON API. */
async function api(base, token, service, method, body) {
  const r = await fetch(`${base}/v1/exportscreen.v1.${service}/${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await r.json();
  if (!r.ok) fail(`${service}/${method}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

function party(role, name, address, country) {
  return { role: `PARTY_ROLE_${role}`, name, address, country };
}

const KESTREL = ["EXPORTER", "Kestrel Instruments Inc.", "1200 Technology Drive, San Jose, CA 95110", "US"];

/** examples/shipments/review-namesake-end-user.json with another reference. */
function namesake(reference) {
  return {
    reference,
    exporter: "Kestrel Instruments Inc.",
    destinationCountry: "CO",
    endUse: "Calibration of laboratory balances",
    items: [{ description: "Precision weights set, 1 mg to 200 g, class E2", declaredCode: "8423.90", quantity: 2, unit: "sets" }],
    parties: [
      party(...KESTREL),
      party("CONSIGNEE", "Laboratorios Andinos de Metrologia S.A.S.", "Calle 26 # 69-76, Bogota", "CO"),
      party("END_USER", "Carolina Hernandez Gonzalez", "Carrera 7 # 32-16, Bogota", "CO"),
    ],
  };
}

/** examples/shipments/review-fuzzy-end-user.json with another reference: an
 * alias of a BIS Entity List entry (licence required), possible matches on
 * the SDN, ISN and UN lists. */
function fuzzy(reference) {
  return {
    reference,
    exporter: "Kestrel Instruments Inc.",
    destinationCountry: "TR",
    endUse: "Maintenance of industrial test rigs",
    items: [{ description: "Hydraulic hose assemblies, 1/2 inch", declaredCode: "4009.42", quantity: 60, unit: "pcs" }],
    parties: [
      party(...KESTREL),
      party("CONSIGNEE", "Bosphorus Industrial Supply Ltd.", "Organize Sanayi Bolgesi, Istanbul", "TR"),
      party("END_USER", "Shahid Hemat Industrial Group", "", ""),
    ],
  };
}

async function login(browser, base, token) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => fail(`page error: ${e.message}`));
  await page.goto(`${base}/console/`);
  await page.fill("input[name=token]", token);
  await Promise.all([page.waitForURL(/\/console\/queue/), page.click("form.login button")]);
  return { context, page };
}

/** Fills and submits the action form whose action ends with `/action`. */
async function act(page, action, fields = {}) {
  const form = page.locator(`form[action$="/${action}"]`).first();
  for (const [name, value] of Object.entries(fields)) {
    const input = form.locator(`[name=${name}]`);
    const type = await input.first().getAttribute("type");
    if (type === "radio") {
      await form.locator(`input[name=${name}][value=${value}]`).check();
    } else if (type === "checkbox") {
      if (value) await input.check();
    } else {
      await input.fill(value);
    }
  }
  await Promise.all([page.waitForLoadState("load"), form.locator("button[type=submit]").click()]);
  await page.waitForSelector("p.notice");
  return (await page.locator("p.notice").first().textContent()).trim();
}

async function main() {
  const data = mkdtempSync(join(tmpdir(), "exportscreen-browser-"));
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const server = spawn(
    binary(),
    ["serve", "--data-dir", data, "--listen", `127.0.0.1:${grpcPort}`, "--http-listen", `127.0.0.1:${httpPort}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  server.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-20000);
  });
  let browser;
  try {
    await waitHealthy(base, server);
    const admin = readFileSync(join(data, "admin.token"), "utf8").trim();
    const token = async (principal, roles, exporter = "") =>
      (
        await api(base, admin, "AdminService", "CreateToken", {
          principal,
          roles: roles.map((r) => `ACCESS_ROLE_${r}`),
          exporter,
          noExpiry: true,
          description: "browser test",
        })
      ).token;
    const olga = await token("olga", ["OFFICER"]);
    const boris = await token("boris", ["OFFICER"]);
    const erp = await token("kestrel-erp", ["EXPORTER"], "Kestrel Instruments Inc.");

    const screened = [];
    for (const ref of ["PO-5001", "PO-5002", "PO-5003"]) {
      screened.push(await api(base, erp, "ScreeningService", "ScreenShipment", { shipment: namesake(ref) }));
    }
    for (const s of screened) check(s.decision === "DECISION_REVIEW", `namesake: ${JSON.stringify(s)}`);
    const sdn = await api(base, erp, "ScreeningService", "ScreenShipment", { shipment: fuzzy("PO-6001") });
    check(sdn.decision === "DECISION_LICENSE_REQUIRED", `listed group: ${sdn.decision}`);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args: ["--no-sandbox"],
    });

    // --- The officer: queue, top case, listed entry beside the party.
    const o = await login(browser, base, olga);
    let page = o.page;
    await page.goto(`${base}/console/queue?q=PO-500`);
    const links = page.locator("a.case-link");
    check((await links.count()) === 3, `queue shows the 3 namesake cases: ${await page.content()}`);
    const shots = resolve(root, process.env.SCREENSHOTS || "docs");
    mkdirSync(shots, { recursive: true });
    await page.goto(`${base}/console/queue`);
    await page.screenshot({ path: join(shots, "console-queue.png"), fullPage: true });
    await page.goto(`${base}/console/queue?q=PO-500`);
    const top = (await links.first().textContent()).trim();
    await Promise.all([page.waitForURL(new RegExp(`/console/cases/${top}`)), links.first().click()]);
    const sideBySide = page.locator(".side-by-side").first();
    await sideBySide.waitFor();
    check((await sideBySide.locator(".party").textContent()).includes("Carolina Hernandez Gonzalez"), "party shown");
    const listed = await sideBySide.locator(".listed").textContent();
    check(/ofac-sdn version \d+/.test(listed), `listed entry with list version: ${listed}`);
    check(listed.includes("Programmes") && listed.includes("Dates of birth"), `all entry fields: ${listed}`);
    check((await page.locator("mark").count()) > 0, "evidence highlighted");
    const time = page.locator("time[datetime]").first();
    check(((await time.getAttribute("title")) || "").endsWith("UTC"), "the script localised the times");
    await page.screenshot({ path: join(shots, "console-case.png"), fullPage: true });

    // Claim, then "not a match" in bulk: the other open cases close.
    check((await act(page, "claim", { reason: `${NOTE}: taking the namesake` })).includes("Claimed"), "claimed");
    const bulk = await act(page, "mark", {
      verdict: "NOT_A_MATCH",
      close_others: true,
      reason: `${NOTE}: national ID checked, born 1991; the listed person is another`,
    });
    check(bulk.includes("closed 2 other open case(s)"), `bulk result: ${bulk}`);
    await page.goto(`${base}/console/queue?q=PO-500`);
    check((await page.locator("a.case-link").count()) === 1, "the other cases left the open queue");
    await page.goto(`${base}/console/queue?q=PO-500&status=CLOSED`);
    check((await page.locator("a.case-link").count()) === 2, "the other cases are CLOSED");

    // --- Four-eyes on a confirmed SDN match, then reopen.
    await page.goto(`${base}/console/cases/${sdn.caseId}`);
    await act(page, "claim", { reason: `${NOTE}: mine` });
    const marked = await act(page, "mark", { verdict: "CONFIRMED_MATCH", reason: `${NOTE}: same group, Tehran` });
    check(marked.includes("judged"), `confirmed: ${marked}`);
    const first = await act(page, "decide", { decision: "APPROVE", reason: `${NOTE}: licence on file` });
    check(first.includes("second officer must approve"), `first approval: ${first}`);
    const same = await act(page, "decide", { decision: "APPROVE", reason: "again" });
    check(same.includes("four-eyes rule"), `same officer refused: ${same}`);

    const b = await login(browser, base, boris);
    await b.page.goto(`${base}/console/cases/${sdn.caseId}`);
    const second = await act(b.page, "decide", { decision: "APPROVE", reason: `${NOTE}: agreed` });
    check(second.includes("Decided: APPROVED"), `second approval: ${second}`);
    const reopened = await act(b.page, "reopen", { reason: `${NOTE}: the licence was revoked` });
    check(reopened.includes("Reopened"), `reopen: ${reopened}`);
    check((await b.page.locator(".badge.status-in_review").count()) > 0, "back in review");

    // --- The exporter: its case and the question, no internal notes.
    await page.goto(`${base}/console/cases/${top}`);
    const q = await act(page, "request-info", { reason: "Please send the end user's national ID" });
    check(q.includes("Information requested"), `question: ${q}`);
    const e = await login(browser, base, erp);
    await e.page.goto(`${base}/console/cases/${top}`);
    const seen = await e.page.content();
    check(seen.includes("Please send the end user"), "the exporter sees the question");
    check(!seen.includes(NOTE), "the exporter sees no internal note");
    check(!seen.includes("olga") && !seen.includes("boris"), "the exporter sees no officer names");
    await e.page.goto(`${base}/console/cases/${sdn.caseId}`);
    check(!(await e.page.content()).includes(NOTE), "no internal note on the reopened case either");

    console.log("console browser test: ok");
  } finally {
    if (browser) await browser.close();
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode !== null ? r() : server.on("exit", r)));
    rmSync(data, { recursive: true, force: true });
    if (process.exitCode) console.error(stderr);
  }
}

main().catch((e) => {
  console.error(`console browser test FAILED: ${e.stack || e}`);
  process.exitCode = 1;
});
