import { useEffect, useState } from 'react';

/** The current time, re-rendering every few seconds: for waits counted in seconds. */
export function useSecondsNow(everyMs = 5_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}
