/** Replaces every occurrence of a secret (API keys) in outgoing text: a second guard behind "never send it". */
export function makeRedactor(secrets: readonly string[]): (text: string) => string {
  const needles = secrets.filter((secret) => secret.length >= 6);
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join("[redacted]");
    return out;
  };
}
