import { err, ok, type Result } from "../../basics/result.js";
import type { SecondModelSettings } from "../../extract/second-model.js";
import { type ProviderConfig, resolveVerifierConfig } from "../../providers/config.js";
import type { ProcessCommandOptions } from "./process-options.js";

/** The second model of a run (--verify-with), resolved from the flags and the environment. */
export interface VerifierPlan {
  readonly config: ProviderConfig;
  readonly settings: SecondModelSettings;
}

/** Null without --verify-with; an error for a flag that needs it, or a second model that cannot work. */
export function verifierFrom(options: ProcessCommandOptions, env: NodeJS.ProcessEnv): Result<VerifierPlan | null, string> {
  if (options.verifyWith === undefined) {
    if (options.verifyWhen !== undefined) return err("--verify-when needs --verify-with PRESET[:MODEL]");
    if (options.verifyBaseUrl !== undefined) return err("--verify-base-url needs --verify-with PRESET[:MODEL]");
    return ok(null);
  }
  if (options.queue !== undefined) return err("--verify-with is not available with --queue yet: run the second model on a local run");
  const config = resolveVerifierConfig({ verifyWith: options.verifyWith, verifyBaseUrl: options.verifyBaseUrl, env });
  if (!config.ok) return config;
  return ok({
    config: config.value,
    settings: {
      when: options.verifyWhen ?? "disputed",
      source: `${config.value.provider}:${config.value.model}`,
      requestMode: options.requestMode,
    },
  });
}

/** One line for people: which model verifies, where, and which forms it reads. */
export function describeVerifier(plan: VerifierPlan): string {
  const which = plan.settings.when === "always" ? "every form" : "forms with a disputed or single-witness cell";
  return `second model: ${plan.config.describe()}; reads ${which}`;
}
