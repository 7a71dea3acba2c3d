import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MINI_REFERENCE_DIR } from "../../fixtures/reference/fixture-batch.js";
import { loadReference } from "../../../src/reference/load-reference.js";

const dirs: string[] = [];
async function copyOfMini(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ref-"));
  dirs.push(dir);
  await cp(MINI_REFERENCE_DIR, dir, { recursive: true });
  return dir;
}
// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary JSON
async function editJson(dir: string, file: string, edit: (json: any) => void): Promise<void> {
  const json = JSON.parse(await readFile(join(dir, file), "utf8"));
  edit(json);
  await writeFile(join(dir, file), JSON.stringify(json));
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("loadReference", () => {
  it("loads the mini snapshot and enriches rows", async () => {
    const result = await loadReference(MINI_REFERENCE_DIR);
    if (!result.ok) throw new Error(result.error.message);
    const ref = result.value;
    expect(ref.data.provinces).toHaveLength(3);
    expect(ref.candidate("PRE", 1, 1)).toMatchObject({ id: "PRE_1_1", name: "นางสาวทดสอบ หนึ่ง", party: { number: 4, name: "ภูมิใจไทย" } });
    expect(ref.candidate("PRE", 1, 3)).toMatchObject({ id: "PRE_1_3", party: null });
    expect(ref.candidate("PRE", 1, 4)).toBeNull();
    expect(ref.partyByNumber(2)?.name).toBe("เพื่อไทย");
    expect(ref.partyCount()).toBe(4);
    expect(ref.candidateCount("PRE", 1)).toBe(3);
    expect(ref.candidateCount("PRE", 9)).toBeNull();
    expect(ref.constituencyExists("BKK", 0)).toBe(true);
    expect(ref.stationCount("PRE", 2)).toBe(2);
    expect(ref.data.partyListCandidates.get(1)).toEqual(["นายบัญชี หนึ่ง", "นายบัญชี สอง"]);
    expect(ref.data.source.snapshotAt).toBe("2026-02-22T12:00:00+00:00");
    const official = ref.official!;
    expect(official.provinces.get("PRE")?.constituency).toEqual({ turnout: 819, valid: 785, invalid: 20, noVote: 14 });
    expect(official.constituencies.get("PRE_1")?.candidateVotes.get("PRE_1_1")).toBe(410);
    // party-list votes are keyed by ballot number, not by the ECT party id
    expect(official.constituencies.get("PRE_1")?.partyListVotes.get(4)).toBe(37);
    expect(official.national.partyListVotes.get(3)).toBe(415);
  });

  it("normalises province names as read", async () => {
    const result = await loadReference(MINI_REFERENCE_DIR);
    if (!result.ok) throw new Error(result.error.message);
    const ref = result.value;
    const sure = { name: "แพร่", provinceId: "PRE", confident: true };
    for (const text of ["แพร่", "จังหวัดแพร่", "จ.แพร่", " พร ", "พ.ร.", "Phrae", "PRE", "จังหวัด แพร่"]) {
      expect(ref.findProvince(text), text).toEqual(sure);
    }
    expect(ref.findProvince("แพ่ร")).toEqual({ ...sure, confident: false }); // tone mark before its consonant
    expect(ref.findProvince("phrea")).toEqual({ ...sure, confident: false });
    expect(ref.findProvince("กทม")?.provinceId).toBe("BKK");
    expect(ref.findProvince("กรุงเทพฯ")).toMatchObject({ provinceId: "BKK", confident: true });
    expect(ref.findProvince("น่าม")).toMatchObject({ provinceId: "NAN", confident: false });
    expect(ref.findProvince("เชียงใหม่")).toBeNull();
    expect(ref.findProvince("")).toBeNull();
  });

  it("names the file and the field when a value changed type", async () => {
    const dir = await copyOfMini();
    await editJson(dir, "info_mp_candidate.json", (json) => {
      json[4].mp_app_no = "2";
    });
    const result = await loadReference(dir);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe("info_mp_candidate.json: [4].mp_app_no: expected number, got string");
  });

  it("names nested fields in the results file", async () => {
    const dir = await copyOfMini();
    await editJson(dir, "stats_cons.json", (json) => {
      delete json.result_province[0].constituencies[1].turn_out;
    });
    const result = await loadReference(dir);
    if (result.ok) throw new Error("expected an error");
    expect(result.error).toMatchObject({
      kind: "invalid_shape",
      file: "stats_cons.json",
      field: "result_province[0].constituencies[1].turn_out",
    });
    expect(result.error.message).toContain("field missing");
  });

  it("reports a truncated file as invalid JSON, naming it", async () => {
    const dir = await copyOfMini();
    const text = await readFile(join(dir, "info_constituency.json"), "utf8");
    await writeFile(join(dir, "info_constituency.json"), text.slice(0, 100));
    const result = await loadReference(dir);
    if (result.ok) throw new Error("expected an error");
    expect(result.error.kind).toBe("invalid_json");
    expect(result.error.message).toMatch(/^info_constituency\.json: not valid JSON/);
  });

  it("requires the information files but not the results", async () => {
    const dir = await copyOfMini();
    await rm(join(dir, "stats_cons.json"));
    await rm(join(dir, "stats_party.json"));
    const loaded = await loadReference(dir);
    expect(loaded.ok && loaded.value.official).toBeNull();
    await rm(join(dir, "info_province.json"));
    const missing = await loadReference(dir);
    if (missing.ok) throw new Error("expected an error");
    expect(missing.error.message).toMatch(/^info_province\.json: file not found/);
  });

  it("accepts unknown extra keys and rejects broken links between files", async () => {
    const dir = await copyOfMini();
    await editJson(dir, "info_party_overview.json", (json) => {
      json[0].new_field = { anything: true };
    });
    expect((await loadReference(dir)).ok).toBe(true);
    await editJson(dir, "info_mp_candidate.json", (json) => {
      json[0].mp_app_id = "PRE_7_1";
    });
    const result = await loadReference(dir);
    if (result.ok) throw new Error("expected an error");
    expect(result.error.message).toBe("info_mp_candidate.json: [0].mp_app_id: constituency PRE_7 is not in info_constituency.json");
  });
});
