// End-to-end test of the packaged extension in a real VS Code (code-server) driven by headless
// Chromium through playwright-core. See e2e/README.md.
//
// Exit codes: 0 passed, 1 failed, 2 skipped (a prerequisite is missing; the reason is printed
// on a line starting with "SKIP:").
//
// Environment:
//   CODE_SERVER_DIR  folder made by e2e/install-code-server.sh (default ~/.cache/repodoc/code-server-4.139.1)
//   REPODOC_PYTHON   a Python 3.10+ to make the run's bare interpreter from (a venv without pip
//                    or packages: the extension must bring the server; default python3)
//   REPODOC_VSIX     the packaged extension (default vscode-client/repodoc.vsix)
//   E2E_OUTPUT       where screenshots and logs go (default vscode-client/e2e/output)
//   CHROMIUM         browser executable (default /usr/bin/chromium)
//   E2E_TIMEOUT_S    overall deadline in seconds (default 300)
//   E2E_KEEP         keep the run folder (/tmp/rde-*) when a step failed

/* global document */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const client = resolve(here, '..');
const repo = resolve(client, '..');

const CODE_SERVER_DIR = process.env.CODE_SERVER_DIR || join(homedir(), '.cache', 'repodoc', 'code-server-4.139.1');
const BASE_PYTHON = process.env.REPODOC_PYTHON || 'python3';
const VSIX = process.env.REPODOC_VSIX || join(client, 'repodoc.vsix');
const OUTPUT = resolve(process.env.E2E_OUTPUT || join(here, 'output'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FIXTURE = join(repo, 'tests', 'fixtures', 'ws');
const DEADLINE = Date.now() + Number(process.env.E2E_TIMEOUT_S || 300) * 1000;

function log(...args) {
  console.log(`[e2e ${new Date().toISOString().slice(11, 19)}]`, ...args);
}

function skip(reason) {
  console.log(`SKIP: ${reason}`);
  process.exit(2);
}

// ---------------------------------------------------------------- prerequisites
const codeServerBin = join(CODE_SERVER_DIR, 'node_modules', '.bin', 'code-server');
const node24Bin = join(CODE_SERVER_DIR, 'node', 'bin');
if (!existsSync(codeServerBin) || !existsSync(join(node24Bin, 'node'))) {
  skip(`code-server is not installed in ${CODE_SERVER_DIR} (run e2e/install-code-server.sh)`);
}
if (!existsSync(CHROMIUM)) {
  skip(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}
if (!existsSync(VSIX)) {
  skip(`no ${VSIX} (run npm run package)`);
}
{
  const probe = spawnSync(BASE_PYTHON, ['-c', 'import sys, venv; sys.exit(sys.version_info < (3, 10))'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    skip(`no Python 3.10+ with venv at ${BASE_PYTHON} (set REPODOC_PYTHON): ${(probe.stderr || probe.error?.message || '').trim()}`);
  }
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  skip('playwright-core is not installed (npm ci in vscode-client)');
}

// ---------------------------------------------------------------- a fresh run folder
// Short path: code-server puts sockets under TMPDIR, and socket paths must stay < 108 chars.
const run = mkdtempSync('/tmp/rde-');
const dirs = Object.fromEntries(['u', 'x', 'cfg', 'data', 'tmp'].map((d) => [d, join(run, d)]));
for (const d of Object.values(dirs)) {
  mkdirSync(d, { recursive: true });
}
const ws = join(run, 'ws');
cpSync(FIXTURE, ws, { recursive: true, verbatimSymlinks: true });

// Modules at the workspace's root that would run instead of the server's own were the
// workspace on the server's sys.path (its cwd with `python -m`): each leaves a mark.
const SHADOW_MARK = join(run, 'SHADOWED');
const shadow = `import pathlib\npathlib.Path(${JSON.stringify(SHADOW_MARK)}).open('a').write(__name__ + '\\n')\n`;
mkdirSync(join(ws, 'repodoc_ls'), { recursive: true });
for (const rel of ['json.py', 'repodoc_ls/__init__.py', 'repodoc_ls/__main__.py']) {
  writeFileSync(join(ws, rel), shadow);
}

// Python's own environment variables stay out: PYTHONPATH (the tests') would lend the
// bare interpreter this checkout's repodoc_ls.
const bareEnv = { ...process.env };
for (const name of ['PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONUSERBASE', 'VIRTUAL_ENV']) {
  delete bareEnv[name];
}

// A bare interpreter: a venv with no pip and no packages. The extension must bring the server.
const PYTHON = join(run, 'py', 'bin', 'python');
{
  const made = spawnSync(BASE_PYTHON, ['-m', 'venv', '--without-pip', join(run, 'py')], { env: bareEnv, encoding: 'utf8' });
  if (made.status !== 0) {
    rmSync(run, { recursive: true, force: true });
    skip(`cannot make a venv with ${BASE_PYTHON}: ${made.stderr}`);
  }
  for (const module of ['repodoc_ls', 'pygls', 'jedi']) {
    if (spawnSync(PYTHON, ['-c', `import ${module}`], { env: bareEnv, cwd: run }).status === 0) {
      console.log(`FAIL: the bare interpreter ${PYTHON} imports ${module}`);
      rmSync(run, { recursive: true, force: true });
      process.exit(1);
    }
  }
}
rmSync(OUTPUT, { recursive: true, force: true });
mkdirSync(OUTPUT, { recursive: true });
mkdirSync(join(dirs.u, 'User'), { recursive: true });
writeFileSync(
  join(dirs.u, 'User', 'settings.json'),
  JSON.stringify(
    {
      'repodoc.interpreter': [PYTHON],
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'git.enabled': false,
      'editor.hover.delay': 200,
      'editor.minimap.enabled': false,
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    },
    null,
    2,
  ),
);

// repodoc.interpreter is machine-overridable (an interpreter path belongs to a machine): in a
// remote window such as code-server's, VS Code applies it from the machine's settings, and
// from user settings only until it knows the window is remote. So it goes here as well.
mkdirSync(join(dirs.u, 'Machine'), { recursive: true });
writeFileSync(join(dirs.u, 'Machine', 'settings.json'), JSON.stringify({ 'repodoc.interpreter': [PYTHON] }, null, 2));

const env = {
  ...bareEnv,
  PATH: `${node24Bin}:${process.env.PATH}`,
  XDG_CONFIG_HOME: dirs.cfg,
  XDG_DATA_HOME: dirs.data,
  TMPDIR: dirs.tmp,
  EXTENSIONS_GALLERY: JSON.stringify({ serviceUrl: 'http://127.0.0.1:9/vscode/gallery', itemUrl: 'http://127.0.0.1:9/item' }),
};
delete env.npm_config_nodedir;
delete env.NODE_OPTIONS;

const baseArgs = ['--user-data-dir', dirs.u, '--extensions-dir', dirs.x];

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, { timeout = 90_000, interval = 1000 } = {}) {
  const end = Math.min(Date.now() + timeout, DEADLINE);
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        return value;
      }
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await sleep(interval);
  }
}

let server;
let browser;
let page;
const results = [];
let failed = false;

function collectLogs() {
  // the extension host's output channels (RepoDoc's among them) and the server log
  const logs = join(dirs.u, 'logs');
  const found = [];
  const walk = (d) => {
    for (const name of existsSync(d) ? readdirSync(d) : []) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
      } else if (/exthost|RepoDoc|repodoc|remoteagent|output_logging/i.test(p)) {
        found.push(p);
      }
    }
  };
  walk(logs);
  const dest = join(OUTPUT, 'logs');
  mkdirSync(dest, { recursive: true });
  for (const p of found) {
    const name = p.slice(logs.length + 1).replace(/\//g, '__');
    cpSync(p, join(dest, name));
  }
  return found;
}

function printRepoDocLog() {
  for (const p of collectLogs()) {
    if (/RepoDoc|exthost\.log$/i.test(p)) {
      const text = readFileSync(p, 'utf8');
      console.log(`----- ${p} (last 4000 chars)\n${text.slice(-4000)}`);
    }
  }
}

async function shot(name) {
  const file = join(OUTPUT, `${name}.png`);
  try {
    await page.screenshot({ path: file });
    log(`screenshot ${file}`);
  } catch (error) {
    log(`screenshot ${name} failed: ${error.message}`);
  }
}

async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, seconds: (Date.now() - start) / 1000 });
    log(`PASS ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    results.push({ name, ok: false, seconds: (Date.now() - start) / 1000, error: error.message });
    log(`FAIL ${name}: ${error.message}`);
    await shot(`fail-${name.replace(/\W+/g, '-')}`);
  }
}

async function runCommand(title) {
  const input = page.locator('.quick-input-widget:not([style*="display: none"]) input');
  await until(
    'the command palette',
    async () => {
      await focusEditor();
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 3000 });
      return true;
    },
    { timeout: 20_000, interval: 500 },
  );
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** A webview (the preview) keeps the keyboard after a click in it: click into an editor first. */
async function focusEditor() {
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  if (await editor.count()) {
    await editor.click({ position: { x: 5, y: 5 } });
  }
}

async function openFile(path, marker) {
  await until(
    `${path} in an editor`,
    async () => {
      const base = path.split('/').pop();
      const tab = page.locator('.tab', { hasText: new RegExp(`^\\s*${base.replace('.', '\\.')}\\s*$`) }).first();
      if (await tab.count()) {
        await tab.click();
        await page
          .locator('.editor-group-container.active .monaco-editor .view-line', { hasText: marker })
          .first()
          .waitFor({ timeout: 5000 });
        return true;
      }
      await focusEditor();
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(path);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first().waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      await page
        .locator('.editor-group-container.active .monaco-editor .view-line', { hasText: marker })
        .first()
        .waitFor({ timeout: 5000 });
      return true;
    },
    { timeout: 60_000 },
  );
}

/** Hover `word` on the line holding `lineText` until the hover widget's text matches `expect`. */
async function hoverUntil(lineText, word, expect) {
  const line = page.locator('.editor-group-container.active .monaco-editor .view-line', { hasText: lineText }).first();
  const target = line.locator('span', { hasText: new RegExp(`^${word}$`) }).last();
  return until(
    `a hover matching ${expect}`,
    async () => {
      await page.mouse.move(5, 5);
      await sleep(300);
      await target.hover();
      const hover = page.locator('.monaco-hover:not(.hidden)').first();
      await hover.waitFor({ state: 'visible', timeout: 4000 });
      return expect.test(await hover.innerText()) ? hover : undefined;
    },
    { timeout: 120_000, interval: 1500 },
  );
}

/** The frame of a Markdown preview whose first heading matches `re`. */
async function previewTitle(re) {
  for (const frame of page.frames()) {
    const h1 = await frame
      .locator('h1')
      .first()
      .innerText({ timeout: 500 })
      .catch(() => '');
    if (re.test(h1.trim())) {
      return { frame, h1 };
    }
  }
  return undefined;
}

/** The text of every frame whose body mentions `needle` (webviews are nested iframes). */
async function frameText(needle) {
  for (const frame of page.frames()) {
    try {
      const text = await frame.evaluate(() => document.body?.innerText ?? '');
      if (text.includes(needle)) {
        return { frame, text };
      }
    } catch {
      // a frame that went away
    }
  }
  return undefined;
}

try {
  const started = Date.now();
  log(`run folder ${run}, output ${OUTPUT}`);
  const install = spawnSync(codeServerBin, [...baseArgs, '--install-extension', VSIX, '--force'], { env, encoding: 'utf8' });
  if (install.status !== 0) {
    throw new Error(`installing the vsix failed:\n${install.stdout}\n${install.stderr}`);
  }
  log('installed', VSIX);

  const port = await freePort();
  server = spawn(
    codeServerBin,
    [
      ...baseArgs,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
      ws,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let serverOutput = '';
  server.stdout.on('data', (d) => (serverOutput += d));
  server.stderr.on('data', (d) => (serverOutput += d));
  const base = `http://127.0.0.1:${port}`;
  await until('code-server /healthz', async () => (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).ok, {
    timeout: 60_000,
    interval: 500,
  }).catch((error) => {
    throw new Error(`${error.message}\n${serverOutput}`);
  });
  log(`code-server up on ${base} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost'].includes(url.hostname) || url.protocol === 'data:' || url.protocol === 'blob:') {
      return route.continue();
    }
    return route.abort();
  });
  page = await context.newPage();
  await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  log('workbench loaded');

  await step('open shop/cart.py', () => openFile('shop/cart.py', 'class Cart'));

  await step('hover Cart shows the server docs', async () => {
    const hover = await hoverUntil('class Cart:', 'Cart', /Holds items until checkout/);
    writeFileSync(join(OUTPUT, 'hover.txt'), await hover.innerText());
    await shot('hover');
  });

  await step('status bar shows the file count', async () => {
    const item = page.locator('.statusbar-item', { hasText: /RepoDoc/ }).first();
    const text = await until(
      'RepoDoc: N files',
      async () => {
        const t = await item.innerText();
        return /RepoDoc: \d+ files?/.test(t) ? t : undefined;
      },
      { timeout: 60_000 },
    );
    log(`status bar: ${text.trim()}`);
  });

  await step('Show File Documentation opens the page preview', async () => {
    await page.locator('.monaco-editor .view-line', { hasText: 'class Cart:' }).first().click();
    await runCommand('RepoDoc: Show File Documentation');
    const found = await until('the page in the Markdown preview', () => frameText('Holds items until checkout'), {
      timeout: 60_000,
    });
    const heading = await found.frame
      .locator('h1')
      .first()
      .innerText()
      .catch(() => '');
    writeFileSync(join(OUTPUT, 'file-page.txt'), found.text);
    if (!/cart\.py/.test(heading)) {
      throw new Error(`the preview's title is ${JSON.stringify(heading)}, expected the page of shop/cart.py`);
    }
    log(`preview title: ${heading}`);
    await shot('file-page');
  });

  await step('a page link opens the other page in the preview', async () => {
    const found = await until('the cart page', () => frameText('Holds items until checkout'), { timeout: 10_000 });
    await found.frame.locator('a', { hasText: /^shop\/util\/helpers\.py$/ }).first().click();
    const next = await until('the page of shop/util/helpers.py', () => previewTitle(/helpers\.py/), { timeout: 30_000 });
    log(`preview title after the link: ${next.h1}`);
    await shot('page-link');
  });

  await step('a source link opens the file at the line', async () => {
    const found = await until(
      'a source-line link in the preview',
      async () => {
        for (const frame of page.frames()) {
          const link = frame.locator('a[href*="helpers.py#L"]').first();
          if (await link.count().catch(() => 0)) {
            return { link, href: await link.getAttribute('href') };
          }
        }
        return undefined;
      },
      { timeout: 10_000 },
    );
    const line = Number(/#L(\d+)/.exec(found.href)[1]);
    await found.link.click();
    await until(
      `helpers.py active at line ${line}`,
      async () => {
        const tab = await page.locator('.editor-group-container.active .tab.active').first().innerText();
        const cursor = await page.locator('.statusbar-item', { hasText: /Ln \d+, Col/ }).first().innerText();
        return /helpers\.py/.test(tab) && new RegExp(`Ln ${line},`).test(cursor);
      },
      { timeout: 30_000 },
    );
    const titles = await page.locator('.tab').evaluateAll((tabs) => tabs.map((t) => t.getAttribute('title') || ''));
    if (titles.some((t) => t.startsWith('repodoc:') && !t.endsWith('.md'))) {
      throw new Error(`a repodoc: source tab is still open: ${titles.join(', ')}`);
    }
    await shot('source-link');
  });

  await step('the Docs link of a hover opens the page', async () => {
    // the preview shows helpers.py's page now; the hover's link must bring cart.py's back
    await openFile('shop/cart.py', 'class Cart');
    const hover = await hoverUntil('class Cart:', 'Cart', /Docs:/);
    await hover.locator('a', { hasText: /shop\/cart\.py$/ }).last().click();
    await until('the page of shop/cart.py in the preview', () => previewTitle(/^shop\/cart\.py$/), { timeout: 30_000 });
    await shot('hover-link');
  });

  await step('Export Documentation writes the doc set', async () => {
    await runCommand('RepoDoc: Export Documentation');
    const out = join(ws, 'docs', 'repodoc');
    await until('docs/repodoc/index.md and shop/cart.py_docs.md', () =>
      existsSync(join(out, 'index.md')) && existsSync(join(out, 'shop', 'cart.py_docs.md')),
    );
    await page
      .locator('.notifications-toasts', { hasText: 'exported documentation' })
      .first()
      .waitFor({ timeout: 30_000 });
    const page0 = readFileSync(join(out, 'shop', 'cart.py_docs.md'), 'utf8');
    if (!page0.includes('Holds items until checkout')) {
      throw new Error('shop/cart.py_docs.md does not hold the class docstring');
    }
    await shot('export');
  });

  await step('the bundled server ran with the bare interpreter, outside the workspace', async () => {
    const text = await until(
      "the server's version line in the RepoDoc log",
      () => {
        const found = collectLogs().find((p) => /RepoDoc/.test(p) && /\(bundled: /.test(readFileSync(p, 'utf8')));
        return found && readFileSync(found, 'utf8');
      },
      { timeout: 30_000 },
    );
    const line = text.split('\n').find((l) => l.includes('(bundled: '));
    log(`server: ${line.trim()}`);
    if (!line.includes(dirs.x) || !line.includes(`at ${PYTHON}`)) {
      throw new Error(`expected the server under ${dirs.x} run by ${PYTHON}: ${line}`);
    }
    const start = text.split('\n').find((l) => l.includes('starting '));
    if (!start || !start.includes(`) in ${dirs.x}`)) {
      throw new Error(`the server was not started in the extension's folder: ${start}`);
    }
    if (existsSync(SHADOW_MARK)) {
      throw new Error(`the workspace's own modules ran: ${readFileSync(SHADOW_MARK, 'utf8')}`);
    }
  });
} catch (error) {
  failed = true;
  results.push({ name: 'setup', ok: false, error: error.message });
  log(`ERROR ${error.stack || error.message}`);
  if (page) {
    await shot('error');
  }
} finally {
  if (failed) {
    printRepoDocLog();
  } else {
    collectLogs();
  }
  writeFileSync(join(OUTPUT, 'results.json'), JSON.stringify(results, null, 2));
  await browser?.close().catch(() => undefined);
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await sleep(500);
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (failed && process.env.E2E_KEEP) {
    log(`kept the run folder ${run}`);
  } else {
    rmSync(run, { recursive: true, force: true });
  }
}

const passed = results.filter((r) => r.ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(failed ? 1 : 0);
