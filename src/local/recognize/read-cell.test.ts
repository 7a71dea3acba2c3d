import { describe, expect, it } from "vitest";
import type { GlyphClass, GlyphGuess } from "./digit-classifier.js";
import { readCell, readWholeCell } from "./read-cell.js";

const guess = (label: GlyphClass, probability = 0.99, others: GlyphGuess["others"] = []): GlyphGuess => ({ label, probability, others });

describe("readCell", () => {
  it("reads digits left to right with the weakest glyph as confidence", () => {
    const read = readCell([guess("6"), guess("1", 0.93), guess("4")]);
    expect(read).toMatchObject({ mark: "digits", digits: "614", value: 614 });
    expect(read.confidence).toBeCloseTo(0.93);
  });

  it("lists the other values the glyphs' plausible labels spell, never a leading zero or junk", () => {
    const read = readCell([
      guess("1", 0.6, [
        { label: "7", probability: 0.3 },
        { label: "0", probability: 0.05 },
      ]),
      guess("5", 0.9, [
        { label: "junk", probability: 0.08 },
        { label: "6", probability: 0.02 },
      ]),
    ]);
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

describe("readWholeCell", () => {
  const reading = (...guesses: [string, number][]) => ({ guesses: guesses.map(([text, probability]) => ({ text, probability })) });

  it("adds up the strings that count the same", () => {
    const read = readWholeCell(reading(["", 0.5], ["-", 0.3], ["0", 0.15], ["8", 0.05]), true);
    expect(read.value).toBe(0);
    expect(read.confidence).toBeCloseTo(0.95);
    expect(read.otherValues).toEqual([8]);
    expect(read.alternatives).toEqual([{ digits: "8", value: 8, probability: 0.05 }]);
  });

  it("keeps an empty ballot total apart from a written zero", () => {
    const read = readWholeCell(reading(["", 0.6], ["0", 0.4]), false);
    expect(read.mark).toBe("blank");
    expect(read.confidence).toBeCloseTo(0.6);
    expect(read.otherValues).toEqual([]);
    expect(read.alternatives?.[0]).toMatchObject({ digits: "0", value: 0 });
  });

  it("never chooses a string that is no count", () => {
    expect(readWholeCell(reading(["1-2", 0.7], ["12", 0.2]), true).mark).toBe("unsure");
    const read = readWholeCell(reading(["12", 0.5], ["012", 0.3], ["17", 0.1]), true);
    expect(read).toMatchObject({ mark: "digits", digits: "12", value: 12, otherValues: [17] });
    expect(read.confidence).toBeCloseTo(0.5);
  });
});
