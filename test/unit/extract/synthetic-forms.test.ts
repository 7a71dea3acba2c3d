import { afterEach, describe, expect, it } from "vitest";
import type { FormCode, FormKind } from "../../../src/forms/form-kind.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { resolveProviderConfig } from "../../../src/providers/config.js";
import { createOpenAICompatibleProvider } from "../../../src/providers/openai-compatible.js";
import { createRng } from "../../../src/synth/rng.js";
import { generateSynthForm, synthFormToResult } from "../../../src/synth/truth.js";
import { type FakeProvider, startFakeProvider } from "../../support/fake-provider.js";
import { cellsAsRead } from "../../support/evidence.js";
import { documentFor, preparedPagesFor, sha256Of } from "../../support/hand-made-forms.js";
import { createDirectGate } from "../../../src/extract/direct-gate.js";
import { extractDocument } from "../../../src/extract/extract-document.js";

const servers: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Consistent forms from the generator's truth (no rendering needed for the reading side). */
function syntheticTruths(count: number): FormResult[] {
  const rng = createRng(99);
  const codes: FormCode[] = ["5/16", "5/17", "5/18"];
  const kinds: FormKind[] = ["constituency", "party_list"];
  return Array.from({ length: count }, (_, i) => {
    const formKind = kinds[i % 2] ?? "constituency";
    const form = generateSynthForm(rng.fork(i), { formCode: codes[i % 3] ?? "5/18", formKind, errorRate: 0 });
    const id = sha256Of(`synthetic-${i}`);
    const pages = preparedPagesFor(formKind).map((page) => ({ index: page.index, role: page.role, sent: page.jpeg !== null }));
    return synthFormToResult(form, { id, sources: [{ path: `/synthetic/${i}.pdf`, sha256: id, bytes: 1 }], pages });
  });
}

const reading = (result: FormResult) => ({
  formCode: result.formCode,
  formKind: result.formKind,
  location: result.location,
  ...cellsAsRead(result),
});

describe("extraction of generator forms through the fake server", () => {
  const truths = syntheticTruths(24);
  const truthMap = new Map(truths.map((truth) => [truth.document.id, truth]));

  async function run(misreads: boolean) {
    const fake = await startFakeProvider({ truth: truthMap, ...(misreads ? { misreads: { probability: 0.5 } } : {}), seed: 5 });
    servers.push(fake);
    const config = resolveProviderConfig({ provider: "vllm", baseUrl: fake.baseUrl, model: "m", env: {} });
    if (!config.ok) throw new Error(config.error);
    const gate = createDirectGate(createOpenAICompatibleProvider(config.value, { timeoutMs: 5000 }));
    const results: FormResult[] = [];
    for (const truth of truths) {
      const pages = preparedPagesFor(truth.formKind ?? "constituency");
      const extraction = await extractDocument(
        { doc: documentFor(truth), pages },
        gate,
        // No witness here: the model's reading is accepted on the checks, as --accept-single-witness does.
        { requestMode: "document", reask: true, providerName: "vllm", model: "m", verdict: { acceptSingleWitness: true } },
        new AbortController().signal,
      );
      if (extraction.kind !== "done") throw new Error(extraction.message);
      results.push(extraction.result);
    }
    return { fake, results };
  }

  it("reads every form exactly as its truth", async () => {
    const { results } = await run(false);
    results.forEach((result, i) => {
      expect(reading(result)).toEqual(reading(truths[i] as FormResult));
      expect(result.status).toBe("verified");
    });
  });

  it("flags every injected misread, and re-asks recover those whose words were written", async () => {
    const { fake, results } = await run(true);
    expect(fake.misreads.size).toBeGreaterThan(3);
    results.forEach((result, i) => {
      const truth = truths[i] as FormResult;
      const misread = fake.misreads.get(truth.document.id);
      if (!misread) {
        expect(reading(result)).toEqual(reading(truth));
        return;
      }
      const target = misread.target;
      const cell = target.kind === "row" ? truth.votes.find((row) => row.number === target.number) : truth.totals[target.key];
      if (cell?.words) {
        expect(reading(result)).toEqual(reading(truth));
        expect(result.checks.some((check) => check.rule === "reask-corrected")).toBe(true);
      } else {
        expect(result.status).toBe("needs_review");
      }
    });
  });
});
