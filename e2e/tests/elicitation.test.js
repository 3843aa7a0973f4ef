// Preference elicitation in the browser: a delegate who has never seen a weight rates
// options, weighs the points with sliders and rates whole packages, all from the
// keyboard; the review shows the fitted weights and how sure each is; nothing is saved
// until the red lines are confirmed and the position saved.
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

async function position(party) {
  const { position } = await server.apiOk('GET', `/api/cases/${server.caseId}/parties/${party}/position`, undefined, server.mediator.token);
  return position;
}

test('a delegate builds a position step by step from the keyboard', { timeout: 180_000 }, async () => {
  const { caseId } = server;
  const before = await position('ukraine');
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.accounts.kyiv);

  // From the party's page.
  await page.goto(`/cases/${caseId}`);
  await page.getByRole('link', { name: /step by step/i }).click();
  await page.waitForURL((url) => url.pathname.endsWith('/elicit'));
  await page.getByRole('heading', { level: 1, name: /rate the options/i }).waitFor();
  await checkView(page, 'elicit-options');

  // Rate the options of the first three points of options, typing into each field in
  // turn with Tab; mark the first option of the first point unacceptable.
  const points = page.locator('fieldset.point:has(input[type="number"])');
  const rated = Math.min(3, await points.count());
  assert.ok(rated >= 2, 'the case has points of options');
  for (let p = 0; p < rated; p += 1) {
    const inputs = points.nth(p).locator('input[type="number"]');
    const n = await inputs.count();
    await inputs.first().focus();
    for (let o = 0; o < n; o += 1) {
      await page.keyboard.type(String(Math.round((100 * o) / Math.max(1, n - 1))));
      // Past the option's "unacceptable" box to the next rating.
      if (o < n - 1) {
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
      }
    }
  }
  const firstBox = points.first().locator('input[type="checkbox"]').first();
  await firstBox.focus();
  await page.keyboard.press('Space');
  assert.equal(await firstBox.isChecked(), true);
  await submit(page, page.getByRole('button', { name: /weigh the points/i }), /\/elicit$/);
  await page.getByRole('heading', { level: 1, name: /weigh the points/i }).waitFor();
  await checkView(page, 'elicit-swings');
  assert.deepEqual(await position('ukraine'), before, 'rating options saved no position');

  // Swings with the keyboard: the first slider to the top (End), the others moved down.
  const sliders = page.locator('input[type="range"]');
  assert.equal(await sliders.count(), rated, 'one swing per rated point');
  await sliders.first().focus();
  await page.keyboard.press('End');
  assert.equal(await sliders.first().inputValue(), '100');
  assert.equal(await page.locator('output').first().innerText(), '100', 'the slider shows its value');
  for (let s = 1; s < rated; s += 1) {
    await sliders.nth(s).focus();
    for (let k = 0; k < 10 * s; k += 1) await page.keyboard.press('ArrowLeft');
  }
  await submit(page, page.getByRole('button', { name: /rate whole packages/i }), /\/elicit$/);

  // Packages: accord suggests some; each rated with the keyboard, "no agreement" placed.
  await page.getByRole('heading', { level: 1, name: /rate whole packages/i }).waitFor();
  await checkView(page, 'elicit-packages');
  const ratings = page.locator('input[type="range"][name^="rating."]');
  const shown = await ratings.count();
  assert.ok(shown >= 3, `${shown} packages suggested`);
  for (let i = 0; i < shown; i += 1) {
    await ratings.nth(i).focus();
    await page.keyboard.press(i % 2 === 0 ? 'PageUp' : 'PageDown');
  }
  const noAgreement = page.getByLabel(/no agreement/i);
  await noAgreement.focus();
  await page.keyboard.press('Home');
  for (let k = 0; k < 20; k += 1) await page.keyboard.press('ArrowRight');
  assert.equal(await noAgreement.inputValue(), '20');
  await submit(page, page.getByRole('button', { name: /see the result/i }), /\/elicit$/);

  // Review: the weights, how sure each is, the red line to confirm.
  await page.getByRole('heading', { level: 1, name: /review and save/i }).waitFor();
  await checkView(page, 'elicit-review');
  const body = await text(page);
  assert.match(body, /The weights your answers give/);
  assert.match(body, /How sure/);
  assert.match(body, /Reservation value: 0\.2/);
  assert.deepEqual(await position('ukraine'), before, 'reviewing saved no position');
  const confirmBox = page.getByLabel(/these are our red lines/i);
  await confirmBox.focus();
  await page.keyboard.press('Space');
  const saved = await submit(page, page.getByRole('button', { name: /save as the position/i }), /\/elicit\/confirm$/);
  assert.ok(saved.status() < 400, `saving answered ${saved.status()}`);
  assert.match(await text(page), /saved/i);
  const after = await position('ukraine');
  assert.notDeepEqual(after, before, 'the position changed');
  assert.equal(after.reservation_value, 0.2);
  assert.ok(after.red_lines.length >= 1, 'the unacceptable option is a red line');
  await close(context);
});

test('another party cannot open the page for Ukraine', { timeout: 60_000 }, async () => {
  const context = await newContext(browser, server);
  const page = await context.newPage();
  await loginForm(page, server.accounts.moscow);
  const response = await page.goto(`/cases/${server.caseId}/elicit?party=ukraine`);
  assert.equal(response.status(), 403);
  await close(context);
});
