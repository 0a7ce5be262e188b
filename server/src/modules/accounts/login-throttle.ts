import { AppError } from '../../platform/errors.ts';
import type { Deps } from '../../platform/deps.ts';
import { clearThrottle, findThrottle, saveThrottle } from './throttle.repo.ts';

/** Failed sign-ins allowed per window before the key is locked. */
export const THROTTLE_RULES = {
  account: { maxFailures: 5, windowMinutes: 15, lockMinutes: 15 },
  ip: { maxFailures: 20, windowMinutes: 15, lockMinutes: 15 },
} as const;

type Scope = keyof typeof THROTTLE_RULES;

export function throttleKeys(email: string, ip: string): Array<{ scope: Scope; key: string }> {
  return [
    { scope: 'account', key: `account:${email.toLowerCase()}` },
    { scope: 'ip', key: `ip:${ip}` },
  ];
}

/** Refuses the attempt before any password work if the account or the address is locked. */
export async function assertNotThrottled(deps: Deps, email: string, ip: string): Promise<void> {
  const now = deps.clock.now();
  for (const { scope, key } of throttleKeys(email, ip)) {
    const row = await findThrottle(deps.db, key);
    if (row?.locked_until && new Date(row.locked_until) > now) {
      const minutes = Math.max(1, Math.ceil((new Date(row.locked_until).getTime() - now.getTime()) / 60_000));
      const message =
        scope === 'account'
          ? `Too many failed sign-in attempts for this account. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or reset your password.`
          : `Too many failed sign-in attempts from this network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
      throw new AppError(scope === 'account' ? 'account_locked' : 'rate_limited', message, {
        details: { retryAfterSeconds: minutes * 60 },
      });
    }
  }
}

/** Counts a failed sign-in; answers whether it locked the account (not just the address). */
export async function recordFailedLogin(deps: Deps, email: string, ip: string): Promise<{ accountLocked: boolean }> {
  const now = deps.clock.now();
  let accountLocked = false;
  for (const { scope, key } of throttleKeys(email, ip)) {
    const rule = THROTTLE_RULES[scope];
    const row = await findThrottle(deps.db, key);
    const windowStart = row ? new Date(row.window_started_at) : now;
    const inWindow = now.getTime() - windowStart.getTime() < rule.windowMinutes * 60_000;
    const failures = inWindow && row ? row.failures + 1 : 1;
    const lockedUntil =
      failures >= rule.maxFailures ? new Date(now.getTime() + rule.lockMinutes * 60_000).toISOString() : null;
    await saveThrottle(deps.db, {
      key,
      failures: lockedUntil ? 0 : failures,
      window_started_at: inWindow && row ? row.window_started_at : now.toISOString(),
      locked_until: lockedUntil,
    });
    if (scope === 'account' && lockedUntil) accountLocked = true;
  }
  return { accountLocked };
}

export async function clearFailedLogins(deps: Deps, email: string): Promise<void> {
  await clearThrottle(deps.db, `account:${email.toLowerCase()}`);
}
