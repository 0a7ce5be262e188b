import type { Hours } from '@branchline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectsUnderTest } from '../../test/databases.ts';
import { buildBranch, buildLibrary } from '../../test/factories.ts';
import { buildTestApp, type TestApp } from '../../test/test-app.ts';
import { seedDemoLibrary } from '../demo/demo.service.ts';
import { SafeHtml, escapeHtml, html } from './html.ts';
import { pickLocale } from './messages.ts';

const EVIL = '<script>alert(1)</script> & "Friends"';
const EVIL_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Friends&quot;';
/** Hours as shown on the page: times are separated by (narrow) no-break spaces in some locales. */
const squash = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const h1Of = (page: string) => /<h1>([\s\S]*?)<\/h1>/.exec(page)?.[1];
/** The text of the hours paragraph of the branch card whose h3 is `name` (as it appears in the HTML). */
const hoursOf = (page: string, name: string) => {
  const card = page.split('<article class="card">').find((c) => c.includes(`<h3>${name}</h3>`));
  return card === undefined ? undefined : squash(/<p aria-label="[^"]*">([^<]*)<\/p>/.exec(card)?.[1] ?? '');
};

describe.each(dialectsUnderTest())('public home page on %s', (dialect) => {
  describe('with the demo library', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect);
      await seedDemoLibrary(t.app.deps);
    });
    afterAll(() => t.close());
    const get = (url = '/', headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

    it('renders in English by default with the library name and a switch to Spanish', async () => {
      t.clock.set('2026-03-02T15:00:00.000Z'); // Monday 10:00 in New York
      const res = await get();
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-language']).toBe('en');
      expect(res.body).toMatch(/^<!doctype html><html lang="en">/);
      expect(h1Of(res.body)).toBe('Three Rivers Public Library, wherever you are');
      expect(res.body).toContain('<a class="lang" href="/?lang=es" hreflang="es" lang="es">Español</a>');
      expect(hoursOf(res.body, 'Main Library')).toBe('Open today: 9:00 AM – 8:00 PM');
      expect(hoursOf(res.body, 'Riverside Branch')).toBe('Closed today');
      expect(res.body).toContain('href="tel:4125550142"');
    });

    it('renders in Spanish for ?lang=es and for a Spanish Accept-Language', async () => {
      t.clock.set('2026-03-02T15:00:00.000Z');
      for (const res of [
        await get('/?lang=es'),
        await get('/', { 'accept-language': 'es-MX,es;q=0.9' }),
        await get('/', { 'accept-language': 'fr-CA, es;q=0.5, de;q=0.4' }),
      ]) {
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('<html lang="es">');
        expect(res.headers['content-language']).toBe('es');
        expect(h1Of(res.body)).toBe('Three Rivers Public Library, dondequiera que estés');
        expect(res.body).toContain('Sucursales y horario de hoy');
        expect(hoursOf(res.body, 'Main Library')).toBe('Abierto hoy: 9:00 – 20:00');
        expect(hoursOf(res.body, 'Riverside Branch')).toBe('Cerrado hoy');
        expect(res.body).toContain('href="/?lang=en"');
      }
      expect((await get('/', { 'accept-language': 'es-MX,es;q=0.9' })).headers.vary).toMatch(/accept-language/i);
    });

    it('lets ?lang=en win over a Spanish browser and ignores unknown languages', async () => {
      expect((await get('/?lang=en', { 'accept-language': 'es' })).body).toContain('<html lang="en">');
      expect((await get('/?lang=fr')).body).toContain('<html lang="en">');
    });

    it('shows a holiday as closed, with its note, judged by the library’s time zone', async () => {
      t.clock.set('2026-11-26T15:00:00.000Z');
      const thanksgiving = (await get()).body;
      expect(hoursOf(thanksgiving, 'Main Library')).toBe('Closed today (Thanksgiving Day)');
      expect(hoursOf(thanksgiving, 'Hillside Branch')).toBe('Closed today (Thanksgiving Day)');

      // 03:00 UTC on the 27th is still the evening of the 26th in New York.
      t.clock.set('2026-11-27T03:00:00.000Z');
      expect(hoursOf((await get()).body, 'Main Library')).toBe('Closed today (Thanksgiving Day)');
      t.clock.set('2026-11-27T15:00:00.000Z');
      expect(hoursOf((await get()).body, 'Main Library')).toBe('Open today: 9:00 AM – 8:00 PM');
    });

    it('shows a shortened day and escapes the note', async () => {
      t.clock.set('2026-12-25T02:00:00.000Z'); // 21:00 on Christmas Eve in New York
      expect(hoursOf((await get()).body, 'Main Library')).toBe('Open today: 10:00 AM – 2:00 PM (Christmas Eve)');
      t.clock.set('2027-01-01T17:00:00.000Z');
      expect(hoursOf((await get()).body, 'Main Library')).toBe('Closed today (New Year&#39;s Day)');
    });
  });

  describe('with a library built by factories', () => {
    let t: TestApp;
    const sundayEvening: Hours = {
      weekly: {
        mon: [{ opens: '09:00', closes: '17:00' }],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [],
        sun: [{ opens: '20:00', closes: '22:00' }],
      },
      exceptions: [{ date: '2026-07-04', note: '<b>Independence</b> Day', intervals: [] }],
    };
    beforeAll(async () => {
      t = await buildTestApp(dialect);
      const library = await buildLibrary(t.app.deps.db, {
        name: EVIL,
        time_zone: 'America/Los_Angeles',
        contact_email: 'ask@lib.example',
      });
      await buildBranch(t.app.deps.db, library.id, {
        name: EVIL,
        address: '<img src=x onerror=alert(1)>',
        hours_json: sundayEvening,
      });
      await buildBranch(t.app.deps.db, library.id, { name: 'Retired Branch', is_active: false });
    });
    afterAll(() => t.close());

    it('escapes names and addresses everywhere they appear', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('<script>alert');
      expect(res.body).not.toContain('<img src=x');
      expect(res.body).not.toContain('"Friends"');
      expect(h1Of(res.body)).toBe(`${EVIL_ESCAPED}, wherever you are`);
      expect(res.body).toContain(`<title>${EVIL_ESCAPED} — Virtual branch</title>`);
      expect(res.body).toContain(`<h3>${EVIL_ESCAPED}</h3>`);
      expect(res.body).toContain(`aria-label="Hours today at ${EVIL_ESCAPED}"`);
      expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(res.body).toContain('href="mailto:ask@lib.example"');
    });

    it('does not list inactive branches', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/' })).body).not.toContain('Retired Branch');
    });

    it('uses Sunday’s hours when it is already Monday in UTC but Sunday in Los Angeles', async () => {
      t.clock.set('2026-03-02T05:00:00.000Z'); // Sunday 21:00 PST
      expect(hoursOf((await t.app.inject({ method: 'GET', url: '/' })).body, EVIL_ESCAPED)).toBe(
        'Open today: 8:00 PM – 10:00 PM',
      );
      t.clock.set('2026-03-02T17:00:00.000Z'); // Monday 09:00 PST
      expect(hoursOf((await t.app.inject({ method: 'GET', url: '/' })).body, EVIL_ESCAPED)).toBe(
        'Open today: 9:00 AM – 5:00 PM',
      );
    });

    it('escapes an exception note', async () => {
      t.clock.set('2026-07-04T19:00:00.000Z');
      expect(hoursOf((await t.app.inject({ method: 'GET', url: '/' })).body, EVIL_ESCAPED)).toBe(
        'Closed today (&lt;b&gt;Independence&lt;/b&gt; Day)',
      );
    });
  });

  describe('with no library', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp(dialect);
    });
    afterAll(() => t.close());

    it('says the library is not set up, in either language', async () => {
      const en = await t.app.inject({ method: 'GET', url: '/' });
      expect(en.statusCode).toBe(200);
      expect(h1Of(en.body)).toBe('This library has not been set up yet.');
      const es = await t.app.inject({ method: 'GET', url: '/?lang=es' });
      expect(es.body).toContain('<html lang="es">');
      expect(h1Of(es.body)).toBe('Esta biblioteca aún no está configurada.');
    });
  });
});

describe('escapeHtml and html', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;',
    );
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('plain text, 100%')).toBe('plain text, 100%');
  });

  it('escapes interpolated values, including inside attributes', () => {
    const out = html`<a href="${'" onmouseover="alert(1)'}">${EVIL}</a>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(String(out)).toBe(`<a href="&quot; onmouseover=&quot;alert(1)">${EVIL_ESCAPED}</a>`);
  });

  it('keeps SafeHtml as it is, joins arrays and drops null, undefined and false', () => {
    // An alias: Prettier reformats literals tagged `html` as HTML, which would change the whitespace.
    const tag = html;
    const items = ['<one>', tag`<b>two</b>`].map((i) => tag`<li>${i}</li>`);
    expect(tag`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;one&gt;</li><li><b>two</b></li></ul>');
    expect(html`[${null}${undefined}${false}]`.value).toBe('[]');
    expect(html`${0} ${true} ${42}`.value).toBe('0 true 42');
  });
});

describe('pickLocale', () => {
  it('prefers ?lang=, then Accept-Language by quality, then English', () => {
    expect(pickLocale('es', 'en-US')).toBe('es');
    expect(pickLocale('en', 'es')).toBe('en');
    expect(pickLocale('fr', 'es')).toBe('es');
    expect(pickLocale(undefined, 'es-MX,es;q=0.9')).toBe('es');
    expect(pickLocale(undefined, 'en-US,es;q=0.9')).toBe('en');
    expect(pickLocale(undefined, 'en;q=0.3, es;q=0.8')).toBe('es');
    expect(pickLocale(undefined, 'fr-FR, de;q=0.9, es;q=0.1')).toBe('es');
    expect(pickLocale(undefined, 'ES-mx')).toBe('es');
  });

  it('falls back to English when nothing usable is asked for', () => {
    expect(pickLocale(undefined, undefined)).toBe('en');
    expect(pickLocale(undefined, '')).toBe('en');
    expect(pickLocale(undefined, 'fr, de')).toBe('en');
    expect(pickLocale(undefined, 'es;q=0')).toBe('en');
    expect(pickLocale(undefined, '*')).toBe('en');
  });
});

describe('public page styles', () => {
  it('sends its stylesheet as CSS, not as escaped text', async () => {
    const { renderPage } = await import('./public-layout.ts');
    const { html } = await import('./html.ts');
    const page = renderPage({ locale: 'en', title: 'T', libraryName: 'L', path: '/', body: html`<p>x</p>` });
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    expect(css).toContain('"Segoe UI"');
    expect(css).not.toContain('&quot;');
  });
});
