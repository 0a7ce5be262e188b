import type { Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types as domain code sees them, identical on both databases:
 * timestamps are ISO-8601 UTC strings, `is_*`/`has_*` columns are booleans, `*_json` columns are
 * parsed values (see values-plugin.ts for where the dialects are reconciled).
 */
export interface Database {
  libraries: LibrariesTable;
  branches: BranchesTable;
  desks: DesksTable;
  staff: StaffTable;
  staff_sessions: StaffSessionsTable;
  password_reset_tokens: PasswordResetTokensTable;
  login_throttle: LoginThrottleTable;
  instance_settings: InstanceSettingsTable;
  audit_log: AuditLogTable;
}

export interface LibrariesTable {
  id: string;
  name: string;
  slug: string;
  time_zone: string;
  contact_email: string;
  contact_phone: string;
  website_url: string;
  created_at: string;
  updated_at: string;
}

export interface BranchesTable {
  id: string;
  library_id: string;
  name: string;
  address: string;
  phone: string;
  hours_json: unknown;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface DesksTable {
  id: string;
  library_id: string;
  name: string;
  slug: string;
  description: string;
  mode: string;
  hours_json: unknown;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

export interface StaffTable {
  id: string;
  library_id: string;
  name: string;
  display_name: string;
  email: string;
  role: string;
  languages_json: unknown;
  password_hash: string | null;
  is_active: boolean;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface StaffSessionsTable {
  id_hash: string;
  staff_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string;
  user_agent: string;
}

export interface PasswordResetTokensTable {
  token_hash: string;
  staff_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface InstanceSettingsTable {
  key: string;
  value: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor_staff_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  details_json: unknown;
}

export type LibraryRow = Selectable<LibrariesTable>;
export type BranchRow = Selectable<BranchesTable>;
export type DeskRow = Selectable<DesksTable>;
export type StaffRow = Selectable<StaffTable>;
export type NewStaffRow = Insertable<StaffTable>;
export type StaffUpdate = Updateable<StaffTable>;
