import { describe, expect, it } from "vitest";
import type { GlyphClass, GlyphGuess } from "./digit-classifier.js";
import { readCell } from "./read-cell.js";

const guess = (label: GlyphClass, probability = 0.99, others: GlyphGuess["others"] = []): GlyphGuess => ({ label, probability, others });

describe("readCell", () => {
  it("reads digits left to right with the weakest glyph as confidence", () => {
    const read = readCell([guess("6"), guess("1", 0.93), guess("4")]);
    expect(read).toMatchObject({ mark: "digits", digits: "614", value: 614 });
    expect(read.confidence).toBeCloseTo(0.93);
  });

  it("lists the other values the glyphs' plausible labels spell, never a leading zero or junk", () => {
    const read = readCell([guess("1", 0.6, [{ label: "7", probability: 0.3 }, { label: "0", probability: 0.05 }]), guess("5", 0.9, [{ label: "junk", probability: 0.08 }, { label: "6", probability: 0.02 }])]);
    expect(read.value).toBe(15);
    expect(read.otherValues).toEqual([16, 75, 76]);
    expect(readCell([guess("-", 0.7, [{ label: "1", probability: 0.2 }])]).otherValues).toEqual([1]);
    expect(readCell([]).otherValues).toEqual([]);
  });

  it("an empty cell is a confident blank worth 0; a lone dash is 0 too", () => {
    expect(readCell([])).toMatchObject({ mark: "blank", value: 0, confidence: 1 });
    expect(readCell([guess("-")])).toMatchObject({ mark: "dash", digits: "-", value: 0 });
  });

  it("is unsure, never guessing, about junk, mixed dashes, leading zeros and long strings", () => {
    for (const glyphs of [
      [guess("1"), guess("junk")],
      [guess("-"), guess("5")],
      [guess("0"), guess("7")],
      [guess("1"), guess("2"), guess("3"), guess("4"), guess("5")],
    ]) {
      const read = readCell(glyphs);
      expect(read.mark).toBe("unsure");
      expect(read.value).toBeNull();
      expect(read.confidence).toBe(0);
      expect(read.doubt).toBeTruthy();
    }
  });
});
