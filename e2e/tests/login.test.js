// The login form: usable with the keyboard alone, with a visible focus; a wrong password
// answers 401 with the form again; pages without a session lead to it; logout ends the
// session.
'use strict';

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');

const { startServer } = require('../server.js');
const { launch, newContext, close, loginForm, checkView, text } = require('../browser.js');

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Presses Tab until the element named `name` has the focus; fails after 15 presses. */
async function tabTo(page, name) {
  for (let i = 0; i < 15; i += 1) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.getAttribute('name'))) === name) return;
  }
  assert.fail(`Tab never reached the input \`${name}\``);
}

/** Whether the focused element is drawn differently from when it is not focused. */
async function focusIsVisible(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    return outline || shadow;
  });
}

test('the login form works with the keyboard alone', { timeout: 60_000 }, async () => {
  const context = await newContext(browser, server);
  const page = await context.newPage();
  const response = await page.goto('/login');
  assert.equal(response.status(), 200);
  await checkView(page, 'login');

  await tabTo(page, 'username');
  assert.ok(await focusIsVisible(page), 'the focused username input shows its focus');
  await page.keyboard.type(server.accounts.kyiv.username);
  await tabTo(page, 'password');
  assert.ok(await focusIsVisible(page), 'the focused password input shows its focus');
  await page.keyboard.type(server.accounts.kyiv.password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.keyboard.press('Enter')]);

  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name === 'accord_session');
  assert.ok(session, 'the accord_session cookie is set');
  assert.equal(session.httpOnly, true, 'the session cookie is HttpOnly');
  assert.equal(session.sameSite, 'Strict', 'the session cookie is SameSite=Strict');
  assert.match(await text(page), /kyiv/, 'the page says who is logged in');
  assert.ok(await page.locator(`a[href="/cases/${server.caseId}"]`).count(), 'the case is linked');
  await checkView(page, 'cases');

  // The link to the case and the logout button are reachable by Tab too.
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.tagName);
  assert.ok(['A', 'BUTTON', 'INPUT'].includes(focused), `Tab focuses a control on the case list, not ${focused}`);
  await close(context);
});

test('a wrong password gives the form again with an error, status 401', { timeout: 60_000 }, async () => {
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await page.goto('/login');
  await page.locator('input[name="username"]').fill('kyiv');
  await page.locator('input[name="password"]').fill('not-the-password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.locator('input[name="password"]').press('Enter'),
  ]);
  assert.equal(response.status(), 401);
  await page.waitForLoadState('load');
  assert.equal(await page.locator('input[name="password"]').count(), 1, 'the form again');
  assert.match(await text(page), /wrong|incorrect|invalid|not/i, 'an error message');
  assert.equal((await context.cookies()).filter((c) => c.name === 'accord_session' && c.value).length, 0, 'no session cookie');
  await checkView(page, 'login-error');
  await close(context);
});

test('pages need a session, and logging out ends it', { timeout: 60_000 }, async () => {
  const context = await newContext(browser, server);
  const page = await context.newPage();
  for (const url of ['/', `/cases/${server.caseId}`, `/cases/${server.caseId}/position`]) {
    await page.goto(url);
    assert.equal(new URL(page.url()).pathname, '/login', `${url} without a session`);
  }
  await loginForm(page, server.accounts.watcher);
  const session = (await context.cookies()).filter((cookie) => cookie.name === 'accord_session');
  assert.equal(session.length, 1, 'a session cookie');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/login'),
    page.getByRole('button', { name: /log ?out/i }).click(),
  ]);
  await page.goto(`/cases/${server.caseId}`);
  assert.equal(new URL(page.url()).pathname, '/login', 'the case page after logout');
  // The old token is revoked, not only forgotten by the browser.
  await context.addCookies(session);
  await page.goto(`/cases/${server.caseId}`);
  assert.equal(new URL(page.url()).pathname, '/login', 'the case page with the logged-out token');
  await close(context);
});
