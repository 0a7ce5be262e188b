import fs from 'node:fs/promises';
import { expect, test } from 'vitest';
import { expectNoSeriousViolations } from './support/axe.ts';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { expectNothingRan, watch } from './support/page-checks.ts';
import { useServer } from './support/server.ts';
import { adminApi, DEMO_STAFF, mainNav, signIn, type AdminApi } from './support/staff.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1"> Teen Desk';

describeInBrowser('oversight: the audit log and blocked patrons', () => {
  // One browser address starts every chat here, more than the default 10 a minute.
  const server = useServer({ CHAT_STARTS_PER_MINUTE: '200' });
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));

  const deskCalled = async (api: AdminApi, name: string) => {
    const { items } = (await api('GET', '/api/libraries')) as { items: { id: string }[] };
    const libraryId = items[0]?.id ?? '';
    const desks = (await api('GET', `/api/libraries/${libraryId}/desks`)) as { items: { id: string; name: string }[] };
    return { libraryId, desk: desks.items.find((d) => d.name === name) };
  };

  test('a supervisor finds who changed a desk and who read a transcript, page by page, by keyboard', async () => {
    const api = await adminApi(server.baseUrl);
    const { libraryId, desk } = await deskCalled(api, 'Tech Help');
    // More entries than one page holds, the last of them a change of the ring timeout.
    for (let i = 0; i < 50; i++) await api('PATCH', `/api/desks/${desk?.id}`, { waitThresholdSeconds: 60 + i });
    await api('PATCH', `/api/desks/${desk?.id}`, { ringTimeoutSeconds: 40 });
    await api('POST', `/api/libraries/${libraryId}/desks`, { name: HOSTILE, slug: 'teen' });
    const started = await fetch(`${server.baseUrl}/api/chat/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ desk: 'ask', clientId: `audit-${Date.now()}`, message: 'Do you have large-print books?' }),
    });
    expect(started.status).toBe(201);

    const page = watch(session.page);
    await signIn(page, DEMO_STAFF.supervisor);
    await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).click();
    const sections = page.getByRole('navigation', { name: 'Admin sections' });
    await sections.getByRole('link', { name: 'Audit log' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const table = page.getByRole('table', { name: 'Audit log entries, newest first' });
    const rows = table.getByRole('row');

    // The newest first: the supervisor's own sign-in, then the desk with markup in its name,
    // shown as the text it is.
    const newest = rows.nth(1);
    await newest.waitFor();
    expect(await newest.getByRole('rowheader').innerText()).toMatch(/\d{4}, \d{1,2}:\d{2}/);
    expect(await newest.getByRole('cell').allInnerTexts()).toEqual(['Marcus', 'Signed in', 'Marcus', '—']);
    expect(await rows.nth(2).getByRole('cell').allInnerTexts()).toEqual(['Dana', 'Added a desk', HOSTILE, '—']);
    expect(await rows.nth(3).getByRole('cell').allInnerTexts()).toEqual([
      'Dana',
      'Changed a desk',
      'Tech Help',
      'Changed: ring timeout seconds',
    ]);
    await expectNothingRan(page);
    await expectNoSeriousViolations(page, 'the audit log');

    // One page of 50, then the older ones on request.
    expect(await rows.count()).toBe(51);
    await page.getByRole('status').filter({ hasText: '50 entries, newest first. Older entries follow.' }).waitFor();
    await page.getByRole('button', { name: 'Show older entries' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /^\d+ entries$/ })
      .waitFor();
    expect(await rows.count()).toBeGreaterThan(51);

    // Narrowed to one kind of action, kept in the address.
    await page.getByLabel('What happened').selectOption({ label: 'Changed a desk' });
    await page.getByRole('status').filter({ hasText: '50 entries, newest first. Older entries follow.' }).waitFor();
    expect(new URL(page.url()).searchParams.get('action')).toBe('desk.updated');
    await page.reload();
    expect(await page.getByLabel('What happened').inputValue()).toBe('desk.updated');
    expect(await rows.nth(1).getByRole('cell').nth(1).innerText()).toBe('Changed a desk');

    // The same entries, every one of them, as a CSV download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download these entries as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^branchline-audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await fs.readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('at_utc,actor_kind,actor_id,actor_name,action,subject_type,subject_id,subject_name,details');
    expect(lines.slice(1)).toHaveLength(51);
    expect(lines.slice(1).every((line) => line.includes(',Dana,desk.updated,desk,'))).toBe(true);

    // A transcript read from the inbox is in the log, and the conversation links to its entries.
    await mainNav(page).getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('table', { name: 'Conversations' }).getByRole('link').first().click();
    await page.getByRole('link', { name: 'See who has opened this one or acted on it' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByText('Showing the entries about one record.').waitFor();
    await page.getByRole('status').filter({ hasText: '1 entry' }).waitFor();
    expect(await rows.nth(1).getByRole('cell').allInnerTexts()).toEqual([
      'Marcus',
      'Read a transcript',
      'Chat at Ask a Librarian',
      '—',
    ]);

    // A start after the end is said next to the field, and nothing is asked of the server.
    await page.getByRole('link', { name: 'Show every entry' }).click();
    await page.getByLabel('From').fill('2026-12-05');
    await page.getByLabel('To').fill('2026-12-01');
    await page.getByText('Choose a day on or after the start').waitFor();
    expect(await table.count()).toBe(0);
  });

  test('a supervisor reviews a block made in a chat and lifts it, and the patron can chat again', async () => {
    const api = await adminApi(server.baseUrl);
    const patron = { 'content-type': 'application/json' };
    let starts = 0;
    const startChat = () =>
      fetch(`${server.baseUrl}/api/chat/conversations`, {
        method: 'POST',
        headers: patron,
        body: JSON.stringify({ desk: 'ask', clientId: `lift-${Date.now()}-${(starts += 1)}`, message: 'Hello?' }),
      });
    const started = await startChat();
    expect(started.status).toBe(201);
    const { conversation } = (await started.json()) as { conversation: { id: string } };
    const reason = '<b onmouseover="window.__pwned=1">Threats</b> in chat';
    await api('POST', `/api/conversations/${conversation.id}/block`, { minutes: 120, reason, scope: 'network' });
    expect((await startChat()).status).toBe(403);

    const page = watch(session.page);
    await signIn(page, DEMO_STAFF.supervisor);
    await page.goto('/staff/admin/blocks');
    const table = page.getByRole('table', { name: 'Blocks in force (1)' });
    const row = table.getByRole('row').nth(1);
    await row.waitFor();
    expect(await row.getByRole('cell').allInnerTexts()).toEqual([
      expect.stringMatching(/\d/),
      'Everyone at the address',
      reason,
      'Dana',
      expect.stringContaining('Lift block'),
    ]);
    await expectNothingRan(page);
    await expectNoSeriousViolations(page, 'blocked patrons');

    await row.getByRole('button', { name: /^Lift block/ }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Lift this block?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Lift block' }).click();
    await page.getByRole('status').filter({ hasText: 'Block lifted. The patron can chat again.' }).waitFor();
    await page.getByText('Nobody is blocked.').waitFor();
    expect((await startChat()).status).toBe(201);

    await page.goto('/staff/admin/audit?action=patron.unblocked');
    const entry = page.getByRole('table', { name: 'Audit log entries, newest first' }).getByRole('row').nth(1);
    await entry.waitFor();
    expect(await entry.getByRole('cell').allInnerTexts()).toEqual([
      'Marcus',
      'Lifted a block',
      'Chat at Ask a Librarian',
      'By network address',
    ]);
  });

  test('the inbox finds a patron’s chats by name or email and reads older pages on request', async () => {
    let n = 0;
    const start = async (name: string, email?: string) => {
      const response = await fetch(`${server.baseUrl}/api/chat/conversations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          desk: 'ask',
          clientId: `inbox-${Date.now()}-${(n += 1)}`,
          message: `Question ${n}`,
          name,
          ...(email ? { email } : {}),
        }),
      });
      expect(response.status).toBe(201);
    };
    for (let i = 0; i < 52; i++) await start('Pat Doe');
    await start('Ann O’Hara', 'ann.ohara@example.org');
    await start('Annie Ruiz');

    const page = session.page;
    await signIn(page, DEMO_STAFF.librarian);
    await mainNav(page).getByRole('link', { name: 'Inbox' }).click();
    const status = page.getByRole('status').filter({ hasText: /conversations?/ });
    await status.filter({ hasText: '50 conversations, newest first. Older conversations follow.' }).waitFor();
    await page.getByRole('button', { name: 'Show older conversations' }).click();
    await status.filter({ hasText: /^\d+ conversations$/ }).waitFor();
    const table = page.getByRole('table', { name: 'Conversations' });
    expect(await table.getByRole('row').count()).toBeGreaterThan(54);
    await expectNoSeriousViolations(page, 'the inbox');

    // By keyboard: type part of an address, Enter.
    await page.getByLabel('Patron').focus();
    await page.keyboard.type('ANN.O');
    await page.keyboard.press('Enter');
    await status.filter({ hasText: /^1 conversation$/ }).waitFor();
    expect(await table.getByRole('rowheader').allInnerTexts()).toEqual(['Ann O’Hara']);
    expect(new URL(page.url()).searchParams.get('patron')).toBe('ANN.O');

    // Part of a name finds both Anns, and nobody else.
    await page.getByLabel('Patron').fill('ann');
    await page.getByRole('button', { name: 'Find' }).click();
    await status.filter({ hasText: /^2 conversations$/ }).waitFor();
    expect((await table.getByRole('rowheader').allInnerTexts()).sort()).toEqual(['Ann O’Hara', 'Annie Ruiz']);
  });

  test('a librarian has no audit log to open', async () => {
    const { page } = session;
    await signIn(page, DEMO_STAFF.librarian);
    expect(await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await page.goto('/staff/admin/audit');
    await page.getByText('Your role does not allow you to see or change this.').waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
  });
});
