// Account management in the browser: the mediator reaches /accounts from the header,
// creates a party member with a generated password shown once, and that member logs in
// in its own context and sees its party's page; a taken username answers the form again
// with a notice; "sign out everywhere" ends the member's session.
'use strict';

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');

const { startServer } = require('../server.js');
const { launch, newContext, close, loginForm, submit, checkView, text } = require('../browser.js');

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

test('the mediator creates a party member, who logs in with the password shown once', { timeout: 120_000 }, async () => {
  const { caseId } = server;
  const mediatorContext = await newContext(browser, server);
  const mediator = await mediatorContext.newPage();
  await loginForm(mediator, server.mediator);

  // The header links to the accounts page.
  await Promise.all([
    mediator.waitForURL((url) => url.pathname === '/accounts'),
    mediator.getByRole('link', { name: 'Accounts', exact: true }).click(),
  ]);
  const list = await text(mediator);
  for (const username of ['mediator', 'kyiv', 'moscow', 'watcher']) {
    assert.ok(await mediator.locator(`tr[data-account="${username}"]`).count(), `${username} is listed`);
  }
  assert.match(list, /Ukraine/, 'the party is named, not only its id');
  await checkView(mediator, 'accounts');

  // A taken username: the form again, with a notice naming the field, status 409.
  await mediator.getByLabel('Username').fill('kyiv');
  await mediator.getByLabel('Role').selectOption('observer');
  const taken = await submit(mediator, mediator.getByRole('button', { name: 'Create account' }), /^\/accounts$/);
  assert.equal(taken.status(), 409);
  const notice = mediator.locator('.error-message[role="alert"]');
  assert.match(await notice.innerText(), /Username/);
  assert.match(await notice.innerText(), /exists already/);
  await checkView(mediator, 'accounts-taken');

  // A party member of Ukraine, password left empty: generated and shown once.
  await mediator.getByLabel('Username').fill('kyiv-2');
  await mediator.getByLabel('Role').selectOption('party');
  await mediator.getByLabel(/Case and party/).selectOption(`${caseId}/ukraine`);
  assert.equal(await mediator.getByLabel(/Password/).inputValue(), '', 'no password typed');
  const created = await submit(mediator, mediator.getByRole('button', { name: 'Create account' }), /^\/accounts$/);
  assert.equal(created.status(), 201);
  const password = (await mediator.locator('#shown-password').innerText()).trim();
  assert.match(password, /^[0-9a-f]{32}$/, 'a generated password');
  assert.match(await text(mediator), /not shown again/);
  await checkView(mediator, 'account-created');

  // The member logs in, in a context of its own, and sees its party's page.
  const memberContext = await newContext(browser, server);
  const member = await memberContext.newPage();
  await loginForm(member, { username: 'kyiv-2', password });
  assert.equal(await member.getByRole('link', { name: 'Accounts', exact: true }).count(), 0, 'no accounts link for a party member');
  await member.goto(`/cases/${caseId}`);
  assert.match(await text(member), /member of the delegation of Ukraine/);
  await checkView(member, 'account-created-member');
  const refused = await member.goto('/accounts');
  assert.equal(refused.status(), 403, 'a party member may not manage accounts');

  // The password is not on the list or the account's page.
  await mediator.goto('/accounts');
  assert.doesNotMatch(await text(mediator), new RegExp(password));
  await Promise.all([
    mediator.waitForURL((url) => url.pathname.startsWith('/accounts/')),
    mediator.getByRole('link', { name: 'Manage kyiv-2' }).click(),
  ]);
  assert.doesNotMatch(await text(mediator), new RegExp(password));
  await checkView(mediator, 'account');

  // Sign out everywhere: the member's session ends.
  const revoked = await submit(mediator, mediator.getByRole('button', { name: 'Sign kyiv-2 out everywhere' }), /\/revoke$/);
  assert.ok(revoked.status() < 400, `signing out answered ${revoked.status()}`);
  assert.match(await text(mediator), /Every session of the account has ended/);
  await member.goto(`/cases/${caseId}`);
  assert.equal(new URL(member.url()).pathname, '/login', 'the member is signed out');

  await close(memberContext);
  await close(mediatorContext);
});
