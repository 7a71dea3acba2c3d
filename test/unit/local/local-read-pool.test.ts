import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { createLocalReadPool } from "../../../src/local/local-read-pool.js";
import { defaultLocalModelPath } from "../../../src/local/recognize/local-model.js";

/** A blank A4-ish page: the reader looks for a table, finds none, and says so. */
async function blankPage(): Promise<Buffer> {
  return sharp({ create: { width: 1240, height: 1754, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .jpeg()
    .toBuffer();
}

describe("local read pool", () => {
  it("a cancelled read rejects at once and lets its thread finish: the process is not aborted", async () => {
    const pool = createLocalReadPool(defaultLocalModelPath(), 1);
    const page = await blankPage();
    // The old pool passed the signal to piscina, which terminates the thread mid-inference;
    // onnxruntime then aborts the whole process ("terminate called … Napi::Error").
    await pool.read([]);
    const controller = new AbortController();
    const reading = pool.read(
      [
        { page: 1, data: page },
        { page: 2, data: page },
        { page: 3, data: page },
      ],
      controller.signal,
    );
    const queued = pool.read([{ page: 1, data: page }], controller.signal);
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(reading).rejects.toThrow("stop");
    await expect(queued).rejects.toThrow("stop");
    const after = await pool.read([{ page: 1, data: page }]);
    expect(after.pages).toHaveLength(1);
    await pool.close();
    await expect(pool.read([])).rejects.toThrow(/closed/);
  });
});
