import type { Staff, StaffRole } from '@branchline/protocol';
import type { StaffRow } from '../../platform/db/schema.ts';

export function presentStaff(row: StaffRow): Staff {
  return {
    id: row.id,
    libraryId: row.library_id,
    name: row.name,
    displayName: row.display_name,
    email: row.email,
    role: row.role as StaffRole,
    languages: Array.isArray(row.languages_json) ? (row.languages_json as string[]) : [],
    maxConcurrentChats: row.max_concurrent_chats,
    isActive: row.is_active,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
