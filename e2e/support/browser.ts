import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';

/** Debian's Chromium; the suite never downloads a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../artifacts');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const isChromiumRequired = process.env['REQUIRE_SERVICES'] === '1';
const isChromiumMissing = !fs.existsSync(CHROMIUM_PATH);

if (isChromiumMissing && isChromiumRequired) {
  // Fails every browser suite at once, before any server is started for it.
  throw new Error(`Chromium is required (REQUIRE_SERVICES=1) but ${CHROMIUM_PATH} does not exist.`);
}
if (isChromiumMissing) {
  process.stderr.write(
    `Skipping browser tests: Chromium is not at ${CHROMIUM_PATH} (apt-get install -y chromium). ` +
      'Set REQUIRE_SERVICES=1 to fail instead.\n',
  );
}

/** True when browser suites should be skipped: Chromium is missing and REQUIRE_SERVICES is not 1. */
export const isBrowserUnavailable = isChromiumMissing && !isChromiumRequired;

/**
 * `describe` for suites that need Chromium: skipped when it is missing (with REQUIRE_SERVICES=1,
 * importing this module has already failed the file).
 */
export const describeInBrowser = describe.skipIf(isBrowserUnavailable);

export async function launchChromium(): Promise<Browser> {
  if (isChromiumMissing) {
    throw new Error(`Chromium is required (REQUIRE_SERVICES=1) but ${CHROMIUM_PATH} does not exist.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** What every test's browser context starts with; a suite's own options are laid over it. */
export const DEFAULT_CONTEXT_OPTIONS: BrowserContextOptions = {
  viewport: { width: 1280, height: 800 },
  locale: 'en-US',
  timezoneId: 'UTC',
  colorScheme: 'light',
  reducedMotion: 'reduce',
};

/** Per action: a missing element fails with Playwright's message well before the test timeout. */
const ACTION_TIMEOUT_MS = 15_000;

export interface BrowserSession {
  readonly browser: Browser;
  /** A fresh context for each test: no cookies or storage carried from the previous one. */
  readonly context: BrowserContext;
  readonly page: Page;
  /**
   * Another isolated context in the same test, e.g. a patron's widget beside a librarian's console.
   * It is closed with the test, and screenshotted with the others when the test fails.
   */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/**
 * Launches Chromium for the file and gives each test a new context and page. `contextOptions`
 * is read when each context is made, so it can use a server started in an earlier beforeAll:
 * `useBrowser(() => ({ baseURL: server.baseUrl }))`. On failure every open page is saved as a
 * PNG in e2e/artifacts/.
 */
export function useBrowser(contextOptions: () => BrowserContextOptions = () => ({})): BrowserSession {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let page: Page | undefined;

  async function newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    if (!browser) throw new Error('the browser is not running: use it inside a test or a hook');
    const context = await browser.newContext({ ...DEFAULT_CONTEXT_OPTIONS, ...contextOptions(), ...options });
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    contexts.push(context);
    return context;
  }

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    page = await (await newContext()).newPage();
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await saveScreenshots(contexts, task.name);
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
    page = undefined;
  });

  return {
    get browser() {
      if (!browser) throw new Error('the browser is not running');
      return browser;
    },
    get context() {
      const [first] = contexts;
      if (!first) throw new Error('no browser context: use it inside a test');
      return first;
    },
    get page() {
      if (!page) throw new Error('no page: use it inside a test');
      return page;
    },
    newContext,
  };
}

async function saveScreenshots(contexts: readonly BrowserContext[], testName: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const base =
    testName
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'test';
  const pages = contexts.flatMap((context) => context.pages());
  await Promise.all(
    pages.map(async (page, index) => {
      const file = path.join(ARTIFACTS_DIR, `${base}${pages.length > 1 ? `-${index + 1}` : ''}.png`);
      // A page that crashed or closed cannot be captured; the test's own error says more.
      await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    }),
  );
}
