// The record of the talks in the browser: the mediator opens a channel from the
// dashboard, logs a meeting in it with a delegate present, and adds a confidential
// statement; the timeline shows them to the mediator. A member of a party in the channel
// reads the meeting but not the confidential statement; a member of a party not in it
// reads neither, and cannot open the record pages.
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

test('the mediator records a channel, a meeting and a confidential statement; the timeline shows each only to whom it may', { timeout: 180_000 }, async () => {
  const { caseId } = server;
  const channelName = 'Kyiv-Washington track';
  const quote = 'Our floor on the army cap is lower than it looks.';

  const mediatorContext = await newContext(browser, server);
  const mediator = await mediatorContext.newPage();
  await loginForm(mediator, server.mediator);

  // From the dashboard's channels section to the record.
  await mediator.goto(`/cases/${caseId}`);
  await Promise.all([
    mediator.waitForURL((url) => url.pathname === `/cases/${caseId}/channels`),
    mediator.getByRole('link', { name: 'Record and edit channels, meetings and statements' }).click(),
  ]);
  assert.match(await text(mediator), /No channel yet/);
  await checkView(mediator, 'record-channels');

  // A channel between Ukraine and the United States, the mediator's own.
  const newChannel = mediator.locator('section[aria-labelledby="new-channel"]');
  await newChannel.getByLabel('Name', { exact: true }).fill(channelName);
  await newChannel.getByLabel('Ukraine', { exact: true }).check();
  await newChannel.getByLabel('United States', { exact: true }).check();
  assert.ok(await newChannel.getByLabel(/The mediator's own channel/).isChecked(), 'the mediator takes part by default');
  const created = await submit(mediator, newChannel.getByRole('button', { name: 'Create channel' }), /\/channels$/);
  assert.equal(created.status(), 303);
  assert.match(new URL(mediator.url()).pathname, new RegExp(`^/cases/${caseId}/channels/[0-9a-f]+$`));
  assert.match(await text(mediator), /The channel is created\./);
  assert.match(await text(mediator), /Ukraine, United States/);
  await checkView(mediator, 'record-channel');

  // A meeting in it, with Ukraine's chief negotiator present.
  await Promise.all([
    mediator.waitForURL((url) => url.pathname === `/cases/${caseId}/meetings/new`),
    mediator.getByRole('link', { name: 'Log a meeting in this channel' }).click(),
  ]);
  assert.equal(await mediator.getByLabel('Channel', { exact: true }).locator('option:checked').innerText(), channelName);
  await mediator.getByLabel('Date', { exact: true }).fill('2025-11-20');
  await mediator.getByLabel('Time (optional)').fill('10:30');
  await mediator.getByLabel('Place (optional)').fill('Geneva');
  await mediator.getByLabel('Delegate A (Ukraine), chief negotiator').check();
  await mediator.getByLabel('Summary', { exact: true }).fill('A first round on security guarantees.');
  await checkView(mediator, 'record-meeting-new');
  const logged = await submit(mediator, mediator.getByRole('button', { name: 'Log meeting' }), /\/meetings$/);
  assert.equal(logged.status(), 303);
  assert.match(await text(mediator), /The meeting is logged\./);
  assert.match(await text(mediator), /Delegate A \(Ukraine\), chief negotiator \(Ukraine\)/);

  // A confidential statement: the form starts confidential.
  const newStatement = mediator.locator('section[aria-labelledby="new-statement"]');
  await newStatement.getByLabel('Speaker').fill('Delegate A (Ukraine)');
  await newStatement.getByLabel('Speaking for').selectOption('ukraine');
  await newStatement.getByLabel('What was said').fill(quote);
  assert.ok(await newStatement.getByLabel('Confidential: the mediator only').isChecked(), 'confidential by default');
  const added = await submit(mediator, newStatement.getByRole('button', { name: 'Add statement' }), /\/statements$/);
  assert.equal(added.status(), 303);
  assert.match(await text(mediator), /The statement is added\./);
  const recorded = mediator.locator('article[data-statement="1"]');
  assert.equal(await recorded.getAttribute('data-confidential'), 'true');
  assert.match(await recorded.innerText(), /Confidential: the mediator only/);
  await checkView(mediator, 'record-meeting');

  // The timeline shows the meeting and the statement, marked confidential.
  await Promise.all([
    mediator.waitForURL((url) => url.pathname === `/cases/${caseId}/timeline`),
    mediator.getByRole('link', { name: 'Timeline', exact: true }).click(),
  ]);
  const timeline = await text(mediator);
  assert.match(timeline, new RegExp(`10:30 · Meeting in ${channelName}`));
  assert.ok(timeline.includes(quote), 'the mediator reads the statement');
  assert.match(timeline, /Confidential: the mediator only/);
  await checkView(mediator, 'record-timeline');
  // Filtered by the channel: the same two entries.
  await mediator.getByLabel('Channel', { exact: true }).selectOption({ label: channelName });
  await Promise.all([
    mediator.waitForURL((url) => url.searchParams.has('channel')),
    mediator.getByRole('button', { name: 'Show' }).click(),
  ]);
  assert.match(await text(mediator), /2 entries for these filters/);

  // Russia is not in the channel: its member reads nothing of it, anywhere.
  const moscowContext = await newContext(browser, server);
  const moscow = await moscowContext.newPage();
  await loginForm(moscow, server.accounts.moscow);
  await moscow.goto(`/cases/${caseId}`);
  await Promise.all([
    moscow.waitForURL((url) => url.pathname === `/cases/${caseId}/timeline`),
    moscow.getByRole('link', { name: 'Timeline of every meeting and statement you may read' }).click(),
  ]);
  for (const view of [await text(moscow), await moscow.content()]) {
    assert.ok(!view.includes(channelName), 'Russia does not see the channel');
    assert.ok(!view.includes(quote), 'Russia does not read the statement');
    assert.ok(!view.includes('security guarantees.'), 'Russia does not read the meeting');
  }
  assert.match(await text(moscow), /Nothing to show/);
  await checkView(moscow, 'record-timeline-russia');
  const refused = await moscow.goto(`/cases/${caseId}/channels`);
  assert.equal(refused.status(), 403, 'the record pages are the mediator\'s');

  // Ukraine is in the channel: its member reads the meeting, not the confidential
  // statement.
  const kyivContext = await newContext(browser, server);
  const kyiv = await kyivContext.newPage();
  await loginForm(kyiv, server.accounts.kyiv);
  await kyiv.goto(`/cases/${caseId}/timeline`);
  const theirs = await text(kyiv);
  assert.match(theirs, new RegExp(`Meeting in ${channelName}`));
  assert.ok(!theirs.includes(quote), 'Ukraine does not read the confidential statement');
  assert.ok(!(await kyiv.content()).includes(quote), 'nor does the page carry it');
  await checkView(kyiv, 'record-timeline-ukraine');

  await close(kyivContext);
  await close(moscowContext);
  await close(mediatorContext);
});
