// The exercise desk: one page that adapts to the seat (delegation, chair, facilitator, observer).
// Plain DOM, no build step. Every server event refreshes what changed.
"use strict";

const params = new URLSearchParams(location.search);
const eid = params.get("exercise");
let seat = params.get("seat");
// The join link's token is exchanged once for this browser's session cookie of the seat
// (HttpOnly: no script reads it), then leaves the address bar; requests name the seat.
async function signIn() {
  const token = params.get("token");
  if (!token) {
    if (!seat) throw new Error("Open the join link you were given: this address names no seat.");
    return;
  }
  const r = await fetch(`/api/exercises/${eid}/session`, {method: "POST", headers: {"Authorization": `Bearer ${token}`}});
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`This join link does not open a seat: ${body.detail || r.statusText}.`);
  seat = String(body.seat);
  window.history.replaceState(null, "", `/?exercise=${encodeURIComponent(eid)}&seat=${encodeURIComponent(seat)}`);
}
const api = (path, opts = {}) => fetch(`/api/exercises/${eid}${path}`, {
  ...opts, headers: {"X-Accord-Seat": seat, "Content-Type": "application/json", ...(opts.headers || {})},
}).then(async r => {
  const body = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new Error(typeof body === "string" ? body : (body.detail || r.statusText));
  return body;
});
const el = id => document.getElementById(id);
// Replace a block only when what we would render changed, so a refresh never swaps a field out
// from under a user. (Compared with what we rendered last, not with innerHTML: the browser
// serialises markup its own way, e.g. required="", so innerHTML never equals our string.)
const rendered = {}, pending = {};
// A block holding what the user is typing (or has changed and not sent) is left alone: the new
// version waits, and a quiet notice offers it. Sending the form (which clears it) lets it in.
const edited = node => [...node.querySelectorAll("input, textarea, select")].some(f =>
  f.type === "hidden" ? false
  : f.type === "checkbox" || f.type === "radio" ? f.checked !== f.defaultChecked
  : f.tagName === "SELECT" ? [...f.options].some(o => o.selected !== o.defaultSelected)
  : f.value !== f.defaultValue);
function notice(id, waiting) {
  const node = el(id);
  let n = node.previousElementSibling;
  if (!(n && n.classList.contains("notice"))) {
    if (!waiting) return;
    n = document.createElement("p");
    n.className = "notice";
    n.setAttribute("role", "status");
    node.before(n);
  }
  if (!waiting) { n.remove(); return; }
  n.innerHTML = `This part changed while you were typing; what you typed is kept. <button type="button" data-pending="${esc(id)}">Show the new version</button>`;
}
function apply(id, html) { rendered[id] = html; el(id).innerHTML = html; delete pending[id]; notice(id, false); }
const put = (id, html) => {
  if (rendered[id] === html) { delete pending[id]; notice(id, false); return; }
  if (rendered[id] !== undefined && edited(el(id))) { pending[id] = html; notice(id, true); return; }
  apply(id, html);
};
// Feedback where the user is looking: just after the form that was sent.
function say(form, message, error = false) {
  let p = form.nextElementSibling;
  if (!(p && p.classList.contains("feedback"))) {
    p = document.createElement("p");
    p.className = "feedback";
    form.after(p);
  }
  p.setAttribute("role", error ? "alert" : "status");
  p.classList.toggle("error", error);
  p.textContent = message;
}
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const num = x => x === null || x === undefined ? "—" : Number(x).toLocaleString(undefined, {maximumFractionDigits: 2});
function show(err) { el("error").textContent = err ? err.message : ""; }

let me = null, text = null, history = [], issues = {}, names = {}, channelNames = {};
// Which versions the history compares: the last two, until the user picks others.
const view = {from: null, to: null, picked: false};

// The desk's parts are tabs (WAI-ARIA tabs: arrow keys move between them). The one shown
// is kept in the address (#proposals) so that reloading, or a link, opens it again.
const tabs = () => [...document.querySelectorAll("[role=tab]")].filter(t => !t.hidden);
function showTab(name, focus = false) {
  if (!tabs().some(t => t.dataset.tab === name)) name = tabs()[0]?.dataset.tab;
  for (const t of document.querySelectorAll("[role=tab]")) {
    const on = t.dataset.tab === name;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    el(`panel-${t.dataset.tab}`).hidden = !on;
    if (on && focus) t.focus();
  }
  // The next action's "Go to …" is offered only away from its tab.
  document.querySelectorAll("[data-goto]").forEach(b => { b.hidden = b.dataset.goto === name; });
  if (name && location.hash !== `#${name}`) window.history.replaceState(null, "", `${location.search}#${name}`);
}
const shownTab = () => document.querySelector("[role=tab][aria-selected=true]")?.dataset.tab;
// A tab whose parts are all for other seats is not offered to this one.
function offerTabs() {
  for (const t of document.querySelectorAll("[role=tab]")) {
    t.hidden = [...el(`panel-${t.dataset.tab}`).querySelectorAll("section")].every(n => n.hidden);
  }
}
// Beside a tab's name: how many new things wait in it.
function tabCount(name, count) {
  const c = document.querySelector(`#tab-${name} .count`);
  if (c) c.textContent = count ? ` · ${count} new` : "";
}
el("tabs").addEventListener("keydown", ev => {
  const all = tabs(), at = all.indexOf(document.activeElement);
  if (at < 0) return;
  const to = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1}[ev.key];
  if (to === undefined) return;
  ev.preventDefault();
  showTab(all[(to + all.length) % all.length].dataset.tab, true);
});
window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));

// What this seat has read, kept in this browser: new injects and messages are marked
// until the seat says it has read them.
const seenKey = () => `accord-seen-${eid}-${seat}`;
const seen = () => new Set(JSON.parse(localStorage.getItem(seenKey()) || "[]"));
function markSeen(keys) {
  const all = seen();
  keys.forEach(k => all.add(k));
  localStorage.setItem(seenKey(), JSON.stringify([...all]));
}
let unread = {injects: [], messages: []};
function unreadBadge(id, keys, what) {
  put(id, keys.length ? `${keys.length} new ${what}${keys.length === 1 ? "" : "s"} <button type="button" data-read="${id}">Mark as read</button>` : "");
  tabCount(id === "injects-new" ? "injects" : "channels", keys.length);
}

const delegations = () => me.seats.filter(s => s.role === "delegation");
const seatName = id => names[id] || `#${id}`;
const ticks = (name, exclude = null) => delegations().filter(s => s.id !== exclude)
  .map(s => `<label><input type="checkbox" name="${name}" value="${esc(s.party)}"> ${esc(s.party)}</label>`).join("");
const valueCell = (version, key) => {
  const v = esc(num(version.values[key]));
  return version.brackets.includes(key) ? `<span class="bracket">[${v}]</span>` : v;
};

function renderRound() {
  const r = me.round;
  el("round").className = r.state;
  el("round").textContent = `Round ${r.number}: ${r.state}`;
  tickClock();
}

// Times on the scenario's own clock, once the facilitator sets one: from the moment it was
// set, scenario time runs from its start at its rate (scenario minutes per real minute).
const SCENARIO_TIME = {timeZone: "UTC", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit"};
function scenarioTime(at) {
  const c = me && me.exercise.clock;
  if (!c) return null;
  const real = new Date(at) - new Date(c.set_at);
  return new Date(new Date(c.start + "Z").getTime() + real * c.rate);
}
// When something happened: on the scenario's clock where there is one, else the reader's.
function when(at) {
  const t = scenarioTime(at);
  return t ? t.toLocaleString(undefined, SCENARIO_TIME) : new Date(at).toLocaleTimeString();
}
function tickScenario() {
  const t = scenarioTime(Date.now());
  el("scenario-time").textContent = t ? `Scenario time: ${t.toLocaleString(undefined, SCENARIO_TIME)}` : "";
}
function tickClock() {
  tickScenario();
  const r = me && me.round;
  if (!r || !r.deadline) { el("clock").textContent = ""; return; }
  const left = Math.round((new Date(r.deadline) - Date.now()) / 1000);
  const at = new Date(r.deadline).toLocaleString();
  if (r.state === "open" && left > 0) {
    const h = Math.floor(left / 3600), m = Math.floor(left / 60) % 60, s = left % 60;
    el("clock").textContent = `closes at ${at} (in ${h ? h + " h " : ""}${m} min ${s} s)`;
  } else {
    el("clock").textContent = `deadline ${at}`;
    if (r.state === "open" && left <= 0) refresh();  // the server has closed it by now
  }
}

function renderText() {
  put("text", `<p class="muted">Version ${text.version}${text.note ? " — " + esc(text.note) : ""}</p>
    <table><tr><th>Issue</th><th>Value</th><th>In words</th><th>Changed in this version</th></tr>` +
    Object.keys(text.values).map(k => `<tr${k in text.changes ? ' class="changed"' : ""}>
      <td title="${esc(issues[k]?.description)}">${esc(issues[k]?.name || k)}</td><td>${valueCell(text, k)}</td>
      <td>${esc(text.readings[k] || "")}</td>
      <td>${k in text.changes ? esc(num(text.changes[k].from)) + " → " + esc(num(text.changes[k].to)) : ""}${
        text.bracketed.includes(k) ? " bracketed" : ""}${text.agreed.includes(k) ? " agreed" : ""}</td></tr>`).join("") + "</table>");
  put("issue-select", Object.keys(text.values).map(k => `<option value="${esc(k)}">${esc(issueName(k))}</option>`).join(""));
  // The scale's labelled points, so that a number means something while it is typed.
  const scale = i => (i.anchors || []).map(a => `${num(a.at)} = ${a.label}`).join("; ");
  put("revise-fields", `<input type="hidden" name="base_version" value="${text.version}"><p class="muted">Editing version ${text.version}.</p>` +
    `<table><tr><th>Issue</th><th>Value</th><th>Not agreed (bracket)</th><th>The scale</th></tr>` +
    Object.entries(text.values).map(([k, v]) => {
      const i = issues[k] || {min: "", max: ""};
      return `<tr><td><label for="rev-${esc(k)}">${esc(i.name || k)}</label></td>
        <td><input id="rev-${esc(k)}" type="number" step="any" min="${i.min}" max="${i.max}" name="${esc(k)}" value="${v}"></td>
        <td><input type="checkbox" name="bracket" value="${esc(k)}" aria-label="bracket ${esc(k)}"${text.brackets.includes(k) ? " checked" : ""}></td>
        <td class="muted">${esc(num(i.min))}–${esc(num(i.max))}${i.unit ? " " + esc(i.unit) : ""}${scale(i) ? ": " + esc(scale(i)) : ""}</td></tr>`;
    }).join("") + "</table>");
}

function renderHistory() {
  const last = history.length;
  if (!view.picked || view.to > last) view.to = last;
  if (!view.picked || view.from > last) view.from = Math.max(1, last - 1);
  const options = chosen => history.map(h => `<option value="${h.version}"${h.version === chosen ? " selected" : ""}>${h.version}${h.note ? " — " + esc(h.note) : ""}</option>`).join("");
  put("history-from", options(view.from));
  put("history-to", options(view.to));
  const a = history[view.from - 1], b = history[view.to - 1];
  put("history", `<table><tr><th>Issue</th><th>Version ${a.version}</th><th>Version ${b.version}</th></tr>` +
    Object.keys(b.values).map(k => {
      const differs = a.values[k] !== b.values[k] || a.brackets.includes(k) !== b.brackets.includes(k);
      return `<tr${differs ? ' class="changed"' : ""}><td>${esc(issueName(k))}</td>
        <td>${valueCell(a, k)} <span class="muted">${esc(a.readings[k] || "")}</span></td>
        <td>${valueCell(b, k)} <span class="muted">${esc(b.readings[k] || "")}</span></td></tr>`;
    }).join("") + "</table>");
}

// Comments by issue: every one for the chair and the facilitator, a delegation's own for it.
function renderComments(id, comments) {
  const byIssue = {};
  for (const c of comments) (byIssue[c.issue] ||= []).push(c);
  put(id, Object.entries(byIssue).map(([issue, list]) => `<h3>${esc(issueName(issue))}</h3><ul>` + list.map(c =>
    `<li>v${c.version} ${esc(seatName(c.author_id))}: ${esc(c.body)}${c.amendment !== null
      ? ` — amend to ${esc(num(c.amendment))}${me.seat.role === "chair" && c.version === text.version
        ? ` <button type="button" data-apply="${esc(issue)}" data-value="${c.amendment}">Put ${esc(num(c.amendment))} in my draft</button>` : ""}`
      : ""}</li>`).join("") + "</ul>").join("") || "<p class='muted'>No comments yet.</p>");
}

async function renderProposals() {
  const props = await api("/proposals");
  renderProposalList(props);
  return props;
}

function renderProposalList(props) {
  put("proposals", props.map(p => {
    const mine = p.votes.find(v => v.participant_id === me.seat.id);
    const terms = Object.entries(p.values).map(([k, v]) => `${esc(issueName(k))} ${esc(num(v))}`).join(", ") || "the text as it stands";
    const sponsors = [p.sponsor_id, ...p.cosponsors].map(seatName).join(", ");
    const revealed = p.state !== "open" ? "<ul>" + p.votes.map(v => `<li>${esc(seatName(v.participant_id))}: ${esc(v.choice)}${v.reason ? " — " + esc(v.reason) : ""}</li>`).join("") + "</ul>" : "";
    const ballot = p.state === "open" && me.seat.role === "delegation"
      ? `<form data-vote="${p.id}" class="inline"><label>Reason <input name="reason" size="30"></label>` +
        ["accept", "reject", "abstain"].map(c => `<button type="submit" value="${c}" aria-label="${c} “${esc(p.title)}”">${c}</button>`).join(" ") + "</form>" : "";
    const close = p.state === "open" && me.seat.role === "chair"
      ? `<form data-close="${p.id}" class="inline"><label>Your statement if it is not adopted <input name="statement" size="40"></label>
        <button type="submit" aria-label="Close the vote on “${esc(p.title)}”">Close the vote</button></form>` : "";
    const invited = p.invited.length ? ` · invited to co-sponsor: ${esc(p.invited.map(seatName).join(", "))}` : "";
    const invitation = p.state === "open" && p.invited.includes(me.seat.id)
      ? `<button type="button" data-cosponsor="${p.id}" data-accept="1">Co-sponsor “${esc(p.title)}”</button> <button type="button" data-cosponsor="${p.id}" data-accept="">Decline to co-sponsor “${esc(p.title)}”</button>` : "";
    return `<div><strong>${esc(p.title)}</strong> <span class="muted">(${esc(sponsors)}: ${terms})</span> — ${esc(p.state)}, ${p.votes_cast} vote${p.votes_cast === 1 ? "" : "s"} cast${
      mine ? " · your vote: " + esc(mine.choice) : ""}${invited} ${invitation} ${ballot} ${close} ${revealed}</div>`;
  }).join("") || "<p class='muted'>No proposals.</p>");
}

async function renderChannels() {
  const chans = await api("/channels");
  const read = seen(), unreadMessages = [];
  channelNames = Object.fromEntries(chans.map(c => [c.id, c.name]));
  put("channels", (await Promise.all(chans.map(async c => {
    const msgs = await api(`/channels/${c.id}/messages`);
    const who = c.kind === "private" ? ` <span class="muted">(${c.members.map(seatName).map(esc).join(", ")})</span>` : "";
    const fresh = msgs.filter(m => m.author_id !== me.seat.id && !read.has(`m${m.id}`));
    unreadMessages.push(...fresh.map(m => `m${m.id}`));
    return `<div><h3>${esc(c.name)}${who}</h3><ul>${msgs.map(m => `<li${fresh.includes(m) ? ' class="new"' : ""}>${esc(seatName(m.author_id))}: ${esc(m.body)}</li>`).join("")}</ul>
      ${me.seat.role !== "observer" && !me.exercise.archive_open && !(me.seat.role === "facilitator" && c.kind === "plenary")
        ? `<form data-channel="${c.id}"><label>Message to ${esc(c.name)} <input name="body" required size="50"></label><button type="submit" aria-label="Send to ${esc(c.name)}">Send</button></form>` : ""}</div>`;
  }))).join(""));
  unread.messages = unreadMessages;
  unreadBadge("channels-new", unreadMessages, "message");
}

async function renderMeasures() {
  const t = me.exercise.thresholds;
  put("thresholds-now", `Activities of ${num(t.notify_troops)} troops or more must be notified ${t.lead_days} days ahead.`);
  const notes = await api("/notifications");
  put("notifications", notes.length ? `<table><tr><th></th><th>Delegation</th><th>Activity</th><th>Troops</th><th>Starts</th><th>Flags</th></tr>` +
    notes.map(n => `<tr><td>${n.kind === "observed" ? "seen" : "notified"}</td><td>${esc(n.party)}</td><td>${esc(n.activity)}</td>
      <td>${esc(num(n.troops))}</td><td>${esc(n.starts)}</td><td class="flag">${n.flags.map(esc).join("<br>")}</td></tr>`).join("") + "</table>"
    : "<p class='muted'>No activities notified.</p>");
  put("thresholds-fields", `<label>Notify activities of this many troops or more <input name="notify_troops" type="number" min="1" value="${esc(t.notify_troops)}" required></label>
    <label>Days of notice required <input name="lead_days" type="number" min="0" value="${esc(t.lead_days)}" required></label>`);
  put("observe-party", delegations().map(s => `<option>${esc(s.party)}</option>`).join(""));
}

async function renderDebrief() {
  const d = await api("/debrief");
  const models = Object.entries(d.models);
  const one = x => x === null || x === undefined ? "—" : Number(x).toFixed(1);
  const text = `<table class="debrief-text"><caption>${d.adopted ? "The adopted text" : "The chair's latest draft (not adopted)"}</caption>
    <tr><th scope="col">Issue</th><th scope="col">${d.adopted ? "Adopted" : "Draft"}</th><th scope="col">Nash point</th>` +
    models.map(([, m]) => `<th scope="col">${esc(m.label)}</th>`).join("") + "</tr>" +
    d.issues.map(i => `<tr><th scope="row">${esc(i.name)}</th><td>${one(i.value)} <span class="muted">${esc(i.reading)}</span></td>
      <td>${one(i.nash)}</td>` + models.map(([k]) => `<td>${one(i.forecasts[k])}</td>`).join("") + "</tr>").join("") + "</table>";
  const below = d.parties.filter(p => p.below_reservation);
  const parties = `<table class="debrief-parties"><caption>Each delegation's outcome (utility from 0 to 1)</caption>
    <tr><th scope="col">Delegation</th><th scope="col">${d.adopted ? "The adopted text" : "The draft"}</th><th scope="col">Nash point</th><th scope="col">Reservation (no agreement)</th></tr>` +
    d.parties.map(p => `<tr${p.below_reservation ? ' class="below"' : ""}><th scope="row">${esc(p.name)}</th>
      <td>${p.utility.toFixed(3)}${p.below_reservation ? " <strong>below its reservation</strong>" : ""}</td>
      <td>${p.nash_utility === null ? "—" : p.nash_utility.toFixed(3)}</td><td>${p.reservation.toFixed(3)}</td></tr>`).join("") + "</table>";
  const belowWords = below.length
    ? `<p><strong>${below.map(p => esc(p.name)).join(", ")} ${below.length === 1 ? "does" : "do"} worse under this text than with no agreement at all.</strong></p>`
    : "";
  const noNash = d.nash_point ? "" : "<p class='muted'>No Nash point: no outcome gives every delegation more than its reservation.</p>";
  const meanings = `<dl class="meanings"><dt>Nash point</dt><dd>${esc(d.nash_meaning)}</dd>` +
    models.map(([, m]) => `<dt>${esc(m.label)}</dt><dd>${esc(m.meaning)}</dd>`).join("") + "</dl>";
  const download = me.exercise.archive_open
    ? `<p><button type="button" id="final-text">Download the final text</button> <span class="muted">(a document: the outcome, the text in words, the votes and reasons)</span></p>`
    : "";
  put("debrief", `<p class="verdict">${esc(d.verdict)}</p>${download}${text}${noNash}${belowWords}${parties}${meanings}`);
}
// A file the browser saves, from an API answer that needs the seat's header.
async function save(path, type) {
  const r = await fetch(`/api/exercises/${eid}${path}`, {headers: {"X-Accord-Seat": seat}});
  if (!r.ok) throw new Error((await r.json().catch(() => ({}))).detail || r.statusText);
  const name = /filename="([^"]+)"/.exec(r.headers.get("content-disposition") || "")?.[1] || "accord.txt";
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([await r.text()], {type}));
  a.download = name;
  a.click();
}

// A delegation's brief, from the scenario: read once per page.
let brief = null;
async function renderBrief() {
  if (me.seat.role !== "delegation") return;
  brief ||= await api("/brief");
  put("brief", `<p><strong>${esc(brief.name)}</strong>${brief.description ? ": " + esc(brief.description) : ""}</p>` +
    (brief.instructions ? `<h3>Your instructions</h3><p class="instructions">${esc(brief.instructions)}</p>` : "") + `
    <table><tr><th scope="col">Issue</th><th scope="col">Your position</th><th scope="col">For you</th><th scope="col">Without agreement</th><th scope="col">Source</th></tr>` +
    brief.issues.map(i => `<tr><th scope="row">${esc(i.name)}</th>
      <td>${i.position === null ? "—" : esc(num(i.position))} <span class="muted">${esc(i.position_reading)}</span>${i.note ? `<br><span class="muted">${esc(i.note)}</span>` : ""}</td>
      <td>${esc(i.priority)}</td>
      <td>${i.status_quo === null ? "—" : esc(num(i.status_quo))} <span class="muted">${esc(i.status_quo_reading)}</span></td>
      <td class="muted">${esc(i.source)}</td></tr>`).join("") + "</table>" +
    (brief.reservation === null ? "" : `<p class="muted">With no agreement you keep a utility of ${brief.reservation.toFixed(2)} (0–1): accept nothing worth less.</p>`));
}

// The chair's and facilitator's view of the table: who is here, who has spoken and voted.
function renderDashboard(timeline, props, comments) {
  el("dashboard-section").hidden = comments === null;
  if (comments === null) return;
  const open = props.filter(p => p.state === "open");
  const last = {}, voted = {};
  for (const e of timeline) {
    const by = e.payload.by;
    if (by === undefined) continue;
    last[by] = e;
    if (e.kind === "vote") (voted[by] ||= new Set()).add(e.payload.proposal);
  }
  const rows = delegations().map(s => {
    const mine = comments.filter(c => c.author_id === s.id && c.version === text.version).length;
    const votes = open.length ? `${open.filter(p => voted[s.id]?.has(p.id)).length} of ${open.length}` : "—";
    const act = last[s.id] ? `${esc(when(last[s.id].at))}: ${describeEvent(last[s.id])}` : "nothing yet";
    const here = s.bot ? "played by software" : me.online.includes(s.id) ? "page open" : "away";
    return `<tr><th scope="row">${esc(s.party)}</th><td>${here}</td><td>${mine}</td><td>${votes}</td><td>${act}</td></tr>`;
  });
  put("dashboard", `<table><tr><th scope="col">Delegation</th><th scope="col">Here</th>
    <th scope="col">Comments on version ${text.version}</th><th scope="col">Voted on open proposals</th>
    <th scope="col">Last action</th></tr>${rows.join("")}</table>`);
}

// One line per event on the timeline, in words.
function describeEvent(e) {
  const p = e.payload, n = x => esc(num(x));
  switch (e.kind) {
    case "created": return `Exercise created: ${esc(p.name)}`;
    case "round": {
      let s = `Round ${n(p.number)} ${esc(p.state)}`;
      if (p.reason === "deadline") s += " at its deadline";
      if (p.deadline && p.state !== "closed") s += ` (deadline ${esc(new Date(p.deadline).toLocaleString())})`;
      if (p.open_proposals && p.open_proposals.length) s += `; proposals still open, carried over: ${p.open_proposals.map(i => "#" + esc(i)).join(", ")}`;
      return s;
    }
    case "text": return `The chair issued version ${n(p.version)} of the text`;
    case "comment": return p.by === undefined ? `A comment on ${esc(issueName(p.issue))}`
      : `${esc(seatName(p.by))} commented on ${esc(issueName(p.issue))}`;
    case "proposal": return `Proposal #${n(p.id)} tabled: ${esc(p.title)}`;
    case "invitation": return `An invitation to co-sponsor proposal #${n(p.proposal)}: ${esc(p.title)}`;
    case "cosponsor": return `${esc(seatName(p.party))} now co-sponsors proposal #${n(p.proposal)}`;
    case "vote": return p.by === undefined ? `A vote was cast on proposal #${n(p.proposal)}`
      : `${esc(seatName(p.by))} ${p.changed ? "changed its vote" : "voted"} on proposal #${n(p.proposal)}`;
    case "vote-closed": return `Proposal #${n(p.proposal)} ${esc(p.state)}: ${esc(p.statement)}${p.chair_statement ? ` — “${esc(p.chair_statement)}”` : ""}`;
    case "channel": return `Channel opened: ${esc(p.name)}`;
    case "message": return `A message in ${esc(channelNames[p.channel] || "a channel")}`;
    case "inject": return `Inject: ${esc(p.title)}`;
    case "notification": return `A military activity ${p.kind === "observed" ? "seen" : "notified"}${p.flags && p.flags.length ? ` — <span class="flag">${p.flags.map(esc).join("; ")}</span>` : ""}`;
    case "thresholds": return `Thresholds now ${n(p.notify_troops)} troops, ${n(p.lead_days)} days' notice`;
    case "archive": return "The archive is open for the debrief";
    case "clock": return `The scenario clock was set to ${esc(new Date(p.start + "Z").toLocaleString(undefined, SCENARIO_TIME))}, running ${n(p.rate)} scenario minute${p.rate === 1 ? "" : "s"} a minute`;
    default: return `${esc(e.kind)} ${esc(JSON.stringify(p))}`;
  }
}

// One refresh at a time: events arriving meanwhile ask for one more afterwards.
let refreshing = null, again = false;
function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = load().finally(() => {
    refreshing = null;
    if (again) { again = false; refresh(); }
  });
  return refreshing;
}

async function load() {
  try {
    me = await api("/me");
    names = Object.fromEntries(me.seats.map(s => [s.id, s.party || s.role]));
    el("title").textContent = me.exercise.name;
    const setAt = me.exercise.scenario_date;
    document.title = `${me.exercise.name} — accord`;
    el("who").textContent = `You are: ${me.seat.role}${me.seat.party ? " — " + me.seat.party : ""}` +
      (setAt ? ` · the scenario is set on ${new Date(setAt + "T00:00:00").toLocaleDateString(undefined, {day: "numeric", month: "long", year: "numeric"})}` : "");
    document.querySelectorAll("[data-role]").forEach(n => { n.hidden = !n.dataset.role.split(" ").includes(me.seat.role); });
    const clockStart = el("clock-form").elements.start;  // offered at the scenario's date
    if (setAt && !clockStart.defaultValue) clockStart.defaultValue = clockStart.value = `${setAt}T09:00`;
    el("dashboard-section").hidden = !(me.seat.role === "chair" || me.seat.role === "facilitator");
    offerTabs();
    if (!shownTab()) showTab(location.hash.slice(1) || (me.exercise.archive_open ? "debrief" : ""));
    // Once the archive is open nothing more can be recorded: no form offers to.
    document.querySelectorAll("main form:not(#history-form)").forEach(f => {
      if (me.exercise.archive_open) f.hidden = true;
    });
    renderRound();
    await renderBrief();
    const t = await api("/text");
    text = t.current; history = t.history; issues = t.issues;
    renderText();
    renderHistory();
    put("cosponsors", ticks("cosponsors", me.seat.id));
    put("channel-members", ticks("members", me.seat.id));
    put("inject-targets", ticks("targets"));
    // Every comment, read once: the chair's desk lists them, both dashboards count them.
    const watching = me.seat.role === "chair" || me.seat.role === "facilitator";
    const comments = watching || me.seat.role === "delegation" ? await api("/comments") : null;
    if (watching) renderComments("comments", comments);
    if (me.seat.role === "delegation") renderComments("my-comments", comments);
    const props = await renderProposals();
    const [next, where] = nextAction(props);
    const label = where && el(`tab-${where}`)?.firstChild.textContent;
    put("next", esc(next) + (where ? ` <button type="button" data-goto="${where}"${shownTab() === where ? " hidden" : ""}>Go to ${esc(label)}</button>` : ""));
    const injects = await api("/injects"), read = seen();
    const fresh = me.seat.role === "facilitator" ? [] : injects.filter(i => !read.has(`i${i.id}`));
    unread.injects = fresh.map(i => `i${i.id}`);
    unreadBadge("injects-new", unread.injects, "inject");
    put("injects", injects.map(i => `<li${fresh.includes(i) ? ' class="new"' : ""}><strong>${esc(i.title)}</strong>: ${esc(i.body)}
      <span class="muted">(to ${i.targets.length ? esc(i.targets.map(seatName).join(", ")) : "every delegation"})</span></li>`).join("") || "<li class='muted'>None.</li>");
    await renderChannels();
    await renderMeasures();
    if (me.exercise.archive_open || me.seat.role === "facilitator" || me.seat.role === "chair") await renderDebrief();
    const timeline = await api("/timeline");
    renderDashboard(timeline, props, watching ? comments : null);
    put("timeline", timeline.map(e => `<li><span class="muted">${esc(when(e.at))}</span> ${describeEvent(e)}</li>`).join(""));
    show(null);
  } catch (err) { show(err); }
}

const post = (path, body, method = "POST") => api(path, {method, body: JSON.stringify(body)});

const issueName = k => issues[k]?.name || k;
const quoted = p => `“${p.title}”`;

// What this seat can do next, at the top of the page.
function nextAction(props) {
  const r = me.round, role = me.seat.role;
  if (me.exercise.archive_open) return ["The exercise is over: read the debrief.", "debrief"];
  if (r.state !== "open") {
    return role === "facilitator"
      ? [`Round ${r.number} is ${r.state}: open it when the table is ready.`, "overview"]
      : [`Round ${r.number} is ${r.state}: nothing can be recorded until the facilitator opens it.`, null];
  }
  const open = props.filter(p => p.state === "open");
  if (role === "delegation") {
    const toVote = open.filter(p => !p.votes.some(v => v.participant_id === me.seat.id));
    const invited = open.filter(p => p.invited.includes(me.seat.id));
    if (invited.length) return [`You are invited to co-sponsor ${invited.map(quoted).join(", ")}: accept or decline.`, "proposals"];
    if (toVote.length) return [`Vote on ${toVote.map(quoted).join(", ")}, with your reasons.`, "proposals"];
    return ["Comment on the chair's text (with an amendment if you have one), talk in the channels, or table the text as a proposal.", "text"];
  }
  if (role === "chair") {
    const all = delegations().length;
    const ready = open.filter(p => p.votes_cast >= all);
    if (ready.length) return [`Every delegation has voted on ${ready.map(quoted).join(", ")}: close the vote.`, "proposals"];
    if (open.length) return [`Votes are coming in on ${open.map(p => `${quoted(p)} (${p.votes_cast} of ${all})`).join(", ")}.`, "proposals"];
    return ["Read the comments and amendments, and issue a new version of the text.", "text"];
  }
  if (role === "facilitator") {
    return r.deadline ? ["The round runs to its deadline; send injects as the scenario unfolds.", "injects"]
      : ["Set a deadline for the round if you want one, and send injects as the scenario unfolds.", "overview"];
  }
  return ["You are observing: the text, the proposals, the open channels and the timeline update as the table works.", null];
}

// Send a form; the answer is what to tell the user beside it.
async function submit(f, data, submitter) {
  const all = name => new FormData(f).getAll(name);
  if (f.id === "comment-form") {
    await post("/comments", {version: text.version, issue: data.issue, body: data.body, amendment: data.amendment ? Number(data.amendment) : null});
    return `Your comment on ${issueName(data.issue)} is recorded for the chair${data.amendment ? `, with an amendment to ${num(data.amendment)}` : ""}.`;
  }
  if (f.id === "revise-form") return revise(f, data, all("bracket"));
  if (f.id === "proposal-form") {
    const p = await post("/proposals", {title: data.title, values: text.values, cosponsors: all("cosponsors")});
    return `Proposal ${quoted(p)} is tabled${p.invited.length ? `; ${p.invited.map(seatName).join(", ")} invited to co-sponsor it` : ""}.`;
  }
  if (f.id === "channel-form") {
    const c = await post("/channels", {name: data.name, members: all("members")});
    return `Channel “${c.name}” is open to ${c.members.map(seatName).join(", ")}.`;
  }
  if (f.id === "inject-form") {
    const to = all("targets");
    await post("/injects", {title: data.title, body: data.body, targets: to});
    return `Inject “${data.title}” sent to ${to.length ? to.join(", ") : "every delegation"}.`;
  }
  if (f.id === "notify-form") {
    const n = await post("/notifications", {activity: data.activity, troops: Number(data.troops), starts: data.starts});
    return `Notified: ${data.activity}${n.flags.length ? ` — flagged: ${n.flags.join("; ")}` : ""}.`;
  }
  if (f.id === "observe-form") {
    const n = await post("/notifications/observed", {party: data.party, activity: data.activity, troops: Number(data.troops), starts: data.starts});
    return `Recorded as seen: ${data.party}, ${data.activity}${n.flags.length ? ` — flagged: ${n.flags.join("; ")}` : ""}.`;
  }
  if (f.id === "thresholds-form") {
    await post("/thresholds", {notify_troops: Number(data.notify_troops), lead_days: Number(data.lead_days)}, "PUT");
    return `Saved: activities of ${num(data.notify_troops)} troops or more, ${data.lead_days} days' notice.`;
  }
  if (f.id === "clock-form") {
    await post("/clock", {start: data.start, rate: Number(data.rate)}, "PUT");
    return `The scenario clock now reads ${new Date(data.start + "Z").toLocaleString(undefined, SCENARIO_TIME)} and runs ${num(data.rate)} scenario minutes a minute.`;
  }
  if (f.id === "deadline-form") {
    await post("/rounds", {action: me.round.state === "paused" ? "pause" : "open", deadline: data.deadline ? new Date(data.deadline).toISOString() : null});
    return data.deadline ? `The round now closes at ${new Date(data.deadline).toLocaleString()}.` : "The round has no deadline now.";
  }
  if (f.dataset.channel) { await post(`/channels/${f.dataset.channel}/messages`, {body: data.body}); return ""; }
  if (f.dataset.close) {
    const p = await post(`/proposals/${f.dataset.close}/close`, {statement: data.statement || ""});
    return p.state === "adopted" ? `Adopted by consensus as a joint statement.`
      : `Not adopted; recorded in a chair's statement${data.statement ? " in your words" : ""}.`;
  }
  if (f.dataset.vote) {
    await post(`/proposals/${f.dataset.vote}/votes`, {choice: submitter.value, reason: data.reason || ""});
    return `Your vote (${submitter.value}) is recorded; the others see it when the chair closes the vote.`;
  }
  return "";
}

// The chair's new version, from the version the chair was editing: if the text moved on
// meanwhile, nothing is issued, and the chair is told where the two differ.
async function revise(f, data, brackets) {
  const base = Number(data.base_version);
  const values = {};
  for (const k of Object.keys(text.values)) if (k in data) values[k] = Number(data[k]);
  try {
    const v = await post("/text", {base_version: base, values, note: data.note || "", brackets});
    return `Version ${v.version} is issued to the table.`;
  } catch (err) {
    const now = (await api("/text")).current;
    if (now.version === base) throw err;
    const differs = Object.keys(values).filter(k => values[k] !== now.values[k])
      .map(k => `${issueName(k)}: yours ${num(values[k])}, version ${now.version} says ${num(now.values[k])}`);
    throw new Error(`Not issued: the text moved on to version ${now.version} while you were editing version ${base}. ` +
      (differs.length ? `Where your draft differs: ${differs.join("; ")}. ` : "") +
      "Show the new version and apply your changes to it.");
  }
}

document.addEventListener("submit", async ev => {
  ev.preventDefault();
  const f = ev.target;
  if (f.id === "history-form") return;
  try {
    const message = await submit(f, Object.fromEntries(new FormData(f)), ev.submitter);
    if (f.id !== "thresholds-form") f.reset();
    say(f, message);
    refresh();
  } catch (err) { say(f, err.message, true); }
});
document.addEventListener("change", ev => {
  if (ev.target.id === "history-from") view.from = Number(ev.target.value);
  else if (ev.target.id === "history-to") view.to = Number(ev.target.value);
  else return;
  view.picked = true;
  renderHistory();
});
document.addEventListener("click", async ev => {
  const b = ev.target.closest("button");
  if (!b || b.type === "submit") return;
  if (b.dataset.tab) { showTab(b.dataset.tab); return; }
  if (b.dataset.goto) { showTab(b.dataset.goto); el(`panel-${b.dataset.goto}`).querySelector("h2")?.scrollIntoView(); return; }
  if (b.dataset.read) {
    markSeen(b.dataset.read === "injects-new" ? unread.injects : unread.messages);
    refresh();
    return;
  }
  if (b.dataset.pending) { if (pending[b.dataset.pending] !== undefined) apply(b.dataset.pending, pending[b.dataset.pending]); return; }
  try {
    if (b.dataset.apply) { el(`rev-${b.dataset.apply}`).value = b.dataset.value; el(`rev-${b.dataset.apply}`).focus(); return; }
    if (b.dataset.cosponsor) await post(`/proposals/${b.dataset.cosponsor}/cosponsorship`, {accept: Boolean(b.dataset.accept)});
    if (b.dataset.round) await post("/rounds", {action: b.dataset.round});
    if (b.id === "archive") await api("/archive", {method: "POST"});
    if (b.id === "final-text") { await save("/final-text", "text/markdown"); return; }
    refresh();
  } catch (err) { show(err); }
});
el("export").addEventListener("click", async ev => {
  ev.preventDefault();
  try {
    const blob = new Blob([await api("/export")], {type: "application/json"});
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = `exercise-${eid}.json`; a.click();
  } catch (err) { show(err); }
});
// Live updates: every event the server streams to this seat refreshes the desk.
signIn().then(() => {
  const events = new EventSource(`/api/exercises/${eid}/events?seat=${encodeURIComponent(seat)}`);
  events.onmessage = () => refresh();
  // The browser reconnects by itself; meanwhile say so, and catch up once back.
  const lost = "The connection to the server is lost; reconnecting…";
  events.onerror = () => show(new Error(lost));
  events.onopen = () => { if (el("error").textContent === lost) { show(null); refresh(); } };
  setInterval(tickClock, 1000);
  refresh();
}).catch(err => {
  document.querySelectorAll("[data-role]").forEach(n => { n.hidden = true; });
  el("who").textContent = err.message;
});
