import type { ChangePasswordBody, LoginBody, PasswordResetConfirmBody } from '@branchline/protocol';
import { anonymous, type Actor, type StaffActor } from '../../platform/actor.ts';
import { topics } from '../../platform/bus.ts';
import { addMinutes } from '../../platform/clock.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, errors } from '../../platform/errors.ts';
import { hashToken, hmac, newToken, safeEqual } from '../../platform/tokens.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assertNotThrottled, clearFailedLogins, recordFailedLogin, THROTTLE_RULES } from './login-throttle.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { consumeResetToken, deleteResetTokensOfStaff, insertResetToken } from './reset-tokens.repo.ts';
import { deleteSession, deleteSessionsOfStaff, findSession, insertSession, touchSession } from './sessions.repo.ts';
import { findStaffByEmail, findStaffById, updateStaffRow } from './staff.repo.ts';
import type { StaffRow } from '../../platform/db/schema.ts';

export const RESET_TOKEN_MINUTES = 60;
/** last_seen_at is written at most this often, so busy dashboards do not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

export interface SignedInSession {
  /** The cookie value; only its hash is stored. */
  token: string;
  idHash: string;
  staff: StaffRow;
  expiresAt: string;
}

export interface ResolvedSession {
  idHash: string;
  actor: StaffActor;
  staff: StaffRow;
  expiresAt: string;
}

const badCredentials = () => new AppError('unauthenticated', 'Email or password is incorrect.');

export async function login(deps: Deps, body: LoginBody, client: ClientInfo): Promise<SignedInSession> {
  await assertNotThrottled(deps, body.email, client.ip);
  const staff = await findStaffByEmail(deps.db, body.email);
  const ok = await verifyPassword(staff?.password_hash ?? null, body.password);
  if (!staff || !ok || !staff.is_active) {
    const { accountLocked } = await recordFailedLogin(deps, body.email, client.ip);
    // Only for an account that exists: a guessed address belongs to no library's log.
    if (staff)
      await recordAudit(deps.db, anonymous, deps.clock.now().toISOString(), {
        action: 'staff.sign_in_refused',
        subjectType: 'staff',
        subjectId: staff.id,
        libraryId: staff.library_id,
        details: {
          reason: ok ? 'deactivated' : 'wrong_password',
          ...(accountLocked ? { lockedMinutes: THROTTLE_RULES.account.lockMinutes } : {}),
        },
      });
    throw badCredentials();
  }
  await clearFailedLogins(deps, body.email);
  const now = deps.clock.now();
  const token = newToken();
  const idHash = hashToken(token);
  const expiresAt = addMinutes(now, deps.config.sessionMaxHours * 60).toISOString();
  await deps.db.transaction().execute(async (trx) => {
    await insertSession(trx, { idHash, staffId: staff.id, now: now.toISOString(), expiresAt, ...client });
    await updateStaffRow(trx, staff.id, { last_login_at: now.toISOString() });
    const role = staff.role as StaffActor['role'];
    const actor: StaffActor = { kind: 'staff', staffId: staff.id, libraryId: staff.library_id, role };
    await recordAudit(trx, actor, now.toISOString(), {
      action: 'staff.signed_in',
      subjectType: 'staff',
      subjectId: staff.id,
      libraryId: staff.library_id,
    });
  });
  return { token, idHash, staff, expiresAt };
}

export async function logout(deps: Deps, idHash: string): Promise<void> {
  const session = await findSession(deps.db, idHash);
  await deleteSession(deps.db, idHash);
  if (session) await accessChanged(deps, session.staff_id);
}

/**
 * Tells the person's open connections (dashboard tabs on any instance) to check their session
 * again: a session ended, or the account's role or status changed. Those no longer signed in as
 * they were are closed.
 */
export async function accessChanged(deps: Deps, staffId: string): Promise<void> {
  await deps.bus
    .publish(topics.staff(staffId), { kind: 'access' })
    .catch((error: unknown) => deps.log.warn({ err: error }, 'bus publish failed'));
}

/**
 * Turns a session cookie into an actor, enforcing idle and absolute expiry and that the staff
 * member is still active. Answers undefined for anything that is not a live session.
 */
export async function resolveSession(deps: Deps, token: string): Promise<ResolvedSession | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const idHash = hashToken(token);
  const session = await findSession(deps.db, idHash);
  if (!session) return undefined;
  const now = deps.clock.now();
  const idleLimit = addMinutes(new Date(session.last_seen_at), deps.config.sessionIdleMinutes);
  if (new Date(session.expires_at) <= now || idleLimit <= now) {
    await deleteSession(deps.db, idHash);
    return undefined;
  }
  const staff = await findStaffById(deps.db, session.staff_id);
  if (!staff || !staff.is_active) {
    await deleteSession(deps.db, idHash);
    return undefined;
  }
  if (now.getTime() - new Date(session.last_seen_at).getTime() >= TOUCH_EVERY_MS) {
    await touchSession(deps.db, idHash, now.toISOString());
  }
  return {
    idHash,
    staff,
    expiresAt: session.expires_at,
    actor: { kind: 'staff', staffId: staff.id, libraryId: staff.library_id, role: staff.role as StaffActor['role'] },
  };
}

/** The CSRF token belonging to one session: derived, so nothing more is stored. */
export function csrfTokenFor(deps: Deps, idHash: string): string {
  return hmac(deps.secret, `csrf:${idHash}`);
}

export function isValidCsrfToken(deps: Deps, idHash: string, presented: string | undefined): boolean {
  return presented !== undefined && safeEqual(csrfTokenFor(deps, idHash), presented);
}

/** Changes one's own password; other sessions of the same person are ended. */
export async function changePassword(
  deps: Deps,
  actor: Actor,
  currentSessionHash: string,
  body: ChangePasswordBody,
): Promise<void> {
  if (actor.kind !== 'staff') throw errors.unauthenticated();
  const staff = await findStaffById(deps.db, actor.staffId);
  if (!staff) throw errors.unauthenticated();
  if (!(await verifyPassword(staff.password_hash, body.currentPassword))) {
    throw errors.validation('The current password is not correct.', [
      { path: 'currentPassword', message: 'Not your current password' },
    ]);
  }
  const passwordHash = await hashPassword(body.newPassword);
  const now = deps.clock.now().toISOString();
  await deps.db.transaction().execute(async (trx) => {
    await updateStaffRow(trx, staff.id, { password_hash: passwordHash, updated_at: now });
    await deleteSessionsOfStaff(trx, staff.id, currentSessionHash);
    await recordAudit(trx, actor, now, {
      action: 'staff.password_changed',
      subjectType: 'staff',
      subjectId: staff.id,
      libraryId: staff.library_id,
    });
  });
  await accessChanged(deps, staff.id);
}

/**
 * Emails a single-use link that sets a new password. Answers the same whether or not the
 * address belongs to anyone, so it cannot be used to find out who works here.
 */
export async function requestPasswordReset(
  deps: Deps,
  email: string,
  purpose: 'reset' | 'welcome' = 'reset',
): Promise<void> {
  const staff = await findStaffByEmail(deps.db, email);
  if (!staff || !staff.is_active) return;
  const token = newToken();
  const now = deps.clock.now();
  await insertResetToken(deps.db, {
    token_hash: hashToken(token),
    staff_id: staff.id,
    created_at: now.toISOString(),
    expires_at: addMinutes(now, purpose === 'welcome' ? 7 * 24 * 60 : RESET_TOKEN_MINUTES).toISOString(),
  });
  const link = `${deps.config.publicUrl}/staff/reset-password?token=${encodeURIComponent(token)}`;
  const text =
    purpose === 'welcome'
      ? `Hello ${staff.display_name},\n\nAn account has been made for you on your library's Branchline staff dashboard.\nChoose your password here (the link works once, for 7 days):\n\n${link}\n`
      : `Hello ${staff.display_name},\n\nSomeone asked to reset the password of your Branchline staff account.\nIf it was you, choose a new password here (the link works once, for one hour):\n\n${link}\n\nIf it was not you, ignore this message; your password has not changed.\n`;
  await deps.mailer.send({
    to: staff.email,
    subject: purpose === 'welcome' ? 'Your Branchline staff account' : 'Reset your Branchline password',
    text,
  });
}

export async function confirmPasswordReset(deps: Deps, body: PasswordResetConfirmBody): Promise<void> {
  const now = deps.clock.now().toISOString();
  const passwordHash = await hashPassword(body.newPassword);
  const staffId = await deps.db.transaction().execute(async (trx) => {
    const staffId = await consumeResetToken(trx, hashToken(body.token), now);
    if (staffId === undefined) {
      throw errors.validation('This reset link is not valid any more. Ask for a new one.', [
        { path: 'token', message: 'Invalid, used or expired link' },
      ]);
    }
    await updateStaffRow(trx, staffId, { password_hash: passwordHash, updated_at: now });
    await deleteSessionsOfStaff(trx, staffId);
    await deleteResetTokensOfStaff(trx, staffId);
    const staff = await findStaffById(trx, staffId);
    if (!staff) throw errors.notFound('staff member');
    await recordAudit(trx, anonymous, now, {
      action: 'staff.password_reset',
      subjectType: 'staff',
      subjectId: staffId,
      libraryId: staff.library_id,
    });
    return staffId;
  });
  await accessChanged(deps, staffId);
  // A successful reset also lifts a lock-out caused by failed attempts.
  const staff = await findStaffById(deps.db, staffId);
  if (staff) await clearFailedLogins(deps, staff.email);
}
