import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { expectNoSeriousViolations } from './support/axe.ts';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { useServer } from './support/server.ts';
import { DEMO_STAFF, loginForm, signIn, waitForLoaded } from './support/staff.ts';

/** Waits for the page's one h1, so axe checks the rendered page and not a loading state. */
async function openPage(page: Page, path: string, heading: string | RegExp): Promise<void> {
  await page.goto(path);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describeInBrowser('accessibility (axe-core, WCAG 2.1 AA)', () => {
  const server = useServer();
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));

  test('the public home page in English', async () => {
    const { page } = session;
    await openPage(page, '/', /wherever you are$/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    const switchLink = page.getByRole('link', { name: 'Español' });
    expect(await switchLink.getAttribute('href')).toBe('/?lang=es');
    expect(await switchLink.getAttribute('hreflang')).toBe('es');
    await expectNoSeriousViolations(page, 'the public home page (en)');
  });

  test('the public home page in Spanish', async () => {
    const { page } = session;
    await openPage(page, '/?lang=es', /dondequiera que estés$/);
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    expect(await page.getByRole('link', { name: 'Saltar al contenido principal' }).count()).toBe(1);
    const switchLink = page.getByRole('link', { name: 'English' });
    expect(await switchLink.getAttribute('href')).toBe('/?lang=en');
    expect(await switchLink.getAttribute('lang')).toBe('en');
    await expectNoSeriousViolations(page, 'the public home page (es)');
  });

  test('the public home page in the dark scheme', async () => {
    const page = await (await session.newContext({ colorScheme: 'dark' })).newPage();
    await openPage(page, '/', /wherever you are$/);
    await expectNoSeriousViolations(page, 'the public home page (dark scheme)');
  });

  test('the staff login page, empty and after a refused sign-in', async () => {
    const { page } = session;
    await openPage(page, '/staff/login', 'Sign in to Branchline');
    await expectNoSeriousViolations(page, 'the login page');

    const form = loginForm(page);
    await form.email.fill(DEMO_STAFF.admin);
    await form.password.fill('not-the-password');
    await form.submit.click();
    await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
    await expectNoSeriousViolations(page, 'the login page showing an error');
  });

  test('the forgot-password page', async () => {
    const { page } = session;
    await openPage(page, '/staff/forgot-password', 'Reset your password');
    await expectNoSeriousViolations(page, 'the forgot-password page');
  });

  test('the dashboard home of an admin', async () => {
    const { page } = session;
    await signIn(page, DEMO_STAFF.admin);
    await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();
    await page.getByRole('table', { name: /^All desks/ }).waitFor();
    await waitForLoaded(page);
    await expectNoSeriousViolations(page, 'the dashboard home');
  });

  test('the admin branches list', async () => {
    const { page } = session;
    await signIn(page, DEMO_STAFF.admin);
    await openPage(page, '/staff/admin/branches', 'Branches');
    await page.getByRole('table', { name: 'Branches' }).waitFor();
    await waitForLoaded(page);
    await expectNoSeriousViolations(page, 'the branches list');
  });

  test('the new branch form, with hours added for Monday', async () => {
    const { page } = session;
    await signIn(page, DEMO_STAFF.admin);
    await openPage(page, '/staff/admin/branches/new', 'New branch');
    const form = page.getByRole('form', { name: 'Branch' });
    await form.getByRole('button', { name: 'Add hours on Monday' }).click();
    await form.getByLabel('Opens (Monday)').waitFor();
    await expectNoSeriousViolations(page, 'the new branch form');
  });

  test('the edit form of a branch with weekly hours, and its errors', async () => {
    const { page } = session;
    await signIn(page, DEMO_STAFF.admin);
    await page.goto('/staff/admin/branches');
    await page.getByRole('link', { name: 'Main Library', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit branch: Main Library' }).waitFor();
    await page
      .getByRole('button', { name: /^Remove / })
      .first()
      .waitFor();
    await expectNoSeriousViolations(page, 'the edit branch form');

    // The same form refused by the server: error summary, invalid fields and their messages.
    const form = page.getByRole('form', { name: 'Branch' });
    await form.getByLabel('Name', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Save branch' }).click();
    await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
    await expectNoSeriousViolations(page, 'the edit branch form showing errors');
  });

  test('the check itself fails on a page with a serious violation', async () => {
    const { page } = session;
    await page.setContent('<!doctype html><html lang="en"><title>t</title><main><button></button></main></html>');
    await expect(expectNoSeriousViolations(page, 'a button without a name')).rejects.toThrow(/button-name/);
  });
});
