import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/*
 * Checks for pages that show text people typed: nothing they wrote ran as code (no handler
 * attributes, no unsafe links, no dialogs, no global set), it shows literally, and it wraps.
 */

/** Dialogs any watched page opened (an executed `alert(1)` would land here). */
const dialogs: string[] = [];

export function watch(page: Page): Page {
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return page;
}

export async function newWatchedPage(context: BrowserContext): Promise<Page> {
  return watch(await context.newPage());
}

interface Findings {
  pwned: unknown;
  /** Elements, in the document or any shadow root, that carry an inline event handler attribute. */
  handlers: string[];
  /** Links anywhere on the page with a scheme other than http, https, mailto or tel. */
  unsafeLinks: string[];
}

/** Looks through the document and every open shadow root for what an executed payload leaves behind. */
export async function inspect(page: Page): Promise<Findings> {
  return page.evaluate(() => {
    const elements: Element[] = [];
    const collect = (root: Document | ShadowRoot) => {
      for (const element of root.querySelectorAll('*')) {
        elements.push(element);
        if (element.shadowRoot) collect(element.shadowRoot);
      }
    };
    collect(document);
    const handlers = elements.flatMap((element) =>
      element
        .getAttributeNames()
        .filter((name) => name.toLowerCase().startsWith('on'))
        .map((name) => `<${element.localName} ${name}>`),
    );
    const unsafeLinks = elements
      .filter(
        (element): element is HTMLAnchorElement => element instanceof HTMLAnchorElement && element.hasAttribute('href'),
      )
      // tel: is how the public pages link the library's own phone number.
      .filter((a) => !['http:', 'https:', 'mailto:', 'tel:'].includes(a.protocol))
      .map((a) => a.getAttribute('href') ?? '');
    return { pwned: (window as { __pwned?: unknown }).__pwned, handlers, unsafeLinks };
  });
}

export async function expectNothingRan(...pages: Page[]): Promise<void> {
  for (const page of pages) {
    const findings = await inspect(page);
    expect(findings, page.url()).toEqual({ pwned: undefined, handlers: [], unsafeLinks: [] });
  }
  expect(dialogs).toEqual([]);
}

/** The text a person sees in `container`: hidden helper text for screen readers left out. */
export async function shownText(container: Locator): Promise<string> {
  return container.evaluate((element) => {
    const copy = element.cloneNode(true) as Element;
    for (const hidden of copy.querySelectorAll('.visually-hidden, .sr-only')) hidden.remove();
    return copy.textContent ?? '';
  });
}

export async function expectShown(container: Locator, texts: readonly string[]): Promise<void> {
  await container.waitFor();
  for (const text of texts) {
    await expect.poll(() => shownText(container), { timeout: 15_000 }).toContain(text);
  }
}

/** The links inside `container`, as written, with their rel tokens. */
export async function linksIn(container: Locator): Promise<Array<{ href: string; rel: string[] }>> {
  return container.evaluate((element) =>
    [...element.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href') ?? '', rel: [...a.relList] })),
  );
}

/** Exactly the `expected` links in `container`, each http, https or mailto and opening without this page. */
export async function expectOnlySafeLinks(container: Locator, expected: readonly string[]): Promise<void> {
  const links = await linksIn(container);
  expect(new Set(links.map((link) => link.href))).toEqual(new Set(expected));
  for (const link of links) {
    expect(link.href).toMatch(/^(https?:\/\/|mailto:)/);
    expect(link.rel).toEqual(expect.arrayContaining(['noopener', 'noreferrer']));
  }
}

/** Nothing is wider than the window: no sideways scrolling of the page. */
export async function expectNoHorizontalOverflow(page: Page): Promise<void> {
  const sizes = await page.evaluate(() => {
    const { scrollWidth, clientWidth } = document.documentElement;
    // Names what sticks out: the elements holding text that runs past the window's right edge.
    const culprits = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node && culprits.size < 5; node = walker.nextNode()) {
      range.selectNodeContents(node);
      const parent = node.parentElement;
      if (parent && range.getBoundingClientRect().right > clientWidth + 1) {
        culprits.add(`${parent.localName}.${[...parent.classList].join('.')}`);
      }
    }
    return { scrollWidth, clientWidth, culprits: [...culprits] };
  });
  expect(sizes.scrollWidth, `${page.url()} is wider than the window: ${sizes.culprits.join(', ')}`).toBeLessThanOrEqual(
    sizes.clientWidth,
  );
}

/** The element needs no sideways scrolling of its own. */
export async function expectFitsWidth(element: Locator): Promise<void> {
  const sizes = await element.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(sizes.scrollWidth).toBeLessThanOrEqual(sizes.clientWidth);
}
