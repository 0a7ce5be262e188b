import {
  BlockPatronBody,
  CannedResponse,
  ChatToday,
  ClientId,
  Conversation,
  ConversationEvent,
  ConversationListQuery,
  ConversationPage,
  ConversationWithEvents,
  CreateCannedResponseBody,
  IdParams,
  MessageBody,
  PatronBlock,
  Presence,
  ReadScale,
  SetPresenceBody,
  UpdateCannedResponseBody,
  listOf,
} from '@branchline/protocol';
import type {} from '@fastify/websocket';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { createCanned, deleteCanned, listCanned, updateCanned } from '../canned/canned.service.ts';
import { presentEvent } from '../conversations/conversations.presenter.ts';
import {
  getConversation,
  listConversations,
  loadConversation,
  patronHistory,
} from '../conversations/conversations.service.ts';
import * as routing from '../routing/routing.service.ts';
import { chatToday } from './chat-stats.service.ts';
import { liftBlock, listBlocks } from './patron-blocks.ts';
import * as staffChat from './staff-chat.service.ts';
import { staffSocket } from './staff-socket.ts';

/**
 * The staff side: the console's WebSocket, and the same actions as REST for integrations and
 * scripts. Each route calls the same service as the socket frame.
 */
export const staffChatRoutes: FastifyPluginAsyncZod<{ deps: Deps }> = async (app, { deps }) => {
  const tags = ['Conversations'];
  const after = async (id: string) => {
    const conversation = await loadConversation(deps.db, id);
    if (!conversation) throw new Error('conversation vanished');
    return conversation;
  };

  app.get('/api/staff/ws', { websocket: true, schema: { hide: true } }, staffSocket(deps));

  app.get(
    '/api/conversations',
    {
      schema: {
        tags,
        summary:
          'Conversations of your library, newest first, by status, desk, assignee, patron and dates, a page at a time',
        querystring: ConversationListQuery,
        response: { 200: ConversationPage },
      },
    },
    async (request) => listConversations(deps, request.actor, request.query),
  );
  app.get(
    '/api/conversations/:id',
    {
      schema: {
        tags,
        summary: 'A conversation with its whole log (internal notes included); audited',
        params: IdParams,
        response: { 200: ConversationWithEvents },
      },
    },
    async (request) => getConversation(deps, request.actor, request.params.id),
  );
  app.get(
    '/api/conversations/:id/history',
    {
      schema: {
        tags,
        summary: "The patron's earlier conversations, when they identified themselves",
        params: IdParams,
        response: { 200: listOf(Conversation) },
      },
    },
    async (request) => ({ items: await patronHistory(deps, request.actor, request.params.id) }),
  );
  app.post(
    '/api/conversations/:id/accept',
    {
      schema: {
        tags,
        summary: 'Take a waiting chat (first to accept wins)',
        params: IdParams,
        response: { 200: Conversation },
      },
    },
    async (request) => after((await routing.acceptConversation(deps, request.actor, request.params.id)).id),
  );
  app.post(
    '/api/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Reply, or add an internal note (internal: true); idempotent by clientId',
        params: IdParams,
        body: z.strictObject({ clientId: ClientId, body: MessageBody, internal: z.boolean().default(false) }),
        response: { 200: ConversationEvent },
      },
    },
    async (request) =>
      presentEvent(
        await staffChat.sendStaffMessage(deps, request.actor, { conversationId: request.params.id, ...request.body }),
      ),
  );
  app.post(
    '/api/conversations/:id/transfer',
    {
      schema: {
        tags,
        summary: 'Hand the chat to a colleague or back to a desk',
        params: IdParams,
        body: z.strictObject({
          toStaffId: z.uuid().optional(),
          toDeskId: z.uuid().optional(),
          note: z.string().trim().max(1000).default(''),
        }),
        response: { 200: Conversation },
      },
    },
    async (request) => {
      await staffChat.transferConversation(deps, request.actor, { conversationId: request.params.id, ...request.body });
      return after(request.params.id);
    },
  );
  app.post(
    '/api/conversations/:id/end',
    { schema: { tags, summary: 'End the chat', params: IdParams, response: { 200: Conversation } } },
    async (request) => {
      await staffChat.endByStaff(deps, request.actor, request.params.id);
      return after(request.params.id);
    },
  );
  app.post(
    '/api/conversations/:id/close',
    {
      schema: {
        tags,
        summary: 'Close an ended chat in your console (wrap-up done): it leaves My chats on every tab',
        params: IdParams,
        response: { 200: Conversation },
      },
    },
    async (request) => {
      await staffChat.closeEndedChat(deps, request.actor, request.params.id);
      return after(request.params.id);
    },
  );
  app.put(
    '/api/conversations/:id/wrapup',
    {
      schema: {
        tags,
        summary: 'Tags and READ scale for the numbers',
        params: IdParams,
        body: z.strictObject({
          tags: z.array(z.string().trim().min(1).max(40)).max(20),
          readScale: ReadScale.nullable(),
        }),
        response: { 200: Conversation },
      },
    },
    async (request) => {
      await staffChat.wrapUp(deps, request.actor, request.params.id, request.body.tags, request.body.readScale);
      return after(request.params.id);
    },
  );
  app.post(
    '/api/conversations/:id/block',
    {
      schema: {
        tags,
        summary:
          "Block an abusive patron's browser, or everyone at their address, for a while (audited) and end the chat",
        params: IdParams,
        body: BlockPatronBody,
        response: { 200: Conversation },
      },
    },
    async (request) => {
      await staffChat.blockPatron(deps, request.actor, request.params.id, request.body);
      return after(request.params.id);
    },
  );
  const blockTags = ['Blocks'];
  app.get(
    '/api/blocks',
    {
      schema: {
        tags: blockTags,
        summary: 'Blocks in force in your library, newest first (administrators and supervisors)',
        response: { 200: listOf(PatronBlock) },
      },
    },
    async (request) => ({ items: await listBlocks(deps, request.actor) }),
  );
  app.post(
    '/api/blocks/:id/lift',
    {
      schema: {
        tags: blockTags,
        summary: 'End a block now (administrators and supervisors; audited)',
        params: IdParams,
      },
    },
    async (request, reply) => {
      await liftBlock(deps, request.actor, request.params.id);
      return reply.code(204).send();
    },
  );

  const presenceTags = ['Presence'];
  app.get(
    '/api/presence',
    { schema: { tags: presenceTags, summary: 'Who is available on which desks', response: { 200: listOf(Presence) } } },
    async (request) => ({ items: await routing.listPresence(deps, request.actor) }),
  );
  app.put(
    '/api/presence/me',
    {
      schema: {
        tags: presenceTags,
        summary: 'Set your status and the desks you serve',
        body: SetPresenceBody,
        response: { 200: Presence },
      },
    },
    async (request) => routing.setPresence(deps, request.actor, request.body),
  );
  app.get(
    '/api/chat/today',
    {
      schema: {
        tags: ['Reports'],
        summary: "Today's chats: answered, missed, abandoned, median wait",
        response: { 200: ChatToday },
      },
    },
    async (request) => chatToday(deps, request.actor),
  );

  const cannedTags = ['Canned responses'];
  app.get(
    '/api/canned-responses',
    {
      schema: {
        tags: cannedTags,
        summary: 'Canned responses of your library',
        response: { 200: listOf(CannedResponse) },
      },
    },
    async (request) => ({ items: await listCanned(deps, request.actor) }),
  );
  app.post(
    '/api/canned-responses',
    {
      schema: {
        tags: cannedTags,
        summary: 'Add a canned response (insert with /shortcut)',
        body: CreateCannedResponseBody,
        response: { 201: CannedResponse },
      },
    },
    async (request, reply) => reply.status(201).send(await createCanned(deps, request.actor, request.body)),
  );
  app.patch(
    '/api/canned-responses/:id',
    {
      schema: {
        tags: cannedTags,
        summary: 'Edit a canned response',
        params: IdParams,
        body: UpdateCannedResponseBody,
        response: { 200: CannedResponse },
      },
    },
    async (request) => updateCanned(deps, request.actor, request.params.id, request.body),
  );
  app.delete(
    '/api/canned-responses/:id',
    { schema: { tags: cannedTags, summary: 'Remove a canned response', params: IdParams } },
    async (request, reply) => {
      await deleteCanned(deps, request.actor, request.params.id);
      return reply.status(204).send();
    },
  );
};
