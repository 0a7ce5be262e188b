import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

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
  patrons: PatronsTable;
  conversations: ConversationsTable;
  conversation_events: ConversationEventsTable;
  conversation_offers: ConversationOffersTable;
  staff_presence: StaffPresenceTable;
  patron_blocks: PatronBlocksTable;
  server_instances: ServerInstancesTable;
  live_connections: LiveConnectionsTable;
  canned_responses: CannedResponsesTable;
}

export interface LibrariesTable {
  id: string;
  name: string;
  slug: string;
  time_zone: string;
  contact_email: string;
  contact_phone: string;
  website_url: string;
  allowed_origins_json: unknown;
  hostnames_json: Generated<unknown>;
  /** Days the transcript of an ended conversation is kept. */
  transcript_retention_days: Generated<number>;
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
  wait_threshold_seconds: number;
  ring_timeout_seconds: number;
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
  max_concurrent_chats: number;
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
  library_id: string | null;
  actor_kind: Generated<'staff' | 'system' | 'anonymous'>;
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

export interface PatronsTable {
  id: string;
  library_id: string;
  name: string | null;
  email: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationsTable {
  id: string;
  library_id: string;
  desk_id: string;
  channel: string;
  status: string;
  assignee_id: string | null;
  patron_id: string;
  patron_token_hash: string | null;
  patron_ip_hash: string;
  /** Keyed hash of the random key the widget keeps in the patron's browser, when it could. */
  patron_browser_hash: string | null;
  /** Client id of the patron's first message: a retried start finds its chat by it. */
  start_client_id: string | null;
  language: string;
  tags_json: unknown;
  read_scale: number | null;
  rating_score: number | null;
  rating_comment: string | null;
  last_seq: number;
  patron_seen_seq: number;
  staff_seen_seq: number;
  /** When the patron's last connection closed (or a long poll lapses); null while connected. */
  patron_left_at: string | null;
  transcript_email: string | null;
  transcript_requested_at: string | null;
  is_over_threshold: boolean;
  created_at: string;
  queued_at: string | null;
  /** When staff last handed the chat back to a desk's queue: front of that queue, its wait there counted from then. */
  requeued_at: string | null;
  accepted_at: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  /** When its staff member closed the ended chat in their console; until then it stays in My chats. */
  closed_at: string | null;
  updated_at: string;
  /** When the transcript and what identified the patron were deleted (the library's retention). */
  purged_at: string | null;
}

export interface ConversationEventsTable {
  conversation_id: string;
  seq: number;
  type: string;
  author_kind: string;
  author_staff_id: string | null;
  author_name: string | null;
  body: string;
  system_kind: string | null;
  data_json: unknown;
  client_id: string | null;
  created_at: string;
}

export interface ConversationOffersTable {
  id: string;
  conversation_id: string;
  staff_id: string;
  state: string;
  offered_at: string;
  ring_until: string | null;
  /** When the person declined it or let it ring out. */
  passed_at: Generated<string | null>;
}

export interface StaffPresenceTable {
  staff_id: string;
  status: string;
  desk_ids_json: unknown;
  free_since: string;
  updated_at: string;
}

/** A running server instance and when it last said it was alive. */
export interface ServerInstancesTable {
  id: string;
  started_at: string;
  heartbeat_at: string;
}

/** Open connections one instance holds for a staff member (`staff`) or a conversation (`patron`). */
export interface LiveConnectionsTable {
  instance_id: string;
  kind: string;
  subject_id: string;
  connections: number;
}

export interface PatronBlocksTable {
  id: string;
  library_id: string;
  patron_id: string | null;
  ip_hash: string;
  browser_hash: string | null;
  /** `browser`: that browser only; `network`: everyone at the address. */
  scope: string;
  reason: string;
  created_by: string | null;
  created_at: string;
  until: string;
}

export interface CannedResponsesTable {
  id: string;
  library_id: string;
  shortcut: string;
  title: string;
  body: string;
  language: string;
  created_at: string;
  updated_at: string;
}

export type PatronRow = Selectable<PatronsTable>;
export type ConversationRow = Selectable<ConversationsTable>;
export type ConversationEventRow = Selectable<ConversationEventsTable>;
export type OfferRow = Selectable<ConversationOffersTable>;
export type PresenceRow = Selectable<StaffPresenceTable>;
export type CannedResponseRow = Selectable<CannedResponsesTable>;
