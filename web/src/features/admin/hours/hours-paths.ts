import { END_OF_DAY, type Hours, type Weekday } from '@branchline/protocol';

export const DAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/**
 * Monday to Sunday. Built from the record above rather than imported from the protocol, whose
 * value exports pull zod into the bundle; the Record type makes the compiler check every day is there.
 */
export const WEEKDAYS = Object.keys(DAY_NAMES) as Weekday[];

/** Closed every day, no special dates: the hours of a new branch or desk. */
export const CLOSED_HOURS: Hours = {
  weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  exceptions: [],
};

const PARTS: Record<string, string> = { opens: 'opens', closes: 'closes', date: 'date', note: 'note' };

/** Names an hours field path for the error summary: `hours.weekly.mon.0.closes` → "Monday, hours 1, closes". */
export function describeHoursPath(path: string): string | undefined {
  const [root, group, key, ...rest] = path.split('.');
  if (root !== 'hours') return undefined;
  if (group === undefined) return 'Opening hours';
  if (group === 'weekly') {
    const day = DAY_NAMES[key as Weekday] ?? 'Weekly hours';
    return [day, ...describeRest(rest)].join(', ');
  }
  if (group === 'exceptions') {
    if (key === undefined) return 'Special dates';
    return [`Special date ${Number(key) + 1}`, ...describeRest(rest)].join(', ');
  }
  return 'Opening hours';
}

function describeRest(rest: string[]): string[] {
  return rest
    .filter((part) => part !== 'intervals')
    .map((part) => (/^\d+$/.test(part) ? `hours ${Number(part) + 1}` : (PARTS[part] ?? part)));
}

/** A default new interval: 09:00–17:00 for the first, then two hours after the last one closes. */
export function nextInterval(last: { closes: string } | undefined): { opens: string; closes: string } {
  if (!last) return { opens: '09:00', closes: '17:00' };
  const [hours = 0, minutes = 0] = last.closes.split(':').map(Number);
  const end = Math.min(hours * 60 + minutes + 120, 24 * 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return { opens: last.closes, closes: `${pad(Math.floor(end / 60))}:${pad(end % 60)}` };
}

/**
 * A time input cannot show 24:00: a closing time of midnight shows as 00:00, and 00:00 typed as a
 * closing time means midnight at the end of the day (a closing time is never the day's start).
 */
export function closingInputValue(closes: string): string {
  return closes === END_OF_DAY ? '00:00' : closes;
}

export function closingFromInput(value: string): string {
  return value === '00:00' ? END_OF_DAY : value;
}

/** "2026-12-25" → "Friday, 25 December 2026" in the browser's language; the text itself if it is not a date. */
export function formatDay(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(day.getTime())) return date;
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' }).format(day);
}
