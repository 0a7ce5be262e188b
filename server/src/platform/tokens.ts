import crypto from 'node:crypto';

/** A fresh unguessable token, URL-safe: 32 random bytes. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** What is stored in place of a token, so a database leak does not hand out sessions. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function hmac(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

export function newId(): string {
  return crypto.randomUUID();
}
