import { SINGLE_WITNESS_REASON } from "../forms/evidence.js";
import type { FormSummary } from "./form-summary.js";

/**
 * Priority of a document for human review. Failed documents first, then hard-check failures,
 * then warnings, and last the forms whose only gap is a single witness; within a level, more
 * failed checks first, then lower reader confidence.
 */
export function reviewPriority(form: FormSummary): number {
  if (form.status === "verified") return 0;
  const confidencePenalty = form.minConfidence === null ? 0 : 1 - form.minConfidence;
  // Every check passes and nothing disputes a value; some cells rest on one reader: last in line.
  if (form.reasons.length === 1 && form.reasons[0] === SINGLE_WITNESS_REASON) return 500 + confidencePenalty;
  const errors = form.failedChecks.filter((c) => c.severity === "error").length;
  const warnings = form.failedChecks.filter((c) => c.severity === "warning").length;
  const level = form.status === "failed" ? 3 : errors > 0 ? 2 : 1;
  return level * 1000 + Math.min(errors, 99) * 10 + Math.min(warnings, 9) + confidencePenalty;
}

export interface ReviewItem {
  readonly documentId: string;
  readonly path: string;
  readonly status: FormSummary["status"];
  readonly priority: number;
  readonly reasons: readonly string[];
}

/** Keeps the top N documents to review without holding every document. */
export class ReviewQueue {
  private items: ReviewItem[] = [];
  constructor(readonly limit: number) {}

  offer(form: FormSummary): void {
    const priority = reviewPriority(form);
    if (priority === 0) return;
    const reasons = form.reasons.length > 0 ? form.reasons : form.failedChecks.map((c) => `${c.rule}: ${c.detail}`);
    this.items.push({ documentId: form.documentId, path: form.path, status: form.status, priority, reasons });
    if (this.items.length >= this.limit * 2) this.trim();
  }

  top(): ReviewItem[] {
    this.trim();
    return [...this.items];
  }

  private trim(): void {
    this.items.sort((a, b) => b.priority - a.priority || a.path.localeCompare(b.path));
    this.items.length = Math.min(this.items.length, this.limit);
  }
}
