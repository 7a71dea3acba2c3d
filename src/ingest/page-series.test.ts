import { describe, expect, it } from "vitest";
import { groupPageSeries, parseSeriesName } from "./page-series.js";

describe("parseSeriesName", () => {
  it("reads the page marker styles we group", () => {
    expect(parseSeriesName("page-1")).toEqual({ stem: "", style: "page-word", page: 1 });
    expect(parseSeriesName("Page 02")).toEqual({ stem: "", style: "page-word", page: 2 });
    expect(parseSeriesName("form-page-02")).toEqual({ stem: "form", style: "page-word", page: 2 });
    expect(parseSeriesName("bch_page-4")).toEqual({ stem: "bch", style: "page-word", page: 4 });
    expect(parseSeriesName("scan_p1")).toEqual({ stem: "scan", style: "p-marker", page: 1 });
    expect(parseSeriesName("ชุดที่1 หน้า 3")).toEqual({ stem: "ชุดที่1", style: "page-word", page: 3 });
    expect(parseSeriesName("form (1)")).toEqual({ stem: "form", style: "parenthesised", page: 1 });
  });

  it("does not treat a bare counter as a page number", () => {
    expect(parseSeriesName("IMG_0001")).toBeNull();
    expect(parseSeriesName("scan-3")).toBeNull();
    expect(parseSeriesName("step1")).toBeNull();
  });
});

describe("groupPageSeries", () => {
  const file = (folder: string, baseName: string) => ({ path: `${folder}/${baseName}.png`, folder, baseName });

  it("leaves a series with a gap as single files", () => {
    const files = [file("a", "page-10"), file("a", "page-2"), file("a", "page-1"), file("a", "other")];
    expect(groupPageSeries(files).map((group) => group.kind)).toEqual(["single", "single", "single", "single"]);
  });

  it("groups a contiguous series in page order and keeps others single", () => {
    const series = groupPageSeries([file("a", "x_p3"), file("a", "x_p1"), file("a", "x_p2"), file("a", "y_p1")]);
    expect(series).toEqual([
      { kind: "series", pages: [file("a", "x_p1"), file("a", "x_p2"), file("a", "x_p3")] },
      { kind: "single", file: file("a", "y_p1") },
    ]);
  });

  it("never groups across folders or styles", () => {
    const groups = groupPageSeries([file("a", "page-1"), file("b", "page-2"), file("a", "page (2)")]);
    expect(groups.every((group) => group.kind === "single")).toBe(true);
  });
});
