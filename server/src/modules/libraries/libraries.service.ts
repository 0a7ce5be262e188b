import {
  CLOSED_HOURS,
  CreateStaffBody,
  type Branch,
  type CreateBranchBody,
  type CreateDeskBody,
  type CreateLibraryBody,
  type Desk,
  type Library,
  type UpdateBranchBody,
  type UpdateDeskBody,
  type UpdateLibraryBody,
} from '@branchline/protocol';
import { system, type Actor } from '../../platform/actor.ts';
import { createStaff, findStaffMemberByEmail } from '../accounts/staff.service.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/tokens.ts';
import { changedFields, recordAudit } from '../audit/audit.service.ts';
import { countQueuedAtDesk } from '../conversations/conversations.service.ts';
import { authorizeOnLibrary } from './libraries.policy.ts';
import { presentBranch, presentDesk, presentLibrary } from './libraries.presenter.ts';
import * as repo from './libraries.repo.ts';

/** Drops keys whose value is undefined, so a PATCH changes only what it names. */
function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function listLibrariesFor(deps: Deps, actor: Actor): Promise<Library[]> {
  authorizeOnLibrary(actor, 'library.read', undefined, 'library');
  const rows = await repo.listLibraries(deps.db, actor.kind === 'staff' ? actor.libraryId : undefined);
  return rows.map(presentLibrary);
}

export async function getLibrary(deps: Deps, actor: Actor, id: string): Promise<Library> {
  const row = await repo.findLibraryById(deps.db, id);
  if (!row) throw errors.notFound('library');
  authorizeOnLibrary(actor, 'library.read', row.id, 'library');
  return presentLibrary(row);
}

/** The library a public page serves: the first one, until a deployment hosts several. */
export async function getDefaultLibrary(deps: Deps): Promise<Library | undefined> {
  const row = await repo.findFirstLibrary(deps.db);
  return row && presentLibrary(row);
}

export async function createLibrary(deps: Deps, actor: Actor, body: CreateLibraryBody): Promise<Library> {
  authorizeOnLibrary(actor, 'library.create', undefined, 'library');
  if (actor.kind === 'staff' && body.administrator === undefined) {
    throw errors.validation("Name the new library's first administrator.", [
      { path: 'administrator', message: 'Required: someone must be able to sign in to the new library' },
    ]);
  }
  if (body.administrator && (await findStaffMemberByEmail(deps.db, body.administrator.email))) {
    throw errors.conflict('A staff member with that email already exists.', [
      { path: 'administrator.email', message: 'Already in use by another staff member' },
    ]);
  }
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    await refuseHostnamesInUse(trx, body.hostnames, undefined);
    const inserted = await repo.insertLibrary(trx, {
      id: newId(),
      name: body.name,
      slug: body.slug,
      time_zone: body.timeZone,
      contact_email: body.contactEmail,
      contact_phone: body.contactPhone,
      website_url: body.websiteUrl,
      allowed_origins_json: body.allowedOrigins,
      hostnames_json: unique(body.hostnames),
      transcript_retention_days: body.transcriptRetentionDays,
      created_at: now,
      updated_at: now,
    });
    const created = { action: 'library.created', subjectType: 'library', subjectId: inserted.id } as const;
    await recordAudit(trx, actor, now, { ...created, libraryId: inserted.id });
    // The one action on another library's record: it is in the creator's library's log too.
    if (actor.kind === 'staff') await recordAudit(trx, actor, now, { ...created, libraryId: actor.libraryId });
    return inserted;
  });
  if (body.administrator) {
    try {
      // No password: they are emailed a link to choose one.
      await createStaff(deps, system, CreateStaffBody.parse({ ...body.administrator, role: 'admin' }), row.id);
    } catch (error) {
      await deps.db.deleteFrom('libraries').where('id', '=', row.id).execute();
      throw error;
    }
  }
  return presentLibrary(row);
}

export async function updateLibrary(deps: Deps, actor: Actor, id: string, body: UpdateLibraryBody): Promise<Library> {
  const existing = await repo.findLibraryById(deps.db, id);
  if (!existing) throw errors.notFound('library');
  authorizeOnLibrary(actor, 'library.update', existing.id, 'library');
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    if (body.hostnames) await refuseHostnamesInUse(trx, body.hostnames, id);
    const updated = await repo.updateLibraryRow(trx, id, {
      ...defined({
        name: body.name,
        slug: body.slug,
        time_zone: body.timeZone,
        contact_email: body.contactEmail,
        contact_phone: body.contactPhone,
        website_url: body.websiteUrl,
        allowed_origins_json: body.allowedOrigins,
        hostnames_json: body.hostnames && unique(body.hostnames),
        transcript_retention_days: body.transcriptRetentionDays,
      }),
      updated_at: now,
    });
    await recordAudit(trx, actor, now, {
      action: 'library.updated',
      subjectType: 'library',
      subjectId: id,
      libraryId: id,
      details: { fields: changedFields(body, presentLibrary(existing), presentLibrary(updated)) },
    });
    return updated;
  });
  return presentLibrary(row);
}

/** A host name opens one library's pages: naming one another library already has is a conflict. */
async function refuseHostnamesInUse(db: Deps['db'], hostnames: string[], libraryId: string | undefined) {
  if (hostnames.length === 0) return;
  for (const other of await repo.listLibrariesInOrder(db)) {
    if (other.id === libraryId || !Array.isArray(other.hostnames_json)) continue;
    const theirs = other.hostnames_json as string[];
    const index = hostnames.findIndex((h) => theirs.includes(h));
    if (index >= 0) {
      throw errors.conflict(`${hostnames[index]} already opens the pages of ${other.name}.`, [
        { path: `hostnames.${index}`, message: `Already used by ${other.name}` },
      ]);
    }
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

async function requireLibrary(
  deps: Deps,
  actor: Actor,
  libraryId: string,
  action: 'branch.read' | 'desk.read' | 'branch.create' | 'desk.create',
) {
  const library = await repo.findLibraryById(deps.db, libraryId);
  if (!library) throw errors.notFound('library');
  authorizeOnLibrary(actor, action, library.id, 'library');
  return library;
}

export async function listBranches(deps: Deps, actor: Actor, libraryId: string): Promise<Branch[]> {
  await requireLibrary(deps, actor, libraryId, 'branch.read');
  return (await repo.listBranches(deps.db, libraryId)).map(presentBranch);
}

export async function getBranch(deps: Deps, actor: Actor, id: string): Promise<Branch> {
  const row = await repo.findBranchById(deps.db, id);
  if (!row) throw errors.notFound('branch');
  authorizeOnLibrary(actor, 'branch.read', row.library_id, 'branch');
  return presentBranch(row);
}

export async function createBranch(
  deps: Deps,
  actor: Actor,
  libraryId: string,
  body: CreateBranchBody,
): Promise<Branch> {
  await requireLibrary(deps, actor, libraryId, 'branch.create');
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    const inserted = await repo.insertBranch(trx, {
      id: newId(),
      library_id: libraryId,
      name: body.name,
      address: body.address,
      phone: body.phone,
      hours_json: body.hours ?? CLOSED_HOURS,
      is_active: body.isActive,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(trx, actor, now, {
      action: 'branch.created',
      subjectType: 'branch',
      subjectId: inserted.id,
      libraryId,
    });
    return inserted;
  });
  return presentBranch(row);
}

export async function updateBranch(deps: Deps, actor: Actor, id: string, body: UpdateBranchBody): Promise<Branch> {
  const existing = await repo.findBranchById(deps.db, id);
  if (!existing) throw errors.notFound('branch');
  authorizeOnLibrary(actor, 'branch.update', existing.library_id, 'branch');
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    const updated = await repo.updateBranchRow(trx, id, {
      ...defined({
        name: body.name,
        address: body.address,
        phone: body.phone,
        hours_json: body.hours,
        is_active: body.isActive,
      }),
      updated_at: now,
    });
    await recordAudit(trx, actor, now, {
      action: 'branch.updated',
      subjectType: 'branch',
      subjectId: id,
      libraryId: existing.library_id,
      details: { fields: changedFields(body, presentBranch(existing), presentBranch(updated)) },
    });
    return updated;
  });
  return presentBranch(row);
}

export async function listDesks(deps: Deps, actor: Actor, libraryId: string): Promise<Desk[]> {
  await requireLibrary(deps, actor, libraryId, 'desk.read');
  return (await repo.listDesks(deps.db, libraryId)).map(presentDesk);
}

export async function getDesk(deps: Deps, actor: Actor, id: string): Promise<Desk> {
  const row = await repo.findDeskById(deps.db, id);
  if (!row) throw errors.notFound('desk');
  authorizeOnLibrary(actor, 'desk.read', row.library_id, 'desk');
  return presentDesk(row);
}

export async function createDesk(deps: Deps, actor: Actor, libraryId: string, body: CreateDeskBody): Promise<Desk> {
  await requireLibrary(deps, actor, libraryId, 'desk.create');
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    const inserted = await repo.insertDesk(trx, {
      id: newId(),
      library_id: libraryId,
      name: body.name,
      slug: body.slug,
      description: body.description,
      mode: body.mode,
      hours_json: body.hours ?? CLOSED_HOURS,
      wait_threshold_seconds: body.waitThresholdSeconds,
      ring_timeout_seconds: body.ringTimeoutSeconds,
      is_active: body.isActive,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(trx, actor, now, {
      action: 'desk.created',
      subjectType: 'desk',
      subjectId: inserted.id,
      libraryId,
    });
    return inserted;
  });
  return presentDesk(row);
}

export async function updateDesk(deps: Deps, actor: Actor, id: string, body: UpdateDeskBody): Promise<Desk> {
  const existing = await repo.findDeskById(deps.db, id);
  if (!existing) throw errors.notFound('desk');
  authorizeOnLibrary(actor, 'desk.update', existing.library_id, 'desk');
  if (body.isActive === false && existing.is_active) {
    // Nobody can serve a closed desk: chats waiting at it would wait unseen until their patrons gave up.
    const waiting = await countQueuedAtDesk(deps.db, id);
    if (waiting > 0)
      throw errors.conflict(
        `${waiting === 1 ? 'A chat is' : `${waiting} chats are`} waiting at ${existing.name}. Answer or transfer ${waiting === 1 ? 'it' : 'them'} before closing the desk.`,
      );
  }
  const now = deps.clock.now().toISOString();
  const row = await deps.db.transaction().execute(async (trx) => {
    const updated = await repo.updateDeskRow(trx, id, {
      ...defined({
        name: body.name,
        slug: body.slug,
        description: body.description,
        mode: body.mode,
        hours_json: body.hours,
        wait_threshold_seconds: body.waitThresholdSeconds,
        ring_timeout_seconds: body.ringTimeoutSeconds,
        is_active: body.isActive,
      }),
      updated_at: now,
    });
    await recordAudit(trx, actor, now, {
      action: 'desk.updated',
      subjectType: 'desk',
      subjectId: id,
      libraryId: existing.library_id,
      details: { fields: changedFields(body, presentDesk(existing), presentDesk(updated)) },
    });
    return updated;
  });
  return presentDesk(row);
}

/** For other modules (routing, chat): a desk by id, without an actor check. */
export async function findDesk(db: Deps['db'], id: string): Promise<Desk | undefined> {
  const row = await repo.findDeskById(db, id);
  return row && presentDesk(row);
}

/** Which library a patron is asking: named, or told by the page they are on. */
export interface PublicLibraryHint {
  /** The library's slug, from the widget's `library` attribute or a page's `?library=`. */
  library?: string | undefined;
  /** The Origin of the page embedding the widget. */
  origin?: string | undefined;
  /** The host name the request came to (a library's own, e.g. ask.eastside.example). */
  host?: string | undefined;
}

/**
 * The library a public request is for. Named by its slug, it must exist. Otherwise, in order: the
 * library whose own host name the request came to (each library of a cooperative can have its
 * own, e.g. ask.eastside.example); the library that allow-lists the website embedding the widget;
 * the deployment's first library.
 */
export async function findPublicLibrary(deps: Deps, hint: PublicLibraryHint = {}): Promise<Library | undefined> {
  const rows = await repo.listLibrariesInOrder(deps.db);
  if (hint.library !== undefined) {
    const named = rows.find((r) => r.slug === hint.library);
    return named && presentLibrary(named);
  }
  const host = hint.host?.toLowerCase();
  const origin = hint.origin?.toLowerCase();
  const row =
    (host === undefined ? undefined : rows.find((r) => lists(r.hostnames_json, host))) ??
    (origin === undefined ? undefined : rows.find((r) => lists(r.allowed_origins_json, origin))) ??
    rows[0];
  return row && presentLibrary(row);
}

/** Whether a stored JSON list of host names or origins holds this one (stored lists may predate lowercasing). */
function lists(json: unknown, value: string): boolean {
  return Array.isArray(json) && json.some((item) => typeof item === 'string' && item.toLowerCase() === value);
}

export async function findPublicDesk(
  deps: Deps,
  slug: string,
  hint: PublicLibraryHint = {},
): Promise<{ desk: Desk; library: Library } | undefined> {
  const library = await findPublicLibrary(deps, hint);
  if (!library) return undefined;
  const desk = (await repo.listDesks(deps.db, library.id)).find((d) => d.slug === slug && d.is_active);
  return desk && { desk: presentDesk(desk), library };
}

export async function findLibrary(db: Deps['db'], id: string): Promise<Library | undefined> {
  const row = await repo.findLibraryById(db, id);
  return row && presentLibrary(row);
}

export async function listDesksOfLibrary(db: Deps['db'], libraryId: string): Promise<Desk[]> {
  return (await repo.listDesks(db, libraryId)).map(presentDesk);
}
