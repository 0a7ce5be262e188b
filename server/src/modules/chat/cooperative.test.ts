import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskRow, LibraryRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildDesk, buildLibrary } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';

const B_SITE = 'https://www.eastside-library.example';
const B_HOST = 'ask.eastside-library.example';
let counter = 0;
const clientId = () => `coop-${(counter++).toString().padStart(6, '0')}`;

/** Several libraries on one deployment: each reaches its own desks, though they share desk names. */
describe.each(dialectsUnderTest())('chat for a cooperative of libraries on %s', (dialect) => {
  let t: TestApp;
  let first: LibraryRow;
  let second: LibraryRow;
  let firstDesk: DeskRow;
  let secondDesk: DeskRow;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    first = await buildLibrary(db, { name: 'Westside Library', created_at: '2026-01-01T00:00:00.000Z' });
    second = await buildLibrary(db, {
      name: 'Eastside Library',
      slug: 'eastside',
      allowed_origins_json: [B_SITE],
      hostnames_json: [B_HOST],
      created_at: '2026-02-01T00:00:00.000Z',
    });
    firstDesk = await buildDesk(db, first.id, { slug: 'ask', name: 'Ask Westside' });
    secondDesk = await buildDesk(db, second.id, { slug: 'ask', name: 'Ask Eastside' });
  });
  afterAll(async () => t.close());

  const desk = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const start = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/chat/conversations',
      headers,
      payload: { desk: 'ask', clientId: clientId(), message: 'Hello', ...body },
    });
  const libraryOf = async (conversationId: string) =>
    await t.app.deps.db
      .selectFrom('conversations')
      .select(['library_id', 'desk_id'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();

  it('finds a desk in the library the page names, in the one whose website it is on, or else in the first', async () => {
    expect((await desk('/api/chat/desks/ask')).json()).toMatchObject({ name: 'Ask Westside' });
    expect((await desk('/api/chat/desks/ask?library=eastside')).json()).toMatchObject({ name: 'Ask Eastside' });
    expect((await desk('/api/chat/desks/ask', { origin: B_SITE })).json()).toMatchObject({ name: 'Ask Eastside' });
    expect((await desk(`/api/chat/desks/ask?library=${first.slug}`)).json()).toMatchObject({ name: 'Ask Westside' });
    const unknown = await desk('/api/chat/desks/ask?library=nowhere');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });

  it('starts the chat in the library the widget is for', async () => {
    const byName = await start({ library: 'eastside' });
    expect(byName.statusCode, byName.body).toBe(201);
    expect(await libraryOf(byName.json().conversation.id)).toEqual({ library_id: second.id, desk_id: secondDesk.id });

    const bySite = await start({}, { origin: B_SITE });
    expect(bySite.statusCode, bySite.body).toBe(201);
    expect(await libraryOf(bySite.json().conversation.id)).toEqual({ library_id: second.id, desk_id: secondDesk.id });

    const byDefault = await start({});
    expect(await libraryOf(byDefault.json().conversation.id)).toEqual({ library_id: first.id, desk_id: firstDesk.id });
  });

  it('still refuses a website that the named library has not allowed, and starts nothing', async () => {
    const before = await t.app.deps.db.selectFrom('conversations').select('id').execute();
    const refused = await start({ library: first.slug }, { origin: B_SITE });
    expect(refused.statusCode).toBe(403);
    expect((await t.app.deps.db.selectFrom('conversations').select('id').execute()).length).toBe(before.length);
    const unknown = await start({ library: 'nowhere' });
    expect(unknown.statusCode).toBe(404);
    const malformed = await start({ library: 'Not A Slug!' });
    expect(malformed.statusCode).toBe(400);
  });

  it('serves each library its own chat page, whose links and widget keep to that library', async () => {
    const page = await desk('/chat/ask?library=eastside');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ask Eastside');
    expect(page.body).toMatch(/<branchline-chat[^>]*library="eastside"/);
    expect(page.body).toContain('action="/chat/ask/question?library=eastside&amp;lang=en"');
    expect(page.body).toContain('href="/chat/ask?library=eastside&amp;lang=es"');

    const own = await desk('/chat/ask');
    expect(own.body).toContain('Ask Westside');
    expect(own.body).not.toMatch(/library=/);

    expect((await desk('/chat/ask?library=nowhere')).statusCode).toBe(404);
    const home = await desk('/?library=eastside');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Eastside Library');
    expect(home.body).toContain('href="/chat?library=eastside&amp;lang=en"');
    expect((await desk('/?library=nowhere')).statusCode).toBe(404);
  });

  it('keeps a question left without JavaScript with the library whose page it was', async () => {
    const left = await t.app.inject({
      method: 'POST',
      url: '/chat/ask/question?library=eastside&lang=en',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=reader%40example.org&name=&message=Are+you+open+on+Sunday%3F',
    });
    expect(left.statusCode, left.body).toBe(303);
    expect(left.headers.location).toBe('/chat/ask/thanks?library=eastside&lang=en');
    const kept = await t.app.deps.db
      .selectFrom('conversations')
      .select(['library_id', 'desk_id'])
      .where('channel', '=', 'webform')
      .execute();
    expect(kept).toEqual([{ library_id: second.id, desk_id: secondDesk.id }]);
    const thanks = await desk(left.headers.location as string);
    expect(thanks.statusCode).toBe(200);
    expect(thanks.body).toContain('href="/chat/ask?library=eastside&amp;lang=en"');
  });

  describe('a library with its own host name', () => {
    const at = (host: string) => ({ host });

    it('answers for the library whose host name the request came to, unless another is named', async () => {
      expect((await desk('/api/chat/desks/ask', at(B_HOST))).json()).toMatchObject({ name: 'Ask Eastside' });
      expect((await desk('/api/chat/desks/ask', at('ASK.Eastside-Library.example:8443'))).json()).toMatchObject({
        name: 'Ask Eastside',
      });
      expect((await desk(`/api/chat/desks/ask?library=${first.slug}`, at(B_HOST))).json()).toMatchObject({
        name: 'Ask Westside',
      });
      expect((await desk('/api/chat/desks/ask', at('elsewhere.example'))).json()).toMatchObject({
        name: 'Ask Westside',
      });
      const started = await start({}, { ...at(B_HOST), origin: B_SITE });
      expect(started.statusCode, started.body).toBe(201);
      expect(await libraryOf(started.json().conversation.id)).toEqual({
        library_id: second.id,
        desk_id: secondDesk.id,
      });
    });

    it('still checks the embedding website against that library', async () => {
      const before = await t.app.deps.db.selectFrom('conversations').select('id').execute();
      const refused = await start({}, { ...at(B_HOST), origin: 'https://www.westside-library.example' });
      expect(refused.statusCode).toBe(403);
      expect((await t.app.deps.db.selectFrom('conversations').select('id').execute()).length).toBe(before.length);
    });

    it('serves that library’s home and chat pages, with links that need no ?library=', async () => {
      const home = await desk('/', at(B_HOST));
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('Eastside Library');
      expect(home.body).not.toContain('Westside Library');
      expect(home.body).not.toMatch(/library=/);
      const page = await desk('/chat/ask', at(B_HOST));
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Ask Eastside');
      expect(page.body).not.toMatch(/library=/);
      expect((await desk('/chat/ask?library=nowhere', at(B_HOST))).statusCode).toBe(404);
    });

    it('keeps a question left there without JavaScript with that library', async () => {
      const left = await t.app.inject({
        method: 'POST',
        url: '/chat/ask/question?lang=en',
        headers: { host: B_HOST, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=neighbour%40example.org&name=&message=Do+you+lend+telescopes%3F',
      });
      expect(left.statusCode, left.body).toBe(303);
      expect(left.headers.location).toBe('/chat/ask/thanks?lang=en');
      const kept = await t.app.deps.db
        .selectFrom('conversations')
        .innerJoin('patrons', 'patrons.id', 'conversations.patron_id')
        .select(['conversations.library_id', 'conversations.desk_id'])
        .where('patrons.email', '=', 'neighbour@example.org')
        .execute();
      expect(kept).toEqual([{ library_id: second.id, desk_id: secondDesk.id }]);
    });
  });
});
