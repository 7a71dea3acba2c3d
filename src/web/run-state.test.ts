import { describe, expect, it } from "vitest";
import { RunState } from "./run-state.js";

const settings = { provider: "openrouter", model: "m", limits: {} };

describe("RunState", () => {
  it("keeps what a late-joining page needs: totals, pauses, documents newest first, a log", () => {
    const state = new RunState("r1", "b1", settings, "2026-01-01T00:00:00Z");
    state.apply({ type: "run_started", at: "t", total: 3, alreadyDone: 1, toProcess: 2 });
    state.apply({ type: "document_started", documentId: "a", path: "x/a.pdf" });
    state.apply({ type: "document_started", documentId: "b", path: "x/b.pdf" });
    state.apply({ type: "document_finished", documentId: "a", path: "x/a.pdf", status: "needs_review", reasons: ["sum off"] });
    state.apply({ type: "rate_limited", scope: "minute", pauseMs: 1000, until: "2026-01-01T00:01:00Z" });
    let view = state.view();
    expect(view).toMatchObject({ total: 3, alreadyDone: 1, pausedUntil: "2026-01-01T00:01:00Z", phase: "running" });
    expect(view.documents.map((d) => [d.id, d.phase, d.detail])).toEqual([
      ["a", "needs_review", "sum off"],
      ["b", "running", ""],
    ]);
    expect(view.log.at(-1)).toMatch(/rate limited \(minute\)/);
    state.apply({ type: "resumed" });
    state.apply({ type: "document_failed", documentId: "b", path: "x/b.pdf", error: { code: "x", message: "broken" } });
    state.finish("completed_with_failures", "1 failed", "2026-01-01T00:02:00Z");
    view = state.view();
    expect(view).toMatchObject({ pausedUntil: null, phase: "finished", end: "completed_with_failures" });
    expect(view.documents[0]).toMatchObject({ id: "b", phase: "failed", detail: "broken" });
  });

  it("caps the documents it keeps on very large batches", () => {
    const state = new RunState("r", "b", settings, "t");
    for (let i = 0; i < 5000; i++) state.apply({ type: "document_started", documentId: String(i), path: `${i}.pdf` });
    const view = state.view();
    expect(view.documents).toHaveLength(2000);
    expect(view.documents[0]?.id).toBe("4999");
  });
});
