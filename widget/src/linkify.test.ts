import { describe, expect, it } from 'vitest';
import { linkify } from './linkify.ts';

describe('linkify', () => {
  it('leaves plain text alone', () => {
    expect(linkify('Hello there')).toEqual([{ text: 'Hello there' }]);
  });

  it('links http, https and mailto URLs and keeps the text around them', () => {
    expect(linkify('See https://lib.example.org/hours or mailto:ask@lib.example.org today')).toEqual([
      { text: 'See ' },
      { text: 'https://lib.example.org/hours', href: 'https://lib.example.org/hours' },
      { text: ' or ' },
      { text: 'mailto:ask@lib.example.org', href: 'mailto:ask@lib.example.org' },
      { text: ' today' },
    ]);
  });

  it('leaves trailing punctuation outside the link', () => {
    expect(linkify('Try http://a.example/x.')).toEqual([
      { text: 'Try ' },
      { text: 'http://a.example/x', href: 'http://a.example/x' },
      { text: '.' },
    ]);
    expect(linkify('(see https://a.example/page)')[1]).toEqual({
      text: 'https://a.example/page',
      href: 'https://a.example/page',
    });
  });

  it('keeps a closing parenthesis that belongs to the URL', () => {
    const [link] = linkify('https://en.wikipedia.org/wiki/Dewey_(disambiguation)');
    expect(link?.text).toBe('https://en.wikipedia.org/wiki/Dewey_(disambiguation)');
  });

  it('never links other schemes, and keeps markup as text', () => {
    const text = '<script>alert(1)</script> javascript:alert(1) data:text/html,<b>x</b> <a href="x">y</a>';
    expect(linkify(text)).toEqual([{ text }]);
  });

  it('does not link a URL glued to a word', () => {
    expect(linkify('xhttp://a.example')).toEqual([{ text: 'xhttp://a.example' }]);
  });

  it('stops a URL at quotes and angle brackets', () => {
    const parts = linkify('"https://a.example/x"<b>');
    expect(parts.find((p) => p.href)?.href).toBe('https://a.example/x');
    expect(parts.map((p) => p.text).join('')).toBe('"https://a.example/x"<b>');
  });

  it('skips a scheme with no host', () => {
    expect(linkify('http:// nothing')).toEqual([{ text: 'http:// nothing' }]);
  });
});
