import {
  CHAT_TOKEN_HEADER,
  DeskAvailability,
  LeaveQuestionBody,
  PatronClientFrame,
  PollResponse,
  Slug,
  StartChatBody,
  StartChatResponse,
  type PatronServerFrame,
} from '@branchline/protocol';
import cors from '@fastify/cors';
import type {} from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { topics } from '../../platform/bus.ts';
import type { Deps } from '../../platform/deps.ts';
import { errors } from '../../platform/errors.ts';
import {
  type PatronClient,
  conversationForToken,
  deskAvailability,
  leaveQuestion,
  patronPolled,
  startChat,
} from './chat.service.ts';
import { handlePatronFrame, withoutOwnEvent } from './patron-frames.ts';
import { FloodGuard } from './flood-guard.ts';
import { findConversationById } from '../conversations/conversations.service.ts';
import { type PublicLibraryHint, findPublicDesk } from '../libraries/libraries.service.ts';
import type { OriginCheck } from './origins.ts';
import { patronEventsAfter, presentPatronConversation } from './patron-view.ts';
import { patronSocket } from './patron-socket.ts';

const FrameBody = PatronClientFrame.refine((f) => f.type !== 'hello', { message: 'Send hello only over a WebSocket' });
const MAX_POLL_SECONDS = 25;

/** The patron side of chat: start, send and receive over WebSocket or, failing that, HTTP. */
export const chatRoutes: FastifyPluginAsyncZod<{ deps: Deps; origins: OriginCheck }> = async (
  app,
  { deps, origins },
) => {
  const flood = new FloodGuard(deps.config.chatMessagesPer10s, 10_000);
  const tags = ['Patron chat'];

  // Library websites call these from their own origins; only allow-listed origins get CORS.
  await app.register(cors, {
    origin: (origin, callback) => {
      if (!origin) return callback(null, true);
      origins.isKnown(origin).then(
        (ok) => callback(null, ok),
        (error: Error) => callback(error, false),
      );
    },
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', CHAT_TOKEN_HEADER],
    credentials: false,
    maxAge: 600,
  });

  const tokenOf = (headers: Record<string, unknown>) => {
    const value = headers[CHAT_TOKEN_HEADER];
    return typeof value === 'string' ? value : undefined;
  };
  const checkOrigin = async (libraryId: string, origin: string | undefined) => {
    if (!(await origins.isAllowed(libraryId, origin))) throw errors.forbidden('This site may not embed the chat.');
  };

  /** Which library a public request is for: named, by the host name it came to, or by the embedding site. */
  const hintOf = (request: FastifyRequest, library: string | undefined): PublicLibraryHint => ({
    library,
    origin: request.headers.origin,
    host: request.hostname,
  });
  const clientOf = (request: FastifyRequest): PatronClient => ({
    ip: request.ip,
    origin: request.headers.origin,
    host: request.hostname,
  });

  /** Checked before anything is written, so a refused site changes nothing. */
  const checkDeskOrigin = async (slug: string, hint: PublicLibraryHint) => {
    const found = await findPublicDesk(deps, slug, hint);
    if (!found) throw errors.notFound('desk');
    await checkOrigin(found.library.id, hint.origin);
  };

  app.get(
    '/api/chat/desks/:slug',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Is a desk open and staffed, and how long is the wait',
        params: z.strictObject({ slug: Slug }),
        querystring: z.strictObject({ library: Slug.optional() }),
        response: { 200: DeskAvailability },
      },
    },
    async (request) => deskAvailability(deps, request.params.slug, hintOf(request, request.query.library)),
  );

  app.post(
    '/api/chat/conversations',
    {
      config: { access: 'public', rateLimit: { max: deps.config.chatStartsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Start a chat with its first message',
        body: StartChatBody,
        response: { 201: StartChatResponse },
      },
    },
    async (request, reply) => {
      await checkDeskOrigin(request.body.desk, hintOf(request, request.body.library));
      return reply.status(201).send(await startChat(deps, request.body, clientOf(request)));
    },
  );

  app.post(
    '/api/chat/questions',
    {
      config: { access: 'public', rateLimit: { max: deps.config.chatStartsPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Leave a question to be answered by email',
        body: LeaveQuestionBody,
        response: { 201: z.object({ id: z.uuid() }) },
      },
    },
    async (request, reply) => {
      await checkDeskOrigin(request.body.desk, hintOf(request, request.body.library));
      return reply.status(201).send(await leaveQuestion(deps, request.body, clientOf(request)));
    },
  );

  app.post(
    '/api/chat/frames',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Send one chat frame over HTTP (when a WebSocket cannot be used); needs the x-chat-token header',
        body: FrameBody,
        response: { 200: PollResponse },
      },
    },
    async (request) => {
      const row = await conversationForToken(deps, tokenOf(request.headers));
      await checkOrigin(row.library_id, request.headers.origin);
      const frame = request.body as Exclude<PatronClientFrame, { type: 'hello' }>;
      await patronPolled(deps, row.id, MAX_POLL_SECONDS + 5);
      return { frames: (await handlePatronFrame(deps, flood, row.id, frame)).map(withoutOwnEvent) };
    },
  );

  app.get(
    '/api/chat/poll',
    {
      config: { access: 'public', rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags,
        summary: 'Long-poll for chat events after a sequence number; needs the x-chat-token header',
        querystring: z.strictObject({
          after: z.coerce.number().int().nonnegative(),
          wait: z.coerce.number().int().min(0).max(MAX_POLL_SECONDS).default(MAX_POLL_SECONDS),
        }),
        response: { 200: PollResponse },
      },
    },
    async (request) => {
      const row = await conversationForToken(deps, tokenOf(request.headers));
      await checkOrigin(row.library_id, request.headers.origin);
      await patronPolled(deps, row.id, request.query.wait + 5);
      // A position past the log (a stale or wrong number) reads from its end, as the socket does.
      const after = Math.min(request.query.after, row.last_seq);
      const collect = async (): Promise<PatronServerFrame[]> => {
        const events = await patronEventsAfter(deps.db, row.id, after);
        return events.map((event) => ({ type: 'event', event }));
      };
      // The doorbell is listened for before the first read, so an event committed between the
      // read and the wait still ends the wait at once.
      let rang = false;
      let wake = () => {
        rang = true;
      };
      const offConversation = deps.bus.subscribe(topics.conversation(row.id), (message) => {
        if (message.kind === 'events' || message.kind === 'conversation') wake();
        else if (message.kind === 'seen' && message.by === 'staff') wake();
      });
      const offQueue =
        row.status === 'queued'
          ? deps.bus.subscribe(topics.library(row.library_id), (message) => {
              if (message.kind === 'queue') wake();
            })
          : () => undefined;
      let frames: PatronServerFrame[];
      try {
        frames = await collect();
        if (frames.length === 0 && request.query.wait > 0) {
          // Wait for the doorbell (or the deadline), then read from the database: new events, a
          // change of state, the librarian having read, or (while waiting) a move in the queue.
          if (!rang) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(done, request.query.wait * 1000);
              wake = done;
              request.raw.once('close', done);
              function done() {
                clearTimeout(timer);
                resolve();
              }
            });
          }
          frames = await collect();
        }
      } finally {
        offConversation();
        offQueue();
      }
      // Re-read after the wait: the status or queue position may have changed meanwhile.
      const fresh = (await findConversationById(deps.db, row.id)) ?? row;
      const state: PatronServerFrame = { type: 'state', conversation: await presentPatronConversation(deps, fresh) };
      const seen: PatronServerFrame[] = fresh.staff_seen_seq > 0 ? [{ type: 'seen', seq: fresh.staff_seen_seq }] : [];
      return { frames: [...frames, ...seen, state] };
    },
  );

  app.get(
    '/api/chat/ws',
    { websocket: true, config: { access: 'public' }, schema: { hide: true } },
    patronSocket(deps, flood, origins),
  );
};
