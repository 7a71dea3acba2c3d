/** The message of a thrown value, without its stack: thrown things need not be Errors. */
export function errorMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}
