// Where each step of a job sits on the 0..1 progress bar: steps are weighted by their expected cost on a cold cache
// (one unit ≈ one bottleneck to compute), so the bar moves evenly instead of jumping per phase.
export type Span = [number, number];

export class ProgressPlan {
  private readonly spans = new Map<string, Span>();

  constructor(steps: [name: string, weight: number][]) {
    const total = steps.reduce((s, [, w]) => s + Math.max(0, w), 0) || 1;
    let at = 0;
    for (const [name, w] of steps) {
      const next = at + Math.max(0, w) / total;
      this.spans.set(name, [at, Math.min(1, next)]);
      at = next;
    }
  }

  span(step: string): Span {
    const s = this.spans.get(step);
    if (!s) throw new Error(`no progress step "${step}"`);
    return s;
  }

  /**
   * Span of a trainer phase: "<set>:cache" / "<set>:extract" (set = train | rehearsal | val) or "fit".
   * Unknown phases get null (the bar stays where it is).
   */
  trainerSpan(phase: string): Span | null {
    const [set, sub] = phase.includes(':') ? phase.split(':', 2) : [phase, ''];
    const s = this.spans.get(set === 'fit' ? 'fit' : set!);
    if (!s) return null;
    if (!sub) return s;
    const cut = s[0] + (s[1] - s[0]) * 0.1; // reading the cache is the cheap first tenth of a set
    return sub === 'cache' ? [s[0], cut] : [cut, s[1]];
  }
}

/** Cost model of a training job, in bottleneck-extraction units. */
export function jobPlan(n: {
  train: number;
  rehearsal: number;
  val: number;
  retention: number;
  /** Backbone passes per training/rehearsal image besides the plain one (the trainer's extraPasses). */
  extraPasses: number;
}): ProgressPlan {
  const k1 = n.extraPasses + 1;
  const vectors = (n.train + n.rehearsal) * k1 + n.val + n.retention;
  return new ProgressPlan([
    ['preparing', Math.max(10, vectors * 0.01)],
    ['train', n.train * k1],
    ['rehearsal', n.rehearsal * k1],
    ['val', n.val],
    ['fit', Math.max(100, vectors * 0.05)],
    ['retention', n.retention],
    ['export', Math.max(150, vectors * 0.03)],
  ]);
}
