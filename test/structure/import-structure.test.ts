import { describe, expect, it } from "vitest";
import { analyseImports } from "./import-structure.js";

describe("import structure of src/", () => {
  const report = analyseImports();

  it("reads the whole tree", () => {
    expect(report.files).toBeGreaterThan(100);
    expect(report.edges.length).toBeGreaterThan(300);
  });
  it("has no import circles", () => {
    expect(report.circles).toEqual([]);
  });
  it("imports only within a layer or into a lower one", () => {
    expect(report.unknownFolders).toEqual([]);
    expect(report.layerViolations).toEqual([]);
  });
  it("never imports test support from src/", () => {
    expect(report.testImports).toEqual([]);
  });
});
