import { afterEach, describe, expect, it } from "vitest";
import { readPrompt, reaskPrompt } from "../../src/extract/prompts.js";
import { createRng } from "../../src/synth/rng.js";
import { changeOneDigit, type FakeProvider, type FakeProviderOptions, startFakeProvider } from "./fake-provider.js";
import { constituencyTruth, partyListTruth } from "./hand-made-forms.js";
import { modelReplyFromTruth, reaskReplyFromTruth } from "./model-reply-from-truth.js";

const party = partyListTruth();
const servers: FakeProvider[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const fake = await startFakeProvider({ truth: { [party.document.id]: party }, ...options });
  servers.push(fake);
  return fake;
}

async function post(fake: FakeProvider, user: string): Promise<Response> {
  return fetch(`${fake.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: user }] }] }),
  });
}

async function content(response: Response): Promise<unknown> {
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return JSON.parse(body.choices[0]?.message.content ?? "null");
}

describe("fake provider", () => {
  it("lists models and answers a read from the truth", async () => {
    const fake = await start({ models: ["a", "b"] });
    const models = (await (await fetch(`${fake.baseUrl}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["a", "b"]);
    const user = readPrompt({ documentId: party.document.id, formKind: null, formCode: null, pages: [1, 2, 3] }).user;
    const response = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "a", messages: [{ role: "user", content: user }] }),
    });
    expect(await content(response)).toEqual(modelReplyFromTruth(party));
  });

  it("answers one page in per-page mode, and only the asked cells in a re-ask", async () => {
    const fake = await start();
    const page = readPrompt({
      documentId: party.document.id,
      formKind: "party_list",
      formCode: null,
      pages: [2],
      singlePage: { page: 2, of: 4 },
    });
    const pageReply = (await content(await post(fake, page.user))) as ReturnType<typeof modelReplyFromTruth>;
    expect(pageReply.rows.map((row) => row.number)).toEqual(Array.from({ length: 24 }, (_, i) => i + 11));
    expect(pageReply.header.province).toBeNull();
    expect(pageReply.totals.good).toBeNull();
    const reask = reaskPrompt({ documentId: party.document.id, formKind: "party_list", rows: [3, 40], totals: ["good"], pages: [1, 2, 3] });
    expect(await content(await post(fake, reask.user))).toEqual(reaskReplyFromTruth(party, [3, 40], ["good"]));
    expect(fake.requests.map((r) => r.purpose)).toEqual(["read", "reask"]);
  });

  it("answers 429 with Retry-After above its rate limit, and counts windows", async () => {
    const fake = await start({ rateLimit: { perSecond: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(fake, "Document: x")).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = await post(fake, "Document: x");
    expect(limited.headers.get("retry-after")).toBe("1");
    const stats = fake.stats();
    expect(stats.rateLimited429).toBe(3);
    expect(stats.maxPerSecond).toBe(5);
    expect(stats.totalRequests).toBe(5);
  });

  it("enforces a daily cap with OpenRouter's message and reset header, until a new day", async () => {
    let now = Date.UTC(2026, 1, 8, 23, 0, 0);
    const fake = await start({ dailyCap: 1, now: () => now });
    expect((await post(fake, "Document: x")).status).toBe(200);
    const capped = await post(fake, "Document: x");
    expect(capped.status).toBe(429);
    expect(capped.headers.get("x-ratelimit-reset")).toBe(String(Date.UTC(2026, 1, 9)));
    expect(JSON.stringify(await capped.json())).toContain("free-models-per-day");
    now += 3_600_000;
    expect((await post(fake, "Document: x")).status).toBe(200);
    expect(fake.stats().dailyCap429).toBe(1);
  });

  it("is deterministic for a seed: the same faults hit the same documents", async () => {
    const pattern = async () => {
      const fake = await start({ seed: 7, faults: { serverError: 0.3, badJson: 0.2 } });
      for (let i = 0; i < 20; i++) await post(fake, `Document: doc-${i}`);
      return fake.requests.map((r) => r.fault);
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first.filter((f) => f !== null).length).toBeGreaterThan(3);
  });

  it("injects one misread per chosen document into the first read only", async () => {
    const fake = await start({ misreads: { count: 1 } });
    const user = readPrompt({ documentId: party.document.id, formKind: null, formCode: null, pages: [1, 2, 3] }).user;
    const first = (await content(await post(fake, user))) as ReturnType<typeof modelReplyFromTruth>;
    const second = (await content(await post(fake, user))) as ReturnType<typeof modelReplyFromTruth>;
    const misread = fake.misreads.get(party.document.id);
    expect(misread?.served).toBe(true);
    const changed = first.rows.filter((row, i) => row.digits !== second.rows[i]?.digits);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.words).toBe(second.rows.find((row) => row.number === changed[0]?.number)?.words);
    expect(second).toEqual(modelReplyFromTruth(party));
  });

  it("changes exactly one digit, never into a leading zero", () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const original = String(rng.int(1, 2000));
      const changed = changeOneDigit(original, rng);
      expect(changed).not.toBe(original);
      expect(changed.length).toBe(original.length);
      expect([...changed].filter((ch, at) => ch !== original[at])).toHaveLength(1);
      if (changed.length > 1) expect(changed[0]).not.toBe("0");
    }
  });

  it("tracks concurrency and latency", async () => {
    const fake = await start({ latencyMs: 100 });
    const started = Date.now();
    await Promise.all([post(fake, "Document: a"), post(fake, "Document: b"), post(fake, "Document: c")]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(fake.stats().maxInFlight).toBe(3);
    expect(fake.stats().inFlight).toBe(0);
  });

  it("answers a constituency truth too", async () => {
    const truth = constituencyTruth();
    const fake = await start({ truth: { [truth.document.id]: truth } });
    expect(await content(await post(fake, `Document: ${truth.document.id}`))).toEqual(modelReplyFromTruth(truth));
  });
});
