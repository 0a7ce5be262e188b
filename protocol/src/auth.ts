import { z } from 'zod';
import { Email } from './common.ts';
import { Password, Staff } from './staff.ts';

/** Things the signed-in person may do; the dashboard hides what is not listed. */
export const ABILITIES = [
  'library.read',
  'library.update',
  'library.create',
  'branch.create',
  'branch.update',
  'desk.create',
  'desk.update',
  'staff.read',
  'staff.create',
  'staff.update',
  'audit.read',
  'blocks.manage',
] as const;
export type Ability = (typeof ABILITIES)[number];

export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1, 'Required').max(256),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const SessionInfo = z.object({
  staff: Staff,
  csrfToken: z.string(),
  abilities: z.array(z.enum(ABILITIES)),
  expiresAt: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const ChangePasswordBody = z
  .strictObject({
    currentPassword: z.string().min(1, 'Required').max(256),
    newPassword: Password,
  })
  .refine((b) => b.currentPassword !== b.newPassword, {
    message: 'Choose a password different from the current one',
    path: ['newPassword'],
  });
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const PasswordResetRequestBody = z.strictObject({ email: Email });
export type PasswordResetRequestBody = z.infer<typeof PasswordResetRequestBody>;

export const PasswordResetConfirmBody = z.strictObject({
  token: z.string().min(20).max(200),
  newPassword: Password,
});
export type PasswordResetConfirmBody = z.infer<typeof PasswordResetConfirmBody>;

/** Header that carries the CSRF token on every cookie-authenticated state change. */
export const CSRF_HEADER = 'x-csrf-token';
