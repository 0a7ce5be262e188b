import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { expectNothingRan, watch } from './support/page-checks.ts';
import { useServer } from './support/server.ts';
import {
  DEMO_STAFF,
  OPEN_ALWAYS,
  acceptChatAbout,
  adminApi,
  sendFromConsole,
  serveDesks,
  type AdminApi,
  signIn,
} from './support/staff.ts';

/*
 * The patron widget as a patron lives it: on a library's own site (another origin), across
 * pages and reloads, in Spanish, outside hours, in the queue, at the end of a chat, zoomed in,
 * and with WebSockets blocked by the network.
 */

const CLOSED = {
  weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  exceptions: [],
};
const HOSTILE = '<img src=x onerror=alert(1)>';

interface Site {
  origin: string;
  stop(): Promise<void>;
}

/**
 * A library website on its own origin. `?desk=` picks the desk, `?lang=` the page's language and
 * `?el=` a lang attribute on the element itself; the links between its two pages keep the query.
 */
async function startSite(branchlineUrl: string): Promise<Site> {
  const escape = (value: string) => value.replace(/[^a-z0-9-]/gi, '');
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://site');
    const title = url.pathname === '/' ? 'Riverbend Library' : url.pathname === '/events' ? 'Events' : null;
    if (title === null) return void response.writeHead(404).end('not found');
    const desk = escape(url.searchParams.get('desk') ?? 'ask');
    const lang = escape(url.searchParams.get('lang') ?? 'en');
    const el = url.searchParams.get('el');
    const q = url.search;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body>
<nav aria-label="Site"><a href="/${q}">Home</a> <a href="/events${q}">Events</a></nav>
<main><h1>${title}</h1></main>
<script src="${branchlineUrl}/widget.js" defer></script>
<branchline-chat desk="${desk}"${el ? ` lang="${escape(el)}"` : ''}></branchline-chat>
</body>
</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A librarian at the console, available on the given desks. */
async function staffAtConsole(context: BrowserContext, email: string, desks: readonly string[]): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, email);
  await serveDesks(page, desks);
  return page;
}

async function staffReplies(console: Page, texts: readonly string[]): Promise<void> {
  const reply = console.getByLabel('Reply to the patron');
  for (const text of texts) {
    await reply.fill(text);
    await reply.press('Enter');
  }
}

/** The open widget on a fresh page of the library site. */
async function openWidget(page: Page, query = ''): Promise<Locator> {
  await page.goto(`/${query}`);
  const widget = page.locator('branchline-chat');
  await widget.locator('#bl-launcher').click();
  return widget;
}

async function patronSends(widget: Locator, texts: readonly string[]): Promise<void> {
  const input = widget.locator('#bl-input');
  for (const text of texts) {
    await input.fill(text);
    await input.press('Enter');
  }
}

/** The messages (not system lines) in the widget's log, in the order shown. */
function widgetMessages(widget: Locator): Promise<string[]> {
  return widget.locator('#bl-log .msg:not(.system) .text').allTextContents();
}

function widgetSystemLines(widget: Locator): Promise<string[]> {
  return widget.locator('#bl-log .msg.system').allTextContents();
}

/** The messages (patron and staff, not system lines or notes) in a console pane, in the order shown. */
function consoleMessages(pane: Locator): Promise<string[]> {
  return pane.locator('.entry--patron .entry__body, .entry--staff .entry__body').allTextContents();
}

/** Whether the element has focus inside the widget's shadow root. */
function hasFocus(element: Locator): Promise<boolean> {
  return element.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el);
}

/** The conversation the widget saved in the patron's tab for a desk (what it resumes from), once it has one. */
async function savedConversationId(page: Page, desk = 'ask'): Promise<string> {
  const read = () =>
    page.evaluate(
      (key) =>
        (JSON.parse(sessionStorage.getItem(key) ?? 'null') as { conversation?: { id?: string } } | null)?.conversation
          ?.id ?? '',
      `branchline-chat:${desk}`,
    );
  await expect.poll(read, { message: 'the widget saved no conversation' }).not.toBe('');
  return read();
}

/** Nothing in the open widget, nor the page, needs scrolling sideways. */
async function expectNoSidewaysScroll(page: Page, widget: Locator, what: string): Promise<void> {
  const widths = await widget.locator('#bl-panel').evaluate((panel) => {
    const offenders = [panel, ...panel.querySelectorAll('*')]
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
      .map((el) => `${el.localName}#${el.id}.${[...el.classList].join('.')}`);
    const viewport = document.documentElement.clientWidth;
    const sticksOut = [panel, ...panel.querySelectorAll('*')]
      .filter((el) => el.getClientRects().length > 0)
      .filter((el) => el.getBoundingClientRect().right > viewport + 1)
      .map((el) => `${el.localName}#${el.id}.${[...el.classList].join('.')}`);
    return { offenders, sticksOut, page: document.documentElement.scrollWidth - document.documentElement.clientWidth };
  });
  expect(widths, what).toEqual({ offenders: [], sticksOut: [], page: 0 });
  expect(await page.evaluate(() => window.scrollX), what).toBe(0);
}

/** The element is on screen and is what a click at its centre would hit (nothing covers it). */
async function expectReachable(page: Page, element: Locator, what: string): Promise<void> {
  await element.scrollIntoViewIfNeeded();
  const box = await element.boundingBox();
  const viewport = page.viewportSize();
  expect(box, what).not.toBeNull();
  if (!box || !viewport) return;
  expect(box.x, what).toBeGreaterThanOrEqual(0);
  expect(box.y, what).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, what).toBeLessThanOrEqual(viewport.width + 0.5);
  expect(box.y + box.height, what).toBeLessThanOrEqual(viewport.height + 0.5);
  const isHit = await element.evaluate(
    (el, point) => {
      const hit = (el.getRootNode() as ShadowRoot).elementFromPoint(point.x, point.y);
      return hit !== null && (hit === el || el.contains(hit));
    },
    { x: box.x + box.width / 2, y: box.y + box.height / 2 },
  );
  expect(isHit, `${what} is covered by something else`).toBe(true);
}

describeInBrowser('the patron widget, as a patron lives it', () => {
  // Every patron here shares one browser address, and these journeys start more than the
  // default 10 chats a minute.
  const server = useServer({ CHAT_STARTS_PER_MINUTE: '100' });
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));
  let site: Site;
  let api: AdminApi;

  beforeAll(async () => {
    site = await startSite(server.baseUrl);
    api = await adminApi(server.baseUrl);
    const [library] = ((await api('GET', '/api/libraries')) as { items: Array<{ id: string }> }).items;
    await api('PATCH', `/api/libraries/${library?.id}`, { allowedOrigins: [site.origin] });
    const desks = (
      (await api('GET', `/api/libraries/${library?.id}/desks`)) as { items: Array<{ id: string; slug: string }> }
    ).items;
    for (const desk of desks) {
      // Accessibility is the desk outside its hours; every other desk is always open.
      await api('PATCH', `/api/desks/${desk.id}`, { hours: desk.slug === 'accessibility' ? CLOSED : OPEN_ALWAYS });
    }
  });
  afterAll(async () => {
    await site?.stop();
  });
  // Each case starts with nobody waiting and nobody's chats open, whatever the last one left.
  afterEach(async () => {
    for (const status of ['queued', 'active']) {
      const { items } = (await api('GET', `/api/conversations?status=${status}&limit=200`)) as {
        items: Array<{ id: string }>;
      };
      for (const c of items) await api('POST', `/api/conversations/${c.id}/end`).catch(() => undefined);
    }
  });

  async function patronPage(options: Parameters<typeof session.newContext>[0] = {}): Promise<Page> {
    const context = await session.newContext({ baseURL: site.origin, ...options });
    return watch(await context.newPage());
  }

  test('with WebSockets blocked the widget falls back to HTTP: both ways, in order, each message once', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
    const context = await session.newContext({ baseURL: site.origin });
    let socketAttempts = 0;
    // A network that refuses the upgrade: every socket the widget opens is closed at once.
    await context.routeWebSocket(/\/api\/chat\/ws/, (ws) => {
      socketAttempts += 1;
      void ws.close();
    });
    const httpCalls = new Set<string>();
    context.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/api/chat/')) httpCalls.add(`${request.method()} ${pathname}`);
    });
    const patron = watch(await context.newPage());
    const widget = await openWidget(patron);

    const question = 'No sockets here: is the library open on Monday?';
    await patronSends(widget, [question]);
    const pane = await acceptChatAbout(sofia, question);
    await widget.locator('#bl-status').filter({ hasText: "You're chatting with Sofía" }).waitFor();
    expect(socketAttempts).toBeGreaterThanOrEqual(3);
    expect([...httpCalls]).toEqual(expect.arrayContaining(['GET /api/chat/poll']));

    // The librarian answers in a quick burst; the patron answers in one too.
    const fromStaff = ['Yes, 9 to 9.', 'The Riverside Branch opens at noon.', 'Anything else?'];
    await staffReplies(sofia, fromStaff);
    await expect.poll(() => widgetMessages(widget), { timeout: 20_000 }).toEqual([question, ...fromStaff]);
    const fromPatron = ['Great, thanks.', 'Can I return books there too?', 'And is there parking?'];
    await patronSends(widget, fromPatron);
    const everything = [question, ...fromStaff, ...fromPatron];
    await expect.poll(() => consoleMessages(pane), { timeout: 20_000 }).toEqual(everything);
    await expect.poll(() => widgetMessages(widget), { timeout: 20_000 }).toEqual(everything);
    expect([...httpCalls]).toEqual(expect.arrayContaining(['POST /api/chat/frames']));

    // One more answer after the patron's burst still arrives, and nothing was doubled meanwhile.
    await staffReplies(sofia, ['Parking is free behind the building.']);
    await expect
      .poll(() => widgetMessages(widget), { timeout: 20_000 })
      .toEqual([...everything, 'Parking is free behind the building.']);
    expect((await widgetSystemLines(widget)).filter((line) => line === 'Sofía joined the chat.')).toHaveLength(1);
    expect(await widget.locator('#bl-log [data-delivery="failed"]').count()).toBe(0);
    await expect.poll(() => widget.locator('#bl-log [data-delivery="sending"]').count()).toBe(0);

    // A reload, still without sockets: the same conversation, once, and it goes on over HTTP.
    await patron.reload();
    const again = patron.locator('branchline-chat');
    await again
      .locator('#bl-launcher')
      .filter({ hasText: /Continue your chat/ })
      .click();
    await staffReplies(sofia, ['See you soon.']);
    await expect
      .poll(() => widgetMessages(again), { timeout: 20_000 })
      .toEqual([...everything, 'Parking is free behind the building.', 'See you soon.']);
    await expectNothingRan(patron);
  });

  test('a socket that never opens is given up on: the widget falls back to HTTP instead of waiting for ever', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
    const context = await session.newContext({ baseURL: site.origin });
    // A proxy that swallows the upgrade: the page's socket neither opens nor fails.
    await context.routeWebSocket(/\/api\/chat\/ws/, () => new Promise<never>(() => undefined));
    let hasPolled = false;
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/chat/poll') hasPolled = true;
    });
    const patron = await context.newPage();
    // The widget's own timers are what should give up on such a socket: they run on a clock the
    // test moves forward, instead of the test waiting minutes.
    await patron.clock.install();
    const widget = await openWidget(patron);
    const question = 'Behind a proxy: can I reserve a computer?';
    await patronSends(widget, [question]);
    await acceptChatAbout(sofia, question);
    await staffReplies(sofia, ['Yes, for up to two hours a day.']);

    // Twenty seconds of the widget's time per step, letting the page handle what each step starts.
    // (The same loop with a socket that opens and then says nothing does reach the fallback.)
    let widgetSeconds = 0;
    await expect
      .poll(
        async () => {
          if (!hasPolled && widgetSeconds < 600) {
            await patron.clock.runFor(20_000);
            widgetSeconds += 20;
          }
          return hasPolled;
        },
        { timeout: 20_000, interval: 200 },
      )
      // A socket still connecting after its wait counts as failed, so the widget long-polls.
      .toBe(true);
    await patron.clock.resume();
    await widget.locator('#bl-log').getByText('Yes, for up to two hours a day.').waitFor();
  });

  test(
    'a socket that opens but stays silent: the chat is still waiting when the widget falls back to HTTP',
    { timeout: 120_000 },
    async () => {
      // Someone is on duty but busy: the chat waits in line.
      await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
      const context = await session.newContext({ baseURL: site.origin });
      // The upgrade succeeds but nothing ever comes back (a proxy that buffers the frames).
      await context.routeWebSocket(/\/api\/chat\/ws/, () => undefined);
      const patron = await context.newPage();
      const polled = patron.waitForRequest((request) => new URL(request.url()).pathname === '/api/chat/poll', {
        timeout: 90_000,
      });
      const widget = await openWidget(patron);
      await patronSends(widget, ['Silent socket: do you have a notary?']);
      const id = await savedConversationId(patron);
      await polled;
      const status = widget.locator('#bl-status');
      await status.filter({ hasText: /in line|has ended|no longer available/ }).waitFor({ timeout: 30_000 });
      // The first socket that hangs, where none has worked yet, sends the widget to HTTP at once:
      // well within the time after which the server takes a silent patron for gone (45 s).
      const server = (await api('GET', `/api/conversations/${id}`)) as { status: string };
      expect({ shown: await status.textContent(), server: server.status }).toEqual({
        shown: expect.stringMatching(/in line/),
        server: 'queued',
      });
    },
  );

  test('moving to another page and reloading mid-chat keeps the conversation, once, and it goes on', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
    const patron = await patronPage();
    const widget = await openWidget(patron);
    const question = 'Moving about: do you have museum passes?';
    await patronSends(widget, [question]);
    const pane = await acceptChatAbout(sofia, question);
    await staffReplies(sofia, ['We do — the zoo and the science centre.']);
    await widget.locator('#bl-log').getByText('the zoo and the science centre').waitFor();

    // The patron writes and at once follows a link: the message may or may not have left yet.
    await patronSends(widget, ['Sent just before leaving the page']);
    await patron.getByRole('link', { name: 'Events' }).click();
    await patron.getByRole('heading', { name: 'Events' }).waitFor();

    // Once it has reached the librarian, she answers while the patron's panel is still closed.
    const sentBefore = [question, 'We do — the zoo and the science centre.', 'Sent just before leaving the page'];
    await expect.poll(() => consoleMessages(pane)).toEqual(sentBefore);
    await staffReplies(sofia, ['While you were away: they are free.']);
    const launcher = patron.locator('branchline-chat #bl-launcher');
    await launcher.filter({ hasText: 'Continue your chat (1 new)' }).waitFor();

    const expected = [...sentBefore, 'While you were away: they are free.'];
    for (const step of ['after moving to another page', 'after a reload'] as const) {
      if (step === 'after a reload') await patron.reload();
      const again = patron.locator('branchline-chat');
      await again
        .locator('#bl-launcher')
        .filter({ hasText: /Continue your chat/ })
        .click();
      await again
        .locator('#bl-status')
        .filter({ hasText: /chatting with Sofía/ })
        .waitFor();
      await expect.poll(() => widgetMessages(again), { message: step }).toEqual(expected);
      // The librarian's name stays on her messages and in the line saying she joined, once.
      expect(await again.locator('#bl-log .msg.staff .who').allTextContents(), step).toEqual(['Sofía', 'Sofía']);
      expect(
        (await widgetSystemLines(again)).filter((line) => line === 'Sofía joined the chat.'),
        step,
      ).toHaveLength(1);
    }
    await expect.poll(() => consoleMessages(pane)).toEqual(expected);

    // New messages still flow both ways after the reload.
    const widgetNow = patron.locator('branchline-chat');
    await staffReplies(sofia, ['Passes are on the second floor.']);
    await patronSends(widgetNow, ['Thank you!']);
    const all = [...expected, 'Passes are on the second floor.', 'Thank you!'];
    await expect.poll(() => widgetMessages(widgetNow), { timeout: 20_000 }).toEqual(all);
    await expect.poll(() => consoleMessages(pane), { timeout: 20_000 }).toEqual(all);
  });

  test('a patron on another tab sees in the page title that a librarian answered, and gets the title back on return', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
    const context = await session.newContext({ baseURL: site.origin });
    // Headless Chromium has no background tabs: the page is told it is hidden as a browser tells it.
    await context.addInitScript(() => {
      let hidden = false;
      const state = { configurable: true, get: () => (hidden ? 'hidden' : 'visible') };
      Object.defineProperty(Document.prototype, 'visibilityState', state);
      Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
      Object.assign(window, {
        setTabHidden(value: boolean) {
          hidden = value;
          document.dispatchEvent(new Event('visibilitychange'));
        },
      });
    });
    const setTabHidden = (page: Page, value: boolean) =>
      page.evaluate((v) => (window as unknown as { setTabHidden(v: boolean): void }).setTabHidden(v), value);
    const patron = watch(await context.newPage());
    const widget = await openWidget(patron);
    const question = 'Title alert: is the library open on Sunday?';
    await patronSends(widget, [question]);
    const pane = await acceptChatAbout(sofia, question);

    await setTabHidden(patron, true);
    expect(await patron.title()).toBe('Riverbend Library');
    await sendFromConsole(pane, 'Yes, from 1 to 5 pm.');
    await expect.poll(() => patron.title(), { timeout: 15_000 }).toBe('(1) Reply from the library · Riverbend Library');
    await sendFromConsole(pane, 'The Main Street branch too.');
    await expect.poll(() => patron.title(), { timeout: 15_000 }).toBe('(2) Reply from the library · Riverbend Library');
    // Back on the tab: the page's own title, and the replies count as read.
    await setTabHidden(patron, false);
    await expect.poll(() => patron.title()).toBe('Riverbend Library');
    await setTabHidden(patron, true);
    await patronSends(widget, ['Thank you!']);
    await pane.getByText('Thank you!').waitFor();
    expect(await patron.title()).toBe('Riverbend Library');
    await sofia.getByRole('button', { name: 'End chat' }).click();
    await sofia.getByRole('button', { name: 'Yes, end chat' }).click();
  });

  test('on a Spanish page the widget speaks Spanish; the element’s own lang wins over the page’s', async () => {
    // Someone is on duty, so the widget offers the chat and, once asked, the place in line.
    const librarian = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
    const patron = await patronPage();
    await patron.goto('/?lang=es');
    const widget = patron.locator('branchline-chat');
    const launcher = widget.locator('#bl-launcher');
    await expect.poll(() => launcher.textContent()).toBe('Pregunte a un bibliotecario');
    await launcher.click();
    await widget.getByRole('textbox', { name: 'Su mensaje' }).waitFor();
    expect(await widget.locator('#bl-send').textContent()).toBe('Enviar');
    expect(await widget.getByRole('button', { name: 'Ocultar el chat' }).count()).toBe(1);
    await widget.getByRole('textbox', { name: 'Su mensaje' }).fill('¿Tienen libros en español para niños?');
    await widget.getByRole('textbox', { name: 'Su mensaje' }).press('Enter');
    await widget
      .locator('#bl-status')
      .filter({ hasText: /^Está en el \d+\.º lugar de la fila/ })
      .waitFor();
    expect(await widgetSystemLines(widget)).toContain('Está en la fila para hablar con un bibliotecario.');
    // The chat is marked Spanish for the librarians too,
    const { items } = (await api('GET', '/api/conversations?status=queued')) as {
      items: Array<{ id: string; language: string }>;
    };
    const id = await savedConversationId(patron);
    expect(items.find((c) => c.id === id)?.language).toBe('es');
    // and the chat ringing in the console says so before anyone accepts it.
    await librarian
      .getByRole('listitem')
      .filter({ hasText: '¿Tienen libros en español para niños?' })
      .filter({ hasText: '· in Spanish' })
      .waitFor();

    // Outside hours, the offer to leave the question is in Spanish too.
    const closed = await openWidget(await patronPage(), '?lang=es&desk=accessibility');
    await closed.getByRole('heading', { name: 'Deje su pregunta' }).waitFor();
    expect(await closed.locator('#bl-question-reason').textContent()).toBe('El chat está cerrado en este momento.');
    await closed.getByRole('textbox', { name: 'Correo electrónico (obligatorio)' }).fill('lector@');
    await closed.getByRole('button', { name: 'Enviar pregunta' }).click();
    await closed
      .locator('#bl-q-email-error')
      .filter({ hasText: 'Escriba un correo electrónico como nombre@ejemplo.com.' })
      .waitFor();

    for (const { query, launcherText, label } of [
      { query: '/?lang=es&el=en', launcherText: 'Ask a librarian', label: 'Your message' },
      { query: '/?lang=en&el=es', launcherText: 'Pregunte a un bibliotecario', label: 'Su mensaje' },
      { query: '/?lang=es-MX', launcherText: 'Pregunte a un bibliotecario', label: 'Su mensaje' },
    ]) {
      const page = await patronPage();
      await page.goto(query);
      const other = page.locator('branchline-chat');
      await expect.poll(() => other.locator('#bl-launcher').textContent(), { message: query }).toBe(launcherText);
      await other.locator('#bl-launcher').click();
      await other.getByRole('textbox', { name: label }).waitFor();
    }
  });

  test('outside hours the widget takes the question by email: hostile text kept as text, bad email explained', async () => {
    const patron = await patronPage();
    const widget = await openWidget(patron, '?desk=accessibility');
    await widget.getByRole('heading', { name: 'Leave your question' }).waitFor();
    expect(await widget.locator('#bl-question-reason').textContent()).toBe('Chat is closed right now.');
    expect(await widget.locator('#bl-chat-instead').isVisible()).toBe(false);

    const email = widget.getByRole('textbox', { name: 'Email (required)' });
    await email.fill(HOSTILE);
    await widget.getByRole('textbox', { name: 'Name (optional)' }).fill(HOSTILE);
    await widget.getByRole('textbox', { name: 'Your question' }).fill(`${HOSTILE} Do you have talking books?`);
    await widget.getByRole('button', { name: 'Send question' }).click();
    await widget
      .locator('#bl-q-email-error')
      .filter({ hasText: 'Enter an email address like name@example.com.' })
      .waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await hasFocus(email)).toBe(true);

    await email.fill('reader@example.org');
    await widget.getByRole('button', { name: 'Send question' }).click();
    await widget.locator('#bl-question-done').filter({ hasText: "Thank you. We'll answer by email" }).waitFor();
    expect(await hasFocus(widget.locator('#bl-question-done'))).toBe(true);

    const { items } = (await api('GET', '/api/conversations?status=pending')) as {
      items: Array<{ id: string; channel: string; patron: { name: string | null; email: string | null } }>;
    };
    const kept = items.find((c) => c.channel === 'webform' && c.patron.name === HOSTILE);
    expect(kept?.patron.email).toBe('reader@example.org');
    const full = (await api('GET', `/api/conversations/${kept?.id}`)) as {
      events: Array<{ type: string; body: string }>;
    };
    expect(full.events.filter((e) => e.type === 'message').map((e) => e.body)).toEqual([
      `${HOSTILE} Do you have talking books?`,
    ]);
    await expectNothingRan(patron);
  });

  test('outside hours, an address with a subtle mistake gets the same clear error next to the field', async () => {
    const patron = await patronPage();
    const widget = await openWidget(patron, '?desk=accessibility');
    const email = widget.getByRole('textbox', { name: 'Email (required)' });
    // Two dots in a row: the widget checks addresses as the server does.
    await email.fill('reader@example..org');
    await widget.getByRole('textbox', { name: 'Your question' }).fill('Do you lend audio described DVDs?');
    await widget.getByRole('button', { name: 'Send question' }).click();
    const shown = widget.locator('#bl-question-error:not([hidden]), #bl-q-email-error:not([hidden])');
    await shown.first().waitFor();
    expect(await shown.first().textContent()).toBe('Enter an email address like name@example.com.');
  });

  test('the queue shows place and estimated wait, and moves up when a chat ahead is accepted', async () => {
    // History for the estimate: three chats on the Spanish desk answered at once.
    for (const n of [1, 2, 3]) {
      const response = await fetch(`${server.baseUrl}/api/chat/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ desk: 'espanol', clientId: `history-${n}-${Date.now()}`, message: `Earlier ${n}` }),
      });
      expect(response.status).toBe(201);
      const { conversation } = (await response.json()) as { conversation: { id: string } };
      await api('POST', `/api/conversations/${conversation.id}/accept`);
      await api('POST', `/api/conversations/${conversation.id}/end`);
    }
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Español']);

    const first = await openWidget(await patronPage(), '?desk=espanol');
    await first.locator('#bl-status').filter({ hasText: 'A librarian is here to help.' }).waitFor();
    await patronSends(first, ['Queue one: ¿hay clases de inglés?']);
    await first
      .locator('#bl-status')
      .filter({ hasText: /1st in line — less than a minute/ })
      .waitFor();

    const second = await openWidget(await patronPage(), '?desk=espanol');
    // Before asking, the wait is said up front.
    await second
      .locator('#bl-status')
      .filter({ hasText: 'A librarian is here to help. Current wait: less than a minute.' })
      .waitFor();
    await patronSends(second, ['Queue two: ¿puedo renovar en línea?']);
    await second
      .locator('#bl-status')
      .filter({ hasText: /2nd in line — less than a minute/ })
      .waitFor();
    expect(await first.locator('#bl-status').textContent()).toMatch(/1st in line/);

    await acceptChatAbout(sofia, 'Queue one');
    await first
      .locator('#bl-status')
      .filter({ hasText: /chatting with Sofía/ })
      .waitFor();
    await second
      .locator('#bl-status')
      .filter({ hasText: /1st in line — less than a minute/ })
      .waitFor();
  });

  test('whoever ends the chat, the patron rates it and asks for the transcript with the keyboard alone', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);

    /** A chat that Sofía has taken and answered. */
    async function answeredChat(question: string, answer: string) {
      const patron = await patronPage();
      const widget = await openWidget(patron);
      await patronSends(widget, [question]);
      await acceptChatAbout(sofia, question);
      await staffReplies(sofia, [answer]);
      await widget.locator('#bl-log').getByText(answer).waitFor();
      return { patron, widget, id: await savedConversationId(patron) };
    }

    // The patron ends it: from the message box, Tab to "End chat", Enter, Enter.
    const mine = await answeredChat('Ending myself: how do I reset my PIN?', 'Use the Forgot PIN link.');
    const end = mine.widget.locator('#bl-end');
    for (let i = 0; i < 6 && !(await hasFocus(end)); i++) await mine.patron.keyboard.press('Tab');
    expect(await hasFocus(end)).toBe(true);
    await mine.patron.keyboard.press('Enter');
    expect(await hasFocus(mine.widget.locator('#bl-end-yes'))).toBe(true);
    await mine.patron.keyboard.press('Enter');
    await mine.widget.locator('#bl-ended').waitFor();
    await expect.poll(() => hasFocus(mine.widget.locator('#bl-ended-title'))).toBe(true);
    await rateAndAskForTranscriptByKeyboard(mine.patron, mine.widget, 4, 'Quick and clear', 'reader@example.org');
    expect(await api('GET', `/api/conversations/${mine.id}`)).toMatchObject({
      status: 'resolved',
      rating: { score: 4, comment: 'Quick and clear' },
    });
    expect(transcriptRequest(mine.id)).toMatchObject({ transcript_email: 'reader@example.org' });
    // A copy to keep, saved from the keyboard too: the next stop after the transcript request.
    await expect.poll(() => hasFocus(mine.widget.locator('#bl-transcript-done'))).toBe(true);
    await mine.patron.keyboard.press('Tab');
    expect(await hasFocus(mine.widget.locator('#bl-save-copy'))).toBe(true);
    const [download] = await Promise.all([mine.patron.waitForEvent('download'), mine.patron.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^chat-\d{4}-\d{2}-\d{2}\.txt$/);
    const copy = await fs.readFile(await download.path(), 'utf8');
    expect(copy).toContain('You: Ending myself: how do I reset my PIN?');
    expect(copy).toContain('Sofía: Use the Forgot PIN link.');
    // Back on the page later: thanks for both, no second rating form.
    await mine.patron.reload();
    await mine.patron.locator('branchline-chat #bl-launcher').click();
    await mine.widget.locator('#bl-rating-done').waitFor();
    await mine.widget.locator('#bl-transcript-done').waitFor();
    expect(await mine.widget.locator('#bl-rating').isVisible()).toBe(false);
    expect(await mine.widget.locator('#bl-transcript').isVisible()).toBe(false);

    // The librarian ends it: the patron's cursor was in the message box, so it lands on the heading.
    const theirs = await answeredChat('Ended by staff: can I donate books?', 'Yes, at the Friends shop.');
    await sofia.getByRole('button', { name: 'End chat' }).click();
    await sofia.getByRole('button', { name: 'Yes, end chat' }).click();
    await theirs.widget.locator('#bl-ended').waitFor();
    await expect.poll(() => hasFocus(theirs.widget.locator('#bl-ended-title'))).toBe(true);
    // A wrong address first: a clear error on the field, which keeps the focus.
    await rateAndAskForTranscriptByKeyboard(
      theirs.patron,
      theirs.widget,
      5,
      'Lovely',
      'reader at example',
      'reader2@example.org',
    );
    expect(await api('GET', `/api/conversations/${theirs.id}`)).toMatchObject({
      status: 'resolved',
      rating: { score: 5, comment: 'Lovely' },
    });
    expect(transcriptRequest(theirs.id)).toMatchObject({ transcript_email: 'reader2@example.org' });
  });

  /** From the "chat has ended" heading: Tab to the scale, arrow to `score`, comment, send; then the transcript. */
  async function rateAndAskForTranscriptByKeyboard(
    patron: Page,
    widget: Locator,
    score: number,
    comment: string,
    ...emails: string[]
  ): Promise<void> {
    await patron.keyboard.press('Tab');
    expect(await hasFocus(widget.locator('#bl-score-1'))).toBe(true);
    for (let n = 1; n < score; n++) await patron.keyboard.press('ArrowDown');
    expect(await widget.locator(`#bl-score-${score}`).isChecked()).toBe(true);
    await patron.keyboard.press('Tab');
    expect(await hasFocus(widget.locator('#bl-rating-comment'))).toBe(true);
    await patron.keyboard.type(comment);
    await patron.keyboard.press('Tab');
    expect(await hasFocus(widget.locator('#bl-rating-submit'))).toBe(true);
    await patron.keyboard.press('Enter');
    await widget.locator('#bl-rating-done').waitFor();
    await expect.poll(() => hasFocus(widget.locator('#bl-rating-done'))).toBe(true);

    await patron.keyboard.press('Tab');
    const email = widget.locator('#bl-transcript-email');
    expect(await hasFocus(email)).toBe(true);
    for (const [index, address] of emails.entries()) {
      await patron.keyboard.press('ControlOrMeta+A');
      await patron.keyboard.type(address);
      await patron.keyboard.press('Enter');
      if (index < emails.length - 1) {
        await widget
          .locator('#bl-transcript-email-error')
          .filter({ hasText: 'Enter an email address like name@example.com.' })
          .waitFor();
        expect(await hasFocus(email)).toBe(true);
      }
    }
    await widget.locator('#bl-transcript-done').waitFor();
  }

  /** What the server kept of the patron's transcript request (the staff API does not show it). */
  function transcriptRequest(conversationId: string): Record<string, unknown> | undefined {
    const db = new Database(path.join(server.dataDir, 'branchline.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare('select transcript_email, transcript_requested_at from conversations where id = ?')
        .get(conversationId) as Record<string, unknown> | undefined;
      expect(row?.transcript_requested_at).toBeTruthy();
      return row;
    } finally {
      db.close();
    }
  }

  test('at 200% zoom the open widget never scrolls sideways and the message box and Send stay reachable', async () => {
    const sofia = await staffAtConsole(await session.newContext(), DEMO_STAFF.librarian, ['Ask a Librarian']);
    // A 1280 × 960 window at 200%: 640 × 480 CSS pixels, drawn with two device pixels to one.
    const patron = await patronPage({ viewport: { width: 640, height: 480 }, deviceScaleFactor: 2 });
    const widget = await openWidget(patron);
    await widget.locator('#bl-input').waitFor();
    await expectNoSidewaysScroll(patron, widget, 'before asking');
    await expectReachable(patron, widget.locator('#bl-input'), 'message box before asking');
    await expectReachable(patron, widget.locator('#bl-send'), 'Send before asking');

    const question = 'Zoomed in: where are the large-print books?';
    await widget.locator('#bl-input').fill(question);
    await widget.locator('#bl-send').click();
    await acceptChatAbout(sofia, question);
    // A long unbroken address and word must wrap, not widen the panel.
    const long = `https://threerivers.example/catalogue/search?${'q=large-print&'.repeat(12)}page=1`;
    await staffReplies(sofia, [`Second floor. ${long}`, `Supercalifragilistic${'expialidocious'.repeat(6)}`]);
    await widget.locator('#bl-log').getByText('expialidociousexpialidocious', { exact: false }).waitFor();
    await expectNoSidewaysScroll(patron, widget, 'in the chat');
    await expectReachable(patron, widget.locator('#bl-input'), 'message box in the chat');
    await expectReachable(patron, widget.locator('#bl-send'), 'Send in the chat');
    await widget.locator('#bl-input').fill('Thanks!');
    await widget.locator('#bl-send').click();
    await sofia.getByText('Thanks!', { exact: true }).first().waitFor();

    await sofia.getByRole('button', { name: 'End chat' }).click();
    await sofia.getByRole('button', { name: 'Yes, end chat' }).click();
    await widget.locator('#bl-ended').waitFor();
    await expectNoSidewaysScroll(patron, widget, 'after the chat ended');
    await expectReachable(patron, widget.locator('#bl-rating-submit'), 'Send rating');
  });
});
