import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

describe("the web page's title", () => {
  it("names every form it reads: ส.ส. 5/16, 5/17 and 5/18, in Thai and English", async () => {
    const labels = await readFile(new URL("../../../src/web/public/i18n.js", import.meta.url), "utf8");
    const appTitle = /appTitle: \["([^"]*)", "([^"]*)"\]/.exec(labels);
    expect(appTitle).not.toBeNull();
    for (const text of appTitle!.slice(1)) for (const code of ["5/16", "5/17", "5/18"]) expect(text).toContain(code);
    const html = await readFile(new URL("../../../src/web/public/index.html", import.meta.url), "utf8");
    const title = /<title>([^<]*)<\/title>/.exec(html)?.[1] ?? "";
    for (const code of ["5/16", "5/17", "5/18"]) expect(title).toContain(code);
  });
});
