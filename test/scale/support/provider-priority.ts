import { getPriority, setPriority } from "node:os";

/** This process's scheduling priority before any raise: what the fleet's processes run at. */
const normalPriority = getPriority();

/**
 * The fake provider stands for a remote server, whose clock does not wait for the CPU of the fleet
 * it counts. On one machine its arrival stamps are honest only while its process is not starved
 * by the workers and coordinator (or other jobs): a test raises the process that runs it above
 * them, and `runCli` starts the fleet's processes at the normal priority. Without the privilege to
 * raise it, nothing changes. Returns the undo.
 */
export function raiseProviderPriority(): () => void {
  try {
    setPriority(Math.max(-20, normalPriority - 10));
  } catch {
    return () => {};
  }
  return () => {
    try {
      setPriority(normalPriority);
    } catch {
      // Lowering one's own priority is always allowed; nothing to do otherwise.
    }
  };
}

/**
 * The command line that starts `command` at the normal priority while this process is raised:
 * through nice(1), so every thread of the child starts there (a child inherits its parent's).
 */
export function atNormalPriority(command: string, args: readonly string[]): [string, string[]] {
  const raisedBy = normalPriority - getPriority();
  return raisedBy > 0 ? ["nice", ["-n", String(raisedBy), command, ...args]] : [command, [...args]];
}
