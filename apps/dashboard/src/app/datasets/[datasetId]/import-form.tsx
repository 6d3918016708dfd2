'use client';
// Import images into a dataset: an ImageFolder directory on the server (under the API's import roots), or files
// uploaded from this browser (single label, a class-per-folder directory, or zips) with a progress bar.
import { useRef, useState, type FormEvent } from 'react';
import { ErrorBox, ProgressBar, Tabs } from '@/components/ui';
import { graphql } from '@/gql';
import { bytes, num, plural } from '@/lib/format';
import { gqlRequest } from '@/lib/graphql';
import type { ImportPreviewQuery } from '@/gql/graphql';
import { useMutation } from '@/lib/hooks';
import { useSession } from '@/lib/session';
import { labelFromPath, uploadImages, type UploadSummary } from '@/lib/upload';

const ImportDoc = graphql(`
  mutation ImportDataset($input: ImportDatasetInput!) {
    importDataset(input: $input) {
      accepted
      duplicates
      rejected
      rejections {
        id
        path
        reason
      }
      import {
        id
      }
    }
  }
`);

// The dry run: what the import would do per class, and how the split is chosen (the API writes the notes).
const PreviewDoc = graphql(`
  query ImportPreview($input: ImportDatasetInput!) {
    importPreview(input: $input) {
      layout
      valFraction
      files
      accepted
      duplicates
      rejected
      notes
      classes {
        label
        files
        train
        val
        duplicates
        rejected
      }
      rejections {
        path
        reason
      }
    }
  }
`);

type Outcome = Pick<UploadSummary, 'accepted' | 'duplicates' | 'rejected' | 'rejections'>;

export function ImportForm({ datasetId, onImported }: { datasetId: string; onImported: () => Promise<void> }) {
  const { canEdit } = useSession();
  const [tab, setTab] = useState<'server' | 'upload'>('server');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  if (!canEdit) return null;
  const done = async (o: Outcome) => {
    setOutcome(o);
    await onImported();
  };
  return (
    <section className="card stack" aria-labelledby="if-h" data-testid="import-form">
      <div className="card-head">
        <h2 id="if-h">Import images</h2>
        <Tabs
          label="Import source"
          value={tab}
          onChange={(t) => {
            setTab(t);
            setOutcome(null);
          }}
          tabs={[
            { key: 'server', label: 'Server folder' },
            { key: 'upload', label: 'Upload' },
          ]}
        />
      </div>
      <div role="tabpanel">
        {tab === 'server' ? (
          <ServerImport datasetId={datasetId} onDone={done} />
        ) : (
          <UploadImport datasetId={datasetId} onDone={done} />
        )}
      </div>
      {outcome && <OutcomeView o={outcome} />}
    </section>
  );
}

function OutcomeView({ o }: { o: Outcome }) {
  return (
    <div className={`alert ${o.rejected ? 'alert-warn' : 'alert-ok'}`} role="status" data-testid="import-outcome">
      <strong>
        {num(o.accepted)} accepted, {num(o.duplicates)} duplicates, {num(o.rejected)} rejected
      </strong>
      {o.rejections.length > 0 && (
        <ul className="small" style={{ margin: '0.25rem 0 0', paddingLeft: '1.1rem' }}>
          {o.rejections.slice(0, 10).map((r, i) => (
            <li key={i}>
              <span className="mono">{r.path}</span>: {r.reason}
            </li>
          ))}
          {o.rejections.length > 10 && <li>…and {o.rejections.length - 10} more (see Imports).</li>}
        </ul>
      )}
    </div>
  );
}

type Preview = ImportPreviewQuery['importPreview'];

function PreviewView({ p }: { p: Preview }) {
  return (
    <div className="stack" data-testid="import-preview" aria-live="polite">
      <div className={`alert ${p.rejected ? 'alert-warn' : 'alert-info'}`}>
        <strong>
          Preview: {num(p.files)} file{p.files === 1 ? '' : 's'} found — {num(p.accepted)} would be added,{' '}
          {num(p.duplicates)} duplicate
          {p.duplicates === 1 ? '' : 's'}, {num(p.rejected)} rejected. Nothing is written yet.
        </strong>
        <ul className="small" style={{ margin: '0.25rem 0 0', paddingLeft: '1.1rem' }}>
          {p.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      </div>
      {p.classes.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">
              Per class: files found, training and validation images, duplicates, rejections
            </caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col" className="num">
                  Files
                </th>
                <th scope="col" className="num">
                  Train
                </th>
                <th scope="col" className="num">
                  Val
                </th>
                <th scope="col" className="num">
                  Duplicates
                </th>
                <th scope="col" className="num">
                  Rejected
                </th>
              </tr>
            </thead>
            <tbody>
              {p.classes.map((c) => (
                <tr key={c.label}>
                  <td>
                    <strong>{c.label}</strong>
                  </td>
                  <td className="num">{num(c.files)}</td>
                  <td className="num">{num(c.train)}</td>
                  <td className="num">
                    {c.val === 0 && c.train > 0 ? <span className="badge badge-warn">0</span> : num(c.val)}
                  </td>
                  <td className="num">{num(c.duplicates)}</td>
                  <td className="num">{num(c.rejected)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {p.rejections.length > 0 && (
        <details>
          <summary>
            {num(p.rejected)} file{p.rejected === 1 ? '' : 's'} would be rejected
          </summary>
          <ul className="small">
            {p.rejections.map((r) => (
              <li key={r.path}>
                <span className="mono">{r.path}</span>: {r.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function ServerImport({ datasetId, onDone }: { datasetId: string; onDone: (o: Outcome) => Promise<void> }) {
  const [path, setPath] = useState('');
  // null: the API's default share, which the preview reports
  const [valFraction, setValFraction] = useState<number | null>(null);
  const [preview, setPreview] = useState<{ key: string; p: Preview } | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<unknown>(null);
  const { token } = useSession();
  const run = useMutation(ImportDoc);
  const input = { datasetId, path: path.trim(), ...(valFraction !== null ? { valFraction } : {}) };
  const key = JSON.stringify(input);
  async function showPreview() {
    setPreviewing(true);
    setPreviewError(null);
    try {
      const d = await gqlRequest(PreviewDoc, { input }, { token });
      setPreview({ key, p: d.importPreview });
    } catch (err) {
      setPreview(null);
      setPreviewError(err);
    } finally {
      setPreviewing(false);
    }
  }
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const r = await run.mutate({ input });
      setPreview(null);
      await onDone(r.importDataset);
    } catch {
      // shown below
    }
  }
  const current = preview?.key === key ? preview.p : null;
  return (
    <form className="stack" onSubmit={submit}>
      <div className="field">
        <label htmlFor="imp-path">Folder on the API server</label>
        <input
          id="imp-path"
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          required
          placeholder="/data/flowers or flowers (relative to an import root)"
          spellCheck={false}
        />
        <span className="hint">
          Layouts: <code>&lt;dir&gt;/train/&lt;label&gt;/*.jpg</code> with{' '}
          <code>&lt;dir&gt;/val/&lt;label&gt;/*.jpg</code> (the folders decide), or{' '}
          <code>&lt;dir&gt;/train/&lt;label&gt;/*.jpg</code> alone or <code>&lt;dir&gt;/&lt;label&gt;/*.jpg</code>{' '}
          (validation is picked by content hash). Must be under one of the API’s import roots (ACCRETE_IMPORT_ROOTS).
          Preview first: nothing is written until you import.
        </span>
      </div>
      <div className="field" style={{ maxWidth: 320 }}>
        <label htmlFor="imp-val">
          Validation share (folders without val/):{' '}
          {valFraction !== null
            ? `${Math.round(valFraction * 100)}%`
            : preview
              ? `${Math.round(preview.p.valFraction * 100)}% (default)`
              : 'the API’s default'}
        </label>
        <input
          id="imp-val"
          type="range"
          min={0}
          max={0.5}
          step={0.05}
          value={valFraction ?? preview?.p.valFraction ?? 0.2}
          onChange={(e) => setValFraction(Number(e.target.value))}
        />
      </div>
      {previewError ? <ErrorBox error={previewError} title="Preview failed" /> : null}
      {current && <PreviewView p={current} />}
      {run.error ? <ErrorBox error={run.error} title="Import failed" /> : null}
      <div className="row">
        <button type="button" className="btn" onClick={showPreview} disabled={previewing || !path.trim()}>
          {previewing && <span className="spinner" aria-hidden="true" />} {previewing ? 'Checking…' : 'Preview'}
        </button>
        <button type="submit" className="btn btn-primary" disabled={run.loading || !path.trim()}>
          {run.loading && <span className="spinner" aria-hidden="true" />}{' '}
          {run.loading ? 'Importing…' : current ? `Import ${plural(current.accepted, 'image')}` : 'Import folder'}
        </button>
      </div>
    </form>
  );
}

function UploadImport({ datasetId, onDone }: { datasetId: string; onDone: (o: Outcome) => Promise<void> }) {
  const [mode, setMode] = useState<'files' | 'folder'>('files');
  const [files, setFiles] = useState<File[]>([]);
  // a new key empties the file input after an upload (it kept showing the uploaded file's name beside "Nothing chosen")
  const [pickerKey, setPickerKey] = useState(0);
  const [label, setLabel] = useState('');
  const [split, setSplit] = useState('');
  const [progress, setProgress] = useState<{ fraction: number; batch: number; batches: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ctrl = useRef<AbortController | null>(null);
  const size = files.reduce((s, f) => s + f.size, 0);
  const hasZip = files.some((f) => /\.zip$/i.test(f.name));
  const folderLabels =
    mode === 'folder' ? [...new Set(files.map((f) => labelFromPath(f.webkitRelativePath) ?? '?'))] : [];
  const needsLabel = mode === 'files' && !hasZip && !label.trim();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    ctrl.current = new AbortController();
    setProgress({ fraction: 0, batch: 1, batches: 1 });
    try {
      const items = files.map((file) => ({
        file,
        label: mode === 'folder' ? labelFromPath(file.webkitRelativePath) : label.trim() || null,
      }));
      const r = await uploadImages(items, {
        datasetId,
        split: split || null,
        signal: ctrl.current.signal,
        onProgress: (fraction, batch, batches) => setProgress({ fraction, batch, batches }),
      });
      setFiles([]);
      setPickerKey((k) => k + 1);
      await onDone(r);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
      ctrl.current = null;
    }
  }

  return (
    <form className="stack" onSubmit={submit}>
      <fieldset>
        <legend>What to upload</legend>
        <div className="row">
          <label className="row" style={{ gap: '0.35rem' }}>
            <input
              type="radio"
              name="up-mode"
              checked={mode === 'files'}
              onChange={() => (setMode('files'), setFiles([]))}
            />{' '}
            Images or zips
          </label>
          <label className="row" style={{ gap: '0.35rem' }}>
            <input
              type="radio"
              name="up-mode"
              checked={mode === 'folder'}
              onChange={() => (setMode('folder'), setFiles([]))}
            />{' '}
            A folder with one sub-folder per label
          </label>
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="up-files">{mode === 'folder' ? 'Folder' : 'Files'}</label>
        {mode === 'folder' ? (
          <input
            key={pickerKey}
            id="up-files"
            type="file"
            multiple
            webkitdirectory=""
            onChange={(e) => setFiles([...(e.target.files ?? [])].filter((f) => !f.name.startsWith('.')))}
          />
        ) : (
          <input
            key={pickerKey}
            id="up-files"
            type="file"
            multiple
            accept="image/*,.zip,application/zip"
            onChange={(e) => setFiles([...(e.target.files ?? [])])}
          />
        )}
        <span className="hint">
          {files.length
            ? `${num(files.length)} file${files.length === 1 ? '' : 's'}, ${bytes(size)}`
            : 'Nothing chosen.'}
          {mode === 'folder' &&
            folderLabels.length > 0 &&
            ` · labels: ${folderLabels.slice(0, 8).join(', ')}${folderLabels.length > 8 ? '…' : ''}`}
        </span>
      </div>
      {mode === 'files' && (
        <div className="field">
          <label htmlFor="up-label">Label</label>
          <input
            id="up-label"
            type="text"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder={hasZip ? 'optional for zips laid out by label' : 'e.g. sunflower'}
            maxLength={200}
          />
        </div>
      )}
      <div className="field" style={{ maxWidth: 220 }}>
        <label htmlFor="up-split">Split</label>
        <select id="up-split" value={split} onChange={(e) => setSplit(e.target.value)}>
          <option value="">by content hash (20% val)</option>
          <option value="TRAIN">train</option>
          <option value="VAL">val</option>
        </select>
      </div>
      {progress && (
        <div aria-live="polite">
          <div className="small muted" style={{ marginBottom: 4 }}>
            Uploading {Math.round(progress.fraction * 100)}%
            {progress.batches > 1 ? ` (batch ${progress.batch} of ${progress.batches})` : ''}
            {progress.fraction >= 1 ? ' — the API is checking the images…' : ''}
          </div>
          <ProgressBar value={progress.fraction} label="Upload progress" />
        </div>
      )}
      {error ? <ErrorBox error={error} title="Upload failed" /> : null}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={!!progress || files.length === 0 || needsLabel}>
          Upload
        </button>
        {files.length > 0 && needsLabel && !progress ? (
          <span className="hint" data-testid="upload-needs-label">
            Type the label these images get (a zip laid out in one folder per label needs none).
          </span>
        ) : null}
        {progress && (
          <button type="button" className="btn" onClick={() => ctrl.current?.abort()}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
