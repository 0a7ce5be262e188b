/** The wall-clock offset of `timeZone` from UTC at an instant, in milliseconds (east is positive). */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a calendar day (YYYY-MM-DD) begins in a time zone, as ISO-8601 UTC; `days` moves
 * to a later or earlier day first (1: the start of the next day, the end of this one). Undefined
 * for a malformed date.
 */
export function startOfDayIn(date: string, timeZone: string, days = 0): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days);
  if (Number.isNaN(wall)) return undefined;
  // Twice: the offset at the first guess may differ from the offset at the answer across a DST change.
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone)).toISOString();
}

export interface DayRange {
  /** UTC instants: the start of the first day, the end of the last; '' when not chosen. */
  since: string;
  until: string;
  /** The last day comes before the first: nothing to ask for. */
  backwards: boolean;
  /** Whether the list can be read: the range is sound, and the zone is known when days are chosen. */
  ready: boolean;
}

/**
 * The instants a From–To choice of days (YYYY-MM-DD, both inclusive) covers in the library's time
 * zone. Chosen days wait for the zone (`ready` is false until it is known), so a day is never read
 * in the wrong one.
 */
export function dayRange(from: string, to: string, timeZone: string | undefined): DayRange {
  const zone = timeZone ?? 'UTC';
  const since = (from && startOfDayIn(from, zone)) || '';
  const until = (to && startOfDayIn(to, zone, 1)) || '';
  const backwards = since !== '' && until !== '' && since >= until;
  return {
    since: backwards ? '' : since,
    until: backwards ? '' : until,
    backwards,
    ready: !backwards && (timeZone !== undefined || (!from && !to)),
  };
}
