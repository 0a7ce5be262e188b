import { describe, expect, it } from 'vitest';
import type { ConversationEvent } from '@branchline/protocol';
import { blockLength, systemText } from './system-text.ts';

function system(systemKind: ConversationEvent['systemKind'], body: string, data: ConversationEvent['data']) {
  const event: ConversationEvent = {
    seq: 1,
    conversationId: 'c1',
    type: 'system',
    author: { kind: 'system' },
    body,
    systemKind,
    data,
    clientId: null,
    createdAt: '2026-01-01T10:00:00.000Z',
  };
  return event;
}

describe('systemText', () => {
  it('says transfers in the third person, from the new bodies and from older ones that said "you"', () => {
    const data = { fromName: 'Sofía', toName: 'Marcus', toStaffId: 's2' };
    expect(systemText(system('transferred', 'Sofía transferred the chat to Marcus', data), String)).toBe(
      'Sofía transferred the chat to Marcus',
    );
    const older = system('transferred', 'Sofía transferred you to Marcus. Please stay in this chat.', data);
    expect(systemText(older, String)).toBe('Sofía transferred the chat to Marcus');
    const toDesk = system('transferred', 'Sofía transferred you to Tech Help. Please stay…', {
      fromName: 'Sofía',
      toDesk: 'Tech Help',
    });
    expect(systemText(toDesk, String)).toBe('Sofía transferred the chat to Tech Help');
  });

  it('says a chat went back to its desk because its librarian lost their connection, not that they transferred it', () => {
    const handedBack = system('transferred', 'Sofía lost their connection; the chat went back to Tech Help', {
      fromName: 'Sofía',
      toDesk: 'Tech Help',
      reason: 'disconnected',
    });
    expect(systemText(handedBack, String)).toBe('Sofía lost their connection; the chat went back to Tech Help');
  });

  it('says how long a block lasts in words and when it ends, as a moment', () => {
    const until = '2026-11-30T05:54:52.740Z';
    const event = system('blocked', 'Sofía blocked this patron for 1440 minutes', { until });
    expect(systemText(event, () => '30 Nov, 00:54')).toBe('Sofía blocked this patron for 1 day, until 30 Nov, 00:54');
    const browser = system('blocked', 'Sofía blocked this patron’s browser for 60 minutes', {
      until,
      scope: 'browser',
    });
    expect(systemText(browser, () => '30 Nov, 00:54')).toBe(
      'Sofía blocked this patron’s browser for 1 hour, until 30 Nov, 00:54',
    );
    const older = system('blocked', `Sofía blocked this patron until ${until}`, { until });
    expect(systemText(older, () => '30 Nov, 00:54')).toBe('Sofía blocked this patron until 30 Nov, 00:54');
  });

  it('keeps other bodies as they are', () => {
    expect(systemText(system('accepted', 'Sofía joined the chat', {}), String)).toBe('Sofía joined the chat');
  });

  it('never says "you" for the events the server writes', () => {
    const bodies = [
      system('transferred', 'Sofía transferred the chat to Tech Help', { fromName: 'Sofía', toDesk: 'Tech Help' }),
      system('blocked', 'Sofía blocked this patron for 60 minutes', { until: '2026-11-30T05:54:52.740Z' }),
      system('ended', 'Sofía ended the chat', {}),
      system('identified', 'The patron added contact details', {}),
    ].map((event) => systemText(event, () => '30 Nov, 00:54'));
    for (const body of bodies) expect(body).not.toMatch(/\byou\b/i);
  });
});

describe('blockLength', () => {
  it('names whole weeks, days and hours, and minutes otherwise', () => {
    expect([60, 120, 1440, 10080, 20160, 90, 1].map(blockLength)).toEqual([
      '1 hour',
      '2 hours',
      '1 day',
      '1 week',
      '2 weeks',
      '90 minutes',
      '1 minute',
    ]);
  });
});
