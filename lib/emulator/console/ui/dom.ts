/// <reference lib="dom" />
/**
 * Building the page without markup strings: every text goes in through text nodes and attributes through
 * setAttribute, so a message body such as `<img src=x onerror=…>` is shown as text and never parsed as HTML.
 */

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | EventListener>;

/** `h('button', { type: 'button', onclick }, 'Send')`: an element with attributes, listeners and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A table with a caption, header cells and rows of cells. */
export function table(caption: string, headers: readonly string[], rows: readonly Child[][]): HTMLElement {
  const wrapper = h('div', { class: 'table-wrap' });
  append(
    wrapper,
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
      h(
        'tbody',
        {},
        ...(rows.length === 0
          ? [h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, 'None'))]
          : rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
      ),
    ),
  );
  return wrapper;
}

/** A description list of name → value. */
export function details(pairs: ReadonlyArray<readonly [string, Child]>): HTMLElement {
  const list = h('dl', { class: 'pairs' });
  for (const [name, value] of pairs) append(list, h('dt', {}, name), h('dd', {}, value));
  return list;
}

/** A labelled form field; the label's `for` names the control, so screen readers and tests find it by label. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 10)}`;
  control.id = id;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('small', {}, hint) : null,
  );
}

export function button(label: string, onclick: (event: Event) => void, kind = ''): HTMLButtonElement {
  return h('button', { type: 'button', class: kind, onclick: onclick as EventListener }, label);
}

export function link(href: string, text: string): HTMLAnchorElement {
  return h('a', { href }, text);
}

/** Shows a short status message to sighted and screen-reader users alike. */
export function toast(text: string, error = false): void {
  const element = document.getElementById('toast');
  if (!element) return;
  element.className = error ? 'toast error show' : 'toast show';
  element.textContent = text;
  window.setTimeout(() => {
    if (element.textContent === text) element.className = 'toast';
  }, 5_000);
}

/** A status line inside a section: where an action's outcome or error is written. */
export function statusLine(): HTMLElement & { say(text: string, error?: boolean): void } {
  const element = h('p', { class: 'status', role: 'status' }) as unknown as HTMLElement & {
    say(text: string, error?: boolean): void;
  };
  element.say = (text, error = false) => {
    element.textContent = text;
    element.classList.toggle('error', error);
  };
  return element;
}

export function time(ms: number | string | undefined | null): string {
  if (ms === undefined || ms === null) return '—';
  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? String(ms)
    : date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

/** Pretty-printed JSON when the text is JSON, else the text itself. */
export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
