import type { Mode } from './config.ts';
import { button, h, setText, show } from './dom.ts';
import { type Lang, t } from './messages.ts';
import { css } from './styles.ts';
import { chatTools, composeForm, endedSection, questionSection } from './view-forms.ts';
import { LogView } from './view-log.ts';
import type { ViewActions, ViewModel } from './view-model.ts';

const ANNOUNCE_AFTER_MS = 1000;
const SVG = 'http://www.w3.org/2000/svg';

function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', path);
  svg.append(p);
  return svg;
}

function applyStyles(root: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // Older browsers: a <style> element (needs style-src 'unsafe-inline' under a strict CSP).
    root.append(h('style', {}, css));
  }
}

/** The widget's DOM inside its shadow root. Rebuilt from scratch when the language changes. */
export class ChatView {
  private readonly root: HTMLElement;
  private readonly launcher: HTMLButtonElement | null;
  private readonly launcherText = h('span', { id: 'bl-launcher-text' });
  private readonly panel: HTMLElement;
  private readonly subtitle = h('p', { id: 'bl-subtitle', class: 'sub' });
  private readonly status = h('p', { id: 'bl-status', class: 'status' });
  private readonly notice = h('p', { id: 'bl-notice', class: 'notice', role: 'alert' });
  private readonly announcer = h('div', {
    id: 'bl-announcer',
    class: 'sr-only',
    role: 'status',
    'aria-live': 'polite',
    'aria-atomic': 'true',
  });
  private readonly loading: HTMLElement;
  private readonly unavailable: HTMLElement;
  private readonly unavailableText = h('p', { id: 'bl-unavailable-text' });
  private readonly retryDesk: HTMLButtonElement;
  private readonly chat: HTMLElement;
  private readonly intro: HTMLElement;
  private readonly log: LogView;
  private readonly typing = h('p', { id: 'bl-typing', class: 'typing', hidden: true });
  private readonly compose: ReturnType<typeof composeForm>;
  private readonly tools: ReturnType<typeof chatTools>;
  private readonly ended: ReturnType<typeof endedSection>;
  private readonly question: ReturnType<typeof questionSection>;
  private pendingAnnouncement = '';
  private lastAnnouncement = '';
  private announceTimer: ReturnType<typeof setTimeout> | undefined;
  private model: ViewModel | null = null;

  constructor(
    private readonly shadow: ShadowRoot,
    readonly mode: Mode,
    readonly lang: Lang,
    private readonly actions: ViewActions,
  ) {
    shadow.replaceChildren();
    applyStyles(shadow);
    const launcherMode = mode === 'launcher';
    this.launcher = launcherMode
      ? h(
          'button',
          {
            type: 'button',
            id: 'bl-launcher',
            class: 'launcher',
            'aria-expanded': 'false',
            'aria-controls': 'bl-panel',
          },
          icon('M4 4h16v12H8l-4 4z'),
          this.launcherText,
        )
      : null;
    this.launcher?.addEventListener('click', () => actions.toggle(this.panel.hidden));

    const lang2 = t(lang, 'otherLanguageCode');
    const switchLang = button('bl-lang', t(lang, 'otherLanguage'), { class: 'link', lang: lang2 });
    switchLang.addEventListener('click', () => actions.switchLang());
    const hide = launcherMode ? button('bl-hide', '', { class: 'icon', 'aria-label': t(lang, 'hide') }) : null;
    hide?.append(icon('M6 6l12 12M18 6L6 18'));
    hide?.addEventListener('click', () => actions.toggle(false));
    const head = h(
      'div',
      { class: 'head' },
      h('div', { class: 'titles' }, h('h2', { id: 'bl-title' }, t(lang, 'title')), this.subtitle),
      launcherMode && switchLang,
      hide,
    );

    this.loading = h('p', { id: 'bl-loading', hidden: true }, t(lang, 'loading'));
    this.retryDesk = button('bl-retry-desk', t(lang, 'tryAgain'), { class: 'secondary' });
    this.retryDesk.addEventListener('click', () => actions.retryDesk());
    this.unavailable = h('div', { id: 'bl-unavailable', hidden: true }, this.unavailableText, this.retryDesk);
    this.question = questionSection(lang, actions);

    this.intro = h('p', { id: 'bl-intro', class: 'intro' }, t(lang, 'intro'));
    const logEl = h('div', {
      id: 'bl-log',
      class: 'log',
      role: 'log',
      'aria-live': 'polite',
      'aria-relevant': 'additions',
      'aria-label': t(lang, 'logLabel'),
      tabindex: '0',
    });
    this.log = new LogView(logEl, lang, (clientId) => actions.retryMessage(clientId));
    this.compose = composeForm(lang, actions);
    this.tools = chatTools(lang, actions);
    this.ended = endedSection(lang, actions);
    this.chat = h(
      'div',
      { id: 'bl-chat', class: 'chat', hidden: true },
      this.intro,
      logEl,
      this.typing,
      this.compose.el,
      this.tools.el,
      this.ended.el,
    );

    this.panel = h(
      'div',
      launcherMode
        ? {
            id: 'bl-panel',
            class: 'panel',
            role: 'dialog',
            'aria-modal': 'false',
            'aria-labelledby': 'bl-title',
            hidden: true,
          }
        : { id: 'bl-panel', class: 'panel', role: 'region', 'aria-labelledby': 'bl-title' },
      head,
      this.status,
      this.notice,
      h('div', { class: 'body' }, this.loading, this.unavailable, this.question.el, this.chat),
    );
    this.root = h('div', { class: `bl mode-${mode}`, lang }, this.launcher, this.panel, this.announcer);
    this.root.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !launcherMode || this.panel.hidden) return;
      event.stopPropagation();
      actions.toggle(false);
    });
    shadow.append(this.root);
  }

  get draft(): string {
    return this.compose.input.value;
  }

  set draft(text: string) {
    this.compose.input.value = text;
    this.compose.refresh();
  }

  render(model: ViewModel): void {
    const active = this.shadow.activeElement;
    const wasComposing = this.compose.el.contains(active) || this.tools.el.contains(active);
    this.model = model;
    if (this.launcher) {
      this.launcher.setAttribute('aria-expanded', String(model.open));
      setText(this.launcherText, model.launcherText);
      show(this.panel, model.open);
    }
    setText(this.subtitle, model.subtitle);
    show(this.subtitle, model.subtitle !== '');
    setText(this.status, model.status);
    // Kept in the page when empty so the alert is announced when words appear in it.
    setText(this.notice, model.notice);
    show(this.loading, model.screen === 'loading');
    show(this.unavailable, model.screen === 'unavailable');
    setText(this.unavailableText, model.unavailableText);
    show(this.retryDesk, model.canRetryDesk);
    show(this.question.el, model.screen === 'question');
    this.question.render(model);
    show(this.chat, model.screen === 'chat');
    show(this.intro, model.phase === 'intro' && model.items.length === 0);
    this.log.render(model.items);
    show(this.log.el, model.items.length > 0);
    setText(this.typing, model.typing);
    show(this.typing, model.typing !== '');
    const composing = model.phase === 'intro' || model.phase === 'compose';
    show(this.compose.el, composing);
    show(this.tools.el, model.phase === 'compose');
    show(this.ended.el, model.phase === 'ended' || model.phase === 'expired');
    this.ended.render(model);
    // Focus was in the message box that just went away: move it to the heading that replaced it.
    if (wasComposing && !composing && model.screen === 'chat') this.ended.title.focus();
  }

  /** Moves focus into the panel: the first thing the patron can do there. */
  focusPanel(): void {
    const model = this.model;
    if (!model) return;
    if (model.screen === 'question') {
      (model.questionSent ? this.question.title : this.question.firstField).focus();
    } else if (model.screen === 'chat' && (model.phase === 'intro' || model.phase === 'compose')) {
      this.compose.input.focus();
      this.log.scrollToEnd();
    } else if (model.screen === 'chat') {
      this.ended.title.focus();
    } else if (model.screen === 'unavailable' && model.canRetryDesk) {
      this.retryDesk.focus();
    } else {
      this.panel.querySelector<HTMLElement>('#bl-title')?.setAttribute('tabindex', '-1');
      this.panel.querySelector<HTMLElement>('#bl-title')?.focus();
    }
  }

  focusLanguageSwitch(): void {
    this.panel.querySelector<HTMLElement>('#bl-lang')?.focus();
  }

  focusLauncher(): void {
    this.launcher?.focus();
  }

  focusQuestion(prefill: string): void {
    this.question.prefill(prefill);
    this.question.firstField.focus();
  }

  /** Says `text` through the polite status region once it has held still for a second. */
  announce(text: string): void {
    this.pendingAnnouncement = text;
    clearTimeout(this.announceTimer);
    this.announceTimer = setTimeout(() => {
      const next = this.pendingAnnouncement;
      if (next === '' || next === this.lastAnnouncement) return;
      this.lastAnnouncement = next;
      setText(this.announcer, next);
    }, ANNOUNCE_AFTER_MS);
  }

  hasFocus(): boolean {
    return this.shadow.activeElement !== null;
  }

  destroy(): void {
    clearTimeout(this.announceTimer);
    this.shadow.replaceChildren();
  }
}
