import { z } from 'zod';
import { Email, Id, LanguageTag, Name, Timestamp } from './common.ts';

export const STAFF_ROLES = ['admin', 'supervisor', 'librarian', 'partner'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

/** Passwords: long enough to resist guessing, short enough not to be a denial of service for argon2. */
export const Password = z.string().min(12, 'At least 12 characters').max(256, 'At most 256 characters');

export const Staff = z.object({
  id: Id,
  libraryId: Id,
  name: z.string(),
  displayName: z.string(),
  email: z.string(),
  role: StaffRole,
  languages: z.array(z.string()),
  /** Most chats this person is offered at once. */
  maxConcurrentChats: z.number().int(),
  isActive: z.boolean(),
  lastLoginAt: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Staff = z.infer<typeof Staff>;

const Languages = z
  .array(LanguageTag)
  .max(20)
  .refine((l) => new Set(l).size === l.length, 'List each language once');

export const CreateStaffBody = z.strictObject({
  name: Name,
  displayName: Name.optional(),
  email: Email,
  role: StaffRole,
  languages: Languages.default(['en']),
  maxConcurrentChats: z.number().int().min(1).max(10).default(3),
  /** When omitted, the new staff member is emailed a link to set their own password. */
  password: Password.optional(),
});
export type CreateStaffBody = z.infer<typeof CreateStaffBody>;

export const UpdateStaffBody = z.strictObject({
  name: Name.optional(),
  displayName: Name.optional(),
  email: Email.optional(),
  role: StaffRole.optional(),
  languages: Languages.optional(),
  maxConcurrentChats: z.number().int().min(1).max(10).optional(),
  isActive: z.boolean().optional(),
});
export type UpdateStaffBody = z.infer<typeof UpdateStaffBody>;
