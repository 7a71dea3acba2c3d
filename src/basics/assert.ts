/** Assertions are for broken invariants only; expected failures use Result. */
export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

export function assertDefined<T>(value: T | null | undefined, message = "value is undefined"): T {
  if (value === null || value === undefined) throw new Error(message);
  return value;
}

export function throwIllegalValue(value: never, name = "value"): never {
  throw new Error(`illegal ${name}: ${JSON.stringify(value)}`);
}
