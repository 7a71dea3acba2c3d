/**
 * Text from outside (file names, error messages, stored values) is shown with its control
 * characters escaped: a file named `\e[2J…` or `\e]0;…\a` must not clear or retitle the
 * terminal it is listed in. C0 controls, DEL and the C1 range (which holds the one-byte CSI)
 * become visible escapes; everything else, Thai included, is shown as it is.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\e" };

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A writer of whole lines whose text is made terminal-safe. */
export function lineWriter(write: (text: string) => void): (line: string) => void {
  return (line) => write(`${terminalSafe(line)}\n`);
}
