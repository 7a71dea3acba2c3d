import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDirectGate } from "../../../src/extract/direct-gate.js";
import { readWithSecondModel, secondModelSource, wantsSecondModel } from "../../../src/extract/second-model.js";
import type { FormResult } from "../../../src/forms/form-result.js";
import { resolveProviderConfig } from "../../../src/providers/config.js";
import { createOpenAICompatibleProvider } from "../../../src/providers/openai-compatible.js";
import { type FakeProvider, startFakeProvider } from "../../support/fake-provider.js";
import { constituencyTruth, documentFor, preparedPagesFor } from "../../support/hand-made-forms.js";

/** The second model reads like the first, never sees its answer, and reports second_model witnesses. */
describe("second model", () => {
  const truth = constituencyTruth("second-model-1");
  let fake: FakeProvider;

  beforeAll(async () => {
    fake = await startFakeProvider({ truth: { [truth.document.id]: truth } });
  });
  afterAll(async () => fake.close());

  const gate = () => {
    const config = resolveProviderConfig({ provider: "vllm", baseUrl: fake.baseUrl, model: "second", env: {} });
    if (!config.ok) throw new Error(config.error);
    return createDirectGate(createOpenAICompatibleProvider(config.value, { timeoutMs: 10_000 }));
  };
  const settings = { when: "always" as const, source: "vllm:second", requestMode: "document" as const };

  it("sends the first read's request, without any earlier answer, and reports every cell", async () => {
    const before = fake.requests.length;
    const counted: string[] = [];
    const reading = await readWithSecondModel(
      documentFor(truth),
      preparedPagesFor("constituency"),
      gate(),
      settings,
      new AbortController().signal,
      (o) => counted.push(o.kind),
    );
    expect(reading.kind).toBe("read");
    if (reading.kind !== "read") return;
    expect(counted).toEqual(["ok"]);
    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.purpose).toBe("read");
    const row = truth.votes[0]!;
    expect(reading.cells.get(`row:${row.number}`)).toEqual([
      expect.objectContaining({ kind: "second_model", source: "vllm:second", value: row.value, digits: row.digits }),
    ]);
    expect(reading.cells.get("good")?.[0]?.value).toBe(truth.totals.good?.value);
  });

  it("reads under --verify-when disputed only forms with a disputed or single-witness cell", async () => {
    const source = secondModelSource({ ...settings, when: "disputed" });
    expect(source.read).toBeUndefined();
    const withVerdict = (verdict: "agreed" | "single" | "disputed"): FormResult => ({
      ...truth,
      votes: truth.votes.map((v) => ({ ...v, verdict: "agreed" as const })),
      totals: Object.fromEntries(
        Object.entries(truth.totals).map(([k, c]) => [k, c ? { ...c, verdict: k === "good" ? verdict : "agreed" } : c]),
      ) as FormResult["totals"],
    });
    expect(wantsSecondModel(withVerdict("agreed"))).toBe(false);
    expect(wantsSecondModel(withVerdict("single"))).toBe(true);
    expect(wantsSecondModel(withVerdict("disputed"))).toBe(true);
    expect(wantsSecondModel({ ...withVerdict("single"), status: "failed" })).toBe(false);
    const context = {
      doc: documentFor(truth),
      pages: preparedPagesFor("constituency"),
      gate: gate(),
      signal: new AbortController().signal,
      count: () => undefined,
    };
    const before = fake.requests.length;
    expect(await source.review?.(context, withVerdict("agreed"))).toBeNull();
    expect(fake.requests.length).toBe(before);
    const report = await source.review?.(context, withVerdict("single"));
    expect(report?.cells.size).toBeGreaterThan(0);
    expect(fake.requests.length).toBe(before + 1);
  });
});
