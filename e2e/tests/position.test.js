// The position editor: htmx checks the form as one types (errors name the field, nothing
// is saved), "Save position" saves it, and the mediator edits a party's position through
// ?party=ID.
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

async function reservationValue(party) {
  const { position } = await server.apiOk('GET', `/api/cases/${server.caseId}/parties/${party}/position`, undefined, server.mediator.token);
  return position.reservation_value;
}

test('the editor checks as one types, and saves only on "Save position"', { timeout: 120_000 }, async () => {
  const { caseId } = server;
  const before = await reservationValue('ukraine');
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.accounts.kyiv);
  await page.goto(`/cases/${caseId}/position`);
  const check = page.locator('#check');
  const input = page.locator('input[name="reservation_value"]');

  // A wrong value: htmx asks /position/check, which names the field.
  const [checked] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/position/check')),
    input.fill('abc'),
  ]);
  assert.equal(checked.status(), 200);
  await check.locator('.error-message').waitFor();
  assert.match(await check.innerText(), /reservation/i, 'the error names the reservation value');
  await checkView(page, 'position-editor-error');
  assert.equal(await reservationValue('ukraine'), before, 'checking saved nothing');

  // A right one: valid, still not saved.
  await input.fill('0.55');
  await check.locator('.valid').waitFor();
  assert.equal(await reservationValue('ukraine'), before, 'checking saved nothing');

  // Saving.
  const saved = await submit(page, page.getByRole('button', { name: 'Save position' }), /\/position$/);
  assert.ok(saved.status() < 400, `saving answered ${saved.status()}`);
  assert.equal(await reservationValue('ukraine'), 0.55);
  assert.match(await text(page), /saved/i, 'the page says it saved');
  await close(context);
});

test('without JavaScript a wrong position is refused with the field named', { timeout: 120_000 }, async () => {
  const { caseId } = server;
  const before = await reservationValue('ukraine');
  const context = await browser.newContext({ baseURL: server.url, javaScriptEnabled: false });
  const page = await context.newPage();
  await loginForm(page, server.accounts.kyiv);
  await page.goto(`/cases/${caseId}/position`);
  await page.locator('input[name="reservation_value"]').fill('abc');
  const response = await submit(page, page.getByRole('button', { name: 'Save position' }), /\/position$/);
  assert.ok(response.status() >= 400 && response.status() < 500, `saving abc answered ${response.status()}`);
  assert.match(await text(page), /reservation/i, 'the error names the reservation value');
  assert.equal(await reservationValue('ukraine'), before, 'nothing saved');
  await context.close();
});

test("the mediator edits a party's position through ?party=", { timeout: 120_000 }, async () => {
  const { caseId } = server;
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.mediator);
  const response = await page.goto(`/cases/${caseId}/position?party=russia`);
  assert.equal(response.status(), 200);
  assert.match(await text(page), /Russia/);
  await page.locator('input[name="reservation_value"]').fill('0.61');
  const saved = await submit(page, page.getByRole('button', { name: 'Save position' }), /\/position$/);
  assert.ok(saved.status() < 400, `saving answered ${saved.status()}`);
  assert.equal(await reservationValue('russia'), 0.61);
  await close(context);
});
