import {
  type AlignmentFinding,
  type Assurance,
  type CellVerdict,
  SINGLE_WITNESS_REASON,
  type Witness,
  type WitnessesByCell,
  type WitnessKind,
} from "../forms/evidence.js";
import type { Check, FormResult, NumberCell, Status } from "../forms/form-result.js";
import { parseThaiNumber } from "../forms/thai-number.js";
import { type CellRef, cellIdOf, describeRef, mapCells, refsForCheck, sameRef, sumValue, totalRef } from "./cells.js";
import { findRowAlignment } from "./row-alignment.js";
import { type CandidateValues, countAssignments, type Equation, evaluate, formEquations } from "./sum-checks.js";

/**
 * The one verdict rule. Every needed cell gets a verdict from its witnesses, and the form is
 * verified only when its checks pass, every needed cell is agreed or pinned, and no row-alignment
 * finding stands. The remote pipeline (verify/ via extraction) and the offline reader's own
 * verdict (local/decide.ts) both come here.
 */

/** A local reading at or above this is confident: it disputes a different value on its own. */
export const DEFAULT_CONFIDENT_AT = 0.9;

/**
 * Below this a reading is no witness at all. Between it and DEFAULT_CONFIDENT_AT it is weak: it
 * agrees with an equal value, and a different value is settled only by the sums. On the
 * development scans 94% of cells at 0.7-0.9 were right, 83% at 0.5-0.7.
 */
export const DEFAULT_WITNESS_FLOOR = 0.7;

/** More cells than this to settle by the sums and the sums are not trusted to settle them all. */
export const MAX_PINNED_BY_SUMS = 8;

export interface VerdictOptions {
  /** Count single-witness cells as enough (--accept-single-witness): verified with assurance "checks". */
  readonly acceptSingleWitness?: boolean;
  readonly confidentAt?: number;
  readonly witnessFloor?: number;
}

export interface CellDecision {
  readonly ref: CellRef;
  readonly verdict: CellVerdict;
  /** Why, for reviewers: who read what. */
  readonly detail: string;
}

export interface FormVerdict {
  /** One per needed cell, rows first. */
  readonly cells: readonly CellDecision[];
  readonly status: Exclude<Status, "failed">;
  /** Set on a verified form. */
  readonly assurance: Assurance | null;
  /** What the witnesses add to the reasons (the checks' own reasons not included). */
  readonly reasons: readonly string[];
  /** Checks for the witnesses: agreement, single-witness cells, row alignment. */
  readonly checks: readonly Check[];
}

/** Reasons and checks the verdict writes; dropped before it runs again (after a person's edit). */
const WITNESS_RULES: ReadonlySet<Check["rule"]> = new Set(["witness-agreement", "row-alignment"]);
const WITNESS_REASON_PREFIXES = ["witness-agreement: ", "row-alignment: ", SINGLE_WITNESS_REASON];

/** The cells a verdict needs: every cell the hard sums use, and the good ballots line. */
export function neededCells(result: FormResult, equations: readonly Equation[] = formEquations(result)): CellRef[] {
  const refs: CellRef[] = [];
  const add = (ref: CellRef) => {
    if (!refs.some((r) => sameRef(r, ref))) refs.push(ref);
  };
  for (const equation of equations) for (const term of equation.terms) add(term.ref);
  if (result.totals.good) add(totalRef("good"));
  return [...refs.filter((r) => r.kind === "row"), ...refs.filter((r) => r.kind === "total")];
}

function cellAt(result: FormResult, ref: CellRef): NumberCell | null {
  if (ref.kind === "total") return result.totals[ref.key];
  return result.votes.find((row) => row.number === ref.number) ?? null;
}

/** Each needed cell with the verdict the result records on it (none before the verdict has run). */
export function neededVerdicts(result: FormResult): { readonly ref: CellRef; readonly verdict: CellVerdict | undefined }[] {
  return neededCells(result).map((ref) => ({ ref, verdict: cellAt(result, ref)?.verdict }));
}

/** A reader's reading of a cell as its witness: the digits and words it read, and the value they count. */
export function readingWitness(kind: WitnessKind, source: string, ref: CellRef, cell: NumberCell, page?: number | null): Witness {
  return { kind, source, digits: cell.digits, words: cell.words, value: sumValue(ref, cell), ...(page != null ? { page } : {}) };
}

/**
 * The witnesses of a cell. A cell without recorded witnesses (an older result, or a reader that
 * records none) is its own single model reading; a person's edit is a person's witness.
 */
export function witnessesOf(cell: NumberCell, ref: CellRef): Witness[] {
  const recorded = cell.witnesses ?? [];
  const witnesses = recorded.length > 0 ? [...recorded] : [readingWitness("model", "reading", ref, cell)];
  if (cell.edit && !witnesses.some((w) => w.kind === "person")) {
    witnesses.push({ ...readingWitness("person", cell.edit.by, ref, cell), at: cell.edit.at });
  }
  return witnesses;
}

interface CellEvidence {
  readonly ref: CellRef;
  readonly current: number | null;
  /** Readers other than crops and persons, at or above the floor, with a value. */
  readonly usable: readonly Witness[];
  readonly person: Witness | null;
  readonly crops: readonly Witness[];
  readonly all: readonly Witness[];
}

function evidenceOf(result: FormResult, ref: CellRef, floor: number): CellEvidence {
  const cell = cellAt(result, ref);
  const current = cell ? sumValue(ref, cell) : null;
  const all = cell ? witnessesOf(cell, ref) : [];
  const persons = all.filter((w) => w.kind === "person");
  return {
    ref,
    current,
    usable: all.filter((w) => w.kind !== "person" && w.kind !== "crop" && w.value !== null && (w.confidence ?? 1) >= floor),
    person: persons[persons.length - 1] ?? null,
    crops: all.filter((w) => w.kind === "crop" && w.value !== null),
    all,
  };
}

/** Two readers are independent when they differ in kind or source (a re-ask is not a second witness). */
function readerId(w: Witness): string {
  return `${w.kind === "second_model" ? "model" : w.kind}|${w.source}`;
}

/** Every value this witness names: its reading, its alternatives, and a model's words when they differ. */
function namedValues(w: Witness): number[] {
  const values = w.value === null ? [] : [w.value];
  for (const other of w.alternatives ?? []) values.push(other);
  if ((w.kind === "model" || w.kind === "second_model") && w.words !== null) {
    const words = parseThaiNumber(w.words);
    if (words !== null) values.push(words);
  }
  return values;
}

function describeWitness(w: Witness): string {
  const read = w.value === null ? "nothing" : String(w.value);
  const confidence = w.confidence === undefined ? "" : ` (${w.confidence.toFixed(2)})`;
  return `${w.kind === "model" || w.kind === "second_model" ? w.source : w.kind} read ${read}${confidence}`;
}

type Provisional =
  | { readonly verdict: CellVerdict; readonly detail: string }
  | { readonly verdict: "open"; readonly candidates: ReadonlySet<number> };

function provisional(e: CellEvidence, confidentAt: number): Provisional {
  const who = e.all.map(describeWitness).join(", ");
  if (e.person) {
    return e.person.value === e.current
      ? { verdict: "agreed", detail: `settled by ${e.person.source}` }
      : { verdict: "disputed", detail: `${e.person.source} read ${e.person.value}, the value is ${e.current}` };
  }
  if (e.current === null) return { verdict: "disputed", detail: `no value (${who})` };
  const confident = e.usable.filter((w) => (w.confidence ?? 1) >= confidentAt);
  if (confident.some((w) => w.value !== e.current) || e.crops.some((w) => w.value !== e.current)) {
    return { verdict: "disputed", detail: who };
  }
  const agreeing = new Set(e.usable.filter((w) => w.value === e.current).map(readerId));
  const differing = e.usable.some((w) => w.value !== e.current);
  if (agreeing.size >= 2 && !differing) return { verdict: "agreed", detail: who };
  const candidates = new Set<number>([e.current, ...e.usable.flatMap(namedValues)]);
  const enumerates = e.usable.some((w) => w.alternatives !== undefined);
  if (differing || candidates.size > 1 || enumerates) return { verdict: "open", candidates };
  return { verdict: "single", detail: who };
}

/**
 * Verdicts for a form's needed cells, and the form's status. `result` holds the checks' own
 * status (verified when every hard check passes) and its cells' witnesses; `alignment` the
 * row-alignment findings (default: the result's own).
 */
export function decideCells(
  result: FormResult,
  options: VerdictOptions = {},
  alignment: readonly AlignmentFinding[] = result.alignment ?? [],
): FormVerdict {
  const confidentAt = options.confidentAt ?? DEFAULT_CONFIDENT_AT;
  const floor = Math.min(options.witnessFloor ?? DEFAULT_WITNESS_FLOOR, confidentAt);
  const sums = formEquations(result);
  const needed = neededCells(result, sums);
  const evidence = needed.map((ref) => evidenceOf(result, ref, floor));
  const first = evidence.map((e) => provisional(e, confidentAt));

  // Open cells are settled by the sums: each is pinned when no other candidate value of it fits.
  const fixed = new Map<string, ReadonlySet<number>>();
  evidence.forEach((e, i) => {
    const p = first[i]!;
    fixed.set(cellIdOf(e.ref), p.verdict === "open" ? p.candidates : new Set(e.current === null ? [] : [e.current]));
  });
  // Only a sum whose every other cell is agreed or open may settle an open cell: a single-witness
  // or disputed value is no evidence, and a self-consistent misreading satisfies the sums with it.
  const trusted = new Set(
    evidence.filter((_, i) => first[i]!.verdict === "agreed" || first[i]!.verdict === "open").map((e) => cellIdOf(e.ref)),
  );
  const equations = sums.filter((equation) => equation.terms.every((t) => trusted.has(cellIdOf(t.ref))));
  const candidatesWith =
    (override: CellRef | null, value: number): CandidateValues =>
    (ref) =>
      override && sameRef(ref, override) ? new Set([value]) : (fixed.get(cellIdOf(ref)) ?? null);
  // Cells the sums must settle: a weak reading, or more than one candidate value.
  const openCount = first.filter(
    (p, i) => p.verdict === "open" && (p.candidates.size > 1 || evidence[i]!.usable.some((w) => (w.confidence ?? 1) < confidentAt)),
  ).length;

  const decided: CellDecision[] = evidence.map((e, i) => {
    const p = first[i]!;
    if (p.verdict !== "open") return { ref: e.ref, verdict: p.verdict, detail: p.detail };
    const who = e.all.map(describeWitness).join(", ");
    const current = e.current as number;
    if (openCount > MAX_PINNED_BY_SUMS) {
      return {
        ref: e.ref,
        verdict: "disputed",
        detail: `${who}; the sums hold, but ${openCount} doubtful cells are more than they can confirm`,
      };
    }
    const settling = equations.filter((equation) => equation.terms.some((t) => sameRef(t.ref, e.ref)));
    if (settling.length === 0)
      return { ref: e.ref, verdict: p.candidates.size > 1 ? "disputed" : "single", detail: `${who}; no sum of settled cells decides it` };
    if (countAssignments(equations, candidatesWith(e.ref, current)) === 0) {
      return { ref: e.ref, verdict: "disputed", detail: `${who}; the sums do not hold with ${current}` };
    }
    const rival = [...p.candidates].find((v) => v !== current && countAssignments(equations, candidatesWith(e.ref, v)) > 0);
    if (rival !== undefined)
      return { ref: e.ref, verdict: "disputed", detail: `${who}; the sums also hold for another plausible reading (${rival})` };
    return { ref: e.ref, verdict: "pinned", detail: `${who}; the sums admit no other value` };
  });

  const cells = pinBySettledNeighbours(decided, sums);
  const disputed = cells.filter((c) => c.verdict === "disputed");
  const single = cells.filter((c) => c.verdict === "single");
  const accepted = options.acceptSingleWitness === true;
  const checks: Check[] = [];
  const reasons: string[] = [];
  if (disputed.length > 0) {
    const detail = disputed.map((c) => `${describeRef(c.ref)}: ${c.detail}`).join("; ");
    checks.push({ rule: "witness-agreement", ok: false, severity: "error", detail, ...refsForCheck(disputed.map((c) => c.ref)) });
    reasons.push(`witness-agreement: ${detail}`);
  }
  if (single.length > 0) {
    const names = single.map((c) => describeRef(c.ref));
    const detail = `${single.length} cell(s) rest on one reader: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}`;
    checks.push({
      rule: "witness-agreement",
      ok: accepted,
      severity: accepted ? "info" : "warning",
      detail,
      ...refsForCheck(single.map((c) => c.ref)),
    });
  }
  const agreed = cells.filter((c) => c.verdict === "agreed").length;
  const pinned = cells.filter((c) => c.verdict === "pinned").length;
  if (disputed.length === 0 && single.length === 0) {
    checks.push({
      rule: "witness-agreement",
      ok: true,
      severity: "error",
      detail: `${agreed} cell(s) agreed, ${pinned} pinned by the sums`,
    });
  }
  for (const finding of alignment) {
    checks.push({ rule: "row-alignment", ok: false, severity: "error", detail: finding.detail, rows: [...finding.rows] });
    reasons.push(`row-alignment: ${finding.detail}`);
  }
  const checksPass = result.status === "verified";
  const blocked = disputed.length > 0 || alignment.length > 0 || !checksPass;
  if (!blocked && single.length > 0 && !accepted) reasons.push(SINGLE_WITNESS_REASON);
  const verified = !blocked && (single.length === 0 || accepted);
  return {
    cells,
    status: verified ? "verified" : "needs_review",
    assurance: verified ? (single.length > 0 ? "checks" : "witnesses") : null,
    reasons,
    checks,
  };
}

/**
 * The result with its verdict applied: each needed cell's verdict, the witness checks and
 * reasons, the status and the assurance. Runs again cleanly on a result it already decided
 * (after a new witness or a person's edit). A failed document is left as it is.
 */
export function applyVerdict(result: FormResult, options: VerdictOptions = {}): FormResult {
  if (result.status === "failed") return result;
  const baseChecks = result.checks.filter((c) => !WITNESS_RULES.has(c.rule));
  const baseReasons = result.reasons.filter((r) => !WITNESS_REASON_PREFIXES.some((prefix) => r.startsWith(prefix)));
  const checksPass = !baseChecks.some((c) => c.severity === "error" && !c.ok) && baseReasons.length === 0;
  const { alignment: _alignment, ...unaligned } = result;
  const base: FormResult = { ...unaligned, checks: baseChecks, reasons: baseReasons, status: checksPass ? "verified" : "needs_review" };
  // A value met again exactly one or two rows away is telling even from a weak reading.
  const alignment = findRowAlignment(base, {
    confidentAt: Math.min(options.witnessFloor ?? DEFAULT_WITNESS_FLOOR, options.confidentAt ?? DEFAULT_CONFIDENT_AT),
  });
  const verdict = decideCells(base, options, alignment);
  const byId = new Map(verdict.cells.map((c) => [cellIdOf(c.ref), c.verdict]));
  const withVerdict = <C extends NumberCell>(cell: C, ref: CellRef): C => {
    const { verdict: _old, ...rest } = cell;
    const v = byId.get(cellIdOf(ref));
    return (v ? { ...rest, verdict: v } : rest) as C;
  };
  const { totals, votes } = mapCells(result, withVerdict);
  const { assurance: _assurance, ...rest } = base;
  return {
    ...rest,
    totals,
    votes,
    checks: [...baseChecks, ...verdict.checks],
    reasons: [...baseReasons, ...verdict.reasons],
    status: verdict.status,
    ...(verdict.assurance ? { assurance: verdict.assurance } : {}),
    ...(alignment.length > 0 ? { alignment } : {}),
  };
}

/**
 * The result with more witnesses recorded: each cell keeps its witnesses (a cell without any
 * first gets its own reading as the `modelSource` model's witness) and adds the new ones; a new
 * witness replaces an earlier one of the same kind and source, so a source can report again.
 */
export function recordWitnesses(result: FormResult, byCell: WitnessesByCell, modelSource: string): FormResult {
  const withMore = <C extends NumberCell>(cell: C, ref: CellRef): C => {
    const own: Witness[] = cell.witnesses ?? [readingWitness("model", modelSource, ref, cell)];
    const added = byCell.get(cellIdOf(ref)) ?? [];
    if (added.length === 0 && cell.witnesses) return cell;
    const kept = own.filter((w) => !added.some((a) => a.kind === w.kind && a.source === w.source));
    return { ...cell, witnesses: [...kept, ...added] };
  };
  return mapCells(result, withMore);
}

/**
 * A single-witness cell is pinned when a sum that holds leaves it the only unsettled term: the
 * other cells of that sum were read alike by independent witnesses (or pinned), so the sum fixes
 * its value whatever anyone read. Repeats until nothing changes. A self-consistent misreading
 * moves at least two cells of a sum (rows shifted or swapped, a row and the totals recounted),
 * so it never leaves one cell alone to be pinned.
 */
function pinBySettledNeighbours(cells: readonly CellDecision[], equations: readonly Equation[]): CellDecision[] {
  const byId = new Map(cells.map((c) => [cellIdOf(c.ref), c]));
  const settled = (ref: CellRef) => {
    const v = byId.get(cellIdOf(ref))?.verdict;
    return v === "agreed" || v === "pinned";
  };
  const holding = equations.filter((e) => evaluate(e).delta === 0);
  for (let changed = true; changed; ) {
    changed = false;
    for (const equation of holding) {
      const open = equation.terms.filter((t) => !settled(t.ref));
      if (open.length !== 1) continue;
      const only = byId.get(cellIdOf(open[0]!.ref));
      if (only?.verdict !== "single") continue;
      byId.set(cellIdOf(only.ref), {
        ...only,
        verdict: "pinned",
        detail: `${only.detail}; ${equation.leftLabel} = ${equation.rightLabel} fixes it from cells read alike by two witnesses`,
      });
      changed = true;
    }
  }
  return cells.map((c) => byId.get(cellIdOf(c.ref)) ?? c);
}
