import { useNow } from './use-now.ts';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "yesterday", "just now". */
export function relativeTime(from: number, now: number): string {
  const elapsed = from - now;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(elapsed) >= size) return format.format(Math.round(elapsed / size), unit);
  }
  return 'just now';
}

interface DateTimeProps {
  iso: string | null;
  /** The library's IANA time zone; times are shown in it, not in the browser's. */
  timeZone?: string | undefined;
  /** Said when there is no moment, e.g. a person who has never signed in. */
  empty?: string;
}

/** A moment in the library's time zone with a relative hint: "3 Mar 2026, 14:05 (2 days ago)". */
export function DateTime({ iso, timeZone, empty = 'Never' }: DateTimeProps) {
  const now = useNow();
  if (!iso) return <>{empty}</>;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return <>{iso}</>;
  const text = new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
  return (
    <time dateTime={iso}>
      {text} ({relativeTime(date.getTime(), now)})
    </time>
  );
}
