import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * An API key that cannot leak by accident: JSON.stringify, String(), template literals and
 * util.inspect all show "[redacted]". Only reveal() gives the value, for the SDK client.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Removes every occurrence of the secret (and bearer tokens) from a message meant for people or logs. */
export function redactSecret(message: string, secret: Secret | null): string {
  let text = message;
  const value = secret?.reveal() ?? "";
  if (value.length >= 4) text = text.split(value).join(REDACTED);
  return text.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${REDACTED}`);
}
