// @ts-check
// Shared state and small DOM helpers. Every server string goes in via textContent,
// never innerHTML, so nothing read from a form can run as markup.
import { label } from "./i18n.js";

export const state = {
  lang: localStorage.getItem("lang") || "both",
  config: null,
  batch: localStorage.getItem("batch") || null,
  run: null,
  active: false,
  live: new Map(),
  results: { status: null, q: "", province: "", sort: "path", dir: "asc", offset: 0, limit: 50 },
  doc: null,
  renderQueued: false,
  resultsStale: false,
};

// ---------- small helpers ----------
// Slowest main-thread work per section, for the responsiveness benchmark (window.__timings).
const timings = {};
window.__timings = timings;
export function timed(name, fn) {
  const started = performance.now();
  try {
    return fn();
  } finally {
    const spent = performance.now() - started;
    timings[name] = Math.max(timings[name] || 0, spent);
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const t = (key) => label(key, state.lang);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const numberFormat = new Intl.NumberFormat("th-TH");
export const fmt = (n) => (n === null || n === undefined ? "—" : typeof n === "number" ? numberFormat.format(n) : String(n));

export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

let toastTimer = null;
export function toast(message, kind = "error") {
  const box = $("#toast");
  box.textContent = message;
  box.className = kind === "info" ? "info" : "";
  box.hidden = false;
  box.onclick = () => (box.hidden = true);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), kind === "info" ? 2500 : 7000);
}

export async function api(method, url, body) {
  /** @type {RequestInit & { headers: Record<string, string> }} */
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new Error("the server cannot be reached");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    // Messages the server gives in both languages follow the language switch.
    const message =
      state.lang === "th" && data.errorTh
        ? data.errorTh
        : state.lang === "both" && data.errorTh
          ? `${data.errorTh}\n${data.error}`
          : data.error;
    throw new Error(message || `HTTP ${response.status}`);
  }
  return data;
}

export function statusChip(status) {
  return el("span", { class: `chip ${status}`, text: t(status), dataset: { i18n: status } });
}

// ---------- language ----------
export function applyLabels() {
  document.documentElement.lang = state.lang === "en" ? "en" : "th";
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-i18n]")))
    node.textContent = t(node.dataset.i18n);
}
