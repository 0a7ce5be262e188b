import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { ConversationEventRow } from './db/schema.ts';

/**
 * A doorbell, not a mailbox: messages say "look again" (conversation X has events after seq N,
 * desk Y's queue changed) or carry ephemeral signals (typing). The database holds the truth, so
 * a lost message delays a delivery but never loses one. Nothing else knows which bus runs.
 */
export interface Bus {
  publish(topic: string, message: BusMessage): Promise<void>;
  /** Answers a function that ends the subscription. */
  subscribe(topic: string, handler: (message: BusMessage) => void): () => void;
  close(): Promise<void>;
}

export type BusMessage =
  /** New events up to `lastSeq`; `events` is a copy of them (contiguous, in order) when they are few. */
  | { kind: 'events'; lastSeq: number; events?: ConversationEventRow[] }
  | { kind: 'conversation' }
  | { kind: 'typing'; from: 'patron' | 'staff'; displayName: string; isTyping: boolean }
  | { kind: 'seen'; by: 'patron' | 'staff'; seq: number }
  | { kind: 'queue' }
  | { kind: 'offer'; conversationId: string; ringUntil: string | null }
  | {
      kind: 'offer.withdrawn';
      conversationId: string;
      reason: 'taken' | 'timeout' | 'abandoned' | 'transferred' | 'declined';
      takenBy: string | null;
    }
  | { kind: 'presence' }
  /** The person's sessions, role or account changed: their open connections check their session again. */
  | { kind: 'access' }
  /** Someone of the library changed status, desks, chats or connection: transfer lists are stale. */
  | { kind: 'colleagues' }
  /** A conversation was handed to this staff member (a transfer): show it and follow it. */
  /** `from`: the colleague who transferred it, when it came that way rather than by an accept. */
  | { kind: 'assigned'; conversationId: string; from?: string };

export const topics = {
  conversation: (id: string) => `conversation:${id}`,
  staff: (id: string) => `staff:${id}`,
  library: (id: string) => `library:${id}`,
};

/** The single-process bus: an EventEmitter. */
export function createLocalBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(topic, message) {
      emitter.emit(topic, message);
    },
    subscribe(topic, handler) {
      emitter.on(topic, handler);
      return () => emitter.off(topic, handler);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis pub/sub, for several server instances. Each instance subscribes to a topic once, however
 * many local listeners it has, and fans messages out locally.
 */
export function createRedisBus(url: string): Bus {
  const publisher = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const subscriber = new Redis(url, { lazyConnect: false });
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const counts = new Map<string, number>();
  subscriber.on('message', (topic: string, raw: string) => {
    try {
      local.emit(topic, JSON.parse(raw) as BusMessage);
    } catch {
      // A malformed message is a lost doorbell ring; clients catch up from the database.
    }
  });
  // Connection errors are retried by ioredis; they must not crash the process.
  publisher.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  return {
    async publish(topic, message) {
      await publisher.publish(topic, JSON.stringify(message));
    },
    subscribe(topic, handler) {
      const count = counts.get(topic) ?? 0;
      counts.set(topic, count + 1);
      if (count === 0) void subscriber.subscribe(topic).catch(() => undefined);
      local.on(topic, handler);
      return () => {
        local.off(topic, handler);
        const left = (counts.get(topic) ?? 1) - 1;
        if (left <= 0) {
          counts.delete(topic);
          void subscriber.unsubscribe(topic).catch(() => undefined);
        } else counts.set(topic, left);
      };
    },
    async close() {
      local.removeAllListeners();
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
