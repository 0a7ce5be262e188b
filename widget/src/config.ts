import type { Lang } from './messages.ts';

export type Mode = 'launcher' | 'page';

/** What the <branchline-chat> element was configured with. */
export interface WidgetConfig {
  /** Server base URL without a trailing slash, e.g. https://chat.example.org */
  base: string;
  desk: string;
  /** The library's slug, where one server hosts several and the page's address does not tell. */
  library: string | null;
  mode: Mode;
  label: string | null;
  lang: Lang;
  /** Whether the page title tells a patron on another tab that a librarian wrote (`title-alert="off"` stops it). */
  titleAlert: boolean;
}

function httpBase(value: string | null | undefined, keepPath: boolean): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return keepPath ? `${url.origin}${url.pathname}`.replace(/\/+$/, '') : url.origin;
  } catch {
    return null;
  }
}

/**
 * The server: the `server` attribute when it is an http(s) URL (its path is kept, for servers
 * behind a path prefix), else the origin the widget script came from, else this page's origin.
 */
export function serverBase(attribute: string | null, scriptSrc: string | null, pageOrigin: string): string {
  return httpBase(attribute, true) ?? httpBase(scriptSrc, false) ?? pageOrigin;
}

export function pickTitleAlert(value: string | null): boolean {
  return value?.trim().toLowerCase() !== 'off';
}

export function pickMode(value: string | null): Mode {
  return value?.trim().toLowerCase() === 'page' ? 'page' : 'launcher';
}
