import { describe, expect, it } from "vitest";
import { assignPageRoles, isPageSent } from "./page-roles.js";

describe("assignPageRoles", () => {
  it("follows the printed layout when the kind is known and the page count matches", () => {
    expect(assignPageRoles(2, "constituency")).toEqual(["counts", "signatures"]);
    expect(assignPageRoles(4, "party_list")).toEqual(["counts", "counts", "counts", "signatures"]);
  });

  it("reads 2 pages as constituency and 4 as party-list when the kind is unknown", () => {
    expect(assignPageRoles(2, null)).toEqual(["counts", "signatures"]);
    expect(assignPageRoles(4, null)).toEqual(["counts", "counts", "counts", "signatures"]);
  });

  it("sends every page when the count does not fit a layout", () => {
    expect(assignPageRoles(1, null)).toEqual(["unknown"]);
    expect(assignPageRoles(3, null)).toEqual(["unknown", "unknown", "unknown"]);
    expect(assignPageRoles(4, "constituency")).toEqual(["unknown", "unknown", "unknown", "unknown"]);
    expect(assignPageRoles(2, "party_list")).toEqual(["unknown", "unknown"]);
  });

  it("skips only signature pages, unless asked to include them", () => {
    expect(isPageSent("signatures", false)).toBe(false);
    expect(isPageSent("signatures", true)).toBe(true);
    expect(isPageSent("unknown", false)).toBe(true);
    expect(isPageSent("counts", false)).toBe(true);
  });
});
