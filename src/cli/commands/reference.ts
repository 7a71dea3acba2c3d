import type { Command } from "commander";
import { defaultReferenceDir } from "../../reference/cache-dir.js";
import { fetchReference } from "../../reference/fetch-reference.js";
import { loadReference } from "../../reference/load-reference.js";
import type { Reference } from "../../reference/reference.js";

/** What the command needs from the CLI (a subset of process.ts's CliContext). */
export interface ReferenceCommandIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  setExitCode(code: number): void;
  readonly env?: NodeJS.ProcessEnv;
  /** Injected by tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

const processIO: ReferenceCommandIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** Exit codes: 0 ok, 1 download failed, 2 invalid reference data or usage. */
export function registerReferenceCommand(program: Command, io: ReferenceCommandIO = processIO): void {
  const reference = program
    .command("reference")
    .description("the official ECT reference data (provinces, candidates, parties, official results)");

  reference
    .command("fetch")
    .description("download the official ECT files into a cache (reused when intact), with a manifest of URL, time, bytes and sha256")
    .option("--dir <dir>", "cache folder (default $XDG_CACHE_HOME/ballot-ocr/ect69 or ~/.cache/ballot-ocr/ect69)")
    .option("--refresh", "download again even when the cached copy is intact")
    .action(async (options: { dir?: string; refresh?: boolean }) => {
      const dir = options.dir ?? defaultReferenceDir(io.env ?? process.env);
      const controller = new AbortController();
      const abort = (): void => controller.abort();
      process.once("SIGINT", abort);
      try {
        const fetched = await fetchReference({
          dir,
          signal: controller.signal,
          ...(options.refresh ? { refresh: true } : {}),
          ...(io.fetch ? { fetch: io.fetch } : {}),
          onFile: (file) => {
            const size = file.entry ? `${file.entry.bytes.toLocaleString("en-US")} bytes, sha256 ${file.entry.sha256.slice(0, 12)}…` : "";
            io.stdout.write(`${file.outcome.padEnd(11)} ${file.spec.fileName} ${size}${file.note ? ` (${file.note})` : ""}\n`);
          },
        });
        if (!fetched.ok) {
          io.stderr.write(`error: ${fetched.error.message}\n`);
          io.setExitCode(fetched.error.kind === "download_failed" ? 1 : 2);
          return;
        }
        io.stdout.write(`manifest: ${fetched.value.manifestPath}\n`);
        io.setExitCode(await check(dir, io, null));
      } finally {
        process.removeListener("SIGINT", abort);
      }
    });

  reference
    .command("check")
    .description("load and validate a snapshot folder and print a short summary")
    .requiredOption("--reference <dir>", "snapshot folder with the official file names")
    .option("--show <what>", 'also print a province (any spelling: "แพร่", "พร", "Phrae") or a constituency ("PRE_1")')
    .action(async (options: { reference: string; show?: string }) => {
      io.setExitCode(await check(options.reference, io, options.show ?? null));
    });
}

async function check(dir: string, io: ReferenceCommandIO, show: string | null): Promise<number> {
  const loaded = await loadReference(dir);
  if (!loaded.ok) {
    io.stderr.write(`error: ${dir}: ${loaded.error.message}\n`);
    return 2;
  }
  const ref = loaded.value;
  const { data } = ref;
  const stations = data.provinces.reduce((s, p) => s + (p.stations ?? 0), 0);
  const voters = data.provinces.reduce((s, p) => s + (p.registeredVoters ?? 0), 0);
  const lines = [
    `reference ${dir}${data.source.snapshotAt ? ` (snapshot ${data.source.snapshotAt})` : ""}`,
    `  provinces       ${data.provinces.length}`,
    `  constituencies  ${data.constituencies.length}`,
    `  candidates      ${data.candidates.length}`,
    `  parties         ${data.parties.length}`,
    `  polling units   ${stations.toLocaleString("en-US")}`,
    `  voters          ${voters.toLocaleString("en-US")}`,
    data.official
      ? `  official results ${data.official.lastUpdate ?? "(time unknown)"}, ${data.official.national.countedStations ?? "?"}/${data.official.national.totalStations ?? "?"} stations counted (${data.official.national.percentCounted ?? "?"}%)`
      : "  official results: not in this snapshot",
  ];
  io.stdout.write(`${lines.join("\n")}\n`);
  if (show) {
    const text = describe(ref, show);
    if (text === null) {
      io.stderr.write(`error: --show ${show}: no such province or constituency\n`);
      return 2;
    }
    io.stdout.write(text);
  }
  return 0;
}

function describe(ref: Reference, what: string): string | null {
  const constituency = /^(.+?)[_\s-](\d+)$/.exec(what.trim());
  if (constituency) {
    const province = ref.findProvince(constituency[1]!);
    const number = Number(constituency[2]);
    const info = province ? ref.constituency(province.provinceId, number) : null;
    if (!province || !info) return null;
    const official = ref.official?.constituencies.get(info.id);
    const lines = [
      `\n${info.id} ${province.name} เขต ${number}: ${info.stations ?? "?"} polling units, ${info.registeredVoters?.toLocaleString("en-US") ?? "?"} voters`,
    ];
    for (const c of ref.candidates(province.provinceId, number)) {
      const votes = official?.candidateVotes.get(c.id);
      lines.push(
        `  ${String(c.number).padStart(2)}  ${c.id.padEnd(9)} ${c.name} — ${c.party ? `${c.party.name} (party ${c.party.number})` : "no party"}${votes === undefined ? "" : `, official ${votes.toLocaleString("en-US")} votes`}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
  const province = ref.findProvince(what);
  if (!province) return null;
  const info = ref.province(province.provinceId)!;
  const official = ref.official?.provinces.get(province.provinceId);
  const n = (v: number | null | undefined) => (v === null || v === undefined ? "?" : v.toLocaleString("en-US"));
  const lines = [
    `\n${info.name} (${info.provinceId}, ${info.abbreviation ?? "-"}, ${info.englishName ?? "-"})${province.confident ? "" : " — matched loosely"}: ${ref.constituenciesOf(info.provinceId).length} constituencies, ${n(info.stations)} polling units, ${n(info.registeredVoters)} voters`,
  ];
  if (official) {
    lines.push(
      `  official, counted ${n(official.countedStations)}/${n(official.totalStations)} stations (${official.percentCounted ?? "?"}%):`,
    );
    for (const [label, c] of [
      ["constituency", official.constituency],
      ["party-list", official.partyList],
    ] as const) {
      lines.push(`    ${label.padEnd(12)} turnout ${n(c.turnout)}  valid ${n(c.valid)}  invalid ${n(c.invalid)}  no vote ${n(c.noVote)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
