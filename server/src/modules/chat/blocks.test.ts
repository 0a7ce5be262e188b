import { PatronBlock } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildDesk, buildLibrary, buildStaff, sessionFor, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';

const BROWSER_A = 'browserA0123456789abcdefghij';
const BROWSER_B = 'browserB0123456789abcdefghij';
let counter = 0;
const clientId = () => `block-${(counter++).toString().padStart(6, '0')}`;

describe.each(dialectsUnderTest())('blocking an abusive patron on %s', (dialect) => {
  let t: TestApp;
  let deskSlug: string;
  let supervisor: SignedIn;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const library = await buildLibrary(t.app.deps.db);
    deskSlug = (await buildDesk(t.app.deps.db, library.id, { mode: 'claim' })).slug;
    supervisor = await sessionFor(
      t.app,
      await buildStaff(t.app.deps.db, { library_id: library.id, role: 'supervisor' }),
    );
  });
  afterAll(async () => t.close());

  function start(ip: string, browser?: string, message = 'Hello') {
    return t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: ip,
      payload: { desk: deskSlug, clientId: clientId(), message, ...(browser === undefined ? {} : { browser }) },
    });
  }

  function leaveQuestion(ip: string, browser?: string) {
    return t.app.inject({
      method: 'POST',
      url: '/api/chat/questions',
      remoteAddress: ip,
      payload: {
        desk: deskSlug,
        clientId: clientId(),
        email: 'patron@example.org',
        message: 'Are you open on Sunday?',
        ...(browser === undefined ? {} : { browser }),
      },
    });
  }

  async function chatFrom(ip: string, browser?: string): Promise<string> {
    const response = await start(ip, browser);
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { conversation: { id: string } }).conversation.id;
  }

  function block(conversationId: string, body: Record<string, unknown>) {
    return t.app.inject({
      method: 'POST',
      url: `/api/conversations/${conversationId}/block`,
      headers: supervisor.headers,
      payload: { minutes: 60, reason: 'Abusive language', ...body },
    });
  }

  const countOf = async (table: 'patron_blocks' | 'conversations') =>
    Number(
      (
        await t.app.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const blocksCount = () => countOf('patron_blocks');

  it('blocks the browser by default: that browser is refused, others at the same address are not', async () => {
    const id = await chatFrom('10.1.0.1', BROWSER_A);
    const blocked = await block(id, {});
    expect(blocked.statusCode, blocked.body).toBe(200);
    // Still queued when blocked, so the chat ends as abandoned.
    expect(blocked.json()).toMatchObject({ status: 'abandoned' });

    const again = await start('10.1.0.99', BROWSER_A);
    expect(again.statusCode).toBe(403);
    expect(again.json().error.code).toBe('forbidden');
    expect((await leaveQuestion('10.1.0.99', BROWSER_A)).statusCode).toBe(403);
    // A classmate on the same school network, in another browser, can still ask.
    expect((await start('10.1.0.1', BROWSER_B)).statusCode).toBe(201);
    expect((await start('10.1.0.1')).statusCode).toBe(201);
  });

  it('blocks everyone at the address when asked to, whatever their browser', async () => {
    const id = await chatFrom('10.2.0.1', 'browserD0123456789abcdefghij');
    expect((await block(id, { scope: 'network' })).statusCode).toBe(200);
    expect((await start('10.2.0.1', BROWSER_B)).statusCode).toBe(403);
    expect((await start('10.2.0.1')).statusCode).toBe(403);
    expect((await leaveQuestion('10.2.0.1')).statusCode).toBe(403);
    expect((await start('10.2.0.2', BROWSER_B)).statusCode).toBe(201);
  });

  it('refuses to block a browser it cannot recognise, and changes nothing; the address can be blocked instead', async () => {
    const id = await chatFrom('10.3.0.1');
    const conversation = await t.app.inject({
      method: 'GET',
      url: `/api/conversations/${id}`,
      headers: supervisor.headers,
    });
    expect(conversation.json().patron.browserKnown).toBe(false);
    const before = await blocksCount();
    const refused = await block(id, { scope: 'browser' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'validation_failed' });
    expect(refused.json().error.message).toMatch(/network address/);
    expect(await blocksCount()).toBe(before);
    const status = await t.app.deps.db
      .selectFrom('conversations')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe('queued');
    expect((await block(id, { scope: 'network' })).statusCode).toBe(200);
    expect((await start('10.3.0.1')).statusCode).toBe(403);
  });

  it('ends when its time is up', async () => {
    const id = await chatFrom('10.4.0.1', BROWSER_A + 'x');
    expect((await block(id, { minutes: 5 })).statusCode).toBe(200);
    expect((await start('10.4.0.1', BROWSER_A + 'x')).statusCode).toBe(403);
    t.clock.advanceMinutes(6);
    expect((await start('10.4.0.1', BROWSER_A + 'x')).statusCode).toBe(201);
  });

  it('records the block in the log and the audit trail, and keeps only hashes of the address and browser', async () => {
    const browser = 'browserC0123456789abcdefghij';
    const id = await chatFrom('10.5.0.1', browser);
    expect((await block(id, { scope: 'browser', reason: '<b>Threats</b>' })).statusCode).toBe(200);
    const row = await t.app.deps.db
      .selectFrom('patron_blocks')
      .selectAll()
      .where(
        'patron_id',
        '=',
        (
          await t.app.deps.db
            .selectFrom('conversations')
            .select('patron_id')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).patron_id,
      )
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ scope: 'browser', reason: '<b>Threats</b>' });
    expect(row.browser_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(row)).not.toContain(browser);
    expect(JSON.stringify(row)).not.toContain('10.5.0.1');

    const audit = await t.app.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'patron.blocked')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(audit)).toContain('browser');
    const events = await t.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers: supervisor.headers });
    const blocked = (events.json().events as Array<{ systemKind: string | null; body: string }>).find(
      (e) => e.systemKind === 'blocked',
    );
    expect(blocked?.body).toMatch(/blocked this patron’s browser for 60 minutes/);
  });

  it('refuses a malformed browser key or scope with a typed error and starts nothing', async () => {
    const before = await countOf('conversations');
    for (const browser of ['short', '<script>alert(1)</script>xxxxxxxxxxxxxxxx', 'x'.repeat(65)]) {
      const response = await start('10.6.0.1', browser);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
    const after = await countOf('conversations');
    expect(after).toBe(before);
    const id = await chatFrom('10.6.0.2', BROWSER_B + 'y');
    const wrong = await block(id, { scope: 'everyone' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('validation_failed');
  });
});

describe.each(dialectsUnderTest())('reviewing and lifting blocks on %s', (dialect) => {
  let t: TestApp;
  let deskSlug: string;
  let supervisor: SignedIn;
  let supervisorId: string;
  let librarian: SignedIn;
  let otherSupervisor: SignedIn;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    const library = await buildLibrary(db);
    deskSlug = (await buildDesk(db, library.id, { mode: 'claim' })).slug;
    const row = await buildStaff(db, { library_id: library.id, role: 'supervisor', display_name: 'Marcus' });
    supervisorId = row.id;
    supervisor = await sessionFor(t.app, row);
    librarian = await sessionFor(t.app, await buildStaff(db, { library_id: library.id, role: 'librarian' }));
    const other = await buildLibrary(db);
    otherSupervisor = await sessionFor(t.app, await buildStaff(db, { library_id: other.id, role: 'supervisor' }));
  });
  afterAll(async () => t.close());

  const start = (ip: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      remoteAddress: ip,
      payload: { desk: deskSlug, clientId: clientId(), message: 'Hello' },
    });
  const list = async (who: SignedIn) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/blocks', headers: who.headers });
    return { status: response.statusCode, items: (response.json() as { items?: PatronBlock[] }).items ?? [] };
  };
  const lift = (who: SignedIn, id: string) =>
    t.app.inject({ method: 'POST', url: `/api/blocks/${id}/lift`, headers: who.headers });

  async function blockedChat(ip: string, reason: string, minutes = 60): Promise<string> {
    const started = await start(ip);
    const id = (started.json() as { conversation: { id: string } }).conversation.id;
    const blocked = await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/block`,
      headers: supervisor.headers,
      payload: { minutes, reason, scope: 'network' },
    });
    expect(blocked.statusCode, blocked.body).toBe(200);
    return id;
  }

  it('lists the blocks in force with who made them, why, and from which chat; the reason stays as typed', async () => {
    const reason = '<script>alert("x")</script> threats';
    const chatId = await blockedChat('10.9.0.1', reason);
    const { status, items } = await list(supervisor);
    expect(status).toBe(200);
    expect(items[0]).toMatchObject({
      conversationId: chatId,
      scope: 'network',
      reason,
      blockedBy: { staffId: supervisorId, displayName: 'Marcus' },
    });
    expect(PatronBlock.array().parse(items)).toHaveLength(items.length);
  });

  it('lifts a block at once, so the patron can chat again, and records who lifted it', async () => {
    const chatId = await blockedChat('10.9.0.2', 'Spam');
    expect((await start('10.9.0.2')).statusCode).toBe(403);
    const block = (await list(supervisor)).items.find((b) => b.conversationId === chatId);
    const lifted = await lift(supervisor, block?.id ?? '');
    expect(lifted.statusCode, lifted.body).toBe(204);
    expect((await start('10.9.0.2')).statusCode).toBe(201);
    expect((await list(supervisor)).items.map((b) => b.id)).not.toContain(block?.id);
    const audit = await t.app.inject({
      method: 'GET',
      url: `/api/audit-log?action=patron.unblocked&subjectId=${chatId}`,
      headers: supervisor.headers,
    });
    expect(audit.json().items).toMatchObject([{ actor: { staffId: supervisorId }, details: { scope: 'network' } }]);
    // Lifted already: nothing left to lift, and nothing more recorded.
    expect((await lift(supervisor, block?.id ?? '')).statusCode).toBe(404);
  });

  it('leaves out blocks that have run out', async () => {
    const chatId = await blockedChat('10.9.0.3', 'Short one', 5);
    expect((await list(supervisor)).items.map((b) => b.conversationId)).toContain(chatId);
    t.clock.advanceMinutes(6);
    expect((await list(supervisor)).items.map((b) => b.conversationId)).not.toContain(chatId);
  });

  it('keeps blocks to their library and to supervisors and administrators', async () => {
    const chatId = await blockedChat('10.9.0.4', 'Abuse');
    const block = (await list(supervisor)).items.find((b) => b.conversationId === chatId);
    expect((await list(otherSupervisor)).items).toEqual([]);
    expect((await lift(otherSupervisor, block?.id ?? '')).statusCode).toBe(404);
    expect((await list(librarian)).status).toBe(403);
    expect((await lift(librarian, block?.id ?? '')).statusCode).toBe(403);
    expect((await start('10.9.0.4')).statusCode).toBe(403);
    const malformed = await lift(supervisor, 'not-an-id');
    expect(malformed.statusCode).toBe(400);
  });
});

describe('the limit on chats started from one address', () => {
  it('answers 429 past the configured number a minute, for chats and questions alike', async () => {
    const t = await buildTestApp('sqlite', { config: { chatStartsPerMinute: 2 } });
    try {
      const library = await buildLibrary(t.app.deps.db);
      const desk = await buildDesk(t.app.deps.db, library.id);
      const post = (url: string, payload: Record<string, unknown>) =>
        t.app.inject({ method: 'POST', url, remoteAddress: '10.77.0.1', payload: { desk: desk.slug, ...payload } });
      expect((await post('/api/chat/conversations', { clientId: clientId(), message: 'One' })).statusCode).toBe(201);
      expect((await post('/api/chat/conversations', { clientId: clientId(), message: 'Two' })).statusCode).toBe(201);
      const third = await post('/api/chat/conversations', { clientId: clientId(), message: 'Three' });
      expect(third.statusCode).toBe(429);
      expect(third.json().error.code).toBe('rate_limited');
      const question = { clientId: clientId(), email: 'a@example.org', message: 'Open Sunday?' };
      expect((await post('/api/chat/questions', question)).statusCode).toBe(201);
      expect((await post('/api/chat/questions', { ...question, clientId: clientId() })).statusCode).toBe(201);
      expect((await post('/api/chat/questions', { ...question, clientId: clientId() })).statusCode).toBe(429);
      // Another address has its own allowance.
      const elsewhere = await t.app.inject({
        method: 'POST',
        url: '/api/chat/conversations',
        remoteAddress: '10.77.0.2',
        payload: { desk: desk.slug, clientId: clientId(), message: 'Hi' },
      });
      expect(elsewhere.statusCode).toBe(201);
    } finally {
      await t.close();
    }
  });
});
