/**
 * One real "abort" listener per signal, fanned out to every pending call that uses it: a batch
 * shares one signal across many documents, and one listener per call would trip Node's
 * MaxListeners warning. Returns a function that forgets the callback; the real listener goes
 * with the last one.
 */
const abortCallbacks = new WeakMap<AbortSignal, { readonly callbacks: Set<() => void>; readonly listener: () => void }>();

export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = abortCallbacks.get(signal);
  if (!entry) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      abortCallbacks.delete(signal);
      for (const fn of [...callbacks]) fn();
      callbacks.clear();
    };
    entry = { callbacks, listener };
    abortCallbacks.set(signal, entry);
    signal.addEventListener("abort", listener, { once: true });
  }
  const { callbacks, listener } = entry;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener("abort", listener);
    if (abortCallbacks.get(signal)?.listener === listener) abortCallbacks.delete(signal);
  };
}
