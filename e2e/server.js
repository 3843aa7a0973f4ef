// Starts `accord serve` on a fresh SQLite database with the bundled example case, and
// creates the accounts the browser tests log in with through the JSON API.
//
// The binary is $ACCORD_BIN (default target/debug/accord, relative to the repository
// root); it picks a free port (`--bind 127.0.0.1:0`) and prints the mediator's password,
// the example case's id and `listening on http://ADDR`, which this module parses.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BIN = path.resolve(ROOT, process.env.ACCORD_BIN || 'target/debug/accord');
const START_TIMEOUT_MS = 60_000;

/** The password every test account gets (the API wants at least 8 characters). */
const PASSWORD = 'e2e-password-1';

/** The accounts created on every server: username -> the request creating it. */
const ACCOUNTS = {
  kyiv: { role: 'party', party: 'ukraine' },
  moscow: { role: 'party', party: 'russia' },
  watcher: { role: 'observer' },
};

/**
 * Starts a server and creates the accounts. Returns
 * `{ url, caseId, mediator: {username, password, token}, accounts: {NAME: {username,
 * password, token}}, api(method, path, body, token), stop() }`.
 */
async function startServer() {
  if (!fs.existsSync(BIN)) {
    throw new Error(`no accord binary at \`${BIN}\`\nhint: cargo build -p accord-cli --bin accord, or set ACCORD_BIN`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-e2e-'));
  const child = spawn(
    BIN,
    ['serve', '--db', `sqlite:${path.join(dir, 'accord.db')}`, '--bind', '127.0.0.1:0', '--example'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } },
  );
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    err += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`accord serve did not start in ${START_TIMEOUT_MS} ms\nstdout: ${out}\nstderr: ${err}`)), START_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^listening on (http:\/\/\S+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`accord serve exited (${code ?? signal}) before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  });

  const password = /password `([^`]+)`/.exec(out)?.[1];
  const caseId = /as case `([^`]+)`/.exec(out)?.[1];
  if (!password || !caseId) {
    child.kill('SIGKILL');
    throw new Error(`could not read the mediator's password or the case id from:\n${out}`);
  }

  /** Calls the JSON API; returns `{ status, body }` (body parsed when JSON). */
  async function api(method, apiPath, body, token) {
    const headers = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(url + apiPath, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed };
  }

  /** Like `api`, but throws unless the status is 2xx. */
  async function apiOk(method, apiPath, body, token) {
    const response = await api(method, apiPath, body, token);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`${method} ${apiPath}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  async function login(username, userPassword) {
    const body = await apiOk('POST', '/api/login', { username, password: userPassword });
    return body.token;
  }

  const mediator = { username: 'mediator', password, token: await login('mediator', password) };
  const accounts = {};
  for (const [username, spec] of Object.entries(ACCOUNTS)) {
    const request = { username, role: spec.role, password: PASSWORD };
    if (spec.party) {
      request.case = caseId;
      request.party = spec.party;
    }
    await apiOk('POST', '/api/accounts', request, mediator.token);
    accounts[username] = { username, password: PASSWORD, party: spec.party };
  }

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }

  return {
    url,
    caseId,
    mediator,
    accounts,
    api,
    apiOk,
    login,
    stop,
    /** What the server printed to stderr so far (for failure messages). */
    log: () => err,
  };
}

module.exports = { startServer, PASSWORD };
