import { z } from 'zod';
import { Email, Id, Name, Phone, Slug, TimeZone, Timestamp } from './common.ts';
import { Hours } from './hours.ts';

const Url = z.url({ protocol: /^https?$/, message: 'Use an http or https address' }).max(500);
const optional = <T extends z.ZodType>(s: T) => z.union([s, z.literal('')]).default('');

export const Library = z.object({
  id: Id,
  name: z.string(),
  slug: z.string(),
  timeZone: z.string(),
  contactEmail: z.string(),
  contactPhone: z.string(),
  websiteUrl: z.string(),
  /** Web origins allowed to embed the chat widget, e.g. https://www.library.example */
  allowedOrigins: z.array(z.string()),
  /** Host names this library's own public pages answer on, e.g. ask.eastside.example (a cooperative). */
  hostnames: z.array(z.string()),
  /** Days the messages of an ended conversation and what identified the patron are kept. */
  transcriptRetentionDays: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Library = z.infer<typeof Library>;

/** How long transcripts are kept: a week at least (for follow-ups), ten years at most. */
export const TranscriptRetentionDays = z
  .number({ error: 'A number of days' })
  .int('A whole number of days')
  .min(7, 'At least 7 days')
  .max(3650, 'At most 3650 days (ten years)');
export const DEFAULT_TRANSCRIPT_RETENTION_DAYS = 90;

/** A web origin: scheme, host and optional port, nothing else. */
export const WebOrigin = z
  .string()
  .trim()
  .max(200)
  .regex(/^https?:\/\/[a-z0-9.-]+(?::\d{1,5})?$/i, 'An origin such as https://www.library.example (no path)')
  .transform((o) => o.toLowerCase());

/** A host name alone: no scheme, port or path; lowercased. */
export const Hostname = z
  .string()
  .trim()
  .max(253)
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    'A host name such as ask.library.example (no https://, port or path)',
  )
  .transform((h) => h.toLowerCase());

export const CreateLibraryBody = z.strictObject({
  name: Name,
  slug: Slug,
  timeZone: TimeZone,
  contactEmail: optional(Email),
  contactPhone: optional(Phone),
  websiteUrl: optional(Url),
  allowedOrigins: z.array(WebOrigin).max(50).default([]),
  hostnames: z.array(Hostname).max(10).default([]),
  transcriptRetentionDays: TranscriptRetentionDays.default(DEFAULT_TRANSCRIPT_RETENTION_DAYS),
  /**
   * The new library's first administrator, emailed a link to choose a password. Required when a
   * staff member creates a library: their own account belongs to their own library.
   */
  administrator: z.strictObject({ name: Name, email: Email }).optional(),
});
export type CreateLibraryBody = z.infer<typeof CreateLibraryBody>;

/** A PATCH names only what changes: no defaults here, or unnamed fields would be reset. */
export const UpdateLibraryBody = z.strictObject({
  name: Name.optional(),
  slug: Slug.optional(),
  timeZone: TimeZone.optional(),
  contactEmail: z.union([Email, z.literal('')]).optional(),
  contactPhone: z.union([Phone, z.literal('')]).optional(),
  websiteUrl: z.union([Url, z.literal('')]).optional(),
  allowedOrigins: z.array(WebOrigin).max(50).optional(),
  hostnames: z.array(Hostname).max(10).optional(),
  transcriptRetentionDays: TranscriptRetentionDays.optional(),
});
export type UpdateLibraryBody = z.infer<typeof UpdateLibraryBody>;

export const Branch = z.object({
  id: Id,
  libraryId: Id,
  name: z.string(),
  address: z.string(),
  phone: z.string(),
  hours: Hours,
  isActive: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Branch = z.infer<typeof Branch>;

export const CreateBranchBody = z.strictObject({
  name: Name,
  address: z.string().trim().max(500).default(''),
  phone: optional(Phone),
  hours: Hours.optional(),
  isActive: z.boolean().default(true),
});
export type CreateBranchBody = z.infer<typeof CreateBranchBody>;

export const UpdateBranchBody = z.strictObject({
  name: Name.optional(),
  address: z.string().trim().max(500).optional(),
  phone: z.union([Phone, z.literal('')]).optional(),
  hours: Hours.optional(),
  isActive: z.boolean().optional(),
});
export type UpdateBranchBody = z.infer<typeof UpdateBranchBody>;

export const DESK_MODES = ['claim', 'assign'] as const;
export const DeskMode = z.enum(DESK_MODES);
export type DeskMode = z.infer<typeof DeskMode>;

export const Desk = z.object({
  id: Id,
  libraryId: Id,
  name: z.string(),
  slug: z.string(),
  description: z.string(),
  mode: DeskMode,
  hours: Hours,
  /** A chat waiting longer than this is highlighted to every online staff member. */
  waitThresholdSeconds: z.number().int(),
  /** Assign mode: how long an offer rings before it goes to the next person. */
  ringTimeoutSeconds: z.number().int(),
  isActive: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Desk = z.infer<typeof Desk>;

export const CreateDeskBody = z.strictObject({
  name: Name,
  slug: Slug,
  description: z.string().trim().max(1000).default(''),
  mode: DeskMode.default('claim'),
  hours: Hours.optional(),
  waitThresholdSeconds: z.number().int().min(10).max(3600).default(90),
  ringTimeoutSeconds: z.number().int().min(5).max(300).default(30),
  isActive: z.boolean().default(true),
});
export type CreateDeskBody = z.infer<typeof CreateDeskBody>;

export const UpdateDeskBody = z.strictObject({
  name: Name.optional(),
  slug: Slug.optional(),
  description: z.string().trim().max(1000).optional(),
  mode: DeskMode.optional(),
  hours: Hours.optional(),
  waitThresholdSeconds: z.number().int().min(10).max(3600).optional(),
  ringTimeoutSeconds: z.number().int().min(5).max(300).optional(),
  isActive: z.boolean().optional(),
});
export type UpdateDeskBody = z.infer<typeof UpdateDeskBody>;
