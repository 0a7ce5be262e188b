import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { expectNoSeriousViolations } from './support/axe.ts';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { startLibrarySite, type LibrarySite } from './support/library-site.ts';
import { useServer } from './support/server.ts';
import { DEMO_STAFF, OPEN_ALWAYS, acceptChatAbout, adminApi, serveDesks, signIn } from './support/staff.ts';

/** Where README screenshots go when SCREENSHOTS=1. */
const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../docs/screenshots');

/** A librarian at the console, available on one desk. */
async function staffAtConsole(context: BrowserContext, email: string, desk: string): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, email);
  await serveDesks(page, [desk]);
  return page;
}

describeInBrowser('live chat: a patron on the library website and librarians in the dashboard', () => {
  const server = useServer();
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));
  let site: LibrarySite;

  beforeAll(async () => {
    site = await startLibrarySite(server.baseUrl, 'ask');
    const api = await adminApi(server.baseUrl);
    const [library] = ((await api('GET', '/api/libraries')) as { items: Array<{ id: string }> }).items;
    await api('PATCH', `/api/libraries/${library?.id}`, { allowedOrigins: [site.origin] });
    const desks = (
      (await api('GET', `/api/libraries/${library?.id}/desks`)) as { items: Array<{ id: string; slug: string }> }
    ).items;
    for (const desk of desks) await api('PATCH', `/api/desks/${desk.id}`, { hours: OPEN_ALWAYS });
  });
  afterAll(async () => {
    await site?.stop();
  });

  /** A patron in a browser of their own opens the widget on the library's site and asks. */
  async function patronAsks(question: string) {
    const context = await session.newContext({ baseURL: site.origin });
    const page = await context.newPage();
    await page.goto('/');
    const widget = page.locator('branchline-chat');
    await widget.locator('#bl-launcher').click();
    await widget.locator('#bl-input').fill(question);
    await widget.locator('#bl-input').press('Enter');
    return widget;
  }

  test('chat end to end: ask, answer, move pages, transfer, end and rate — with hostile text kept as text', async () => {
    const sofia = await staffAtConsole(session.context, DEMO_STAFF.librarian, 'Ask a Librarian');
    const marcus = await staffAtConsole(await session.newContext(), DEMO_STAFF.supervisor, 'Tech Help');

    const patronContext = await session.newContext({ baseURL: site.origin });
    const patron = await patronContext.newPage();
    await patron.goto('/');
    const widget = patron.locator('branchline-chat');
    await widget.locator('#bl-launcher').click();
    const input = widget.locator('#bl-input');
    await input.fill('Do you have large-print copies of The Overstory?');
    await input.press('Enter');
    await widget
      .locator('#bl-status')
      .filter({ hasText: /line|wait|queue/i })
      .waitFor();

    // The offer rings at Sofía's console; she accepts and replies.
    await sofia
      .getByRole('button', { name: /^Accept/ })
      .first()
      .click();
    const reply = sofia.getByLabel('Reply to the patron');
    await reply.fill('Yes! The Main Library has two. Shall I place a hold? https://threerivers.example/holds');
    await reply.press('Enter');
    await widget.locator('#bl-log').getByText('Shall I place a hold?', { exact: false }).waitFor();
    const link = widget.locator('#bl-log a[href="https://threerivers.example/holds"]');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

    if (process.env.SCREENSHOTS === '1') {
      await sofia.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-console.png') });
      await patron.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-widget.png') });
    }

    // Hostile text from the patron is shown as text to both sides and runs nowhere.
    await input.fill('<img src=x onerror="window.__pwned=1"> please');
    await input.press('Enter');
    await sofia.getByText('<img src=x onerror="window.__pwned=1"> please').waitFor();
    expect(await sofia.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await patron.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // The patron moves to another page of the library site: the chat comes along.
    await patron.getByRole('link', { name: 'Events' }).click();
    await patron.getByRole('heading', { name: 'Events at the library' }).waitFor();
    const again = patron.locator('branchline-chat');
    await again
      .locator('#bl-launcher')
      .filter({ hasText: /Continue/ })
      .click();
    await again.locator('#bl-log').getByText('Shall I place a hold?', { exact: false }).waitFor();
    await again.locator('#bl-input').fill('Yes please, and can I get help with my e-reader too?');
    await again.locator('#bl-input').press('Enter');
    await sofia.getByText('can I get help with my e-reader too?').waitFor();

    // Sofía hands the chat to Marcus, who is on Tech Help.
    await sofia.getByRole('radio', { name: 'A colleague' }).check();
    const colleague = sofia.getByRole('combobox', { name: /colleague/i });
    const marcusOption = colleague.locator('option', { hasText: 'Marcus' });
    await expect.poll(() => marcusOption.count(), { timeout: 15_000 }).toBe(1);
    await colleague.selectOption((await marcusOption.getAttribute('value')) ?? '');
    await sofia.getByRole('button', { name: 'Transfer chat' }).click();
    await again.locator('#bl-log').getByText('Your chat was passed to Marcus.').waitFor();

    // The chat arrives in Marcus's "My chats"; he opens it and sees everything said so far.
    await marcus
      .getByRole('region', { name: /My chats/ })
      .getByRole('link', { name: /Patron/ })
      .click();
    await marcus.getByText('can I get help with my e-reader too?').waitFor();
    const marcusReply = marcus.getByLabel('Reply to the patron');
    await marcusReply.fill('Hi, I can help with the e-reader. Which model is it?');
    await marcusReply.press('Enter');
    await again.locator('#bl-log').getByText('Which model is it?').waitFor();

    // Marcus ends the chat; the patron rates it.
    await marcus.getByRole('button', { name: 'End chat' }).click();
    await marcus.getByRole('button', { name: 'Yes, end chat' }).click();
    await again.locator('#bl-ended').waitFor();
    await again.getByLabel(/^5/).check();
    await again.locator('#bl-rating-submit').click();
    await again.locator('#bl-rating-done').waitFor();
    await again.locator('#bl-save-copy').waitFor();
    await expectNoSeriousViolations(patron, 'the widget once the chat has ended and been rated');

    const api = await adminApi(server.baseUrl);
    const list = (await api('GET', '/api/conversations?status=resolved')) as {
      items: Array<{ rating: { score: number } | null; assigneeId: string }>;
    };
    expect(list.items.some((c) => c.rating?.score === 5)).toBe(true);
  });

  test('the widget, closed and open, and the full-page chat pass axe', async () => {
    const patronContext = await session.newContext({ baseURL: site.origin });
    const patron = await patronContext.newPage();
    await patron.goto('/');
    await patron.locator('branchline-chat #bl-launcher').waitFor();
    await expectNoSeriousViolations(patron, 'library page with the chat widget closed');
    await patron.locator('branchline-chat #bl-launcher').click();
    // Nobody is on shift in this test: instead of a dead end, the widget offers to take the question.
    await patron.locator('branchline-chat #bl-q-email').waitFor();
    await expectNoSeriousViolations(patron, 'library page with the chat widget open');

    const { page } = session;
    await page.goto('/chat');
    await page.locator('branchline-chat #bl-panel').waitFor();
    await expectNoSeriousViolations(page, '/chat');
    await page.goto('/chat/espanol?lang=es');
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await expectNoSeriousViolations(page, '/chat/espanol in Spanish');
  });

  test('the widget works from the keyboard alone: open, type, close, focus returns', async () => {
    const patronContext = await session.newContext({ baseURL: site.origin });
    const patron = await patronContext.newPage();
    await patron.goto('/');
    const launcher = patron.locator('branchline-chat #bl-launcher');
    await launcher.waitFor();
    // Tab through the page until the launcher has focus (site links come first).
    for (
      let i = 0;
      i < 10 && !(await launcher.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement));
      i++
    ) {
      await patron.keyboard.press('Tab');
    }
    expect(await launcher.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await patron.keyboard.press('Enter');
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    // Nobody is on shift: focus lands in the first field of the leave-a-question form.
    const email = patron.locator('branchline-chat #bl-q-email');
    await expect.poll(() => email.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    await patron.keyboard.type('reader@example.org');
    await patron.keyboard.press('Escape');
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await expect
      .poll(() => launcher.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement))
      .toBe(true);
  });

  test('a librarian works the console from the keyboard: Alt+A accepts, Enter sends, Alt+N switches, ? lists the keys', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, 'Ask a Librarian');
    const questions = ['Keyboard one: is the library open late?', 'Keyboard two: can I book a study room?'];
    const patrons = [];
    for (const question of questions) {
      patrons.push(await patronAsks(question));
      await sofia.getByRole('listitem').filter({ hasText: question }).waitFor();
    }
    const focusedComposer = () =>
      sofia.evaluate(() => {
        const element = document.activeElement;
        return element instanceof HTMLTextAreaElement ? (element.closest('section')?.textContent ?? '') : null;
      });

    // The chat that has waited longest is taken first, and the cursor lands in its message box.
    for (const [index, question] of questions.entries()) {
      await sofia.keyboard.press('Alt+KeyA');
      await expect.poll(focusedComposer).toContain(question);
      await sofia.keyboard.type(`Answer ${index + 1}`);
      await sofia.keyboard.press('Enter');
      await patrons[index]
        ?.locator('#bl-log')
        .getByText(`Answer ${index + 1}`)
        .waitFor();
    }
    await sofia.keyboard.press('Alt+Digit1');
    await expect.poll(focusedComposer).toContain(questions[0]);
    await sofia.keyboard.press('Alt+ArrowDown');
    await expect.poll(focusedComposer).toContain(questions[1]);

    // "?" is a question mark while typing, and the list of shortcuts elsewhere.
    await sofia.keyboard.type('?');
    expect(await sofia.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    await sofia.keyboard.press('Backspace');
    await sofia.getByRole('heading', { level: 1, name: 'Chat' }).focus();
    await sofia.keyboard.press('?');
    const dialog = sofia.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    await expectNoSeriousViolations(sofia, 'console with the shortcuts open');
    await sofia.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    // Ended chats stay in My chats until closed; closing each leaves the next one first.
    for (const [index] of questions.entries()) {
      await sofia.keyboard.press('Alt+Digit1');
      await sofia.getByRole('button', { name: 'End chat' }).click();
      await sofia.getByRole('button', { name: 'Yes, end chat' }).click();
      await patrons[index]?.locator('#bl-ended').waitFor();
      await sofia.getByRole('button', { name: 'Close chat' }).click();
    }
  });

  test('without JavaScript, /chat takes a question for an answer by email', async () => {
    const context = await session.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/chat/ask');
    await page.getByRole('button', { name: 'Send question' }).click();
    await page
      .getByRole('alert')
      .getByText(/email address/)
      .waitFor();
    await page.getByLabel('Your email address').fill('reader@example.org');
    await page.getByLabel('Your question', { exact: true }).fill('When does the Riverside Branch open on Saturday?');
    await page.getByRole('button', { name: 'Send question' }).click();
    await page.getByRole('heading', { name: /your question is on its way/ }).waitFor();
    // axe runs as a script, so the page it checks is opened with JavaScript on.
    await session.page.goto(new URL(page.url()).pathname);
    await session.page.getByRole('heading', { name: /your question is on its way/ }).waitFor();
    await expectNoSeriousViolations(session.page, 'question sent page');
  });

  test('a librarian blocks an abusive patron’s browser; another browser at the same address can still chat', async () => {
    const librarianContext = await session.newContext();
    const sofia = await staffAtConsole(librarianContext, DEMO_STAFF.librarian, 'Ask a Librarian');

    const widget = await patronAsks('You are all useless and I will make you pay');
    await acceptChatAbout(sofia, 'You are all useless and I will make you pay');

    // The patron's earlier conversations load beside it; click once the pane has settled.
    await sofia.getByText('None known: the patron has not given an email address.').waitFor();
    await sofia.getByText('Block this patron', { exact: true }).click();
    const browserOnly = sofia.getByRole('radio', { name: 'This patron’s browser' });
    expect(await browserOnly.isChecked()).toBe(true);
    await sofia.getByLabel('Reason').fill('Threats to staff');
    await sofia.getByRole('button', { name: 'Block patron…' }).click();
    await sofia.getByText(/Block this patron’s browser for 1 hour and end the chat\?/).waitFor();
    await expectNoSeriousViolations(sofia, 'console with the block confirmation open');
    await sofia.getByRole('button', { name: 'Yes, block' }).click();
    await sofia.getByText(/blocked this patron’s browser for 1 hour/).waitFor();
    await sofia.getByRole('button', { name: 'Close chat' }).click();

    // The chat is over for the blocked browser, and a new one is refused.
    await widget.locator('#bl-new-chat').click();
    await widget.locator('#bl-input').fill('Let me back in');
    await widget.locator('#bl-input').press('Enter');
    await widget.getByText('This chat is not available right now. You can call or email the library.').waitFor();

    // Someone else on the same network (everyone here is 127.0.0.1) is not shut out.
    const theirs = await patronAsks('Can I renew a book by chat?');
    await sofia.getByText('Can I renew a book by chat?').first().waitFor();
    expect(await theirs.getByText('This chat is not available right now.').count()).toBe(0);
  });

  test('a librarian holds two chats side by side and answers each from the keyboard', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, 'Ask a Librarian');
    const patrons = [];
    for (const question of ['Where can I print a boarding pass?', 'Do you lend telescopes?']) {
      patrons.push(await patronAsks(question));
      await acceptChatAbout(sofia, question);
    }

    await sofia.getByLabel('My chats side by side').check();
    const panes = sofia.getByRole('group', { name: 'Chats side by side' }).getByRole('region');
    await expect.poll(() => panes.count()).toBeGreaterThanOrEqual(2);
    const first = sofia.getByRole('region', { name: /^Chat \d with Patron/ }).filter({ hasText: 'boarding pass' });
    const second = sofia.getByRole('region', { name: /^Chat \d with Patron/ }).filter({ hasText: 'telescopes' });
    await first.waitFor();
    await second.waitFor();
    await expectNoSeriousViolations(sofia, 'console with two chats side by side');
    if (process.env.SCREENSHOTS === '1')
      await sofia.screenshot({ path: path.join(SCREENSHOT_DIR, 'chat-side-by-side.png') });

    // Each pane has its own composer: Alt+N puts the cursor in chat N's.
    const secondNumber = /^Chat (\d)/.exec((await second.locator('h2').textContent()) ?? '')?.[1];
    expect(secondNumber).toBeDefined();
    await sofia.keyboard.press(`Alt+${secondNumber}`);
    const secondReply = second.getByLabel('Reply to the patron');
    await expect.poll(() => secondReply.evaluate((el) => el === document.activeElement)).toBe(true);
    await sofia.keyboard.type('Yes, two of them, for two weeks at a time.');
    await sofia.keyboard.press('Enter');
    await patrons[1]?.locator('#bl-log').getByText('Yes, two of them').waitFor();
    await first.getByLabel('Reply to the patron').fill('The printers are on the second floor.');
    await first.getByLabel('Reply to the patron').press('Enter');
    await patrons[0]?.locator('#bl-log').getByText('The printers are on the second floor.').waitFor();
    expect(await patrons[0]?.locator('#bl-log').getByText('Yes, two of them').count()).toBe(0);
    expect(await patrons[1]?.locator('#bl-log').getByText('second floor').count()).toBe(0);
    await sofia.getByLabel('My chats side by side').uncheck();
    for (const widget of patrons) {
      await sofia.keyboard.press('Alt+Digit1');
      await sofia.getByRole('button', { name: 'End chat' }).click();
      await sofia.getByRole('button', { name: 'Yes, end chat' }).click();
      await widget.locator('#bl-ended').waitFor();
      await sofia.getByRole('button', { name: 'Close chat' }).click();
    }
  });

  test('at 200% and 400% zoom the open widget fits the window, nothing is cut off, and a question can be sent', async () => {
    // Someone is on duty, so the widget offers the chat rather than the question form.
    await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, 'Ask a Librarian');
    // A 1280 × 800 window at 200% zoom is 640 × 400 CSS pixels; at 400%, 320 × 200.
    for (const viewport of [
      { width: 640, height: 400 },
      { width: 320, height: 200 },
    ]) {
      const context = await session.newContext({ baseURL: site.origin, viewport });
      const page = await context.newPage();
      await page.goto('/');
      const widget = page.locator('branchline-chat');
      await widget.locator('#bl-launcher').click();
      const panel = widget.locator('#bl-panel');
      const box = await panel.boundingBox();
      expect(box, `${viewport.width} wide`).not.toBeNull();
      expect(box?.x).toBeGreaterThanOrEqual(0);
      expect(box?.y).toBeGreaterThanOrEqual(0);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(viewport.width + 0.5);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(viewport.height + 0.5);
      // Text wraps: nothing needs scrolling sideways, in the panel or the page.
      expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

      const question = `Asked at ${viewport.width} pixels wide`;
      await widget.locator('#bl-input').fill(question);
      const send = widget.locator('#bl-send');
      await send.scrollIntoViewIfNeeded();
      expect(await send.isVisible()).toBe(true);
      await send.click();
      await widget.locator('#bl-log').getByText(question).waitFor();
      await widget.locator('#bl-status').filter({ hasText: /line/ }).waitFor();
      // The way out stays on screen.
      const close = widget.getByRole('button', { name: 'Hide chat' });
      await close.scrollIntoViewIfNeeded();
      expect(await close.isVisible()).toBe(true);
    }
  });

  test('the widget opens without animation when the patron asks for reduced motion', async () => {
    for (const reducedMotion of ['reduce', 'no-preference'] as const) {
      const context = await session.newContext({ baseURL: site.origin, reducedMotion });
      const page = await context.newPage();
      await page.goto('/');
      const widget = page.locator('branchline-chat');
      await widget.locator('#bl-launcher').click();
      const animation = await widget.locator('#bl-panel').evaluate((el) => getComputedStyle(el).animationName);
      expect(animation, reducedMotion).toBe(reducedMotion === 'reduce' ? 'none' : 'bl-in');
    }
  });
});
