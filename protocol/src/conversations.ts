import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

export const CHANNELS = ['chat', 'email', 'sms', 'voice', 'webform', 'walkin'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const CONVERSATION_STATUSES = ['queued', 'active', 'pending', 'resolved', 'abandoned', 'missed'] as const;
export const ConversationStatus = z.enum(CONVERSATION_STATUSES);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

/** READ scale (Reference Effort Assessment Data): 1 directional … 6 in-depth research. */
export const ReadScale = z.number().int().min(1).max(6);

export const MAX_MESSAGE_CHARS = 4000;
/** Largest text a single frame may carry, in bytes of UTF-8: a clear error past it. */
export const MAX_FRAME_TEXT_BYTES = 8 * 1024;

/**
 * Whether a message fits one frame once escaped as JSON and encoded as UTF-8, with room for the
 * frame's other fields. Text in scripts of two or three bytes a character can reach the frame
 * limit before the character limit.
 */
export function fitsOneFrame(body: string): boolean {
  const frame = JSON.stringify({
    type: 'message.send',
    conversationId: '00000000-0000-0000-0000-000000000000',
    clientId: 'x'.repeat(64),
    body,
    internal: false,
  });
  return utf8Length(frame) <= MAX_FRAME_TEXT_BYTES;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const point = character.codePointAt(0) ?? 0;
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export const MessageBody = z
  .string()
  .max(MAX_MESSAGE_CHARS, `At most ${MAX_MESSAGE_CHARS} characters`)
  .refine((s) => s.trim().length > 0, 'A message cannot be empty');

/** Client-generated id that makes a send idempotent. */
export const ClientId = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, - and _ only');

export const SYSTEM_EVENT_KINDS = [
  'queued',
  'offered',
  'accepted',
  'transferred',
  'ended',
  'abandoned',
  'missed',
  'rated',
  'identified',
  'blocked',
  'left_question',
] as const;
export const SystemEventKind = z.enum(SYSTEM_EVENT_KINDS);
export type SystemEventKind = z.infer<typeof SystemEventKind>;

export const EventAuthor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('patron') }),
  z.object({ kind: z.literal('staff'), staffId: Id, displayName: z.string() }),
  z.object({ kind: z.literal('system') }),
]);
export type EventAuthor = z.infer<typeof EventAuthor>;

/**
 * One entry of a conversation's ordered log. `seq` starts at 1 and has no gaps; a client that
 * has seen up to N asks for events after N and gets exactly the rest, in order.
 */
export const ConversationEvent = z.object({
  seq: z.number().int().positive(),
  conversationId: Id,
  type: z.enum(['message', 'note', 'system']),
  author: EventAuthor,
  body: z.string(),
  /** For system events: what happened (queued, accepted, transferred…). */
  systemKind: SystemEventKind.nullable(),
  /** For system events: who was involved, by display name (never internal notes). */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  clientId: z.string().nullable(),
  createdAt: Timestamp,
});
export type ConversationEvent = z.infer<typeof ConversationEvent>;

export const PatronSummary = z.object({
  id: Id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  isIdentified: z.boolean(),
  /** The widget could keep a key in the patron's browser, so a block can cover that browser alone. */
  browserKnown: z.boolean(),
});
export type PatronSummary = z.infer<typeof PatronSummary>;

/** A conversation as staff see it. */
export const Conversation = z.object({
  id: Id,
  libraryId: Id,
  deskId: Id,
  channel: Channel,
  status: ConversationStatus,
  assigneeId: Id.nullable(),
  patron: PatronSummary,
  language: z.string(),
  tags: z.array(z.string()),
  readScale: ReadScale.nullable(),
  rating: z.object({ score: z.number().int().min(1).max(5), comment: z.string() }).nullable(),
  lastSeq: z.number().int().nonnegative(),
  /** How far the patron has read (their `seen`), and how far staff have. */
  patronSeenSeq: z.number().int().nonnegative(),
  staffSeenSeq: z.number().int().nonnegative(),
  createdAt: Timestamp,
  queuedAt: Timestamp.nullable(),
  /** While queued: since when it has waited at its desk (handed back by staff, else first queued). */
  waitingSince: Timestamp.nullable(),
  firstResponseAt: Timestamp.nullable(),
  resolvedAt: Timestamp.nullable(),
  /** When the staff member who had the ended chat closed it in their console (it then leaves My chats). */
  closedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
  /** When the library's retention deleted the messages and what identified the patron. */
  purgedAt: Timestamp.nullable(),
});
export type Conversation = z.infer<typeof Conversation>;

export const ConversationWithEvents = Conversation.extend({ events: z.array(ConversationEvent) });
export type ConversationWithEvents = z.infer<typeof ConversationWithEvents>;
