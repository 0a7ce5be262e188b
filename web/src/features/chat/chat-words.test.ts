import { describe, expect, it } from 'vitest';
import { languageNote, patronName } from './chat-words.ts';

describe('languageNote', () => {
  it('says nothing for English, in any region', () => {
    expect(languageNote('en')).toBe('');
    expect(languageNote('en-US')).toBe('');
    expect(languageNote('EN-gb')).toBe('');
  });

  it('names any other language, so staff see it before accepting', () => {
    expect(languageNote('es')).toBe(' · in Spanish');
    expect(languageNote('es-MX')).toBe(' · in Mexican Spanish');
  });

  it('falls back to the tag itself when the browser cannot name it', () => {
    expect(languageNote('not a tag')).toBe(' · in not a tag');
  });
});

describe('patronName', () => {
  it('prefers the name, then the email, then "Patron"', () => {
    expect(patronName({ patron: { name: 'Ana', email: 'a@example.org' } as never })).toBe('Ana');
    expect(patronName({ patron: { name: null, email: 'a@example.org' } as never })).toBe('a@example.org');
    expect(patronName({ patron: { name: null, email: null } as never })).toBe('Patron');
  });
});
