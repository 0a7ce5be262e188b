import { expect, test } from 'vitest';
import { describeInBrowser, useBrowser } from './support/browser.ts';
import { useServer } from './support/server.ts';
import { DEMO_PASSWORD, DEMO_STAFF, loginForm, mainNav, signIn } from './support/staff.ts';

describeInBrowser('staff dashboard: sign in, manage branches, sign out', () => {
  const server = useServer();
  const session = useBrowser(() => ({ baseURL: server.baseUrl }));

  test('an admin creates a branch with Monday hours, finds it kept, and signs out for good', async () => {
    const { page, context } = session;
    await page.goto('/staff/login');
    const form = loginForm(page);
    await form.email.fill(DEMO_STAFF.admin);
    await form.password.fill(DEMO_PASSWORD);
    await form.submit.click();

    const welcome = page.getByRole('heading', { level: 1, name: /^Welcome, / });
    await welcome.waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/staff\/?$/);

    await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Branches' }).click();
    await page.getByRole('heading', { level: 1, name: 'Branches' }).waitFor();
    await page.getByRole('link', { name: 'New branch' }).click();
    await page.getByRole('heading', { level: 1, name: 'New branch' }).waitFor();

    // Fields are looked up inside the form: the header has controls of its own (presence, desks).
    const newForm = page.getByRole('form', { name: 'Branch' });
    await newForm.getByLabel('Name', { exact: true }).fill('Riverside Annex');
    await newForm.getByLabel('Address').fill('12 Water Street\nPittsburgh, PA 15222');
    await newForm.getByLabel('Phone').fill('412-555-0142');
    await newForm.getByRole('button', { name: 'Add hours on Monday' }).click();
    await newForm.getByLabel('Opens (Monday)').fill('10:00');
    await newForm.getByLabel('Closes (Monday)').fill('18:30');
    await newForm.getByRole('button', { name: 'Create branch' }).click();

    await page.getByRole('heading', { level: 1, name: 'Branches' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Branch saved' }).waitFor();
    const table = page.getByRole('table', { name: 'Branches' });
    const row = table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'Riverside Annex', exact: true }) });
    expect(await row.getByRole('cell').allInnerTexts()).toEqual([
      '12 Water Street\nPittsburgh, PA 15222',
      '412-555-0142',
      'Yes',
    ]);

    await row.getByRole('link', { name: 'Riverside Annex', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit branch: Riverside Annex' }).waitFor();
    const editForm = page.getByRole('form', { name: 'Branch' });
    expect(await editForm.getByLabel('Opens (Monday)').inputValue()).toBe('10:00');
    expect(await editForm.getByLabel('Closes (Monday)').inputValue()).toBe('18:30');
    expect(await editForm.getByLabel('Phone').inputValue()).toBe('412-555-0142');
    // Only Monday was given hours: Tuesday is still closed.
    expect(await editForm.getByLabel('Opens (Tuesday)').count()).toBe(0);

    const cookiesWhileSignedIn = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Branchline' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/staff/login');

    // Put the old session cookie back: the server must have ended the session, not just the browser.
    await context.addCookies(cookiesWhileSignedIn);
    await page.goto('/staff');
    await page.getByRole('heading', { level: 1, name: 'Sign in to Branchline' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/staff/login');
    expect(await mainNav(page).count()).toBe(0);
  });

  test('a wrong password is refused with a message in words', async () => {
    const { page } = session;
    await page.goto('/staff/login');
    const form = loginForm(page);
    await form.email.fill(DEMO_STAFF.admin);
    await form.password.fill('not-the-password');
    await form.submit.click();

    const alert = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Email or password is incorrect.');
    expect(new URL(page.url()).pathname).toBe('/staff/login');
    expect(await mainNav(page).count()).toBe(0);
  });

  test('an admin sees the Admin link; a partner does not, and is told Admin is not for them', async () => {
    const { page, context } = session;
    await signIn(page, DEMO_STAFF.admin);
    expect(await mainNav(page).getByRole('link', { name: 'Admin', exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Branchline' }).waitFor();
    await context.clearCookies();

    await signIn(page, DEMO_STAFF.partner);
    const nav = mainNav(page);
    // The navigation has rendered (Account is always there) and left Admin out.
    await nav.getByRole('link', { name: 'Account' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);

    await page.goto('/staff/admin');
    await page.getByRole('heading', { level: 1, name: 'Admin' }).waitFor();
    expect(await page.getByRole('main').innerText()).toContain('Your role does not include any administration.');
    expect(await page.getByRole('navigation', { name: 'Admin sections' }).count()).toBe(0);
  });

  test('an admin sets how long chat transcripts are kept; a value out of range is refused beside the field', async () => {
    const page = await (await session.newContext()).newPage();
    await signIn(page, DEMO_STAFF.admin);
    await page.goto('/staff/admin/library');
    const form = page.getByRole('form', { name: 'Library settings' });
    const days = form.getByLabel('Keep chat transcripts for (days)');
    expect(await days.inputValue()).toBe('90');

    await days.fill('3');
    await form.getByRole('button', { name: 'Save library' }).click();
    await form.getByText('At least 7 days').first().waitFor();
    expect(await days.getAttribute('aria-invalid')).toBe('true');

    await days.fill('30');
    await form.getByRole('button', { name: 'Save library' }).click();
    await page.getByText('Library saved').waitFor();
    await page.reload();
    expect(
      await page
        .getByRole('form', { name: 'Library settings' })
        .getByLabel(/^Keep chat transcripts/)
        .inputValue(),
    ).toBe('30');
    await page
      .getByRole('form', { name: 'Library settings' })
      .getByLabel(/^Keep chat transcripts/)
      .fill('90');
    await page.getByRole('form', { name: 'Library settings' }).getByRole('button', { name: 'Save library' }).click();
    await page.getByText('Library saved').waitFor();
  });
});
