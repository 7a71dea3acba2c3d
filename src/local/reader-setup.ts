import type { ReaderConfig } from "../providers/config.js";
import { createOpenAICompatibleProvider } from "../providers/openai-compatible.js";
import type { ClientLimits } from "../providers/presets.js";
import type { Provider } from "../providers/provider.js";
import { createCascadeProvider } from "./cascade-provider.js";
import { createLocalProvider, LOCAL_MODEL_NAME, type LocalProviderOptions } from "./local-provider.js";

/** What a run needs to know about its reader, whichever kind it is. Safe to log: no key. */
export interface ReaderSetup {
  /** "local", "cascade" or the remote preset name, for provenance and exports. */
  readonly provider: string;
  readonly model: string;
  /** Limits for the requests that go to a remote model; none when nothing is remote. */
  readonly limits: ClientLimits;
  /** A focused re-ask needs a vision model; the local reader would only read the same pixels again. */
  readonly canReask: boolean;
  /** CPU seconds per page the offline reader takes, when it reads (local, cascade); null for a remote model. */
  readonly localCpuSecondsPerPage: number | null;
  /** One line for the user (the local default, a cascade without a remote), or null. */
  readonly notice: string | null;
  describe(): string;
  toJSON(): Record<string, unknown>;
  createProvider(options: { readonly timeoutMs: number }): Provider;
}

/** Measured on real scans (`npm run eval:real`): about 0.5 s of CPU per count page. */
export const LOCAL_CPU_SECONDS_PER_PAGE = 0.5;

const NO_LIMITS: ClientLimits = { rps: null, rpm: null, rpd: null };
const LOCAL_DESCRIPTION = `local CPU reader (${LOCAL_MODEL_NAME}), offline, no key`;

export function readerSetup(config: ReaderConfig, localOptions: LocalProviderOptions = {}): ReaderSetup {
  switch (config.kind) {
    case "remote": {
      const remote = config.remote;
      return {
        provider: remote.provider,
        model: remote.model,
        limits: remote.limits,
        canReask: true,
        localCpuSecondsPerPage: null,
        notice: null,
        describe: () => remote.describe(),
        toJSON: () => remote.toJSON(),
        createProvider: ({ timeoutMs }) => createOpenAICompatibleProvider(remote, { timeoutMs }),
      };
    }
    case "local":
      return {
        provider: "local",
        model: LOCAL_MODEL_NAME,
        limits: NO_LIMITS,
        canReask: false,
        localCpuSecondsPerPage: LOCAL_CPU_SECONDS_PER_PAGE,
        notice: config.notice,
        describe: () => LOCAL_DESCRIPTION,
        toJSON: () => ({ provider: "local", model: LOCAL_MODEL_NAME, defaulted: config.defaulted }),
        createProvider: () => createLocalProvider(localOptions),
      };
    case "cascade": {
      const remote = config.remote;
      return {
        provider: "cascade",
        model: remote ? remote.model : LOCAL_MODEL_NAME,
        limits: remote ? remote.limits : NO_LIMITS,
        canReask: remote !== null,
        localCpuSecondsPerPage: LOCAL_CPU_SECONDS_PER_PAGE,
        notice: config.notice,
        describe: () =>
          remote
            ? `cascade: ${LOCAL_DESCRIPTION} first, then ${remote.describe()}`
            : `cascade: ${LOCAL_DESCRIPTION} only (no remote model)`,
        toJSON: () => ({
          provider: "cascade",
          model: remote ? remote.model : LOCAL_MODEL_NAME,
          localModel: LOCAL_MODEL_NAME,
          remote: remote ? remote.toJSON() : null,
        }),
        createProvider: ({ timeoutMs }) =>
          createCascadeProvider(createLocalProvider(localOptions), remote ? createOpenAICompatibleProvider(remote, { timeoutMs }) : null),
      };
    }
  }
}
