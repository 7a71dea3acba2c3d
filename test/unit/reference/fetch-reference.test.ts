import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MINI_REFERENCE_DIR } from "../../fixtures/reference/fixture-batch.js";
import { fetchReference, ManifestSchema } from "../../../src/reference/fetch-reference.js";
import { loadReference } from "../../../src/reference/load-reference.js";
import { REFERENCE_FILE_LIST } from "../../../src/reference/reference-files.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ref-cache-"));
  dirs.push(dir);
  return dir;
}

/** A fake fetch that serves the mini fixtures by their official URL; never touches the network. */
function fakeFetch(options: { missing?: string[]; override?: Record<string, string | number> } = {}) {
  const calls: string[] = [];
  const impl = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    const spec = REFERENCE_FILE_LIST.find((s) => s.url === url);
    if (!spec || options.missing?.includes(spec.fileName)) return new Response("not found", { status: 404 });
    const override = options.override?.[spec.fileName];
    if (typeof override === "number") return new Response("", { status: override });
    if (typeof override === "string") return new Response(override, { status: 200 });
    return new Response(await readFile(join(MINI_REFERENCE_DIR, spec.fileName)), { status: 200 });
  }) as typeof fetch;
  return { impl, calls };
}

describe("fetchReference", () => {
  it("downloads every file from the official URLs, writes a manifest, then reuses the cache", async () => {
    const dir = await cacheDir();
    const first = fakeFetch();
    const now = () => new Date("2026-02-09T01:02:03Z");
    const fetched = await fetchReference({ dir, fetch: first.impl, now });
    if (!fetched.ok) throw new Error(fetched.error.message);
    expect(first.calls).toEqual(REFERENCE_FILE_LIST.map((s) => s.url));
    expect(first.calls).toContain("https://static-ectreport69.ect.go.th/data/data/refs/info_mp_candidate.json");
    expect(first.calls).toContain("https://stats-ectreport69.ect.go.th/data/records/stats_cons.json");
    const manifest = ManifestSchema.parse(JSON.parse(await readFile(fetched.value.manifestPath, "utf8")));
    expect(manifest.files).toHaveLength(7);
    const bytes = await readFile(join(dir, "info_province.json"));
    expect(manifest.files[0]).toEqual({
      key: "provinces",
      fileName: "info_province.json",
      url: "https://static-ectreport69.ect.go.th/data/data/refs/info_province.json",
      fetchedAt: "2026-02-09T01:02:03.000Z",
      bytes: bytes.byteLength,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    const loaded = await loadReference(dir);
    expect(loaded.ok && loaded.value.data.source.snapshotAt).toBe("2026-02-09T01:02:03.000Z");

    const second = fakeFetch();
    const again = await fetchReference({ dir, fetch: second.impl });
    expect(second.calls).toEqual([]);
    expect(again.ok && again.value.files.every((f) => f.outcome === "cached")).toBe(true);

    // a damaged cached file is downloaded again
    await writeFile(join(dir, "info_constituency.json"), "[]");
    const third = fakeFetch();
    await fetchReference({ dir, fetch: third.impl });
    expect(third.calls).toEqual(["https://static-ectreport69.ect.go.th/data/data/refs/info_constituency.json"]);
  });

  it("tolerates missing results files but not missing information files", async () => {
    const dir = await cacheDir();
    const noStats = fakeFetch({ missing: ["stats_cons.json", "stats_party.json"] });
    const partial = await fetchReference({ dir, fetch: noStats.impl });
    if (!partial.ok) throw new Error(partial.error.message);
    expect(partial.value.files.filter((f) => f.outcome === "unavailable").map((f) => f.spec.fileName)).toEqual([
      "stats_cons.json",
      "stats_party.json",
    ]);
    const loaded = await loadReference(dir);
    expect(loaded.ok && loaded.value.official).toBeNull();

    const broken = await fetchReference({ dir: await cacheDir(), fetch: fakeFetch({ override: { "info_province.json": 503 } }).impl });
    expect(broken.ok ? null : broken.error).toMatchObject({ kind: "download_failed", file: "info_province.json" });
  });

  it("rejects a changed download without replacing the cached copy", async () => {
    const dir = await cacheDir();
    await fetchReference({ dir, fetch: fakeFetch().impl });
    const before = await readFile(join(dir, "info_mp_candidate.json"), "utf8");
    const changed = JSON.stringify([{ mp_app_id: "PRE_1_1", mp_app_no: "1", mp_app_party_id: 1, mp_app_name: "x" }]);
    const result = await fetchReference({ dir, refresh: true, fetch: fakeFetch({ override: { "info_mp_candidate.json": changed } }).impl });
    expect(result.ok ? null : result.error.message).toBe("info_mp_candidate.json: [0].mp_app_no: expected number, got string");
    expect(await readFile(join(dir, "info_mp_candidate.json"), "utf8")).toBe(before);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(fetchReference({ dir: await cacheDir(), fetch: fakeFetch().impl, signal: controller.signal })).rejects.toThrow();
  });
});
