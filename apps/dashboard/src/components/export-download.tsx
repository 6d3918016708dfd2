'use client';
// Download of a READY version's exported model (GET <exportUrl> on this origin). A plain link could not send the
// Authorization header, so the zip is fetched with the token and handed to the browser as a blob download.
import { useState } from 'react';
import { authHeaders } from '@/lib/graphql';

export function ExportDownload({ exportUrl, fileName }: { exportUrl: string; fileName: string }) {
  const [state, setState] = useState<'idle' | 'busy' | string>('idle');
  async function download() {
    setState('busy');
    try {
      const r = await fetch(exportUrl, { headers: authHeaders() });
      if (!r.ok) {
        const body = (await r.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${r.status}`);
      }
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 0);
      setState('idle');
    } catch (e) {
      setState(`Download failed: ${(e as Error).message}`);
    }
  }
  return (
    <>
      <a
        href={exportUrl}
        onClick={(e) => {
          e.preventDefault();
          void download();
        }}
        aria-busy={state === 'busy'}
      >
        {state === 'busy' ? 'Preparing export.zip…' : 'Download export (.zip)'}
      </a>
      {state !== 'idle' && state !== 'busy' ? (
        <span role="alert" className="small">
          {' '}
          {state}
        </span>
      ) : null}
    </>
  );
}
