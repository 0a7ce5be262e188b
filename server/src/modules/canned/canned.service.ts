import type { CannedResponse, CreateCannedResponseBody, UpdateCannedResponseBody } from '@branchline/protocol';
import type { Actor } from '../../platform/actor.ts';
import type { Db } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/db-errors.ts';
import type { CannedResponseRow } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/tokens.ts';

type StaffActor = Extract<Actor, { kind: 'staff' }>;

/** Canned responses are shared by a library's answering staff; partners have none. */
function authorize(actor: Actor): asserts actor is StaffActor {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  if (actor.role === 'partner') throw errors.forbidden();
}

function present(row: CannedResponseRow): CannedResponse {
  return {
    id: row.id,
    libraryId: row.library_id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    language: row.language,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const shortcutTaken = () =>
  errors.conflict('Another canned response uses that shortcut.', [{ path: 'shortcut', message: 'Already in use' }]);

async function mine(db: Db, actor: StaffActor, id: string): Promise<CannedResponseRow> {
  const row = await db
    .selectFrom('canned_responses')
    .selectAll()
    .where('id', '=', id)
    .where('library_id', '=', actor.libraryId)
    .executeTakeFirst();
  if (!row) throw errors.notFound('canned response');
  return row;
}

export async function listCanned(deps: Deps, actor: Actor): Promise<CannedResponse[]> {
  authorize(actor);
  const rows = await deps.db
    .selectFrom('canned_responses')
    .selectAll()
    .where('library_id', '=', actor.libraryId)
    .orderBy('shortcut')
    .execute();
  return rows.map(present);
}

export async function createCanned(deps: Deps, actor: Actor, body: CreateCannedResponseBody): Promise<CannedResponse> {
  authorize(actor);
  const now = deps.clock.now().toISOString();
  try {
    const row = await deps.db
      .insertInto('canned_responses')
      .values({
        id: newId(),
        library_id: actor.libraryId,
        shortcut: body.shortcut,
        title: body.title,
        body: body.body,
        language: body.language,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw shortcutTaken();
    throw error;
  }
}

export async function updateCanned(
  deps: Deps,
  actor: Actor,
  id: string,
  body: UpdateCannedResponseBody,
): Promise<CannedResponse> {
  authorize(actor);
  await mine(deps.db, actor, id);
  const changes = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
  try {
    const row = await deps.db
      .updateTable('canned_responses')
      .set({ ...changes, updated_at: deps.clock.now().toISOString() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw shortcutTaken();
    throw error;
  }
}

export async function deleteCanned(deps: Deps, actor: Actor, id: string): Promise<void> {
  authorize(actor);
  await mine(deps.db, actor, id);
  await deps.db.deleteFrom('canned_responses').where('id', '=', id).execute();
}
