// @ts-check
// Documents table (filters, sorting, paging) and the review queue.
import { $, api, el, fmt, state, statusChip, t, timed, toast } from "./core.js";
import { say, sentenceList } from "./review.js";

function renderStatusChips(counts) {
  const box = $("#status-chips");
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const make = (status, count) =>
    el("button", {
      type: "button",
      class: state.results.status === status ? "active" : "",
      text: `${t(status ?? "all")} (${count})`,
      dataset: { status: status ?? "" },
      onclick: () => {
        state.results.status = status;
        state.results.offset = 0;
        loadResults();
      },
    });
  box.replaceChildren(make(null, all), ...["verified", "needs_review", "failed"].map((s) => make(s, counts[s] ?? 0)));
}

export async function loadResults() {
  const r = state.results;
  const params = new URLSearchParams({ sort: r.sort, dir: r.dir, offset: String(r.offset), limit: String(r.limit) });
  if (r.status) params.set("status", r.status);
  if (r.q) params.set("q", r.q);
  if (r.province) params.set("province", r.province);
  let data;
  try {
    data = await api("GET", `/api/documents?${params}`);
  } catch (error) {
    return toast(error.message);
  }
  timed("renderResults", () => renderResults(data));
}

function renderResults(data) {
  const r = state.results;
  renderStatusChips(data.counts);
  for (const th of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("#results-table th[data-sort]"))) {
    th.classList.toggle("sorted-asc", th.dataset.sort === r.sort && r.dir === "asc");
    th.classList.toggle("sorted-desc", th.dataset.sort === r.sort && r.dir === "desc");
  }
  const rows = data.rows.map((row) =>
    el(
      "tr",
      { class: "link", dataset: { id: row.id } },
      el("td", {}, statusChip(row.status), row.edited ? el("span", { class: "chip edited", text: "✎" }) : null),
      el("td", { text: row.path }),
      el("td", { text: row.formCode ?? "—" }),
      el("td", { text: row.province ?? "—" }),
      el("td", { text: row.constituency ?? "—" }),
      el("td", { text: row.unit ?? "—" }),
      el("td", { class: "num", text: fmt(row.good) }),
      el("td", { class: "num", text: fmt(row.bad) }),
      el("td", { class: "num", text: fmt(row.noVote) }),
      el("td", { class: "num", text: fmt(row.voteTotal) }),
      el("td", { text: row.failedChecks ? `✗ ${row.failedChecks}` : "✓" }),
    ),
  );
  const body = $("#results-table tbody");
  body.replaceChildren(...rows);
  if (rows.length === 0) body.append(el("tr", {}, el("td", { colspan: 11, class: "muted", text: t("resultsEmpty") })));
  const last = Math.min(r.offset + r.limit, data.total);
  $("#page-info").textContent = `${data.total ? r.offset + 1 : 0}–${last} / ${data.total}`;
  $("#page-prev").disabled = r.offset === 0;
  $("#page-next").disabled = last >= data.total;
}

export function setupResults() {
  let debounce = null;
  const onFilter = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      state.results.q = $("#filter-text").value.trim();
      state.results.province = $("#filter-province").value.trim();
      state.results.offset = 0;
      loadResults();
    }, 250);
  };
  $("#filter-text").addEventListener("input", onFilter);
  $("#filter-province").addEventListener("input", onFilter);
  for (const th of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("#results-table th[data-sort]"))) {
    th.addEventListener("click", () => {
      const key = th.dataset.sort;
      const r = state.results;
      r.dir = r.sort === key && r.dir === "asc" ? "desc" : "asc";
      r.sort = key;
      loadResults();
    });
  }
  $("#page-prev").addEventListener("click", () => {
    state.results.offset = Math.max(0, state.results.offset - state.results.limit);
    loadResults();
  });
  $("#page-next").addEventListener("click", () => {
    state.results.offset += state.results.limit;
    loadResults();
  });
  const open = (event) => {
    const row = event.target.closest("tr[data-id]");
    if (row) location.hash = `#/doc/${row.dataset.id}`;
  };
  $("#results-table tbody").addEventListener("click", open);
  $("#review-table tbody").addEventListener("click", open);
  $("#live-table tbody").addEventListener("click", open);
}

export async function loadReview() {
  let data;
  try {
    data = await api("GET", "/api/review");
  } catch (error) {
    return toast(error.message);
  }
  $("#review-total").textContent = `${fmt(data.total)} ${t("inQueue")}`;
  const body = $("#review-table tbody");
  body.replaceChildren(
    ...data.rows.map((row) =>
      el(
        "tr",
        { class: "link", dataset: { id: row.id } },
        el("td", { class: "impact", text: say(row.impact) }),
        el("td", {}, statusChip(row.status)),
        el("td", { text: row.path }),
        el("td", {}, sentenceList(row.sentences)),
      ),
    ),
  );
  if (data.rows.length === 0) body.append(el("tr", {}, el("td", { colspan: 4, class: "muted", text: t("emptyQueue") })));
}
