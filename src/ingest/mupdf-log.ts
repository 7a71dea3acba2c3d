import * as mupdf from "mupdf";

/**
 * MuPDF reports problems (a repaired xref, a truncated image stream) through a global log, not
 * through exceptions. We capture that log around each synchronous MuPDF section so a damaged PDF
 * can be refused instead of yielding blank or half-drawn pages. MuPDF calls are synchronous, so
 * a capture never mixes messages from two documents, even when several are prepared concurrently.
 * Messages outside a capture are dropped (MuPDF would print them to the console otherwise).
 */
export interface MupdfMessage {
  readonly level: "error" | "warning";
  readonly text: string;
}

let capturing: MupdfMessage[] | null = null;

mupdf.setLog({
  error: (text: string) => capturing?.push({ level: "error", text }),
  warning: (text: string) => capturing?.push({ level: "warning", text }),
});

/** Runs a synchronous MuPDF section, appending what MuPDF logged to `into`. */
export function withMupdfLog<T>(into: MupdfMessage[], section: () => T): T {
  const previous = capturing;
  capturing = into;
  try {
    return section();
  } finally {
    capturing = previous;
  }
}

// Messages MuPDF prints while it successfully repairs a sloppy but complete file.
const BENIGN = [
  /cannot find startxref/i,
  /cannot recognize xref format/i,
  /trying to repair broken xref/i,
  /repairing PDF document/i,
  /object missing 'endobj' token/i,
  /PDF stream Length incorrect/i,
  /invalid xref entry/i,
  /ignoring/i,
];

// Warnings that mean page content is missing or cut.
const DAMAGE = [
  /premature end/i,
  /truncated/i,
  /page may not be correct/i,
  /non-page object/i,
  /unexpected (eof|end)/i,
  /corrupt/i,
  /cannot (load|read|find|open)/i,
  /syntax error/i,
  /page tree/i,
];

/** The first message that shows real damage (content lost), or null when the file read cleanly enough. */
export function damageIn(messages: readonly MupdfMessage[]): MupdfMessage | null {
  for (const message of messages) {
    if (BENIGN.some((pattern) => pattern.test(message.text))) continue;
    if (message.level === "error") return message;
    if (DAMAGE.some((pattern) => pattern.test(message.text))) return message;
  }
  return null;
}
