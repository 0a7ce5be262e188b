import type { FastifyBaseLogger } from 'fastify';
import type { Bus } from './bus.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Db, Dialect } from './db/database.ts';
import type { GroupCommit } from './db/group-commit.ts';
import type { Mailer } from './mailer.ts';
import type { Metrics } from './metrics.ts';
import type { LiveConnections } from '../modules/routing/live-connections.ts';

/** What every service receives first: the shared handles of one running server. */
export interface Deps {
  db: Db;
  dialect: Dialect;
  config: Config;
  clock: Clock;
  mailer: Mailer;
  bus: Bus;
  /** Shares one transaction among the small writes that arrive together (chat messages). */
  groupCommit: GroupCommit;
  /** The connections this instance holds (dashboard tabs, patrons' chats), recorded for all to see. */
  connections: LiveConnections;
  log: FastifyBaseLogger;
  /** What GET /metrics reports. */
  metrics: Metrics;
  /** Key for HMACs (CSRF tokens); from SESSION_SECRET or generated once and kept in the database. */
  secret: string;
}
