import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';

const BASE = '/srv/branchline';

/** loadConfig with INIT_CWD pinned, so relative paths do not depend on where the tests run. */
const load = (env: Record<string, string> = {}) => loadConfig({ INIT_CWD: BASE, ...env });

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = load();
    expect(config).toMatchObject({
      port: 3000,
      host: 'localhost',
      publicUrl: 'http://localhost:3000',
      dataDir: path.join(BASE, 'data'),
      databaseUrl: `sqlite:${path.join(BASE, 'data', 'branchline.db')}`,
      sessionSecret: undefined,
      sessionIdleMinutes: 240,
      sessionMaxHours: 12,
      logLevel: 'info',
      demo: undefined,
      adminEmail: undefined,
      adminPassword: undefined,
      libraryName: 'Your Library',
      timeZone: 'America/New_York',
      smtpUrl: undefined,
      trustProxy: false,
      bodyLimitBytes: 1024 * 1024,
      chatStartsPerMinute: 10,
    });
  });

  it('puts the default SQLite file under DATA_DIR', () => {
    expect(load({ DATA_DIR: '/var/lib/branchline' }).databaseUrl).toBe('sqlite:/var/lib/branchline/branchline.db');
    expect(load({ DATA_DIR: 'state' })).toMatchObject({
      dataDir: path.join(BASE, 'state'),
      databaseUrl: `sqlite:${path.join(BASE, 'state', 'branchline.db')}`,
    });
  });

  it('resolves relative paths against INIT_CWD (where npm was invoked)', () => {
    expect(loadConfig({ INIT_CWD: '/home/ana/checkout', DATA_DIR: './data' }).dataDir).toBe('/home/ana/checkout/data');
    expect(load({ DATABASE_URL: 'sqlite:./db/lib.db' }).databaseUrl).toBe(`sqlite:${path.join(BASE, 'db', 'lib.db')}`);
    expect(load({ DATABASE_URL: 'sqlite:/tmp/lib.db' }).databaseUrl).toBe('sqlite:/tmp/lib.db');
    expect(load({ DATABASE_URL: 'sqlite::memory:' }).databaseUrl).toBe('sqlite::memory:');
  });

  it('passes PostgreSQL URLs through untouched', () => {
    const url = 'postgres://branchline:pw@db.internal:5432/branchline';
    expect(load({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('derives PUBLIC_URL from PORT and strips trailing slashes from a given one', () => {
    expect(load({ PORT: '8080' })).toMatchObject({ port: 8080, publicUrl: 'http://localhost:8080' });
    expect(load({ PUBLIC_URL: 'https://lib.example/' }).publicUrl).toBe('https://lib.example');
    expect(load({ PUBLIC_URL: 'https://lib.example/branch///' }).publicUrl).toBe('https://lib.example/branch');
  });

  it('treats empty variables as unset', () => {
    expect(load({ PORT: '', LOG_LEVEL: '', BRANCHLINE_DEMO: '', SESSION_SECRET: '' })).toMatchObject({
      port: 3000,
      logLevel: 'info',
      demo: undefined,
      sessionSecret: undefined,
    });
  });

  it.each([
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    ['1', true],
    ['true', true],
    ['yes', true],
    ['on', true],
  ])('reads BRANCHLINE_DEMO=%s as %s', (value, demo) => {
    expect(load({ BRANCHLINE_DEMO: value }).demo).toBe(demo);
  });

  it('reads the first administrator and lower-cases the email', () => {
    const config = load({
      BRANCHLINE_ADMIN_EMAIL: 'Director@Library.Example',
      BRANCHLINE_ADMIN_PASSWORD: 'a-long-enough-password',
    });
    expect(config).toMatchObject({ adminEmail: 'director@library.example', adminPassword: 'a-long-enough-password' });
  });

  it('reads numbers, flags and the time zone', () => {
    expect(
      load({
        SESSION_IDLE_MINUTES: '30',
        TRUST_PROXY: 'true',
        BODY_LIMIT_BYTES: '2048',
        BRANCHLINE_TIME_ZONE: 'Pacific/Auckland',
        CHAT_STARTS_PER_MINUTE: '60',
      }),
    ).toMatchObject({
      sessionIdleMinutes: 30,
      trustProxy: true,
      bodyLimitBytes: 2048,
      timeZone: 'Pacific/Auckland',
      chatStartsPerMinute: 60,
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'mysql://localhost/branchline'],
    ['DATABASE_URL', 'branchline.db'],
    ['SESSION_SECRET', 'too-short'],
    ['LOG_LEVEL', 'verbose'],
    ['BRANCHLINE_TIME_ZONE', 'Mars/Olympus_Mons'],
    ['BRANCHLINE_DEMO', 'maybe'],
    ['PUBLIC_URL', 'ftp://lib.example'],
    ['PUBLIC_URL', 'not a url'],
    ['BRANCHLINE_ADMIN_EMAIL', 'not-an-email'],
    ['BRANCHLINE_ADMIN_PASSWORD', 'short'],
    ['SMTP_URL', 'http://mail.example'],
    ['SESSION_IDLE_MINUTES', '1'],
    ['BODY_LIMIT_BYTES', '10'],
    ['CHAT_STARTS_PER_MINUTE', '0'],
    ['CHAT_STARTS_PER_MINUTE', 'many'],
  ])('rejects %s=%s with a ConfigError naming the variable', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain(`${name}:`);
    // Only the bad variable is named.
    expect(error.message.match(/^ {2}\w+:/gm)).toEqual([`  ${name}:`]);
  });

  it('names every bad variable at once', () => {
    const error = configErrorOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(error.message).toContain('PORT:');
    expect(error.message).toContain('LOG_LEVEL:');
  });

  it('never echoes a rejected secret', () => {
    expect(configErrorOf({ SESSION_SECRET: 'hunter2-is-my-secret' }).message).not.toContain('hunter2');
  });
});

describe('the README', () => {
  it('documents every variable the server reads, and none it does not', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
    );
    const documented = new Set(
      section
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1])),
    );
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
