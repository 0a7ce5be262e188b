/**
 * The real Branchline server for the chat benchmark, run as a child process:
 * `node --import tsx bench/support/server-entry.ts`. It is main.ts plus a fixture — extra
 * answering staff on the demo library, so a thousand chats have someone to answer them.
 * Configuration comes from the environment like any deployment (see bench/chat.bench.ts).
 */
import { buildApp } from '../../server/src/app.ts';
import { bootstrap } from '../../server/src/bootstrap.ts';
import { hashPassword } from '../../server/src/modules/accounts/passwords.ts';
import { insertStaff } from '../../server/src/modules/accounts/staff.repo.ts';
import { findPublicDesk } from '../../server/src/modules/libraries/libraries.service.ts';
import { loadConfig } from '../../server/src/platform/config.ts';
import { newId } from '../../server/src/platform/tokens.ts';
import { answerCommands } from './child-commands.ts';
import { countStatements } from './statement-counter.ts';

export interface ServerReady {
  baseUrl: string;
  libraryId: string;
  deskId: string;
  deskSlug: string;
  staffEmails: string[];
}

const DESK_SLUG = 'ask';

async function main(): Promise<void> {
  const staffCount = Number(process.env.BENCH_STAFF ?? '0');
  const password = process.env.BENCH_STAFF_PASSWORD ?? '';
  const chatsPerStaff = Number(process.env.BENCH_CHATS_PER_STAFF ?? '10');
  if (!Number.isInteger(staffCount) || staffCount < 1 || password.length < 12) {
    throw new Error('BENCH_STAFF (≥ 1) and BENCH_STAFF_PASSWORD (≥ 12 characters) are required');
  }
  const statements = process.env.BENCH_COUNT_STATEMENTS === '1' ? countStatements() : undefined;
  const config = { ...loadConfig(process.env), webDistDir: undefined, widgetDistDir: undefined };
  const app = await buildApp(config, { logger: false, sweepIntervalMs: 1000 });
  await bootstrap(app.deps);
  const found = await findPublicDesk(app.deps, DESK_SLUG);
  if (!found) throw new Error(`the demo library has no "${DESK_SLUG}" desk`);

  // One argon2 hash for everyone: createStaff would spend ~50 ms hashing each of hundreds.
  const passwordHash = await hashPassword(password);
  const now = new Date().toISOString();
  const staffEmails: string[] = [];
  await app.deps.db.transaction().execute(async (trx) => {
    for (let i = 0; i < staffCount; i += 1) {
      const email = `bench-librarian-${i}@bench.example`;
      await insertStaff(trx, {
        id: newId(),
        library_id: found.library.id,
        name: `Bench Librarian ${i}`,
        display_name: `Librarian ${i}`,
        email,
        role: 'librarian',
        languages_json: ['en'],
        password_hash: passwordHash,
        max_concurrent_chats: chatsPerStaff,
        is_active: true,
        last_login_at: null,
        created_at: now,
        updated_at: now,
      });
      staffEmails.push(email);
    }
  });

  process.on('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
  await app.listen({ port: config.port, host: config.host });
  answerCommands({
    'statements:reset': () => (statements?.reset(), 'ok'),
    'statements:read': () => JSON.stringify(statements?.read() ?? {}),
  });
  const ready: ServerReady = {
    baseUrl: config.publicUrl,
    libraryId: found.library.id,
    deskId: found.desk.id,
    deskSlug: DESK_SLUG,
    staffEmails,
  };
  process.stdout.write(`BENCH_READY ${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
