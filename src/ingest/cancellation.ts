/**
 * What preparation needs from an AbortSignal. In a worker thread the signal cannot cross the
 * thread boundary, so the worker passes an object backed by shared memory instead.
 */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

export class PreparationCancelled extends Error {
  override readonly name = "AbortError";
  constructor() {
    super("Preparation was cancelled.");
  }
}

/** Throws the signal's reason (or an AbortError) when cancelled: cancellation is not a per-document failure. */
export function throwIfCancelled(cancel: Cancellation): void {
  if (!cancel.aborted) return;
  throw cancel.reason ?? new PreparationCancelled();
}
