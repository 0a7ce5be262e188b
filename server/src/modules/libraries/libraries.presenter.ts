import { CLOSED_HOURS, Hours, type Branch, type Desk, type DeskMode, type Library } from '@branchline/protocol';
import type { BranchRow, DeskRow, LibraryRow } from '../../platform/db/schema.ts';

export function presentLibrary(row: LibraryRow): Library {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    timeZone: row.time_zone,
    contactEmail: row.contact_email,
    contactPhone: row.contact_phone,
    websiteUrl: row.website_url,
    allowedOrigins: Array.isArray(row.allowed_origins_json) ? (row.allowed_origins_json as string[]) : [],
    hostnames: Array.isArray(row.hostnames_json) ? (row.hostnames_json as string[]) : [],
    transcriptRetentionDays: row.transcript_retention_days,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function presentBranch(row: BranchRow): Branch {
  return {
    id: row.id,
    libraryId: row.library_id,
    name: row.name,
    address: row.address,
    phone: row.phone,
    hours: readHours(row.hours_json),
    isActive: row.is_active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function presentDesk(row: DeskRow): Desk {
  return {
    id: row.id,
    libraryId: row.library_id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    mode: row.mode as DeskMode,
    hours: readHours(row.hours_json),
    waitThresholdSeconds: row.wait_threshold_seconds,
    ringTimeoutSeconds: row.ring_timeout_seconds,
    isActive: row.is_active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Stored hours were validated on the way in; a damaged value reads as closed rather than failing. */
function readHours(value: unknown): Hours {
  const parsed = Hours.safeParse(value);
  return parsed.success ? parsed.data : CLOSED_HOURS;
}
