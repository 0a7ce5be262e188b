/**
 * The few values the widget needs from @branchline/protocol, copied so that the bundle never
 * pulls in zod (only `import type` from the protocol is allowed here). A test checks they match.
 */
export const MAX_MESSAGE_CHARS = 4000;
export const MAX_FRAME_TEXT_BYTES = 8 * 1024;
export const CHAT_TOKEN_HEADER = 'x-chat-token';
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export type MessageProblem = 'empty' | 'too_long' | 'too_big';

/** Why a message cannot be sent as it is, or null when it can. */
export function checkMessage(body: string): MessageProblem | null {
  if (body.trim().length === 0) return 'empty';
  if (body.length > MAX_MESSAGE_CHARS) return 'too_long';
  // The whole frame must fit the server's frame limit; JSON escaping can double some characters.
  const frame = JSON.stringify({ type: 'message.send', clientId: 'x'.repeat(64), body });
  if (new TextEncoder().encode(frame).length > MAX_FRAME_TEXT_BYTES) return 'too_big';
  return null;
}

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A fresh idempotency key for one send: 32 hex digits, or 22 url-safe characters off secure origins. */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID().replace(/-/g, '');
  const bytes = new Uint8Array(22);
  if (c) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  let id = '';
  for (const b of bytes) id += URL_SAFE[b & 63];
  return id;
}

export const ENDED_STATUSES: readonly string[] = ['resolved', 'abandoned', 'missed'];

/** The server's rule (the protocol's `Email`), so an address passing here is not refused there. */
const EMAIL = /^(?:[a-z0-9_'+-]+\.)*[a-z0-9_'+-]*[a-z0-9_+-]@(?:[a-z0-9][a-z0-9-]*\.)+[a-z]{2,}$/;
const LOCALHOST_EMAIL = /^[a-z0-9._%+-]+@localhost$/;

/** The check the server makes: name@domain.tld, without doubled or stray dots. */
export function looksLikeEmail(value: string): boolean {
  const email = value.trim().toLowerCase();
  return email.length <= 254 && (EMAIL.test(email) || LOCALHOST_EMAIL.test(email));
}
