import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import type { ConversationEventRow } from '../../platform/db/schema.ts';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildConversation, buildDesk, buildLibrary } from '../../test/factories.ts';
import { appendEventRow, listEventsAfter } from './conversations.repo.ts';
import { eventsSince } from './conversations.service.ts';

describe.each(dialectsUnderTest())('new events for a subscriber on %s', (dialect) => {
  let database: TestDatabase;
  let conversationId: string;
  let log: ConversationEventRow[];

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
    const library = await buildLibrary(database.db);
    const desk = await buildDesk(database.db, library.id);
    conversationId = (await buildConversation(database.db, { library_id: library.id, desk_id: desk.id })).id;
    const now = new Date().toISOString();
    for (const body of ['one', 'two', 'three'])
      await appendEventRow(
        database.db,
        conversationId,
        { type: 'message', author_kind: 'patron', body, created_at: now },
        now,
      );
    log = await listEventsAfter(database.db, conversationId, 0, { includeNotes: true });
  });
  afterAll(async () => database.destroy());

  it('uses the bus copy when it starts right after the cursor, or overlaps it', async () => {
    const lastTwo = log.slice(-2);
    const after = (lastTwo[0]?.seq ?? 0) - 1;
    expect(await eventsSince(database.db, conversationId, after, { includeNotes: true, carried: lastTwo })).toBe(
      lastTwo,
    );
    expect(await eventsSince(database.db, conversationId, after + 1, { includeNotes: true, carried: lastTwo })).toBe(
      lastTwo,
    );
  });

  it('reads the log when the copy leaves a gap after the cursor, or there is none', async () => {
    const lastOnly = log.slice(-1);
    const after = (lastOnly[0]?.seq ?? 0) - 3;
    const expected = log.filter((e) => e.seq > after);
    expect(expected.length).toBeGreaterThan(lastOnly.length);
    expect(await eventsSince(database.db, conversationId, after, { includeNotes: true, carried: lastOnly })).toEqual(
      expected,
    );
    expect(await eventsSince(database.db, conversationId, after, { includeNotes: true })).toEqual(expected);
    expect(await eventsSince(database.db, conversationId, after, { includeNotes: true, carried: [] })).toEqual(
      expected,
    );
  });
});
