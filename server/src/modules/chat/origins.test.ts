import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildDesk, buildLibrary, buildStaff, sessionFor } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { TestSocket } from '../../test/ws-client.ts';

const ALLOWED = 'https://www.riverbend.example';
const STRANGER = 'https://evil.example';

describe.each(dialectsUnderTest())('embedding origins on %s', (dialect) => {
  let t: TestApp;
  let slug: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const library = await buildLibrary(t.app.deps.db, { allowed_origins_json: [ALLOWED] });
    slug = (await buildDesk(t.app.deps.db, library.id)).slug;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t.close());

  const start = (origin: string | undefined, clientId: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      headers: origin ? { origin } : {},
      payload: { desk: slug, clientId, message: 'Hello from the library website' },
      remoteAddress: `10.7.0.${clientId.length}`,
    });
  const count = async () => (await t.app.deps.db.selectFrom('conversations').select('id').execute()).length;

  it('answers CORS preflights for allowed origins only, without credentials', async () => {
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/chat/conversations',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-chat-token',
      },
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(ok.headers['access-control-allow-headers'])).toContain('x-chat-token');
    expect(ok.headers['access-control-allow-credentials']).toBeUndefined();
    const refused = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/chat/conversations',
      headers: { origin: STRANGER, 'access-control-request-method': 'POST' },
    });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('starts chats from allowed pages and refuses other sites without creating anything', async () => {
    expect((await start(ALLOWED, 'origin-allowed-1')).statusCode).toBe(201);
    expect((await start(undefined, 'origin-none-12')).statusCode).toBe(201);
    const before = await count();
    const refused = await start(STRANGER, 'origin-evil-123');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    expect(await count()).toBe(before);
  });

  it('closes a patron socket opened from another site', async () => {
    const { token } = (await start(ALLOWED, 'origin-socket-1')).json() as { token: string };
    const port = (t.app.server.address() as AddressInfo).port;
    const evil = await TestSocket.open(`ws://127.0.0.1:${port}/api/chat/ws`, { origin: STRANGER });
    evil.send({ type: 'hello', token, after: 0 });
    expect(await evil.nextOfType('error')).toMatchObject({ code: 'forbidden' });
    expect((await evil.closed).code).toBe(4403);
    const good = await TestSocket.open(`ws://127.0.0.1:${port}/api/chat/ws`, { origin: ALLOWED });
    good.send({ type: 'hello', token, after: 0 });
    await good.nextOfType('welcome');
    await good.close();
  });

  it('refuses a staff socket from another site, whose cookie would otherwise ride along', async () => {
    const port = (t.app.server.address() as AddressInfo).port;

    const staff = await buildStaff(t.app.deps.db);
    const session = await sessionFor(t.app, staff);
    const hijack = await TestSocket.open(`ws://127.0.0.1:${port}/api/staff/ws`, {
      cookie: session.cookie,
      origin: STRANGER,
    });
    expect(await hijack.nextOfType('error')).toMatchObject({ code: 'forbidden' });
    expect((await hijack.closed).code).toBe(4403);
  });
});
