// The data-overlap report as the API serves it: computed in the background (it runs the parent on up to
// DATA_OVERLAP_IMAGES_PER_LABEL images per label), so a query returns at once with progress and, once done, the
// result. A dataset version and a READY version never change, so a finished report is kept (a few, newest).
import type { Config } from '@accrete/config';
import type { PrismaClient } from '@accrete/db';
import type { LocalStorage } from '@accrete/storage';
import { computeDataOverlap, type LabelDataOverlap } from '@accrete/jobs';
import { conflict, notFound } from '@accrete/errors';
import { nameOverlap } from './growth-overlap.js';

export interface DataOverlapState {
  parentVersionId: string;
  datasetVersionId: string;
  status: 'RUNNING' | 'READY' | 'FAILED';
  done: number;
  total: number;
  error: string | null;
  labels: LabelDataOverlap[];
  /** Settles when the computation ends (for callers that can wait, e.g. scripts and tests). */
  settled: Promise<void>;
}

const KEEP = 16;
const states = new Map<string, DataOverlapState>();

export async function dataOverlap(
  deps: { prisma: PrismaClient; config: Config; storage: LocalStorage; log?: (m: string) => void },
  parentVersionId: string,
  datasetVersionId: string,
): Promise<DataOverlapState> {
  const key = `${parentVersionId}|${datasetVersionId}`;
  const known = states.get(key);
  if (known && known.status !== 'FAILED') return known;
  const [parent, dv] = await Promise.all([
    deps.prisma.modelVersion.findUnique({
      where: { id: parentVersionId },
      select: { id: true, number: true, status: true },
    }),
    deps.prisma.datasetVersion.findUnique({ where: { id: datasetVersionId }, select: { id: true } }),
  ]);
  if (!parent) throw notFound('model version', parentVersionId);
  if (!dv) throw notFound('dataset version', datasetVersionId);
  if (parent.status !== 'READY')
    throw conflict(`version ${parent.number} is ${parent.status}; only READY versions answer images`);
  const again = states.get(key); // a concurrent caller may have started it meanwhile
  if (again && again.status !== 'FAILED') return again;
  const state: DataOverlapState = {
    parentVersionId,
    datasetVersionId,
    status: 'RUNNING',
    done: 0,
    total: 0,
    error: null,
    labels: [],
    settled: Promise.resolve(),
  };
  state.settled = defaultMerges(deps.prisma, parentVersionId, datasetVersionId)
    .then((mergeInto) =>
      computeDataOverlap(deps, {
        parentVersionId,
        datasetVersionId,
        mergeInto,
        onProgress: (done, total) => Object.assign(state, { done, total }),
      }),
    )
    .then(
      (labels) => void Object.assign(state, { status: 'READY', labels, done: state.total }),
      (e: Error) => {
        deps.log?.(`data overlap ${key}: ${e.message}`);
        Object.assign(state, { status: 'FAILED', error: e.message.slice(0, 500) });
      },
    );
  states.delete(key);
  states.set(key, state);
  while (states.size > KEEP) states.delete(states.keys().next().value!);
  return state;
}

/**
 * Labels the defaults merge into a parent unit (label → output unit), as createModelVersion would with just the
 * labels (nameOverlap's byDefault): the job trains those units from the label's images, so the report must not
 * offer to take them over.
 */
async function defaultMerges(
  prisma: PrismaClient,
  parentVersionId: string,
  datasetVersionId: string,
): Promise<Record<string, number>> {
  const units = new Map(
    (
      await prisma.versionClass.findMany({
        where: { versionId: parentVersionId },
        select: { classNodeId: true, outputUnit: true },
      })
    ).map((u) => [u.classNodeId, u.outputUnit]),
  );
  const out: Record<string, number> = {};
  for (const l of await nameOverlap(prisma, parentVersionId, datasetVersionId)) {
    const unit = l.byDefault?.decision === 'merge' && l.byDefault.classId ? units.get(l.byDefault.classId) : undefined;
    if (unit !== undefined) out[l.label] = unit;
  }
  return out;
}
