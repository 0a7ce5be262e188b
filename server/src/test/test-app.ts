import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { buildApp } from '../app.ts';
import type { Bus } from '../platform/bus.ts';
import type { Clock } from '../platform/clock.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import type { Dialect } from '../platform/db/database.ts';
import { createOutboxMailer } from '../platform/mailer.ts';
import { openTestDatabase, type TestDatabase } from './databases.ts';

/** A settable clock for expiry and throttling tests. */
export class TestClock implements Clock {
  #now: Date;
  constructor(start = '2026-03-02T15:00:00.000Z') {
    this.#now = new Date(start);
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(iso: string): void {
    this.#now = new Date(iso);
  }
  advanceMinutes(minutes: number): void {
    this.#now = new Date(this.#now.getTime() + minutes * 60_000);
  }
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  clock: TestClock;
  config: Config;
  /** Folder the outbox mailer writes .eml files to. */
  outboxDir: string;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return {
    ...loadConfig({
      LOG_LEVEL: 'silent',
      SESSION_SECRET: 'test-secret-test-secret-test-secret!!',
      // Offline at once when the last tab closes, unless a case sets a grace itself.
      STAFF_OFFLINE_GRACE_SECONDS: '0',
      ...overrides,
    }),
    webDistDir: undefined,
    widgetDistDir: undefined,
  };
}

/** The whole server on a fresh database of `dialect`, never listening (use app.inject). */
export async function buildTestApp(
  dialect: Dialect,
  options: {
    env?: Record<string, string>;
    clock?: TestClock;
    config?: Partial<Config>;
    database?: TestDatabase;
    /** A bus shared with other instances built on the same database. */
    bus?: Bus;
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase(dialect));
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'branchline-outbox-'));
  const clock = options.clock ?? new TestClock();
  const config = { ...testConfig(options.env), dataDir: outboxDir, ...options.config };
  const app = await buildApp(config, {
    database,
    clock,
    logger: false,
    mailer: createOutboxMailer(outboxDir, config.mailFrom),
    ...(options.bus ? { bus: options.bus } : {}),
    // Routing's clockwork runs only when a test calls sweep(), so time-based cases are exact.
    sweepIntervalMs: 0,
  });
  return {
    app,
    database,
    clock,
    config,
    outboxDir,
    async close() {
      await app.close();
      await database.destroy();
      fs.rmSync(outboxDir, { recursive: true, force: true });
    },
  };
}

/** Reads the messages the outbox mailer wrote, oldest first. */
export function readOutbox(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** The newest outbox message, parsed: its recipient, subject and decoded text. */
export async function lastMail(dir: string): Promise<{ to: string; subject: string; text: string } | undefined> {
  const raw = readOutbox(dir).at(-1);
  if (raw === undefined) return undefined;
  const mail = await simpleParser(raw);
  const to = Array.isArray(mail.to) ? mail.to[0]?.text : mail.to?.text;
  return { to: to ?? '', subject: mail.subject ?? '', text: mail.text ?? '' };
}

/** The token of the reset link in a message's text. */
export function resetTokenIn(text: string): string {
  const match = /reset-password\?token=([A-Za-z0-9_%-]+)/.exec(text);
  if (!match?.[1]) throw new Error('no reset link in the message');
  return decodeURIComponent(match[1]);
}
