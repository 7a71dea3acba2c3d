import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { useSynthBatch } from "./support/synth-batch.js";
import { readTruth, resultLines, runCli } from "./support/cli-run.js";

/**
 * The CLI end to end, as a user runs it: `node bin/ballot-ocr.js process` (built dist/) on real
 * synthetic forms, against the fake OpenAI-compatible server on 127.0.0.1.
 */
const COUNT = 10;
const batch = useSynthBatch("process-cli", COUNT);
const fakeServer = batch.fakeServer;
const args = batch.processArgs;

describe("ballot-ocr process", () => {
  it("processes a batch, writes the exports, and a re-run sends nothing", async () => {
    const server = await fakeServer();
    const out = join(batch.root(), "complete");
    const run = await runCli(args(server, out)).done;
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code).toBe(0);
    const results = resultLines(out);
    expect(results).toHaveLength(COUNT);
    expect(results.every((r) => r.status === "verified" || r.status === "needs_review")).toBe(true);
    for (const file of ["votes.csv", "summary.md", "state.sqlite"]) expect(existsSync(join(out, file))).toBe(true);
    expect(readFileSync(join(out, "votes.csv"), "utf8").split("\n").length).toBeGreaterThan(COUNT);
    const before = server.stats().totalRequests;
    const again = await runCli(args(server, out)).done;
    expect(again.code).toBe(0);
    expect(server.stats().totalRequests).toBe(before);
    const status = await runCli(["status", "--out", out]).done;
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`Documents: ${COUNT} — `));
    expect(status.stdout).toMatch(/a resume would send nothing/i);
  });

  it("stops after exactly one request on a 401, with a clear message and exit 2", async () => {
    const server = await fakeServer({ auth: "reject" });
    const out = join(batch.root(), "unauthorized");
    const run = await runCli(args(server, out, "--workers", "8")).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/401|key/i);
    expect(server.stats().totalRequests).toBe(1);
  });

  it("--dry-run lists documents, pages and requests and estimates the time, sending nothing", async () => {
    const server = await fakeServer();
    const out = join(batch.root(), "dry");
    const run = await runCli(args(server, out, "--dry-run", "--rpm", "20", "--rpd", "50")).done;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Documents: ${COUNT} \\(0 already finished, ${COUNT} to process\\)`));
    expect(run.stdout).toMatch(/Pages: \d+ \(\d+ sent/);
    expect(run.stdout).toMatch(new RegExp(`Requests: ${COUNT} first reads`));
    expect(run.stdout).toMatch(new RegExp(`Estimate: ${COUNT} requests → about 30 s at 20 rpm`));
    expect(server.stats().totalRequests).toBe(0);
    expect(existsSync(join(out, "state.sqlite"))).toBe(false);
  });

  it("stops before exceeding --max-requests with exit 3, streaming JSON progress events on stderr", async () => {
    const server = await fakeServer();
    const out = join(batch.root(), "budget");
    const run = await runCli(args(server, out, "--max-requests", "3")).done;
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/Stopped by the budget/);
    expect(server.stats().totalRequests).toBe(3);
    const events = run.stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string });
    const types = new Set(events.map((e) => e.type));
    for (const type of ["run_started", "document_started", "document_finished", "run_finished"]) expect(types.has(type)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "run_finished", end: "budget" });
  });

  it("exits 1 when a document fails, recording the reason for status", async () => {
    const truth = readTruth(batch.forms());
    const badId = truth[0]!.sha256;
    const server = await fakeServer({
      respond: (request) =>
        request.documentId === badId ? { status: 400, body: { error: { message: "image rejected by the model" } } } : undefined,
    });
    const out = join(batch.root(), "failures");
    const run = await runCli(args(server, out)).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/failed: .*image rejected/);
    expect(server.stats().byDocument.get(badId)?.requests).toBe(1);
    const status = await runCli(["status", "--out", out]).done;
    expect(status.stdout).toMatch(/1 failed/);
    expect(status.stdout).toMatch(/image rejected/);
  });

  it("exits 2 on usage and configuration errors", async () => {
    const run = async (...argv: string[]) => {
      let stderr = "";
      const sink = (write: (text: string) => void) =>
        ({
          write: (chunk: string) => {
            write(chunk);
            return true;
          },
        }) as unknown as NodeJS.WritableStream;
      const code = await main(["node", "ballot-ocr", ...argv], {
        stdout: sink(() => {}),
        stderr: sink((text) => {
          stderr += text;
        }),
      });
      return { code, stderr };
    };
    expect((await run("process", batch.forms())).code).toBe(2);
    const badWorkers = await run("process", batch.forms(), "--out", join(batch.root(), "x"), "--workers", "0");
    expect(badWorkers.code).toBe(2);
    expect(badWorkers.stderr).toMatch(/--workers must be a whole number/);
    const noState = await run("status", "--out", join(batch.root(), "nothing-here"));
    expect(noState.code).toBe(2);
    expect(noState.stderr).toMatch(/no batch state/);
    const noModel = await run("process", batch.forms(), "--out", join(batch.root(), "y"), "--base-url", "http://127.0.0.1:9/v1");
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/--model/);
    const queuedSecond = await run(
      "process",
      batch.forms(),
      "--out",
      join(batch.root(), "z"),
      "--queue",
      "redis://127.0.0.1:9",
      "--verify-with",
      "openai",
    );
    expect(queuedSecond.code).toBe(2);
    expect(queuedSecond.stderr).toMatch(/--verify-with is not available with --queue/);
    expect((await run("--version")).code).toBe(0);
  });
});
