import { afterEach, describe, expect, it, vi } from 'vitest';
import * as protocol from '@branchline/protocol';
import {
  CHAT_TOKEN_HEADER,
  CLIENT_ID_PATTERN,
  MAX_FRAME_TEXT_BYTES,
  MAX_MESSAGE_CHARS,
  checkMessage,
  looksLikeEmail,
  newClientId,
} from './contract.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('contract copies', () => {
  it('match the protocol', () => {
    expect(MAX_MESSAGE_CHARS).toBe(protocol.MAX_MESSAGE_CHARS);
    expect(MAX_FRAME_TEXT_BYTES).toBe(protocol.MAX_FRAME_TEXT_BYTES);
    expect(CHAT_TOKEN_HEADER).toBe(protocol.CHAT_TOKEN_HEADER);
  });

  it('makes client ids the protocol accepts', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClientId()));
    expect(ids.size).toBe(50);
    for (const id of ids) {
      expect(id).toMatch(CLIENT_ID_PATTERN);
      expect(protocol.ClientId.safeParse(id).success).toBe(true);
    }
  });

  it('makes them without crypto.randomUUID too (pages served over plain http)', () => {
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => bytes.fill(200) });
    const id = newClientId();
    expect(id).toMatch(CLIENT_ID_PATTERN);
    expect(id.length).toBeGreaterThanOrEqual(16);
  });

  it('checks a message the way the server will', () => {
    expect(checkMessage('  \n ')).toBe('empty');
    expect(checkMessage('a'.repeat(MAX_MESSAGE_CHARS))).toBeNull();
    expect(checkMessage('a'.repeat(MAX_MESSAGE_CHARS + 1))).toBe('too_long');
    // 4000 characters of three-byte text do not fit one 8 KB frame.
    expect(checkMessage('図'.repeat(MAX_MESSAGE_CHARS))).toBe('too_big');
    expect(protocol.MessageBody.safeParse('hello').success).toBe(true);
  });

  it('looks for an email address', () => {
    expect(looksLikeEmail('a@b.org')).toBe(true);
    expect(looksLikeEmail(' a@b.org ')).toBe(true);
    expect(looksLikeEmail('a@b')).toBe(false);
    expect(looksLikeEmail('not an email')).toBe(false);
  });

  it('accepts exactly the addresses the server accepts', () => {
    const samples = [
      'reader@example.org',
      ' Reader.Name+tag@Example.ORG ',
      "o'brien@mail.example.co.uk",
      'dev@localhost',
      'reader@example..org',
      '.reader@example.org',
      'reader.@example.org',
      'read..er@example.org',
      'reader@example.o',
      'reader@-example.org',
      'reader@example',
      'reader@@example.org',
      'réader@example.org',
      '<script>@example.org',
      `${'a'.repeat(250)}@b.org`,
      '',
    ];
    for (const sample of samples) expect(looksLikeEmail(sample), sample).toBe(protocol.Email.safeParse(sample).success);
  });
});
