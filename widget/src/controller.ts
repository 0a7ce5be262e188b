import type { DeskAvailability, PatronClientFrame } from '@branchline/protocol';
import { browserTransport, fetchDesk, leaveQuestion } from './api.ts';
import type { WidgetConfig } from './config.ts';
import { ChatConnection } from './connection.ts';
import { type MessageProblem, checkMessage, newClientId } from './contract.ts';
import { type Lang, type MessageKey, t } from './messages.ts';
import { beginChat } from './start.ts';
import { transcriptFileName, transcriptText } from './transcript-file.ts';
import { type SavedChat, type StorageLike, browserKey, clearChat, emptyChat, loadChat, saveChat } from './store.ts';
import { unacked } from './timeline.ts';
import { ApiError, type ChatTransport } from './transport.ts';
import { TitleAlert } from './title-alert.ts';
import { TypingSignal } from './typing.ts';
import { type DeskState, type ViewActions, type ViewModel, buildViewModel } from './view-model.ts';
import { ChatView } from './view.ts';

const DESK_FRESH_MS = 60_000;
const NOTICE_MS = 10_000;
const LANG_KEY = 'branchline-chat:lang';

/** Words for an error code, for the one-off actions (end, identify, rating, transcript, question). */
function errorText(lang: Lang, code: string, invalid: MessageKey = 'genericError'): string {
  if (code === 'rate_limited') return t(lang, 'rateLimited');
  if (code === 'forbidden') return t(lang, 'blocked');
  if (code === 'network') return t(lang, 'unreachable');
  if (code === 'validation_failed') return t(lang, invalid);
  return t(lang, 'genericError');
}

/** Ties the connection, the saved chat and the view together for one <branchline-chat> element. */
export class ChatController implements ViewActions {
  private lang: Lang;
  private view: ChatView;
  private conn: ChatConnection;
  private readonly transport: ChatTransport;
  private open: boolean;
  private desk: DeskAvailability | null = null;
  private deskState: DeskState = 'idle';
  private deskAt = 0;
  private blocked = false;
  private expired = false;
  private chatAnyway = false;
  private askingInstead = false;
  private questionSent = false;
  private questionClientId = newClientId();
  private focusWhenReady = false;
  private notice = '';
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private saveQueued = false;
  private online = navigator.onLine !== false;
  private lastStatus = '';
  private lastTyping = '';
  private announcedSeq = 0;
  private readonly starter: ReturnType<typeof beginChat>;
  private readonly typingSignal = new TypingSignal((isTyping) => this.conn.typingChanged(isTyping));
  private readonly titleAlert = new TitleAlert(document);

  constructor(
    private readonly shadow: ShadowRoot,
    private readonly config: WidgetConfig,
    private readonly storage: StorageLike | null,
    /** Long-lived storage, for the browser's key only. */
    private readonly keys: StorageLike | null = null,
  ) {
    this.lang = config.mode === 'launcher' ? (storedLang(storage) ?? config.lang) : config.lang;
    this.open = config.mode === 'page';
    this.transport = browserTransport(config.base);
    const saved = loadChat(storage, chatKey(config), config.base);
    this.conn = this.connectionFor(saved ?? emptyChat());
    this.announcedSeq = this.conn.chat.lastSeq;
    this.starter = beginChat({
      base: config.base,
      desk: config.desk,
      library: config.library,
      language: () => this.lang,
      connection: () => this.conn,
      changed: () => this.changed(),
      refused: (reason) => this.refused(reason),
      problem: (code) => this.showNotice(code === 'rate_limited' ? 'rateLimited' : 'genericError'),
      browser: () => browserKey(this.keys),
    });
    this.view = this.buildView();
  }

  connect(): void {
    window.addEventListener('online', this.onNetwork);
    window.addEventListener('offline', this.onNetwork);
    document.addEventListener('visibilitychange', this.onVisibility);
    const chat = this.conn.chat;
    if (chat.token !== null && !this.conn.isEnded) this.conn.start();
    else if (chat.token === null && unacked(chat).length > 0) this.starter.start();
    if (this.open) this.ensureDesk();
    this.render();
  }

  disconnect(): void {
    window.removeEventListener('online', this.onNetwork);
    window.removeEventListener('offline', this.onNetwork);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.typingSignal.stop();
    this.starter.stop();
    this.conn.stop();
    clearTimeout(this.noticeTimer);
    this.titleAlert.clear();
    this.view.destroy();
  }

  /** The element's language changed (its lang attribute, or the patron's switch). */
  setLang(lang: Lang, focusSwitch = false): void {
    if (lang === this.lang) return;
    this.lang = lang;
    const draft = this.view.draft;
    this.view.destroy();
    this.view = this.buildView();
    this.view.draft = draft;
    this.render();
    if (focusSwitch) this.view.focusLanguageSwitch();
  }

  // ---- what the patron does ------------------------------------------------------------------

  toggle(open: boolean): void {
    if (this.config.mode === 'page' || open === this.open) return;
    this.open = open;
    if (!open) this.typingSignal.stop();
    if (open) this.ensureDesk();
    this.render();
    if (!open) return this.view.focusLauncher();
    this.focusWhenReady = this.model().screen === 'loading';
    this.view.focusPanel();
  }

  send(text: string): MessageProblem | null {
    const problem = checkMessage(text);
    if (problem !== null) return problem;
    this.typingSignal.stop();
    this.clearNotice();
    this.conn.send(text);
    if (this.conn.chat.token === null) this.starter.start();
    return null;
  }

  typed(hasText: boolean): void {
    if (this.conn.chat.token !== null && !this.conn.isEnded) this.typingSignal.input(hasText);
  }

  retryMessage(clientId: string): void {
    this.conn.retry(clientId);
    if (this.conn.chat.token === null) this.starter.start();
  }

  async end(): Promise<string> {
    const error = await this.request({ type: 'end' });
    const conversation = this.conn.chat.conversation;
    // The server's state frame normally says so first; do not wait for it to show the end.
    if (!error && conversation && !this.conn.isEnded) {
      conversation.status = conversation.status === 'queued' ? 'abandoned' : 'resolved';
      this.changed();
    }
    return error;
  }

  identify(name: string, email: string): Promise<string> {
    return this.request({ type: 'identify', ...(name ? { name } : {}), ...(email ? { email } : {}) }, 'emailInvalid');
  }

  async rate(score: number, comment: string): Promise<string> {
    const error = await this.request({ type: 'rating.submit', score, comment });
    if (!error) this.view.announce(t(this.lang, 'ratingThanks'));
    return error;
  }

  async transcript(email: string): Promise<string> {
    const error = await this.request({ type: 'transcript.request', email }, 'emailInvalid');
    if (!error) this.view.announce(t(this.lang, 'transcriptSent'));
    return error;
  }

  /** The chat as a text file in the patron's downloads: theirs to keep, whatever happens to email. */
  saveCopy(): void {
    const events = this.conn.chat.events;
    const text = transcriptText(events, this.lang, this.model().subtitle || t(this.lang, 'title'));
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = transcriptFileName(events);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    this.view.announce(t(this.lang, 'copySaved'));
  }

  private browserField(): { browser?: string } {
    const browser = browserKey(this.keys);
    return browser === undefined ? {} : { browser };
  }

  async leaveQuestion(email: string, name: string, message: string): Promise<string> {
    try {
      await leaveQuestion(this.config.base, {
        desk: this.config.desk,
        clientId: this.questionClientId,
        email,
        ...(name ? { name } : {}),
        message,
        language: this.lang,
        ...this.browserField(),
        ...(this.config.library ? { library: this.config.library } : {}),
      });
    } catch (error) {
      return errorText(this.lang, error instanceof ApiError ? error.code : 'network');
    }
    this.questionSent = true;
    this.questionClientId = newClientId();
    this.render();
    this.view.announce(t(this.lang, 'questionSent'));
    return '';
  }

  newChat(): void {
    this.starter.stop();
    this.conn.stop();
    clearChat(this.storage, chatKey(this.config));
    this.conn = this.connectionFor(emptyChat());
    this.expired = false;
    this.chatAnyway = false;
    this.askingInstead = false;
    this.questionSent = false;
    this.clearNotice();
    this.view.destroy();
    this.view = this.buildView();
    this.ensureDesk();
    this.render();
    this.focusWhenReady = this.model().screen === 'loading';
    this.view.focusPanel();
  }

  retryDesk(): void {
    this.focusWhenReady = true;
    void this.loadDesk();
  }

  chatInstead(): void {
    this.chatAnyway = true;
    this.render();
    this.view.focusPanel();
  }

  askInstead(): void {
    this.askingInstead = true;
    this.render();
    const mine = this.conn.chat.events.filter((e) => e.from === 'patron' && e.type === 'message');
    this.view.focusQuestion(mine.map((e) => e.body).join('\n\n'));
  }

  switchLang(): void {
    const lang: Lang = this.lang === 'en' ? 'es' : 'en';
    try {
      this.storage?.setItem(LANG_KEY, lang);
    } catch {
      // Not remembered across pages; fine.
    }
    this.setLang(lang, true);
  }

  // ---- what the server and the browser do -----------------------------------------------------

  private connectionFor(chat: SavedChat): ChatConnection {
    return new ChatConnection(this.transport, chat, {
      changed: () => this.changed(),
      problem: (code) => this.showNotice(code === 'rate_limited' ? 'rateLimited' : 'genericError'),
      terminal: (reason) => this.refused(reason === 'blocked' ? 'blocked' : 'expired'),
    });
  }

  /** The server will not go on with this chat: the patron is blocked, or the chat is gone. */
  private refused(reason: 'blocked' | 'expired' | 'missing'): void {
    clearChat(this.storage, chatKey(this.config));
    this.conn.stop();
    if (reason === 'blocked') this.blocked = true;
    else if (reason === 'missing') this.deskState = 'missing';
    else this.expired = true;
    // Whatever never reached the server goes back into the message box.
    const unsent = this.conn.discardUnsent().map((item) => item.body);
    if (unsent.length > 0 && !this.view.draft) this.view.draft = unsent.join('\n\n');
    if (reason !== 'expired') this.conn = this.connectionFor(emptyChat());
    this.render();
  }

  private readonly onNetwork = (): void => {
    this.online = navigator.onLine !== false;
    this.conn.setNetwork(this.online);
    if (this.online) this.starter.retryNow();
    this.render();
  };

  private readonly onVisibility = (): void => {
    if (document.visibilityState !== 'visible') return;
    this.conn.wake();
    this.render();
  };

  private async request(frame: PatronClientFrame, invalid: MessageKey = 'genericError'): Promise<string> {
    const failure = await this.conn.request(frame);
    return failure ? errorText(this.lang, failure.code, invalid) : '';
  }

  private ensureDesk(): void {
    const chat = this.conn.chat;
    if (chat.token !== null || chat.outbox.length > 0 || this.deskState === 'loading') return;
    if (this.deskState === 'ready' && Date.now() - this.deskAt < DESK_FRESH_MS) return;
    void this.loadDesk();
  }

  private async loadDesk(): Promise<void> {
    this.deskState = 'loading';
    this.render();
    try {
      this.desk = await fetchDesk(this.config.base, this.config.desk, this.config.library);
      this.deskState = 'ready';
      this.deskAt = Date.now();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.deskState = 'missing';
      else this.deskState = this.desk ? 'ready' : 'error';
    }
    this.render();
    if (this.focusWhenReady && this.open) this.view.focusPanel();
    this.focusWhenReady = false;
  }

  private showNotice(key: MessageKey): void {
    this.notice = t(this.lang, key);
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.clearNotice(), NOTICE_MS);
    this.render();
  }

  private clearNotice(): void {
    clearTimeout(this.noticeTimer);
    if (this.notice === '') return;
    this.notice = '';
    this.render();
  }

  private changed(): void {
    if (!this.saveQueued && !this.expired) {
      this.saveQueued = true;
      queueMicrotask(() => {
        this.saveQueued = false;
        if (!this.expired && !this.blocked)
          saveChat(this.storage, chatKey(this.config), this.config.base, this.conn.chat);
      });
    }
    this.render();
  }

  // ---- what the view shows ------------------------------------------------------------------

  private buildView(): ChatView {
    return new ChatView(this.shadow, this.config.mode, this.lang, this);
  }

  private render(): void {
    const model = this.model();
    this.view.render(model);
    if (this.config.titleAlert) this.titleAlert.update(model.titleAlert, document.visibilityState === 'hidden');
    this.announce(model);
    if (this.open && document.visibilityState === 'visible') this.conn.markRead();
  }

  /** Status and typing changes through the polite status region; new staff messages while closed. */
  private announce(model: ViewModel): void {
    if (this.open && model.status !== this.lastStatus && model.status !== '') this.view.announce(model.status);
    this.lastStatus = model.status;
    if (model.typing !== '' && model.typing !== this.lastTyping) this.view.announce(model.typing);
    this.lastTyping = model.typing;
    const chat = this.conn.chat;
    if (!this.open) {
      const fresh = chat.events.filter((e) => e.from === 'staff' && e.type === 'message' && e.seq > this.announcedSeq);
      const last = fresh[fresh.length - 1];
      if (last)
        this.view.announce(t(this.lang, 'newMessageFrom', { name: last.displayName ?? t(this.lang, 'librarian') }));
    }
    this.announcedSeq = chat.lastSeq;
  }

  private model(): ViewModel {
    return buildViewModel({
      lang: this.lang,
      open: this.open,
      label: this.config.label,
      chat: this.conn.chat,
      link: this.conn.link,
      typing: this.conn.typing,
      online: this.online,
      desk: this.desk,
      deskState: this.deskState,
      blocked: this.blocked,
      expired: this.expired,
      chatAnyway: this.chatAnyway,
      askingInstead: this.askingInstead,
      questionSent: this.questionSent,
      notice: this.notice,
    });
  }
}

/** Where a desk's chat is kept in the tab: per library too, when the page names one. */
function chatKey(config: WidgetConfig): string {
  return config.library ? `${config.library}/${config.desk}` : config.desk;
}

function storedLang(storage: StorageLike | null): Lang | null {
  try {
    const value = storage?.getItem(LANG_KEY);
    return value === 'en' || value === 'es' ? value : null;
  } catch {
    return null;
  }
}
