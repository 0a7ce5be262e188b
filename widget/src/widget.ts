/**
 * The patron chat widget: a custom element any library page can embed with
 * <script src="https://your-branchline/widget.js" defer></script>
 * <branchline-chat desk="ask"></branchline-chat>
 */
import { pickMode, pickTitleAlert, serverBase } from './config.ts';
import { ChatController } from './controller.ts';
import { pickLang } from './messages.ts';
import { localStore, sessionStore } from './store.ts';

// Only readable while this script runs for the first time.
const current = document.currentScript;
const loadedFrom = current instanceof HTMLScriptElement && current.src ? current.src : null;

export class BranchlineChat extends HTMLElement {
  static readonly observedAttributes = ['lang'];
  private controller: ChatController | null = null;

  connectedCallback(): void {
    if (this.controller) return;
    const desk = (this.getAttribute('desk') ?? '').trim();
    if (!desk) return;
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const label = this.getAttribute('label')?.trim();
    this.controller = new ChatController(
      shadow,
      {
        base: serverBase(this.getAttribute('server'), loadedFrom, location.origin),
        desk,
        library: this.getAttribute('library')?.trim() || null,
        mode: pickMode(this.getAttribute('mode')),
        label: label ? label : null,
        lang: pickLang(this.closest('[lang]')?.getAttribute('lang')),
        titleAlert: pickTitleAlert(this.getAttribute('title-alert')),
      },
      sessionStore(),
      localStore(),
    );
    this.controller.connect();
    this.setAttribute('data-branchline', 'ready');
  }

  disconnectedCallback(): void {
    this.controller?.disconnect();
    this.controller = null;
  }

  attributeChangedCallback(name: string, previous: string | null, value: string | null): void {
    if (name === 'lang' && previous !== value && this.controller) {
      this.controller.setLang(pickLang(this.closest('[lang]')?.getAttribute('lang')));
    }
  }
}

if (!customElements.get('branchline-chat')) customElements.define('branchline-chat', BranchlineChat);
