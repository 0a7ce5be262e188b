import { describe, expect, it } from 'vitest';
import { dayRange, startOfDayIn } from './zoned-day.ts';

describe('startOfDayIn', () => {
  it('finds midnight in the library’s zone, not the browser’s', () => {
    expect(startOfDayIn('2026-01-15', 'America/New_York')).toBe('2026-01-15T05:00:00.000Z');
    expect(startOfDayIn('2026-07-15', 'America/New_York')).toBe('2026-07-15T04:00:00.000Z');
    expect(startOfDayIn('2026-07-15', 'Asia/Kolkata')).toBe('2026-07-14T18:30:00.000Z');
    expect(startOfDayIn('2026-07-15', 'UTC')).toBe('2026-07-15T00:00:00.000Z');
  });

  it('gives the end of a day as the start of the next, across month ends and DST changes', () => {
    expect(startOfDayIn('2026-03-31', 'Europe/London', 1)).toBe('2026-03-31T23:00:00.000Z');
    // New York springs forward on 8 March 2026: that day has 23 hours.
    expect(startOfDayIn('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfDayIn('2026-03-08', 'America/New_York', 1)).toBe('2026-03-09T04:00:00.000Z');
    expect(startOfDayIn('2026-12-31', 'UTC', 1)).toBe('2027-01-01T00:00:00.000Z');
  });

  it('answers nothing for what is not a date', () => {
    expect(startOfDayIn('', 'UTC')).toBeUndefined();
    expect(startOfDayIn('15/01/2026', 'UTC')).toBeUndefined();
    expect(startOfDayIn('2026-1-5', 'UTC')).toBeUndefined();
  });
});

describe('dayRange', () => {
  it('covers the chosen days whole, in the library’s zone', () => {
    expect(dayRange('2026-05-01', '2026-05-01', 'America/New_York')).toEqual({
      since: '2026-05-01T04:00:00.000Z',
      until: '2026-05-02T04:00:00.000Z',
      backwards: false,
      ready: true,
    });
    expect(dayRange('', '', undefined)).toEqual({ since: '', until: '', backwards: false, ready: true });
  });

  it('waits for the zone when days are chosen, and asks for nothing when the days are backwards', () => {
    expect(dayRange('2026-05-01', '', undefined).ready).toBe(false);
    expect(dayRange('2026-05-03', '2026-05-01', 'UTC')).toEqual({
      since: '',
      until: '',
      backwards: true,
      ready: false,
    });
  });
});
