import type { FakeProviderOptions } from "../../test/support/fake-provider.js";
import { MISREADING_MODES } from "../../test/support/misreadings.js";

/** The first model's misreadings for the cost bench: `share` of the forms, every mode equally, sticky. */
export function misreadingOptions(share: number, seed: number): Pick<FakeProviderOptions, "misreadings"> {
  const each = share / MISREADING_MODES.length;
  return { misreadings: { shares: Object.fromEntries(MISREADING_MODES.map((mode) => [mode, each])), seed } };
}
