import path from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { startLibrarySite, type LibrarySite } from './support/library-site.ts';
import { expectNothingRan, expectShown, newWatchedPage, shownText } from './support/page-checks.ts';
import { useServer } from './support/server.ts';
import {
  DEMO_STAFF,
  mainNav,
  OPEN_ALWAYS,
  acceptChatAbout,
  adminApi,
  chatPaneAbout,
  sendFromConsole,
  sendFromWidget,
  serveDesks,
  signIn,
  waitForLoaded,
  type AdminApi,
} from './support/staff.ts';

/*
 * The staff console as librarians use it through a shift: several chats at once, notes, canned
 * responses, transfers, wrap-up, blocks, the home page's numbers and a returning patron's history.
 * Each test uses its own librarians, so chats one test leaves open do not ring in the next.
 */

const STAFF = {
  sofia: DEMO_STAFF.librarian,
  marcus: DEMO_STAFF.supervisor,
  dana: DEMO_STAFF.admin,
  priya: 'priya@threerivers.example',
  jamal: 'jamal@threerivers.example',
  grace: 'grace@threerivers.example',
  tom: 'tom@threerivers.example',
} as const;

const ASK = 'Ask a Librarian';
const TECH = 'Tech Help';
const NOTE_LABEL = 'Internal note — the patron can’t see this';
/** Markup and a link in a canned response: shown as text, the link made safe. */
const CANNED_BODY =
  'To renew <b>your card</b>, see https://threerivers.example/renew <img src=x onerror="window.__pwned=1">';

interface Patron {
  context: BrowserContext;
  page: Page;
  widget: Locator;
  log: Locator;
}

describeInBrowser('the staff console through a librarian’s shift', () => {
  const server = useServer({
    // A patron who closes the page is counted gone 5 s later (the least the server allows).
    CHAT_RECONNECT_GRACE_SECONDS: '5',
    CHAT_MESSAGES_PER_10S: '100',
    // Every patron here is the same browser address: tests in quick succession start more than
    // the default 10 chats a minute.
    CHAT_STARTS_PER_MINUTE: '100',
    // A closed console takes its person offline at once, so they stop ringing in later tests.
    STAFF_OFFLINE_GRACE_SECONDS: '0',
  });
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));
  let site: LibrarySite;
  let api: AdminApi;
  let desks: Array<{ id: string; slug: string; name: string }>;
  let staffIds: Map<string, string>;

  beforeAll(async () => {
    site = await startLibrarySite(server.baseUrl, 'ask');
    api = await adminApi(server.baseUrl);
    const [library] = ((await api('GET', '/api/libraries')) as { items: Array<{ id: string }> }).items;
    await api('PATCH', `/api/libraries/${library?.id}`, { allowedOrigins: [site.origin] });
    desks = (
      (await api('GET', `/api/libraries/${library?.id}/desks`)) as {
        items: Array<{ id: string; slug: string; name: string }>;
      }
    ).items;
    for (const desk of desks) await api('PATCH', `/api/desks/${desk.id}`, { hours: OPEN_ALWAYS });
    const staff = (await api('GET', '/api/staff')) as { items: Array<{ id: string; email: string }> };
    staffIds = new Map(staff.items.map((s) => [s.email, s.id]));
  });
  afterAll(async () => {
    await site?.stop();
  });

  // ------------------------------------------------------------------ helpers

  /** A staff member at the console, available on `deskNames`; waits until the server knows it. */
  async function staffAtConsole(email: string, deskNames: readonly string[]): Promise<Page> {
    const page = await newWatchedPage(await session.newContext());
    await signIn(page, email);
    await serveDesks(page, deskNames);
    const wanted = desks.filter((d) => deskNames.includes(d.name)).map((d) => d.id);
    await expect
      .poll(
        async () => {
          const people = (await api('GET', '/api/presence')) as {
            items: Array<{ staffId: string; status: string; deskIds: string[]; connected: boolean }>;
          };
          const me = people.items.find((p) => p.staffId === staffIds.get(email));
          return me?.status === 'available' && me.connected && wanted.every((id) => me.deskIds.includes(id));
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    return page;
  }

  async function openWidget(page: Page): Promise<Locator> {
    const widget = page.locator('branchline-chat');
    const launcher = widget.locator('#bl-launcher');
    await launcher.waitFor();
    if ((await launcher.getAttribute('aria-expanded')) !== 'true') await launcher.click();
    return widget;
  }

  /** A patron in a browser of their own opens the widget on the library's site and asks. */
  async function patronAsks(question: string): Promise<Patron> {
    const context = await session.newContext({ baseURL: site.origin });
    const page = await newWatchedPage(context);
    await page.goto('/');
    const widget = await openWidget(page);
    await sendFromWidget(widget, question);
    const log = widget.locator('#bl-log');
    await log.getByText(question).waitFor();
    return { context, page, widget, log };
  }

  /** The patron says who they are in the widget. */
  async function identify(widget: Locator, name: string, email: string): Promise<void> {
    await widget.locator('#bl-identify-toggle').click();
    if (name) await widget.locator('#bl-name').fill(name);
    await widget.locator('#bl-email').fill(email);
    await widget.locator('#bl-identify-save').click();
    await widget.locator('#bl-identify-done').waitFor();
  }

  async function endChat(staff: Page, patron: Patron): Promise<void> {
    await staff.getByRole('button', { name: 'End chat' }).click();
    await staff.getByRole('button', { name: 'Yes, end chat' }).click();
    await patron.widget.locator('#bl-ended').waitFor();
  }

  /** The id of the chat a console pane shows, as its message box carries it. */
  async function chatIdOf(pane: Locator): Promise<string> {
    return (await pane.locator('textarea[data-conversation-id]').getAttribute('data-conversation-id')) ?? '';
  }

  /**
   * The chat open in the console, as the librarian sees it: the one marked current in My chats
   * and the one whose message box has the cursor; null while they differ.
   */
  function openChat(staff: Page): Promise<string | null> {
    return staff.evaluate(() => {
      const element = document.activeElement;
      const focused = element instanceof HTMLTextAreaElement ? (element.dataset['conversationId'] ?? null) : null;
      const current = document.querySelector('a.chat-link[aria-current="true"]')?.getAttribute('href') ?? '';
      return focused !== null && new URLSearchParams(current.split('?')[1] ?? '').get('c') === focused ? focused : null;
    });
  }

  // ------------------------------------------------------------------ tests

  test('the home page’s Today panel counts a chat answered, its wait, and a chat missed', async () => {
    // First in the file: no other chat of today can change the numbers meanwhile.
    const jamal = await staffAtConsole(STAFF.jamal, [ASK]);
    const dana = await newWatchedPage(await session.newContext());
    await signIn(dana, STAFF.dana);
    const today = dana.getByRole('region', { name: 'Today' });
    const stat = (term: string) =>
      today
        .locator('.stat')
        .filter({ has: dana.locator('dt', { hasText: term }) })
        .locator('dd');
    const numbers = async () => ({
      answered: (await shownText(stat('Chats answered'))).trim(),
      missed: (await shownText(stat('Missed'))).trim(),
      left: (await shownText(stat('Patron left before an answer'))).trim(),
      median: (await shownText(stat('Median wait'))).trim(),
    });
    await stat('Chats answered').waitFor();
    expect(await numbers()).toEqual({ answered: '0', missed: '0', left: '0', median: '—' });

    // One chat answered.
    const answeredQuestion = 'Today one: when is story time?';
    const answered = await patronAsks(answeredQuestion);
    await acceptChatAbout(jamal, answeredQuestion);
    await answered.log
      .getByText(/joined/)
      .first()
      .waitFor();
    await dana.reload();
    await stat('Chats answered').waitFor();
    const afterAnswer = await numbers();
    expect(afterAnswer.answered).toBe('1');
    expect(afterAnswer.missed).toBe('0');
    expect(afterAnswer.median).toMatch(/^\d+ s$|^\d+ min( \d+ s)?$/);

    // One chat rings for Jamal, who does not answer; the patron closes the page and does not come back.
    const missedQuestion = 'Today two: do you have parking?';
    const missed = await patronAsks(missedQuestion);
    await jamal.getByRole('listitem').filter({ hasText: missedQuestion }).waitFor();
    await missed.context.close();
    await expect
      .poll(async () => ((await api('GET', '/api/conversations?status=missed')) as { items: unknown[] }).items.length, {
        timeout: 30_000,
      })
      .toBe(1);
    await dana.reload();
    await stat('Chats answered').waitFor();
    expect(await numbers()).toEqual({ ...afterAnswer, missed: '1' });

    await endChat(jamal, answered);
  });

  test('three chats at once: Alt+N and Alt+↑/↓ switch, the composer takes focus, each reply reaches its own patron', async () => {
    const priya = await staffAtConsole(STAFF.priya, [ASK]);
    const questions = [
      'Three one: can I renew a laptop loan?',
      'Three two: where is the local history room?',
      'Three three: do you have museum passes?',
    ];
    const patrons: Patron[] = [];
    const ids: string[] = [];
    for (const question of questions) {
      patrons.push(await patronAsks(question));
      await acceptChatAbout(priya, question);
      ids.push(await chatIdOf(chatPaneAbout(priya, question)));
    }
    const [one, two, three] = patrons as [Patron, Patron, Patron];
    const myChats = priya.getByRole('region', { name: /My chats/ }).getByRole('listitem');
    await expect.poll(() => myChats.count()).toBe(3);

    // Side by side: Alt+3 puts the cursor in the third chat's message box.
    await priya.getByLabel('My chats side by side').check();
    await expect
      .poll(() => priya.getByRole('group', { name: 'Chats side by side' }).getByRole('region').count())
      .toBe(3);
    await priya.keyboard.press('Alt+Digit3');
    await expect.poll(() => openChat(priya)).toBe(ids[2]);
    await priya.keyboard.type('Yes: museum passes are at the front desk.');
    await priya.keyboard.press('Enter');
    await three.log.getByText('museum passes are at the front desk').waitFor();

    // Alt+↑ goes to the chat before, Alt+↓ back, and past the last one round to the first.
    await priya.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => openChat(priya)).toBe(ids[1]);
    await priya.keyboard.type('The local history room is on floor 3.');
    await priya.keyboard.press('Enter');
    await two.log.getByText('The local history room is on floor 3.').waitFor();
    await priya.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => openChat(priya)).toBe(ids[2]);
    await priya.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => openChat(priya)).toBe(ids[0]);

    // One chat at a time: a half-written reply waits in its chat while another is answered.
    await priya.getByLabel('My chats side by side').uncheck();
    await priya.keyboard.press('Alt+Digit1');
    await expect.poll(() => openChat(priya)).toBe(ids[0]);
    await priya.keyboard.type('Laptops renew once, ');
    await priya.keyboard.press('Alt+Digit2');
    await expect.poll(() => openChat(priya)).toBe(ids[1]);
    await priya.keyboard.type('It is open until 8 pm.');
    await priya.keyboard.press('Enter');
    await two.log.getByText('It is open until 8 pm.').waitFor();
    await priya.keyboard.press('Alt+Digit1');
    await expect.poll(() => openChat(priya)).toBe(ids[0]);
    const composer = chatPaneAbout(priya, questions[0] ?? '').getByLabel('Reply to the patron');
    expect(await composer.inputValue()).toBe('Laptops renew once, ');
    await priya.keyboard.type('for another week.');
    // The caret comes back after the draft, so typing goes on from where it ended.
    expect(await composer.inputValue(), 'typing continues the draft').toBe('Laptops renew once, for another week.');
    await priya.keyboard.press('Enter');
    await one.log.getByText(/for another week/).waitFor();

    // Nobody got a reply meant for someone else.
    const seen = await Promise.all(patrons.map((p) => shownText(p.log)));
    expect(seen[0]).not.toMatch(/museum passes are at|floor 3|until 8 pm/);
    expect(seen[1]).not.toMatch(/museum passes are at|Laptops renew/);
    expect(seen[2]).not.toMatch(/floor 3|until 8 pm|Laptops renew/);
    await expectNothingRan(priya);
  });

  test('internal notes: staff and a supervisor read them; the patron never does, not even after a reload', async () => {
    const sofia = await staffAtConsole(STAFF.sofia, [ASK]);
    const question = 'Notes one: I lost my library card, can you cancel it?';
    const patron = await patronAsks(question);
    const pane = await acceptChatAbout(sofia, question);
    await sendFromConsole(pane, 'I can help with that. What is your name?');
    await patron.log.getByText('What is your name?').waitFor();
    await sendFromWidget(patron.widget, 'Alex Rivera');
    await pane.getByText('Alex Rivera').waitFor();

    const note = 'Note: card 2100 0456 reported lost; patron verified by phone.';
    await pane.getByRole('checkbox', { name: 'Internal note' }).check();
    await sendFromConsole(pane, note);
    const noteEntry = pane.getByRole('log').locator('.entry--note').filter({ hasText: note });
    await noteEntry.waitFor();
    await expectShown(noteEntry, [NOTE_LABEL]);
    await pane.getByRole('checkbox', { name: 'Internal note' }).uncheck();
    await sendFromConsole(pane, 'Your old card is cancelled.');
    await patron.log.getByText('Your old card is cancelled.').waitFor();
    expect(await shownText(patron.log)).not.toContain(note);

    // A supervisor reading the chat sees the note, marked as one.
    const id = await chatIdOf(pane);
    const marcus = await newWatchedPage(await session.newContext());
    await signIn(marcus, STAFF.marcus);
    await marcus.goto(`/staff/inbox/${id}`);
    await waitForLoaded(marcus);
    const marcusNote = marcus.getByRole('log').locator('.entry--note').filter({ hasText: note });
    await marcusNote.waitFor();
    await expectShown(marcusNote, [NOTE_LABEL, 'Sofía']);

    // The patron reloads: the log comes back from the server, still without the note.
    await patron.page.reload();
    const widget = await openWidget(patron.page);
    const log = widget.locator('#bl-log');
    await log.getByText('Your old card is cancelled.').waitFor();
    await sendFromWidget(widget, 'Thanks, bye!');
    await pane.getByText('Thanks, bye!').waitFor();
    expect(await shownText(log)).not.toContain(note);
    expect(await shownText(log)).not.toContain(NOTE_LABEL);

    // A note half-written in one chat, left for another and taken up again, is still a note.
    const otherQuestion = 'Notes two: is the book sale this weekend?';
    const other = await patronAsks(otherQuestion);
    await acceptChatAbout(sofia, otherQuestion);
    await sofia.keyboard.press('Alt+Digit1');
    const first = chatPaneAbout(sofia, question);
    await first.waitFor();
    const secret = 'Note: patron mentioned a protection order, do not share branch schedule.';
    await first.getByRole('checkbox', { name: 'Internal note' }).check();
    await first.getByRole('textbox').last().fill(secret);
    await sofia.keyboard.press('Alt+Digit2');
    await chatPaneAbout(sofia, otherQuestion).waitFor();
    await sofia.keyboard.press('Alt+Digit1');
    await expect.poll(() => first.getByRole('textbox').last().inputValue()).toBe(secret);
    // The draft comes back as what it was, an internal note: Enter must not send it to the patron.
    const noteBox = first.getByRole('checkbox', { name: 'Internal note' });
    expect(await noteBox.isChecked(), 'the restored draft is still an internal note').toBe(true);
    await first.getByRole('textbox').last().press('Enter');
    await first.getByRole('log').getByText(secret).waitFor();
    await noteBox.setChecked(false);
    await sendFromConsole(first, 'Anything else I can help with?');
    await log.getByText('Anything else I can help with?').waitFor();
    const patronSaw = await shownText(log);
    await endChat(sofia, { ...patron, widget, log });
    await sofia.getByRole('button', { name: 'Close chat' }).click();
    await sofia.keyboard.press('Alt+Digit1');
    await endChat(sofia, other);
    expect(patronSaw, 'the patron never sees an internal note').not.toContain(secret);
  });

  test('canned responses: added on their screen, inserted with /shortcut, sent and shown as text', async () => {
    const grace = await staffAtConsole(STAFF.grace, [ASK]);
    await grace.getByRole('link', { name: 'Canned responses' }).click();
    const form = grace.getByRole('form', { name: 'New canned response' });
    await form.getByLabel('Shortcut').fill('card-renew');
    await form.getByLabel('Title').fill('Renewing a card <b>online</b>');
    await form.getByLabel('Text').fill(CANNED_BODY);
    await form.getByRole('button', { name: 'Add canned response' }).click();
    await expectShown(grace.getByRole('table'), ['/card-renew', 'Renewing a card <b>online</b>']);

    // Back in the console (the same tab, as a librarian would go), the new response is offered.
    await grace.getByRole('link', { name: 'Back to the chat console' }).click();
    const question = 'Canned one: my card expired, what now?';
    const patron = await patronAsks(question);
    const pane = await acceptChatAbout(grace, question);
    const composer = pane.getByRole('textbox').last();
    await composer.fill('/card');
    const suggestions = grace.getByRole('listbox', { name: 'Canned responses' });
    await expectShown(suggestions, ['/card-renew', 'Renewing a card <b>online</b>']);
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe(CANNED_BODY);
    await composer.press('Enter');
    await patron.log.getByText('To renew <b>your card</b>', { exact: false }).waitFor();
    await expectShown(patron.log, [CANNED_BODY]);
    await expectShown(pane.getByRole('log'), [CANNED_BODY]);
    expect(await patron.log.locator('b, img').count()).toBe(0);
    expect(await pane.getByRole('log').locator('b, img').count()).toBe(0);
    await expectNothingRan(grace, patron.page);
    await endChat(grace, patron);
  });

  test('transfer to a desk with a note, then to a colleague: the patron is told, nothing said meanwhile is lost', async () => {
    const grace = await staffAtConsole(STAFF.grace, [ASK]);
    const tom = await staffAtConsole(STAFF.tom, [TECH]);
    const jamal = await staffAtConsole(STAFF.jamal, [ASK]);
    const question = 'Transfer one: my e-reader will not download a library book';
    const patron = await patronAsks(question);
    const jamalPane = await acceptChatAbout(jamal, question);
    await sendFromConsole(jamalPane, 'Our Tech Help desk can sort that out. One moment.');
    await patron.log.getByText('Our Tech Help desk can sort that out.').waitFor();
    const transferredId = await chatIdOf(jamalPane);

    // To Tech Help with a note; the patron writes just before and while it happens.
    const deskNote = 'Kobo Clara, Libby app; already tried signing out and in.';
    await jamal.getByRole('radio', { name: 'A desk (back to its queue)' }).check();
    // Each desk says who its queue would ring now: Tom, on Tech Help.
    const deskChoice = jamal.getByRole('combobox', { name: 'Desk' });
    const techOption = deskChoice.locator('option', { hasText: TECH });
    expect(await techOption.textContent()).toBe(`${TECH} — 1 available`);
    await deskChoice.selectOption((await techOption.getAttribute('value')) ?? '');
    await jamal.getByLabel('Note for them').fill(deskNote);
    await sendFromWidget(patron.widget, 'Before: it says the loan limit is reached.');
    await jamal.getByRole('button', { name: 'Transfer chat' }).click();
    await sendFromWidget(patron.widget, 'During: I only have two loans though.');
    await patron.log.getByText(`Your chat was passed to ${TECH}.`).waitFor();
    // The chat has left Jamal's console (which may still hold his earlier chats, ended and not closed).
    const listed = jamal.getByRole('region', { name: /My chats/ }).locator(`a[href*="c=${transferredId}"]`);
    await expect.poll(() => listed.count()).toBe(0);
    await expect.poll(() => jamal.getByRole('region', { name: /^Chat (\d )?with / }).count()).toBe(0);

    // Tom, on Tech Help, is offered it and sees everything, the note among it.
    const tomPane = await acceptChatAbout(tom, question);
    await expectShown(tomPane.getByRole('log'), [
      'Our Tech Help desk can sort that out.',
      'Before: it says the loan limit is reached.',
      'During: I only have two loans though.',
      deskNote,
      `Jamal transferred the chat to ${TECH}`,
    ]);
    await expectShown(tomPane.getByRole('log').locator('.entry--note').filter({ hasText: deskNote }), [NOTE_LABEL]);
    await sendFromWidget(patron.widget, 'After: hello Tech Help!');
    await tomPane.getByText('After: hello Tech Help!').waitFor();

    // Then to Grace, by name, with another note; the patron writes as it happens.
    const colleagueNote = 'Loans look fine on our side; may need a hold placed too.';
    await tom.getByRole('radio', { name: 'A colleague' }).check();
    const colleague = tom.getByRole('combobox', { name: 'Colleague' });
    const graceOption = colleague.locator('option', { hasText: 'Grace' });
    await expect.poll(() => graceOption.count(), { timeout: 15_000 }).toBe(1);
    await colleague.selectOption((await graceOption.getAttribute('value')) ?? '');
    await tom.getByLabel('Note for them').fill(colleagueNote);
    await tom.getByRole('button', { name: 'Transfer chat' }).click();
    await sendFromWidget(patron.widget, 'Still there? The app now shows an error 403.');
    await patron.log.getByText('Your chat was passed to Grace.').waitFor();
    // Grace is told, out loud to a screen reader, with the chime that new chats get.
    await grace
      .getByRole('status')
      .filter({ hasText: /Tom passed you the chat with / })
      .waitFor();

    // Her earlier chats, ended and not closed, are listed too: she opens this one.
    await grace
      .getByRole('region', { name: /My chats/ })
      .locator(`a[href*="c=${transferredId}"]`)
      .click();
    const gracePane = chatPaneAbout(grace, question);
    await expectShown(gracePane.getByRole('log'), [
      question,
      'Before: it says the loan limit is reached.',
      'During: I only have two loans though.',
      'After: hello Tech Help!',
      'Still there? The app now shows an error 403.',
      deskNote,
      colleagueNote,
      'Tom transferred the chat to Grace',
    ]);
    await sendFromConsole(gracePane, 'Hi, Grace here. Let us try re-registering the app.');
    await patron.log.getByText('Hi, Grace here.', { exact: false }).waitFor();

    // The patron saw each hand-over politely, and none of the notes.
    const patronSaw = await shownText(patron.log);
    expect(patronSaw).not.toContain(deskNote);
    expect(patronSaw).not.toContain(colleagueNote);
    for (const said of ['Before:', 'During:', 'After:', 'Still there?']) {
      expect(await patron.log.getByText(said).count(), said).toBe(1);
    }
    await endChat(grace, patron);
  });

  test('away from the console, a patron’s new message shows in the title and on the Chat link until it is read', async () => {
    const jamal = await staffAtConsole(STAFF.jamal, [ASK]);
    const question = 'Unread: can I renew a book that is on hold for someone else?';
    const patron = await patronAsks(question);
    const id = await chatIdOf(await acceptChatAbout(jamal, question));
    const chatLink = mainNav(jamal).getByRole('link', { name: /^Chat/ });
    expect(await chatLink.textContent()).toBe('Chat');

    // Jamal looks something up in the inbox; the patron writes meanwhile.
    await mainNav(jamal).getByRole('link', { name: 'Inbox' }).click();
    await sendFromWidget(patron.widget, 'Also: is the branch open late on Thursday?');
    await expect.poll(() => chatLink.textContent(), { timeout: 15_000 }).toBe('Chat1 unread message');
    await expect.poll(() => jamal.title()).toMatch(/^\(1\) /);

    // Back on the chat, it is read: the count goes, from the link and the title.
    await chatLink.click();
    await jamal
      .getByRole('region', { name: /My chats/ })
      .locator(`a[href*="c=${id}"]`)
      .click();
    await expect.poll(() => chatLink.textContent(), { timeout: 15_000 }).toBe('Chat');
    await expect.poll(() => jamal.title()).not.toMatch(/^\(\d+\) /);
    await endChat(jamal, patron);
  });

  test('the colleagues to transfer to are listed live: one who comes online appears, one who goes offline leaves', async () => {
    const grace = await staffAtConsole(STAFF.grace, [ASK]);
    const question = 'Live list: who can help me with an interlibrary loan?';
    const patron = await patronAsks(question);
    await acceptChatAbout(grace, question);
    await grace.getByRole('radio', { name: 'A colleague' }).check();
    const danaOption = grace.getByRole('combobox', { name: 'Colleague' }).locator('option', { hasText: 'Dana' });
    expect(await danaOption.count()).toBe(0);
    const dana = await staffAtConsole(STAFF.dana, [ASK]);
    // Well within the list's own 20-second refresh: the console hears of her at once.
    await expect.poll(() => danaOption.count(), { timeout: 8_000 }).toBe(1);
    await dana.getByLabel('Status').selectOption('offline');
    await expect.poll(() => danaOption.count(), { timeout: 8_000 }).toBe(0);
    await endChat(grace, patron);
  });

  test('wrap-up: tags and READ scale are saved, and still there after a reload', async () => {
    const tom = await staffAtConsole(STAFF.tom, [ASK]);
    const question = 'Wrap-up one: can I get a large-print copy of Demon Copperhead?';
    const patron = await patronAsks(question);
    const pane = await acceptChatAbout(tom, question);
    const id = await chatIdOf(pane);
    await sendFromConsole(pane, 'Yes, I placed a hold on the large-print edition for you.');
    await patron.log.getByText('I placed a hold').waitFor();
    await endChat(tom, patron);

    await tom.getByLabel('Tags').fill('Holds, large print, holds');
    await tom.getByRole('radio', { name: '3 — Some searching' }).check();
    await tom.getByRole('button', { name: 'Save wrap-up' }).click();
    await tom.getByText('Wrap-up saved.').waitFor();
    const about = tom.getByRole('region', { name: 'About the patron' });
    await expectShown(about, ['holds, large print', '3 — Some searching']);

    const saved = (await api('GET', `/api/conversations/${id}`)) as { tags: string[]; readScale: number | null };
    expect(saved.tags).toEqual(['holds', 'large print']);
    expect(saved.readScale).toBe(3);

    // The read-only page of the conversation shows them.
    await tom.goto(`/staff/inbox/${id}`);
    await waitForLoaded(tom);
    await expectShown(tom.locator('main'), ['holds, large print', '3 — Some searching']);

    // Back in the console after a reload, the ended chat (not yet closed) is still Tom's to wrap up.
    await tom.goto(`/staff/chat?c=${id}`);
    // Until "Close chat" is pressed it stays in My chats, so the wrap-up can be finished.
    const wrapUp = tom.getByRole('form', { name: 'Wrap-up' });
    await expect
      .poll(() => wrapUp.count(), { timeout: 10_000, message: 'the wrap-up form is there after a reload' })
      .toBe(1);
    expect(await tom.getByLabel('Tags').inputValue()).toBe('holds, large print');
    expect(await tom.getByRole('radio', { name: '3 — Some searching' }).isChecked()).toBe(true);
  });

  test('block: a time-limited block ends the chat, keeps that browser out and is audited', async () => {
    const jamal = await staffAtConsole(STAFF.jamal, [ASK]);
    const question = 'Block one: answer me now or I will come down there';
    const patron = await patronAsks(question);
    const pane = await acceptChatAbout(jamal, question);
    const id = await chatIdOf(pane);
    await jamal.getByText('None known: the patron has not given an email address.').waitFor();

    await jamal.getByText('Block this patron', { exact: true }).click();
    await jamal.getByLabel('Block for').selectOption({ label: '1 day' });
    await jamal.getByLabel('Reason').fill('Threats to staff');
    await jamal.getByRole('button', { name: 'Block patron…' }).click();
    await jamal.getByText('Block this patron’s browser for 1 day and end the chat?').waitFor();
    await jamal.getByRole('button', { name: 'Yes, block' }).click();
    await pane.getByText(/Jamal blocked this patron’s browser for 1 day, until /).waitFor();
    await patron.widget.locator('#bl-ended').waitFor();

    // The same browser, a new tab: a new chat is refused.
    const again = await newWatchedPage(patron.context);
    await again.goto('/events');
    const widget = await openWidget(again);
    const countChats = async () =>
      ((await api('GET', '/api/conversations?limit=200')) as { items: unknown[] }).items.length;
    const before = await countChats();
    await sendFromWidget(widget, 'Let me back in');
    await widget.getByText('This chat is not available right now. You can call or email the library.').waitFor();
    expect(await countChats()).toBe(before);

    // The block and who made it are in the audit log, with its length; the block ends in a day.
    const db = new Database(path.join(server.dataDir, 'branchline.db'), { readonly: true, fileMustExist: true });
    try {
      const audits = db
        .prepare(
          "SELECT actor_staff_id, details_json FROM audit_log WHERE action = 'patron.blocked' AND subject_id = ?",
        )
        .all(id) as Array<{ actor_staff_id: string; details_json: string }>;
      expect(audits).toHaveLength(1);
      expect(audits[0]?.actor_staff_id).toBe(staffIds.get(STAFF.jamal));
      expect(JSON.parse(audits[0]?.details_json ?? '{}')).toEqual({ minutes: 1440, scope: 'browser' });
      const blocks = db
        .prepare('SELECT created_at, until, reason, scope FROM patron_blocks WHERE created_by = ?')
        .all(staffIds.get(STAFF.jamal)) as Array<{ created_at: string; until: string; reason: string; scope: string }>;
      expect(blocks).toHaveLength(1);
      const [block] = blocks;
      expect(block?.reason).toBe('Threats to staff');
      expect(Date.parse(block?.until ?? '') - Date.parse(block?.created_at ?? '')).toBe(24 * 3600_000);
    } finally {
      db.close();
    }
  });

  test('patron history: a returning patron’s earlier chats are listed once they give the same email; an anonymous patron’s are not', async () => {
    const grace = await staffAtConsole(STAFF.grace, [ASK]);
    const email = 'robin.park@example.org';

    // First visit: Robin gives a name and email during the chat.
    const firstQuestion = 'History one: do you have the 1970 city directory?';
    const first = await patronAsks(firstQuestion);
    const firstPane = await acceptChatAbout(grace, firstQuestion);
    const firstId = await chatIdOf(firstPane);
    await identify(first.widget, 'Robin Park', email);
    const history = grace.getByRole('region', { name: 'Earlier conversations' });
    await expectShown(grace.getByRole('region', { name: 'About the patron' }), ['Robin Park', email]);
    await history.getByText('None.', { exact: true }).waitFor();
    await endChat(grace, first);
    await grace.getByRole('button', { name: 'Close chat' }).click();

    // Robin comes back from another computer, anonymous at first: nothing of theirs is shown.
    const secondQuestion = 'History two: following up on the city directory';
    const second = await patronAsks(secondQuestion);
    await acceptChatAbout(grace, secondQuestion);
    await history.getByText('None known: the patron has not given an email address.').waitFor();
    expect(await history.getByRole('link').count()).toBe(0);

    // Once they give the same address (typed differently), the earlier chat is listed, and opens.
    await identify(second.widget, '', ' Robin.Park@Example.org ');
    await expect.poll(() => history.getByRole('link').count(), { timeout: 15_000 }).toBe(1);
    await expectShown(history, [ASK, 'Resolved']);
    await history.getByRole('link').first().click();
    await waitForLoaded(grace);
    expect(new URL(grace.url()).pathname).toBe(`/staff/inbox/${firstId}`);
    await expectShown(grace.locator('main'), [firstQuestion, `Robin Park, ${email}`]);
    await grace.goBack();
    const secondPane = chatPaneAbout(grace, secondQuestion);
    await secondPane.waitFor();
    await endChat(grace, second);
    await grace.getByRole('button', { name: 'Close chat' }).click();

    // Someone else in Robin's first browser, who says nothing of who they are: no history shown.
    await first.widget.locator('#bl-new-chat').click();
    const thirdQuestion = 'History three: is the café open?';
    await sendFromWidget(first.widget, thirdQuestion);
    await acceptChatAbout(grace, thirdQuestion);
    await history.getByText('None known: the patron has not given an email address.').waitFor();
    expect(await history.getByRole('link').count()).toBe(0);
    await endChat(grace, first);
  });
});
