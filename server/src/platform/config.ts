import path from 'node:path';
import { z } from 'zod';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'must start with sqlite: or postgres://')
    .default('sqlite:./data/branchline.db'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(240),
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BRANCHLINE_DEMO: flag.optional(),
  BRANCHLINE_ADMIN_EMAIL: z.email().optional(),
  BRANCHLINE_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  BRANCHLINE_LIBRARY_NAME: z.string().min(1).max(120).default('Your Library'),
  BRANCHLINE_TIME_ZONE: z.string().default('America/New_York'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Branchline <no-reply@localhost>'),
  DATA_DIR: z.string().default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  CHAT_RECONNECT_GRACE_SECONDS: z.coerce.number().int().min(5).max(600).default(45),
  CHAT_MESSAGES_PER_10S: z.coerce.number().int().min(1).max(200).default(20),
  CHAT_STARTS_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(10),
  STAFF_OFFLINE_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(15),
  STAFF_CHAT_HANDBACK_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
  TRUST_PROXY: flag.default(false),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
});

/** Every environment variable the server reads (the README's configuration table lists each). */
export const CONFIG_VARIABLES = Object.keys(ConfigSchema.shape);

export type Config = {
  port: number;
  host: string;
  databaseUrl: string;
  publicUrl: string;
  sessionSecret: string | undefined;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  demo: boolean | undefined;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  libraryName: string;
  timeZone: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  dataDir: string;
  /** Redis for the event bus when several instances run; the in-process bus otherwise. */
  redisUrl: string | undefined;
  /** A queued patron whose page has been gone this long has left (abandoned or missed). */
  chatReconnectGraceSeconds: number;
  /** Flood limit per conversation. */
  chatMessagesPer10s: number;
  /** Chats started and questions left per patron address a minute. */
  chatStartsPerMinute: number;
  /** How long a person whose last dashboard tab closed stays as they were before going offline. */
  staffOfflineGraceSeconds: number;
  /** How long the open chats of someone who went offline with no dashboard tab wait for them before going back to their desk's queue. */
  staffChatHandbackSeconds: number;
  trustProxy: boolean;
  bodyLimitBytes: number;
  /** Directory of the built staff dashboard; absent in tests that do not serve it. */
  webDistDir: string | undefined;
  widgetDistDir: string | undefined;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads configuration from the environment. A bad value stops start-up with a message naming
 * the variable. Relative paths are taken from where npm was invoked (INIT_CWD), so `./data`
 * means the checkout's data folder whichever workspace script starts the server.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(blankless);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: c.BRANCHLINE_TIME_ZONE });
  } catch {
    throw new ConfigError('Invalid configuration:\n  BRANCHLINE_TIME_ZONE: not a known IANA time zone');
  }
  if ((c.BRANCHLINE_ADMIN_EMAIL === undefined) !== (c.BRANCHLINE_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  BRANCHLINE_ADMIN_EMAIL and BRANCHLINE_ADMIN_PASSWORD: set both or neither',
    );
  }
  const base = env.INIT_CWD ?? process.cwd();
  const dataDir = path.resolve(base, c.DATA_DIR);
  const databaseUrl = c.DATABASE_URL.startsWith('sqlite:')
    ? sqliteUrl(base, c.DATABASE_URL, dataDir, env.DATABASE_URL === undefined)
    : c.DATABASE_URL;
  const root = path.resolve(import.meta.dirname, '../../..');
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl,
    publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    sessionSecret: c.SESSION_SECRET,
    sessionIdleMinutes: c.SESSION_IDLE_MINUTES,
    sessionMaxHours: c.SESSION_MAX_HOURS,
    logLevel: c.LOG_LEVEL,
    demo: c.BRANCHLINE_DEMO,
    adminEmail: c.BRANCHLINE_ADMIN_EMAIL?.toLowerCase(),
    adminPassword: c.BRANCHLINE_ADMIN_PASSWORD,
    libraryName: c.BRANCHLINE_LIBRARY_NAME,
    timeZone: c.BRANCHLINE_TIME_ZONE,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    dataDir,
    redisUrl: c.REDIS_URL,
    chatReconnectGraceSeconds: c.CHAT_RECONNECT_GRACE_SECONDS,
    chatMessagesPer10s: c.CHAT_MESSAGES_PER_10S,
    chatStartsPerMinute: c.CHAT_STARTS_PER_MINUTE,
    staffOfflineGraceSeconds: c.STAFF_OFFLINE_GRACE_SECONDS,
    staffChatHandbackSeconds: c.STAFF_CHAT_HANDBACK_SECONDS,
    trustProxy: c.TRUST_PROXY,
    bodyLimitBytes: c.BODY_LIMIT_BYTES,
    webDistDir: path.join(root, 'web/dist'),
    widgetDistDir: path.join(root, 'widget/dist'),
  };
}

function sqliteUrl(base: string, url: string, dataDir: string, isDefault: boolean): string {
  const file = url.slice('sqlite:'.length);
  if (file === ':memory:') return url;
  const resolved = isDefault ? path.join(dataDir, 'branchline.db') : path.resolve(base, file);
  return `sqlite:${resolved}`;
}
