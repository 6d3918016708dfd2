'use client';
// Version lineage as an SVG tree: parent → child left to right, one box per version with its status, the classes it
// added and its strategy; aliases are tagged on the box they point at. Boxes are links (Tab/Enter work).
import Link from 'next/link';
import { clip, plural } from '@/lib/format';

export interface LineageVersion {
  id: string;
  number: number;
  parentId: string | null;
  status: string;
  strategy: string | null;
  classCount: number;
  addedCount: number;
  mergedCount: number;
  addedNames: string[];
  aliases: string[];
}

const NODE_W = 196;
const NODE_H = 88;
/** Extra height of a box that carries alias tags (drawn inside the card, on their own bottom row). */
const TAGS_H = 22;
const COL = NODE_W + 56;
const ROW = NODE_H + TAGS_H + 24;

const statusColor: Record<string, string> = {
  READY: 'var(--ok)',
  TRAINING: 'var(--accent)',
  PENDING: 'var(--warn)',
  FAILED: 'var(--danger)',
  CANCELLED: 'var(--text-muted)',
};

/** Alias pills on the bottom row of a box, left to right, each as wide as its (clipped) name; those that would
 *  overflow the box are left out (the box's title and the Aliases section list them all). */
function aliasTags(aliases: string[]): { name: string; label: string; x: number; width: number }[] {
  const out: { name: string; label: string; x: number; width: number }[] = [];
  let x = 10;
  for (const name of aliases) {
    const label = clip(name, 14);
    const width = 16 + label.length * 7.4; // ~7.4 px per bold 11-12 px glyph
    if (x + width > NODE_W - 8) break;
    out.push({ name, label, x, width });
    x += width + 6;
  }
  return out;
}

export function LineageGraph({ versions, currentId }: { versions: LineageVersion[]; currentId?: string }) {
  const byId = new Map(versions.map((v) => [v.id, v]));
  const children = new Map<string, LineageVersion[]>();
  const roots: LineageVersion[] = [];
  for (const v of [...versions].sort((a, b) => a.number - b.number)) {
    if (v.parentId && byId.has(v.parentId)) {
      const list = children.get(v.parentId) ?? [];
      list.push(v);
      children.set(v.parentId, list);
    } else roots.push(v);
  }
  // Tidy-ish layout: depth → column; leaves take successive rows, a parent sits at its first child's row.
  const pos = new Map<string, { x: number; y: number }>();
  let row = 0;
  const place = (v: LineageVersion, depth: number) => {
    const kids = children.get(v.id) ?? [];
    let y: number;
    if (kids.length === 0) y = row++;
    else {
      const ys = kids.map((k) => place(k, depth + 1));
      y = ys[0]!;
    }
    pos.set(v.id, { x: depth, y });
    return y;
  };
  for (const r of roots) place(r, 0);
  const maxX = Math.max(0, ...[...pos.values()].map((p) => p.x));
  const W = maxX * COL + NODE_W + 8;
  const H = Math.max(1, row) * ROW + 14;
  const px = (p: { x: number }) => 4 + p.x * COL;
  const py = (p: { y: number }) => 6 + p.y * ROW;

  return (
    <div style={{ overflowX: 'auto' }}>
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        style={{ maxWidth: W, minWidth: Math.min(W, 360) }}
        role="group"
        aria-label={`Version lineage: ${plural(versions.length, 'version')}`}
      >
        {versions.map((v) => {
          if (!v.parentId || !pos.has(v.parentId)) return null;
          const a = pos.get(v.parentId)!;
          const b = pos.get(v.id)!;
          const x1 = px(a) + NODE_W;
          const y1 = py(a) + NODE_H / 2;
          const x2 = px(b);
          const y2 = py(b) + NODE_H / 2;
          const mx = (x1 + x2) / 2;
          return (
            <path
              key={`e-${v.id}`}
              className="lineage-edge"
              d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 6},${y2}`}
              markerEnd="url(#lineage-arrow)"
            />
          );
        })}
        <defs>
          <marker
            id="lineage-arrow"
            viewBox="0 0 10 10"
            refX="6"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" fill="var(--text-muted)" />
          </marker>
        </defs>
        {versions.map((v) => {
          const p = pos.get(v.id)!;
          const x = px(p);
          const y = py(p);
          const grew = v.addedCount + v.mergedCount > 0;
          const what = grew ? `+${v.addedCount} new${v.mergedCount ? `, ${v.mergedCount} merged` : ''}` : 'base';
          const names = v.addedNames.slice(0, 3).join(', ') + (v.addedNames.length > 3 ? '…' : '');
          const h = NODE_H + (v.aliases.length ? TAGS_H : 0);
          const label = `Version ${v.number}, ${v.status.toLowerCase()}, ${v.classCount} classes, ${what}${v.strategy ? `, strategy ${v.strategy}` : ''}${v.aliases.length ? `, aliases ${v.aliases.join(', ')}` : ''}`;
          return (
            <Link
              key={v.id}
              href={`/versions/${v.id}`}
              className={`lineage-node${v.id === currentId ? ' is-current' : ''}`}
              aria-label={label}
              data-testid={`lineage-v${v.number}`}
            >
              <title>{label}</title>
              <rect x={x} y={y} width={NODE_W} height={h} rx={8} />
              <circle cx={x + 14} cy={y + 17} r={5} fill={statusColor[v.status] ?? 'var(--text-muted)'} />
              <text className="title" x={x + 25} y={y + 21}>
                v{v.number}
              </text>
              <text x={x + NODE_W - 10} y={y + 21} textAnchor="end">
                {v.status.toLowerCase()} · {v.classCount} classes
              </text>
              <text x={x + 10} y={y + 41} className="label-strong">
                {what}
              </text>
              <text x={x + 10} y={y + 58}>
                {v.strategy ? `strategy ${v.strategy}` : 'imported'}
              </text>
              <text x={x + 10} y={y + 76}>
                {clip(names, 30)}
              </text>
              {aliasTags(v.aliases).map((t) => (
                <g key={t.name}>
                  <rect
                    x={x + t.x}
                    y={y + NODE_H - 4}
                    width={t.width}
                    height={17}
                    rx={8}
                    fill="var(--accent-soft)"
                    stroke="var(--accent)"
                  />
                  <text
                    x={x + t.x + t.width / 2}
                    y={y + NODE_H + 9}
                    textAnchor="middle"
                    style={{ fill: 'var(--accent-strong)', fontWeight: 600 }}
                  >
                    {t.label}
                  </text>
                </g>
              ))}
            </Link>
          );
        })}
      </svg>
    </div>
  );
}
