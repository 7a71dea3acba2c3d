import { spawnSync } from "node:child_process";
import { getPriority, setPriority } from "node:os";

/** This process's scheduling priority before any raise: what the fleet's processes run at. */
const normalPriority = getPriority();
/** How this process is raised now: nice(1) wrapping of children is needed only for "nice". */
let raised: "realtime" | "nice" | "none" = "none";

/**
 * The fake provider stands for a remote server, whose clock does not wait for the CPU of the fleet
 * it counts. On one machine its arrival stamps are honest only while its process is not starved
 * by the workers and coordinator (or by other jobs): a test raises the thread that runs it (this
 * process's main thread, its event loop) above them, and the fleet's processes start at the
 * normal priority. First choice: the round-robin real-time class with reset-on-fork, which runs
 * the event loop as soon as a request arrives, ahead of every ordinary process of any session, and
 * starts children in the ordinary class. Else a nice value 10 below the normal one (children go
 * back through nice(1)). Without the privilege for either, nothing changes. Returns the undo.
 */
export function raiseProviderPriority(): () => void {
  const pid = String(process.pid);
  if (spawnSync("chrt", ["--rr", "--reset-on-fork", "--pid", "1", pid], { stdio: "ignore" }).status === 0) {
    raised = "realtime";
    return () => {
      spawnSync("chrt", ["--other", "--pid", "0", pid], { stdio: "ignore" });
      raised = "none";
    };
  }
  try {
    setPriority(Math.max(-20, normalPriority - 10));
    raised = "nice";
  } catch {
    return () => {};
  }
  return () => {
    try {
      setPriority(normalPriority);
    } catch {
      // Lowering one's own priority is always allowed.
    }
    raised = "none";
  };
}

/**
 * The command line that starts `command` at the normal priority while this process is raised by
 * a nice value: through nice(1), so every thread of the child starts there.
 */
export function atNormalPriority(command: string, args: readonly string[]): [string, string[]] {
  const raisedBy = normalPriority - getPriority();
  return raised === "nice" && raisedBy > 0 ? ["nice", ["-n", String(raisedBy), command, ...args]] : [command, [...args]];
}
