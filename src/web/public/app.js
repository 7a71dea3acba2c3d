// @ts-check
// ballot-ocr web page: plain ES modules, no framework and no build step.
import { $, api, applyLabels, state, t, timed, toast } from "./core.js";
import { loadDocument, setupDocument } from "./document.js";
import { loadResults, loadReview, setupResults } from "./results.js";
import { connectEvents, fillSettings, loadBatches, scheduleRender, setupRun } from "./run.js";
import { loadSummary, setupSummary } from "./summary.js";
import { renderUploadCounts, setupUpload } from "./upload.js";

const VIEWS = ["upload", "run", "results", "review", "summary", "doc"];
function route() {
  const hash = location.hash || "#/upload";
  const [, name, arg] = hash.split("/");
  const view = VIEWS.includes(name) ? name : "upload";
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== view;
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".tabs a")))
    a.classList.toggle("active", a.dataset.tab === view);
  if (view === "run") loadBatches();
  if (view === "results") loadResults();
  if (view === "review") loadReview();
  if (view === "summary") loadSummary();
  if (view === "doc" && arg) loadDocument(decodeURIComponent(arg));
}

async function main() {
  $("#lang").value = state.lang;
  $("#lang").addEventListener("change", (event) => {
    state.lang = event.target.value;
    localStorage.setItem("lang", state.lang);
    applyLabels();
    renderUploadCounts();
    if (state.config) $("#run-key").value = state.config.defaults.keyConfigured ? `✓ ${t("keyOnServer")}` : t("keyMissing");
    route();
    scheduleRender();
  });
  applyLabels();
  setupUpload();
  setupRun();
  setupResults();
  setupDocument();
  setupSummary();
  try {
    state.config = await api("GET", "/api/config");
    fillSettings();
  } catch (error) {
    toast(error.message);
  }
  connectEvents();
  window.addEventListener("hashchange", () => timed("route", route));
  route();
}

main();
