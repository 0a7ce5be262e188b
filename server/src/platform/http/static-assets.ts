import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export interface StaticOptions {
  webDistDir: string | undefined;
  widgetDistDir: string | undefined;
}

/**
 * Serves the built staff dashboard under /staff (any unknown /staff path gets the SPA's
 * index.html) and the patron widget script at /widget.js.
 */
export const staticAssetsPlugin = fp<StaticOptions>(
  async (app: FastifyInstance, { webDistDir, widgetDistDir }) => {
    const hasWeb = webDistDir !== undefined && fs.existsSync(path.join(webDistDir, 'index.html'));
    if (hasWeb) {
      await app.register(fastifyStatic, {
        root: webDistDir,
        prefix: '/staff/',
        wildcard: false,
        index: false,
        decorateReply: true,
        cacheControl: false,
        setHeaders(reply, filePath) {
          // Vite fingerprints assets; index.html must be revalidated so deploys take effect.
          reply.header(
            'cache-control',
            filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      });
    }
    const sendDashboard = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '';
      // A file path (built after start-up, or missing) is served as a file or answered 404 — never
      // with index.html, which a browser would reject as a script and leave the page blank.
      if (hasWeb && (path.startsWith('/staff/assets/') || /\.[a-z0-9]+$/i.test(path))) {
        return reply.sendFile(path.slice('/staff/'.length), webDistDir!);
      }
      if (!hasWeb) {
        return reply
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('The staff dashboard has not been built. Run `npm run build` and restart.');
      }
      reply.header('cache-control', 'no-cache');
      return reply.sendFile('index.html', webDistDir!);
    };
    app.get('/staff', { schema: { hide: true } }, sendDashboard);
    app.get('/staff/*', { schema: { hide: true } }, sendDashboard);

    const widgetFile = widgetDistDir === undefined ? undefined : path.join(widgetDistDir, 'widget.js');
    if (widgetFile !== undefined && fs.existsSync(widgetFile)) {
      const script = fs.readFileSync(widgetFile);
      app.get('/widget.js', { schema: { hide: true } }, async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        reply.header('access-control-allow-origin', '*');
        return reply.type('text/javascript; charset=utf-8').send(script);
      });
    }
  },
  { name: 'branchline-static' },
);
