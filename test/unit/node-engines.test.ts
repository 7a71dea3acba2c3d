import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

/** Node versions the README promises: 20 (from 20.19) and 22 on. */
const SUPPORTED = [20, 22];

/** The majors a package's engines.node excludes among SUPPORTED, for the simple ranges npm packages use. */
function excludedMajors(range: string): number[] {
  const alternatives = range.split("||").map((part) => part.trim());
  return SUPPORTED.filter(
    (major) =>
      !alternatives.some((alt) => {
        const floor = /^>=\s*v?(\d+)/.exec(alt);
        const ceiling = /<\s*v?(\d+)/.exec(alt);
        if (floor && major < Number(floor[1])) return false;
        if (ceiling && major >= Number(ceiling[1])) return false;
        const exact = /^(\d+)\.x$/.exec(alt) ?? /^\^?(\d+)(?:\.|$)/.exec(alt);
        if (!floor && exact) return Number(exact[1]) === major;
        return true;
      }),
  );
}

describe("the lockfile installs on every Node the README names", () => {
  it("no locked package declares an engine that excludes Node 20 or 22 (npm ci warned EBADENGINE for cookie@2)", async () => {
    const lock = JSON.parse(await readFile(new URL("../../package-lock.json", import.meta.url), "utf8")) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    const refused: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      const range = !Array.isArray(pkg.engines) ? pkg.engines?.node : undefined;
      if (!range || pkg.optional) continue;
      const excluded = excludedMajors(range);
      if (excluded.length > 0) refused.push(`${path} (node ${range})`);
    }
    expect(refused).toEqual([]);
  });

  it("reads the ranges it meets", () => {
    expect(excludedMajors(">=22")).toEqual([20]);
    expect(excludedMajors(">=18")).toEqual([]);
    expect(excludedMajors(">=20.19 <21 || >=22")).toEqual([]);
    expect(excludedMajors("20.x || 22.x || 23.x")).toEqual([]);
    expect(excludedMajors("^18.18.0 || ^20.9.0 || >=21.1.0")).toEqual([]);
  });
});
