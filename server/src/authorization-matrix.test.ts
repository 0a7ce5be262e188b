import { STAFF_ROLES, type StaffRole } from '@branchline/protocol';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRow } from './platform/db/schema.ts';
import {
  buildBranch,
  buildConversation,
  buildDesk,
  buildLibrary,
  buildPresence,
  buildStaff,
  sessionFor,
  TEST_PASSWORD,
} from './test/factories.ts';
import { buildTestApp, type TestApp } from './test/test-app.ts';

/**
 * Who may call each API route. A route registered without an entry here fails this suite, so
 * no endpoint ships without a decision about who may use it.
 * 'public': anyone, signed in or not. A role list: those roles of the same library; everyone
 * else signed in gets 403 (or 404 where the resource is hidden), and anonymous callers get 401.
 */
const ALL: readonly StaffRole[] = STAFF_ROLES;
const DIRECTORY: readonly StaffRole[] = ['admin', 'supervisor', 'librarian'];
const POLICY: Record<string, 'public' | readonly StaffRole[]> = {
  'GET /api/openapi.json': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/password-reset/request': 'public',
  'POST /api/auth/password-reset/confirm': 'public',
  'POST /api/auth/logout': ALL,
  'GET /api/auth/session': ALL,
  'POST /api/auth/password': ALL,
  'GET /api/libraries': ALL,
  'POST /api/libraries': ['admin'],
  'GET /api/libraries/:id': ALL,
  'PATCH /api/libraries/:id': ['admin'],
  'GET /api/libraries/:id/branches': DIRECTORY,
  'POST /api/libraries/:id/branches': ['admin'],
  'GET /api/branches/:id': DIRECTORY,
  'PATCH /api/branches/:id': ['admin'],
  'GET /api/libraries/:id/desks': DIRECTORY,
  'POST /api/libraries/:id/desks': ['admin', 'supervisor'],
  'GET /api/desks/:id': DIRECTORY,
  'PATCH /api/desks/:id': ['admin', 'supervisor'],
  'GET /api/staff': DIRECTORY,
  'POST /api/staff': ['admin'],
  'GET /api/staff/:id': DIRECTORY,
  'PATCH /api/staff/:id': ['admin'],
  // Patron chat: anyone, with a chat token or an allowed origin where it matters.
  'GET /api/chat/desks/:slug': 'public',
  'POST /api/chat/conversations': 'public',
  'POST /api/chat/questions': 'public',
  'POST /api/chat/frames': 'public',
  'GET /api/chat/poll': 'public',
  'GET /api/chat/ws': 'public',
  // Staff console.
  'GET /api/staff/ws': ALL,
  'GET /api/conversations': DIRECTORY,
  'GET /api/conversations/:id': DIRECTORY,
  'GET /api/conversations/:id/history': DIRECTORY,
  'POST /api/conversations/:id/accept': DIRECTORY,
  // Acting on a chat: its assignee (here the caller is the assignee), or a supervisor or admin.
  'POST /api/conversations/:id/messages': DIRECTORY,
  'POST /api/conversations/:id/transfer': DIRECTORY,
  'POST /api/conversations/:id/end': DIRECTORY,
  'PUT /api/conversations/:id/wrapup': DIRECTORY,
  'POST /api/conversations/:id/close': DIRECTORY,
  'POST /api/conversations/:id/block': DIRECTORY,
  'GET /api/presence': DIRECTORY,
  'PUT /api/presence/me': DIRECTORY,
  'GET /api/chat/today': DIRECTORY,
  'GET /api/canned-responses': DIRECTORY,
  'POST /api/canned-responses': DIRECTORY,
  'PATCH /api/canned-responses/:id': DIRECTORY,
  'DELETE /api/canned-responses/:id': DIRECTORY,
  'GET /api/audit-log': ['admin', 'supervisor'],
  'GET /api/audit-log/export': ['admin', 'supervisor'],
  'GET /api/blocks': ['admin', 'supervisor'],
  'POST /api/blocks/:id/lift': ['admin', 'supervisor'],
};

/** WebSocket routes are refused before the upgrade like any route; their frames have their own suite. */
const isSocket = (key: string) => key.endsWith('/ws');

interface World {
  libraryId: string;
  branchId: string;
  deskId: string;
  otherDeskId: string;
  /** A colleague of the caller, the target of staff routes. */
  colleague: StaffRow;
  /** A conversation of the route's case: waiting (for accept) or assigned to the caller. */
  conversationId: string;
  cannedId: string;
  /** A block in force, made from the conversation above. */
  blockId: string;
}

let serial = 0;
/** A valid request for each route, so that an allowed caller succeeds and a refusal means the policy. */
function requestFor(key: string, world: World): { url: string; payload?: Record<string, unknown> } {
  const n = ++serial;
  const [, pattern = ''] = key.split(' ');
  const id = pattern.startsWith('/api/libraries/:id')
    ? world.libraryId
    : pattern.startsWith('/api/branches')
      ? world.branchId
      : pattern.startsWith('/api/desks')
        ? world.deskId
        : pattern.startsWith('/api/conversations')
          ? world.conversationId
          : pattern.startsWith('/api/canned-responses')
            ? world.cannedId
            : pattern.startsWith('/api/blocks')
              ? world.blockId
              : world.colleague.id;
  const url = pattern.replace(':id', id);
  const bodies: Record<string, Record<string, unknown>> = {
    'POST /api/auth/login': { email: world.colleague.email, password: TEST_PASSWORD },
    'POST /api/auth/password-reset/request': { email: world.colleague.email },
    'POST /api/auth/password-reset/confirm': { token: 'x'.repeat(43), newPassword: 'a long new passphrase' },
    'POST /api/auth/password': { currentPassword: TEST_PASSWORD, newPassword: `new passphrase ${n}` },
    'POST /api/libraries': {
      name: `Library ${n}`,
      slug: `library-${n}`,
      timeZone: 'America/Chicago',
      administrator: { name: `Head ${n}`, email: `head-${n}@library.test` },
    },
    'PATCH /api/libraries/:id': { contactPhone: '(412) 555-0100' },
    'POST /api/libraries/:id/branches': { name: `Branch ${n}` },
    'PATCH /api/branches/:id': { phone: '(412) 555-0101' },
    'POST /api/libraries/:id/desks': { name: `Desk ${n}`, slug: `desk-${n}` },
    'PATCH /api/desks/:id': { description: 'Updated' },
    'POST /api/staff': {
      name: `New Person ${n}`,
      email: `new-${n}@library.test`,
      role: 'librarian',
      password: 'a long passphrase!',
    },
    'PATCH /api/staff/:id': { languages: ['en', 'es'] },
    'POST /api/conversations/:id/messages': { clientId: `client-${n}`, body: 'Here is the link you asked for.' },
    'POST /api/conversations/:id/transfer': { toDeskId: world.otherDeskId, note: 'Needs tech help' },
    'PUT /api/conversations/:id/wrapup': { tags: ['ebooks'], readScale: 2 },
    'POST /api/conversations/:id/block': { minutes: 60, reason: 'Abusive language', scope: 'network' },
    'PUT /api/presence/me': { status: 'available', deskIds: [world.deskId] },
    'POST /api/canned-responses': { shortcut: `hours-${n}`, title: 'Opening hours', body: 'We are open 9 to 5.' },
    'PATCH /api/canned-responses/:id': { title: `Opening hours ${n}` },
  };
  const payload = bodies[key];
  return payload ? { url, payload } : { url };
}

async function call(app: FastifyInstance, key: string, world: World, headers: Record<string, string>) {
  const [method = 'GET'] = key.split(' ');
  const { url, payload } = requestFor(key, world);
  return app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
}

describe('authorization matrix', () => {
  let t: TestApp;
  let routes: string[];
  const worldOf = new Map<string, World>();

  beforeAll(async () => {
    t = await buildTestApp('sqlite');
    routes = t.app.registeredRoutes
      .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      .map((r) => `${r.method} ${r.url}`);
  });
  afterAll(async () => t.close());

  async function newWorld(): Promise<World> {
    const db = t.app.deps.db;
    const library = await buildLibrary(db);
    const deskId = (await buildDesk(db, library.id)).id;
    const now = new Date().toISOString();
    const canned = await db
      .insertInto('canned_responses')
      .values({
        id: crypto.randomUUID(),
        library_id: library.id,
        shortcut: `s${++serial}`,
        title: 'T',
        body: 'B',
        language: 'en',
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const conversation = await buildConversation(db, { library_id: library.id, desk_id: deskId });
    const block = await db
      .insertInto('patron_blocks')
      .values({
        id: crypto.randomUUID(),
        library_id: library.id,
        patron_id: conversation.patron_id,
        ip_hash: 'ip',
        browser_hash: null,
        scope: 'network',
        reason: 'Abusive language',
        created_by: null,
        created_at: now,
        until: new Date(Date.now() + 24 * 3600_000).toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      libraryId: library.id,
      branchId: (await buildBranch(db, library.id)).id,
      deskId,
      otherDeskId: (await buildDesk(db, library.id)).id,
      colleague: await buildStaff(db, { library_id: library.id, role: 'librarian' }),
      conversationId: conversation.id,
      cannedId: canned.id,
      blockId: block.id,
    };
  }

  /** Gives the route a conversation in the state it needs, with the caller on the desk. */
  async function prepareConversation(key: string, world: World, caller: StaffRow): Promise<World> {
    if (!key.includes('/api/conversations/:id')) return world;
    const db = t.app.deps.db;
    await buildPresence(db, caller.id, [world.deskId]);
    const accepting = key.endsWith('/accept');
    const closing = key.endsWith('/close');
    const conversation = await buildConversation(db, {
      library_id: world.libraryId,
      desk_id: world.deskId,
      status: accepting ? 'queued' : closing ? 'resolved' : 'active',
      assignee_id: accepting ? null : caller.id,
    });
    return { ...world, conversationId: conversation.id };
  }

  it('has a declared policy for every API route, and no policy for a route that does not exist', () => {
    const undeclared = routes.filter((r) => !(r in POLICY));
    expect(undeclared).toEqual([]);
    expect(Object.keys(POLICY).filter((k) => !routes.includes(k))).toEqual([]);
    for (const route of t.app.registeredRoutes.filter(
      (r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'),
    )) {
      expect(route.access, `${route.method} ${route.url}`).toBe(
        POLICY[`${route.method} ${route.url}`] === 'public' ? 'public' : 'staff',
      );
    }
  });

  it('refuses anonymous callers on every staff route with 401', async () => {
    const world = await newWorld();
    for (const key of Object.keys(POLICY).filter((k) => POLICY[k] !== 'public')) {
      const response = await call(t.app, key, world, {});
      expect(response.statusCode, key).toBe(401);
      expect(response.json().error.code, key).toBe('unauthenticated');
    }
  });

  for (const role of STAFF_ROLES) {
    it(`lets a ${role} do exactly what the policy allows`, async () => {
      for (const key of Object.keys(POLICY).filter((k) => POLICY[k] !== 'public' && !isSocket(k))) {
        const shared = worldOf.get(role) ?? (await newWorld());
        worldOf.set(role, shared);
        // A fresh caller per route: some routes (logout, password change) end the caller's session.
        const caller = await buildStaff(t.app.deps.db, { library_id: shared.libraryId, role });
        const world = await prepareConversation(key, shared, caller);
        const session = await sessionFor(t.app, caller);
        const response = await call(t.app, key, world, session.headers);
        const allowed = (POLICY[key] as readonly StaffRole[]).includes(role);
        if (allowed) {
          expect(response.statusCode, `${role} ${key}: ${response.body}`).toBeLessThan(300);
        } else {
          expect([403, 404], `${role} ${key}: ${response.body}`).toContain(response.statusCode);
        }
      }
    });
  }

  it('hides one library from the staff of another: every id-bearing route answers 404', async () => {
    const home = await newWorld();
    const other = await newWorld();
    const admin = await buildStaff(t.app.deps.db, { library_id: home.libraryId, role: 'admin' });
    const session = await sessionFor(t.app, admin);
    const idRoutes = Object.keys(POLICY).filter((k) => k.includes(':id') && POLICY[k] !== 'public');
    expect(idRoutes.length).toBeGreaterThan(8);
    for (const key of idRoutes) {
      const response = await call(t.app, key, other, session.headers);
      expect(response.statusCode, `${key}: ${response.body}`).toBe(404);
    }
    const lists = await t.app.inject({ method: 'GET', url: '/api/staff', headers: session.headers });
    expect(lists.json().items.map((s: { id: string }) => s.id)).not.toContain(other.colleague.id);
  });

  it('lets a partner read their own account but no one else’s', async () => {
    const world = await newWorld();
    const partner = await buildStaff(t.app.deps.db, { library_id: world.libraryId, role: 'partner' });
    const session = await sessionFor(t.app, partner);
    const own = await t.app.inject({ method: 'GET', url: `/api/staff/${partner.id}`, headers: session.headers });
    expect(own.statusCode).toBe(200);
    const colleague = await t.app.inject({
      method: 'GET',
      url: `/api/staff/${world.colleague.id}`,
      headers: session.headers,
    });
    expect(colleague.statusCode).toBe(404);
  });
});
