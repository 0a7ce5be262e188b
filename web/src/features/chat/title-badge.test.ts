import { describe, expect, it } from 'vitest';
import { badgedTitle } from './title-badge.ts';

describe('badgedTitle', () => {
  it('puts the count in front, replaces an old count, and leaves the title bare at zero', () => {
    expect(badgedTitle('Branchline staff', 2)).toBe('(2) Branchline staff');
    expect(badgedTitle('(2) Chat — Branchline staff', 3)).toBe('(3) Chat — Branchline staff');
    expect(badgedTitle('(3) Chat — Branchline staff', 0)).toBe('Chat — Branchline staff');
    expect(badgedTitle('Branchline staff', 0)).toBe('Branchline staff');
  });
});
