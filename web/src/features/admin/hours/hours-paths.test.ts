import { describe, expect, it } from 'vitest';
import {
  CLOSED_HOURS,
  closingFromInput,
  closingInputValue,
  describeHoursPath,
  nextInterval,
  WEEKDAYS,
} from './hours-paths.ts';

describe('describeHoursPath', () => {
  it('names weekly and special-date fields in words', () => {
    expect(describeHoursPath('hours.weekly.mon.0.closes')).toBe('Monday, hours 1, closes');
    expect(describeHoursPath('hours.weekly.tue')).toBe('Tuesday');
    expect(describeHoursPath('hours.exceptions.2.date')).toBe('Special date 3, date');
    expect(describeHoursPath('hours.exceptions.0.intervals.1.opens')).toBe('Special date 1, hours 2, opens');
    expect(describeHoursPath('hours.exceptions')).toBe('Special dates');
    expect(describeHoursPath('name')).toBeUndefined();
  });
});

describe('nextInterval', () => {
  it('starts the day at nine to five, then follows the last interval', () => {
    expect(nextInterval(undefined)).toEqual({ opens: '09:00', closes: '17:00' });
    expect(nextInterval({ closes: '13:00' })).toEqual({ opens: '13:00', closes: '15:00' });
    expect(nextInterval({ closes: '23:00' })).toEqual({ opens: '23:00', closes: '24:00' });
  });
});

describe('weekdays', () => {
  it('runs Monday to Sunday, all closed for a new branch', () => {
    expect(WEEKDAYS).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(WEEKDAYS.every((day) => CLOSED_HOURS.weekly[day].length === 0)).toBe(true);
  });
});

describe('a closing time of midnight', () => {
  it('shows as 00:00 in the time input, and 00:00 typed as a closing time is the end of the day', () => {
    expect(closingInputValue('24:00')).toBe('00:00');
    expect(closingInputValue('17:30')).toBe('17:30');
    expect(closingFromInput('00:00')).toBe('24:00');
    expect(closingFromInput('17:30')).toBe('17:30');
  });
});
