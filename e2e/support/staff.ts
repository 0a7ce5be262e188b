import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The password of every demo account the server seeds on an empty database. */
export const DEMO_PASSWORD = 'branchline-demo';

export const DEMO_STAFF = {
  admin: 'dana@threerivers.example',
  supervisor: 'marcus@threerivers.example',
  librarian: 'sofia@threerivers.example',
  partner: 'erin@accessible-media.example',
} as const;

/** The sign-in form as a person sees it: the fields by their labels, the button by its name. */
export function loginForm(page: Page) {
  return {
    email: page.getByLabel('Email'),
    password: page.getByLabel('Password'),
    submit: page.getByRole('button', { name: 'Sign in' }),
  };
}

/** The dashboard's primary navigation, present on every signed-in page. */
export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/**
 * Signs in through the login page (relative to the context's baseURL) and waits for the
 * dashboard's main navigation, so the caller starts on a signed-in page.
 */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/staff/login');
  const form = loginForm(page);
  await form.email.fill(email);
  await form.password.fill(password);
  await form.submit.click();
  await mainNav(page).waitFor();
}

/** Waits until no "Loading …" status is left on a dashboard page, so what follows sees it settled. */
export async function waitForLoaded(page: Page): Promise<void> {
  const loading = page.getByRole('status').filter({ hasText: /^Loading / });
  await expect.poll(() => loading.count(), { timeout: 15_000 }).toBe(0);
}

/** A call to the API as the demo admin: method, path and JSON body; answers the parsed JSON. */
export type AdminApi = (method: string, path: string, body?: unknown) => Promise<unknown>;

const ALL_DAY = [{ opens: '00:00', closes: '23:59' }];
/** Desk hours that are always open, so tests do not depend on the time of day. */
export const OPEN_ALWAYS = {
  weekly: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
  exceptions: [],
};

/** Signs in over the API as the admin and answers a fetch that carries the session and CSRF token. */
export async function adminApi(baseUrl: string): Promise<AdminApi> {
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_STAFF.admin, password: DEMO_PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
}

/** On the chat console, sets the signed-in person Available and serving exactly the desks named. */
export async function serveDesks(page: Page, deskNames: readonly string[]): Promise<void> {
  await page.goto('/staff/chat');
  await page.getByLabel('Status').selectOption('available');
  await page.getByRole('button', { name: /Desks you are serving/ }).click();
  for (const name of deskNames) await page.getByRole('checkbox', { name, exact: true }).check();
  await page.keyboard.press('Escape');
}

/** The console's pane of the chat whose log holds `text`. */
export function chatPaneAbout(page: Page, text: string): Locator {
  return page.getByRole('region', { name: /^Chat (\d )?with / }).filter({ hasText: text });
}

/**
 * Accepts the waiting chat whose preview holds `question` (earlier cases may have left others
 * waiting) and answers the pane it opens in, once shown.
 */
export async function acceptChatAbout(page: Page, question: string): Promise<Locator> {
  await page
    .getByRole('listitem')
    .filter({ hasText: question })
    .getByRole('button', { name: /^Accept/ })
    .click();
  const pane = chatPaneAbout(page, question);
  await pane.waitFor();
  return pane;
}

/** The patron sends `text` from the widget's message box, with Enter. */
export async function sendFromWidget(widget: Locator, text: string): Promise<void> {
  await widget.locator('#bl-input').fill(text);
  await widget.locator('#bl-input').press('Enter');
}

/** Staff send `text` from the composer of a chat pane, with Enter. */
export async function sendFromConsole(pane: Locator, text: string): Promise<void> {
  const composer = pane.getByRole('textbox').last();
  await composer.fill(text);
  await composer.press('Enter');
}
