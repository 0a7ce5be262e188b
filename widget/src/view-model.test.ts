import { describe, expect, it } from 'vitest';
import type { DeskAvailability } from '@branchline/protocol';
import { emptyChat } from './store.ts';
import { TOKEN, conversation, event } from './test-fakes.ts';
import { type WidgetFacts, buildViewModel } from './view-model.ts';

const desk: DeskAvailability = {
  slug: 'ask',
  name: 'Homework help',
  libraryName: 'Springfield Public Library',
  isOpen: true,
  isStaffed: true,
  waiting: 0,
  estimatedWaitSeconds: null,
  suggestLeavingQuestion: false,
};

const facts = (over: Partial<WidgetFacts> = {}): WidgetFacts => ({
  lang: 'en',
  open: true,
  label: null,
  chat: emptyChat(),
  link: 'idle',
  typing: null,
  online: true,
  desk,
  deskState: 'ready',
  blocked: false,
  expired: false,
  chatAnyway: false,
  askingInstead: false,
  questionSent: false,
  notice: '',
  ...over,
});

const chatting = () => ({ ...emptyChat(), token: TOKEN, conversation: conversation() });

describe('buildViewModel', () => {
  it('opens on the message box, with no form, when the desk is staffed', () => {
    const model = buildViewModel(facts());
    expect([model.screen, model.phase]).toEqual(['chat', 'intro']);
    expect(model.launcherText).toBe('Ask a librarian');
    expect(model.subtitle).toBe('Springfield Public Library — Homework help');
  });

  it('uses the label attribute for the launcher, until a chat is under way', () => {
    expect(buildViewModel(facts({ label: 'Chat with us' })).launcherText).toBe('Chat with us');
    const model = buildViewModel(facts({ label: 'Chat with us', chat: chatting() }));
    expect(model.launcherText).toBe('Continue your chat');
  });

  it('counts unread staff messages on the launcher', () => {
    const chat = { ...chatting(), events: [event(1), event(2), event(3, { from: 'patron' })], readSeq: 1 };
    expect(buildViewModel(facts({ open: false, chat })).launcherText).toBe('Continue your chat (1 new)');
  });

  it('has words for the page title while a librarian’s message waits unread, and none otherwise', () => {
    const unread = { ...chatting(), events: [event(1), event(2), event(3)], readSeq: 1 };
    expect(buildViewModel(facts({ chat: unread })).titleAlert).toBe('(2) Reply from the library');
    expect(buildViewModel(facts({ chat: unread, lang: 'es' })).titleAlert).toBe('(2) Respuesta de la biblioteca');
    expect(buildViewModel(facts({ chat: { ...unread, readSeq: 3 } })).titleAlert).toBe('');
    const mine = { ...chatting(), events: [event(1, { from: 'patron' })], readSeq: 0 };
    expect(buildViewModel(facts({ chat: mine })).titleAlert).toBe('');
    const ended = { ...unread, conversation: conversation({ status: 'resolved' }) };
    expect(buildViewModel(facts({ chat: ended })).titleAlert).toBe('');
  });

  it('offers to leave a question when the desk is closed', () => {
    const model = buildViewModel(facts({ desk: { ...desk, isOpen: false } }));
    expect(model.screen).toBe('question');
    expect(model.questionReason).toBe('Chat is closed right now.');
    expect(model.canChatInstead).toBe(false);
  });

  it('suggests leaving a question when the desk says so, but lets the patron wait instead', () => {
    const busy = { ...desk, suggestLeavingQuestion: true };
    const suggested = buildViewModel(facts({ desk: busy }));
    expect([suggested.screen, suggested.canChatInstead]).toEqual(['question', true]);
    expect(buildViewModel(facts({ desk: busy, chatAnyway: true })).screen).toBe('chat');
  });

  it('shows a chat under way whatever the desk says now', () => {
    expect(buildViewModel(facts({ desk: { ...desk, isOpen: false }, chat: chatting() })).screen).toBe('chat');
  });

  it('waits for the desk, and offers to try again when it cannot be reached', () => {
    expect(buildViewModel(facts({ desk: null, deskState: 'loading' })).screen).toBe('loading');
    const unreachable = buildViewModel(facts({ desk: null, deskState: 'error' }));
    expect([unreachable.screen, unreachable.canRetryDesk]).toEqual(['unavailable', true]);
  });

  it('tells a blocked patron to call or email instead', () => {
    const model = buildViewModel(facts({ blocked: true }));
    expect(model.screen).toBe('unavailable');
    expect(model.unavailableText).toBe('This chat is not available right now. You can call or email the library.');
    expect(model.canRetryDesk).toBe(false);
  });

  it('moves to the ended phase with rating and transcript state', () => {
    const chat = {
      ...chatting(),
      conversation: conversation({ status: 'missed', rating: null, transcriptRequested: true }),
    };
    const model = buildViewModel(facts({ chat, typing: 'Maria' }));
    expect(model.phase).toBe('ended');
    expect([model.missed, model.rated, model.transcriptRequested, model.typing]).toEqual([true, false, true, '']);
    expect(model.launcherText).toBe('Ask a librarian');
  });

  it('speaks Spanish', () => {
    const model = buildViewModel(facts({ lang: 'es', chat: chatting(), link: 'online', typing: 'Ana' }));
    expect(model.status).toBe('Está conversando con Maria');
    expect(model.typing).toBe('Ana está escribiendo…');
  });
});
