import { useSyncExternalStore } from 'react';

const MINUTE = 60_000;
const listeners = new Set<() => void>();
let timer: number | undefined;

/** One shared timer for every reader, started with the first and stopped after the last. */
function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  timer ??= window.setInterval(() => listeners.forEach((listener) => listener()), MINUTE);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0 && timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Snapshots change once a minute, so every reader in the same minute sees the same value. */
function currentMinute(): number {
  return Math.floor(Date.now() / MINUTE) * MINUTE;
}

/** The current time to the minute, re-rendering once a minute: enough for "3 min ago". */
export function useNow(): number {
  return useSyncExternalStore(subscribe, currentMinute);
}
