// Reading a report of talks into the record: the mediator pastes a press report, reviews
// the proposed meeting (every fact with its sentence), corrects it, adds a new person to
// a delegation, and finds the meeting, its people and statements on the timeline after
// one review. Nothing is recorded before "Record".
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { after, before, test } = require('node:test');

const { startServer } = require('../server.js');
const { launch, newContext, close, loginForm, submit, checkView, text } = require('../browser.js');

const REPORT = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'report-geneva.txt'), 'utf8');

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

async function meetings() {
  return server.apiOk('GET', `/api/cases/${server.caseId}/meetings`, undefined, server.mediator.token);
}

test('a pasted report becomes a meeting on the timeline after one review', { timeout: 180_000 }, async () => {
  const { caseId } = server;
  const before = (await meetings()).length;
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.mediator);

  await page.goto(`/cases/${caseId}`);
  await page.getByRole('link', { name: /read a report into the record/i }).click();
  await page.getByRole('heading', { level: 1, name: /read a report/i }).waitFor();
  await page.getByLabel('The report').fill(REPORT);
  await page.getByLabel('Written on').fill('2025-11-24');
  await checkView(page, 'ingest-paste');
  await submit(page, page.getByRole('button', { name: 'Read the report' }), /\/ingest$/);

  // The review: the date from the dateline, the place, the people and statements, each
  // citing its sentence; nothing recorded yet.
  await page.getByRole('heading', { level: 1, name: /review the record/i }).waitFor();
  await checkView(page, 'ingest-review');
  assert.equal(await page.locator('input[name="m0.date"]').inputValue(), '2025-11-23');
  const body = await text(page);
  assert.match(body, /Rustem Umerov/);
  assert.match(body, /sentence 1/);
  assert.match(body, /We made real progress on security guarantees/);
  assert.equal((await meetings()).length, before, 'reading saved nothing');

  // Corrections: the channel's name, Peskov (who spoke from Moscow) left out, Umerov
  // added to Ukraine's delegation, his second statement marked confidential.
  await page.locator('input[name="m0.new_channel"]').fill('Geneva track');
  const people = page.locator('tbody tr');
  const count = await people.count();
  for (let i = 0; i < count; i += 1) {
    const row = people.nth(i);
    const name = await row.locator('input[type="text"]').first().inputValue();
    const include = row.locator('input[type="checkbox"]').first();
    if (/Peskov/.test(name)) {
      if (await include.isChecked()) await include.uncheck();
    } else if (/Umerov/.test(name)) {
      if (!(await include.isChecked())) await include.check();
      const add = row.getByLabel(/add to the delegation/i);
      if (await add.count()) await add.check();
    }
  }
  const statements = page.locator('fieldset.statement');
  const said = await statements.count();
  assert.ok(said >= 2, `${said} statements proposed`);
  for (let s = 0; s < said; s += 1) {
    const speaker = await statements.nth(s).getByLabel('Speaker').inputValue();
    if (/Peskov/.test(speaker)) await statements.nth(s).getByLabel('Record it').uncheck();
  }
  await statements.nth(1).getByLabel(/confidential/).check();
  const recorded = await submit(page, page.getByRole('button', { name: 'Record' }), /\/ingest\/record$/);
  assert.ok(recorded.status() < 400, `recording answered ${recorded.status()}`);

  // The meeting page, then the timeline.
  await page.waitForURL((url) => /\/meetings\//.test(url.pathname));
  const meeting = await text(page);
  assert.match(meeting, /Geneva track/);
  assert.match(meeting, /We made real progress on security guarantees/);
  assert.doesNotMatch(meeting, /Moscow had not yet seen/);
  const after = await meetings();
  assert.equal(after.length, before + 1);
  const parties = await server.apiOk('GET', `/api/cases/${caseId}/parties`, undefined, server.mediator.token);
  const ukraine = parties.find((p) => p.id === 'ukraine');
  assert.ok(ukraine.delegates.some((d) => /Umerov/.test(d.name)), 'Umerov joined the delegation');
  await page.goto(`/cases/${caseId}/timeline`);
  assert.match(await text(page), /Several points remain open|We made real progress/);
  await close(context);
});
