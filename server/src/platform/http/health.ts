import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const Health = z.object({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'down']) });

/** GET /health: 200 when the database answers, 503 when it does not. */
export const healthRoutes: FastifyPluginAsyncZod<{ ping: () => Promise<boolean> }> = async (app, { ping }) => {
  app.get(
    '/health',
    {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['Operations'], summary: 'Liveness and database health', response: { 200: Health, 503: Health } },
    },
    async (_request, reply) => {
      const up = await ping();
      reply.header('cache-control', 'no-store');
      return up
        ? reply.status(200).send({ status: 'ok', database: 'ok' })
        : reply.status(503).send({ status: 'degraded', database: 'down' });
    },
  );
};
