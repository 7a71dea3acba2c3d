import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { consistentFormArbitrary, misreadFormArbitrary } from "../../fixtures/consistent-forms.js";
import { sameRef } from "../../../src/verify/cells.js";
import { checkForm } from "../../../src/verify/check-form.js";
import { locateMisreads } from "../../../src/verify/locate.js";

describe("checkForm properties", () => {
  it("verifies every consistent form", () => {
    fc.assert(
      fc.property(consistentFormArbitrary("mixed"), (form) => {
        const outcome = checkForm(form);
        expect(outcome.reasons).toEqual([]);
        expect(outcome.status).toBe("verified");
      }),
      { numRuns: 300 },
    );
  });

  it("flags and locates every single-digit misread when the words are written", () => {
    fc.assert(
      fc.property(misreadFormArbitrary("always"), ({ form, injection }) => {
        const outcome = checkForm(form);
        expect(outcome.status).toBe("needs_review");
        expect(outcome.reasons.length).toBeGreaterThan(0);
        const { target } = injection;
        const located = outcome.checks.some(
          (c) => !c.ok && (target.kind === "row" ? (c.rows ?? []).includes(target.number) : (c.totals ?? []).includes(target.key)),
        );
        expect(located).toBe(true);
        expect(sameRef(locateMisreads(form)[0]?.ref ?? { kind: "row", number: -1 }, target)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("without words, still flags every misread of a vote row", () => {
    fc.assert(
      fc.property(
        misreadFormArbitrary("never").filter(({ injection }) => injection.target.kind === "row"),
        ({ form, injection }) => {
          const outcome = checkForm(form);
          expect(outcome.status).toBe("needs_review");
          const { target } = injection;
          const sum = outcome.checks.find((c) => c.rule === "votes-sum-good" && !c.ok);
          expect(target.kind === "row" && sum?.rows?.includes(target.number)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
