import { onAbort } from "./on-abort.js";

/**
 * The promise's outcome, or `whenAborted()`'s as soon as the signal aborts (already aborted
 * included); `whenAborted` may throw to reject. A promise left behind runs on unobserved: its late
 * rejection is swallowed. The listener is removed when the promise settles first.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, whenAborted: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const whenAbortedNow = () => {
      promise.catch(() => {});
      try {
        resolve(whenAborted());
      } catch (error) {
        reject(error);
      }
    };
    if (signal.aborted) return whenAbortedNow();
    // One shared listener per signal (onAbort): a run's signal is waited on by many calls at once.
    const forget = onAbort(signal, whenAbortedNow);
    promise.then(
      (value) => {
        forget();
        resolve(value);
      },
      (error: unknown) => {
        forget();
        reject(error);
      },
    );
  });
}
