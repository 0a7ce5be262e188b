import type { PatronEvent } from '@branchline/protocol';
import { describe, expect, it } from 'vitest';
import { transcriptFileName, transcriptText } from './transcript-file.ts';

const event = (
  seq: number,
  from: PatronEvent['from'],
  body: string,
  extra: Partial<PatronEvent> = {},
): PatronEvent => ({
  seq,
  type: from === 'system' ? 'system' : 'message',
  from,
  displayName: from === 'staff' ? 'Sofía' : null,
  body,
  systemKind: null,
  clientId: null,
  createdAt: `2026-11-29T15:0${seq}:00.000Z`,
  ...extra,
});

describe('the copy of a chat a patron saves', () => {
  it('gives the desk, the day and each message with its time and who said it', () => {
    const text = transcriptText(
      [
        event(1, 'patron', 'Do you have <b>large print</b> books?'),
        event(2, 'system', 'Waiting', { systemKind: 'queued' }),
        event(3, 'staff', 'Yes: https://library.example/large-print\nAsk at any branch.'),
      ],
      'en',
      'Three Rivers Public Library — Ask a Librarian',
    );
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('Three Rivers Public Library — Ask a Librarian');
    expect(lines[1]).toMatch(/^Chat of November 29, 2026$/);
    expect(lines[3]).toMatch(/^\d{1,2}:\d{2}\s?[AP]M {2}You: Do you have <b>large print<\/b> books\?$/);
    expect(lines[4]).toMatch(/ {2}\[.+\]$/);
    expect(lines[5]).toMatch(/ {2}Sofía: Yes: https:\/\/library\.example\/large-print$/);
    // The second line of a message lines up under the first.
    expect(lines[6]?.trimStart()).toBe('Ask at any branch.');
    expect(lines[6]?.length).toBeGreaterThan('Ask at any branch.'.length + 6);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('is in Spanish for a Spanish chat, and says when the first messages are missing', () => {
    const text = transcriptText([event(7, 'patron', '¿Abren el domingo?')], 'es', 'Biblioteca');
    expect(text).toContain('Chat del 29 de noviembre de 2026');
    expect(text).toContain('Los primeros mensajes de este chat no están en esta copia.');
    expect(text).toContain('Usted: ¿Abren el domingo?');
  });

  it('names the file by the day the chat began', () => {
    expect(transcriptFileName([event(1, 'patron', 'Hi', { createdAt: '2026-03-05T12:00:00.000Z' })])).toBe(
      'chat-2026-03-05.txt',
    );
  });
});
