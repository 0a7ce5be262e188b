import type { Hours, OpenInterval, Weekday } from '@branchline/protocol';
import { DateTime } from 'luxon';

const LUXON_WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export interface DayHours {
  /** Local date, YYYY-MM-DD, in the library's time zone. */
  date: string;
  intervals: OpenInterval[];
  /** The exception's note (a holiday's name) when the day differs from the weekly pattern. */
  note: string | undefined;
}

/** Opening intervals on the local date that contains `instant`, exceptions first. */
export function hoursOn(hours: Hours, instant: Date, timeZone: string): DayHours {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  const date = local.toISODate() ?? '';
  const exception = hours.exceptions.find((e) => e.date === date);
  if (exception) return { date, intervals: exception.intervals, note: exception.note || undefined };
  const weekday = LUXON_WEEKDAYS[local.weekday - 1]!;
  return { date, intervals: hours.weekly[weekday], note: undefined };
}

/** Whether `instant` falls in an open interval, judged by the wall clock in `timeZone` (DST-safe). */
export function isOpenAt(hours: Hours, instant: Date, timeZone: string): boolean {
  const local = DateTime.fromJSDate(instant, { zone: timeZone });
  const clock = local.toFormat('HH:mm');
  return hoursOn(hours, instant, timeZone).intervals.some((i) => i.opens <= clock && clock < i.closes);
}

/** "9:00 AM" / "9:00" in the reader's locale, for an HH:MM wall-clock time (24:00 is midnight). */
export function formatClock(time: string, locale: string): string {
  const [h = 0, m = 0] = time.split(':').map(Number);
  if (h === 24)
    return DateTime.fromObject({ hour: 0, minute: m }).setLocale(locale).toLocaleString(DateTime.TIME_SIMPLE);
  return DateTime.fromObject({ hour: h, minute: m }).setLocale(locale).toLocaleString(DateTime.TIME_SIMPLE);
}
