import { describe, expect, it } from "vitest";
import { isSingleDigitAmount, singleDigitPlace } from "./digit-slip.js";

describe("singleDigitPlace", () => {
  it.each([
    [614, 624, 1],
    [614, 615, 0],
    [614, 114, 2],
    [5, 15, 1],
    [15, 5, 1],
    [0, 7, 0],
    [1400, 700, null],
    [614, 641, null],
    [109, 99, null],
    [614, 614, null],
    [5, -5, null],
  ])("%i vs %i → %s", (read, truth, place) => {
    expect(singleDigitPlace(read, truth)).toBe(place);
  });
});

describe("isSingleDigitAmount", () => {
  it.each([
    [1, true],
    [-1, true],
    [10, true],
    [-300, true],
    [9000, true],
    [0, false],
    [11, false],
    [-27, false],
    [1010, false],
  ])("%i → %s", (amount, expected) => {
    expect(isSingleDigitAmount(amount)).toBe(expected);
  });
});
