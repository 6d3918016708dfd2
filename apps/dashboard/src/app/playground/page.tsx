'use client';
// Playground: drop an image, pick a version or an alias, see the top-5 classes with probabilities and taxonomy paths.
import { useSearchParams } from 'next/navigation';
import { Suspense, useEffect, useRef, useState, type DragEvent } from 'react';
import { Badge, Empty, ErrorBox, Loading, PageHeader, ProgressBar, QueryView } from '@/components/ui';
import { graphql } from '@/gql';
import type { PlaygroundTargetsQuery, PredictQuery } from '@/gql/graphql';
import { bytes, pct } from '@/lib/format';
import { gqlRequest } from '@/lib/graphql';
import { useQuery } from '@/lib/hooks';
import { useSession } from '@/lib/session';

const TargetsDoc = graphql(`
  query PlaygroundTargets {
    models(first: 20) {
      nodes {
        id
        name
        aliases {
          name
          version {
            id
            number
          }
        }
        versions(first: 50, filter: { status: [READY] }) {
          nodes {
            id
            number
            classCount
          }
        }
      }
    }
  }
`);

const PredictDoc = graphql(`
  query Predict($input: PredictInput!) {
    predict(input: $input) {
      alias
      imageSha256
      inferenceMs
      version {
        id
        number
        model {
          name
        }
      }
      classes {
        outputUnit
        label
        probability
        taxonomyPath
        classNode {
          id
          origin
        }
      }
    }
  }
`);

type Target = { kind: 'alias'; modelId: string; alias: string } | { kind: 'version'; versionId: string };

export default function PlaygroundPage() {
  return (
    <>
      <PageHeader
        title="Playground"
        description="Classify an image with any READY version, or through an alias (resolved at request time)."
      />
      <Suspense fallback={<Loading />}>
        <Playground />
      </Suspense>
    </>
  );
}

function Playground() {
  const q = useQuery(TargetsDoc, {});
  return (
    <QueryView state={q}>
      {(d) => (d.models.nodes.length ? <PlaygroundBody models={d.models.nodes} /> : <Empty>No model yet.</Empty>)}
    </QueryView>
  );
}

function encodeTarget(t: Target): string {
  return t.kind === 'alias' ? `alias:${t.modelId}:${t.alias}` : `version:${t.versionId}`;
}
function decodeTarget(s: string): Target | null {
  const [kind, a, b] = s.split(':');
  if (kind === 'alias' && a && b) return { kind: 'alias', modelId: a, alias: b };
  if (kind === 'version' && a) return { kind: 'version', versionId: a };
  return null;
}

function PlaygroundBody({ models }: { models: PlaygroundTargetsQuery['models']['nodes'] }) {
  const search = useSearchParams();
  const { token } = useSession();
  const initialVersion = search.get('version');
  const first = models[0]!;
  const defaultTarget: Target =
    initialVersion && models.some((m) => m.versions.nodes.some((v) => v.id === initialVersion))
      ? { kind: 'version', versionId: initialVersion }
      : first.aliases.some((a) => a.name === 'production')
        ? { kind: 'alias', modelId: first.id, alias: 'production' }
        : first.aliases[0]
          ? { kind: 'alias', modelId: first.id, alias: first.aliases[0].name }
          : { kind: 'version', versionId: first.versions.nodes[0]?.id ?? '' };
  const [target, setTarget] = useState<string>(encodeTarget(defaultTarget));
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const [result, setResult] = useState<PredictQuery['predict'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const run = useRef(0);

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  // Classify whenever the image or the target changes.
  useEffect(() => {
    const t = decodeTarget(target);
    if (!file || !t) return;
    const my = ++run.current;
    setBusy(true);
    setError(null);
    (async () => {
      try {
        const imageBase64 = await toBase64(file);
        const input =
          t.kind === 'alias'
            ? { imageBase64, modelId: t.modelId, alias: t.alias, topK: 5 }
            : { imageBase64, versionId: t.versionId, topK: 5 };
        const d = await gqlRequest(PredictDoc, { input }, { token });
        if (my === run.current) setResult(d.predict);
      } catch (err) {
        if (my === run.current) {
          setResult(null);
          setError(err);
        }
      } finally {
        if (my === run.current) setBusy(false);
      }
    })();
  }, [file, target, token]);

  const pick = (f: File | undefined | null) => {
    if (!f) return;
    if (!f.type.startsWith('image/')) {
      setError(new Error(`“${f.name}” is not an image (${f.type || 'unknown type'}).`));
      return;
    }
    setResult(null);
    setFile(f);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    pick(e.dataTransfer.files?.[0]);
  };

  return (
    <div className="grid-2">
      <section className="card stack" aria-labelledby="in-h">
        <h2 id="in-h">Image</h2>
        <div className="field">
          <label htmlFor="pg-target">Classify with</label>
          <select id="pg-target" value={target} onChange={(e) => setTarget(e.target.value)}>
            {models.map((m) => (
              <optgroup key={m.id} label={m.name}>
                {m.aliases.map((a) => (
                  <option key={`a-${a.name}`} value={encodeTarget({ kind: 'alias', modelId: m.id, alias: a.name })}>
                    alias {a.name} (now v{a.version.number})
                  </option>
                ))}
                {m.versions.nodes.map((v) => (
                  <option key={v.id} value={encodeTarget({ kind: 'version', versionId: v.id })}>
                    v{v.number} · {v.classCount} classes
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
        <input
          ref={inputRef}
          id="pg-file"
          type="file"
          accept="image/*"
          className="visually-hidden"
          onChange={(e) => {
            pick(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <label
          className={`dropzone${over ? ' is-over' : ''}`}
          htmlFor="pg-file"
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          data-testid="dropzone"
        >
          {preview ? (
            <img src={preview} alt={file ? `Selected image ${file.name}` : 'Selected image'} />
          ) : (
            <span>
              <strong>Drop an image here</strong>
              <br />
              <span className="muted small">or press to choose a file (JPEG, PNG, WebP)</span>
            </span>
          )}
        </label>
        {file && (
          <p className="muted small">
            {file.name} · {bytes(file.size)}
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="out-h" aria-busy={busy}>
        <div className="card-head">
          <h2 id="out-h">Top 5</h2>
          {result && (
            <span className="small muted">
              {result.version.model.name} v{result.version.number}
              {result.alias ? ` via ${result.alias}` : ''} · {result.inferenceMs.toFixed(0)} ms
            </span>
          )}
        </div>
        {busy && <Loading label="Classifying…" />}
        {error ? <ErrorBox error={error} title="Cannot classify" /> : null}
        {!busy && !error && !result && <Empty>Choose an image to see what the model thinks it is.</Empty>}
        {!busy && result && (
          <ol className="prob-list" data-testid="predictions" aria-label="Top classes">
            {result.classes.map((c, i) => (
              <li key={c.outputUnit}>
                <span>
                  <strong>
                    {i + 1}. {c.label}
                  </strong>{' '}
                  {c.classNode.origin === 'USER' && <Badge tone="user">user class</Badge>}
                </span>
                <span className="mono">{pct(c.probability)}</span>
                <ProgressBar value={c.probability} label={`Probability of ${c.label}`} />
                <span className="path">{c.taxonomyPath.join(' › ')}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function toBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onerror = () => reject(new Error(`Cannot read ${file.name}`));
    r.onload = () => {
      const s = String(r.result);
      resolve(s.slice(s.indexOf(',') + 1));
    };
    r.readAsDataURL(file);
  });
}
