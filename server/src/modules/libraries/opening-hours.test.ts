import { OpenInterval, type Hours, type WeeklyHours } from '@branchline/protocol';
import { describe, expect, it } from 'vitest';
import { sameEveryDay } from '../../test/factories.ts';
import { formatClock, hoursOn, isOpenAt } from './opening-hours.ts';

const at = (iso: string) => new Date(iso);
const every = sameEveryDay;
const hours = (weekly: WeeklyHours, exceptions: Hours['exceptions'] = []): Hours => ({ weekly, exceptions });
const nineToFive = hours(every([{ opens: '09:00', closes: '17:00' }]));
const NY = 'America/New_York';

describe('isOpenAt in America/New_York across daylight saving time', () => {
  it('opens at 09:00 local both before (UTC-5) and after (UTC-4) the spring change on 2026-03-08', () => {
    // Friday 2026-03-06, EST: 09:00 local is 14:00 UTC.
    expect(isOpenAt(nineToFive, at('2026-03-06T13:59:59Z'), NY)).toBe(false);
    expect(isOpenAt(nineToFive, at('2026-03-06T14:00:00Z'), NY)).toBe(true);
    // Monday 2026-03-09, EDT: 09:00 local is 13:00 UTC, an hour earlier in UTC.
    expect(isOpenAt(nineToFive, at('2026-03-09T12:59:59Z'), NY)).toBe(false);
    expect(isOpenAt(nineToFive, at('2026-03-09T13:00:00Z'), NY)).toBe(true);
    expect(isOpenAt(nineToFive, at('2026-03-09T20:59:59Z'), NY)).toBe(true);
    expect(isOpenAt(nineToFive, at('2026-03-09T21:00:00Z'), NY)).toBe(false);
  });

  it('treats the skipped hour on 2026-03-08 by the wall clock', () => {
    // 01:59:59 EST is 06:59:59Z; the next second is 03:00:00 EDT (07:00:00Z).
    const skipped = hours({ ...every([]), sun: [{ opens: '02:00', closes: '03:00' }] });
    expect(isOpenAt(skipped, at('2026-03-08T06:59:59Z'), NY)).toBe(false);
    expect(isOpenAt(skipped, at('2026-03-08T07:00:00Z'), NY)).toBe(false);

    const acrossTheGap = hours({ ...every([]), sun: [{ opens: '01:00', closes: '03:30' }] });
    expect(isOpenAt(acrossTheGap, at('2026-03-08T06:00:00Z'), NY)).toBe(true); // 01:00 EST
    expect(isOpenAt(acrossTheGap, at('2026-03-08T07:29:59Z'), NY)).toBe(true); // 03:29 EDT
    expect(isOpenAt(acrossTheGap, at('2026-03-08T07:30:00Z'), NY)).toBe(false); // 03:30 EDT
  });

  it('is open during both occurrences of the repeated hour on 2026-11-01', () => {
    const early = hours({ ...every([]), sun: [{ opens: '01:00', closes: '01:30' }] });
    expect(isOpenAt(early, at('2026-11-01T05:15:00Z'), NY)).toBe(true); // 01:15 EDT
    expect(isOpenAt(early, at('2026-11-01T05:45:00Z'), NY)).toBe(false); // 01:45 EDT
    expect(isOpenAt(early, at('2026-11-01T06:15:00Z'), NY)).toBe(true); // 01:15 EST, again
    expect(hoursOn(early, at('2026-11-01T06:15:00Z'), NY).date).toBe('2026-11-01');
  });

  it('opens at 09:00 local after the autumn change (14:00 UTC again)', () => {
    expect(isOpenAt(nineToFive, at('2026-11-02T13:59:00Z'), NY)).toBe(false);
    expect(isOpenAt(nineToFive, at('2026-11-02T14:00:00Z'), NY)).toBe(true);
    expect(isOpenAt(nineToFive, at('2026-10-30T13:00:00Z'), NY)).toBe(true); // still EDT
  });
});

describe('hoursOn and isOpenAt in Pacific/Auckland', () => {
  const weekdays = hours({ ...every([{ opens: '09:00', closes: '17:00' }]), sat: [], sun: [] });
  const AKL = 'Pacific/Auckland';

  it('uses the local date, which is a day ahead of UTC', () => {
    // Sunday 2026-03-01 20:00 UTC is Monday 2026-03-02 09:00 NZDT (UTC+13).
    expect(hoursOn(weekdays, at('2026-03-01T20:00:00Z'), AKL)).toEqual({
      date: '2026-03-02',
      intervals: [{ opens: '09:00', closes: '17:00' }],
      note: undefined,
    });
    expect(isOpenAt(weekdays, at('2026-03-01T20:00:00Z'), AKL)).toBe(true);
    expect(isOpenAt(weekdays, at('2026-03-01T19:59:00Z'), AKL)).toBe(false);
  });

  it('follows the end of New Zealand daylight time on 2026-04-05 (UTC+13 to UTC+12)', () => {
    // Tuesday 2026-04-07 09:00 NZST is 2026-04-06 21:00 UTC.
    expect(isOpenAt(weekdays, at('2026-04-06T20:30:00Z'), AKL)).toBe(false);
    expect(isOpenAt(weekdays, at('2026-04-06T21:00:00Z'), AKL)).toBe(true);
    expect(hoursOn(weekdays, at('2026-04-06T21:00:00Z'), AKL).date).toBe('2026-04-07');
  });
});

describe('exception dates', () => {
  const withHolidays = hours(every([{ opens: '09:00', closes: '20:00' }]), [
    { date: '2026-11-26', note: 'Thanksgiving Day', intervals: [] },
    { date: '2026-12-24', note: 'Christmas Eve', intervals: [{ opens: '10:00', closes: '14:00' }] },
    { date: '2026-12-31', note: '', intervals: [{ opens: '09:00', closes: '12:00' }] },
  ]);

  it('closes the whole day of a holiday and gives its note', () => {
    expect(hoursOn(withHolidays, at('2026-11-26T15:00:00Z'), NY)).toEqual({
      date: '2026-11-26',
      intervals: [],
      note: 'Thanksgiving Day',
    });
    expect(isOpenAt(withHolidays, at('2026-11-26T15:00:00Z'), NY)).toBe(false);
  });

  it('matches the exception on the local date, not the UTC date', () => {
    // 2026-11-27 03:00 UTC is still Thanksgiving evening (22:00) in New York…
    expect(hoursOn(withHolidays, at('2026-11-27T03:00:00Z'), NY).note).toBe('Thanksgiving Day');
    // …and 2026-11-26 03:00 UTC is the evening before, a normal Wednesday.
    expect(hoursOn(withHolidays, at('2026-11-26T03:00:00Z'), NY)).toMatchObject({
      date: '2026-11-25',
      note: undefined,
    });
  });

  it('shortens a day to the exception’s intervals', () => {
    expect(hoursOn(withHolidays, at('2026-12-24T16:00:00Z'), NY).intervals).toEqual([
      { opens: '10:00', closes: '14:00' },
    ]);
    expect(isOpenAt(withHolidays, at('2026-12-24T14:59:00Z'), NY)).toBe(false); // 09:59, weekly would be open
    expect(isOpenAt(withHolidays, at('2026-12-24T15:00:00Z'), NY)).toBe(true); // 10:00
    expect(isOpenAt(withHolidays, at('2026-12-24T19:00:00Z'), NY)).toBe(false); // 14:00, weekly would be open
  });

  it('reports no note for an exception without one', () => {
    expect(hoursOn(withHolidays, at('2026-12-31T15:00:00Z'), NY)).toEqual({
      date: '2026-12-31',
      intervals: [{ opens: '09:00', closes: '12:00' }],
      note: undefined,
    });
  });
});

describe('weekdays, several intervals and boundaries', () => {
  it('uses Sunday in Los Angeles for an instant that is already Monday in UTC', () => {
    const sundayEvening = hours({ ...every([]), sun: [{ opens: '20:00', closes: '22:00' }] });
    const instant = at('2026-03-02T05:00:00Z'); // Monday 05:00 UTC, Sunday 21:00 PST
    expect(hoursOn(sundayEvening, instant, 'America/Los_Angeles')).toMatchObject({
      date: '2026-03-01',
      intervals: [{ opens: '20:00', closes: '22:00' }],
    });
    expect(isOpenAt(sundayEvening, instant, 'America/Los_Angeles')).toBe(true);
    expect(hoursOn(sundayEvening, instant, 'UTC')).toMatchObject({ date: '2026-03-02', intervals: [] });
    expect(isOpenAt(sundayEvening, instant, 'UTC')).toBe(false);
  });

  it('closes over lunch between two intervals', () => {
    const lunch = hours(
      every([
        { opens: '09:00', closes: '12:00' },
        { opens: '13:00', closes: '17:00' },
      ]),
    );
    const utc = (time: string) => at(`2026-03-03T${time}Z`);
    expect(isOpenAt(lunch, utc('11:59:59'), 'UTC')).toBe(true);
    expect(isOpenAt(lunch, utc('12:00:00'), 'UTC')).toBe(false);
    expect(isOpenAt(lunch, utc('12:30:00'), 'UTC')).toBe(false);
    expect(isOpenAt(lunch, utc('13:00:00'), 'UTC')).toBe(true);
    expect(isOpenAt(lunch, utc('16:59:59'), 'UTC')).toBe(true);
    expect(isOpenAt(lunch, utc('17:00:00'), 'UTC')).toBe(false);
  });

  it('treats opening time as inclusive and closing time as exclusive', () => {
    const utc = (time: string) => at(`2026-03-04T${time}Z`);
    expect(isOpenAt(nineToFive, utc('08:59:59.999'), 'UTC')).toBe(false);
    expect(isOpenAt(nineToFive, utc('09:00:00.000'), 'UTC')).toBe(true);
    expect(isOpenAt(nineToFive, utc('16:59:59.999'), 'UTC')).toBe(true);
    expect(isOpenAt(nineToFive, utc('17:00:00.000'), 'UTC')).toBe(false);
  });

  it('stays open to the last instant of the day when it closes at 24:00, and all day from 00:00', () => {
    const allDay = hours(every([{ opens: '00:00', closes: '24:00' }]));
    expect(OpenInterval.safeParse({ opens: '00:00', closes: '24:00' }).success).toBe(true);
    expect(OpenInterval.safeParse({ opens: '24:00', closes: '24:00' }).success).toBe(false);
    expect(OpenInterval.safeParse({ opens: '09:00', closes: '24:01' }).success).toBe(false);
    expect(isOpenAt(allDay, at('2026-03-04T00:00:00.000Z'), 'UTC')).toBe(true);
    expect(isOpenAt(allDay, at('2026-03-04T23:59:59.999Z'), 'UTC')).toBe(true);
    // Across the autumn change the repeated hour is open too.
    expect(isOpenAt(allDay, at('2026-11-01T05:30:00Z'), NY)).toBe(true);
    const evenings = hours(every([{ opens: '18:00', closes: '24:00' }]));
    expect(isOpenAt(evenings, at('2026-03-04T23:59:00Z'), 'UTC')).toBe(true);
    expect(isOpenAt(evenings, at('2026-03-05T00:00:00Z'), 'UTC')).toBe(false);
  });

  it('is closed all day when the weekday has no intervals', () => {
    const weekendsClosed = hours({ ...every([{ opens: '00:00', closes: '23:59' }]), sat: [], sun: [] });
    expect(isOpenAt(weekendsClosed, at('2026-03-07T12:00:00Z'), 'UTC')).toBe(false); // Saturday
    expect(isOpenAt(weekendsClosed, at('2026-03-06T12:00:00Z'), 'UTC')).toBe(true); // Friday
  });
});

describe('formatClock', () => {
  it('formats a wall-clock time for the reader’s locale', () => {
    expect(formatClock('09:05', 'en')).toMatch(/^9:05\sAM$/);
    expect(formatClock('17:30', 'en')).toMatch(/^5:30\sPM$/);
    expect(formatClock('17:30', 'es')).toBe('17:30');
    expect(formatClock('24:00', 'en')).toMatch(/^12:00\sAM$/);
    expect(formatClock('24:00', 'es')).toBe('0:00');
  });
});
