import { type SecondModelSettings, secondModelSource } from "../extract/second-model.js";
import type { WitnessSource } from "../extract/types.js";
import { createCropReaskWitness } from "./crop-reask-setup.js";
import { createLocalProvider, type LocalProvider, type LocalProviderOptions } from "./local-provider.js";
import { createLocalWitness } from "./local-witness.js";
import type { FormResult } from "../forms/form-result.js";
import type { Provider } from "../providers/provider.js";

export interface WitnessSetupOptions {
  /** The offline reader as a witness of a remote model's reading (default on; --no-witness). */
  readonly localWitness: boolean;
  readonly localOptions?: LocalProviderOptions;
  /** Crop re-asks of disputed cells to the first model ("provider:model"); null: none (--no-crop-reask). */
  readonly cropReask?: { readonly source: string } | null;
  /** A second model (--verify-with), heard last. */
  readonly secondModel?: SecondModelSettings | null;
}

/** The offline reader inside a run's provider: the local reader itself, or a cascade's first stage. */
function localReaderOf(provider: Provider): LocalProvider | null {
  const candidate = provider as Partial<LocalProvider> & { readonly local?: LocalProvider };
  if (typeof candidate.readLocally === "function") return provider as LocalProvider;
  return candidate.local ?? null;
}

/**
 * The witnesses of a run, in the order they are heard: the one place they are put together.
 * A run whose reader is (or starts with) the offline reader always records that reader's own
 * evidence, which is free: the pages are read once for both. A remote reader gets the offline
 * reader as a witness unless it is turned off.
 */
export function witnessSources(provider: Provider, options: WitnessSetupOptions): WitnessSource[] {
  const sources: WitnessSource[] = [];
  const own = localReaderOf(provider);
  if (own) sources.push(createLocalWitness(own));
  else if (options.localWitness) sources.push(createLocalWitness(createLocalProvider(options.localOptions)));
  if (options.cropReask) sources.push(createCropReaskWitness(options.cropReask));
  if (options.secondModel) sources.push(secondModelSource(options.secondModel));
  return sources;
}

/** "witnesses: local reader, crop; forms resting on one reader go to review", for a run's start line. */
export function describeWitnesses(sources: readonly WitnessSource[], acceptSingleWitness: boolean): string {
  const heard = sources.length > 0 ? sources.map((source) => source.name).join(", ") : "none";
  const rule = acceptSingleWitness ? 'single-witness forms accepted (assurance "checks")' : "forms resting on one reader go to review";
  return `witnesses: ${heard}; ${rule}`;
}

/** Stops the worker threads witnesses hold (crop re-asks prepare and cut pages on their own). */
export async function closeWitnesses(sources: readonly WitnessSource[]): Promise<void> {
  await Promise.all(sources.map((source) => source.close?.()));
}

/** Adds up the witnesses' evidence and CPU over a run's results, for the end-of-run line. */
export interface WitnessTally {
  wrap(onResult: (result: FormResult) => void): (result: FormResult) => void;
  /** E.g. "Witness: local reader read 120 pages, 0.21 s of process CPU per page (all threads); cells 96% agreed, …". Null when no witness read. */
  describe(): string | null;
}

export function createWitnessTally(): WitnessTally {
  let pages = 0;
  let cpuMs = 0;
  const verdicts = { agreed: 0, pinned: 0, single: 0, disputed: 0 };
  let shifted = 0;
  return {
    wrap: (onResult) => (result) => {
      pages += result.provenance.witnessPages ?? 0;
      cpuMs += result.provenance.witnessCpuMs ?? 0;
      for (const cell of [...result.votes, ...Object.values(result.totals)]) if (cell?.verdict) verdicts[cell.verdict]++;
      if ((result.alignment ?? []).length > 0) shifted++;
      onResult(result);
    },
    describe() {
      const cells = verdicts.agreed + verdicts.pinned + verdicts.single + verdicts.disputed;
      if (pages === 0 && cells === 0) return null;
      const share = (n: number) => `${cells === 0 ? 0 : Math.round((n / cells) * 100)}%`;
      const read =
        pages > 0 ? `local reader read ${pages} pages, ${(cpuMs / pages / 1000).toFixed(2)} s of process CPU per page (all threads); ` : "";
      return `Witness: ${read}cells ${share(verdicts.agreed)} agreed, ${share(verdicts.pinned)} pinned, ${share(verdicts.single)} single, ${share(verdicts.disputed)} disputed; ${shifted} form(s) with a row-alignment finding.`;
    },
  };
}
