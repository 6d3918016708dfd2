// Hand-made SVG charts (no chart library, no CDN). Each chart is a <figure> with a caption; the SVG has role="img"
// and a text summary, and the numbers are also in a visually-hidden table for screen readers.
import { useId, type ReactNode } from 'react';
import { clip, pct } from '@/lib/format';

export interface Series {
  name: string;
  color: string;
}

function Figure({
  title,
  children,
  summary,
  legend,
  table,
}: {
  title: string;
  children: ReactNode;
  summary?: string;
  legend?: Series[];
  table?: ReactNode;
}) {
  const id = useId();
  return (
    <figure style={{ margin: 0 }} aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`} className="visually-hidden">
        {title}
        {summary ? `. ${summary}` : ''}
      </figcaption>
      {children}
      {legend && legend.length > 1 && (
        <ul className="legend" aria-hidden="true">
          {legend.map((s) => (
            <li key={s.name}>
              <i style={{ background: s.color }} />
              {s.name}
            </li>
          ))}
        </ul>
      )}
      {table && <div className="visually-hidden">{table}</div>}
    </figure>
  );
}

/** Grouped horizontal bars, values in 0..1 (accuracies). One row per category, one bar per series. */
export function GroupedBarChart({
  title,
  categories,
  series,
  values,
  format = (v) => pct(v),
  labelWidth = 100,
}: {
  title: string;
  categories: string[];
  series: Series[];
  /** values[categoryIndex][seriesIndex], null = not measured */
  values: (number | null)[][];
  format?: (v: number) => string;
  labelWidth?: number;
}) {
  const W = 480;
  const barH = 16;
  const gap = 3;
  const groupGap = 14;
  const groupH = series.length * (barH + gap) - gap;
  const top = 6;
  const H = top + categories.length * (groupH + groupGap) + 18;
  const plotW = W - labelWidth - 60;
  const x = (v: number) => labelWidth + Math.max(0, Math.min(1, v)) * plotW;
  const summary = categories
    .map(
      (c, i) =>
        `${c}: ${series.map((s, j) => `${s.name} ${values[i]?.[j] == null ? 'n/a' : format(values[i]![j]!)}`).join(', ')}`,
    )
    .join('; ');
  return (
    <Figure
      title={title}
      summary={summary}
      legend={series}
      table={
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th>Category</th>
              {series.map((s) => (
                <th key={s.name}>{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {categories.map((c, i) => (
              <tr key={c}>
                <th>{c}</th>
                {series.map((s, j) => (
                  <td key={s.name}>{values[i]?.[j] == null ? 'n/a' : format(values[i]![j]!)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: W }}
        role="img"
        aria-label={`${title}. ${summary}`}
      >
        {[0, 0.25, 0.5, 0.75, 1].map((t) => (
          <g key={t}>
            <line className="grid-line" x1={x(t)} x2={x(t)} y1={top - 4} y2={H - 16} />
            <text x={x(t)} y={H - 4} textAnchor="middle">
              {Math.round(t * 100)}%
            </text>
          </g>
        ))}
        {categories.map((c, i) => {
          const gy = top + i * (groupH + groupGap);
          return (
            <g key={c}>
              <text className="label-strong" x={labelWidth - 8} y={gy + groupH / 2 + 4} textAnchor="end">
                {c}
              </text>
              {series.map((s, j) => {
                const v = values[i]?.[j];
                const y = gy + j * (barH + gap);
                return (
                  <g key={s.name}>
                    {v != null ? (
                      <>
                        <rect
                          x={labelWidth}
                          y={y}
                          width={Math.max(1, x(v) - labelWidth)}
                          height={barH}
                          rx={3}
                          fill={s.color}
                        />
                        <text x={x(v) + 5} y={y + barH - 4}>
                          {format(v)}
                        </text>
                      </>
                    ) : (
                      <text x={labelWidth + 4} y={y + barH - 4}>
                        n/a
                      </text>
                    )}
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
    </Figure>
  );
}

/** One bar per item (e.g. per-class accuracy), sorted as given; optional reference tick (e.g. parent's value). */
export function BarList({
  title,
  items,
  color = 'var(--chart-all)',
  highlightColor = 'var(--chart-new)',
  format = (v) => pct(v),
  labelWidth = 120,
}: {
  title: string;
  items: { label: string; value: number | null; highlight?: boolean; ref?: number | null; note?: string }[];
  color?: string;
  highlightColor?: string;
  format?: (v: number) => string;
  labelWidth?: number;
}) {
  const W = 480;
  const barH = 14;
  const rowH = 20;
  const H = items.length * rowH + 22;
  const plotW = W - labelWidth - 80;
  const x = (v: number) => labelWidth + Math.max(0, Math.min(1, v)) * plotW;
  return (
    <Figure
      title={title}
      summary={`${items.length} items`}
      table={
        <table>
          <caption>{title}</caption>
          <tbody>
            {items.map((it, i) => (
              <tr key={i}>
                <th>{it.label}</th>
                <td>{it.value == null ? 'n/a' : format(it.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: W }}
        role="img"
        aria-label={`${title}: ${items.length} bars`}
      >
        {[0, 0.5, 1].map((t) => (
          <g key={t}>
            <line className="grid-line" x1={x(t)} x2={x(t)} y1={0} y2={H - 18} />
            <text x={x(t)} y={H - 5} textAnchor="middle">
              {Math.round(t * 100)}%
            </text>
          </g>
        ))}
        {items.map((it, i) => {
          const y = i * rowH + 3;
          return (
            <g key={i}>
              <title>{`${it.label}: ${it.value == null ? 'n/a' : format(it.value)}${it.note ? ` (${it.note})` : ''}`}</title>
              <text
                x={labelWidth - 8}
                y={y + barH - 3}
                textAnchor="end"
                className={it.highlight ? 'label-strong' : undefined}
              >
                {clip(it.label, 22)}
              </text>
              {it.value != null && (
                <rect
                  x={labelWidth}
                  y={y}
                  width={Math.max(1, x(it.value) - labelWidth)}
                  height={barH}
                  rx={2}
                  fill={it.highlight ? highlightColor : color}
                />
              )}
              {it.ref != null && (
                <line x1={x(it.ref)} x2={x(it.ref)} y1={y - 2} y2={y + barH + 2} stroke="var(--text)" strokeWidth={2} />
              )}
              <text x={(it.value != null ? x(it.value) : labelWidth) + 5} y={y + barH - 3}>
                {it.value == null ? 'n/a' : format(it.value)}
                {it.note ? ` · ${it.note}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </Figure>
  );
}

/** Line chart of one or more series of (x, y) points, e.g. the loss curve of a training job. */
export function LineChart({
  title,
  series,
  xLabel,
  yLabel,
  height = 220,
}: {
  title: string;
  series: (Series & { points: { x: number; y: number }[] })[];
  xLabel?: string;
  yLabel?: string;
  height?: number;
}) {
  const W = 560;
  const H = height;
  const m = { l: 48, r: 12, t: 10, b: 30 };
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (pts.length === 0) {
    return <p className="muted small">No points yet.</p>;
  }
  const x0 = Math.min(...pts.map((p) => p.x));
  let x1 = Math.max(...pts.map((p) => p.x));
  let [y0, y1] = [Math.min(0, ...pts.map((p) => p.y)), Math.max(...pts.map((p) => p.y))];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const ticks = niceTicks(y0, y1, 4);
  y1 = Math.max(y1, ticks[ticks.length - 1]!);
  y0 = Math.min(y0, ticks[0]!);
  const sx = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const last = series.map((s) => s.points[s.points.length - 1]).filter(Boolean) as { x: number; y: number }[];
  const summary = `${pts.length} points; last value ${last.map((p) => p.y.toFixed(4)).join(', ')}`;
  return (
    <Figure title={title} summary={summary} legend={series}>
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: W }}
        role="img"
        aria-label={`${title}. ${summary}`}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line className="grid-line" x1={m.l} x2={W - m.r} y1={sy(t)} y2={sy(t)} />
            <text x={m.l - 6} y={sy(t) + 4} textAnchor="end">
              {fmtTick(t)}
            </text>
          </g>
        ))}
        <line className="axis" x1={m.l} x2={W - m.r} y1={H - m.b} y2={H - m.b} />
        <text x={m.l} y={H - 10}>
          {fmtTick(x0)}
        </text>
        <text x={W - m.r} y={H - 10} textAnchor="end">
          {fmtTick(x1)}
        </text>
        {xLabel && (
          <text x={(m.l + W - m.r) / 2} y={H - 10} textAnchor="middle">
            {xLabel}
          </text>
        )}
        {yLabel && (
          <text x={12} y={H / 2} transform={`rotate(-90 12 ${H / 2})`} textAnchor="middle">
            {yLabel}
          </text>
        )}
        {series.map((s) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={s.color}
            strokeWidth={2}
            strokeLinejoin="round"
            points={s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}
          />
        ))}
        {last.map((p, i) => (
          <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={3.5} fill={series[i]!.color} />
        ))}
      </svg>
    </Figure>
  );
}

/** A matrix of rates (0..1) as coloured cells, e.g. new classes (rows) × most-confused old classes (columns). */
export function Heatmap({
  title,
  rows,
  cols,
  values,
  counts,
  rowHeader = 'True class',
  colHeader = 'Predicted class',
}: {
  title: string;
  rows: string[];
  cols: string[];
  /** values[r][c] in 0..1 */
  values: number[][];
  counts?: number[][];
  rowHeader?: string;
  colHeader?: string;
}) {
  const cell = 44;
  const left = 130;
  const top = 96;
  const W = left + cols.length * cell + 8;
  const H = top + rows.length * cell + 8;
  const max = Math.max(0.0001, ...values.flat());
  return (
    <Figure
      title={title}
      summary={`${rows.length} × ${cols.length} cells`}
      table={
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th>
                {rowHeader} \ {colHeader}
              </th>
              {cols.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r}>
                <th>{r}</th>
                {cols.map((c, j) => (
                  <td key={c}>{pct(values[i]![j]!)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div style={{ overflowX: 'auto' }}>
        <svg
          className="chart"
          viewBox={`0 0 ${W} ${H}`}
          style={{ maxWidth: W, minWidth: Math.min(W, 320) }}
          role="img"
          aria-label={`${title}: ${rows.length} by ${cols.length} cells`}
        >
          <text x={left} y={12} className="label-strong">
            {colHeader} →
          </text>
          {cols.map((c, j) => (
            <text
              key={c}
              x={left + j * cell + cell / 2}
              y={top - 8}
              transform={`rotate(-45 ${left + j * cell + cell / 2} ${top - 8})`}
            >
              {clip(c, 16)}
            </text>
          ))}
          {rows.map((r, i) => (
            <g key={r}>
              <text x={left - 8} y={top + i * cell + cell / 2 + 4} textAnchor="end" className="label-strong">
                {clip(r, 18)}
              </text>
              {cols.map((c, j) => {
                const v = values[i]![j]!;
                const t = v / max;
                return (
                  <g key={c}>
                    <title>{`${r} → ${c}: ${pct(v)}${counts ? ` (${counts[i]![j]} images)` : ''}`}</title>
                    <rect
                      x={left + j * cell + 1}
                      y={top + i * cell + 1}
                      width={cell - 2}
                      height={cell - 2}
                      rx={3}
                      fill="var(--heat-1)"
                      fillOpacity={v > 0 ? 0.12 + 0.88 * t : 0}
                    />
                    <rect
                      x={left + j * cell + 1}
                      y={top + i * cell + 1}
                      width={cell - 2}
                      height={cell - 2}
                      rx={3}
                      fill="none"
                      stroke="var(--border)"
                    />
                    <text
                      x={left + j * cell + cell / 2}
                      y={top + i * cell + cell / 2 + 4}
                      textAnchor="middle"
                      style={{ fill: t > 0.6 ? '#fff' : undefined }}
                    >
                      {v > 0 ? `${Math.round(v * 100)}%` : '·'}
                    </text>
                  </g>
                );
              })}
            </g>
          ))}
        </svg>
      </div>
    </Figure>
  );
}

function niceTicks(lo: number, hi: number, n: number): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => span / s <= n) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 0.999; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function fmtTick(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(1).replace(/\.0$/, '');
  return v.toPrecision(2);
}

/** Diverging bars around zero for signed changes (e.g. per-class accuracy b − a), values in −1..1. */
export function DeltaBars({
  title,
  items,
  labelWidth = 150,
}: {
  title: string;
  items: { label: string; delta: number; note?: string }[];
  labelWidth?: number;
}) {
  const W = 560;
  const rowH = 20;
  const barH = 14;
  const H = items.length * rowH + 22;
  const maxAbs = Math.max(0.01, ...items.map((i) => Math.abs(i.delta)));
  const mid = labelWidth + (W - labelWidth - 10) / 2;
  const half = (W - labelWidth - 10) / 2 - 50;
  return (
    <Figure
      title={title}
      summary={`${items.length} changes`}
      table={
        <table>
          <caption>{title}</caption>
          <tbody>
            {items.map((it, i) => (
              <tr key={i}>
                <th>{it.label}</th>
                <td>{(it.delta * 100).toFixed(1)} points</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: W }}
        role="img"
        aria-label={`${title}: ${items.length} bars`}
      >
        <line className="axis" x1={mid} x2={mid} y1={0} y2={H - 18} />
        <text x={mid - half} y={H - 5} textAnchor="middle">
          −{Math.round(maxAbs * 100)} pp
        </text>
        <text x={mid} y={H - 5} textAnchor="middle">
          0
        </text>
        <text x={mid + half} y={H - 5} textAnchor="middle">
          +{Math.round(maxAbs * 100)} pp
        </text>
        {items.map((it, i) => {
          const y = i * rowH + 3;
          const w = (Math.abs(it.delta) / maxAbs) * half;
          const pos = it.delta >= 0;
          return (
            <g key={i}>
              <title>{`${it.label}: ${(it.delta * 100).toFixed(1)} pp${it.note ? ` (${it.note})` : ''}`}</title>
              <text x={labelWidth - 8} y={y + barH - 3} textAnchor="end">
                {clip(it.label, 22)}
              </text>
              <rect
                x={pos ? mid : mid - w}
                y={y}
                width={Math.max(1, w)}
                height={barH}
                rx={2}
                fill={pos ? 'var(--ok)' : 'var(--danger)'}
              />
              <text x={pos ? mid + w + 4 : mid - w - 4} y={y + barH - 3} textAnchor={pos ? 'start' : 'end'}>
                {(it.delta * 100).toFixed(1)}
              </text>
            </g>
          );
        })}
      </svg>
    </Figure>
  );
}
