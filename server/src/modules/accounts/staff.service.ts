import type { CreateStaffBody, Staff, UpdateStaffBody } from '@branchline/protocol';
import type { Actor } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import type { StaffUpdate } from '../../platform/db/schema.ts';
import { errors } from '../../platform/errors.ts';
import { newId } from '../../platform/tokens.ts';
import { changedFields, recordAudit } from '../audit/audit.service.ts';
import { authorizeOnStaff } from './accounts.policy.ts';
import { accessChanged, requestPasswordReset } from './auth.service.ts';
import { hashPassword } from './passwords.ts';
import { deleteSessionsOfStaff } from './sessions.repo.ts';
import { presentStaff } from './staff.presenter.ts';
import {
  countActiveAdmins,
  findStaffByEmail,
  findStaffById,
  insertStaff,
  listStaffOfLibrary,
  updateStaffRow,
} from './staff.repo.ts';

export async function listStaff(deps: Deps, actor: Actor): Promise<Staff[]> {
  // The policy refuses partners the directory; they may read only their own record.
  authorizeOnStaff(actor, 'staff.read');
  if (actor.kind !== 'staff') return [];
  return (await listStaffOfLibrary(deps.db, actor.libraryId)).map(presentStaff);
}

export async function getStaff(deps: Deps, actor: Actor, id: string): Promise<Staff> {
  const row = await findStaffById(deps.db, id);
  if (!row) throw errors.notFound('staff member');
  authorizeOnStaff(actor, 'staff.read', row);
  return presentStaff(row);
}

/**
 * Adds a staff member to the actor's library (or `libraryId` for the system actor). Without a
 * password they are emailed a link to choose one.
 */
export async function createStaff(deps: Deps, actor: Actor, body: CreateStaffBody, libraryId?: string): Promise<Staff> {
  authorizeOnStaff(actor, 'staff.create');
  const targetLibrary = actor.kind === 'staff' ? actor.libraryId : libraryId;
  if (targetLibrary === undefined) throw new Error('createStaff by the system needs a libraryId');
  const now = deps.clock.now().toISOString();
  const passwordHash = body.password === undefined ? null : await hashPassword(body.password);
  const row = await deps.db.transaction().execute(async (trx) => {
    const inserted = await insertStaff(trx, {
      id: newId(),
      library_id: targetLibrary,
      name: body.name,
      display_name: body.displayName ?? body.name.split(/\s+/)[0] ?? body.name,
      email: body.email,
      role: body.role,
      languages_json: body.languages,
      password_hash: passwordHash,
      max_concurrent_chats: body.maxConcurrentChats,
      is_active: true,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    });
    await recordAudit(trx, actor, now, {
      action: 'staff.created',
      subjectType: 'staff',
      subjectId: inserted.id,
      libraryId: targetLibrary,
      details: { role: body.role },
    });
    return inserted;
  });
  if (passwordHash === null) await requestPasswordReset(deps, row.email, 'welcome');
  return presentStaff(row);
}

/** Edits a staff member. Deactivating ends all their sessions at once. */
export async function updateStaff(deps: Deps, actor: Actor, id: string, body: UpdateStaffBody): Promise<Staff> {
  const existing = await findStaffById(deps.db, id);
  if (!existing) throw errors.notFound('staff member');
  authorizeOnStaff(actor, 'staff.update', existing);
  const losesAdmin =
    existing.role === 'admin' &&
    existing.is_active &&
    (body.isActive === false || (body.role !== undefined && body.role !== 'admin'));
  if (losesAdmin && (await countActiveAdmins(deps.db, existing.library_id)) <= 1) {
    throw errors.conflict('A library must keep at least one active administrator.', [
      { path: body.isActive === false ? 'isActive' : 'role', message: 'This is the last active administrator' },
    ]);
  }
  const now = deps.clock.now().toISOString();
  const changes: StaffUpdate = { updated_at: now };
  if (body.name !== undefined) changes.name = body.name;
  if (body.displayName !== undefined) changes.display_name = body.displayName;
  if (body.email !== undefined) changes.email = body.email;
  if (body.role !== undefined) changes.role = body.role;
  if (body.languages !== undefined) changes.languages_json = body.languages;
  if (body.maxConcurrentChats !== undefined) changes.max_concurrent_chats = body.maxConcurrentChats;
  if (body.isActive !== undefined) changes.is_active = body.isActive;
  const row = await deps.db.transaction().execute(async (trx) => {
    const updated = await updateStaffRow(trx, id, changes);
    if (body.isActive === false) {
      await deleteSessionsOfStaff(trx, id);
    }
    await recordAudit(trx, actor, now, {
      action: body.isActive === false ? 'staff.deactivated' : 'staff.updated',
      subjectType: 'staff',
      subjectId: id,
      libraryId: existing.library_id,
      details: {
        fields: changedFields(body, presentStaff(existing), presentStaff(updated)),
        ...(body.role !== undefined && body.role !== existing.role
          ? { role: body.role, previousRole: existing.role }
          : {}),
      },
    });
    return updated;
  });
  await accessChanged(deps, id);
  return presentStaff(row);
}

/** Sets a password directly (CLI and first start-up). Ends the person's sessions. */
export async function setStaffPassword(deps: Deps, actor: Actor, id: string, password: string): Promise<void> {
  const existing = await findStaffById(deps.db, id);
  if (!existing) throw errors.notFound('staff member');
  authorizeOnStaff(actor, 'staff.update', existing);
  const now = deps.clock.now().toISOString();
  const passwordHash = await hashPassword(password);
  await deps.db.transaction().execute(async (trx) => {
    await updateStaffRow(trx, id, { password_hash: passwordHash, updated_at: now });
    await deleteSessionsOfStaff(trx, id);
    await recordAudit(trx, actor, now, {
      action: 'staff.password_set',
      subjectType: 'staff',
      subjectId: id,
      libraryId: existing.library_id,
    });
  });
  await accessChanged(deps, id);
}

/** For other modules (routing, chat): a staff member by id, without an actor check. */
export async function findStaffMember(db: Deps['db'], id: string): Promise<Staff | undefined> {
  const row = await findStaffById(db, id);
  return row && presentStaff(row);
}

export async function findStaffMemberByEmail(db: Deps['db'], email: string): Promise<Staff | undefined> {
  const row = await findStaffByEmail(db, email);
  return row && presentStaff(row);
}

export async function listStaffMembers(db: Deps['db'], libraryId: string): Promise<Staff[]> {
  return (await listStaffOfLibrary(db, libraryId)).map(presentStaff);
}
