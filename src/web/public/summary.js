// @ts-check
// Downloads and the overview: aggregates, discrepancies, coverage, duplicates, anomalies.
import { $, api, el, fmt, statusChip, t, toast } from "./core.js";

function table(headers, rows) {
  return el(
    "table",
    { class: "grid compact" },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { text: h })))),
    el(
      "tbody",
      {},
      ...rows.map((cells) => el("tr", {}, ...cells.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", { text: c }))))),
    ),
  );
}

const SUM_FIELDS = ["ballotsUsed", "good", "bad", "noVote"];

/** A sum with unread cells is never shown as a number: "≥ 1,297 (3 cells unread)". */
export function sumText(line, field) {
  if (line[field] !== null) return fmt(line[field]);
  const unread = `${fmt(line.unread[field])} ${t("cellsUnread")}`;
  return line.atLeast[field] > 0 ? `≥ ${fmt(line.atLeast[field])} (${unread})` : `? (${unread})`;
}

/** The leading rows, from the forms with every vote read only, saying how many were left out. */
function topRows(line) {
  if (line.completeForms === 0) return `${t("noCompleteForm")} (${fmt(line.leftOut)} ${t("formsLeftOut")})`;
  const top = line.votes
    .slice(0, 3)
    .map(([row, votes]) => `#${row}: ${fmt(votes)}`)
    .join(" · ");
  return line.leftOut > 0 ? `${top} (${fmt(line.completeForms)}/${fmt(line.forms)} ${t("formsComplete")})` : top;
}

/** Bumped by every load: a poll for an overview still being counted stops when a newer load starts. */
let loads = 0;

export async function loadSummary(allPdfs = false) {
  const load = ++loads;
  const [reports, overview] = await Promise.allSettled([
    api("GET", allPdfs ? "/api/reports?pdfs=all" : "/api/reports"),
    api("GET", "/api/overview"),
  ]);
  if (reports.status === "fulfilled") {
    $("#downloads").replaceChildren(
      ...reports.value.files.map((f) =>
        el("li", {}, el("a", { href: f.url, download: f.name.split("/").pop(), text: `${f.name} (${Math.ceil(f.bytes / 1024)} KB)` })),
      ),
    );
  } else toast(reports.reason.message);
  if (overview.status !== "fulfilled") return toast(overview.reason.message);
  await showOverview(overview.value, load);
}

/**
 * The overview, or while the server is still counting it a note without any figure, asking again
 * until it is ready (the server waits for it a while before each answer, so at once).
 */
async function showOverview(o, load) {
  const box = $("#overview");
  if (o.counting) {
    box.replaceChildren(el("p", { class: "muted", text: t("overviewCounting") }));
    if (load !== loads || !box.isConnected) return;
    try {
      const next = await api("GET", "/api/overview");
      if (load === loads) await showOverview(next, load);
    } catch (error) {
      toast(error.message);
    }
    return;
  }
  const kinds = Object.keys(o.national);
  const kindName = (k) => (k === "constituency" ? t("constituencyForm") : t("party_list"));
  const docLink = (f) => el("a", { href: `#/doc/${f.id}`, text: f.path });
  box.replaceChildren(
    el(
      "div",
      { class: "cards" },
      el("div", {}, el("span", { text: t("documents") }), el("b", { text: fmt(o.documents) })),
      ...Object.entries(o.statusCounts).map(([s, n]) => el("div", {}, statusChip(s), el("b", { text: fmt(n) }))),
      ...kinds.map((k) =>
        el(
          "div",
          {},
          el("span", { text: `${t("coverage")} (${kindName(k)})` }),
          el("b", {
            text: `${fmt(o.coverage[k].unitsProcessed)} / ${o.coverage[k].unitsInReference === null ? "?" : fmt(o.coverage[k].unitsInReference)}`,
          }),
        ),
      ),
    ),
    el("h3", { text: t("byConstituency") }),
    el("p", { class: "muted", text: t("partialSumNote") }),
    table(
      [t("province"), t("constituency"), t("kind"), t("stations"), t("ballotsUsed"), t("good"), t("bad"), t("noVote"), t("topRows")],
      o.areas.flatMap((a) =>
        kinds
          .filter((k) => a.kinds[k].forms > 0)
          .map((k) => {
            const line = a.kinds[k];
            return [
              a.province ?? "—",
              String(a.constituency),
              kindName(k),
              fmt(line.forms),
              ...SUM_FIELDS.map((f) => sumText(line, f)),
              topRows(line),
            ];
          }),
      ),
    ),
    el("h3", { text: t("discrepancies") }),
    o.discrepancies.length
      ? table(
          [t("severity"), t("kind"), "", t("ours"), t("official"), t("difference"), t("documents")],
          o.discrepancies.map((d) => [
            el("span", { class: `sev-${d.severity}`, text: d.severity }),
            `${d.level} ${d.area} · ${kindName(d.kind)}`,
            `${d.measure}${d.subject ? ` · ${d.subject}` : ""}`,
            fmt(d.ours),
            fmt(d.official),
            `${d.difference > 0 ? "+" : ""}${fmt(d.difference)} (${(d.relative * 100).toFixed(1)}%)`,
            el("span", {}, ...d.forms.slice(0, 3).flatMap((f) => [docLink(f), " "])),
          ]),
        )
      : el("p", { class: "muted", text: t("noDiscrepancies") }),
    el("h3", { text: t("duplicates") }),
    o.duplicates.length
      ? table(
          [t("kind"), t("documents"), t("difference")],
          o.duplicates.map((d) => [d.kind, el("span", {}, docLink(d.counted), " ≟ ", docLink(d.ignored)), d.differences.join(", ") || "="]),
        )
      : el("p", { class: "muted", text: "—" }),
    el("h3", { text: t("anomalies") }),
    o.anomalies.length
      ? table(
          [t("constituency"), "", t("value"), "median", t("documents")],
          o.anomalies.map((a) => [
            a.area,
            `${a.metric}${a.row ? ` #${a.row}` : ""}`,
            a.value.toFixed(3),
            a.median.toFixed(3),
            docLink(a.form),
          ]),
        )
      : el("p", { class: "muted", text: "—" }),
  );
}

export function setupSummary() {
  $("#build-pdfs").addEventListener("click", async (event) => {
    event.target.disabled = true;
    await loadSummary(true);
    event.target.disabled = false;
  });
}
