import type { ConversationEvent } from '@branchline/protocol';

const UNITS = [
  { minutes: 7 * 24 * 60, one: 'week', many: 'weeks' },
  { minutes: 24 * 60, one: 'day', many: 'days' },
  { minutes: 60, one: 'hour', many: 'hours' },
] as const;

/** 60 → "1 hour", 10080 → "1 week", 90 → "90 minutes". */
export function blockLength(minutes: number): string {
  const unit = UNITS.find((u) => minutes >= u.minutes && minutes % u.minutes === 0);
  if (!unit) return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const count = minutes / unit.minutes;
  return `${count} ${count === 1 ? unit.one : unit.many}`;
}

/**
 * A system event as staff read it, in the third person ("Sofía transferred the chat to Marcus"):
 * never "you", since whoever reads the log may not be the person it happened to. The server
 * writes its bodies that way; events logged before it did ("… transferred you to Marcus") are
 * said from their data. A block's end is shown as a moment in the library's time zone.
 */
export function systemText(event: ConversationEvent, formatMoment: (iso: string) => string): string {
  const { data } = event;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : null);
  if (event.systemKind === 'transferred') {
    const from = text('fromName');
    const to = text('toName') ?? text('toDesk');
    if (from && to && text('reason') === 'disconnected')
      return `${from} lost their connection; the chat went back to ${to}`;
    if (from && to) return `${from} transferred the chat to ${to}`;
  }
  if (event.systemKind === 'blocked') {
    const until = text('until');
    if (!until) return event.body;
    // Older bodies carried the raw timestamp: "… blocked this patron until 2026-11-30T05:54:52.740Z".
    if (event.body.includes(until)) return event.body.replace(until, formatMoment(until));
    const body = event.body.replace(/\bfor (\d+) minutes\b/, (_, minutes: string) => `for ${blockLength(+minutes)}`);
    return `${body}, until ${formatMoment(until)}`;
  }
  return event.body;
}
