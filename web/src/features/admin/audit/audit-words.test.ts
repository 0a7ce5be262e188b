import type { AuditEntry } from '@branchline/protocol';
import { describe, expect, it } from 'vitest';
import { actorName, detailText } from './audit-words.ts';

const entry = (details: Record<string, unknown>, actor: Partial<AuditEntry['actor']> = {}): AuditEntry => ({
  id: '00000000-0000-4000-8000-000000000001',
  at: '2026-03-02T15:00:00.000Z',
  action: 'staff.updated',
  actor: { kind: 'staff', staffId: '00000000-0000-4000-8000-000000000002', displayName: 'Dana', ...actor },
  subject: { type: 'staff', id: null, label: null },
  details,
});

describe('audit entries in words', () => {
  it('names the fields changed and a change of role', () => {
    expect(detailText(entry({ fields: ['displayName', 'role'], role: 'supervisor', previousRole: 'librarian' }))).toBe(
      'Changed: display name, role. Role: Librarian → Supervisor',
    );
    expect(detailText(entry({ role: 'admin' }))).toBe('Role: Administrator');
  });

  it('says how long and how a patron was blocked, and what a purge deleted', () => {
    expect(detailText(entry({ minutes: 1440, scope: 'network' }))).toBe('For 24 h, by network address');
    expect(detailText(entry({ minutes: 30, scope: 'browser' }))).toBe('For 30 min, by browser');
    expect(detailText(entry({ scope: 'network' }))).toBe('By network address');
    expect(detailText(entry({ reason: 'wrong_password' }))).toBe('Wrong password');
    expect(detailText(entry({ reason: 'wrong_password', lockedMinutes: 15 }))).toBe(
      'Wrong password. Too many failures: the account is locked for 15 min',
    );
    expect(detailText(entry({ conversations: 1, blocks: 0, retentionDays: 365 }))).toBe(
      '1 transcript and 0 ended blocks older than 365 days',
    );
  });

  it('says nothing of details it does not know, and ignores malformed ones', () => {
    expect(detailText(entry({}))).toBe('');
    expect(detailText(entry({ fields: 'name', role: '<b>root</b>', minutes: '5' }))).toBe('');
  });

  it('names who acted, even when the account is gone or nobody was signed in', () => {
    expect(actorName(entry({}).actor)).toBe('Dana');
    expect(actorName(entry({}, { displayName: null }).actor)).toBe('A former staff member');
    expect(actorName(entry({}, { kind: 'system', staffId: null, displayName: null }).actor)).toBe(
      'Branchline (automatic)',
    );
    expect(actorName(entry({}, { kind: 'anonymous', staffId: null, displayName: null }).actor)).toBe(
      'Someone not signed in',
    );
  });
});
