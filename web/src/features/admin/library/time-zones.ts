let cached: readonly string[] | null = null;

/** The IANA time zones this browser knows, with `current` kept even if the browser omits it. */
export function timeZoneOptions(current: string): readonly string[] {
  cached ??= Intl.supportedValuesOf('timeZone');
  return current && !cached.includes(current) ? [current, ...cached] : cached;
}
