/**
 * Re-ask recovery on random consistent generator forms: the fake server misreads one digit in
 * half of the documents' first reads (words left right); count flagged and recovered.
 *   cd /work/main && npx tsx bench/reask-recovery.ts [count] [totals]
 */
import { createHash } from "node:crypto";
import { createRng } from "../src/synth/rng.js";
import { generateSynthForm, synthFormToResult } from "../src/synth/truth.js";
import { startFakeProvider } from "../test/support/fake-provider.js";
import { documentFor, preparedPagesFor } from "../test/support/hand-made-forms.js";
import { resolveProviderConfig } from "../src/providers/config.js";
import { createOpenAICompatibleProvider } from "../src/providers/openai-compatible.js";
import { createDirectGate } from "../src/extract/direct-gate.js";
import { extractDocument } from "../src/extract/extract-document.js";
import type { FormResult } from "../src/forms/form-result.js";
import type { FormCode, FormKind } from "../src/forms/form-kind.js";

const N = Number(process.argv[2] ?? 400);
const includeTotals = process.argv[3] === "totals";
const rng = createRng(2026);
const truth = new Map<string, FormResult>();
const codes: FormCode[] = ["5/16", "5/17", "5/18"];
const kinds: FormKind[] = ["constituency", "party_list"];
for (let i = 0; i < N; i++) {
  const formCode = rng.pick(codes);
  const formKind = rng.pick(kinds);
  const form = generateSynthForm(rng.fork(i), { formCode, formKind, errorRate: 0 });
  const id = createHash("sha256").update(`doc-${i}`).digest("hex");
  const pages = preparedPagesFor(formKind);
  const result = synthFormToResult(form, {
    id,
    sources: [{ path: `/x/${i}.pdf`, sha256: id, bytes: 1 }],
    pages: pages.map((p) => ({ index: p.index, role: p.role, sent: p.jpeg !== null })),
  });
  truth.set(id, result);
}
const same = (a: FormResult, b: FormResult) =>
  JSON.stringify([a.totals, a.votes.map(({ page, ...rest }) => rest)]) ===
  JSON.stringify([b.totals, b.votes.map(({ page, ...rest }) => rest)]);

async function experiment(reask: boolean) {
  const server = await startFakeProvider({ truth, misreads: { probability: 0.5, includeTotals }, seed: 11 });
  const cfg = resolveProviderConfig({ provider: "vllm", baseUrl: server.baseUrl, model: "m", env: {} });
  if (!cfg.ok) throw new Error(cfg.error);
  const g = createDirectGate(createOpenAICompatibleProvider(cfg.value, { timeoutMs: 10000 }));
  const s = {
    docs: 0,
    misread: 0,
    flagged: 0,
    recovered: 0,
    stillReview: 0,
    wrongAccepted: 0,
    clean: 0,
    cleanVerified: 0,
    cleanEqual: 0,
    requests: 0,
    misreadNoWords: 0,
    misreadNoWordsFlagged: 0,
    reaskRowsAsked: [] as number[],
  };
  for (const [id, t] of truth) {
    const extraction = await extractDocument(
      { doc: documentFor(t), pages: preparedPagesFor(t.formKind!) },
      g,
      { requestMode: "document", reask, providerName: "vllm", model: "m" },
      new AbortController().signal,
    );
    if (extraction.kind !== "done") throw new Error(JSON.stringify(extraction));
    const r = extraction.result;
    s.docs++;
    s.requests += r.provenance.requests;
    const m = server.misreads.get(id);
    if (m?.served) {
      s.misread++;
      const cell =
        m.target.kind === "row"
          ? t.votes.find((v) => v.number === (m.target as { number: number }).number)
          : t.totals[(m.target as { key: "good" }).key];
      const noWords = cell?.words === null;
      if (noWords) s.misreadNoWords++;
      const flaggedFirst = r.status === "needs_review" || r.checks.some((c) => c.rule === "reask-corrected");
      if (flaggedFirst) s.flagged++;
      if (noWords && flaggedFirst) s.misreadNoWordsFlagged++;
      if (r.status === "verified" && same(r, t)) s.recovered++;
      else if (r.status === "needs_review") s.stillReview++;
      else {
        s.wrongAccepted++;
        if (process.env.DEBUG2)
          console.log(
            JSON.stringify(m),
            t.formCode,
            JSON.stringify(cell),
            r.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.rule}/${c.severity}`)
              .join(","),
          );
      }
    } else {
      s.clean++;
      if (r.status === "verified") s.cleanVerified++;
      if (same(r, t)) s.cleanEqual++;
      else if (process.env.DEBUG && s.clean - s.cleanEqual < 3)
        console.log(id, m, r.status, r.reasons, JSON.stringify(t.totals).slice(0, 300), JSON.stringify(r.totals).slice(0, 300));
    }
  }
  for (const r of server.requests) if (r.purpose === "reask") s.reaskRowsAsked.push(r.rows.length + r.totals.length);
  const asked = s.reaskRowsAsked;
  const reaskCellsAsked = asked.length ? { mean: asked.reduce((a, b) => a + b, 0) / asked.length, max: Math.max(...asked) } : null;
  s.reaskRowsAsked = [];
  await server.close();
  return { ...s, reaskCellsAsked };
}
const t0 = Date.now();
const without = await experiment(false);
const withReask = await experiment(true);
console.log(JSON.stringify({ N, includeTotals, without, withReask, ms: Date.now() - t0 }, null, 1));
