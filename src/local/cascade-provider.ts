import { type ExtractionOutcome, type ExtractionRequest, type LocalFirstProvider, NO_USAGE, type Provider } from "../providers/provider.js";
import type { LocalProvider } from "./local-provider.js";
import { toModelReply } from "./to-model-reply.js";

export interface CascadeStats {
  /** Requests answered by the local reader alone (its checks all passed). */
  readonly local: number;
  /** Requests passed on to the remote model. */
  readonly remote: number;
}

export interface CascadeProvider extends LocalFirstProvider {
  stats(): CascadeStats;
  /** The local stage, whose reading is also the run's local witness. */
  readonly local: LocalProvider;
}

/**
 * Local first, then the vision model: a request whose pages the local reader verifies
 * (every cell confident, every sum holding) is answered locally and costs nothing; anything
 * else goes to `remote`. Without a remote model the local reply comes back as it is, with
 * "?" in the cells it doubted, so the form ends up in review with those cells named.
 * Re-asks always go to the remote model when there is one.
 *
 * The batch gate calls `answerLocally` before its rate limiter and sends only what that leaves
 * to `remote` through it; `extract` runs both stages, for callers without a gate.
 */
export function createCascadeProvider(local: LocalProvider, remote: Provider | null): CascadeProvider {
  let answeredLocally = 0;
  let passedOn = 0;

  const answerLocally = async <T>(request: ExtractionRequest<T>, signal: AbortSignal): Promise<ExtractionOutcome<T> | null> => {
    if (request.purpose === "reask" && remote) return null;
    let reply: unknown;
    let verified = false;
    try {
      const { read, decision } = await local.readLocally(request, signal);
      verified = decision.verified;
      reply = toModelReply(read, decision);
    } catch (thrown) {
      if (signal.aborted) throw thrown;
      if (!remote) return local.extract(request, { signal });
    }
    if (verified || !remote) {
      const parsed = request.replySchema.safeParse(reply);
      if (parsed.success) {
        answeredLocally++;
        return { kind: "ok", reply: parsed.data, usage: NO_USAGE, model: local.model };
      }
      if (!remote) {
        return { kind: "invalid_output", message: `local reply does not fit ${request.schemaName}`, usage: NO_USAGE };
      }
    }
    return null;
  };

  return {
    name: remote ? `cascade(local,${remote.name})` : "cascade(local)",
    model: remote ? remote.model : local.model,
    metered: remote?.metered ?? false,
    remote,
    local,
    stats: () => ({ local: answeredLocally, remote: passedOn }),
    close: () => local.close(),
    answerLocally: async (request, signal) => {
      const answer = await answerLocally(request, signal);
      if (answer === null) passedOn++;
      return answer;
    },
    async extract<T>(request: ExtractionRequest<T>, options: { signal: AbortSignal }): Promise<ExtractionOutcome<T>> {
      const answer = await answerLocally(request, options.signal);
      if (answer !== null || !remote) return answer ?? { kind: "fatal", scope: "document", message: "no local answer and no remote model" };
      passedOn++;
      return remote.extract(request, options);
    },
  };
}
