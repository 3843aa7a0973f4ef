// Confidentiality through the browser: a party cannot reach another party's position by
// URL, and an observer sees no unpublished draft.
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

test("a party cannot reach another party's position by URL", { timeout: 120_000 }, async () => {
  const { caseId } = server;
  // Russia's position, made recognisable: a reservation value and a red line no page
  // would show by accident.
  const russia = await server.apiOk('GET', `/api/cases/${caseId}/parties/russia/position`, undefined, server.mediator.token);
  const position = structuredClone(russia.position);
  position.reservation_value = 0.4321;
  position.red_lines = [...(position.red_lines ?? []), { point: 'army-cap', max: 612345 }];
  await server.apiOk('PUT', `/api/cases/${caseId}/parties/russia/position`, position, server.mediator.token);
  const leaks = [/0\.4321|43\.21/, /612[\s,.\u00a0\u202f']?345/];

  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.accounts.kyiv);

  // Its own position editor works (and is the screenshot of the editor).
  const own = await page.goto(`/cases/${caseId}/position`);
  assert.equal(own.status(), 200, 'the own position editor');
  assert.ok((await page.locator('form input, form select, form textarea').count()) > 0, 'the editor has inputs');
  await checkView(page, 'position-editor');

  const pages = [
    `/cases/${caseId}/position?party=russia`,
    `/cases/${caseId}/position?party=united-states`,
  ];
  const seen = [];
  for (const url of pages) {
    const response = await page.goto(url);
    assert.ok([403, 404].includes(response.status()), `${url} as a member of ukraine: ${response.status()}`);
    const body = await text(page);
    const source = await page.content();
    for (const leak of leaks) {
      assert.doesNotMatch(body, leak, `${url} shows Russia's position`);
      assert.doesNotMatch(source, leak, `${url} carries Russia's position in its source`);
    }
    assert.equal(await page.locator('input[name*="weight"], input[name*="reservation"]').count(), 0, `${url} shows a position form`);
    seen.push(body);
  }
  // The refusal for a party with a position tells nothing the one for another does not.
  assert.equal(seen[0].replaceAll('russia', 'X').replaceAll('Russia', 'X'), seen[1].replaceAll('united-states', 'X').replaceAll('United States', 'X'));
  // Also not by posting the editor's form for another party.
  const posted = await page.request.post(`/cases/${caseId}/position?party=russia`, { form: { reservation_value: '0.9' }, maxRedirects: 0 });
  assert.ok([403, 404].includes(posted.status()), `POST position?party=russia: ${posted.status()}`);
  const after = await server.apiOk('GET', `/api/cases/${caseId}/parties/russia/position`, undefined, server.mediator.token);
  assert.equal(after.position.reservation_value, 0.4321, "Russia's position unchanged");

  // The JSON API refuses too, with the party's own session token.
  const token = await server.login('kyiv', server.accounts.kyiv.password);
  const api = await server.api('GET', `/api/cases/${caseId}/parties/russia/position`, undefined, token);
  assert.equal(api.status, 403);
  for (const leak of leaks) assert.doesNotMatch(JSON.stringify(api.body), leak);
  // And with the browser's session (the cookie): refused, never data.
  const viaCookie = await page.request.get(`/api/cases/${caseId}/parties/russia/position`);
  assert.ok([401, 403].includes(viaCookie.status()), `API with the session cookie: ${viaCookie.status()}`);
  for (const leak of leaks) assert.doesNotMatch(await viaCookie.text(), leak);

  await close(context);
});

test('the observer view shows no unpublished draft', { timeout: 120_000 }, async () => {
  const { caseId } = server;
  const marker = 'UNPUBLISHED-WORDING-9c2e';
  const note = 'unpublished-note-4b8d';
  const latest = await server.apiOk('GET', `/api/cases/${caseId}/drafts/1`, undefined, server.mediator.token);
  const points = latest.points.map((point, i) => (i === 0 ? { ...point, text: `${point.text} ${marker}` } : point));
  const created = await server.apiOk('POST', `/api/cases/${caseId}/drafts`, { note, points }, server.mediator.token);
  const version = created.version;
  // Tabled (the parties see it) but not published.
  await server.apiOk('POST', `/api/cases/${caseId}/drafts/${version}/table`, undefined, server.mediator.token);

  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.accounts.watcher);
  const view = await page.goto(`/cases/${caseId}`);
  assert.equal(view.status(), 200);
  for (const secret of [marker, note]) {
    assert.ok(!(await text(page)).includes(secret), `the observer view shows the unpublished draft (${secret})`);
    assert.ok(!(await page.content()).includes(secret), `the observer view's source has the unpublished draft (${secret})`);
  }
  // Nor by URL.
  for (const url of [`/cases/${caseId}/drafts/${version}`, `/cases/${caseId}/drafts/${version}?against=1`]) {
    const response = await page.goto(url);
    assert.ok(response.status() >= 400, `${url} as observer: ${response.status()}`);
    assert.ok(!(await page.content()).includes(marker), `${url} shows the unpublished draft`);
  }

  // Once published, it is there: the check above could fail.
  await server.apiOk('POST', `/api/cases/${caseId}/drafts/${version}/publish`, undefined, server.mediator.token);
  await page.goto(`/cases/${caseId}`);
  assert.ok((await text(page)).includes(marker), 'the observer view shows the published draft');
  await checkView(page, 'observer-view');
  await close(context);
});
