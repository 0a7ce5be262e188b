import { ConversationPage } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskRow, LibraryRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest } from '../../test/databases.ts';
import {
  buildConversation,
  buildDesk,
  buildLibrary,
  buildStaff,
  sessionFor,
  type SignedIn,
} from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';

describe.each(dialectsUnderTest())('finding conversations in the inbox on %s', (dialect) => {
  let t: TestApp;
  let library: LibraryRow;
  let desk: DeskRow;
  let librarian: SignedIn;
  let stranger: SignedIn;
  /** Conversation ids by the patron name given to each. */
  const byName = new Map<string, string>();
  let theirsId: string;

  const NAMES: Array<[string | null, string | null, string]> = [
    ['Ann Lee', 'ann.lee@example.org', '2026-05-01T10:00:00.000Z'],
    ['ANNETTE Brown', null, '2026-05-02T10:00:00.000Z'],
    ['Bo 100% Sure', 'bo@example.org', '2026-05-03T10:00:00.000Z'],
    ['Under_score', 'under@example.org', '2026-05-03T10:00:00.000Z'],
    [null, null, '2026-05-03T10:00:00.000Z'],
    ["Robert'); DROP TABLE conversations;--", null, '2026-05-04T10:00:00.000Z'],
  ];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    const db = t.app.deps.db;
    library = await buildLibrary(db);
    desk = await buildDesk(db, library.id);
    librarian = await sessionFor(t.app, await buildStaff(db, { library_id: library.id, role: 'librarian' }));
    const other = await buildLibrary(db);
    stranger = await sessionFor(t.app, await buildStaff(db, { library_id: other.id, role: 'admin' }));
    // A patron of another library with a name that would match: never found from this one.
    const theirs = await buildConversation(db, { library_id: other.id, desk_id: (await buildDesk(db, other.id)).id });
    await db.updateTable('patrons').set({ name: 'Ann Elsewhere' }).where('id', '=', theirs.patron_id).execute();
    theirsId = theirs.id;
    for (const [index, [name, email, at]] of NAMES.entries()) {
      const row = await buildConversation(db, { library_id: library.id, desk_id: desk.id });
      await db.updateTable('patrons').set({ name, email }).where('id', '=', row.patron_id).execute();
      await db.updateTable('conversations').set({ created_at: at }).where('id', '=', row.id).execute();
      byName.set(name ?? `anonymous ${index}`, row.id);
    }
  });
  afterAll(async () => t.close());

  const list = async (query: string, who: SignedIn = librarian) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/conversations${query}`, headers: who.headers });
    expect(response.statusCode, response.body).toBe(200);
    return ConversationPage.parse(response.json());
  };
  const idsOf = (page: ConversationPage) => page.items.map((c) => c.id);
  const named = (...names: string[]) => names.map((n) => byName.get(n));

  it('finds a patron by part of their name or email address, whatever the case', async () => {
    expect(idsOf(await list('?patron=ann')).sort()).toEqual(named('Ann Lee', 'ANNETTE Brown').sort());
    expect(idsOf(await list('?patron=ANN.LEE@EXAMPLE'))).toEqual(named('Ann Lee'));
    expect(idsOf(await list(`?patron=${encodeURIComponent('  bo@  ')}`))).toEqual(named('Bo 100% Sure'));
  });

  it('takes % and _ in a search as themselves, and SQL as text', async () => {
    expect(idsOf(await list(`?patron=${encodeURIComponent('%')}`))).toEqual(named('Bo 100% Sure'));
    expect(idsOf(await list('?patron=_'))).toEqual(named('Under_score'));
    expect(idsOf(await list(`?patron=${encodeURIComponent("'); DROP")}`))).toEqual(
      named("Robert'); DROP TABLE conversations;--"),
    );
    expect(idsOf(await list(`?patron=${encodeURIComponent('\\')}`))).toEqual([]);
    expect((await list('')).items.length).toBe(NAMES.length);
  });

  it('narrows by when the conversation started', async () => {
    const may3 = await list('?since=2026-05-03T00:00:00Z&until=2026-05-04T00:00:00Z');
    expect(idsOf(may3).sort()).toEqual(named('Bo 100% Sure', 'Under_score', 'anonymous 4').sort());
  });

  it('pages newest first through conversations that started in the same instant, none twice or missed', async () => {
    const seen: string[] = [];
    let before: string | null = '';
    let pages = 0;
    while (before !== null) {
      const page: ConversationPage = await list(`?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`);
      seen.push(...idsOf(page));
      before = page.nextBefore;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(NAMES.length);
    expect(new Set(seen).size).toBe(NAMES.length);
    expect(seen[0]).toBe(byName.get("Robert'); DROP TABLE conversations;--"));
    expect(seen.at(-1)).toBe(byName.get('Ann Lee'));
  });

  it('finds only its own library’s conversations, whatever it searches for', async () => {
    expect(idsOf(await list('?patron=ann', stranger))).toEqual([theirsId]);
    expect((await list('?patron=ann')).items.every((c) => c.libraryId === library.id)).toBe(true);
  });

  it.each([
    ['an empty search', '?patron='],
    ['a search too long', `?patron=${'a'.repeat(121)}`],
    ['a malformed position', '?before=yesterday'],
    ['a start after the end', '?since=2026-05-04T00:00:00Z&until=2026-05-01T00:00:00Z'],
    ['a date that is not a time', '?since=tomorrow'],
  ])('refuses %s with a validation error', async (_what, query) => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/conversations${query}`,
      headers: librarian.headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('validation_failed');
  });
});
