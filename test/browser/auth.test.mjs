// Sign up, log out, log in: the first minutes of a new agency.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { callApi, launchBrowser, newPage, screenshot, signUpViaApi, signupLinkPath, startApp, uniqueEmail, waitUntil } from './helpers.mjs';

let app;
let browser;

before(async () => {
  app = await startApp();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('a new agency signs up, sees an empty contacts list, logs out and back in', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('agency');
  const password = 'a-long-enough-password';

  // Signed-out visitors are sent to the login page, keeping where they wanted to go.
  await page.goto(`${app.url}/contacts`);
  await page.waitForURL(/\/login\?next=%2Fcontacts/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create your account' }).waitFor();

  await page.getByLabel('Your name').fill('Morgan Rivera');
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill('too-short');
  await page.getByLabel('Business name').fill('Rivera Growth Co');
  await page.getByLabel("I'm an agency").check();
  await page.getByRole('button', { name: 'Create account' }).click();
  // A short password is caught next to the field before anything is sent.
  await page.getByText('Use at least 10 characters.').waitFor();
  assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'signup-validation');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  // The account is made when the emailed link is opened.
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  await screenshot(page, 'signup-check-email');
  await page.goto(`${app.url}${await signupLinkPath(app.url, email)}`);

  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
  await page.getByText('No contacts yet').waitFor();
  const switcher = page.getByRole('button', { name: /Switch account/ });
  assert.match(await switcher.innerText(), /Rivera Growth Co/);
  assert.match(await switcher.innerText(), /Agency/);
  assert.match(await page.getByRole('complementary', { name: 'Main' }).innerText(), /Morgan Rivera/);
  await screenshot(page, 'signup-empty-contacts');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Welcome back' }).waitFor();

  // A wrong password shows the API's problem detail.
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.ok((await alert.innerText()).trim().length > 0, 'login error has text');
  await screenshot(page, 'login-error');

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();

  // The session survives a reload.
  await page.reload();
  await page.getByText('No contacts yet').waitFor();
  assert.deepEqual(page.pageErrors, []);
});

test('signing up with a registered email answers as for a new one, and emails the owner instead', async () => {
  const existing = await signUpViaApi(app.url);
  const page = await newPage(browser);
  await page.goto(`${app.url}/signup`);
  await page.getByLabel('Your name').fill('Second Person');
  await page.getByLabel('Work email').fill(existing.email);
  await page.getByLabel('Password').fill('another-long-password');
  await page.getByRole('button', { name: 'Create account' }).click();

  // The page cannot tell (and so does not say) that the email is taken.
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  assert.equal(await page.getByLabel('Work email').count(), 0);
  await screenshot(page, 'signup-duplicate-email');
  const mailbox = `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(existing.email)}`;
  const [notice] = await waitUntil(
    async () => {
      const { data } = await callApi(app.url, 're_sandbox', 'GET', mailbox);
      const found = data.filter((m) => m.tags.some((t) => t.value === 'signup_existing'));
      return found.length > 0 && found;
    },
    { message: 'the already-registered email' },
  );
  assert.equal(notice.subject, 'You already have a CRM account');
});

test('an expired access token is refreshed once; a dead session goes to the login page', async () => {
  const user = await signUpViaApi(app.url, { name: 'Refresh Person' });

  // A bad access token with a good refresh token: the app refreshes silently.
  const page = await newPage(browser, { session: { token: 'expired.access.token', refresh_token: user.refresh_token } });
  await page.goto(`${app.url}/contacts`);
  await page.getByText('No contacts yet').waitFor();
  assert.match(await page.getByRole('complementary', { name: 'Main' }).innerText(), /Refresh Person/);
  const stored = await page.evaluate(() => localStorage.getItem('crm.token'));
  assert.notEqual(stored, 'expired.access.token');

  // Both tokens dead: back to the login page, remembering where the user was.
  const dead = await newPage(browser, { session: { token: 'expired.access.token', refresh_token: 'revoked-refresh-token' } });
  await dead.goto(`${app.url}/pipelines`);
  await dead.waitForURL(/\/login\?next=%2Fpipelines/);
  await dead.getByRole('heading', { name: 'Welcome back' }).waitFor();
  assert.equal(await dead.evaluate(() => localStorage.getItem('crm.token')), null);
});

test('a forgotten password: ask for a link, open it from the email, choose a new one and sign in; the link works once', async () => {
  const user = await signUpViaApi(app.url, { name: 'Forgetful Person' });
  const page = await newPage(browser);
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  // The address typed on the sign-in page comes along.
  assert.equal(await page.getByLabel('Email').inputValue(), user.email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.getByRole('heading', { name: 'Check your email' }).waitFor();
  assert.match(await page.locator('.auth-card').innerText(), /works once, for the next hour/);
  await screenshot(page, 'password-reset-sent');

  const mailbox = `/sandbox/resend/_emulator/emails?to=${encodeURIComponent(user.email)}`;
  const [mail] = await waitUntil(
    async () => {
      const { data } = await callApi(app.url, 're_sandbox', 'GET', mailbox);
      return data.length > 0 && data;
    },
    { message: 'the reset email' },
  );
  assert.equal(mail.subject, 'Reset your CRM password');
  const link = /(\/reset-password#token=[\w-]+)/.exec(mail.text)[1];

  await page.goto(`${app.url}${link}`);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('Password', { exact: true }).fill('my-new-password-2026');
  await page.getByLabel('Password again').fill('my-new-password-2027');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByText('The two passwords are not the same.').waitFor();
  await screenshot(page, 'password-reset-form');
  await page.getByLabel('Password again').fill('my-new-password-2026');
  await page.getByRole('button', { name: 'Set new password' }).click();

  // Back on the sign-in page, told what happened, with the email filled in.
  await page.waitForURL(/\/login\?password=changed/);
  await page.getByText('Your password is changed. Sign in with the new one.').waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), user.email);
  await screenshot(page, 'password-reset-done');
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  await page.getByLabel('Password').fill('my-new-password-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();

  // The same link again, even while signed in, is refused and offers a new one.
  await page.goto(`${app.url}${link}`);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('Password', { exact: true }).fill('another-password-2026');
  await page.getByLabel('Password again').fill('another-password-2026');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
  assert.match(await page.getByRole('alert').innerText(), /already used/);
  await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  await screenshot(page, 'password-reset-used-link');
  assert.deepEqual(page.pageErrors, []);
});
