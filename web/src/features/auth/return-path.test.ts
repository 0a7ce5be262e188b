import { describe, expect, it } from 'vitest';
import { loginPathFor, safeReturnPath } from './return-path.ts';

describe('safeReturnPath', () => {
  it('returns to paths inside the dashboard only', () => {
    expect(safeReturnPath('/admin/branches?x=1')).toBe('/admin/branches?x=1');
    expect(safeReturnPath(null)).toBe('/');
    expect(safeReturnPath('https://evil.example/')).toBe('/');
    expect(safeReturnPath('//evil.example/')).toBe('/');
    expect(safeReturnPath('/\\evil.example')).toBe('/');
    expect(safeReturnPath('/login')).toBe('/');
  });

  it('builds the login path that brings the person back', () => {
    expect(loginPathFor('/')).toBe('/login');
    expect(loginPathFor('/admin/staff')).toBe('/login?next=%2Fadmin%2Fstaff');
  });
});
