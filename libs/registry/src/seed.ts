// Idempotent seeding of the base model on every start: taxonomy, Backbone, Model, version 1 (READY, 1000
// classes linked to the ImageNet ClassNodes by wnid) and alias "production" → v1. Safe to run concurrently
// with itself only in the sense that unique keys make a second writer fail loudly; run it once per start.
import { basename } from 'node:path';
import type { PrismaClient, ModelVersion, Model, Backbone as BackboneRow } from '@accrete/db';
import type { Backbone } from '@accrete/trainer';
import { seedTaxonomy, imagenetVersionClasses } from '@accrete/taxonomy-store';

export interface SeedResult {
  backbone: BackboneRow;
  model: Model;
  version: ModelVersion;
  created: boolean;
  classCount: number;
}

/** Name of a backbone from its source: the directory name, or the URL's last directory. */
export function backboneName(source: string): string {
  const s = source.replace(/\/model\.json$/, '').replace(/\/+$/, '');
  return basename(s) || s;
}

export async function seedBaseModel(
  prisma: PrismaClient,
  opts: {
    backbone: Pick<
      Backbone,
      'id' | 'labels' | 'inputSize' | 'bottleneckDim' | 'bottleneckLayer' | 'headLayer' | 'backend'
    >;
    modelName: string;
    source: string;
    log?: (m: string) => void;
    seedTaxonomy?: (p: PrismaClient) => Promise<unknown>;
  },
): Promise<SeedResult> {
  const log = opts.log ?? (() => undefined);
  await (opts.seedTaxonomy ?? seedTaxonomy)(prisma);

  const bb = opts.backbone;
  const name = backboneName(opts.source);
  let backbone = await prisma.backbone.findUnique({ where: { name } });
  if (backbone && backbone.sha256 !== bb.id) {
    throw new Error(
      `backbone "${name}" in the registry has sha256 ${backbone.sha256.slice(0, 12)}… but ${opts.source} has ${bb.id.slice(0, 12)}…; ` +
        'versions grown on the old weights would be wrong with the new ones',
    );
  }
  backbone ??= await prisma.backbone.create({
    data: {
      name,
      source: opts.source,
      inputSize: bb.inputSize,
      bottleneckDim: bb.bottleneckDim,
      bottleneckLayer: bb.bottleneckLayer,
      headLayer: bb.headLayer,
      sha256: bb.id,
    },
  });

  const model =
    (await prisma.model.findUnique({ where: { name: opts.modelName } })) ??
    (await prisma.model.create({
      data: { name: opts.modelName, backboneId: backbone.id, description: `ImageNet-1k ${name}, grown by Accrete` },
    }));
  if (model.backboneId !== backbone.id) throw new Error(`model ${model.name} uses another backbone than ${name}`);

  // output unit i → ImageNet ClassNode, from the taxonomy data file's class index → wnid map
  const classes = await imagenetVersionClasses(prisma);
  if (classes.length !== bb.labels.length) {
    throw new Error(`taxonomy has ${classes.length} ImageNet classes but the backbone has ${bb.labels.length} labels`);
  }

  const existing = await prisma.modelVersion.findUnique({
    where: { modelId_number: { modelId: model.id, number: 1 } },
  });
  const have = existing ? await prisma.versionClass.count({ where: { versionId: existing.id } }) : 0;
  let created = false;
  const version = await prisma.$transaction(
    async (tx) => {
      const v =
        existing ??
        (await tx.modelVersion.create({
          data: {
            modelId: model.id,
            number: 1,
            status: 'READY',
            classCount: classes.length,
            artifactUri: opts.source,
            note: 'base model (backbone head)',
            readyAt: new Date(),
            params: {},
          },
        }));
      if (have !== classes.length) {
        await tx.versionClass.createMany({
          data: classes.map((c) => ({
            versionId: v.id,
            outputUnit: c.outputUnit,
            classNodeId: c.classNodeId,
            added: false,
          })),
          skipDuplicates: true,
        });
        created = true;
      }
      const alias = await tx.alias.findUnique({ where: { modelId_name: { modelId: model.id, name: 'production' } } });
      if (!alias) {
        const a = await tx.alias.create({ data: { modelId: model.id, name: 'production', versionId: v.id } });
        await tx.aliasEvent.create({ data: { aliasId: a.id, action: 'SET', toVersionId: v.id, actor: 'system' } });
        created = true;
      }
      return v;
    },
    { timeout: 60_000 },
  );
  if (!existing) created = true;
  log(
    `seed: ${created ? 'created' : 'found'} ${model.name} v1 with ${classes.length} classes (backbone ${name}, ${bb.backend})`,
  );
  return { backbone, model, version, created, classCount: classes.length };
}
