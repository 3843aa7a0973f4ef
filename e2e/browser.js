// Launches the system's headless Chromium (no browser download) and offers the few page
// helpers the tests share: logging in through the form, screenshots, page text.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ARTIFACTS = path.resolve(__dirname, 'artifacts');

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts Chromium. Playwright gives every `launch` a fresh, temporary user data dir
 * (removed on close), so no profile state leaks between runs; each account then gets its
 * own browser context (own cookies).
 */
async function launch() {
  // Chromium now and then dies at start on a loaded machine (a SIGSEGV before any page):
  // that is not the workbench's fault, so a launch is tried up to three times.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await chromium.launch({
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        args: ARGS,
        timeout: 60_000,
      });
    } catch (error) {
      if (attempt >= 3) throw error;
      console.error(`e2e: Chromium did not start (attempt ${attempt} of 3): ${error.message.split('\n')[0]}`);
    }
  }
}

/** A fresh context (own cookie jar) with the server as base URL. */
async function newContext(browser, server) {
  const context = await browser.newContext({
    baseURL: server.url,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  // Problems `close` reports: a request off the test server (the UI must work without
  // the network; watched, not routed, since routing would turn off the HTTP cache), an
  // uncaught script error, or a console error such as a Content-Security-Policy
  // violation. A failed load (4xx pages, requests a test aborts) is not a problem.
  const problems = [];
  contextProblems.set(context, problems);
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${server.url}/`) && !url.startsWith('data:')) problems.push(`request off the server: ${url}`);
  });
  context.on('page', (page) => {
    page.on('pageerror', (error) => problems.push(`script error on ${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) {
        problems.push(`console error on ${page.url()}: ${message.text()}`);
      }
    });
  });
  if (process.env.ACCORD_E2E_TRACE) {
    // Every request with its time, on stderr: where a slow test spends it.
    context.on('requestfinished', async (request) => {
      const response = await request.response();
      const timing = request.timing();
      const ms = Math.round(timing.responseEnd);
      process.stderr.write(`e2e: ${request.method()} ${new URL(request.url()).pathname} ${response?.status()} ${ms} ms\n`);
    });
  }
  return context;
}

const contextProblems = new WeakMap();

/** Closes a context made by `newContext`; fails if its pages had a problem. */
async function close(context) {
  await context.close();
  const problems = contextProblems.get(context) ?? [];
  if (problems.length > 0) throw new Error(`the browser saw problems:\n${problems.join('\n')}`);
}

/**
 * Logs in through the login form (`username`, `password`) and waits for the redirect to
 * `/`. Returns the page.
 */
async function loginForm(page, account) {
  await page.goto('/login');
  await page.locator('input[name="username"]').fill(account.username);
  await page.locator('input[name="password"]').fill(account.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/'),
    page.locator('form:has(input[name="password"]) [type="submit"], form:has(input[name="password"]) button:not([type])').first().click(),
  ]);
  return page;
}

/**
 * Clicks `button` (a form's submit button) and waits for the POST whose path matches
 * `pathPattern` to answer and for the page it leads to to load. Works for plain forms
 * (303 and a new page) and htmx ones alike. Returns the POST's response.
 */
async function submit(page, button, pathPattern) {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'POST' && pathPattern.test(new URL(r.url()).pathname),
    ),
    button.click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

/** Saves a full-page PNG to e2e/artifacts/NAME.png; returns its path. */
async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * What keeps the page from the accessibility rules of the UI brief, as messages (empty:
 * none found): text contrast below 4.5:1 (3:1 for large text) against its composited
 * background, a form control without a label, headings that skip a level or a page
 * without exactly one h1, a table header cell without `scope`, an image or inline SVG
 * without a text alternative. A machine check cannot see everything (text over images,
 * meaning), but what it reports is wrong.
 */
async function accessibilityProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const describe = (element) => {
      const text = (element.innerText || element.getAttribute('name') || element.id || '').trim().replace(/\s+/g, ' ');
      return `<${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.trim().replace(/\s+/g, '.')}` : ''}> \`${text.slice(0, 40)}\``;
    };
    const visible = (element) => element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';

    // Contrast (WCAG 2.1 relative luminance).
    const parse = (css) => {
      const match = /rgba?\(([^)]+)\)/.exec(css);
      if (!match) return null;
      const [r, g, b, a = 1] = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return { r, g, b, a };
    };
    const over = (top, bottom) => ({
      r: top.r * top.a + bottom.r * (1 - top.a),
      g: top.g * top.a + bottom.g * (1 - top.a),
      b: top.b * top.a + bottom.b * (1 - top.a),
      a: 1,
    });
    const luminance = ({ r, g, b }) => {
      const f = (v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const backgroundOf = (element) => {
      const layers = [];
      for (let e = element; e; e = e.parentElement) {
        const color = parse(getComputedStyle(e).backgroundColor);
        if (color && color.a > 0) {
          layers.push(color);
          if (color.a >= 1) break;
        }
      }
      return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
    };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || !element || seen.has(element)) continue;
      seen.add(element);
      if (!visible(element) || element.closest('svg, [disabled], [aria-hidden="true"]')) continue;
      const style = getComputedStyle(element);
      const background = backgroundOf(element);
      const color = over(parse(style.color), background);
      const [light, dark] = [luminance(color), luminance(background)].sort((x, y) => y - x);
      const ratio = (light + 0.05) / (dark + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) {
        problems.push(`contrast ${ratio.toFixed(2)}:1 for ${describe(element)} (${style.color} on rgb(${Math.round(background.r)}, ${Math.round(background.g)}, ${Math.round(background.b)}))`);
      }
    }

    // Labels.
    for (const control of document.querySelectorAll('input, select, textarea')) {
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(control.type)) continue;
      const named = control.labels?.length > 0 || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
      if (!named) problems.push(`no label for ${describe(control)}`);
    }

    // Headings in order.
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(visible);
    const ones = headings.filter((h) => h.tagName === 'H1').length;
    if (ones !== 1) problems.push(`${ones} h1 headings, not 1`);
    let level = 0;
    for (const heading of headings) {
      const next = Number(heading.tagName[1]);
      if (next > level + 1) problems.push(`heading ${describe(heading)} is h${next} after h${level}`);
      level = next;
    }

    // Tables.
    for (const th of document.querySelectorAll('th:not([scope])')) problems.push(`no scope on ${describe(th)}`);

    // Images.
    for (const img of document.querySelectorAll('img:not([alt])')) problems.push(`no alt on ${describe(img)}`);
    for (const svg of document.querySelectorAll('svg')) {
      if (svg.closest('[aria-hidden="true"]') || svg.parentElement.closest('svg')) continue;
      const named = svg.getAttribute('aria-label') || svg.getAttribute('aria-labelledby') || svg.querySelector(':scope > title');
      if (!named || svg.getAttribute('role') !== 'img') problems.push(`inline svg without role="img" and a name, in ${describe(svg.parentElement)}`);
    }
    return problems;
  });
}

/**
 * A view a test has reached: saves its screenshot as NAME.png and fails on any problem
 * `accessibilityProblems` finds.
 */
async function checkView(page, name) {
  const file = await screenshot(page, name);
  const problems = await accessibilityProblems(page);
  if (problems.length > 0) {
    throw new Error(`accessibility problems on ${name} (${page.url()}):\n${problems.join('\n')}`);
  }
  return file;
}

/** The page's visible text. */
async function text(page) {
  return page.locator('body').innerText();
}

module.exports = { launch, newContext, close, loginForm, submit, screenshot, accessibilityProblems, checkView, text, ARTIFACTS };
