/**
 * Runs `task` every `everyMs` (the first time after `firstAfterMs`, else after one period), never
 * two runs at once: a run still going when the next is due makes that one skip. Failures go to
 * `onError`; the schedule goes on. Timers do not keep the process alive. `stop` cancels what is
 * scheduled and waits for a run in progress, so what it uses can be closed after.
 */
export function repeat(
  task: () => Promise<unknown>,
  options: { everyMs: number; firstAfterMs?: number; onError: (error: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = task()
      .then(() => undefined, options.onError)
      .finally(() => (running = undefined));
  };
  const interval = setInterval(run, options.everyMs);
  interval.unref();
  const first = options.firstAfterMs === undefined ? undefined : setTimeout(run, options.firstAfterMs);
  first?.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(interval);
      clearTimeout(first);
      await running;
    },
  };
}
