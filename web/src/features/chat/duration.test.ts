import { describe, expect, it } from 'vitest';
import { formatDuration, secondsSince } from './duration.ts';

describe('durations', () => {
  it('says waits in words', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(90)).toBe('1 min 30 s');
    expect(formatDuration(120)).toBe('2 min');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(secondsSince('2026-01-01T10:00:00.000Z', Date.parse('2026-01-01T10:01:30.000Z'))).toBe(90);
    expect(secondsSince(null, 0)).toBe(0);
  });
});
