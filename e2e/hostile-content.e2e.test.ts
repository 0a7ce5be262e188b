import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { startLibrarySite, type LibrarySite } from './support/library-site.ts';
import { useServer } from './support/server.ts';
import {
  expectFitsWidth,
  expectNoHorizontalOverflow,
  expectNothingRan,
  expectOnlySafeLinks,
  expectShown,
  inspect,
  newWatchedPage,
  shownText,
  watch,
} from './support/page-checks.ts';
import {
  DEMO_PASSWORD,
  DEMO_STAFF,
  OPEN_ALWAYS,
  acceptChatAbout,
  adminApi,
  sendFromConsole,
  sendFromWidget,
  serveDesks,
  signIn,
  waitForLoaded,
  type AdminApi,
} from './support/staff.ts';

/*
 * "HTML and script in any message, name or note is shown as text in the widget and console,
 * never executed; links become clickable only for http, https and mailto, with
 * rel="noopener noreferrer"." Every payload below would set window.__pwned, open a dialog or
 * leave an on* attribute behind if any surface parsed it as markup.
 */
const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=1</script>';
const SVG = '"><svg onload=window.__pwned=1>';
const LONG = 'W'.repeat(3000);
const HTTPS_HREF = 'https://riverbend.example/catalog?q=owls';
const QUOTE_BREAK_HREF = 'https://riverbend.example/x';
const MAILTO_HREF = 'mailto:ask@riverbend.example';
const SAFE_HREFS = [HTTPS_HREF, QUOTE_BREAK_HREF, MAILTO_HREF];

/** Sent by the patron and by staff, one message each. */
const MESSAGES = [
  IMG,
  SCRIPT,
  SVG,
  '<a href="javascript:window.__pwned=1">click me</a>',
  'Open javascript:window.__pwned=1 now, or JaVaScRiPt:alert(1)',
  'Or data:text/html,<script>window.__pwned=1</script> and vbscript:msgbox(1)',
  '[x](javascript:alert(1)) and [y](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  `Write to ${MAILTO_HREF} or see ${HTTPS_HREF}.`,
  `${QUOTE_BREAK_HREF}"onmouseover="window.__pwned=1" tabindex="1`,
  'Invoice for \u202Eexe.pdf\u202C ready',
  'zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFFend',
  LONG,
];

const LIBRARY_NAME = `Riverbend ${IMG}`;
/** The longest name an admin can give, in one unbroken word: it must wrap, not widen the page. */
const LONG_DESK_NAME = 'W'.repeat(120);
const LONG_PATRON_NAME = 'L'.repeat(120);
const DESK_NAME = `Ask ${SVG}`;
const DESK_DESCRIPTION = `${SCRIPT} Questions about \u202Eanything`;
const ROBIN = {
  name: `Robin Hale ${IMG}`,
  email: 'robin@threerivers.example',
  password: 'robin-hostile-e2e-password',
  displayName: `Robin ${SCRIPT}`,
};
/** As typed, with a right-to-left override; kept without the override (it would reverse what follows the name). */
const TYPED_PATRON_NAME = `${IMG}\u200B\u202Edrawde`;
const PATRON_NAME = `${IMG}\u200Bdrawde`;
const PATRON_EMAIL = 'hostile.patron@riverbend.example';
const RATING_COMMENT = `${SVG} Thanks! ${SCRIPT} ${HTTPS_HREF} javascript:alert(1)`;
const TAGS = [IMG, SVG];
const NOTES = [`Note ${IMG}`, `Note ${SCRIPT}`, `Note: see javascript:alert(1) and ${HTTPS_HREF}`, 'N'.repeat(3000)];
const TRANSFER_NOTE = `${SVG} She asked about [x](javascript:alert(1)) ${SCRIPT}`;
const CANNED = {
  shortcut: 'hostile-hours',
  title: `Hours ${IMG}`,
  body: `${SCRIPT} Our hours: ${HTTPS_HREF} or [x](javascript:alert(1)) ${SVG}`,
};

/** A staff member at the console, available on one desk. */
async function staffAtConsole(context: BrowserContext, email: string, password: string): Promise<Page> {
  const page = await newWatchedPage(context);
  await signIn(page, email, password);
  await serveDesks(page, [DESK_NAME]);
  return page;
}

async function endChat(staff: Page, widget: Locator): Promise<void> {
  await staff.getByRole('button', { name: 'End chat' }).click();
  await staff.getByRole('button', { name: 'Yes, end chat' }).click();
  await widget.locator('#bl-ended').waitFor();
}

describeInBrowser('hostile content is shown as text everywhere and never executed', () => {
  const server = useServer({ CHAT_MESSAGES_PER_10S: '100' });
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));
  let site: LibrarySite;
  let api: AdminApi;

  beforeAll(async () => {
    site = await startLibrarySite(server.baseUrl, 'ask');
    api = await adminApi(server.baseUrl);
    const [library] = ((await api('GET', '/api/libraries')) as { items: Array<{ id: string }> }).items;
    await api('PATCH', `/api/libraries/${library?.id}`, { allowedOrigins: [site.origin], name: LIBRARY_NAME });
    const desks = (
      (await api('GET', `/api/libraries/${library?.id}/desks`)) as { items: Array<{ id: string; slug: string }> }
    ).items;
    for (const desk of desks) {
      await api('PATCH', `/api/desks/${desk.id}`, {
        hours: OPEN_ALWAYS,
        ...(desk.slug === 'ask' ? { name: DESK_NAME, description: DESK_DESCRIPTION } : {}),
        ...(desk.slug === 'tech' ? { name: LONG_DESK_NAME } : {}),
      });
    }
    await api('POST', '/api/staff', {
      name: ROBIN.name,
      displayName: ROBIN.displayName,
      email: ROBIN.email,
      role: 'librarian',
      password: ROBIN.password,
    });
  });
  afterAll(async () => {
    await site?.stop();
  });

  /** A patron in a browser of their own opens the widget on the library's site and asks. */
  async function patronAsks(question: string): Promise<{ page: Page; widget: Locator }> {
    const context = await session.newContext({ baseURL: site.origin });
    const page = await newWatchedPage(context);
    await page.goto('/');
    const widget = page.locator('branchline-chat');
    await widget.locator('#bl-launcher').click();
    await sendFromWidget(widget, question);
    return { page, widget };
  }

  test('the checks see a payload that did run, in the page and inside a shadow root', async () => {
    const page = session.page;
    await page.setContent(`<p>${IMG}<a href="javascript:void 0">x</a></p><div id="host"></div>`);
    await page.evaluate((markup) => {
      const host = document.getElementById('host');
      if (host) host.attachShadow({ mode: 'open' }).innerHTML = markup;
    }, SVG);
    await expect.poll(async () => (await inspect(page)).pwned).toBe(1);
    const findings = await inspect(page);
    expect(findings.handlers).toEqual(['<img onerror>', '<svg onload>']);
    expect(findings.unsafeLinks).toEqual(['javascript:void 0']);
  });

  test('patron and staff messages, the staff name, the rating comment and wrap-up tags stay text', async () => {
    const robin = await staffAtConsole(await session.newContext(), ROBIN.email, ROBIN.password);
    await expectShown(robin.locator('header').first(), [ROBIN.displayName]);
    const first = `First question ${IMG}`;
    const { page: patron, widget } = await patronAsks(first);
    const pane = await acceptChatAbout(robin, first);
    await expectShown(pane, [DESK_NAME]);
    const transcript = pane.getByRole('log');
    const log = widget.locator('#bl-log');

    for (const message of MESSAGES) await sendFromWidget(widget, message);
    await expectShown(transcript, MESSAGES);
    for (const message of MESSAGES) await sendFromConsole(pane, message);
    await expectShown(log, MESSAGES);
    // The widget names the staff member in its status line and beside each of their messages.
    await expectShown(widget.locator('#bl-status'), [ROBIN.displayName]);
    await expectShown(log.locator('.msg.staff .who').first(), [ROBIN.displayName]);

    // A name in one unbroken word as long as the widget allows.
    await widget.locator('#bl-identify-toggle').click();
    await widget.locator('#bl-name').fill(LONG_PATRON_NAME);
    await widget.locator('#bl-identify-save').click();
    await expectShown(pane.getByRole('heading', { level: 2 }).first(), [`Chat with ${LONG_PATRON_NAME}`]);

    await expectNothingRan(patron, robin);
    await expectOnlySafeLinks(log, SAFE_HREFS);
    await expectOnlySafeLinks(transcript, SAFE_HREFS);
    await expectNoHorizontalOverflow(patron);
    await expectFitsWidth(widget.locator('#bl-panel'));
    await expectFitsWidth(log);
    await expectNoHorizontalOverflow(robin);

    await endChat(robin, widget);
    await widget.getByLabel(/^4/).check();
    await widget.locator('#bl-rating-comment').fill(RATING_COMMENT);
    await widget.locator('#bl-rating-submit').click();
    await widget.locator('#bl-rating-done').waitFor();

    await robin.getByLabel('Tags').fill(TAGS.join(', '));
    await robin.getByRole('button', { name: 'Save wrap-up' }).click();
    await robin.getByText('Wrap-up saved.').waitFor();
    await expectShown(robin.getByRole('region', { name: 'About the patron' }), [TAGS.join(', ')]);
    await expectNothingRan(patron, robin);

    // The read-only page of the conversation: the comment, the tags and every message, as text.
    const resolved = (await api('GET', '/api/conversations?status=resolved')) as {
      items: Array<{ id: string; rating: { comment: string } | null }>;
    };
    const conversation = resolved.items.find((c) => c.rating?.comment === RATING_COMMENT);
    expect(conversation).toBeDefined();
    await robin.goto(`/staff/inbox/${conversation?.id}`);
    await waitForLoaded(robin);
    await expectShown(robin.locator('main'), [RATING_COMMENT, TAGS.join(', '), ...MESSAGES]);
    await expectOnlySafeLinks(robin.getByRole('log'), SAFE_HREFS);
    await expectNothingRan(robin);
    await expectNoHorizontalOverflow(robin);
  });

  test('the patron’s name and email, internal notes and the transfer note stay text in the console', async () => {
    // An earlier question from the same address, so the console lists the patron's history.
    const earlier = await fetch(`${server.baseUrl}/api/chat/questions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        desk: 'ask',
        clientId: 'hostile-history-1',
        email: PATRON_EMAIL,
        name: TYPED_PATRON_NAME,
        message: `Earlier ${SCRIPT}`,
      }),
    });
    expect(earlier.status).toBe(201);

    const robin = await staffAtConsole(await session.newContext(), ROBIN.email, ROBIN.password);
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, DEMO_PASSWORD);
    const question = 'Can you help me find a book about owls?';
    const { page: patron, widget } = await patronAsks(question);
    const pane = await acceptChatAbout(robin, question);

    await widget.locator('#bl-identify-toggle').click();
    await widget.locator('#bl-name').fill(TYPED_PATRON_NAME);
    await widget.locator('#bl-email').fill(PATRON_EMAIL);
    await widget.locator('#bl-identify-save').click();
    await widget.locator('#bl-identify-done').waitFor();

    const about = robin.getByRole('region', { name: 'About the patron' });
    await expectShown(about, [PATRON_NAME, PATRON_EMAIL]);
    await expectShown(pane.getByRole('heading', { level: 2 }).first(), [`Chat with ${PATRON_NAME}`]);
    await expectShown(robin.getByRole('region', { name: /My chats/ }), [PATRON_NAME]);
    await expectShown(robin.getByRole('region', { name: 'Earlier conversations' }), [DESK_NAME]);

    await pane.getByLabel('Internal note').check();
    for (const note of NOTES) await sendFromConsole(pane, note);
    const transcript = pane.getByRole('log');
    await expectShown(transcript, NOTES);
    await expectOnlySafeLinks(transcript, [HTTPS_HREF]);
    await expectNothingRan(robin, patron);
    await expectNoHorizontalOverflow(robin);

    await robin.getByRole('radio', { name: 'A colleague' }).check();
    const colleague = robin.getByRole('combobox', { name: /colleague/i });
    const sofiaOption = colleague.locator('option', { hasText: 'Sofía' });
    await expect.poll(() => sofiaOption.count(), { timeout: 15_000 }).toBe(1);
    await colleague.selectOption((await sofiaOption.getAttribute('value')) ?? '');
    await robin.getByLabel('Note for them').fill(TRANSFER_NOTE);
    await robin.getByRole('button', { name: 'Transfer chat' }).click();
    await widget.locator('#bl-log').getByText('Your chat was passed to Sofía.').waitFor();

    await sofia
      .getByRole('region', { name: /My chats/ })
      .getByRole('link')
      .filter({ hasText: IMG })
      .click();
    const sofiaLog = sofia.getByRole('log').first();
    await expectShown(sofiaLog, [...NOTES, TRANSFER_NOTE, `${ROBIN.displayName} transferred the chat to Sofía`]);
    await expectShown(sofia.getByRole('region', { name: 'About the patron' }), [PATRON_NAME, PATRON_EMAIL]);
    await expectOnlySafeLinks(sofiaLog, [HTTPS_HREF]);
    // Notes are for staff: none reaches the patron.
    const patronSees = await shownText(widget.locator('#bl-log'));
    for (const note of [...NOTES, TRANSFER_NOTE]) expect(patronSees).not.toContain(note);
    await expectNothingRan(sofia, robin, patron);
    await expectNoHorizontalOverflow(sofia);

    await endChat(sofia, widget);

    // The patron's history: the earlier question, opened from the console, read as text.
    await sofia.getByRole('region', { name: 'Earlier conversations' }).getByRole('link').first().click();
    await waitForLoaded(sofia);
    await expectShown(sofia.locator('main'), [`${PATRON_NAME}, ${PATRON_EMAIL}`, `Earlier ${SCRIPT}`, DESK_NAME]);
    await expectNothingRan(sofia);
  });

  test('canned responses stay text on the management screen, among the suggestions and once sent', async () => {
    const robin = await staffAtConsole(await session.newContext(), ROBIN.email, ROBIN.password);
    await robin.goto('/staff/chat/canned');
    const form = robin.getByRole('form', { name: 'New canned response' });
    await form.getByLabel('Shortcut').fill(SVG);
    await form.getByLabel('Title').fill(CANNED.title);
    await form.getByLabel('Text').fill(CANNED.body);
    await form.getByRole('button', { name: 'Add canned response' }).click();
    await robin.getByRole('alert').first().waitFor();
    expect(await form.getByLabel('Shortcut').inputValue()).toBe(SVG);
    await expectNothingRan(robin);

    await form.getByLabel('Shortcut').fill(CANNED.shortcut);
    await form.getByRole('button', { name: 'Add canned response' }).click();
    const table = robin.getByRole('table');
    await expectShown(table, [`/${CANNED.shortcut}`, CANNED.title, CANNED.body.slice(0, 90)]);
    expect(await table.locator('a').count()).toBe(0);
    await expectNothingRan(robin);
    await expectNoHorizontalOverflow(robin);

    await robin.goto('/staff/chat');
    const question = 'What are your opening hours?';
    const { page: patron, widget } = await patronAsks(question);
    const pane = await acceptChatAbout(robin, question);
    const composer = pane.getByRole('textbox').last();
    await composer.fill('/hostile');
    const suggestions = robin.getByRole('listbox', { name: 'Canned responses' });
    await expectShown(suggestions, [`/${CANNED.shortcut}`, CANNED.title, CANNED.body]);
    await expectNothingRan(robin);
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe(CANNED.body);
    await composer.press('Enter');
    const log = widget.locator('#bl-log');
    await expectShown(log, [CANNED.body]);
    await expectOnlySafeLinks(log, [HTTPS_HREF]);
    await expectOnlySafeLinks(pane.getByRole('log'), [HTTPS_HREF]);
    await expectNothingRan(robin, patron);

    await endChat(robin, widget);
  });

  test('desk and library names set by an admin stay text on the public pages, in the widget and in the dashboard', async () => {
    const page = watch(session.page);
    await page.goto('/');
    await expectShown(page.getByRole('heading', { level: 1 }), [`${LIBRARY_NAME}, wherever you are`]);
    await expectShown(page.locator('header'), [LIBRARY_NAME]);
    expect(await page.title()).toContain(LIBRARY_NAME);
    await expectNothingRan(page);

    await page.goto('/chat/ask');
    await expectShown(page.locator('main'), [DESK_NAME, DESK_DESCRIPTION]);
    await expectShown(page.locator('branchline-chat #bl-subtitle'), [`${LIBRARY_NAME} — ${DESK_NAME}`]);
    await expectNothingRan(page);
    await expectNoHorizontalOverflow(page);

    const patron = await newWatchedPage(await session.newContext({ baseURL: site.origin }));
    await patron.goto('/');
    const widget = patron.locator('branchline-chat');
    await widget.locator('#bl-launcher').click();
    await expectShown(widget.locator('#bl-subtitle'), [`${LIBRARY_NAME} — ${DESK_NAME}`]);
    await expectNothingRan(patron);

    const dashboard = await newWatchedPage(await session.newContext());
    await signIn(dashboard, DEMO_STAFF.admin);
    await expectShown(dashboard.locator('header').first(), [LIBRARY_NAME]);
    await expectShown(dashboard.locator('main'), [`This is the staff dashboard of ${LIBRARY_NAME}.`]);
    await expectNothingRan(dashboard);
    for (const path of [
      '/staff/admin/desks',
      '/staff/inbox',
      '/staff/admin/staff',
      '/staff/admin/library',
      // The audit log names the records changed: these hostile and very long names among them.
      '/staff/admin/audit',
      '/staff/admin/blocks',
    ]) {
      await dashboard.goto(path);
      await waitForLoaded(dashboard);
      await expectNothingRan(dashboard);
      await expectNoHorizontalOverflow(dashboard);
    }
    await dashboard.goto('/staff/admin/desks');
    await expectShown(dashboard.getByRole('table'), [DESK_NAME, LONG_DESK_NAME]);
    await dashboard.goto('/staff/admin/staff');
    await expectShown(dashboard.getByRole('table'), [ROBIN.name]);
    await dashboard.goto('/staff/admin/audit?action=desk.updated');
    await expectShown(dashboard.getByRole('table', { name: 'Audit log entries, newest first' }), [DESK_NAME]);
    await dashboard.goto('/staff/chat');
    await dashboard.getByRole('button', { name: /Desks you are serving/ }).click();
    await dashboard.getByRole('checkbox', { name: DESK_NAME, exact: true }).waitFor();
    await dashboard.getByRole('checkbox', { name: LONG_DESK_NAME, exact: true }).waitFor();
    await expectNothingRan(dashboard);
    await expectNoHorizontalOverflow(dashboard);

    // On a phone, the longest desk name wraps on the public pages.
    const phone = await newWatchedPage(await session.newContext({ viewport: { width: 375, height: 740 } }));
    for (const path of ['/', '/chat/ask', '/chat/tech']) {
      await phone.goto(path);
      await phone
        .locator('branchline-chat #bl-panel')
        .or(phone.getByRole('heading', { level: 1 }))
        .first()
        .waitFor();
      await expectNoHorizontalOverflow(phone);
      // The chat panel itself does not scroll sideways for the long name in its header either.
      if (path === '/chat/tech') await expectFitsWidth(phone.locator('branchline-chat #bl-panel'));
    }
    await expectShown(phone.locator('main'), [LONG_DESK_NAME]);
  });

  test('a question left by email, with or without JavaScript, stays text on the page and for staff', async () => {
    // Without JavaScript: an invalid address sends the form back with what was typed in it.
    const noScript = await (await session.newContext({ javaScriptEnabled: false })).newPage();
    await noScript.goto('/chat/ask');
    await noScript.getByLabel('Your email address').fill(SVG);
    await noScript.getByLabel('Your name (optional)').fill(IMG);
    await noScript.getByLabel('Your question', { exact: true }).fill(`No script ${SCRIPT}</textarea>${IMG}`);
    await noScript.getByRole('button', { name: 'Send question' }).click();
    await noScript
      .getByRole('alert')
      .getByText(/email address/)
      .waitFor();
    expect(await noScript.getByLabel('Your email address').inputValue()).toBe(SVG);
    expect(await noScript.getByLabel('Your name (optional)').inputValue()).toBe(IMG);
    expect(await noScript.getByLabel('Your question', { exact: true }).inputValue()).toBe(
      `No script ${SCRIPT}</textarea>${IMG}`,
    );
    expect(await noScript.locator('xpath=//*[@*[starts-with(name(), "on")]]').count()).toBe(0);
    expect(await noScript.locator('main img, main svg').count()).toBe(0);
    expect(await noScript.locator('script:not([src])').count()).toBe(0);

    // The same form sent back to a browser that runs scripts: nothing of it runs.
    const page = watch(session.page);
    await page.goto('/chat/ask');
    await page.evaluate(
      ({ email, name, message }) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/chat/ask/question?lang=en';
        for (const [field, value] of Object.entries({ email, name, message })) {
          const input = document.createElement('textarea');
          input.name = field;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      },
      { email: SVG, name: IMG, message: `${SCRIPT}</textarea>${SVG}` },
    );
    await page
      .getByRole('alert')
      .getByText(/email address/)
      .waitFor();
    await expectNothingRan(page);

    // With a good address, the question goes through.
    const noScriptQuestion = `No script question ${SCRIPT} ${HTTPS_HREF} javascript:alert(1)`;
    await noScript.getByLabel('Your email address').fill('reader@riverbend.example');
    await noScript.getByLabel('Your question', { exact: true }).fill(noScriptQuestion);
    await noScript.getByRole('button', { name: 'Send question' }).click();
    await noScript.getByRole('heading', { name: /your question is on its way/ }).waitFor();

    // In the widget, on a desk nobody serves, the form to leave a question.
    const widgetName = `Widget ${SVG}`;
    const widgetQuestion = `Widget question ${IMG} ${LONG}`;
    await page.goto('/chat/tech');
    const widget = page.locator('branchline-chat');
    await widget.locator('#bl-q-email').fill('not an address <b>');
    await widget.locator('#bl-q-message').fill(widgetQuestion);
    await widget.locator('#bl-question-submit').click();
    await widget.locator('#bl-q-email-error').waitFor();
    await widget.locator('#bl-q-email').fill('widget.reader@riverbend.example');
    await widget.locator('#bl-q-name').fill(widgetName);
    await widget.locator('#bl-question-submit').click();
    await widget.locator('#bl-question-done').waitFor();
    await expectNothingRan(page);
    await expectNoHorizontalOverflow(page);

    // Staff read both questions as text.
    const pending = (await api('GET', '/api/conversations?status=pending')) as {
      items: Array<{ id: string; patron: { name: string | null; email: string | null } }>;
    };
    const staff = await newWatchedPage(await session.newContext());
    await signIn(staff, DEMO_STAFF.admin);
    await staff.goto('/staff/inbox');
    await waitForLoaded(staff);
    await expectShown(staff.getByRole('table'), [IMG, widgetName]);
    await expectNothingRan(staff);
    for (const [name, email, message] of [
      [IMG, 'reader@riverbend.example', noScriptQuestion],
      [widgetName, 'widget.reader@riverbend.example', widgetQuestion],
    ] as const) {
      const question = pending.items.find((c) => c.patron.email === email);
      expect(question?.patron.name).toBe(name);
      await staff.goto(`/staff/inbox/${question?.id}`);
      await waitForLoaded(staff);
      await expectShown(staff.locator('main'), [name, message]);
      await expectOnlySafeLinks(staff.getByRole('log'), message.includes(HTTPS_HREF) ? [HTTPS_HREF] : []);
      await expectNothingRan(staff);
      await expectNoHorizontalOverflow(staff);
    }
  });
});
