import { sql } from 'kysely';
import { isForeignKeyViolation } from '../../platform/db/db-errors.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';

/** A dashboard tab (`staff`, keyed by staff id) or a patron's chat (`patron`, keyed by conversation id). */
export type ConnectionKind = 'staff' | 'patron';

/** How often a running instance says it is alive. */
export const HEARTBEAT_MS = 5_000;
/** An instance silent for this long is taken to be gone, and its connections with it. */
export const INSTANCE_STALE_MS = 30_000;

/**
 * The connections this server instance holds, recorded per instance so that every instance
 * sees who is connected anywhere, and so that the connections of an instance that crashed can
 * be told apart and removed (see `departedInstances`). The instance keeps its own tally in
 * memory too: if it was wrongly taken for gone (a long pause), its next heartbeat writes its
 * connections back.
 */
export class LiveConnections {
  readonly #held = new Map<string, { kind: ConnectionKind; subjectId: string; count: number }>();
  #started = false;
  #stopped = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly instanceId: string = crypto.randomUUID(),
  ) {}

  /** Announces the instance; connections are recorded from now until `stop`. */
  async start(): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.db
      .insertInto('server_instances')
      .values({ id: this.instanceId, started_at: now, heartbeat_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now }))
      .execute();
    this.#started = true;
    this.#stopped = false;
  }

  /** Connections of a kind this instance holds now. */
  count(kind: ConnectionKind): number {
    let n = 0;
    for (const held of this.#held.values()) if (held.kind === kind) n += held.count;
    return n;
  }

  get isRecording(): boolean {
    return this.#started && !this.#stopped;
  }

  async opened(kind: ConnectionKind, subjectId: string): Promise<void> {
    const key = `${kind} ${subjectId}`;
    const held = this.#held.get(key);
    if (held) held.count++;
    else this.#held.set(key, { kind, subjectId, count: 1 });
    if (!this.isRecording) return;
    try {
      await this.db
        .insertInto('live_connections')
        .values({ instance_id: this.instanceId, kind, subject_id: subjectId, connections: 1 })
        .onConflict((oc) =>
          oc
            .columns(['instance_id', 'kind', 'subject_id'])
            .doUpdateSet((eb) => ({ connections: eb('live_connections.connections', '+', 1) })),
        )
        .execute();
    } catch (error) {
      // Taken for gone since the last heartbeat: the instance row is missing. Writing everything
      // back from the tally (this connection is in it already) records this one too.
      if (!isForeignKeyViolation(error)) throw error;
      await this.heartbeat();
    }
  }

  /** Records a closed connection; answers whether the subject still has one here or elsewhere. */
  async closed(kind: ConnectionKind, subjectId: string): Promise<boolean> {
    const key = `${kind} ${subjectId}`;
    const held = this.#held.get(key);
    if (held && --held.count <= 0) this.#held.delete(key);
    if (this.isRecording) {
      const last = await this.db
        .deleteFrom('live_connections')
        .where('instance_id', '=', this.instanceId)
        .where('kind', '=', kind)
        .where('subject_id', '=', subjectId)
        .where('connections', '<=', 1)
        .executeTakeFirst();
      if (Number(last.numDeletedRows) === 0)
        await this.db
          .updateTable('live_connections')
          .set((eb) => ({ connections: eb('connections', '-', 1) }))
          .where('instance_id', '=', this.instanceId)
          .where('kind', '=', kind)
          .where('subject_id', '=', subjectId)
          .execute();
    }
    return isConnected(this.db, kind, subjectId);
  }

  /**
   * Says the instance is alive. If another instance took it for gone and removed its rows, they
   * are written back from the tally in memory.
   */
  async heartbeat(): Promise<void> {
    if (!this.isRecording) return;
    const now = this.clock.now().toISOString();
    const beat = await this.db
      .updateTable('server_instances')
      .set({ heartbeat_at: now })
      .where('id', '=', this.instanceId)
      .executeTakeFirst();
    if (Number(beat.numUpdatedRows) > 0) return;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('server_instances')
        .values({ id: this.instanceId, started_at: now, heartbeat_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet({ heartbeat_at: now }))
        .execute();
      for (const { kind, subjectId, count } of this.#held.values())
        await trx
          .insertInto('live_connections')
          .values({ instance_id: this.instanceId, kind, subject_id: subjectId, connections: count })
          .onConflict((oc) => oc.columns(['instance_id', 'kind', 'subject_id']).doUpdateSet({ connections: count }))
          .execute();
    });
  }

  /** Removes the instance and its connections (a clean shutdown); later changes are not recorded. */
  async stop(): Promise<void> {
    if (!this.isRecording) return;
    this.#stopped = true;
    await removeInstance(this.db, this.instanceId);
  }
}

/** Whether anyone holds a connection for the subject, on any instance. */
export async function isConnected(db: Db, kind: ConnectionKind, subjectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('live_connections')
    .select('subject_id')
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('connections', '>', 0)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of `subjectIds` have a connection on some instance. */
export async function connectedAmong(db: Db, kind: ConnectionKind, subjectIds: string[]): Promise<Set<string>> {
  if (subjectIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('live_connections')
    .select('subject_id')
    .distinct()
    .where('kind', '=', kind)
    .where('subject_id', 'in', subjectIds)
    .where('connections', '>', 0)
    .execute();
  return new Set(rows.map((r) => r.subject_id));
}

/** A `where` condition: `column` names a subject with a connection on some instance. */
export function hasLiveConnection(kind: ConnectionKind, column: 'staff_presence.staff_id' | 'conversations.id') {
  return sql<boolean>`exists (select 1 from live_connections lc where lc.kind = ${kind} and lc.connections > 0 and lc.subject_id = ${sql.ref(column)})`;
}

/** A `where` condition: `column` names a subject with no connection anywhere. */
export function hasNoLiveConnection(kind: ConnectionKind, column: 'staff_presence.staff_id' | 'conversations.id') {
  return sql<boolean>`not ${hasLiveConnection(kind, column)}`;
}

/**
 * Instances other than `selfId` to be taken for gone: those whose last heartbeat is older than
 * `staleBefore`, or every other one when `staleBefore` is `'all'` (an instance that runs alone).
 */
export async function departedInstances(db: Db, selfId: string, staleBefore: string | 'all'): Promise<string[]> {
  let q = db.selectFrom('server_instances').select('id').where('id', '!=', selfId);
  if (staleBefore !== 'all') q = q.where('heartbeat_at', '<', staleBefore);
  return (await q.execute()).map((r) => r.id);
}

export interface RemovedInstance {
  /** When it was last known alive: its connections count as closed from then. */
  lastSeen: string;
  connections: Array<{ kind: ConnectionKind; subjectId: string }>;
}

/**
 * Removes an instance and its connections, once: when several instances remove the same one,
 * only the first gets an answer. With `staleBefore`, only if it is still silent since then.
 */
export async function removeInstance(db: Db, id: string, staleBefore?: string): Promise<RemovedInstance | undefined> {
  return db.transaction().execute(async (trx) => {
    // Read before the instance row goes: deleting it cascades to its connections.
    const rows = await trx
      .selectFrom('live_connections')
      .select(['kind', 'subject_id'])
      .where('instance_id', '=', id)
      .execute();
    let q = trx.deleteFrom('server_instances').where('id', '=', id);
    if (staleBefore !== undefined) q = q.where('heartbeat_at', '<', staleBefore);
    const gone = await q.returning('heartbeat_at').executeTakeFirst();
    if (!gone) return undefined;
    await trx.deleteFrom('live_connections').where('instance_id', '=', id).execute();
    return {
      lastSeen: gone.heartbeat_at,
      connections: rows.map((r) => ({ kind: r.kind as ConnectionKind, subjectId: r.subject_id })),
    };
  });
}
