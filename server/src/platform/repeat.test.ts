import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { repeat } from './repeat.ts';

describe('repeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs every period, the first time after the given delay', async () => {
    let runs = 0;
    const job = repeat(async () => void runs++, { everyMs: 1000, firstAfterMs: 10, onError: () => undefined });
    await vi.advanceTimersByTimeAsync(10);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(4);
    await job.stop();
  });

  it('skips a run while the previous one is still going', async () => {
    let started = 0;
    let finish: () => void = () => undefined;
    const job = repeat(
      () => {
        started++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      { everyMs: 100, onError: () => undefined },
    );
    await vi.advanceTimersByTimeAsync(350);
    expect(started).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(2);
    finish();
    await job.stop();
  });

  it('reports a failure and keeps to the schedule', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const job = repeat(
      async () => {
        runs++;
        throw new Error(`run ${runs}`);
      },
      { everyMs: 100, onError: (error) => errors.push(error) },
    );
    await vi.advanceTimersByTimeAsync(300);
    expect(runs).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(['run 1', 'run 2', 'run 3']);
    await job.stop();
  });

  it('on stop, waits for the run in progress and starts no other', async () => {
    let finish: () => void = () => undefined;
    let runs = 0;
    let finished = false;
    const job = repeat(
      () => {
        runs++;
        return new Promise<void>((resolve) => (finish = resolve)).then(() => void (finished = true));
      },
      { everyMs: 100, onError: () => undefined },
    );
    await vi.advanceTimersByTimeAsync(100);
    const stopping = job.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(500);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(finished).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(runs).toBe(1);
  });
});
