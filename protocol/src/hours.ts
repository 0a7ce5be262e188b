import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const ClockTime = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'Use 24-hour HH:MM');
/** The end of the day is 24:00, so that a desk can be open until midnight (or all day). */
export const END_OF_DAY = '24:00';
const ClosingTime = z.string().regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Use 24-hour HH:MM (24:00 for midnight)');

/** One open interval within a day, in the library's local time. */
export const OpenInterval = z
  .strictObject({ opens: ClockTime, closes: ClosingTime })
  .refine((i) => i.opens < i.closes, { message: 'Closing time must be after opening time', path: ['closes'] });
export type OpenInterval = z.infer<typeof OpenInterval>;

const DayIntervals = z.array(OpenInterval).max(6).refine(noOverlap, { message: 'Open intervals overlap' });

/** Regular weekly hours: a list of intervals per weekday; an empty list means closed. */
export const WeeklyHours = z.strictObject({
  mon: DayIntervals,
  tue: DayIntervals,
  wed: DayIntervals,
  thu: DayIntervals,
  fri: DayIntervals,
  sat: DayIntervals,
  sun: DayIntervals,
});
export type WeeklyHours = z.infer<typeof WeeklyHours>;

/** A date whose hours differ from the weekly pattern (holiday closure, early close). */
export const HoursException = z.strictObject({
  date: z.iso.date(),
  note: z.string().trim().max(120).default(''),
  intervals: DayIntervals,
});
export type HoursException = z.infer<typeof HoursException>;

export const Hours = z
  .strictObject({
    weekly: WeeklyHours,
    exceptions: z.array(HoursException).max(366).default([]),
  })
  .refine((h) => new Set(h.exceptions.map((e) => e.date)).size === h.exceptions.length, {
    message: 'Each date may have only one exception',
    path: ['exceptions'],
  });
export type Hours = z.infer<typeof Hours>;

export const CLOSED_HOURS: Hours = {
  weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  exceptions: [],
};

function noOverlap(intervals: OpenInterval[]): boolean {
  const sorted = [...intervals].sort((a, b) => a.opens.localeCompare(b.opens));
  return sorted.every((iv, i) => i === 0 || sorted[i - 1]!.closes <= iv.opens);
}
