import { describe, expect, it } from 'vitest';
import { slugify } from './slugify.ts';
import { matchesFilter } from './matches-filter.ts';

describe('matchesFilter', () => {
  it('matches every word anywhere, ignoring case and accents', () => {
    expect(matchesFilter('', ['anything'])).toBe(true);
    expect(matchesFilter('main lib', ['Main Library', '120 Commons Street'])).toBe(true);
    expect(matchesFilter('jose', ['José Álvarez'])).toBe(true);
    expect(matchesFilter('hillside main', ['Main Library'])).toBe(false);
  });
});

describe('slugify', () => {
  it('suggests a slug from a name', () => {
    expect(slugify('Ask a Librarian!')).toBe('ask-a-librarian');
    expect(slugify('  Ayuda en Español ')).toBe('ayuda-en-espanol');
  });
});
