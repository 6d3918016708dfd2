// Limited-memory BFGS with a backtracking Armijo line search: the new-column objective is smooth and convex,
// so a quasi-Newton method reaches a tight optimum in tens of full-batch evaluations (no learning rate to tune).

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
}

export async function minimizeLbfgs(
  fg: (x: Float64Array, grad: Float64Array) => Promise<number> | number,
  x0: Float64Array,
  opts: {
    maxIterations: number;
    memory?: number;
    tolerance?: number;
    onIteration?: (it: number, f: number) => void;
    signal?: AbortSignal;
  },
): Promise<LbfgsResult> {
  const n = x0.length;
  const m = opts.memory ?? 8;
  const tol = opts.tolerance ?? 1e-7;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = await fg(x, g);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  let it = 0;
  for (; it < opts.maxIterations; it++) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted');
    // Two-loop recursion: dir = -H·g.
    for (let i = 0; i < n; i++) dir[i] = -g[i];
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(S[j], dir);
      axpy(-alpha[j], Y[j], dir);
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last], Y[last]) / dot(Y[last], Y[last]);
      for (let i = 0; i < n; i++) dir[i] *= gamma;
    } else {
      const gn = Math.sqrt(dot(g, g));
      if (gn > 0) for (let i = 0; i < n; i++) dir[i] /= gn; // first step: unit length
    }
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j] * dot(Y[j], dir);
      axpy(alpha[j] - beta, S[j], dir);
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i];
      slope = dot(g, dir);
    }
    let step = 1;
    let fNew = Infinity;
    for (let ls = 0; ls < 20; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * dir[i];
      fNew = await fg(xNew, gNew);
      evaluations++;
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f)) break; // no progress possible
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const df = f - fNew;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    opts.onIteration?.(it + 1, f);
    if (df < tol * Math.max(1, Math.abs(f))) {
      it++;
      break;
    }
  }
  return { x, f, iterations: it, evaluations };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}
