import { describe, expect, it } from 'vitest';
import type { ConversationEvent } from '@branchline/protocol';
import { systemText } from './system-text.ts';

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
  it('says transfers from the staff side', () => {
    const toPerson = system('transferred', 'Sofía transferred you to Marcus. Please stay in this chat.', {
      fromName: 'Sofía',
      toName: 'Marcus',
      toStaffId: 's2',
    });
    expect(systemText(toPerson, String)).toBe('Sofía transferred the chat to Marcus.');
    const toDesk = system('transferred', 'Sofía transferred you to Tech Help. Please stay…', {
      fromName: 'Sofía',
      toDesk: 'Tech Help',
    });
    expect(systemText(toDesk, String)).toBe('Sofía transferred the chat to Tech Help.');
  });

  it('shows the end of a block as a moment, not a timestamp', () => {
    const until = '2026-11-30T05:54:52.740Z';
    const event = system('blocked', `Sofía blocked this patron until ${until}`, { until });
    expect(systemText(event, () => '30 Nov, 00:54')).toBe('Sofía blocked this patron until 30 Nov, 00:54');
  });

  it('keeps other bodies as they are', () => {
    expect(systemText(system('accepted', 'Sofía joined the chat', {}), String)).toBe('Sofía joined the chat');
  });
});
