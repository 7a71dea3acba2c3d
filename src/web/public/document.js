// @ts-check
// Document view: page images beside the numbers read, failing checks, corrections and approval.
import { $, api, el, fmt, state, statusChip, t, toast } from "./core.js";
import { inLanguage } from "./i18n.js";
import { cropImage, renderReview, reviewer, setupReview } from "./review.js";

const TOTAL_LABELS = {
  eligibleVoters: ["ผู้มีสิทธิ", "Eligible voters"],
  votersTurnedUp: ["ผู้มาใช้สิทธิ", "Voters who came"],
  envelopes: ["ซองที่ได้รับ", "Envelopes"],
  ballotsInEnvelopes: ["บัตรในซอง", "Ballots in envelopes"],
  ballotsReceived: ["บัตรที่ได้รับ", "Ballots received"],
  ballotsUsed: ["บัตรที่ใช้", "Ballots used"],
  ballotsRemaining: ["บัตรคงเหลือ", "Ballots remaining"],
  good: ["บัตรดี", "Good ballots"],
  bad: ["บัตรเสีย", "Bad ballots"],
  noVote: ["ไม่เลือกผู้ใด", "No vote"],
  voteTotal: ["รวมคะแนน", "Vote total"],
};
const totalLabel = (key) => {
  const pair = TOTAL_LABELS[key] || [key, key];
  return inLanguage(pair[0], pair[1], state.lang);
};

/** Who read what in this cell (each witness's value, "?" when it could not read it) and the cell's verdict. */
function readersOf(cell) {
  const witnesses = cell.witnesses ?? [];
  if (witnesses.length === 0 && !cell.verdict) return el("span", { class: "muted", text: "—" });
  return el(
    "div",
    { class: "readers", dataset: { verdict: cell.verdict ?? "" } },
    cell.verdict ? el("span", { class: `verdict ${cell.verdict}`, text: t(`verdict_${cell.verdict}`) }) : null,
    ...witnesses.map((w) => {
      const who = w.kind === "person" ? `${t("witness_person")} ${w.source}` : t(`witness_${w.kind}`);
      const confidence = typeof w.confidence === "number" ? ` (${w.confidence.toFixed(2)})` : "";
      return el("span", {
        class: "witness",
        dataset: { kind: w.kind },
        title: `${w.source}${confidence}`,
        text: `${who}: ${w.value === null ? "?" : fmt(w.value)}`,
      });
    }),
  );
}

function cellRow(field, name, cell, suspect, cropUrl) {
  const input = el("input", {
    type: "number",
    min: "0",
    step: "1",
    value: cell.value ?? "",
    dataset: { field, original: cell.value ?? "" },
    "aria-label": `${name}`,
  });
  input.addEventListener("input", () => input.closest("tr").classList.toggle("changed", input.value !== input.dataset.original));
  const edit = cell.edit
    ? el("span", {
        class: "edit-mark",
        text: `✎ ${t("editedByPerson")}: ${cell.edit.by} (${fmt(cell.edit.previousValue)} → ${fmt(cell.value)})`,
      })
    : null;
  return el(
    "tr",
    { class: suspect ? "suspect" : "", dataset: { field } },
    el("td", { text: name }),
    // The crop is fetched when the row scrolls into view.
    el("td", { class: "crop" }, cropUrl ? cropImage(cropUrl.replace("FIELD", field), `${field} digits`, "lazy") : null),
    el("td", { text: cell.digits ?? `(${cell.mark})` }),
    el("td", { text: cell.words ?? "" }),
    el("td", {}, input, edit),
    el("td", { class: "who" }, readersOf(cell)),
  );
}

export async function loadDocument(id) {
  let data;
  try {
    data = await api("GET", `/api/documents/${encodeURIComponent(id)}`);
  } catch (error) {
    return toast(error.message);
  }
  state.doc = data;
  const result = data.result;
  const row = data.row;
  $("#doc-pages").replaceChildren(
    ...data.pages.map((page) => {
      const img = el("img", { src: page.url, alt: `page ${page.page}`, loading: "lazy" });
      img.addEventListener("click", () => img.classList.toggle("zoom"));
      img.addEventListener("error", () => img.replaceWith(el("p", { class: "muted", text: t("pageImageMissing") })));
      return el("figure", {}, img, el("figcaption", { text: `${t("pages")} ${page.page}` }));
    }),
  );
  const loc = result.location;
  $("#doc-head").replaceChildren(
    el(
      "div",
      { class: "doc-head" },
      el("h2", { text: row.path }),
      el(
        "div",
        { class: "meta" },
        statusChip(result.status),
        row.approvedBy
          ? el("span", {
              class: "chip verified",
              text: `${t(row.approvedAsWritten ? "approvedAsWritten" : "approvedBy")} ${row.approvedBy}`,
            })
          : null,
        result.review?.asWritten ? el("span", { class: "chip needs_review", text: `${t("note")}: ${result.review.note}` }) : null,
        el("span", { text: `${t("form")}: ${result.formCode ?? "—"}` }),
        el("span", { text: `${t("province")}: ${loc.province ?? "—"}` }),
        el("span", { text: `${t("constituency")}: ${loc.constituency ?? "—"}` }),
        el("span", { text: `${t("unit")}: ${loc.unit ?? "—"}` }),
        el("span", { text: `${t("sumOfVotes")}: ${fmt(row.sumOfVotes)}` }),
      ),
      result.error ? el("p", { class: "banner", text: `${result.error.code}: ${result.error.message}` }) : null,
    ),
  );
  const failing = result.checks.filter((c) => !c.ok);
  const suspectRows = new Set(failing.flatMap((c) => c.rows || []));
  const suspectTotals = new Set(failing.flatMap((c) => c.totals || []));
  const passing = result.checks.filter((c) => c.ok);
  const checkItem = (c) =>
    el("li", { class: `${c.ok ? "pass" : "fail"} ${c.severity}`, text: `${c.ok ? "✓" : "✗"} ${c.rule} — ${c.detail}` });
  // Failing checks stay in view; the passing ones fold away.
  $("#doc-checks").replaceChildren(
    ...failing.map(checkItem),
    passing.length
      ? el(
          "li",
          { class: "pass" },
          el(
            "details",
            {},
            el("summary", { text: `✓ ${passing.length} ${t("checksPass")}` }),
            el("ul", { class: "checks" }, ...passing.map(checkItem)),
          ),
        )
      : null,
  );
  const totals = Object.entries(result.totals).filter(([, cell]) => cell !== null);
  // A failed file has no page to cut a crop from.
  const cropUrl = result.status === "failed" ? null : data.review?.cropUrl;
  $("#doc-totals tbody").replaceChildren(
    ...totals.map(([key, cell]) => cellRow(`totals.${key}`, totalLabel(key), cell, suspectTotals.has(key), cropUrl)),
  );
  $("#doc-votes tbody").replaceChildren(
    ...result.votes.map((v) => cellRow(`votes.${v.number}`, String(v.number), v, suspectRows.has(v.number), cropUrl)),
  );
  $("#reviewer").value = localStorage.getItem("reviewer") || "";
  renderReview(data);
  $("#doc-audit tbody").replaceChildren(
    ...(data.edits.length
      ? data.edits.map((e) =>
          el(
            "tr",
            {},
            el("td", { text: new Date(e.at).toLocaleString() }),
            el("td", { text: e.by }),
            el("td", { text: e.field }),
            el("td", { text: fmt(e.oldValue) }),
            el("td", { text: fmt(e.newValue) }),
            el("td", { text: e.note ?? "" }),
          ),
        )
      : [el("tr", {}, el("td", { colspan: 6, class: "muted", text: t("noEdits") }))]),
  );
}

async function saveEdits() {
  const by = reviewer();
  if (!by || !state.doc) return false;
  const id = state.doc.result.document.id;
  const note = $("#review-note").value.trim();
  const changed = [.../** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("#doc-form input[data-field]"))].filter(
    (input) => input.value !== input.dataset.original,
  );
  for (const input of changed) {
    const value = input.value === "" ? null : Number(input.value);
    const body = { field: input.dataset.field, value, by };
    if (note) body.note = note;
    try {
      await api("POST", `/api/documents/${id}/edits`, body);
    } catch (error) {
      toast(`${input.dataset.field}: ${error.message}`);
      return false;
    }
  }
  if (changed.length) toast(`${t("saved")} (${changed.length})`, "info");
  await loadDocument(id);
  return true;
}

export function setupDocument() {
  setupReview(loadDocument);
  $("#doc-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveEdits();
  });
  $("#doc-approve").addEventListener("click", async () => {
    if (!(await saveEdits())) return;
    const by = reviewer();
    try {
      await api("POST", `/api/documents/${state.doc.result.document.id}/approve`, { by });
      toast(`${t("approvedBy")} ${by}`, "info");
      await loadDocument(state.doc.result.document.id);
    } catch (error) {
      toast(error.message);
    }
  });
}
