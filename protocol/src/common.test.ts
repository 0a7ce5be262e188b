import { describe, expect, it } from 'vitest';
import { Name, Tag } from './common.ts';

describe('Name', () => {
  it('drops direction overrides, embeddings and isolates, which would reverse the text after a name', () => {
    expect(Name.parse('\u202Eevil\u202C Reader')).toBe('evil Reader');
    expect(Name.parse('Ana \u2066Ruiz\u2069')).toBe('Ana Ruiz');
    expect(Name.parse('  \u202Bمكتبة\u202C  ')).toBe('مكتبة');
  });

  it('keeps right-to-left names and direction marks as written', () => {
    expect(Name.parse('مكتبة بيتسبرغ')).toBe('مكتبة بيتسبرغ');
    expect(Name.parse('שרה\u200F כהן')).toBe('שרה\u200F כהן');
  });

  it('refuses a name that is nothing but controls or spaces, control characters, and over 120 characters', () => {
    for (const bad of ['', '   ', '\u202E\u202C', 'tab\there', 'x'.repeat(121)]) {
      expect(Name.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    expect(Name.parse(`${'x'.repeat(120)}\u202E`)).toHaveLength(120);
  });
});

describe('Tag', () => {
  it('trims, and refuses blanks, control characters and anything over 40 characters', () => {
    expect(Tag.parse('  holds ')).toBe('holds');
    expect(Tag.parse('e-books\u202e')).toBe('e-books');
    for (const bad of ['', '   ', 'hol\u0000ds', 'line\nbreak', 'x'.repeat(41)]) {
      expect(Tag.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
