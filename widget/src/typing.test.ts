import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingSignal } from './typing.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TypingSignal', () => {
  it('sends true at most every 3 s while typing and false after 5 s idle', () => {
    const sent: boolean[] = [];
    const typing = new TypingSignal((v) => sent.push(v));
    typing.input(true);
    vi.advanceTimersByTime(1000);
    typing.input(true);
    vi.advanceTimersByTime(1000);
    typing.input(true);
    expect(sent).toEqual([true]);
    vi.advanceTimersByTime(1000);
    typing.input(true);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(4999);
    expect(sent).toEqual([true, true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, true, false]);
  });

  it('sends false when the message is sent or the box is cleared, once', () => {
    const sent: boolean[] = [];
    const typing = new TypingSignal((v) => sent.push(v));
    typing.input(true);
    typing.stop();
    typing.stop();
    typing.input(true);
    typing.input(false);
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false, true, false]);
  });
});
