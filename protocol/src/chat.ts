import { z } from 'zod';
import {
  Email,
  Id,
  LanguageTag,
  Name,
  PageCursor,
  QueryInstant,
  SINCE_AFTER_UNTIL,
  Slug,
  sinceBeforeUntil,
  Tag,
  Timestamp,
} from './common.ts';
import { ERROR_CODES } from './errors.ts';
import {
  ClientId,
  Conversation,
  ConversationEvent,
  ConversationStatus,
  MessageBody,
  ReadScale,
  SystemEventKind,
} from './conversations.ts';

// ---------------------------------------------------------------------------------------------
// What a patron sees. Internal notes never appear; staff are known by display name only.
// ---------------------------------------------------------------------------------------------

export const PatronEvent = z.object({
  seq: z.number().int().positive(),
  type: z.enum(['message', 'system']),
  from: z.enum(['patron', 'staff', 'system']),
  displayName: z.string().nullable(),
  body: z.string(),
  systemKind: SystemEventKind.nullable(),
  clientId: z.string().nullable(),
  createdAt: Timestamp,
});
export type PatronEvent = z.infer<typeof PatronEvent>;

export const QueueInfo = z.object({
  /** 1 = next to be answered. */
  position: z.number().int().positive(),
  /** From the desk's recent answer times; null when there is too little history to say. */
  estimatedWaitSeconds: z.number().int().nonnegative().nullable(),
});
export type QueueInfo = z.infer<typeof QueueInfo>;

export const PatronConversation = z.object({
  id: Id,
  status: ConversationStatus,
  deskName: z.string(),
  staffDisplayName: z.string().nullable(),
  queue: QueueInfo.nullable(),
  lastSeq: z.number().int().nonnegative(),
  rating: z.object({ score: z.number().int(), comment: z.string() }).nullable(),
  transcriptRequested: z.boolean(),
});
export type PatronConversation = z.infer<typeof PatronConversation>;

/** Public facts about a desk, for the widget before a chat starts. */
export const DeskAvailability = z.object({
  slug: z.string(),
  name: z.string(),
  libraryName: z.string(),
  isOpen: z.boolean(),
  /** Someone is on shift and available to answer now. */
  isStaffed: z.boolean(),
  waiting: z.number().int().nonnegative(),
  estimatedWaitSeconds: z.number().int().nonnegative().nullable(),
  /** When true the widget offers to leave the question with an email address instead. */
  suggestLeavingQuestion: z.boolean(),
});
export type DeskAvailability = z.infer<typeof DeskAvailability>;

export const PATRON_LANGUAGES = ['en', 'es'] as const;

/**
 * A random key the widget keeps in the patron's browser (local storage), so that a block can
 * cover one browser rather than everyone at the same address. Not sent where storage is refused.
 */
export const BrowserKey = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'Not a browser key');

export const StartChatBody = z.strictObject({
  desk: Slug,
  clientId: ClientId,
  message: MessageBody,
  name: Name.optional(),
  email: Email.optional(),
  language: LanguageTag.default('en'),
  browser: BrowserKey.optional(),
  /** The library's slug, where a deployment hosts several and the page cannot say by its address. */
  library: Slug.optional(),
});
export type StartChatBody = z.infer<typeof StartChatBody>;

export const StartChatResponse = z.object({
  /** Resumable token: kept in session storage, sent in the hello frame or x-chat-token header. */
  token: z.string(),
  conversation: PatronConversation,
  events: z.array(PatronEvent),
});
export type StartChatResponse = z.infer<typeof StartChatResponse>;

export const LeaveQuestionBody = z.strictObject({
  desk: Slug,
  clientId: ClientId,
  email: Email,
  name: Name.optional(),
  message: MessageBody,
  language: LanguageTag.default('en'),
  browser: BrowserKey.optional(),
  library: Slug.optional(),
});
export type LeaveQuestionBody = z.infer<typeof LeaveQuestionBody>;

export const CHAT_TOKEN_HEADER = 'x-chat-token';

/**
 * What a block covers: the patron's `browser` (the default; others at the same address, such as
 * a branch's public computers or a school, can still chat), or everyone at their `network` address.
 */
export const BlockScope = z.enum(['browser', 'network']);
export type BlockScope = z.infer<typeof BlockScope>;

const blockFields = {
  minutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 90),
  reason: z.string().trim().min(1).max(500),
  scope: BlockScope.default('browser'),
};
export const BlockPatronBody = z.strictObject(blockFields);
export type BlockPatronBody = z.infer<typeof BlockPatronBody>;

// Patron → server frames (WebSocket, or POST /api/chat/frames when falling back to HTTP).
export const PatronClientFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    token: z.string().min(20).max(100),
    after: z.number().int().nonnegative(),
  }),
  z.strictObject({ type: z.literal('message.send'), clientId: ClientId, body: MessageBody }),
  z.strictObject({ type: z.literal('typing'), isTyping: z.boolean() }),
  z.strictObject({ type: z.literal('seen'), seq: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('identify'), name: Name.optional(), email: Email.optional() }),
  z.strictObject({ type: z.literal('transcript.request'), email: Email }),
  z.strictObject({
    type: z.literal('rating.submit'),
    score: z.number().int().min(1).max(5),
    comment: z.string().trim().max(1000).default(''),
  }),
  z.strictObject({ type: z.literal('end') }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type PatronClientFrame = z.infer<typeof PatronClientFrame>;

export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  clientId: z.string().optional(),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

export const PatronServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), conversation: PatronConversation }),
  z.object({ type: z.literal('state'), conversation: PatronConversation }),
  z.object({ type: z.literal('event'), event: PatronEvent }),
  z.object({
    type: z.literal('ack'),
    clientId: z.string(),
    seq: z.number().int().positive(),
    /**
     * Over a WebSocket, the message's own event when it is the next one that socket delivers:
     * the socket then does not send it again as an `event` frame. Never over HTTP.
     */
    event: PatronEvent.optional(),
  }),
  z.object({ type: z.literal('typing'), displayName: z.string(), isTyping: z.boolean() }),
  z.object({ type: z.literal('seen'), seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('pong') }),
  ErrorFrame,
]);
export type PatronServerFrame = z.infer<typeof PatronServerFrame>;

/** Long-poll answer of GET /api/chat/poll?after=N: the same frames a socket would have carried. */
export const PollResponse = z.object({ frames: z.array(PatronServerFrame) });
export type PollResponse = z.infer<typeof PollResponse>;

// ---------------------------------------------------------------------------------------------
// Staff console.
// ---------------------------------------------------------------------------------------------

export const PRESENCE_STATUSES = ['available', 'away', 'offline'] as const;
export const PresenceStatus = z.enum(PRESENCE_STATUSES);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

export const Presence = z.object({
  staffId: Id,
  displayName: z.string(),
  status: PresenceStatus,
  deskIds: z.array(Id),
  activeChats: z.number().int().nonnegative(),
  maxChats: z.number().int().positive(),
  connected: z.boolean(),
});
export type Presence = z.infer<typeof Presence>;

export const SetPresenceBody = z.strictObject({
  status: PresenceStatus,
  deskIds: z.array(Id).max(50),
});
export type SetPresenceBody = z.infer<typeof SetPresenceBody>;

export const DeskQueue = z.object({
  deskId: Id,
  waiting: z.number().int().nonnegative(),
  oldestQueuedAt: Timestamp.nullable(),
  /** The oldest chat has waited longer than the desk's threshold: highlight it to everyone. */
  overThreshold: z.boolean(),
});
export type DeskQueue = z.infer<typeof DeskQueue>;

export const StaffClientFrame = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    subscriptions: z
      .array(z.strictObject({ conversationId: Id, after: z.number().int().nonnegative() }))
      .max(50)
      .default([]),
  }),
  z.strictObject({ type: z.literal('subscribe'), conversationId: Id, after: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('unsubscribe'), conversationId: Id }),
  z.strictObject({ type: z.literal('presence.set'), status: PresenceStatus, deskIds: z.array(Id).max(50) }),
  z.strictObject({ type: z.literal('conversation.accept'), conversationId: Id }),
  z.strictObject({ type: z.literal('conversation.decline'), conversationId: Id }),
  z.strictObject({
    type: z.literal('message.send'),
    conversationId: Id,
    clientId: ClientId,
    body: MessageBody,
    internal: z.boolean().default(false),
  }),
  z.strictObject({ type: z.literal('typing'), conversationId: Id, isTyping: z.boolean() }),
  z.strictObject({ type: z.literal('seen'), conversationId: Id, seq: z.number().int().nonnegative() }),
  z.strictObject({
    type: z.literal('conversation.transfer'),
    conversationId: Id,
    toStaffId: Id.optional(),
    toDeskId: Id.optional(),
    note: z.string().trim().max(1000).default(''),
  }),
  z.strictObject({ type: z.literal('conversation.end'), conversationId: Id }),
  z.strictObject({
    type: z.literal('conversation.wrapup'),
    conversationId: Id,
    tags: z.array(Tag).max(20),
    readScale: ReadScale.nullable(),
  }),
  z.strictObject({ type: z.literal('patron.block'), conversationId: Id, ...blockFields }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type StaffClientFrame = z.infer<typeof StaffClientFrame>;

export const StaffServerFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    presence: Presence,
    conversations: z.array(Conversation),
    queues: z.array(DeskQueue),
    offers: z.array(
      z.object({ conversation: Conversation, ringUntil: Timestamp.nullable(), preview: z.string().nullable() }),
    ),
  }),
  z.object({
    type: z.literal('offer'),
    conversation: Conversation,
    ringUntil: Timestamp.nullable(),
    /** The patron's first message, shortened: enough to decide, without subscribing. */
    preview: z.string().nullable(),
  }),
  z.object({
    type: z.literal('offer.withdrawn'),
    conversationId: Id,
    reason: z.enum(['taken', 'timeout', 'abandoned', 'transferred', 'declined']),
    takenBy: z.string().nullable(),
  }),
  z.object({ type: z.literal('conversation'), conversation: Conversation }),
  /** A colleague (`from`, their display name) handed this chat to the person; its `conversation` frame came first. */
  z.object({ type: z.literal('conversation.transferred'), conversationId: Id, from: z.string() }),
  z.object({ type: z.literal('event'), conversationId: Id, event: ConversationEvent }),
  z.object({
    type: z.literal('ack'),
    conversationId: Id,
    clientId: z.string(),
    seq: z.number().int().positive(),
    /** The message's own event when it is the next this tab gets for the chat: no `event` frame repeats it. */
    event: ConversationEvent.optional(),
  }),
  z.object({ type: z.literal('typing'), conversationId: Id, isTyping: z.boolean() }),
  z.object({ type: z.literal('seen'), conversationId: Id, seq: z.number().int().nonnegative() }),
  z.object({ type: z.literal('queue'), queues: z.array(DeskQueue) }),
  z.object({ type: z.literal('presence'), presence: Presence }),
  /** A colleague's status, desks, chats or connection changed: a list of colleagues should be read again. */
  z.object({ type: z.literal('colleagues') }),
  z.object({ type: z.literal('pong') }),
  ErrorFrame.extend({ conversationId: Id.optional() }),
]);
export type StaffServerFrame = z.infer<typeof StaffServerFrame>;

export const CannedResponse = z.object({
  id: Id,
  libraryId: Id,
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  language: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type CannedResponse = z.infer<typeof CannedResponse>;

export const CreateCannedResponseBody = z.strictObject({
  shortcut: z
    .string()
    .trim()
    .min(1)
    .max(30)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'Lowercase letters, digits and hyphens, e.g. hours'),
  title: Name,
  body: MessageBody,
  language: LanguageTag.default('en'),
});
export type CreateCannedResponseBody = z.infer<typeof CreateCannedResponseBody>;
export const UpdateCannedResponseBody = z.strictObject({
  shortcut: CreateCannedResponseBody.shape.shortcut.optional(),
  title: Name.optional(),
  body: MessageBody.optional(),
  language: LanguageTag.optional(),
});
export type UpdateCannedResponseBody = z.infer<typeof UpdateCannedResponseBody>;

export const ChatToday = z.object({
  answered: z.number().int().nonnegative(),
  missed: z.number().int().nonnegative(),
  abandoned: z.number().int().nonnegative(),
  medianWaitSeconds: z.number().nonnegative().nullable(),
});
export type ChatToday = z.infer<typeof ChatToday>;

export const ConversationListQuery = z
  .strictObject({
    status: ConversationStatus.optional(),
    deskId: Id.optional(),
    assignee: z.union([z.literal('me'), z.literal('none'), Id]).optional(),
    /** Part of the patron's name or email address (only patrons who gave one are found). */
    patron: z
      .string()
      .trim()
      .min(1)
      .max(120)
      .regex(/^[^\p{Cc}]*$/u, 'Must not contain control characters')
      .optional(),
    /** Conversations started at or after this instant. */
    since: QueryInstant.optional(),
    /** Conversations started before this instant. */
    until: QueryInstant.optional(),
    before: PageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine(sinceBeforeUntil, SINCE_AFTER_UNTIL);
export type ConversationListQuery = z.infer<typeof ConversationListQuery>;

/** One page of conversations, newest first; `nextBefore` reads the older ones, null at the end. */
export const ConversationPage = z.object({
  items: z.array(Conversation),
  nextBefore: PageCursor.nullable(),
});
export type ConversationPage = z.infer<typeof ConversationPage>;

export const BlockedUntil = z.object({ until: Timestamp });

/** A block in force, as supervisors review it. */
export const PatronBlock = z.object({
  id: Id,
  /** The chat the block was made from; null once that chat is gone. */
  conversationId: Id.nullable(),
  scope: BlockScope,
  /** Why, in the words of the person who blocked. */
  reason: z.string(),
  blockedBy: z.object({ staffId: Id, displayName: z.string() }).nullable(),
  createdAt: Timestamp,
  until: Timestamp,
});
export type PatronBlock = z.infer<typeof PatronBlock>;
