/** Tiny DOM builders. Text is always added as text nodes, never parsed as HTML. */
type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== false) el.append(child);
  return el;
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function show(el: HTMLElement, visible: boolean): void {
  if (el.hidden === visible) el.hidden = !visible;
}

/** A labelled input or textarea with its error line, wired with aria-describedby. */
export interface Field {
  wrap: HTMLElement;
  control: HTMLInputElement | HTMLTextAreaElement;
  error: HTMLElement;
}

export function field(id: string, label: string, control: HTMLInputElement | HTMLTextAreaElement): Field {
  control.id = id;
  const error = h('p', { id: `${id}-error`, class: 'error', hidden: true });
  control.setAttribute('aria-describedby', `${id}-error`);
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), control, error), control, error };
}

/** Shows or clears the error of a field; an empty message clears it. */
export function fieldError(f: Pick<Field, 'control' | 'error'>, message: string): void {
  setText(f.error, message);
  show(f.error, message !== '');
  if (message) f.control.setAttribute('aria-invalid', 'true');
  else f.control.removeAttribute('aria-invalid');
}

export function button(id: string, text: string, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', id, ...attrs }, text);
}
