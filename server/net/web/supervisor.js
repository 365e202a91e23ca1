// The supervisor page: logs in over the WebSocket (subprotocol cati.v1.json, the Protobuf JSON mapping of
// proto/cati/v1/wire.proto), asks for status pushes (WatchStatus) and redraws from each Status. Quota
// actions go out as QuotaAction; the server's answer (the new Status, or an Error saying why it refused)
// is shown under the totals. After a dropped connection it reconnects and resumes with its session token.
// A reply that cannot be matched to a request (an error on a frame the server could not read) is shown
// under the totals too, and ends whatever action was waiting: the page never stays on "sent..." for ever.
"use strict";

// Request ids never repeat for a user (the server answers a repeated id with the original reply: a page
// reloaded and counting from 1 again would see its new quota actions taken for old ones). Like cati-term,
// start at the microseconds of the page's start (below 2^53: exact in a JS number).
const state = { ws: null, nextId: Date.now() * 1000, token: null, pending: new Map(), status: null, retry: 500 };

function $(id) { return document.getElementById(id); }

// el("td", {class: "x"}, "text", child...): text is always text, never HTML.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const svgNs = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function setConnection(text, online) {
  const c = $("connection");
  c.textContent = text;
  c.className = "pill " + (online ? "online" : "offline");
}

// --- the connection ----------------------------------------------------------------------------------

function send(body, onReply) {
  const id = state.nextId++;
  if (onReply) state.pending.set(String(id), onReply);
  state.ws.send(JSON.stringify(Object.assign({ requestId: String(id) }, body)));
  return id;
}

function connect(onOpen) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(scheme + "//" + location.host + "/", "cati.v1.json");
  state.ws = ws;
  setConnection("connecting", false);
  ws.onopen = () => { state.retry = 500; onOpen(); };
  ws.onmessage = (ev) => receive(JSON.parse(ev.data));
  ws.onclose = () => {
    if (state.ws !== ws) return;
    setConnection("offline: reconnecting", false);
    state.pending.clear();
    if (state.token) setTimeout(() => connect(resume), state.retry);
    state.retry = Math.min(state.retry * 2, 5000);
  };
}

function receive(m) {
  let onReply = m.requestId ? state.pending.get(m.requestId) : undefined;
  let id = m.requestId;
  if (!onReply && m.error && state.pending.size) {  // an error without a usable id: the oldest request's
    id = state.pending.keys().next().value;
    onReply = state.pending.get(id);
  }
  if (onReply && !m.notice) state.pending.delete(id);
  if (m.status) render(m.status);
  if (onReply) onReply(m);
  else if (m.error && !$("main-view").hidden) {
    $("action-result").className = "refused";
    $("action-result").textContent = "error from the server: " + m.error.message;
  }
}

function loggedIn(m) {
  if (m.error) return false;
  const ok = m.loginOk;
  if (ok.role !== "supervisor" && ok.role !== "admin") {
    $("login-error").textContent = ok.user + " is an " + ok.role + ": this page needs the supervisor role";
    state.token = null;
    send({ logout: {} });
    return false;
  }
  state.token = ok.token;
  $("logout").hidden = false;
  $("study").textContent = (ok.studyTitle || ok.studyId) + " " + (ok.studyVersion || "");
  $("login-view").hidden = true;
  $("main-view").hidden = false;
  setConnection("live", true);
  send({ watchStatus: {} });
  return true;
}

function resume() {
  send({ resumeSession: { token: state.token } }, (m) => {
    if (m.loginOk) return loggedIn(m);
    state.token = null;  // expired: log in again
    showLogin(m.error ? m.error.message : "the session ended: log in again");
    setConnection("offline", false);
  });
}

function showLogin(message) {
  $("main-view").hidden = true;
  $("login-view").hidden = false;
  $("logout").hidden = true;
  $("login-error").textContent = message || "";
  $("password").value = "";
}

// Log out: the server ends the session (its token stops working), and the page goes back to the login.
$("logout").addEventListener("click", () => {
  const ws = state.ws;
  state.token = null;
  state.pending.clear();
  if (ws && ws.readyState === WebSocket.OPEN) {
    send({ logout: {} });
    state.ws = null;  // its close is expected: no reconnect
    setTimeout(() => ws.close(), 200);
  }
  setConnection("logged out", false);
  showLogin("logged out");
});

// A change of the eligibility choices redraws the rates from the last Status: nothing to ask the server.
for (const id of ["quota-filled", "dead-number"])
  $(id).addEventListener("change", () => {
    const st = state.status;
    if (st) renderRates(st.rates || [], st.workedRates || [], st.dispositionNames || {});
  });

$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  $("login-error").textContent = "";
  const login = () => send({ login: { user: $("user").value, password: $("password").value, client: "supervisor page" } },
    (m) => {
      if (m.error) $("login-error").textContent = m.error.message;
      else loggedIn(m);
    });
  if (state.ws && state.ws.readyState === WebSocket.OPEN) login();
  else connect(login);
});

// --- quota actions -----------------------------------------------------------------------------------

// Cells are named as on the page (and in the server's refusals): quota=value (label).
function cellName(c) { return c.quota + "=" + (c.values || []).join("/") + (c.label ? " (" + c.label + ")" : ""); }

// The typed target: a whole number from 0 to the study's target (a cell can never need more), or why not.
function readTarget(text) {
  const most = num(state.status && state.status.target) || 2147483647;
  if (!/^\s*\d+\s*$/.test(text)) return { problem: "type a whole number from 0 to " + most };
  const v = Number(text);
  if (v > most) return { problem: "a cell's target cannot be above the study's target of " + most + " completes" };
  return { value: v };
}

function quotaAction(kind, cell) {
  const dialog = $("confirm");
  const isTarget = kind === "SET_TARGET";
  $("confirm-target-label").hidden = !isTarget;
  $("confirm-target").value = cell.target || 0;
  $("confirm-error").textContent = "";
  $("confirm-text").textContent = isTarget ? "Change the target of " + cellName(cell) + " (now " + (cell.target || 0) + ")?"
    : (kind === "CLOSE" ? "Close " : "Reopen ") + cellName(cell) + "?";
  dialog.returnValue = "";
  // Confirm checks the target first and keeps the dialog open with the reason; Cancel always closes.
  $("confirm-ok").onclick = (ev) => {
    if (!isTarget) return;
    const t = readTarget($("confirm-target").value);
    if (t.problem) { ev.preventDefault(); $("confirm-error").textContent = t.problem; }
  };
  dialog.onclose = () => {
    if (dialog.returnValue !== "ok") return;
    const action = { kind: kind, quota: cell.quota, values: cell.values || [] };
    if (isTarget) action.target = readTarget($("confirm-target").value).value;
    const result = $("action-result");
    result.className = "";
    result.textContent = "sent: " + kind.toLowerCase().replace("_", " ") + " " + cellName(cell);
    send({ quotaAction: action }, (m) => {
      result.className = m.error ? "refused" : "done";
      result.textContent = m.error ? "refused: " + m.error.message
        : "done: " + kind.toLowerCase().replace("_", " ") + " " + cellName(cell);
    });
  };
  dialog.showModal();
}

// --- rendering ---------------------------------------------------------------------------------------

const num = (v) => v || 0;
const pct = (v) => (v === undefined || v === null ? "n/a" : (100 * v).toFixed(1) + "%");

function bar(c) {
  const target = Math.max(num(c.target), 1);
  const done = Math.min(100, 100 * num(c.completes) / target);
  const busy = Math.min(100 - done, 100 * num(c.inProgress) / target);
  const b = el("div", { class: "bar", title: num(c.completes) + " done, " + num(c.inProgress) + " in progress" });
  b.append(el("div", { class: "fill", style: "width:" + done + "%" }),
           el("div", { class: "progress", style: "left:" + done + "%;width:" + busy + "%" }));
  return b;
}

function cellRow(c, first) {
  const open = c.open === true;
  return el("tr", { "data-cell": c.quota + "=" + (c.values || []).join("/") },
    el("td", {}, first), el("td", { class: "text" }, c.label || ""),
    el("td", { class: "target" }, num(c.target)), el("td", { class: "completes" }, num(c.completes)),
    el("td", { class: "in-progress" }, num(c.inProgress)), el("td", { class: "left" }, num(c.left)),
    el("td", {}, bar(c)),
    el("td", { class: open ? "state-open" : "state-closed" }, open ? "open" : "closed"),
    el("td", { class: reachClass(c) }, reachText(c)),
    el("td", { class: "sample-left" }, num(c.sampleLeft)),
    el("td", { class: "actions" },
      el("button", { onclick: () => quotaAction(open ? "CLOSE" : "REOPEN", c) }, open ? "Close" : "Reopen"), " ",
      el("button", { onclick: () => quotaAction("SET_TARGET", c) }, "Target…")));
}

// The words of `cati quota` (reached, on track, at risk, impossible, unknown, no target).
function reachText(c) { return c.reach || (c.reachable ? "reachable" : "impossible"); }
function reachClass(c) {
  const r = reachText(c);
  return r === "impossible" || r === "at risk" ? "reach-no" : r === "unknown" || r === "no target" ? "reach-unknown" : "reach-yes";
}

const cellHead = () => el("tr", {}, ...["cell", "label", "target", "completes", "in progress", "left", "", "state",
  "reach", "sample left", ""].map((h, i) => el("th", { class: i === 1 ? "text" : "" }, h)));

// Interlocked quotas (two variables) as a table of the first by the second; marginal quotas as lists.
function renderQuotas(cells) {
  const byQuota = new Map();
  for (const c of cells) {
    if (!byQuota.has(c.quota)) byQuota.set(c.quota, []);
    byQuota.get(c.quota).push(c);
  }
  const out = [];
  for (const [quota, list] of byQuota) {
    out.push(el("h3", {}, quota));
    if (list.every((c) => (c.values || []).length === 2)) out.push(grid(list));
    out.push(el("table", { class: "quota", "data-quota": quota }, cellHead(),
      ...list.map((c) => cellRow(c, (c.values || []).join(" × ")))));
  }
  $("quotas").replaceChildren(...out);
}

function grid(list) {
  const rows = [...new Set(list.map((c) => c.values[0]))], cols = [...new Set(list.map((c) => c.values[1]))];
  const find = (r, k) => list.find((c) => c.values[0] === r && c.values[1] === k);
  return el("table", { class: "grid" },
    el("tr", {}, el("th", {}, ""), ...cols.map((k) => el("th", {}, k))),
    ...rows.map((r) => el("tr", {}, el("th", {}, r), ...cols.map((k) => {
      const c = find(r, k);
      if (!c) return el("td", {}, "");
      return el("td", { class: c.open ? "" : "state-closed" }, el("div", { class: "cellbox" },
        num(c.completes) + " / " + num(c.target) + (num(c.inProgress) ? " (+" + c.inProgress + ")" : ""), bar(c)));
    }))));
}

function renderProgress(st) {
  const days = st.days || [];
  const W = 760, H = 230, L = 40, R = 10, T = 10, B = 40;
  const today = (st.now || "").slice(0, 10);
  const max = Math.max(num(st.target), ...days.map((d) => num(d.cumulative)), 1);
  const x = (i) => L + (W - L - R) * (i + 0.5) / Math.max(days.length, 1);
  const y = (v) => H - B - (H - T - B) * v / max;
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img", id: "progress-chart",
    "aria-label": "completes per day against the plan" });
  for (const v of [0, max / 2, max]) {
    s.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#e3e6ec" }),
             svg("text", { x: L - 4, y: y(v) + 4, "text-anchor": "end" }, Math.round(v)));
  }
  const bw = (W - L - R) / Math.max(days.length, 1) * 0.5;
  days.forEach((d, i) => {
    if (num(d.completes)) s.append(svg("rect", { x: x(i) - bw / 2, y: y(num(d.completes)), width: bw,
      height: y(0) - y(num(d.completes)), fill: "#9db5e0", class: "day-bar" }));
    s.append(svg("text", { x: x(i), y: H - B + 14, "text-anchor": "middle" }, d.date.slice(5)));
  });
  const line = (pts, color, cls) => s.append(svg("polyline", { points: pts.join(" "), fill: "none", stroke: color,
    "stroke-width": 2, class: cls }));
  line(days.map((d, i) => x(i) + "," + y(num(d.plannedCumulative))), "#c77700", "plan");
  const past = days.filter((d) => d.date <= today);
  line(past.map((d, i) => x(i) + "," + y(num(d.cumulative))), "#2a5db0", "actual");
  const todayRow = past[past.length - 1];
  const legend = el("div", { class: "legend" },
    el("span", { class: "actual" }, "— completes so far: " + num(st.completes)),
    el("span", { class: "plan" }, "— plan: " + (todayRow ? num(todayRow.plannedCumulative) : 0) + " by the end of today, "
      + num(st.target) + " by " + (days.length ? days[days.length - 1].date : "")),
    el("span", {}, "bars: completes per day"));
  $("progress").replaceChildren(s, legend);
}

// Each rate twice: over the released cases (AAPOR's figure) and over the worked ones (called at least
// once), side by side per group; what each means is said under the table. The rates are those of the
// eligibility choices picked above the table (the server sends every choice's: byEligibility).
function chosenRates(r) {
  const qf = $("quota-filled").value, dn = $("dead-number").value;
  return (r.byEligibility || []).find((v) => v.quotaFilled === qf && v.deadNumber === dn) || r;
}

function renderRates(rates, worked, names) {
  const groups = rates.map((r) => r.group);
  const workedOf = (g) => (worked || []).find((w) => w.group === g) || {};
  const rows = [["interviews", (r) => num(r.interviews)], ["e", (r) => pct(chosenRates(r).e)],
                ["RR3", (r) => pct(chosenRates(r).rr3)], ["COOP1", (r) => pct(chosenRates(r).coop1)],
                ["REF1", (r) => pct(chosenRates(r).ref1)], ["CON1", (r) => pct(chosenRates(r).con1)]];
  $("rates").replaceChildren(el("table", { id: "rates-table" },
    el("tr", {}, el("th", {}, ""), ...groups.map((g) => el("th", { colspan: 2 }, g))),
    el("tr", {}, el("th", {}, ""), ...groups.flatMap(() => [el("th", { title: "over every released case" }, "released"),
                                                          el("th", { title: "over the cases called at least once" }, "worked")])),
    ...rows.map(([name, f]) => el("tr", { "data-rate": name }, el("td", {}, name),
      ...rates.flatMap((r) => [el("td", { class: "released" }, f(r)), el("td", { class: "worked" }, f(workedOf(r.group)))])))));
  const codes = [...new Set(rates.flatMap((r) => Object.keys(r.dispositions || {})))]
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  $("dispositions").replaceChildren(el("table", { id: "dispositions-table" },
    el("tr", {}, el("th", {}, "AAPOR code"), el("th", { class: "text" }, "disposition"), ...groups.map((g) => el("th", {}, g))),
    ...codes.map((code) => el("tr", { "data-code": code }, el("td", {}, code),
      el("td", { class: "description" }, (names || {})[code] || ""),
      ...rates.map((r) => el("td", {}, num((r.dispositions || {})[code])))))));
}

// Ends every session of an interviewer (a terminal left logged in): their terminal is told by whom.
function logoutUser(user) {
  if (!window.confirm("Log " + user + " out? Their terminal is told, and they must log in again.")) return;
  const result = $("action-result");
  result.className = "";
  result.textContent = "sent: log out " + user;
  send({ logoutUser: { user: user } }, (m) => {
    result.className = m.error ? "refused" : "done";
    result.textContent = m.error ? "refused: " + m.error.message : "done: " + user + " logged out";
  });
}

function renderInterviewers(list) {
  if (!list.length) { $("interviewers").replaceChildren(el("p", { class: "muted" }, "nobody online or active today")); return; }
  $("interviewers").replaceChildren(el("table", { id: "interviewers-table" },
    el("tr", {}, ...["interviewer", "online", "now", "calls today", "completes today", "calls / h", "completes / h",
      "mean interview"].map((h) => el("th", {}, h))),
    ...list.map((i) => el("tr", { "data-user": i.user },
      el("td", {}, i.user),
      el("td", {}, i.online ? "online" : "offline", i.online ? " " : "",
        i.online ? el("button", { class: "logout-user", onclick: () => logoutUser(i.user) }, "Log out") : ""),
      el("td", { class: "activity-" + (i.state || "idle") }, i.online ? (i.state || "idle") : "—"),
      el("td", {}, num(i.calls)), el("td", {}, num(i.completes)),
      el("td", {}, num(i.callsPerHour).toFixed(1)), el("td", {}, num(i.completesPerHour).toFixed(2)),
      el("td", {}, i.meanInterviewMinutes === undefined ? "—" : i.meanInterviewMinutes.toFixed(1) + " min")))));
}

// Every replicate, as `cati quota` lists them: cases, released (when), called, worked out (finalised), left
// to call and completes; an unreleased one has only its cases, all left. Hidden while the frame is worked whole.
function renderReplicates(list) {
  $("replicates-section").hidden = !list.length;
  const released = (r) => !r.released ? "no" : num(r.replicate) === 0 ? "as imported" : r.releasedAt || "yes";
  const worked = (r, v) => (r.released ? num(v) : "—");
  $("replicates").replaceChildren(el("table", { id: "replicates-table" },
    el("tr", {}, ...["replicate", "cases", "released", "called", "worked out", "left", "completes"].map((h) => el("th", {}, h))),
    ...list.map((r) => el("tr", { "data-replicate": num(r.replicate), "data-released": r.released ? "yes" : "no" },
      ...[num(r.replicate), num(r.cases), released(r), worked(r, r.called), worked(r, r.workedOut), num(r.left),
          worked(r, r.completes)].map((v) => el("td", {}, String(v)))))));
}

function render(st) {
  state.status = st;
  $("clock").textContent = st.now || "";
  $("completes").textContent = num(st.completes);
  $("target").textContent = num(st.target);
  $("completes-bar").style.width = Math.min(100, 100 * num(st.completes) / Math.max(num(st.target), 1)) + "%";
  // Sample imported or released while the server runs comes into the field within seconds: say so.
  $("sample").textContent = num(st.casesInField).toLocaleString("en") + " cases in the field" +
    (st.sampleAdded ? " (last added: " + st.sampleAdded + ")" : "");
  renderQuotas(st.cells || []);
  renderProgress(st);
  renderRates(st.rates || [], st.workedRates || [], st.dispositionNames || {});
  renderReplicates(st.replicates || []);
  $("warnings").replaceChildren(...(st.warnings || []).map((w) =>
    el("li", {}, "warning: " + w + ": the margins cannot all be met at once; change another cell's target to agree")));
  renderInterviewers(st.interviewers || []);
}
