import { type Command, InvalidArgumentError } from "commander";
import { READER_NAMES_TEXT } from "../../providers/presets.js";
import type { RunLimits } from "../../web/ports.js";
import { DEFAULT_UPLOAD_LIMITS } from "../../web/upload-store.js";
import { startWebApp } from "../../web/web-app.js";

function wholeNumber(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}, got "${text}".`);
    }
    return value;
  };
}

function positiveNumber(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive number, got "${text}".`);
    }
    return value;
  };
}

interface ServeOptions {
  port: number;
  host: string;
  out: string;
  token?: string;
  provider?: string;
  baseUrl?: string;
  model?: string;
  workers?: number;
  rps?: number;
  rpm?: number;
  rpd?: number;
  maxAttempts?: number;
  timeout?: number;
  maxRequests?: number;
  maxCost?: number;
  reference?: string;
  maxFileMb: number;
  maxBatchMb: number;
  maxFiles: number;
}

/** `ballot-ocr serve`: the whole workflow in a browser, on the same engine, store and reports. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("local web interface: upload scans, watch the run live, review and correct, download reports")
    .option("--port <n>", "port to listen on", wholeNumber("--port", 0, 65535), 8080)
    .option("--host <host>", "address to bind; anything but loopback requires an access token", "127.0.0.1")
    .option("--out <dir>", "workspace folder: uploads, the state store and the reports", "ballot-ocr-web")
    .option("--token <token>", "access token (or BALLOT_OCR_TOKEN, which ps does not show; default: generated when --host is not loopback)")
    .option(
      "--provider <name>",
      `default reader shown in the page: ${READER_NAMES_TEXT} (local: the offline CPU reader; cascade: local first, then a vision model)`,
    )
    .option("--base-url <url>", "OpenAI-compatible base URL for the default provider")
    .option("--model <id>", "default model shown in the page")
    .option(
      "--workers <n>",
      "most requests in flight a run may use (the page can lower it, not raise it)",
      wholeNumber("--workers", 1, 256),
    )
    .option("--rps <n>", "requests per second a run may use (the page can lower it, not raise it)", positiveNumber("--rps"))
    .option("--rpm <n>", "requests per minute a run may use (the page can lower it, not raise it)", positiveNumber("--rpm"))
    .option("--rpd <n>", "requests per day a run may use (the page can lower it, not raise it)", positiveNumber("--rpd"))
    .option("--max-attempts <n>", "most attempts per request (the page can lower it, not raise it)", wholeNumber("--max-attempts", 1, 20))
    .option("--timeout <seconds>", "longest timeout per request (the page can lower it, not raise it)", positiveNumber("--timeout"))
    .option("--max-requests <n>", "request budget per run (the page can lower it, not raise it)", wholeNumber("--max-requests", 1))
    .option("--max-cost <usd>", "cost budget per run (the page can lower it, not raise it)", positiveNumber("--max-cost"))
    .option("--reference <dir>", "ECT reference snapshot for discrepancies and coverage")
    .option(
      "--max-file-mb <n>",
      "largest accepted upload file",
      wholeNumber("--max-file-mb", 1),
      DEFAULT_UPLOAD_LIMITS.maxFileBytes / 2 ** 20,
    )
    .option(
      "--max-batch-mb <n>",
      "largest accepted upload batch",
      wholeNumber("--max-batch-mb", 1),
      DEFAULT_UPLOAD_LIMITS.maxBatchBytes / 2 ** 20,
    )
    .option("--max-files <n>", "most files in one upload batch", wholeNumber("--max-files", 1), DEFAULT_UPLOAD_LIMITS.maxBatchFiles)
    .action(async (options: ServeOptions) => {
      const limits: Record<string, number> = {};
      const set = (key: keyof RunLimits, value: number | undefined) => {
        if (value !== undefined) limits[key] = value;
      };
      set("workers", options.workers);
      set("rps", options.rps);
      set("rpm", options.rpm);
      set("rpd", options.rpd);
      set("maxAttempts", options.maxAttempts);
      set("timeoutMs", options.timeout === undefined ? undefined : Math.round(options.timeout * 1000));
      set("maxRequests", options.maxRequests);
      set("maxCostUsd", options.maxCost);
      const started = await startWebApp({
        host: options.host,
        port: options.port,
        outDir: options.out,
        token: options.token ?? nonEmpty(process.env["BALLOT_OCR_TOKEN"]),
        provider: options.provider,
        baseUrl: options.baseUrl,
        model: options.model,
        limits: limits as RunLimits,
        env: process.env,
        referenceDir: options.reference,
        uploadLimits: {
          ...DEFAULT_UPLOAD_LIMITS,
          maxFileBytes: options.maxFileMb * 2 ** 20,
          maxBatchBytes: options.maxBatchMb * 2 ** 20,
          maxBatchFiles: options.maxFiles,
        },
        log: (line) => process.stderr.write(`${line}\n`),
      });
      if (!started.ok) {
        process.stderr.write(`ballot-ocr serve: ${started.error}\n`);
        process.exitCode = 2;
        return;
      }
      const app = started.value;
      process.stdout.write(`ballot-ocr web interface: ${app.url}\n`);
      if (app.token !== null) {
        process.stdout.write(`access token (needed on every request; the link above sets it): ${app.token}\n`);
      }
      process.stdout.write("Press Ctrl-C to stop.\n");
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      process.stdout.write("stopping…\n");
      await app.close();
    });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
