import crypto from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CreateStaffBody, Password, STAFF_ROLES } from '@branchline/protocol';
import { pino } from 'pino';
import { system } from './platform/actor.ts';
import { GroupCommit } from './platform/db/group-commit.ts';
import { LiveConnections } from './modules/routing/live-connections.ts';
import { createMetrics } from './platform/metrics.ts';
import { createLocalBus } from './platform/bus.ts';
import { systemClock } from './platform/clock.ts';
import { ConfigError, loadConfig } from './platform/config.ts';
import { openDatabase } from './platform/db/database.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import type { Deps } from './platform/deps.ts';
import { AppError } from './platform/errors.ts';
import { createOutboxMailer, createSmtpMailer } from './platform/mailer.ts';
import { loadOrCreateSecret } from './platform/secret.ts';
import { findStaffByEmail } from './modules/accounts/staff.repo.ts';
import { createStaff, setStaffPassword } from './modules/accounts/staff.service.ts';
import { getDefaultLibrary } from './modules/libraries/libraries.service.ts';
import { purgeExpiredTranscripts } from './modules/conversations/retention.service.ts';

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                          Bring the database schema up to date
  user:create --email E --name N --role R [--password P] [--languages en,es]
                                   Add a staff member (role: ${STAFF_ROLES.join(', ')}).
                                   Without --password a random one is generated and printed once.
  user:reset-password --email E [--password P]
                                   Set a new password (random if omitted, printed once) and end
                                   the person's sessions
  purge                            Delete now the transcripts past each library's retention (the
                                   server also does this every hour)
`;

export async function runCli(
  argv: string[],
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    out(USAGE);
    return command ? 0 : 64;
  }
  let values: Values;
  try {
    values = parseOptions(rest);
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 64;
  }
  const config = loadConfig();
  const database = openDatabase(config.databaseUrl);
  const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const mailer = config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, config.mailFrom)
    : createOutboxMailer(path.join(config.dataDir, 'outbox'), config.mailFrom);
  try {
    const applied = await migrateToLatest(database);
    if (command === 'migrate') {
      out(applied.length === 0 ? 'The database is up to date.' : `Applied: ${applied.join(', ')}`);
      return 0;
    }
    const deps: Deps = {
      db: database.db,
      dialect: database.dialect,
      config,
      clock: systemClock,
      mailer,
      bus: createLocalBus(),
      groupCommit: new GroupCommit(database.db),
      // Never started: the command line holds no connections.
      connections: new LiveConnections(database.db, systemClock),
      metrics: createMetrics(),
      log,
      secret: config.sessionSecret ?? (await loadOrCreateSecret(database.db)),
    };
    switch (command) {
      case 'user:create':
        return await userCreate(deps, values, out);
      case 'user:reset-password':
        return await userResetPassword(deps, values, out);
      case 'purge':
        for (const report of await purgeExpiredTranscripts(deps)) {
          out(
            `${report.libraryName}: deleted the transcripts of ${report.conversations} conversation(s) ended more than ${report.retentionDays} days ago, and ${report.blocks} expired block(s).`,
          );
        }
        return 0;
      default:
        out(`Unknown command "${command}".\n\n${USAGE}`);
        return 64;
    }
  } catch (error) {
    // Refusals the service explains (a duplicate email, say) are answers, not crashes.
    if (error instanceof AppError) {
      out(error.message);
      return 65;
    }
    throw error;
  } finally {
    await mailer.close();
    await database.close();
  }
}

type Values = { email?: string; name?: string; role?: string; password?: string; languages?: string };

function parseOptions(args: string[]): Values {
  return parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      languages: { type: 'string' },
    },
    strict: true,
  }).values;
}

async function userCreate(deps: Deps, values: Values, out: (line: string) => void): Promise<number> {
  const generated = values.password === undefined ? crypto.randomBytes(12).toString('base64url') : undefined;
  const parsed = CreateStaffBody.safeParse({
    email: values.email,
    name: values.name,
    role: values.role,
    languages: values.languages
      ?.split(',')
      .map((l) => l.trim())
      .filter(Boolean) ?? ['en'],
    password: values.password ?? generated,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) out(`--${issue.path.join('.')}: ${issue.message}`);
    return 65;
  }
  const library = await getDefaultLibrary(deps);
  if (!library) {
    out('There is no library yet. Start the server once to create it.');
    return 69;
  }
  const staff = await createStaff(deps, system, parsed.data, library.id);
  out(`Created ${staff.role} ${staff.email} in ${library.name}.`);
  if (generated) out(`Password (shown once): ${generated}`);
  return 0;
}

async function userResetPassword(deps: Deps, values: Values, out: (line: string) => void): Promise<number> {
  if (!values.email) {
    out('--email is required.');
    return 64;
  }
  const password = values.password ?? crypto.randomBytes(12).toString('base64url');
  const valid = Password.safeParse(password);
  if (!valid.success) {
    out(`--password: ${valid.error.issues[0]?.message ?? 'invalid'}`);
    return 65;
  }
  const staff = await findStaffByEmail(deps.db, values.email);
  if (!staff) {
    out(`No staff member has the email ${values.email}.`);
    return 67;
  }
  await setStaffPassword(deps, system, staff.id, password);
  out(`Password of ${staff.email} changed; their sessions were ended.`);
  if (values.password === undefined) out(`New password (shown once): ${password}`);
  return 0;
}

const isMain = process.argv[1] !== undefined && import.meta.filename === path.resolve(process.argv[1]);
if (isMain) {
  runCli(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      if (error instanceof ConfigError || error instanceof AppError) process.stderr.write(`${error.message}\n`);
      else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
