// @ts-check
// Upload: files or whole folders (relative paths kept), sent in small requests; each file accepted or refused.
import { $, el, state, t, toast } from "./core.js";

const CHUNK_FILES = 40;
const CHUNK_BYTES = 24 * 1024 * 1024;
let uploadTotals = { sent: 0, total: 0, accepted: 0, refused: 0 };

async function filesFromDrop(dataTransfer) {
  const entries = [];
  for (const item of dataTransfer.items) {
    const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return [...dataTransfer.files].map((file) => ({ file, path: file.name }));
  const out = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file, path: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  return out;
}

function filesFromInput(input) {
  return [...input.files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function addUploadRow(path, ok, reason) {
  const row = el(
    "tr",
    {},
    el("td", { text: path }),
    el(
      "td",
      {},
      el("span", {
        class: `chip ${ok ? "accepted" : "refused"}`,
        text: t(ok ? "accepted" : "refused"),
        dataset: { i18n: ok ? "accepted" : "refused" },
      }),
    ),
    el("td", { text: reason || "" }),
  );
  return row;
}

export function renderUploadCounts() {
  $("#batch-id").textContent = state.batch || "—";
  const u = uploadTotals;
  $("#upload-counts").textContent = u.total
    ? `${t(u.sent === u.total ? "uploaded" : "uploading")} ${u.sent}/${u.total} · ${t("accepted")} ${u.accepted} · ${t("refused")} ${u.refused}`
    : "";
  $("#upload-fill").style.width = u.total ? `${(100 * u.sent) / u.total}%` : "0";
  $("#go-run").hidden = !(u.accepted > 0 && u.sent === u.total);
}

async function uploadFiles(items) {
  if (items.length === 0) return;
  const limits = state.config?.uploadLimits;
  const body = $("#upload-table tbody");
  uploadTotals = { sent: 0, total: items.length, accepted: 0, refused: 0 };
  renderUploadCounts();
  // Refuse what the server would refuse anyway before sending it.
  const sendable = [];
  const early = document.createDocumentFragment();
  for (const item of items) {
    if (limits && item.file.size > limits.maxFileBytes) {
      early.append(addUploadRow(item.path, false, `larger than ${Math.round(limits.maxFileBytes / 1048576)} MB`));
      uploadTotals.refused += 1;
      uploadTotals.sent += 1;
    } else sendable.push(item);
  }
  body.prepend(early);
  const chunks = [];
  let current = [];
  let bytes = 0;
  for (const item of sendable) {
    if (current.length >= CHUNK_FILES || (current.length > 0 && bytes + item.file.size > CHUNK_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.file.size;
  }
  if (current.length > 0) chunks.push(current);

  for (const chunk of chunks) {
    const form = new FormData();
    for (const item of chunk) {
      form.append("path", item.path);
      form.append("file", item.file, item.file.name);
    }
    const url = state.batch ? `/api/uploads?batch=${encodeURIComponent(state.batch)}` : "/api/uploads";
    let data;
    try {
      const response = await fetch(url, { method: "POST", body: form, credentials: "same-origin" });
      data = await response.json().catch(() => ({}));
      if (!response.ok && !data.batch) throw new Error(data.error || `HTTP ${response.status}`);
    } catch (error) {
      const fragment = document.createDocumentFragment();
      for (const item of chunk) fragment.append(addUploadRow(item.path, false, error.message));
      body.prepend(fragment);
      uploadTotals.refused += chunk.length;
      uploadTotals.sent += chunk.length;
      renderUploadCounts();
      continue;
    }
    if (data.batch && data.batch !== state.batch) {
      state.batch = data.batch;
      localStorage.setItem("batch", data.batch);
    }
    const fragment = document.createDocumentFragment();
    for (const file of data.accepted || [])
      fragment.append(addUploadRow(file.path, true, `${file.kind.toUpperCase()} · ${Math.ceil(file.bytes / 1024)} KB`));
    for (const file of data.refused || []) fragment.append(addUploadRow(file.path, false, file.reason));
    const answered = (data.accepted?.length || 0) + (data.refused?.length || 0);
    if (data.error) fragment.append(addUploadRow(`(${chunk.length - answered})`, false, data.error));
    body.prepend(fragment);
    uploadTotals.accepted += data.accepted?.length || 0;
    uploadTotals.refused += chunk.length - (data.accepted?.length || 0);
    uploadTotals.sent += chunk.length;
    renderUploadCounts();
  }
}

/** Loose files (no folder in any path) lose what folder names tell: province and constituency. */
let pendingLoose = null;

function withoutFolders(items) {
  return items.length > 0 && items.every((item) => !item.path.includes("/"));
}

/** Asks for the batch's province and constituency before uploading loose files. */
function uploadOrAsk(items) {
  if (!withoutFolders(items)) return uploadFiles(items);
  pendingLoose = items;
  $("#batch-where").hidden = false;
  $("#batch-province").focus();
  return Promise.resolve();
}

/** The folder name the path metadata reads, e.g. "เขตเลือกตั้งที่ 1 จังหวัดแพร่". */
function batchFolder() {
  const province = $("#batch-province")
    .value.trim()
    .replace(/^จังหวัด/, "")
    .replace(/[/\\]/g, "");
  const constituency = Number.parseInt($("#batch-constituency").value, 10);
  const parts = [];
  if (Number.isInteger(constituency) && constituency > 0) parts.push(`เขตเลือกตั้งที่ ${constituency}`);
  if (province) parts.push(`จังหวัด${province}`);
  return parts.join(" ");
}

function sendPending(withFolder) {
  const items = pendingLoose ?? [];
  pendingLoose = null;
  $("#batch-where").hidden = true;
  const folder = withFolder ? batchFolder() : "";
  const placed = folder ? items.map((item) => ({ ...item, path: `${folder}/${item.path}` })) : items;
  uploadFiles(placed).catch((error) => toast(error.message));
}

export function setupUpload() {
  $("#batch-where").addEventListener("submit", (event) => {
    event.preventDefault();
    sendPending(true);
  });
  $("#batch-where-skip").addEventListener("click", () => sendPending(false));
  const zone = $("#dropzone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", async (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    uploadOrAsk(await filesFromDrop(event.dataTransfer)).catch((error) => toast(error.message));
  });
  for (const id of ["#pick-files", "#pick-folder"]) {
    $(id).addEventListener("change", (event) => {
      const items = filesFromInput(event.target);
      event.target.value = "";
      uploadOrAsk(items).catch((error) => toast(error.message));
    });
  }
  $("#new-batch").addEventListener("click", () => {
    state.batch = null;
    localStorage.removeItem("batch");
    uploadTotals = { sent: 0, total: 0, accepted: 0, refused: 0 };
    $("#upload-table tbody").replaceChildren();
    renderUploadCounts();
  });
  $("#go-run").addEventListener("click", () => (location.hash = "#/run"));
  renderUploadCounts();
}
