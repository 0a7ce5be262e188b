import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { useServer } from './support/server.ts';
import { DEMO_PASSWORD, DEMO_STAFF, mainNav } from './support/staff.ts';

interface FocusedElement {
  tag: string;
  id: string;
  name: string;
  /** Whether it sits in the dashboard's main navigation. */
  isInMainNav: boolean;
  isInMain: boolean;
  /** An outline or a box shadow is drawn around it. */
  hasVisibleFocus: boolean;
}

/** What has keyboard focus now, and whether a sighted keyboard user can see where it is. */
async function focused(page: Page): Promise<FocusedElement> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    if (!element || element === document.body) {
      return { tag: 'body', id: '', name: '', isInMainNav: false, isInMain: false, hasVisibleFocus: false };
    }
    const style = getComputedStyle(element);
    const hasOutline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const hasShadow = style.boxShadow !== 'none' && style.boxShadow !== '';
    const label = element.id ? document.querySelector(`label[for="${CSS.escape(element.id)}"]`) : null;
    return {
      tag: element.tagName.toLowerCase(),
      id: element.id,
      name: (label?.textContent ?? element.getAttribute('aria-label') ?? element.textContent ?? '').trim(),
      isInMainNav: element.closest('nav[aria-label="Main"]') !== null,
      isInMain: element.closest('main') !== null,
      hasVisibleFocus: hasOutline || hasShadow,
    };
  });
}

async function tab(page: Page): Promise<FocusedElement> {
  await page.keyboard.press('Tab');
  return focused(page);
}

describeInBrowser('keyboard only', () => {
  const server = useServer();
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));

  test('sign in with the keyboard, then Tab through the main navigation with focus always visible', async () => {
    const { page } = session;
    await page.goto('/staff/login');
    await page.getByRole('heading', { level: 1, name: 'Sign in to Branchline' }).waitFor();

    const first = await tab(page);
    expect(first).toMatchObject({ tag: 'a', name: 'Skip to main content', hasVisibleFocus: true });
    expect(await tab(page)).toMatchObject({ tag: 'input', name: 'Email', hasVisibleFocus: true });
    await page.keyboard.type(DEMO_STAFF.admin);
    expect(await tab(page)).toMatchObject({ tag: 'input', name: 'Password', hasVisibleFocus: true });
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /^Welcome, / }).waitFor();

    // Start again from the top of the dashboard, as after opening it in a new tab.
    await page.reload();
    await mainNav(page).waitFor();
    const navLinks = await mainNav(page).getByRole('link').allInnerTexts();
    expect(navLinks).toEqual(expect.arrayContaining(['Home', 'Inbox', 'Admin', 'Account']));

    const stops: FocusedElement[] = [];
    for (let presses = 0; presses < 40; presses += 1) {
      const stop = await tab(page);
      stops.push(stop);
      const hasLeftNav = stops.some((s) => s.isInMainNav) && !stop.isInMainNav;
      if (hasLeftNav) break;
    }
    expect(stops[0]).toMatchObject({ tag: 'a', name: 'Skip to main content' });
    // Every navigation link is reached once, in order, before anything in the page's content.
    expect(stops.filter((s) => s.isInMainNav).map((s) => s.name)).toEqual(navLinks);
    const firstNavStop = stops.findIndex((s) => s.isInMainNav);
    expect(stops.slice(0, firstNavStop).some((s) => s.isInMain)).toBe(false);
    expect(stops.filter((s) => !s.hasVisibleFocus)).toEqual([]);

    // And Enter on a focused navigation link opens that section.
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ isInMainNav: true, name: 'Account' });
    await page.keyboard.press('Enter');
    await page.waitForURL('**/staff/account');
  });

  test('on the public home page the first Tab reaches the skip link, and Enter moves focus to main', async () => {
    const { page } = session;
    await page.goto('/');
    await page.getByRole('heading', { level: 1 }).waitFor();

    expect(await tab(page)).toMatchObject({ tag: 'a', name: 'Skip to main content', hasVisibleFocus: true });
    // Off-screen until focused, then shown where a sighted keyboard user can see it.
    const box = await page.getByRole('link', { name: 'Skip to main content' }).boundingBox();
    expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
    expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);

    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'main', id: 'main' });
    // The next Tab continues inside the main content, past the header and its language switch.
    expect(await tab(page)).toMatchObject({ isInMain: true, hasVisibleFocus: true });
  });
});
