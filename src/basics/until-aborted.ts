/**
 * The promise's outcome, or `whenAborted()`'s as soon as the signal aborts (already aborted
 * included); `whenAborted` may throw to reject. A promise left behind runs on unobserved: its late
 * rejection is swallowed. The listener is removed when the promise settles first.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, whenAborted: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      try {
        resolve(whenAborted());
      } catch (error) {
        reject(error);
      }
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
