import type { PatronEvent } from '@branchline/protocol';
import { t, type Lang } from './messages.ts';
import { systemText } from './view-log.ts';

/**
 * The chat as plain text, for the patron to keep: a heading, then one line per message with its
 * time, in the patron's language. System lines (queued, transferred…) are in brackets. When the
 * tab no longer holds the first messages (it keeps the latest), the copy says so.
 */
export function transcriptText(events: readonly PatronEvent[], lang: Lang, heading: string): string {
  const locale = lang === 'es' ? 'es' : 'en';
  const first = events[0];
  const day = first ? new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(first.createdAt)) : '';
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const lines = [heading, t(lang, 'copyOn', { day }), ''];
  if (first && first.seq > 1) lines.push(t(lang, 'copyEarlierMissing'), '');
  for (const event of events) {
    const at = time.format(new Date(event.createdAt));
    if (event.from === 'system') {
      const said = systemText(event, lang);
      if (said) lines.push(`${at}  [${said}]`);
      continue;
    }
    // Later lines of a message line up under its first.
    const text = event.body.replace(/\r\n?/g, '\n').replace(/\n/g, `\r\n${' '.repeat(at.length + 2)}`);
    lines.push(
      `${at}  ${event.from === 'patron' ? t(lang, 'you') : (event.displayName ?? t(lang, 'librarian'))}: ${text}`,
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** "chat-2026-11-29.txt", by the day the chat started (local time). */
export function transcriptFileName(events: readonly PatronEvent[]): string {
  const started = events[0] ? new Date(events[0].createdAt) : new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `chat-${started.getFullYear()}-${pad(started.getMonth() + 1)}-${pad(started.getDate())}.txt`;
}
