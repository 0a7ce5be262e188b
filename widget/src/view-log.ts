import { h, setText, show } from './dom.ts';
import { linkify } from './linkify.ts';
import { type Lang, type MessageKey, t } from './messages.ts';
import type { TimelineItem } from './timeline.ts';

interface Row {
  el: HTMLElement;
  delivery: HTMLElement | null;
  retry: HTMLButtonElement | null;
  state: string;
}

/** The words of a system event in the patron's language; '' for events not worth showing. */
export function systemText(item: Pick<TimelineItem, 'systemKind' | 'displayName' | 'body'>, lang: Lang): string {
  if (item.systemKind === null) return item.body;
  const name = item.displayName ?? t(lang, 'librarian');
  return t(lang, `sys_${item.systemKind}` as MessageKey, { name });
}

/** Message text with http(s) and mailto links built as elements; everything else stays text. */
function bodyNodes(text: string): Node[] {
  return linkify(text).map((part) =>
    part.href === undefined
      ? document.createTextNode(part.text)
      : h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer' }, part.text),
  );
}

/**
 * Keeps the transcript log in step with the timeline without rebuilding it, so the live region
 * announces only what is new.
 */
export class LogView {
  private readonly rows = new Map<string, Row>();

  constructor(
    readonly el: HTMLElement,
    private readonly lang: Lang,
    private readonly onRetry: (clientId: string) => void,
  ) {}

  render(items: TimelineItem[]): void {
    const nearBottom = this.el.scrollHeight - this.el.scrollTop - this.el.clientHeight < 80;
    let added = false;
    let previous: Element | null = null;
    const keep = new Set<string>();
    for (const item of items) {
      if (item.from === 'system' && systemText(item, this.lang) === '') continue;
      let row = this.rows.get(item.key);
      if (!row) {
        row = this.build(item);
        this.rows.set(item.key, row);
        added = true;
      }
      this.update(row, item);
      const expected: ChildNode | null = previous ? previous.nextSibling : this.el.firstChild;
      if (row.el !== expected) this.el.insertBefore(row.el, expected);
      previous = row.el;
      keep.add(item.key);
    }
    for (const [key, row] of this.rows) {
      if (keep.has(key)) continue;
      row.el.remove();
      this.rows.delete(key);
    }
    if (added && nearBottom) this.el.scrollTop = this.el.scrollHeight;
  }

  scrollToEnd(): void {
    this.el.scrollTop = this.el.scrollHeight;
  }

  private build(item: TimelineItem): Row {
    const lang = this.lang;
    if (item.from === 'system') {
      return { el: h('p', { class: 'msg system' }, systemText(item, lang)), delivery: null, retry: null, state: '' };
    }
    const who = item.from === 'patron' ? t(lang, 'you') : (item.displayName ?? t(lang, 'librarian'));
    const el = h('div', { class: `msg ${item.from}` }, h('p', { class: 'who' }, who));
    el.append(h('p', { class: 'text' }, ...bodyNodes(item.body)));
    if (item.from !== 'patron') return { el, delivery: null, retry: null, state: '' };
    const delivery = h('span', { class: 'delivery' });
    const retry = h('button', { type: 'button', class: 'retry link', hidden: true }, t(lang, 'retry'));
    retry.addEventListener('click', () => {
      if (item.clientId !== null) this.onRetry(item.clientId);
    });
    el.append(h('p', { class: 'meta' }, delivery, ' ', retry));
    return { el, delivery, retry, state: '' };
  }

  private update(row: Row, item: TimelineItem): void {
    if (!row.delivery || !row.retry || item.delivery === null || row.state === item.delivery) return;
    row.state = item.delivery;
    row.el.dataset.delivery = item.delivery;
    setText(row.delivery, t(this.lang, item.delivery));
    show(row.retry, item.delivery === 'failed');
  }
}
