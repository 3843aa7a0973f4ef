// The mediator's drafting: a new version through the form (from the latest), the side-by-
// side comparison with <ins>/<del>, and the parties seeing it only once tabled.
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

test('the mediator writes draft 2 through the form and compares it with draft 1', { timeout: 180_000 }, async () => {
  const { caseId } = server;
  const context = await newContext(browser, server);
  // The dashboard's slow analysis panel is not what this test is about.
  await context.route('**/analysis-panel*', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<p>(the analysis is left out by this test)</p>' }),
  );
  const page = await context.newPage();
  await loginForm(page, server.mediator);
  await page.goto(`/cases/${caseId}`);
  await Promise.all([
    page.waitForURL(`**/cases/${caseId}/drafts/new`),
    page.getByRole('link', { name: /new draft/i }).click(),
  ]);
  const wording = page.locator('textarea[name="text.sovereignty"]');
  const old = await wording.inputValue();
  assert.ok(old.length > 0, 'the form is filled from the latest draft');
  await page.locator('textarea[name="note"]').fill('firmer wording on sovereignty');
  await wording.fill(old.replace('confirmed', 'fully guaranteed'));
  await checkView(page, 'draft-new');
  const saved = await submit(page, page.getByRole('button', { name: 'Save draft 2' }), /\/drafts$/);
  assert.ok(saved.status() < 400, `saving answered ${saved.status()}`);
  const draft = await server.apiOk('GET', `/api/cases/${caseId}/drafts/2`, undefined, server.mediator.token);
  assert.equal(draft.note, 'firmer wording on sovereignty');
  assert.match(draft.points.find((p) => p.point === 'sovereignty').text, /fully guaranteed/);
  assert.equal(draft.tabled_ms, null, 'a new version is not tabled');

  // A party does not see it until it is tabled.
  const kyivContext = await newContext(browser, server);
  const kyiv = await kyivContext.newPage();
  await loginForm(kyiv, server.accounts.kyiv);
  await kyiv.goto(`/cases/${caseId}`);
  assert.ok(!(await kyiv.content()).includes('fully guaranteed'), 'the party sees an untabled draft');

  // The comparison: two columns, the change marked with <del> and <ins>.
  const response = await page.goto(`/cases/${caseId}/drafts/2?against=1`);
  assert.equal(response.status(), 200);
  const row = page.locator('tr[data-point="sovereignty"]');
  assert.match(await row.locator('del').first().innerText(), /confirmed/);
  assert.match(await row.locator('ins').first().innerText(), /fully guaranteed/);
  assert.equal(await page.locator('tr[data-point="non-aggression"] ins, tr[data-point="non-aggression"] del').count(), 0, 'an unchanged point has no marks');
  await checkView(page, 'draft-diff');

  // Tabled from the draft's page, the party sees it.
  await submit(page, page.getByRole('button', { name: 'Table draft 2' }), /\/drafts\/2\/table$/);
  await kyiv.goto(`/cases/${caseId}`);
  assert.match(await text(kyiv), /fully guaranteed/, 'the party sees the tabled draft');
  await Promise.all([close(context), close(kyivContext)]);
});
