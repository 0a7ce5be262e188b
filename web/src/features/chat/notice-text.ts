import type { Notice } from './chat-state.ts';

/** What a notice says, in words; desk names come from the caller. */
export function noticeText(notice: Notice, deskName: (deskId: string) => string): string {
  switch (notice.kind) {
    case 'offer':
      return `New chat waiting on ${deskName(notice.deskId)}.`;
    case 'transferred':
      return `${notice.from} passed you the chat with ${notice.patron}.`;
    case 'taken':
      return notice.takenBy ? `Taken by ${notice.takenBy}.` : 'A colleague took the chat.';
    case 'withdrawn':
      return {
        timeout: 'A chat stopped ringing for you and went to a colleague.',
        abandoned: 'A waiting patron left before anyone answered.',
        transferred: 'A waiting chat moved to another desk.',
        declined: 'You passed the chat on.',
      }[notice.reason];
    case 'error':
      return notice.message;
    case 'info':
      return notice.text;
  }
}
