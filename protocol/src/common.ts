import { z } from 'zod';

export const Id = z.uuid();
export type Id = z.infer<typeof Id>;

/** UTC instant, ISO-8601 with milliseconds and a Z. */
export const Timestamp = z.iso.datetime();

/** IANA time zone name, checked against the runtime's zone database. */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, { message: 'Not a known IANA time zone, e.g. America/New_York' });

export function isValidTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Direction embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). Right-to-left
 * names need none of them; in a name they would reverse the text shown after it ("Sofía 2:05"
 * read backwards). Direction marks (U+200E, U+200F) stay.
 */
const DIRECTION_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/gu;

/** A short human name: trimmed, 1..120 characters, no control characters. */
export const Name = z
  .string()
  .transform((name) => name.replace(DIRECTION_CONTROLS, '').trim())
  .pipe(
    z
      .string()
      .min(1, 'Required')
      .max(120, 'At most 120 characters')
      .regex(/^[^\p{Cc}]*$/u, 'Must not contain control characters'),
  );

/** A wrap-up tag ("holds", "e-books"): trimmed, 1..40 characters, no control characters. */
export const Tag = z
  .string()
  .transform((tag) => tag.replace(DIRECTION_CONTROLS, '').trim())
  .pipe(
    z
      .string()
      .min(1, 'Required')
      .max(40, 'At most 40 characters')
      .regex(/^[^\p{Cc}]*$/u, 'Must not contain control characters'),
  );

const LOCALHOST_EMAIL = /^[a-z0-9._%+-]+@localhost$/;

/** An email address; `name@localhost` is accepted too, for the first administrator of a fresh install. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .refine((v) => LOCALHOST_EMAIL.test(v) || z.email().safeParse(v).success, 'Not a valid email address');

export const Phone = z
  .string()
  .trim()
  .max(40)
  .regex(/^[0-9+().\-\s]*(?:\s*(?:x|ext\.?)\s*\d+)?$/i, 'Not a valid phone number');

export const Slug = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(60, 'At most 60 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Lowercase letters, digits and single hyphens only');

/** BCP 47 language tag such as en, es, zh-Hant. */
export const LanguageTag = z
  .string()
  .trim()
  .regex(/^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$/, 'Not a language tag such as en or es');

export const IdParams = z.strictObject({ id: Id });

const INSTANT = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z`;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A real instant both databases store: years 1 to 9999, to the millisecond at most. */
function isStorableInstant(text: string): boolean {
  const time = Date.parse(text);
  return (
    !Number.isNaN(time) && !text.startsWith('0000') && new Date(time).toISOString().slice(0, 19) === text.slice(0, 19)
  );
}

/**
 * A bound of a list query: UTC, to the millisecond at most, years 1 to 9999 (what both databases
 * store). Finer or odd instants would be cut or refused by the database instead of by the API.
 * Parsed, it is written as the database writes times (milliseconds always), so text compares.
 */
export const QueryInstant = z
  .string()
  .regex(new RegExp(`^${INSTANT}$`), 'A UTC time such as 2026-05-01T00:00:00Z')
  .refine(isStorableInstant, 'Not a time that exists')
  .transform((text) => new Date(text).toISOString());

/**
 * An opaque position in a list read newest first (a time and an id), handed back as `nextBefore`
 * to read the page after it; entries made in the same millisecond are neither repeated nor skipped.
 */
export const PageCursor = z
  .string()
  .max(100)
  .regex(new RegExp(`^${INSTANT}_${UUID}$`), 'Not a position in this list')
  .refine((cursor) => isStorableInstant(cursor.slice(0, cursor.lastIndexOf('_'))), 'Not a position in this list');

/** Splits a cursor made by `cursorOf` into its time and id. */
export function parseCursor(cursor: string): { at: string; id: string } {
  const split = cursor.lastIndexOf('_');
  return { at: new Date(cursor.slice(0, split)).toISOString(), id: cursor.slice(split + 1) };
}

export function cursorOf(at: string, id: string): string {
  return `${at}_${id}`;
}

/** For a `.refine` of a list query with `since` and `until`: the start comes before the end. */
export function sinceBeforeUntil(q: { since?: string | undefined; until?: string | undefined }): boolean {
  return q.since === undefined || q.until === undefined || Date.parse(q.since) < Date.parse(q.until);
}
export const SINCE_AFTER_UNTIL = { message: 'The start must come before the end', path: ['until'] };

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
