/**
 * Puts "(2) Reply from the library" in front of the page's title while the tab is in the
 * background and a librarian has written, and gives the page its own title back when the patron
 * returns. A patron who waited in the queue on another tab sees in the tab strip that someone
 * answered, instead of missing the chat. The page may change its own title meanwhile: that
 * title is kept, and restored.
 */
export class TitleAlert {
  /** The page's own title while an alert is shown. */
  #own: string | null = null;
  /** The title this alert set, to tell it from one the page set since. */
  #shown: string | null = null;

  constructor(private readonly doc: { title: string }) {}

  /** `alert` is '' when there is nothing to say; `background` when the tab is hidden. */
  update(alert: string, background: boolean): void {
    if (!background || alert === '') return this.clear();
    if (this.#shown === null || this.doc.title !== this.#shown) this.#own = this.doc.title;
    const title = this.#own ? `${alert} · ${this.#own}` : alert;
    this.#shown = title;
    if (this.doc.title !== title) this.doc.title = title;
  }

  clear(): void {
    if (this.#shown !== null && this.doc.title === this.#shown && this.#own !== null) this.doc.title = this.#own;
    this.#shown = null;
    this.#own = null;
  }
}
