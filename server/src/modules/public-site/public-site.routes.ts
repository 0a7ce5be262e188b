import crypto from 'node:crypto';
import { Email, LeaveQuestionBody, Slug, type Desk, type Library } from '@branchline/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { system } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { leaveQuestion } from '../chat/chat.service.ts';
import { findPublicLibrary, listBranches, listDesksOfLibrary } from '../libraries/libraries.service.ts';
import {
  EMPTY_FORM,
  renderChatPage,
  renderDeskNotFound,
  renderQuestionThanks,
  scopeOf,
  type QuestionForm,
} from './chat-page.ts';
import { renderHomePage } from './home-page.ts';
import { pickLocale, type Locale } from './messages.ts';

/** `library` names a library other than the deployment's first (a cooperative's members). */
const LangQuery = z.object({ lang: z.string().max(10).optional(), library: z.string().max(60).optional() });
const DeskParams = z.object({ slug: Slug });
const QuestionFormBody = z.object({
  email: z.string().max(254).default(''),
  name: z.string().max(120).default(''),
  message: z.string().max(4000).default(''),
});

function sendHtml(reply: FastifyReply, locale: Locale, page: string, status = 200): FastifyReply {
  reply.header('content-language', locale).header('vary', 'Accept-Language');
  return reply.status(status).type('text/html; charset=utf-8').send(page);
}

/** The patron-facing pages, rendered on the server so they work without JavaScript. */
export const publicSiteRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/',
    { config: { access: 'public' }, schema: { hide: true, querystring: LangQuery } },
    async (request, reply) => {
      const locale = pickLocale(request.query.lang, request.headers['accept-language']);
      const librarySlug = request.query.library;
      const library = await findPublicLibrary(deps, { library: librarySlug, host: request.hostname });
      if (!library && librarySlug !== undefined)
        return sendHtml(reply, locale, renderDeskNotFound(undefined, locale), 404);
      const branches = library ? await listBranches(deps, system, library.id) : [];
      reply.header('content-language', locale).header('vary', 'Accept-Language');
      return reply
        .type('text/html; charset=utf-8')
        .send(renderHomePage({ library, branches, now: deps.clock.now(), locale, librarySlug }));
    },
  );

  // Plain HTML forms post url-encoded bodies; this parser exists only inside these public pages,
  // so no API route ever accepts a cross-site form post.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  /** The library (named, or by the host name the page was asked on) and the desk a page is for. */
  async function deskContext(
    slug: string | undefined,
    librarySlug: string | undefined,
    host: string,
  ): Promise<{ library: Library; desks: Desk[]; desk: Desk | undefined } | undefined> {
    const library = await findPublicLibrary(deps, { library: librarySlug, host });
    if (!library) return undefined;
    const desks = (await listDesksOfLibrary(deps.db, library.id)).filter((d) => d.isActive);
    const desk =
      slug === undefined ? (desks.find((d) => d.slug === 'ask') ?? desks[0]) : desks.find((d) => d.slug === slug);
    return { library, desks, desk };
  }

  const showChat = async (
    slug: string | undefined,
    request: Pick<FastifyRequest, 'headers' | 'hostname'> & { query: z.infer<typeof LangQuery> },
    reply: FastifyReply,
    form: QuestionForm = EMPTY_FORM,
  ) => {
    const query = request.query;
    const locale = pickLocale(query.lang, request.headers['accept-language']);
    const context = await deskContext(slug, query.library, request.hostname);
    if (!context?.desk)
      return sendHtml(reply, locale, renderDeskNotFound(context?.library, locale, query.library), 404);
    const { library, desks, desk } = context;
    return sendHtml(
      reply,
      locale,
      renderChatPage({ library, desks, desk, now: deps.clock.now(), locale, form, librarySlug: query.library }),
      form.errors.length ? 400 : 200,
    );
  };

  app.get(
    '/chat',
    { config: { access: 'public' }, schema: { hide: true, querystring: LangQuery } },
    async (request, reply) => showChat(undefined, request, reply),
  );
  app.get(
    '/chat/:slug',
    { config: { access: 'public' }, schema: { hide: true, params: DeskParams, querystring: LangQuery } },
    async (request, reply) => showChat(request.params.slug, request, reply),
  );

  app.post(
    '/chat/:slug/question',
    {
      config: { access: 'public', rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { hide: true, params: DeskParams, querystring: LangQuery, body: QuestionFormBody },
    },
    async (request, reply) => {
      const locale = pickLocale(request.query.lang, request.headers['accept-language']);
      // An unknown library or desk gets the page that says so, before anything is read or kept.
      const context = await deskContext(request.params.slug, request.query.library, request.hostname);
      if (!context?.desk)
        return sendHtml(reply, locale, renderDeskNotFound(context?.library, locale, request.query.library), 404);
      const form: QuestionForm = {
        email: request.body.email.trim(),
        name: request.body.name.trim(),
        message: request.body.message,
        errors: [],
      };
      if (!Email.safeParse(form.email).success) form.errors.push('email');
      if (form.message.trim().length === 0) form.errors.push('message');
      if (form.errors.length > 0) return showChat(request.params.slug, request, reply, form);
      const body = LeaveQuestionBody.parse({
        desk: request.params.slug,
        clientId: crypto.randomBytes(12).toString('base64url'),
        email: form.email,
        ...(form.name ? { name: form.name } : {}),
        message: form.message,
        language: locale,
        library: context.library.slug,
      });
      await leaveQuestion(deps, body, { ip: request.ip });
      return reply.redirect(`/chat/${request.params.slug}/thanks?${scopeOf(request.query.library)}lang=${locale}`, 303);
    },
  );

  app.get(
    '/chat/:slug/thanks',
    { config: { access: 'public' }, schema: { hide: true, params: DeskParams, querystring: LangQuery } },
    async (request, reply) => {
      const locale = pickLocale(request.query.lang, request.headers['accept-language']);
      const context = await deskContext(request.params.slug, request.query.library, request.hostname);
      if (!context?.desk)
        return sendHtml(reply, locale, renderDeskNotFound(context?.library, locale, request.query.library), 404);
      return sendHtml(
        reply,
        locale,
        renderQuestionThanks(context.library, context.desk, locale, request.query.library),
      );
    },
  );
};
