/** Summaries of latency samples, and the figure shape every section prints. */

export interface Figure {
  readonly value: number;
  readonly unit: string;
  /** The same figure for the floor program, measured in the same run. */
  readonly floor?: number;
  /** value / floor. */
  readonly ratio_to_floor?: number;
}

/** Nearest-rank percentile of `sorted` (ascending), p in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export const round = (n: number, digits = 3): number => (Number.isFinite(n) ? Number(n.toFixed(digits)) : n);

export function figure(value: number, unit: string, floor?: number): Figure {
  if (floor === undefined) return { value: round(value), unit };
  return { value: round(value), unit, floor: round(floor), ratio_to_floor: round(value / floor, 2) };
}

/** p50/p99/max as figures, each against the floor's same percentile. */
export function latencyFigures(s: Summary, floor?: Summary): Record<'p50' | 'p99' | 'max', Figure> {
  return {
    p50: figure(s.p50, 'ms', floor?.p50),
    p99: figure(s.p99, 'ms', floor?.p99),
    max: figure(s.max, 'ms', floor?.max),
  };
}
