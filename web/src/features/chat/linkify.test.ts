import { describe, expect, it } from 'vitest';
import { splitLinks } from './linkify.ts';

describe('splitLinks', () => {
  it('finds http, https and mailto links and leaves sentence punctuation out', () => {
    expect(splitLinks('See https://example.org/catalog?q=erdrich. Or mail ask@lib.org')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.org/catalog?q=erdrich', href: 'https://example.org/catalog?q=erdrich' },
      { kind: 'text', text: '. Or mail ask@lib.org' },
    ]);
    expect(splitLinks('(mailto:ask@lib.org)')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'mailto:ask@lib.org', href: 'mailto:ask@lib.org' },
      { kind: 'text', text: ')' },
    ]);
  });

  it('keeps brackets that belong to the address', () => {
    const [, link] = splitLinks('x https://en.wikipedia.org/wiki/Tracks_(novel), y');
    expect(link).toMatchObject({ kind: 'link', text: 'https://en.wikipedia.org/wiki/Tracks_(novel)' });
  });

  it('never links other schemes or markup', () => {
    expect(splitLinks('javascript:alert(1) <a href="x">hi</a> data:text/html,x')).toEqual([
      { kind: 'text', text: 'javascript:alert(1) <a href="x">hi</a> data:text/html,x' },
    ]);
    expect(splitLinks('http:// and mailto:')).toEqual([{ kind: 'text', text: 'http:// and mailto:' }]);
  });

  it('keeps plain text as one part', () => {
    expect(splitLinks('Hello')).toEqual([{ kind: 'text', text: 'Hello' }]);
    expect(splitLinks('')).toEqual([]);
  });
});
