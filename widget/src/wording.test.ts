import { describe, expect, it } from 'vitest';
import type { DeskAvailability, PatronConversation } from '@branchline/protocol';
import { type StatusFacts, ordinal, queueText, statusLine, waitText } from './wording.ts';

describe('ordinal', () => {
  it('says 1st 2nd 3rd 4th … with the teens right', () => {
    const cases: Array<[number, string]> = [
      [1, '1st'],
      [2, '2nd'],
      [3, '3rd'],
      [4, '4th'],
      [11, '11th'],
      [12, '12th'],
      [13, '13th'],
      [21, '21st'],
      [22, '22nd'],
      [101, '101st'],
      [111, '111th'],
    ];
    for (const [n, expected] of cases) expect(ordinal(n, 'en')).toBe(expected);
  });

  it('uses the ordinal indicator in Spanish', () => {
    expect(ordinal(2, 'es')).toBe('2.º');
  });
});

describe('waitText', () => {
  it('rounds to minutes', () => {
    expect(waitText(null, 'en')).toBeNull();
    expect(waitText(0, 'en')).toBe('less than a minute');
    expect(waitText(59, 'en')).toBe('less than a minute');
    expect(waitText(60, 'en')).toBe('about 1 minute');
    expect(waitText(89, 'en')).toBe('about 1 minute');
    expect(waitText(90, 'en')).toBe('about 2 minutes');
    expect(waitText(180, 'es')).toBe('unos 3 minutos');
  });
});

describe('queueText', () => {
  it('says the place in line and the estimate', () => {
    expect(queueText({ position: 2, estimatedWaitSeconds: 170 }, 'en')).toBe("You're 2nd in line — about 3 minutes");
    expect(queueText({ position: 1, estimatedWaitSeconds: 20 }, 'en')).toBe("You're 1st in line — less than a minute");
    expect(queueText({ position: 3, estimatedWaitSeconds: 200 }, 'es')).toBe(
      'Está en el 3.º lugar de la fila — unos 3 minutos',
    );
  });

  it('leaves the estimate out when there is none', () => {
    expect(queueText({ position: 4, estimatedWaitSeconds: null }, 'en')).toBe("You're 4th in line");
    expect(queueText(null, 'en')).toBe('Waiting for a librarian…');
  });
});

const conversation = (over: Partial<PatronConversation> = {}): PatronConversation => ({
  id: '00000000-0000-4000-8000-000000000001',
  status: 'queued',
  deskName: 'Ask',
  staffDisplayName: null,
  queue: { position: 2, estimatedWaitSeconds: 180 },
  lastSeq: 1,
  rating: null,
  transcriptRequested: false,
  ...over,
});
const desk: DeskAvailability = {
  slug: 'ask',
  name: 'Ask',
  libraryName: 'Springfield',
  isOpen: true,
  isStaffed: true,
  waiting: 2,
  estimatedWaitSeconds: 240,
  suggestLeavingQuestion: false,
};
const facts = (over: Partial<StatusFacts> = {}): StatusFacts => ({
  online: true,
  link: 'online',
  conversation: conversation(),
  starting: false,
  desk,
  expired: false,
  ...over,
});

describe('statusLine', () => {
  it('says every state in words', () => {
    expect(statusLine(facts({ conversation: null }), 'en')).toBe(
      'A librarian is here to help. Current wait: about 4 minutes.',
    );
    expect(statusLine(facts({ conversation: null, starting: true }), 'en')).toBe('Sending your question…');
    expect(statusLine(facts({ link: 'connecting' }), 'en')).toBe('Connecting…');
    expect(statusLine(facts(), 'en')).toBe("You're 2nd in line — about 3 minutes");
    expect(
      statusLine(facts({ conversation: conversation({ status: 'active', staffDisplayName: 'Maria' }) }), 'en'),
    ).toBe("You're chatting with Maria");
    expect(statusLine(facts({ link: 'reconnecting' }), 'en')).toBe('Connection lost. Reconnecting…');
    expect(statusLine(facts({ online: false }), 'en')).toMatch(/offline/);
    expect(statusLine(facts({ conversation: conversation({ status: 'resolved' }) }), 'en')).toBe(
      'This chat has ended.',
    );
    expect(statusLine(facts({ expired: true }), 'en')).toBe('This chat is no longer available.');
  });

  it('says nothing about staff before a chat when the desk is closed', () => {
    expect(statusLine(facts({ conversation: null, desk: { ...desk, isOpen: false } }), 'en')).toBe('');
  });
});
