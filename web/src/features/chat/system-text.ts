import type { ConversationEvent } from '@branchline/protocol';

/**
 * A system event as staff read it. The log's bodies are written for the patron ("… transferred
 * you to Marcus"); where the event's data says more plainly what happened, staff get that, with
 * moments in the library's time zone instead of raw timestamps.
 */
export function systemText(event: ConversationEvent, formatMoment: (iso: string) => string): string {
  const { data } = event;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null);
  if (event.systemKind === 'transferred') {
    const from = text('fromName');
    const to = text('toName') ?? text('toDesk');
    if (from && to) return `${from} transferred the chat to ${to}.`;
  }
  if (event.systemKind === 'blocked') {
    const until = text('until');
    if (until && event.body.includes(until)) return event.body.replace(until, formatMoment(until));
  }
  return event.body;
}
