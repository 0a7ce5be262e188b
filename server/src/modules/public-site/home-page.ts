import type { Branch, Library } from '@branchline/protocol';
import { formatClock, hoursOn } from '../libraries/opening-hours.ts';
import { html, type SafeHtml } from './html.ts';
import { MESSAGES, type Locale } from './messages.ts';
import { scopeOf } from './chat-page.ts';
import { renderPage } from './public-layout.ts';

export interface HomePageData {
  library: Library | undefined;
  branches: Branch[];
  now: Date;
  locale: Locale;
  /** Set on the home page of a library other than the deployment's first. */
  librarySlug?: string | undefined;
}

export function renderHomePage({ library, branches, now, locale, librarySlug }: HomePageData): string {
  const t = MESSAGES[locale];
  const scope = library ? scopeOf(librarySlug) : '';
  if (!library) {
    return renderPage({
      locale,
      title: 'Branchline',
      libraryName: 'Branchline',
      path: '/',
      body: html`<h1>${t.notSetUp}</h1>`,
    });
  }
  const contacts: SafeHtml[] = [];
  if (library.contactPhone) {
    contacts.push(
      html`<li>
        ${t.callUs}: <a href="tel:${library.contactPhone.replace(/[^0-9+]/g, '')}">${library.contactPhone}</a>
      </li>`,
    );
  }
  if (library.contactEmail) {
    contacts.push(html`<li>${t.emailUs}: <a href="mailto:${library.contactEmail}">${library.contactEmail}</a></li>`);
  }
  if (library.websiteUrl) {
    contacts.push(html`<li><a href="${library.websiteUrl}">${t.visitWebsite}</a></li>`);
  }
  const active = branches.filter((b) => b.isActive);
  const body = html` <h1>${t.heroTitle(library.name)}</h1>
    <p class="lead">${t.heroLead}</p>
    <p class="cta"><a class="button" href="/chat?${scope}lang=${locale}">${t.chatWithLibrarian}</a></p>
    ${
      contacts.length > 0
        ? html`<section aria-labelledby="reach">
            <h2 id="reach">${t.howToReach}</h2>
            <ul class="contact">
              ${contacts}
            </ul>
          </section>`
        : ''
    }
    <section aria-labelledby="help">
      <h2 id="help">${t.helpWith}</h2>
      <ul>
        ${t.helpTopics.map((topic) => html`<li>${topic}</li>`)}
      </ul>
    </section>
    <section aria-labelledby="locations">
      <h2 id="locations">${t.locations}</h2>
      ${active.length === 0 ? html`<p>${t.noLocations}</p>` : active.map((b) => branchCard(b, library.timeZone, now, locale))}
    </section>
    <p class="muted">${t.privacy}</p>`;
  return renderPage({
    locale,
    title: `${library.name} — ${t.virtualBranch}`,
    libraryName: library.name,
    path: '/',
    scope,
    body,
  });
}

function branchCard(branch: Branch, timeZone: string, now: Date, locale: Locale): SafeHtml {
  const t = MESSAGES[locale];
  const today = hoursOn(branch.hours, now, timeZone);
  const times = today.intervals.map((i) => `${formatClock(i.opens, locale)} – ${formatClock(i.closes, locale)}`);
  const hoursText = times.length === 0 ? t.closedToday : `${t.openToday}: ${times.join(` ${t.and} `)}`;
  return html`<article class="card">
    <h3>${branch.name}</h3>
    ${branch.address ? html`<p>${lines(branch.address)}</p>` : ''}
    ${branch.phone ? html`<p><a href="tel:${branch.phone.replace(/[^0-9+]/g, '')}">${branch.phone}</a></p>` : ''}
    <p aria-label="${t.hoursTodayLabel(branch.name)}">${hoursText}${today.note ? html` (${today.note})` : ''}</p>
  </article>`;
}

/** Each line of a multi-line value escaped on its own, joined with line breaks. */
function lines(text: string): SafeHtml[] {
  return text.split(/\r?\n/).map((line, i) => (i === 0 ? html`${line}` : html`<br />${line}`));
}
