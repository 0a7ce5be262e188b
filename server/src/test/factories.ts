import type { OpenInterval, StaffRole, WeeklyHours } from '@branchline/protocol';
import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../modules/accounts/passwords.ts';
import { CLOSED_HOURS } from '@branchline/protocol';
import type { Db } from '../platform/db/database.ts';
import type { Actor } from '../platform/actor.ts';
import type { BranchRow, ConversationRow, DeskRow, LibraryRow, StaffRow } from '../platform/db/schema.ts';
import { newConversationRow } from '../modules/conversations/conversations.repo.ts';
import { hashToken, newId, newToken } from '../platform/tokens.ts';
import { csrfTokenFor } from '../modules/accounts/auth.service.ts';
import { SESSION_COOKIE } from '../platform/http/auth-plugin.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
let testPasswordHash: Promise<string> | undefined;

const stamp = () => new Date().toISOString();
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function buildLibrary(db: Db, overrides: Partial<LibraryRow> = {}): Promise<LibraryRow> {
  const id = newId();
  return db
    .insertInto('libraries')
    .values({
      id,
      name: 'Test Library',
      slug: `lib-${unique()}`,
      time_zone: 'America/New_York',
      contact_email: '',
      contact_phone: '',
      website_url: '',
      allowed_origins_json: [],
      created_at: stamp(),
      updated_at: stamp(),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A staff member (and their library, when none is given) whose password is TEST_PASSWORD. */
export async function buildStaff(db: Db, overrides: Partial<StaffRow> & { role?: StaffRole } = {}): Promise<StaffRow> {
  const libraryId = overrides.library_id ?? (await buildLibrary(db)).id;
  testPasswordHash ??= hashPassword(TEST_PASSWORD);
  const suffix = unique();
  return db
    .insertInto('staff')
    .values({
      id: newId(),
      library_id: libraryId,
      name: `Staff ${suffix}`,
      display_name: `Staff ${suffix}`,
      email: `staff-${suffix}@library.test`,
      role: 'librarian',
      languages_json: ['en'],
      password_hash: await testPasswordHash,
      max_concurrent_chats: 3,
      is_active: true,
      last_login_at: null,
      created_at: stamp(),
      updated_at: stamp(),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildBranch(db: Db, libraryId: string, overrides: Partial<BranchRow> = {}): Promise<BranchRow> {
  return db
    .insertInto('branches')
    .values({
      id: newId(),
      library_id: libraryId,
      name: `Branch ${unique()}`,
      address: '',
      phone: '',
      hours_json: CLOSED_HOURS,
      is_active: true,
      created_at: stamp(),
      updated_at: stamp(),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function buildDesk(db: Db, libraryId: string, overrides: Partial<DeskRow> = {}): Promise<DeskRow> {
  return db
    .insertInto('desks')
    .values({
      id: newId(),
      library_id: libraryId,
      name: `Desk ${unique()}`,
      slug: `desk-${unique()}`,
      description: '',
      mode: 'claim',
      hours_json: CLOSED_HOURS,
      wait_threshold_seconds: 90,
      ring_timeout_seconds: 30,
      is_active: true,
      created_at: stamp(),
      updated_at: stamp(),
      ...overrides,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  /** Headers for app.inject on a state-changing request. */
  headers: Record<string, string>;
}

/** Signs a staff member in through the real login route. */
export async function signIn(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<SignedIn> {
  const response = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  const token = response.cookies.find((c) => c.name === SESSION_COOKIE)?.value ?? '';
  const csrf = (response.json() as { csrfToken: string }).csrfToken;
  return {
    cookie: `${SESSION_COOKIE}=${token}`,
    csrf,
    headers: { cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrf },
  };
}

/** A session written straight to the database: for suites that need many sessions quickly. */
export async function sessionFor(app: FastifyInstance, staff: StaffRow): Promise<SignedIn> {
  const token = newToken();
  const idHash = hashToken(token);
  const now = app.deps.clock.now();
  await app.deps.db
    .insertInto('staff_sessions')
    .values({
      id_hash: idHash,
      staff_id: staff.id,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + 3600_000).toISOString(),
      ip: '127.0.0.1',
      user_agent: 'test',
    })
    .execute();
  const csrf = csrfTokenFor(app.deps, idHash);
  const cookie = `${SESSION_COOKIE}=${token}`;
  return { cookie, csrf, headers: { cookie, 'x-csrf-token': csrf } };
}

/** A conversation with a patron, a desk and its first patron message (seq 1). */
export async function buildConversation(
  db: Db,
  overrides: {
    library_id: string;
    desk_id: string;
    status?: string;
    assignee_id?: string | null;
    channel?: string;
    /** Whether the patron has the chat open (default yes). */
    connected?: boolean;
  },
): Promise<ConversationRow> {
  const now = stamp();
  const patron = await db
    .insertInto('patrons')
    .values({
      id: newId(),
      library_id: overrides.library_id,
      name: null,
      email: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const row = newConversationRow({
    libraryId: overrides.library_id,
    deskId: overrides.desk_id,
    patronId: patron.id,
    channel: overrides.channel ?? 'chat',
    status: overrides.status ?? 'queued',
    language: 'en',
    patronTokenHash: hashToken(newToken()),
    patronIpHash: 'test',
    now,
  });
  await db
    .insertInto('conversations')
    .values({ ...row, assignee_id: overrides.assignee_id ?? null, last_seq: 1 })
    .execute();
  if (overrides.connected ?? true) await holdConnection(db, 'patron', row.id as string);
  await db
    .insertInto('conversation_events')
    .values({
      conversation_id: row.id as string,
      seq: 1,
      type: 'message',
      author_kind: 'patron',
      author_staff_id: null,
      author_name: null,
      body: 'Hello?',
      system_kind: null,
      data_json: {},
      client_id: `c${newId().slice(0, 12)}`,
      created_at: now,
    })
    .execute();
  return db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', row.id as string)
    .executeTakeFirstOrThrow();
}

/** A staff member present and available on the given desks, with one open dashboard. */
/** `freeSince` pins "longest free" for routing tests that must not depend on when they ran. */
export async function buildPresence(
  db: Db,
  staffId: string,
  deskIds: string[],
  status = 'available',
  freeSince?: string,
): Promise<void> {
  const now = stamp();
  const free_since = freeSince ?? now;
  await db
    .insertInto('staff_presence')
    .values({ staff_id: staffId, status, desk_ids_json: deskIds, free_since, updated_at: now })
    .onConflict((oc) =>
      oc.column('staff_id').doUpdateSet({ status, desk_ids_json: deskIds, ...(freeSince ? { free_since } : {}) }),
    )
    .execute();
  await holdConnection(db, 'staff', staffId);
}

/** The instance that holds the connections factories make (tests never remove it). */
export const FIXTURE_INSTANCE = 'test-fixtures';

/** Records one open connection for a staff member or a patron's chat, held by the fixtures' instance. */
export async function holdConnection(db: Db, kind: 'staff' | 'patron', subjectId: string): Promise<void> {
  const now = stamp();
  await db
    .insertInto('server_instances')
    .values({ id: FIXTURE_INSTANCE, started_at: now, heartbeat_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('live_connections')
    .values({ instance_id: FIXTURE_INSTANCE, kind, subject_id: subjectId, connections: 1 })
    .onConflict((oc) => oc.columns(['instance_id', 'kind', 'subject_id']).doNothing())
    .execute();
}

/** Closes the fixtures' connection for the subject. */
export async function dropConnection(db: Db, kind: 'staff' | 'patron', subjectId: string): Promise<void> {
  await db
    .deleteFrom('live_connections')
    .where('instance_id', '=', FIXTURE_INSTANCE)
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .execute();
}

/** A staff member as the services see them when they act (what a session would give). */
export function staffActor(row: StaffRow): Extract<Actor, { kind: 'staff' }> {
  return { kind: 'staff', staffId: row.id, libraryId: row.library_id, role: row.role as StaffRole };
}

/** Who a chat is ringing for now, sorted. */
export async function ringingStaff(db: Db, conversationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('conversation_offers')
    .select('staff_id')
    .where('conversation_id', '=', conversationId)
    .where('state', '=', 'ringing')
    .execute();
  return rows.map((o) => o.staff_id).sort();
}

/** The same opening intervals on each day of the week. */
export function sameEveryDay(intervals: OpenInterval[]): WeeklyHours {
  return {
    mon: intervals,
    tue: intervals,
    wed: intervals,
    thu: intervals,
    fri: intervals,
    sat: intervals,
    sun: intervals,
  };
}
