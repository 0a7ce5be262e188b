import type {} from '@fastify/cookie';
import { CSRF_HEADER } from '@branchline/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { anonymous, type Actor } from '../actor.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';

export const SESSION_COOKIE = 'branchline_session';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'public': anyone; 'staff' (the default for /api): a signed-in staff session is required. */
    access?: 'public' | 'staff';
  }
  interface FastifyRequest {
    actor: Actor;
    /** The live staff session the request carries, if any. */
    session: { idHash: string; expiresAt: string } | undefined;
  }
}

export interface SessionResolver {
  resolve(token: string): Promise<{ idHash: string; expiresAt: string; actor: Actor } | undefined>;
  isValidCsrf(idHash: string, presented: string | undefined): boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the session cookie into request.actor before the body is read, then enforces the
 * route's declared access and the CSRF token on every cookie-authenticated state change.
 */
export const authPlugin = fp<{ sessions: SessionResolver; deps: Deps }>(
  async (app: FastifyInstance, { sessions }) => {
    // Reference types must not be shared between requests: start empty, set per request below.
    app.decorateRequest('actor', null as never);
    app.decorateRequest('session', undefined);

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      request.actor = anonymous;
      request.session = undefined;
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        const session = await sessions.resolve(token);
        if (session) {
          request.actor = session.actor;
          request.session = { idHash: session.idHash, expiresAt: session.expiresAt };
        } else {
          reply.clearCookie(SESSION_COOKIE, { path: '/' });
        }
      }
      // The default follows the route's pattern, as registered (the same rule app.registeredRoutes
      // reports): a catch-all such as the CORS preflight route is not an /api/ route.
      const pattern = request.routeOptions.url ?? request.url;
      const access = request.routeOptions.config.access ?? (pattern.startsWith('/api/') ? 'staff' : 'public');
      if (access === 'staff' && !request.is404 && request.actor.kind !== 'staff') {
        throw new AppError('unauthenticated', 'Sign in to continue.');
      }
      if (request.session !== undefined && !SAFE_METHODS.has(request.method)) {
        const presented = request.headers[CSRF_HEADER];
        if (!sessions.isValidCsrf(request.session.idHash, typeof presented === 'string' ? presented : undefined)) {
          throw new AppError(
            'csrf_failed',
            'This request is missing its security token. Reload the page and try again.',
          );
        }
      }
    });
  },
  { name: 'branchline-auth' },
);
