import { onAbort } from "./on-abort.js";

/**
 * First-come first-served slots: at most `size` holders at once, the rest wait here. A wait gives
 * up with the signal's reason when it aborts, or with the reason given to `refuseWaiting`.
 */
export class Slots {
  private free: number;
  private readonly waiting: { readonly grant: () => void; readonly refuse: (reason: unknown) => void }[] = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const forget = signal
        ? onAbort(signal, () => {
            const at = this.waiting.indexOf(slot);
            if (at >= 0) this.waiting.splice(at, 1);
            reject(signal.reason);
          })
        : () => {};
      const slot = {
        grant: () => {
          forget();
          resolve();
        },
        refuse: (reason: unknown) => {
          forget();
          reject(reason);
        },
      };
      this.waiting.push(slot);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.grant();
    else this.free++;
  }

  /** Every call still waiting gives up with `reason` (a pool closing). */
  refuseWaiting(reason: unknown): void {
    for (const slot of this.waiting.splice(0)) slot.refuse(reason);
  }
}
