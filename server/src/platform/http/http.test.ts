import { ErrorBody, type ErrorCode } from '@branchline/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryRow, StaffRow } from '../db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildLibrary, buildStaff, sessionFor, signIn, type SignedIn } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { SESSION_COOKIE } from './auth-plugin.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** Signs of an internal leaking out: stack frames, source paths, SQL, driver names. */
const LEAKS = [
  /\n\s*at\s/,
  /\s{2,}at\s\S+/,
  /node_modules/,
  /\.ts:\d+/,
  /\bselect\s/i,
  /\binsert\s+into\b/i,
  /\bupdate\s+"?\w+"?\s+set\b/i,
  /sqlite/i,
  /kysely/i,
  /postgres/i,
  /\bstack\b/i,
];

/** Asserts the response is a well-formed error of `code` that leaks nothing. */
function expectError(res: LightMyRequestResponse, status: number, code: ErrorCode) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  for (const leak of LEAKS) expect(res.body).not.toMatch(leak);
  const { error } = ErrorBody.parse(res.json());
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

describe.each(dialectsUnderTest())('HTTP hardening on %s', (dialect) => {
  let t: TestApp;
  let lib: LibraryRow;
  let adminRow: StaffRow;
  let admin: SignedIn;
  const libraryUrl = () => `/api/libraries/${lib.id}`;
  const libraryRow = () =>
    t.app.deps.db.selectFrom('libraries').selectAll().where('id', '=', lib.id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    lib = await buildLibrary(t.app.deps.db, { name: 'Harbor Library' });
    adminRow = await buildStaff(t.app.deps.db, { library_id: lib.id, role: 'admin' });
    admin = await sessionFor(t.app, adminRow);
  });
  afterAll(() => t.close());

  it('answers malformed JSON with 400 malformed_request', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: libraryUrl(),
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expectError(res, 400, 'malformed_request');
    expect(await libraryRow()).toEqual(lib);
  });

  it('answers wrong types with 400 validation_failed listing each field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${libraryUrl()}/desks`,
      headers: admin.headers,
      payload: { name: 5, slug: true, isActive: 'yes' },
    });
    const error = expectError(res, 400, 'validation_failed');
    const paths = (error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['isActive', 'name', 'slug']);
  });

  it('answers unknown fields with 400 validation_failed', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: libraryUrl(),
      headers: admin.headers,
      payload: { name: 'Renamed', isAdmin: true },
    });
    expectError(res, 400, 'validation_failed');
    expect(await libraryRow()).toEqual(lib);
  });

  it('answers a body over the configured limit with 413 payload_too_large', async () => {
    expect(t.config.bodyLimitBytes).toBe(1024 * 1024);
    const payload = JSON.stringify({ name: 'x'.repeat(t.config.bodyLimitBytes) });
    const res = await t.app.inject({
      method: 'PATCH',
      url: libraryUrl(),
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload,
    });
    expectError(res, 413, 'payload_too_large');
    expect(await libraryRow()).toEqual(lib);
  });

  it.each(['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'answers a %s body on a JSON route with 415',
    async (contentType) => {
      const res = await t.app.inject({
        method: 'PATCH',
        url: libraryUrl(),
        headers: { ...admin.headers, 'content-type': contentType },
        payload: 'name=Renamed',
      });
      expectError(res, 415, 'unsupported_media_type');
      expect(await libraryRow()).toEqual(lib);
    },
  );

  it('answers a text/plain body on a JSON route with 415', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: libraryUrl(),
      headers: { ...admin.headers, 'content-type': 'text/plain' },
      payload: '{"name":"Renamed"}',
    });
    expectError(res, 415, 'unsupported_media_type');
  });

  it('answers a malformed id with 400 naming the parameter, an unknown one with 404', async () => {
    const bad = expectError(
      await t.app.inject({ method: 'GET', url: '/api/libraries/not-a-uuid', headers: admin.headers }),
      400,
      'validation_failed',
    );
    expect(bad.details).toEqual([expect.objectContaining({ path: 'id' })]);
    expectError(
      await t.app.inject({ method: 'GET', url: `/api/libraries/${UNKNOWN_ID}`, headers: admin.headers }),
      404,
      'not_found',
    );
    expectError(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/desks/${UNKNOWN_ID}`,
        headers: admin.headers,
        payload: { name: 'x' },
      }),
      404,
      'not_found',
    );
  });

  it('answers unknown API paths with a JSON 404, signed in or not', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/api/nope' }), 404, 'not_found');
    expectError(await t.app.inject({ method: 'POST', url: '/api/nope', payload: { a: 1 } }), 404, 'not_found');
    expectError(
      await t.app.inject({ method: 'GET', url: '/api/nope?token=secret', headers: admin.headers }),
      404,
      'not_found',
    );
    expectError(await t.app.inject({ method: 'GET', url: '/no-such-page' }), 404, 'not_found');
  });

  it('answers anonymous callers of staff routes with 401', async () => {
    expectError(await t.app.inject({ method: 'GET', url: '/api/libraries' }), 401, 'unauthenticated');
    expectError(
      await t.app.inject({ method: 'PATCH', url: libraryUrl(), payload: { name: 'x' } }),
      401,
      'unauthenticated',
    );
    expectError(
      await t.app.inject({
        method: 'GET',
        url: '/api/libraries',
        headers: { cookie: `${SESSION_COOKIE}=${'x'.repeat(43)}` },
      }),
      401,
      'unauthenticated',
    );
  });

  it('reports health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('exports request durations labelled by route pattern, never by raw id', async () => {
    await t.app.inject({ method: 'GET', url: libraryUrl(), headers: admin.headers });
    await t.app.inject({ method: 'GET', url: `/api/nope-${UNKNOWN_ID}` });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('# TYPE branchline_http_request_duration_seconds histogram');
    expect(res.body).toMatch(
      /branchline_http_request_duration_seconds_count\{method="GET",route="\/api\/libraries\/:id",status_code="200"\} \d+/,
    );
    const routes = [...res.body.matchAll(/route="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((r) => /[0-9a-f]{8}-[0-9a-f]{4}/.test(r) || r.includes('nope'))).toEqual([]);
    expect(res.body).not.toContain(lib.id);
  });

  it('serves an OpenAPI 3 document with request body schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }
        >
      >;
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/staff', '/api/libraries/{id}/branches']),
    );
    const bodyOf = (path: string, method: string) =>
      doc.paths[path]?.[method]?.requestBody?.content['application/json']?.schema.properties ?? {};
    expect(Object.keys(bodyOf('/api/auth/login', 'post'))).toEqual(expect.arrayContaining(['email', 'password']));
    expect(Object.keys(bodyOf('/api/staff', 'post'))).toEqual(expect.arrayContaining(['email', 'name', 'role']));
    expect(Object.keys(bodyOf('/api/libraries/{id}/branches', 'post'))).toEqual(
      expect.arrayContaining(['name', 'hours']),
    );
  });

  it('serves the API docs as HTML', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/api/docs' });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
      res = await t.app.inject({
        method: 'GET',
        url: new URL(String(res.headers.location), 'http://localhost/api/docs').pathname,
      });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
  });

  it('gives every response its own x-request-id and ignores one sent by the client', async () => {
    const responses = [
      await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'chosen-by-client' } }),
      await t.app.inject({ method: 'GET', url: '/' }),
      await t.app.inject({ method: 'GET', url: '/api/nope' }),
      await t.app.inject({ method: 'GET', url: '/api/libraries' }),
      await t.app.inject({ method: 'GET', url: '/api/libraries/bad', headers: admin.headers }),
      await t.app.inject({ method: 'PATCH', url: libraryUrl(), headers: { cookie: admin.cookie }, payload: {} }),
    ];
    const ids = responses.map((r) => String(r.headers['x-request-id']));
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends security headers on pages and API answers', async () => {
    for (const url of ['/', '/api/libraries', '/api/nope']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(res.headers['content-security-policy'], url).toContain("script-src 'self'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
  });

  it('refuses a cookie-authenticated change without the right CSRF token, and changes nothing', async () => {
    const someoneElse = await sessionFor(t.app, await buildStaff(t.app.deps.db, { library_id: lib.id, role: 'admin' }));
    for (const token of [undefined, '', 'wrong-token', someoneElse.csrf, admin.csrf.toUpperCase()]) {
      const headers = token === undefined ? { cookie: admin.cookie } : { cookie: admin.cookie, 'x-csrf-token': token };
      const res = await t.app.inject({ method: 'PATCH', url: libraryUrl(), headers, payload: { name: 'Hijacked' } });
      expectError(res, 403, 'csrf_failed');
    }
    const logout = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: admin.cookie } });
    expectError(logout, 403, 'csrf_failed');
    expect(await libraryRow()).toEqual(lib);
    // The session survived the refused logout, and reads need no token.
    expect(
      (await t.app.inject({ method: 'GET', url: libraryUrl(), headers: { cookie: admin.cookie } })).statusCode,
    ).toBe(200);
    const ok = await t.app.inject({
      method: 'PATCH',
      url: libraryUrl(),
      headers: admin.headers,
      payload: { timeZone: 'America/Denver' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, and not Secure on plain http', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: adminRow.email, password: 'correct horse battery staple' },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    expect(String(res.headers['set-cookie'])).not.toMatch(/;\s*Secure/i);
  });
});

describe.each(dialectsUnderTest())('HTTPS deployment on %s', (dialect) => {
  let t: TestApp;
  let staff: StaffRow;
  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: { PUBLIC_URL: 'https://lib.example' } });
    staff = await buildStaff(t.app.deps.db);
  });
  afterAll(() => t.close());

  it('marks the session cookie Secure and sends HSTS', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: staff.email, password: 'correct horse battery staple' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
      secure: true,
    });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    // The cookie set over https works for a follow-up request.
    const session = await signIn(t.app, staff.email);
    expect((await t.app.inject({ method: 'GET', url: '/api/auth/session', headers: session.headers })).statusCode).toBe(
      200,
    );
  });
});

describe.each(dialectsUnderTest())('with the database gone on %s', (dialect) => {
  let t: TestApp;
  let session: SignedIn;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    session = await sessionFor(t.app, await buildStaff(t.app.deps.db));
    await t.database.close();
  });
  // TestApp.close() closes the handle again (database.destroy); that must not throw.
  afterAll(() => t.close());

  it('reports degraded health with 503', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'degraded', database: 'down' });
  });

  it('answers requests that need the database with a plain 500 that leaks nothing', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/libraries', headers: session.headers });
    expectError(res, 500, 'internal');
    expect(res.headers['x-request-id']).toMatch(UUID);
  });
});
