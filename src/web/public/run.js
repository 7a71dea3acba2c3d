// @ts-check
// Run settings, start/cancel/resume, and live progress from server-sent events.
import { $, api, duration, el, fmt, state, statusChip, t, timed, toast } from "./core.js";
import { loadResults, loadReview } from "./results.js";

const LIMIT_FIELDS = ["workers", "rps", "rpm", "rpd", "maxAttempts", "maxRequests", "maxCostUsd"];

export function fillSettings() {
  const d = state.config.defaults;
  const providerSelect = $("#run-provider");
  providerSelect.replaceChildren(...d.providers.map((name) => el("option", { value: name, text: name })));
  providerSelect.value = d.provider;
  $("#run-model").value = d.model;
  $("#run-base-url").value = d.baseUrl;
  $("#run-key").value = d.keyConfigured ? `✓ ${t("keyOnServer")}` : t("keyMissing");
  const form = $("#run-form");
  for (const name of LIMIT_FIELDS) form.elements[name].placeholder = d.limits[name] ?? "—";
  form.elements.timeoutS.placeholder = d.limits.timeoutMs ? d.limits.timeoutMs / 1000 : "—";
  const limits = state.config.uploadLimits;
  $("#upload-limits").textContent =
    `≤ ${Math.round(limits.maxFileBytes / 1048576)} MB/file · ≤ ${limits.maxBatchFiles} files · ≤ ${Math.round(limits.maxBatchBytes / 1073741824)} GB/batch`;
}

export async function loadBatches() {
  try {
    const data = await api("GET", "/api/uploads");
    const select = $("#run-batch");
    const previous = select.value || state.batch;
    select.replaceChildren(
      ...data.batches.filter((b) => b.files > 0).map((b) => el("option", { value: b.id, text: `${b.id} (${b.files})` })),
    );
    if (select.options.length === 0) select.append(el("option", { value: "", text: t("noBatch") }));
    if (previous && [...select.options].some((o) => o.value === previous)) select.value = previous;
  } catch (error) {
    toast(error.message);
  }
}

function readSettings() {
  const form = $("#run-form");
  const limits = {};
  for (const name of LIMIT_FIELDS) {
    const raw = form.elements[name].value;
    if (raw !== "") limits[name] = Number(raw);
  }
  if (form.elements.timeoutS.value !== "") limits.timeoutMs = Math.round(Number(form.elements.timeoutS.value) * 1000);
  return {
    batch: $("#run-batch").value,
    provider: $("#run-provider").value,
    model: $("#run-model").value.trim(),
    witness: $("#run-witness").checked,
    acceptSingleWitness: $("#run-accept-single").checked,
    limits,
  };
}

async function startRun(batch) {
  const settings = readSettings();
  if (batch) settings.batch = batch;
  if (!settings.batch) return toast(t("noBatch"));
  try {
    const data = await api("POST", "/api/runs", settings);
    state.run = data.run;
    state.active = true;
    state.live.clear();
    $("#live-table tbody").replaceChildren();
    scheduleRender();
  } catch (error) {
    toast(error.message);
  }
}

export function setupRun() {
  $("#run-form").addEventListener("submit", (event) => {
    event.preventDefault();
    startRun();
  });
  $("#run-resume").addEventListener("click", () => startRun(state.run?.batch));
  $("#run-cancel").addEventListener("click", async () => {
    try {
      const data = await api("POST", "/api/run/cancel");
      state.run = data.run;
      scheduleRender();
    } catch (error) {
      toast(error.message);
    }
  });
}

// ---------- live progress (SSE) ----------
function applyEvent(event) {
  const run = state.run;
  if (!run) return;
  switch (event.type) {
    case "run_started":
    case "discovery_finished":
      run.total = event.total;
      run.alreadyDone = event.alreadyDone;
      break;
    case "document_started":
      setLive(event.documentId, event.path, "running", "");
      break;
    case "document_finished":
      setLive(event.documentId, event.path, event.status, event.reasons.join("; "));
      state.resultsStale = true;
      break;
    case "document_failed":
      setLive(event.documentId, event.path, "failed", event.error.message);
      state.resultsStale = true;
      break;
    case "rate_limited":
      run.pausedUntil = event.until;
      pushLog(`rate limited (${event.scope}) until ${event.until}`);
      break;
    case "resumed":
      run.pausedUntil = null;
      break;
    case "retry_scheduled":
      pushLog(`retry ${event.attempt}: ${event.reason}`);
      break;
    case "quota_exhausted":
      pushLog(`daily quota exhausted; resets ${event.resetAt}`);
      break;
    case "duplicate_content":
      pushLog(`duplicate content: ${event.paths.join(", ")}`);
      break;
    case "progress": {
      const { type, ...snapshot } = event;
      run.progress = snapshot;
      break;
    }
    case "run_finished":
      run.progress = event.progress;
      break;
  }
}

function pushLog(line) {
  const run = state.run;
  run.log = [...(run.log || []), `${new Date().toISOString().slice(11, 19)} ${line}`].slice(-100);
}

const LIVE_ROWS = 100;
function setLive(id, path, phase, detail) {
  state.live.delete(id);
  state.live.set(id, { id, path, phase, detail, dirty: true });
  if (state.live.size > LIVE_ROWS * 2) state.live.delete(state.live.keys().next().value);
}

export function connectEvents() {
  const source = new EventSource("/api/events");
  source.addEventListener("snapshot", (message) => {
    const data = JSON.parse(message.data);
    state.run = data.run;
    state.active = data.active;
    state.live.clear();
    $("#live-table tbody").replaceChildren();
    if (data.run) for (const doc of [...data.run.documents].reverse()) setLive(doc.id, doc.path, doc.phase, doc.detail);
    scheduleRender();
  });
  source.addEventListener("run", (message) => {
    const view = JSON.parse(message.data);
    const sameRun = state.run && state.run.runId === view.runId;
    state.run = sameRun ? { ...view, log: view.log.length ? view.log : state.run.log } : view;
    state.active = view.phase !== "finished";
    if (!sameRun) {
      state.live.clear();
      $("#live-table tbody").replaceChildren();
    }
    if (view.phase === "finished") state.resultsStale = true;
    scheduleRender();
  });
  source.addEventListener("batch", (message) => {
    timed("sseEvent", () => applyEvent(JSON.parse(message.data)));
    scheduleRender();
  });
  source.addEventListener("document", () => {
    state.resultsStale = true;
    scheduleRender();
  });
}

// All DOM work for live updates happens at most once per frame, however many events arrive.
export function scheduleRender() {
  if (state.renderQueued) return;
  state.renderQueued = true;
  requestAnimationFrame(() => {
    state.renderQueued = false;
    timed("renderRun", renderRun);
    maybeRefreshResults();
  });
}

const liveRows = new Map();
function renderRun() {
  const run = state.run;
  const strip = $("#run-strip");
  $("#run-cancel").disabled = !state.active || run?.phase === "cancelling";
  $("#run-start").disabled = state.active;
  for (const field of $("#run-form").querySelectorAll("input:not([readonly]), select")) field.disabled = state.active;
  $("#run-form").classList.toggle("collapsed", state.active);
  const resumable =
    run && run.phase === "finished" && ["cancelled", "budget", "quota", "fatal", "completed_with_failures"].includes(run.end);
  $("#run-resume").hidden = !resumable || state.active;
  if (!run) {
    strip.hidden = true;
    return;
  }
  const p = run.progress;
  const total = p?.total ?? run.total ?? 0;
  const done = p?.done ?? 0;
  const pct = total > 0 ? (100 * done) / total : run.phase === "finished" ? 100 : 0;
  $("#run-fill").style.width = `${pct}%`;
  // While discovery goes on the total is those found so far: shown as a lower bound.
  const more = p?.discovering ? "+" : "";
  $("#run-count").textContent = `${fmt(done)} / ${fmt(total)}${more} ${t("done")} (${Math.round(pct)}%)`;
  let message = `${t("batch")} ${run.batch} · ${run.settings.provider} · ${run.settings.model}`;
  if (p?.discovering) message += ` · ${t("discovering")}`;
  if (run.phase === "cancelling") message += ` · ${t("cancelling")}`;
  if (run.phase === "finished") message += ` · ${t("finished")}: ${t(`end_${run.end}`)} — ${run.message || ""}`;
  $("#run-message").textContent = message;
  const banner = $("#paused-banner");
  banner.hidden = !run.pausedUntil;
  if (run.pausedUntil) banner.textContent = `${t("paused")} ${new Date(run.pausedUntil).toLocaleTimeString()}`;
  const stats = [
    ["verified", fmt(p?.verified)],
    ["needs_review", fmt(p?.needsReview)],
    ["failed", fmt(p?.failed)],
    ["inFlight", fmt(p?.inFlight)],
    ["rate", p ? `${(p.docsPerMinute ?? 0).toFixed(1)} ${t("perMinute")}` : "—"],
    ["eta", run.phase === "finished" ? "—" : duration(p?.etaMs)],
    ["elapsed", duration(p?.elapsedMs)],
    ["requests", fmt(p?.requests)],
    ["retries", fmt(p?.retries)],
    ["pauses", fmt(p?.rateLimitPauses)],
    ["cost", p ? `$${(p.costUsd ?? 0).toFixed(4)}` : "—"],
  ];
  $("#run-stats").replaceChildren(
    ...stats.map(([key, value]) => el("div", {}, el("dt", { text: t(key) }), el("dd", { text: value, dataset: { stat: key } }))),
  );
  strip.hidden = false;
  $(".fill", strip).style.width = `${pct}%`;
  $(".text", strip).textContent =
    `${fmt(done)} / ${fmt(total)} · ${run.phase === "finished" ? t(`end_${run.end}`) : t(`phase_${run.phase}`)}`;

  const body = $("#live-table tbody");
  for (const doc of state.live.values()) {
    if (!doc.dirty) continue;
    doc.dirty = false;
    let row = liveRows.get(doc.id);
    if (!row) {
      row = el("tr", { class: "link", dataset: { id: doc.id } });
      liveRows.set(doc.id, row);
    }
    row.replaceChildren(
      el("td", {}, statusChip(doc.phase)),
      el("td", { text: doc.path }),
      el("td", {}, el("div", { class: "clamp", title: doc.detail, text: doc.detail })),
    );
    body.prepend(row);
  }
  while (body.children.length > LIVE_ROWS) {
    const last = body.lastElementChild;
    liveRows.delete(last.dataset.id);
    last.remove();
  }
  $("#run-log").textContent = (run.log || []).join("\n");
}

let lastResultsRefresh = 0;
function maybeRefreshResults() {
  if (!state.resultsStale) return;
  const visible = !$("#view-results").hidden || !$("#view-review").hidden;
  if (!visible) return;
  const wait = 1500 - (performance.now() - lastResultsRefresh);
  if (wait > 0) {
    setTimeout(scheduleRender, wait);
    return;
  }
  state.resultsStale = false;
  lastResultsRefresh = performance.now();
  if (!$("#view-results").hidden) loadResults();
  else loadReview();
}
