import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalBus, topics, type Bus, type BusMessage } from '../../platform/bus.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { dialectsUnderTest, openTestDatabase, type TestDatabase } from '../../test/databases.ts';
import { buildConversation, buildDesk, buildLibrary, buildStaff, staffActor as actorOf } from '../../test/factories.ts';
import { buildTestApp, TestClock, type TestApp } from '../../test/test-app.ts';
import { patronConnected, patronDisconnected } from '../chat/chat.service.ts';
import { INSTANCE_STALE_MS, isConnected, LiveConnections, removeInstance } from './live-connections.ts';
import { instanceTick, presenceOf, setPresence, staffConnected, sweep } from './routing.service.ts';

describe.each(dialectsUnderTest())('connections across server instances on %s', (dialect) => {
  let database: TestDatabase;
  let clock: TestClock;
  let bus: Bus;
  const apps: TestApp[] = [];

  beforeEach(async () => {
    database = await openTestDatabase(dialect);
    await migrateToLatest(database);
    clock = new TestClock();
    bus = createLocalBus();
  });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.app.close();
    await bus.close();
    await database.destroy();
  });

  /** A server instance on the shared database; `alone` ones have no bus in common with others. */
  async function instance(options: { alone?: boolean } = {}): Promise<TestApp> {
    const t = await buildTestApp(dialect, { database, clock, ...(options.alone ? {} : { bus }) });
    apps.push(t);
    return t;
  }

  async function scene() {
    const db = database.db;
    const library = await buildLibrary(db);
    const desk = await buildDesk(db, library.id, { mode: 'claim' });
    const staff = await buildStaff(db, { library_id: library.id });
    const chat = await buildConversation(db, { library_id: library.id, desk_id: desk.id, connected: false });
    return { library, desk, staff, chat };
  }

  const statusOf = async (conversationId: string) =>
    database.db
      .selectFrom('conversations')
      .select(['status', 'patron_left_at'])
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();

  it('a second instance starting leaves the first one’s connections alone', async () => {
    const { desk, staff, chat } = await scene();
    const a = await instance();
    await staffConnected(a.app.deps, actorOf(staff));
    await setPresence(a.app.deps, actorOf(staff), { status: 'available', deskIds: [desk.id] });
    await patronConnected(a.app.deps, chat.id);

    const b = await instance();
    expect(await presenceOf(b.app.deps, staff.id)).toMatchObject({ status: 'available', connected: true });
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(true);
    expect((await statusOf(chat.id)).patron_left_at).toBeNull();
  });

  it('takes an instance that stopped beating for gone, with its connections, and only then', async () => {
    const { desk, staff, chat } = await scene();
    const a = await instance();
    const b = await instance();
    await staffConnected(a.app.deps, actorOf(staff));
    await setPresence(a.app.deps, actorOf(staff), { status: 'available', deskIds: [desk.id] });
    await patronConnected(a.app.deps, chat.id);
    const lastBeatOfA = clock.now().toISOString();
    const heard: BusMessage[] = [];
    bus.subscribe(topics.staff(staff.id), (m) => heard.push(m));

    // A goes silent (a crash: no clean stop). Within the limit nothing changes.
    clock.advanceMinutes(INSTANCE_STALE_MS / 60_000 / 2);
    await instanceTick(b.app.deps);
    expect(await presenceOf(b.app.deps, staff.id)).toMatchObject({ status: 'available', connected: true });

    clock.advanceMinutes(INSTANCE_STALE_MS / 60_000 / 2 + 1 / 60);
    await instanceTick(b.app.deps);
    expect(await presenceOf(b.app.deps, staff.id)).toMatchObject({ status: 'offline', connected: false });
    expect(heard).toContainEqual({ kind: 'presence' });
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(false);
    // The patron counts as gone from A's last heartbeat, so the reconnect grace runs from then.
    expect(new Date((await statusOf(chat.id)).patron_left_at ?? '').toISOString()).toBe(lastBeatOfA);
    await sweep(b.app.deps);
    expect((await statusOf(chat.id)).status).toBe('queued');
    clock.advanceMinutes(b.config.chatReconnectGraceSeconds / 60);
    await sweep(b.app.deps);
    // It rang for the librarian, who was online then: missed, not abandoned.
    expect((await statusOf(chat.id)).status).toBe('missed');
  });

  it('an instance wrongly taken for gone writes its connections back at its next heartbeat', async () => {
    const { staff, chat } = await scene();
    const a = await instance();
    await staffConnected(a.app.deps, actorOf(staff));
    await staffConnected(a.app.deps, actorOf(staff));
    await patronConnected(a.app.deps, chat.id);
    await removeInstance(database.db, a.app.deps.connections.instanceId);
    expect(await isConnected(database.db, 'staff', staff.id)).toBe(false);

    await instanceTick(a.app.deps);
    expect(await isConnected(database.db, 'staff', staff.id)).toBe(true);
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(true);
    const rows = await database.db
      .selectFrom('live_connections')
      .select(['kind', 'connections'])
      .where('instance_id', '=', a.app.deps.connections.instanceId)
      .orderBy('kind')
      .execute();
    expect(rows).toEqual([
      { kind: 'patron', connections: 1 },
      { kind: 'staff', connections: 2 },
    ]);
  });

  it('removes a departed instance once, however many instances notice', async () => {
    const { staff } = await scene();
    const gone = new LiveConnections(database.db, clock);
    await gone.start();
    await gone.opened('staff', staff.id);
    clock.advanceMinutes(1);
    const cutoff = new Date(clock.now().getTime() - INSTANCE_STALE_MS).toISOString();
    const answers = await Promise.all([
      removeInstance(database.db, gone.instanceId, cutoff),
      removeInstance(database.db, gone.instanceId, cutoff),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(answers.find(Boolean)?.connections).toEqual([{ kind: 'staff', subjectId: staff.id }]);
  });

  it('keeps a patron connected while another instance still holds one of their pages', async () => {
    const { chat } = await scene();
    const a = await instance();
    const b = await instance();
    await patronConnected(a.app.deps, chat.id);
    await patronConnected(b.app.deps, chat.id);
    await patronDisconnected(a.app.deps, chat.id);
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(true);
    expect((await statusOf(chat.id)).patron_left_at).toBeNull();
    await patronDisconnected(b.app.deps, chat.id);
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(false);
    expect((await statusOf(chat.id)).patron_left_at).not.toBeNull();
  });

  it('an instance running alone clears what an earlier run left behind', async () => {
    const { desk, staff, chat } = await scene();
    const earlier = new LiveConnections(database.db, clock);
    await earlier.start();
    await earlier.opened('staff', staff.id);
    await earlier.opened('patron', chat.id);
    await database.db
      .insertInto('staff_presence')
      .values({
        staff_id: staff.id,
        status: 'available',
        desk_ids_json: [desk.id],
        free_since: clock.now().toISOString(),
        updated_at: clock.now().toISOString(),
      })
      .execute();
    await database.db.updateTable('conversations').set({ patron_left_at: null }).where('id', '=', chat.id).execute();

    const restarted = await instance({ alone: true });
    expect(await presenceOf(restarted.app.deps, staff.id)).toMatchObject({ status: 'offline', connected: false });
    expect(await isConnected(database.db, 'patron', chat.id)).toBe(false);
    expect((await statusOf(chat.id)).patron_left_at).not.toBeNull();
    expect(await database.db.selectFrom('server_instances').select('id').execute()).toEqual([
      { id: restarted.app.deps.connections.instanceId },
    ]);
  });

  it('a clean shutdown removes the instance’s connections, and closing late changes nothing', async () => {
    const { staff } = await scene();
    const a = await instance();
    const b = await instance();
    await staffConnected(a.app.deps, actorOf(staff));
    await staffConnected(b.app.deps, actorOf(staff));
    await a.app.close();
    apps.splice(apps.indexOf(a), 1);
    const rows = await database.db.selectFrom('live_connections').select(['instance_id', 'connections']).execute();
    expect(rows).toEqual([{ instance_id: b.app.deps.connections.instanceId, connections: 1 }]);
    // A tab of A's that closes after the shutdown must not take B's connection with it.
    expect(await a.app.deps.connections.closed('staff', staff.id)).toBe(true);
    expect(await isConnected(database.db, 'staff', staff.id)).toBe(true);
  });
});
