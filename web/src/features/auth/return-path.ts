/**
 * The path to return to after signing in, taken from `?next=`. Only paths inside the dashboard
 * are accepted, so a crafted link cannot send someone to another site.
 */
export function safeReturnPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  if (next.startsWith('/login') || next.startsWith('/reset-password') || next.startsWith('/forgot-password')) {
    return '/';
  }
  return next;
}

/** The login path that brings the person back to `path` afterwards. */
export function loginPathFor(path: string): string {
  return path === '/' ? '/login' : `/login?next=${encodeURIComponent(path)}`;
}
