import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Ability } from '@branchline/protocol';
import { AppError } from './platform/errors.ts';
import type { Actor } from './platform/actor.ts';
import { createLocalBus, createRedisBus, type Bus } from './platform/bus.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import type { Config } from './platform/config.ts';
import { openDatabase, type DatabaseHandle } from './platform/db/database.ts';
import { GroupCommit } from './platform/db/group-commit.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import type { Deps } from './platform/deps.ts';
import { authPlugin } from './platform/http/auth-plugin.ts';
import { registerErrorHandling } from './platform/http/error-handler.ts';
import { healthRoutes } from './platform/http/health.ts';
import { metricsPlugin } from './platform/http/metrics.ts';
import { createMetrics } from './platform/metrics.ts';
import { registerChatGauges } from './modules/chat/chat-metrics.ts';
import { openApiPlugin } from './platform/http/openapi.ts';
import { staticAssetsPlugin } from './platform/http/static-assets.ts';
import { createOutboxMailer, createSmtpMailer, type Mailer } from './platform/mailer.ts';
import { loadOrCreateSecret } from './platform/secret.ts';
import path from 'node:path';
import { staffAbilities } from './modules/accounts/accounts.policy.ts';
import { auditAbilities } from './modules/audit/audit.policy.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { blockAbilities } from './modules/chat/patron-blocks.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import * as auth from './modules/accounts/auth.service.ts';
import { libraryAbilities } from './modules/libraries/libraries.policy.ts';
import { librariesRoutes } from './modules/libraries/libraries.routes.ts';
import { publicSiteRoutes } from './modules/public-site/public-site.routes.ts';
import { chatRoutes } from './modules/chat/chat.routes.ts';
import { createOriginCheck } from './modules/chat/origins.ts';
import { staffChatRoutes } from './modules/chat/staff-chat.routes.ts';
import { HEARTBEAT_MS, LiveConnections } from './modules/routing/live-connections.ts';
import { instanceTick, startInstance, sweep } from './modules/routing/routing.service.ts';
import { purgeExpiredTranscripts } from './modules/conversations/retention.service.ts';
import { repeat } from './platform/repeat.ts';

const PURGE_FIRST_DELAY_MS = 60_000;
const PURGE_EVERY_MS = 60 * 60_000;

export interface BuildOptions {
  clock?: Clock;
  mailer?: Mailer;
  /** An already-open database (tests pass one per dialect); otherwise config.databaseUrl is opened. */
  database?: DatabaseHandle;
  /** Run migrations before serving (default true). */
  migrate?: boolean;
  /** The event bus; by default Redis when REDIS_URL is set, else in-process. */
  bus?: Bus;
  /** How often routing's clockwork runs (ring timeouts, abandonment); 0 turns it and the instance heartbeat off (tests sweep by hand). */
  sweepIntervalMs?: number;
  logger?: FastifyServerOptions['logger'];
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: 'public' | 'staff';
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: Deps;
    /** Every route with its declared access, for the authorization matrix and docs. */
    registeredRoutes: RegisteredRoute[];
  }
}

/** Abilities the dashboard is told about: each module's policy answers for its own actions. */
export function abilitiesOf(actor: Actor): Ability[] {
  return [...libraryAbilities(actor), ...staffAbilities(actor), ...auditAbilities(actor), ...blockAbilities(actor)];
}

/** Builds the whole server without listening: platform plugins, then each domain module. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const database = options.database ?? openDatabase(config.databaseUrl);
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();

  try {
    if (options.migrate !== false) await migrateToLatest(database);
    const secret = config.sessionSecret ?? (await loadOrCreateSecret(database.db));
    const mailer =
      options.mailer ??
      (config.smtpUrl
        ? createSmtpMailer(config.smtpUrl, config.mailFrom)
        : createOutboxMailer(path.join(config.dataDir, 'outbox'), config.mailFrom, (file) =>
            app.log.info({ file }, 'mail written to the outbox folder (no SMTP_URL set)'),
          ));
    const bus = options.bus ?? (config.redisUrl ? createRedisBus(config.redisUrl) : createLocalBus());
    const clock = options.clock ?? systemClock;
    const metrics = createMetrics();
    const deps: Deps = {
      db: database.db,
      dialect: database.dialect,
      config,
      clock,
      mailer,
      bus,
      groupCommit: new GroupCommit(database.db, {
        concurrency: database.dialect === 'postgres' ? 4 : 1,
        onGroup: (size) => metrics.groupCommitSize.observe(size),
      }),
      connections: new LiveConnections(database.db, clock),
      log: app.log,
      metrics,
      secret,
    };
    registerChatGauges(deps);
    app.decorate('deps', deps);
    // Other instances share the database only through a shared bus: Redis, or one handed in
    // (several instances in one process, as tests run them).
    await startInstance(deps, { alone: !config.redisUrl && !options.bus });
    app.decorate('registeredRoutes', [] as RegisteredRoute[]);
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD') continue;
        app.registeredRoutes.push({
          method,
          url: route.url,
          access: route.config?.access ?? (route.url.startsWith('/api/') ? 'staff' : 'public'),
        });
      }
    });
    const sweepEvery = options.sweepIntervalMs ?? 1000;
    const logError = (what: string) => (error: unknown) => app.log.error({ err: error }, what);
    const jobs =
      sweepEvery > 0
        ? [
            repeat(() => sweep(deps), { everyMs: sweepEvery, onError: logError('routing sweep failed') }),
            repeat(() => instanceTick(deps), { everyMs: HEARTBEAT_MS, onError: logError('instance heartbeat failed') }),
            // Transcripts past their library's retention are deleted hourly, and once soon after start.
            repeat(() => purgeExpiredTranscripts(deps), {
              everyMs: PURGE_EVERY_MS,
              firstAfterMs: PURGE_FIRST_DELAY_MS,
              onError: logError('deleting expired transcripts failed'),
            }),
          ]
        : [];
    app.addHook('onClose', async () => {
      await Promise.all(jobs.map((job) => job.stop()));
      await deps.groupCommit.drain();
      await deps.connections
        .stop()
        .catch((error: unknown) => app.log.warn({ err: error }, 'could not remove this instance’s connections'));
      if (!options.bus) await bus.close();
      await mailer.close();
      if (!options.database) await database.close();
    });
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });

    // JSON only: a text/plain body must be refused (415), not read as a string.
    app.removeContentTypeParser('text/plain');
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    registerErrorHandling(app);

    await app.register(helmet, {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'self'"],
          formAction: ["'self'"],
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
      // The widget script is loaded by library websites on other origins.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      hsts: config.publicUrl.startsWith('https://'),
    });
    await app.register(cookie);
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    await app.register(rateLimit, {
      global: true,
      max: 600,
      timeWindow: '1 minute',
      errorResponseBuilder: (_request, context) =>
        new AppError('rate_limited', `Too many requests. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`, {
          details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        }),
    });
    await app.register(metricsPlugin, { registry: metrics.registry });
    await app.register(openApiPlugin);
    await app.register(authPlugin, {
      deps,
      sessions: {
        resolve: (token) => auth.resolveSession(deps, token),
        isValidCsrf: (idHash, presented) => auth.isValidCsrfToken(deps, idHash, presented),
      },
    });

    await app.register(healthRoutes, { ping: database.ping });
    await app.register(accountsRoutes, { deps, abilitiesOf });
    await app.register(librariesRoutes, { deps });
    await app.register(chatRoutes, { deps, origins: createOriginCheck(deps) });
    await app.register(staffChatRoutes, { deps });
    await app.register(auditRoutes, { deps });
    await app.register(publicSiteRoutes, { deps });
    await app.register(staticAssetsPlugin, { webDistDir: config.webDistDir, widgetDistDir: config.widgetDistDir });
    await app.ready();
    return app;
  } catch (error) {
    await app.close().catch(() => undefined);
    if (!options.database) await database.close().catch(() => undefined);
    throw error;
  }
}

function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
    serializers: {
      // Paths only: query strings can carry reset tokens and patron details.
      req: (request: { method: string; url: string }) => ({
        method: request.method,
        path: request.url.split('?')[0],
      }),
    },
  };
}
