// @ts-check
// Cell-by-cell review: each doubted cell's crops (digits and words) beside the value to confirm.
// Keyboard-driven: Enter confirms (or saves what was typed), typing corrects, Tab moves to the
// next doubted cell; when the last one is settled the form is approved and the next one opens.
import { $, api, el, state, t, toast } from "./core.js";
import { inLanguage } from "./i18n.js";

/** A server sentence {th, en} in the page's language ("both": Thai, then English). */
export function say(sentence) {
  return sentence ? inLanguage(sentence.th, sentence.en, state.lang) : "";
}

/** Each sentence of a list as its own line. */
export function sentenceList(sentences, className = "reasons") {
  return el("ul", { class: className }, ...sentences.map((s) => el("li", { text: say(s) })));
}

/** A cell's crop, or a "no crop" note if it cannot be loaded; "lazy" waits until it scrolls into view. */
export function cropImage(url, alt, loading = "eager") {
  const img = el("img", { src: url, alt, class: "crop", loading });
  img.addEventListener("error", () => img.replaceWith(el("span", { class: "crop missing", text: t("cropMissing") })));
  return img;
}

/** The reviewer's name (kept for the next visit), or null after asking for it. */
export function reviewer() {
  const name = $("#reviewer").value.trim();
  if (!name) {
    toast(t("nameNeeded"));
    $("#reviewer").focus();
    return null;
  }
  localStorage.setItem("reviewer", name);
  return name;
}

function pendingInputs() {
  return [.../** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll("#review-cells input[data-field]:not([data-done])"))];
}

function focusNext(from) {
  const inputs = pendingInputs();
  const next =
    inputs.find((input) => input !== from && (!from || from.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_FOLLOWING)) ??
    inputs.find((i) => i !== from);
  if (next) {
    next.focus();
    next.select();
    next.scrollIntoView({ block: "nearest" });
  }
  return next ?? null;
}

async function confirmCell(input) {
  const by = reviewer();
  if (!by || !state.doc) return;
  const text = input.value.trim();
  if (!/^\d+$/.test(text)) {
    toast(t("numberNeeded"));
    input.select();
    return;
  }
  const id = state.doc.result.document.id;
  if (input.readOnly) return;
  // Read-only (not disabled) while saving: a disabled input would drop the keyboard focus.
  input.readOnly = true;
  try {
    await api("POST", `/api/documents/${id}/edits`, { field: input.dataset.field, value: Number(text), by });
  } catch (error) {
    input.readOnly = false;
    toast(error.message);
    return;
  }
  input.readOnly = false;
  input.dataset.done = "1";
  input.closest("li").classList.add("done");
  if (!focusNext(input)) await finishForm(by);
}

/** Every doubted cell settled: approve, then open the queue's next form. */
async function finishForm(by) {
  const id = state.doc.result.document.id;
  try {
    await api("POST", `/api/documents/${id}/approve`, { by });
  } catch (error) {
    // With the corrections in, the sums may point at cells the first reading did not doubt: the
    // panel then lists them. When none is left, the paper's own sums do not add up: "as written".
    toast(error.message);
    await reloadDocument(id);
    if (pendingInputs().length === 0) {
      $("#as-written").hidden = false;
      $("#as-written-note").focus();
    }
    return;
  }
  await openNext(id);
}

async function openNext(id) {
  const started = state.reviewStartedAt;
  // Seconds per form, for the browser test's review-speed figure.
  if (started) {
    window.__reviewSeconds = window.__reviewSeconds || [];
    window.__reviewSeconds.push((performance.now() - started) / 1000);
  }
  let next = null;
  try {
    next = (await api("GET", `/api/review/next?after=${encodeURIComponent(id)}`)).next;
  } catch {
    next = null;
  }
  if (next) location.hash = `#/doc/${next.id}`;
  else {
    toast(t("queueDone"), "info");
    location.hash = "#/review";
  }
}

async function approveAsWritten() {
  const by = reviewer();
  if (!by || !state.doc) return;
  const note = $("#as-written-note").value.trim();
  if (!note) {
    toast(t("asWrittenNoteNeeded"));
    $("#as-written-note").focus();
    return;
  }
  const id = state.doc.result.document.id;
  try {
    await api("POST", `/api/documents/${id}/approve`, { by, asWritten: true, note });
  } catch (error) {
    toast(error.message);
    return;
  }
  toast(`${t("approvedAsWritten")}: ${by}`, "info");
  await openNext(id);
}

/** Fills the review panel of the document view; focuses the first doubted cell. */
export function renderReview(data) {
  const review = data.review;
  const panel = $("#doc-review");
  const needsPerson = data.result.status !== "verified" && !data.result.review;
  panel.hidden = !review || (!needsPerson && review.cells.length === 0);
  $("#as-written").hidden = true;
  $("#as-written-note").value = "";
  if (panel.hidden) return;
  // Seconds per form count from the first time the form is shown, across reloads.
  const id = data.result.document.id;
  if (state.reviewDocId !== id) {
    state.reviewDocId = id;
    state.reviewStartedAt = performance.now();
  }
  $("#doc-impact").textContent = say(review.impact);
  $("#review-form-reasons").replaceChildren(...review.form.map((s) => el("li", { text: say(s) })));
  const items = review.cells.map((cell, i) => {
    const input = el("input", {
      type: "text",
      inputmode: "numeric",
      autocomplete: "off",
      value: cell.proposed ?? "",
      placeholder: "?",
      dataset: { field: cell.field },
      "aria-label": say(cell.sentence),
    });
    input.addEventListener("focus", () => input.select());
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        confirmCell(input);
      }
    });
    return el(
      "li",
      { dataset: { field: cell.field, code: cell.code } },
      el(
        "div",
        { class: "crops" },
        cropImage(cell.crops.digits, `${cell.field} digits`),
        cropImage(cell.crops.words, `${cell.field} words`),
      ),
      el("div", { class: "cell-entry" }, el("span", { class: "index", text: `${i + 1}/${review.cells.length}` }), input),
      el("p", { class: "sentence", text: say(cell.sentence) }),
    );
  });
  $("#review-cells").replaceChildren(...items);
  const first = pendingInputs()[0];
  if (first && $("#reviewer").value.trim()) {
    first.focus();
    first.select();
  } else if (!first && needsPerson) {
    // Nothing per cell to settle (only the paper's own sums): the approval choices are what is left.
    $("#as-written").hidden = false;
  } else $("#reviewer").focus();
}

/** @type {(id?: string) => Promise<void>} */
let reloadDocument = async () => {};

/** `reload(id)` re-renders the document view (document.js passes its loadDocument). */
export function setupReview(reload) {
  reloadDocument = reload;
  $("#approve-as-written").addEventListener("click", approveAsWritten);
  $("#as-written-note").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      approveAsWritten();
    }
  });
  // Enter in the reviewer's name starts on the first doubted cell.
  $("#reviewer").addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || $("#doc-review").hidden) return;
    const first = pendingInputs()[0];
    if (!first) return;
    event.preventDefault();
    first.focus();
  });
}
