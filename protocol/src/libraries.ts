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
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Library = z.infer<typeof Library>;

export const CreateLibraryBody = z.strictObject({
  name: Name,
  slug: Slug,
  timeZone: TimeZone,
  contactEmail: optional(Email),
  contactPhone: optional(Phone),
  websiteUrl: optional(Url),
});
export type CreateLibraryBody = z.infer<typeof CreateLibraryBody>;

export const UpdateLibraryBody = CreateLibraryBody.partial();
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
  phone: optional(Phone).optional(),
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
  isActive: z.boolean().default(true),
});
export type CreateDeskBody = z.infer<typeof CreateDeskBody>;

export const UpdateDeskBody = z.strictObject({
  name: Name.optional(),
  slug: Slug.optional(),
  description: z.string().trim().max(1000).optional(),
  mode: DeskMode.optional(),
  hours: Hours.optional(),
  isActive: z.boolean().optional(),
});
export type UpdateDeskBody = z.infer<typeof UpdateDeskBody>;
