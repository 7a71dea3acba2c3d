import { err, ok } from "../basics/result.js";
import type { ProcessingError } from "../forms/form-result.js";
import type { DiscoveredDocument, PreparedPage, PrepareOptions, PrepareResult } from "./types.js";

/** What crosses into a worker: a document (paths, not bytes), the options, and a shared cancel flag. */
export interface PrepareTask {
  readonly doc: DiscoveredDocument;
  readonly options: PrepareOptions;
  /** Int32Array over a SharedArrayBuffer; element 0 becomes 1 when the caller aborts. */
  readonly cancelFlag: Int32Array;
}

/** A page as it crosses back: the JPEG in its own ArrayBuffer, so it can be transferred, not copied. */
export type WirePage = Omit<PreparedPage, "jpeg"> & { readonly jpeg: Uint8Array | null };

export type WireResult =
  | { readonly ok: true; readonly pages: readonly WirePage[] }
  | { readonly ok: false; readonly error: ProcessingError };

/** Pages with each JPEG copied into a fresh ArrayBuffer (sharp's buffers may be pooled or external). */
export function toWire(result: PrepareResult): { wire: WireResult; transfer: ArrayBuffer[] } {
  if (!result.ok) return { wire: { ok: false, error: result.error }, transfer: [] };
  const transfer: ArrayBuffer[] = [];
  const pages = result.value.map((page): WirePage => {
    if (!page.jpeg) return { ...page, jpeg: null };
    const copy = new Uint8Array(new ArrayBuffer(page.jpeg.length));
    copy.set(page.jpeg);
    transfer.push(copy.buffer);
    return { ...page, jpeg: copy };
  });
  return { wire: { ok: true, pages }, transfer };
}

export function fromWire(wire: WireResult): PrepareResult {
  if (!wire.ok) return err(wire.error);
  return ok(
    wire.pages.map(
      (page): PreparedPage => ({
        ...page,
        jpeg: page.jpeg ? Buffer.from(page.jpeg.buffer, page.jpeg.byteOffset, page.jpeg.byteLength) : null,
      }),
    ),
  );
}
