import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSync } from "rolldown/utils";

/**
 * The import structure of src/, checked in the suite (test/structure/import-structure.test.ts)
 * and printed by `npm run check:imports`. Imports point inward: a folder may import its own
 * layer or a lower one, never a higher one; no import circles; nothing in src/ imports test/.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["basics"],
  ["forms"],
  ["verify", "ingest", "synth"],
  ["providers", "reference"],
  ["extract", "local"],
  ["aggregate", "storage"],
  ["batch"],
  ["reports"],
  ["workspace"],
  ["web", "scale"],
  ["cli"],
  ["index.ts"],
];

/** Imports the layer order allows but the design forbids: batch is the engine only. */
export const FORBIDDEN: readonly { readonly from: string; readonly to: string; readonly why: string }[] = [
  { from: "batch", to: "local", why: "a local-first provider is a capability of providers/provider.ts, not a batch import" },
];

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

export interface StructureReport {
  readonly files: number;
  readonly edges: readonly ImportEdge[];
  /** Circles through imports that exist at run time. */
  readonly circles: readonly (readonly string[])[];
  /** Circles that close only through `import type` (erased by the compiler); listed, not failed. */
  readonly typeOnlyCircles: readonly (readonly string[])[];
  readonly layerViolations: readonly string[];
  readonly testImports: readonly string[];
  readonly unknownFolders: readonly string[];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "vendor" && entry.name !== "public" && entry.name !== "model") out.push(...walk(full));
    } else if (/\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

function resolveImport(fromFile: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const target = resolve(dirname(fromFile), spec);
  for (const candidate of [
    target.replace(/\.js$/, ".ts"),
    target.replace(/\.mjs$/, ".mts"),
    target,
    `${target}.ts`,
    join(target, "index.ts"),
  ]) {
    if (existsSync(candidate) && !candidate.endsWith(sep)) return candidate;
  }
  return target;
}

function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const source = readFileSync(file, "utf8");
  const parsed = parseSync(file, source, { lang: file.endsWith(".mjs") ? "js" : "ts" });
  const found: { spec: string; typeOnly: boolean }[] = [];
  for (const imp of parsed.module.staticImports) {
    found.push({ spec: imp.moduleRequest.value, typeOnly: imp.entries.length > 0 && imp.entries.every((e) => e.isType) });
  }
  for (const exp of parsed.module.staticExports) {
    for (const entry of exp.entries) if (entry.moduleRequest) found.push({ spec: entry.moduleRequest.value, typeOnly: entry.isType });
  }
  for (const dyn of parsed.module.dynamicImports) {
    const text = source.slice(dyn.moduleRequest.start, dyn.moduleRequest.end).trim();
    const literal = /^["'`]([^"'`]+)["'`]$/.exec(text);
    if (literal) found.push({ spec: literal[1]!, typeOnly: false });
  }
  // `import("…").Type` in type positions.
  for (const match of source.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)\./g)) found.push({ spec: match[1]!, typeOnly: true });
  return found;
}

/** The src/ folder (or root file) a path belongs to: "batch", "index.ts". */
export function areaOf(file: string, src = join(REPO, "src")): string {
  return relative(src, file).split(sep)[0]!;
}

function layerOf(area: string): number {
  return LAYERS.findIndex((layer) => layer.includes(area));
}

/** Strongly connected components with more than one file (or a file importing itself). */
function findCircles(nodes: readonly string[], edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const edge of edges) next.get(edge.from)?.push(edge.to);
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!indices.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, indices.get(to)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (next.get(node) ?? []).includes(node)) circles.push(component.sort());
    }
  };
  for (const node of nodes) if (!indices.has(node)) visit(node);
  return circles;
}

export function analyseImports(root = REPO): StructureReport {
  const src = join(root, "src");
  const files = walk(src);
  const edges: ImportEdge[] = [];
  const testImports: string[] = [];
  const layerViolations: string[] = [];
  const unknown = new Set<string>();
  const rel = (f: string) => relative(root, f).split(sep).join("/");
  for (const file of files) {
    const fromArea = areaOf(file, src);
    if (layerOf(fromArea) < 0) unknown.add(fromArea);
    for (const { spec, typeOnly } of importsOf(file)) {
      const target = resolveImport(file, spec);
      if (target === null) continue;
      if (!target.startsWith(src + sep)) {
        if (relative(root, target).split(sep)[0] === "test") testImports.push(`${rel(file)} → ${rel(target)}`);
        continue;
      }
      edges.push({ from: rel(file), to: rel(target), typeOnly });
      const toArea = areaOf(target, src);
      if (toArea === fromArea) continue;
      const [fromLayer, toLayer] = [layerOf(fromArea), layerOf(toArea)];
      if (toLayer < 0) unknown.add(toArea);
      if (fromLayer >= 0 && toLayer > fromLayer) layerViolations.push(`${rel(file)} → ${rel(target)} (${fromArea} is below ${toArea})`);
      const forbidden = FORBIDDEN.find((f) => f.from === fromArea && f.to === toArea);
      if (forbidden) layerViolations.push(`${rel(file)} → ${rel(target)} (${forbidden.why})`);
    }
  }
  const circles = findCircles(
    files.map(rel),
    edges.filter((e) => !e.typeOnly),
  );
  const runtime = new Set(circles.map((c) => c.join("|")));
  const typeOnlyCircles = findCircles(files.map(rel), edges).filter((c) => !runtime.has(c.join("|")));
  return { files: files.length, edges, circles, typeOnlyCircles, layerViolations, testImports, unknownFolders: [...unknown].sort() };
}

function main(): number {
  const report = analyseImports();
  const layerText = LAYERS.map((layer) => layer.join(", ")).join("  <  ");
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`src/: ${report.files} files, ${report.edges.length} imports between them`);
  print(`Layers, lowest first: ${layerText}`);
  print(`Import circles (run-time imports): ${report.circles.length}`);
  for (const circle of report.circles) print(`  ${circle.join(" ⇄ ")}`);
  if (report.typeOnlyCircles.length > 0)
    print(`Circles through type-only imports (erased at build, not failed): ${report.typeOnlyCircles.length}`);
  for (const circle of report.typeOnlyCircles) print(`  ${circle.join(" ⇄ ")}`);
  print(`Imports from a lower layer to a higher one: ${report.layerViolations.length}`);
  for (const line of report.layerViolations) print(`  ${line}`);
  print(`Files under src/ importing test/: ${report.testImports.length}`);
  for (const line of report.testImports) print(`  ${line}`);
  if (report.unknownFolders.length > 0) print(`Folders with no layer (add them to LAYERS): ${report.unknownFolders.join(", ")}`);
  const bad = report.circles.length + report.layerViolations.length + report.testImports.length + report.unknownFolders.length;
  return bad === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
