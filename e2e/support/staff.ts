import type { Page } from 'playwright-core';
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
