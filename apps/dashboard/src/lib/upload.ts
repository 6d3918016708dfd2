// Uploads to POST /upload with XMLHttpRequest (fetch has no upload progress). Files are sent in batches so one
// request stays well under the proxy's body limit; the progress callback reports bytes over all batches.
import { ApiError, authHeaders } from './graphql';

export interface UploadItem {
  file: File;
  label: string | null;
}

export interface UploadSummary {
  accepted: number;
  duplicates: number;
  rejected: number;
  rejections: { path: string; reason: string }[];
  importIds: string[];
}

const MAX_BATCH_BYTES = 48 * 1024 * 1024;
const MAX_BATCH_FILES = 200;

/** Groups files by label (the API takes one label per request) and cuts each group into batches. */
export function planBatches(items: UploadItem[]): UploadItem[][] {
  const byLabel = new Map<string, UploadItem[]>();
  for (const it of items) {
    const k = it.label ?? '';
    byLabel.set(k, [...(byLabel.get(k) ?? []), it]);
  }
  const batches: UploadItem[][] = [];
  for (const group of byLabel.values()) {
    let cur: UploadItem[] = [];
    let size = 0;
    for (const it of group) {
      if (cur.length && (size + it.file.size > MAX_BATCH_BYTES || cur.length >= MAX_BATCH_FILES)) {
        batches.push(cur);
        cur = [];
        size = 0;
      }
      cur.push(it);
      size += it.file.size;
    }
    if (cur.length) batches.push(cur);
  }
  return batches;
}

function sendBatch(
  batch: UploadItem[],
  fields: { datasetId: string; split: string | null },
  onBytes: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<{
  accepted: number;
  duplicates: number;
  rejected: number;
  rejections: { path: string; reason: string }[];
  import?: { id: string };
}> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    // Fields first: the server reads them before the files.
    form.append('datasetId', fields.datasetId);
    if (batch[0]?.label) form.append('label', batch[0].label);
    if (fields.split) form.append('split', fields.split);
    for (const it of batch) form.append('files', it.file, it.file.webkitRelativePath || it.file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/upload');
    xhr.setRequestHeader('x-accrete-csrf', '1');
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () => {
      const body = xhr.response as { error?: { code?: string; message?: string } } | null;
      if (xhr.status >= 200 && xhr.status < 300 && body && !body.error) resolve(body as never);
      else
        reject(
          new ApiError(body?.error?.message ?? `Upload failed (HTTP ${xhr.status}).`, body?.error?.code, xhr.status),
        );
    };
    xhr.onerror = () => reject(new ApiError('Upload failed: network error.', 'NETWORK'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}

export async function uploadImages(
  items: UploadItem[],
  opts: {
    datasetId: string;
    split: string | null;
    onProgress: (fraction: number, batch: number, batches: number) => void;
    signal?: AbortSignal;
  },
): Promise<UploadSummary> {
  const batches = planBatches(items);
  const total = items.reduce((s, i) => s + i.file.size, 0) || 1;
  let done = 0;
  const out: UploadSummary = { accepted: 0, duplicates: 0, rejected: 0, rejections: [], importIds: [] };
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    const size = batch.reduce((s, i) => s + i.file.size, 0);
    const r = await sendBatch(
      batch,
      opts,
      (loaded) => opts.onProgress(Math.min(1, (done + Math.min(loaded, size)) / total), b + 1, batches.length),
      opts.signal,
    );
    done += size;
    opts.onProgress(done / total, b + 1, batches.length);
    out.accepted += r.accepted;
    out.duplicates += r.duplicates;
    out.rejected += r.rejected;
    out.rejections.push(...r.rejections);
    if (r.import?.id) out.importIds.push(r.import.id);
  }
  return out;
}

/** The class folder of a file picked with a directory input: ".../<label>/<file>" → label. */
export function labelFromPath(relativePath: string): string | null {
  const parts = relativePath.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2]! : null;
}
