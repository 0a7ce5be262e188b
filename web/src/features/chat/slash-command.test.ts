import { describe, expect, it } from 'vitest';
import type { CannedResponse } from '@branchline/protocol';
import { matchCanned, slashQuery } from './slash-command.ts';

function canned(shortcut: string, title: string): CannedResponse {
  return {
    id: shortcut,
    libraryId: 'lib',
    shortcut,
    title,
    body: `${title}.`,
    language: 'en',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('slash commands', () => {
  it('reads the shortcut only while the composer holds "/" and a partial shortcut', () => {
    expect(slashQuery('/')).toBe('');
    expect(slashQuery('/Hou')).toBe('hou');
    expect(slashQuery('/hours please')).toBeNull();
    expect(slashQuery('see /hours')).toBeNull();
    expect(slashQuery('')).toBeNull();
  });

  it('puts shortcuts that start with the query first, then other matches', () => {
    const list = [
      canned('renew', 'Renewing items'),
      canned('hours', 'Opening hours'),
      canned('holds', 'Placing a hold'),
      canned('card', 'Library card help'),
      canned('wifi-hours', 'Wi-Fi'),
    ];
    expect(matchCanned(list, 'ho').map((c) => c.shortcut)).toEqual(['holds', 'hours', 'wifi-hours']);
    expect(matchCanned(list, 'card').map((c) => c.shortcut)).toEqual(['card']);
    expect(matchCanned(list, 'help').map((c) => c.shortcut)).toEqual(['card']);
    expect(matchCanned(list, '')).toHaveLength(5);
    expect(matchCanned(list, 'zzz')).toEqual([]);
  });
});
