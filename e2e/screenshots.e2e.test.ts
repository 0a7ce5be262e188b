import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { isBrowserUnavailable, useBrowser } from './support/browser.ts';
import { REPO_ROOT, useServer } from './support/server.ts';
import { DEMO_STAFF, signIn, waitForLoaded } from './support/staff.ts';

/** The README's pictures; taken only on request: `SCREENSHOTS=1 npm run test:e2e`. */
const SCREENSHOTS_DIR = path.join(REPO_ROOT, 'docs/screenshots');
const MAX_BYTES = 300 * 1024;
const isRequested = process.env['SCREENSHOTS'] === '1';

async function capture(page: Page, file: string): Promise<void> {
  const target = path.join(SCREENSHOTS_DIR, file);
  await page.screenshot({ path: target, animations: 'disabled', caret: 'hide' });
  const { size } = fs.statSync(target);
  expect(size, `${file} is ${Math.round(size / 1024)} KB`).toBeLessThan(MAX_BYTES);
}

describe.skipIf(!isRequested || isBrowserUnavailable)('screenshots for the README (SCREENSHOTS=1)', () => {
  const server = useServer();
  const session = useBrowser(() => ({
    baseURL: server.baseUrl,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
  }));

  test('public home, staff login, dashboard home, admin branches and branch hours', async () => {
    const { page } = session;
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });

    await page.goto('/');
    await page.getByRole('heading', { level: 1, name: /wherever you are$/ }).waitFor();
    await capture(page, 'public-home.png');

    await page.goto('/staff/login');
    await page.getByRole('heading', { level: 1, name: 'Sign in to Branchline' }).waitFor();
    await capture(page, 'staff-login.png');

    await signIn(page, DEMO_STAFF.admin);
    await page.getByRole('table', { name: /^All desks/ }).waitFor();
    await waitForLoaded(page);
    await capture(page, 'dashboard-home.png');

    await page.goto('/staff/admin/branches');
    await page.getByRole('table', { name: 'Branches' }).waitFor();
    await waitForLoaded(page);
    await capture(page, 'admin-branches.png');

    await page.getByRole('link', { name: 'Main Library', exact: true }).click();
    const hours = page.getByRole('heading', { level: 2, name: 'Opening hours' });
    await hours.waitFor();
    await waitForLoaded(page);
    // The weekly hours editor fills the picture, its heading near the top.
    await hours.evaluate((heading) => window.scrollBy(0, heading.getBoundingClientRect().top - 24));
    await capture(page, 'branch-hours.png');
  });
});
