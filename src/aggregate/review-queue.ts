import type { ExplainedSummary } from "./form-summary.js";

export interface ReviewItem {
  readonly documentId: string;
  readonly path: string;
  readonly status: ExplainedSummary["status"];
  readonly priority: number;
  readonly reasons: readonly string[];
}

/** Keeps the top N documents to review without holding every document. */
export class ReviewQueue {
  private items: ReviewItem[] = [];
  constructor(readonly limit: number) {}

  offer(form: ExplainedSummary): void {
    const priority = form.reviewPriority;
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
