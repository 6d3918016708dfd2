'use client';
// Design-system primitives: page header, states (loading/error/empty), badges, dialogs, progress, search.
import Link from 'next/link';
import { useEffect, useId, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { ApiError, describeError } from '@/lib/graphql';

export function PageHeader({
  title,
  description,
  actions,
  crumbs,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  crumbs?: { href?: string; label: string }[];
}) {
  return (
    <header className="page-head">
      <div>
        {crumbs && crumbs.length > 0 && (
          <nav aria-label="Breadcrumb" className="breadcrumbs">
            <ol>
              {crumbs.map((c, i) => (
                <li key={i}>
                  {c.href ? <Link href={c.href}>{c.label}</Link> : <span aria-current="page">{c.label}</span>}
                </li>
              ))}
            </ol>
          </nav>
        )}
        <h1>{title}</h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="row">{actions}</div>}
    </header>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorBox({
  error,
  title = 'Something went wrong',
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  // a page whose id is missing (a stale link, a typo) does not come back by trying again: say so and offer a way on
  // (a form's error, shown without a retry, stays as it is)
  if (onRetry && error instanceof ApiError && error.code === 'NOT_FOUND')
    return (
      <div className="alert alert-error" role="alert" data-testid="not-found">
        <strong>Not found</strong>
        <span style={{ whiteSpace: 'pre-wrap' }}>{describeError(error)}</span>
        <div style={{ marginTop: '0.5rem' }}>
          <Link href="/" className="btn btn-sm">
            Back to the models
          </Link>
        </div>
      </div>
    );
  return (
    <div className="alert alert-error" role="alert">
      <strong>{title}</strong>
      <span style={{ whiteSpace: 'pre-wrap' }}>{describeError(error)}</span>
      {onRetry && (
        <div style={{ marginTop: '0.5rem' }}>
          <button type="button" className="btn btn-sm" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}

/** Loading / error / content switch used by every data-backed section. */
export function QueryView<T>({
  state,
  children,
  loadingLabel,
}: {
  state: { data: T | undefined; error: unknown; loading: boolean; refetch?: () => void };
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) {
  if (state.error && !state.data) return <ErrorBox error={state.error} onRetry={state.refetch} />;
  if (state.data === undefined) return <Loading label={loadingLabel} />;
  return <>{children(state.data)}</>;
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

const statusTone: Record<string, string> = {
  READY: 'ok',
  SUCCEEDED: 'ok',
  TRAINING: 'info',
  RUNNING: 'info',
  PENDING: 'warn',
  QUEUED: 'warn',
  FAILED: 'danger',
  CANCELLED: '',
};

export function StatusBadge({ status }: { status: string }) {
  const tone = statusTone[status] ?? '';
  return <span className={`badge ${tone ? `badge-${tone}` : ''}`}>{status.toLowerCase()}</span>;
}

export function Badge({
  tone,
  children,
  title,
}: {
  tone?: 'ok' | 'warn' | 'danger' | 'info' | 'user' | 'alias';
  children: ReactNode;
  title?: string;
}) {
  return (
    <span className={`badge ${tone ? `badge-${tone}` : ''}`} title={title}>
      {children}
    </span>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const v = Math.max(0, Math.min(1, Number.isFinite(value) ? value : 0));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(v * 100)}
    >
      <span style={{ width: `${v * 100}%` }} />
    </div>
  );
}

/** A search box with a hidden label; `onSearch` gets every change (lists reset their pages there). */
export function SearchField({
  id,
  label,
  placeholder,
  value,
  onSearch,
  style,
}: {
  id: string;
  label: string;
  placeholder: string;
  value: string;
  onSearch: (text: string) => void;
  style?: CSSProperties;
}) {
  return (
    <div className="field" style={style}>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} type="search" placeholder={placeholder} value={value} onChange={(e) => onSearch(e.target.value)} />
    </div>
  );
}

export function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        {value} {hint && <small>{hint}</small>}
      </dd>
    </div>
  );
}

/** A modal confirmation (native <dialog>: focus trap, Escape and backdrop handled by the browser). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  danger,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: unknown;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div>{children}</div>
      {error ? <ErrorBox error={error} title="Not done" /> : null}
      <div className="dialog-actions">
        {/* destructive confirmations start on Cancel, so Enter does not confirm by accident */}
        <button type="button" className="btn" onClick={onCancel} disabled={busy} autoFocus={danger}>
          Cancel
        </button>
        <button
          type="button"
          className={`btn ${danger ? 'btn-danger' : 'btn-primary'}`}
          onClick={onConfirm}
          disabled={busy}
          autoFocus={!danger}
        >
          {busy && <span className="spinner" aria-hidden="true" />} {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** Tabs as a segmented control (role=tablist, arrow keys move between tabs). */
export function Tabs<K extends string>({
  tabs,
  value,
  onChange,
  label,
}: {
  tabs: { key: K; label: string }[];
  value: K;
  onChange: (k: K) => void;
  label: string;
}) {
  return (
    <div
      className="segmented"
      role="tablist"
      aria-label={label}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        const i = tabs.findIndex((t) => t.key === value);
        const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
        onChange(next.key);
        (e.currentTarget.querySelector(`[data-key="${next.key}"]`) as HTMLElement | null)?.focus();
      }}
    >
      {tabs.map((t) => (
        <button
          key={t.key}
          type="button"
          role="tab"
          data-key={t.key}
          aria-selected={t.key === value}
          tabIndex={t.key === value ? 0 : -1}
          onClick={() => onChange(t.key)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

/** true after hydration (for values that exist only in the browser). */
export function useMounted(): boolean {
  const [m, setM] = useState(false);
  useEffect(() => setM(true), []);
  return m;
}
