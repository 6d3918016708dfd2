// Aliases move in one transaction and append an AliasEvent; rollback pops the alias's history like a stack
// (SET pushes its target, ROLLBACK pops), so two rollbacks after v1→v2→v3 land on v1, not back on v3.
import type { PrismaClient, Alias, AliasEvent, Prisma } from '@accrete/db';
import { badInput, conflict, isUniqueViolation, notFound } from '@accrete/errors';

type Tx = Prisma.TransactionClient;

export async function getAlias(
  prisma: PrismaClient,
  q: { modelId?: string | null; name: string; defaultModelName?: string },
): Promise<Alias> {
  const model = q.modelId
    ? await prisma.model.findUnique({ where: { id: q.modelId } })
    : await prisma.model.findUnique({ where: { name: q.defaultModelName ?? '' } });
  if (!model) throw notFound('model', q.modelId ?? q.defaultModelName ?? '(none)');
  const alias = await prisma.alias.findUnique({ where: { modelId_name: { modelId: model.id, name: q.name } } });
  if (!alias) throw notFound(`alias "${q.name}" of model`, model.name);
  return alias;
}

/** Event time strictly after the alias's last event, so history order never depends on clock ties. */
async function nextEventTime(tx: Tx, aliasId: string): Promise<Date> {
  const last = await tx.aliasEvent.findFirst({
    where: { aliasId },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  const now = Date.now();
  return new Date(last && last.createdAt.getTime() >= now ? last.createdAt.getTime() + 1 : now);
}

/** Moves alias from `expected` to `to` only if nobody moved it meanwhile (compare-and-set). */
async function move(tx: Tx, alias: Alias, to: string, action: 'SET' | 'ROLLBACK', actor: string): Promise<Alias> {
  const res = await tx.alias.updateMany({
    where: { id: alias.id, versionId: alias.versionId },
    data: { versionId: to },
  });
  if (res.count !== 1) throw conflict(`alias "${alias.name}" was moved concurrently; retry`);
  await tx.aliasEvent.create({
    data: {
      aliasId: alias.id,
      action,
      fromVersionId: alias.versionId,
      toVersionId: to,
      actor,
      createdAt: await nextEventTime(tx, alias.id),
    },
  });
  return (await tx.alias.findUnique({ where: { id: alias.id } }))!;
}

export async function setAlias(
  prisma: PrismaClient,
  input: { modelId: string; name: string; versionId: string; actor: string },
): Promise<Alias> {
  try {
    return await prisma.$transaction(async (tx) => {
      const model = await tx.model.findUnique({ where: { id: input.modelId } });
      if (!model) throw notFound('model', input.modelId);
      const version = await tx.modelVersion.findUnique({ where: { id: input.versionId } });
      if (!version) throw notFound('model version', input.versionId);
      if (version.modelId !== model.id)
        throw badInput(`version ${version.id} belongs to another model than ${model.name}`);
      if (version.status !== 'READY')
        throw conflict(`version ${version.number} is ${version.status}; only READY versions can be aliased`);
      const alias = await tx.alias.findUnique({ where: { modelId_name: { modelId: model.id, name: input.name } } });
      if (!alias) {
        const created = await tx.alias.create({ data: { modelId: model.id, name: input.name, versionId: version.id } });
        await tx.aliasEvent.create({
          data: { aliasId: created.id, action: 'SET', toVersionId: version.id, actor: input.actor },
        });
        return created;
      }
      if (alias.versionId === version.id) return alias; // already there: no event, nothing to undo later
      return move(tx, alias, version.id, 'SET', input.actor);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`alias "${input.name}" was created concurrently; retry`);
    throw e;
  }
}

/** The version a rollback would move the alias to, from its event history (null if none). */
export function rollbackTarget(events: Pick<AliasEvent, 'action' | 'toVersionId'>[]): string | null {
  const stack: string[] = [];
  for (const e of events) {
    if (e.action === 'SET') stack.push(e.toVersionId);
    else stack.pop();
  }
  return stack.length >= 2 ? stack[stack.length - 2] : null;
}

/** The version id rollbackAlias would move this alias to now (null: nothing to roll back to). */
export async function aliasRollbackTarget(prisma: PrismaClient, aliasId: string): Promise<string | null> {
  const events = await prisma.aliasEvent.findMany({
    where: { aliasId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { action: true, toVersionId: true },
  });
  return rollbackTarget(events);
}

export async function rollbackAlias(
  prisma: PrismaClient,
  input: { modelId: string; name: string; actor: string },
): Promise<Alias> {
  return prisma.$transaction(async (tx) => {
    const alias = await tx.alias.findUnique({ where: { modelId_name: { modelId: input.modelId, name: input.name } } });
    if (!alias) throw notFound(`alias "${input.name}" of model`, input.modelId);
    const events = await tx.aliasEvent.findMany({
      where: { aliasId: alias.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const target = rollbackTarget(events);
    if (!target) throw conflict(`alias "${input.name}" has no previous target to roll back to`);
    return move(tx, alias, target, 'ROLLBACK', input.actor);
  });
}
