import { describe, expect, it } from 'vitest';
import { draftOfStaff, parseLanguages, toCreateStaffBody, toUpdateStaffBody } from './staff-draft.ts';

describe('staff drafts', () => {
  it('reads languages separated by commas or spaces', () => {
    expect(parseLanguages('en, es')).toEqual(['en', 'es']);
    expect(parseLanguages(' en  zh-Hant,,')).toEqual(['en', 'zh-Hant']);
    expect(parseLanguages('')).toEqual([]);
  });

  it('leaves out an empty password and display name when creating', () => {
    const draft = { ...draftOfStaff(undefined), name: 'Ana Ruiz', email: 'ana@example.org', languages: 'en, es' };
    expect(toCreateStaffBody(draft)).toEqual({
      name: 'Ana Ruiz',
      email: 'ana@example.org',
      role: 'librarian',
      languages: ['en', 'es'],
      maxConcurrentChats: 3,
    });
    expect(toCreateStaffBody({ ...draft, password: 'correct horse battery' }).password).toBe('correct horse battery');
  });

  it('sends whether the person is active when editing, never a password', () => {
    const draft = { ...draftOfStaff(undefined), name: 'Ana', email: 'a@example.org', isActive: false, password: 'x' };
    const body = toUpdateStaffBody(draft);
    expect(body.isActive).toBe(false);
    expect(body).not.toHaveProperty('password');
  });
});
