import type { Desk, Library } from '@branchline/protocol';
import { isOpenAt } from '../libraries/opening-hours.ts';
import { html, type SafeHtml } from './html.ts';
import { MESSAGES, type Locale } from './messages.ts';
import { renderPage } from './public-layout.ts';

export interface QuestionForm {
  email: string;
  name: string;
  message: string;
  errors: Array<'email' | 'message'>;
}

export const EMPTY_FORM: QuestionForm = { email: '', name: '', message: '', errors: [] };

export interface ChatPageData {
  library: Library;
  desks: Desk[];
  desk: Desk;
  now: Date;
  locale: Locale;
  form: QuestionForm;
  /** Set on the pages of a library other than the deployment's first: links then name it. */
  librarySlug?: string | undefined;
}

/** The query every link of a library's pages keeps: `library=…&` for any but the first library. */
export function scopeOf(librarySlug: string | undefined): string {
  return librarySlug === undefined ? '' : `library=${encodeURIComponent(librarySlug)}&`;
}

/**
 * The full-page chat: the widget in page mode, and — for a browser without JavaScript — a
 * form that leaves the question to be answered by email.
 */
export function renderChatPage({ library, desks, desk, now, locale, form, librarySlug }: ChatPageData): string {
  const t = MESSAGES[locale];
  const scope = scopeOf(librarySlug);
  const body = html` <h1>${t.chatWithLibrarian}</h1>
    <p class="lead">${t.chatLead}</p>
    ${desks.length > 1 ? deskList(desks, desk, library, now, locale, scope) : ''}
    <h2 id="desk-name">${desk.name}</h2>
    <p>${desk.description}</p>
    <branchline-chat
      desk="${desk.slug}"
      mode="page"
      lang="${locale}"
      ${librarySlug === undefined ? '' : html`library="${librarySlug}"`}
    ></branchline-chat>
    ${form.errors.length > 0 ? questionForm(desk, locale, form, scope) : html`<noscript>${questionForm(desk, locale, form, scope)}</noscript>`}
    <script src="/widget.js" defer></script>`;
  return renderPage({
    locale,
    title: `${t.chatWithLibrarian} — ${library.name}`,
    libraryName: library.name,
    path: `/chat/${desk.slug}`,
    scope,
    body,
  });
}

function deskList(desks: Desk[], current: Desk, library: Library, now: Date, locale: Locale, scope: string): SafeHtml {
  const t = MESSAGES[locale];
  return html`<nav aria-labelledby="desks-heading">
    <h2 id="desks-heading">${t.chatDesks}</h2>
    <ul class="contact">
      ${desks.map((d) => {
        const open = isOpenAt(d.hours, now, library.timeZone);
        return html`<li>
          <a href="/chat/${d.slug}?${scope}lang=${locale}" ${d.id === current.id ? html` aria-current="page"` : ''}
            >${d.name}</a
          >
          <span class="muted">— ${open ? t.openNow : t.closedNow}</span>
        </li>`;
      })}
    </ul>
  </nav>`;
}

function questionForm(desk: Desk, locale: Locale, form: QuestionForm, scope: string): SafeHtml {
  const t = MESSAGES[locale];
  const invalid = (field: 'email' | 'message') => form.errors.includes(field);
  return html`<form
    method="post"
    action="/chat/${desk.slug}/question?${scope}lang=${locale}"
    class="card"
    aria-labelledby="question-heading"
    novalidate
  >
    <h3 id="question-heading">${t.noScriptIntro}</h3>
    ${
      form.errors.length > 0
        ? html`<div role="alert">
            <p>${t.fixErrors}</p>
            <ul>
              ${form.errors.map((e) => html`<li><a href="#q-${e}">${e === 'email' ? t.errorEmail : t.errorMessage}</a></li>`)}
            </ul>
          </div>`
        : ''
    }
    <p>
      <label for="q-email">${t.yourEmail}</label><br />
      <input
        id="q-email"
        name="email"
        type="email"
        autocomplete="email"
        required
        value="${form.email}"
        ${invalid('email') ? html` aria-invalid="true" aria-describedby="q-email-error"` : ''}
      />
      ${invalid('email') ? html`<br /><span id="q-email-error">${t.errorEmail}</span>` : ''}
    </p>
    <p>
      <label for="q-name">${t.yourName} (${t.optional})</label><br />
      <input id="q-name" name="name" type="text" autocomplete="name" maxlength="120" value="${form.name}" />
    </p>
    <p>
      <label for="q-message">${t.yourQuestion}</label><br />
      <textarea
        id="q-message"
        name="message"
        rows="5"
        maxlength="4000"
        required${invalid('message') ? html` aria-invalid="true" aria-describedby="q-message-error"` : ''}
      >
${form.message}</textarea>
      ${invalid('message') ? html`<br /><span id="q-message-error">${t.errorMessage}</span>` : ''}
    </p>
    <p><button type="submit">${t.sendQuestion}</button></p>
  </form>`;
}

export function renderQuestionThanks(library: Library, desk: Desk, locale: Locale, librarySlug?: string): string {
  const t = MESSAGES[locale];
  const scope = scopeOf(librarySlug);
  const body = html`<h1>${t.questionThanks}</h1>
    <p class="lead">${t.questionThanksLead}</p>
    <p><a href="/chat/${desk.slug}?${scope}lang=${locale}">${t.backToChat}</a></p>`;
  return renderPage({
    locale,
    title: `${t.questionThanks} — ${library.name}`,
    libraryName: library.name,
    path: `/chat/${desk.slug}`,
    scope,
    body,
  });
}

export function renderDeskNotFound(library: Library | undefined, locale: Locale, librarySlug?: string): string {
  const t = MESSAGES[locale];
  // An unknown library leads back to the deployment's own pages.
  const scope = library ? scopeOf(librarySlug) : '';
  return renderPage({
    locale,
    title: t.deskNotFound,
    libraryName: library?.name ?? 'Branchline',
    path: '/chat',
    scope,
    body: html`<h1>${t.deskNotFound}</h1>
      <p><a href="/chat?${scope}lang=${locale}">${t.chatWithLibrarian}</a></p>`,
  });
}
