import { threadId } from "node:worker_threads";

// A worker for thread-pool tests: answers its task's value after `ms` milliseconds.
export async function sleepTask({ ms, value }) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}

// The same, answering which thread ran it.
export async function whichThread({ ms }) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return threadId;
}
