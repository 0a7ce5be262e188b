import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { system } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { getDefaultLibrary, listBranches } from '../libraries/libraries.service.ts';
import { renderHomePage } from './home-page.ts';
import { pickLocale } from './messages.ts';

/** The patron-facing pages, rendered on the server so they work without JavaScript. */
export const publicSiteRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    {
      config: { access: 'public' },
      schema: { hide: true, querystring: z.object({ lang: z.string().max(10).optional() }) },
    },
    async (request, reply) => {
      const locale = pickLocale(request.query.lang, request.headers['accept-language']);
      const library = await getDefaultLibrary(deps);
      const branches = library ? await listBranches(deps, system, library.id) : [];
      reply.header('content-language', locale).header('vary', 'Accept-Language');
      return reply
        .type('text/html; charset=utf-8')
        .send(renderHomePage({ library, branches, now: deps.clock.now(), locale }));
    },
  );
};
