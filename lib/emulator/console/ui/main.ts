/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The console's shell: the navigation, the hash router (one page load; the live event stream stays open while you
 * move between pages), the clock with its buttons, and the live events.
 */
import { type ClockState, getJson, postJson } from './api';
import { append, button, h, replace, toast } from './dom';
import { bucketsPage, functionsPage, stacksPage, topicsPage } from './resources';
import { fleetPage, metricsPage } from './monitoring';
import { queuesPage } from './queues';
import { streamsPage } from './streams';

/** An activity event as the stream sends it: the emulator's event object and its emulated time. */
export interface LiveEvent {
  readonly at: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** What a page gets: where to render, its route's parameters, and hooks cleared when the page is left. */
export interface PageContext {
  readonly main: HTMLElement;
  readonly params: readonly string[];
  /** Runs `fn` now and every `ms` while the page is shown. */
  every(ms: number, fn: () => void | Promise<void>): void;
  /** Calls `listener` for each live event while the page is shown. */
  onEvent(listener: (event: LiveEvent) => void): void;
  /** Whether the user is still on this page (an answer arriving late must not draw over another page). */
  readonly current: () => boolean;
}

type Page = (context: PageContext) => void | Promise<void>;

const PAGES: ReadonlyArray<{ readonly path: string; readonly title: string; readonly page: Page }> = [
  { path: 'stacks', title: 'Stacks', page: stacksPage },
  { path: 'queues', title: 'Queues', page: queuesPage },
  { path: 'topics', title: 'Topics', page: topicsPage },
  { path: 'buckets', title: 'Buckets', page: bucketsPage },
  { path: 'functions', title: 'Functions', page: functionsPage },
  { path: 'streams', title: 'Streams', page: streamsPage },
  { path: 'metrics', title: 'Metrics', page: metricsPage },
  { path: 'fleet', title: 'Fleet', page: fleetPage },
  { path: 'events', title: 'Events', page: eventsPage },
];

const events: LiveEvent[] = [];
const MAX_EVENTS = 500;
let eventListeners: Array<(event: LiveEvent) => void> = [];
let timers: number[] = [];
let generation = 0;

/** Draws the page the hash names; `moveFocus` (a navigation) puts the keyboard focus at the new page's start. */
function route(moveFocus = false): void {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, ...params] = hash.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const entry = PAGES.find((p) => p.path === path) ?? PAGES[0];
  for (const timer of timers) window.clearInterval(timer);
  timers = [];
  eventListeners = [];
  const mine = ++generation;
  const main = document.getElementById('main') as HTMLElement;
  for (const item of document.querySelectorAll('#nav a')) {
    if (item.getAttribute('href') === `#/${entry.path}`) item.setAttribute('aria-current', 'page');
    else item.removeAttribute('aria-current');
  }
  document.title = `${entry.title} · decoupled console`;
  document.getElementById('toast')?.classList.remove('show');
  replace(main);
  if (moveFocus) main.focus();
  const context: PageContext = {
    main,
    params: params.filter((p) => p !== ''),
    current: () => mine === generation,
    every(ms, fn) {
      const run = () => {
        if (mine !== generation) return;
        Promise.resolve(fn()).catch((error: unknown) => toast(String(error), true));
      };
      run();
      timers.push(window.setInterval(run, ms));
    },
    onEvent(listener) {
      eventListeners.push(listener);
    },
  };
  Promise.resolve(entry.page(context)).catch((error: unknown) => {
    if (context.current()) append(main, h('p', { class: 'status error', role: 'alert' }, String(error)));
  });
}

function eventText(event: LiveEvent): string {
  const { at: _at, kind, ...fields } = event;
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${kind} ${parts.join(' ')}`;
}

export function eventLine(event: LiveEvent): HTMLElement {
  return h(
    'li',
    { class: `event ${event.kind}` },
    h('time', {}, new Date(event.at).toISOString().slice(11, 19)),
    ' ',
    h('span', { class: 'kind' }, event.kind),
    ' ',
    eventText(event).slice(event.kind.length + 1),
  );
}

function eventsPage(context: PageContext): void {
  const filter = h('input', { type: 'search', id: 'event-filter', placeholder: 'queue, function, kind…' });
  const list = h('ol', { class: 'events', 'aria-live': 'polite' });
  const matches = (event: LiveEvent) =>
    filter.value === '' || eventText(event).toLowerCase().includes(filter.value.toLowerCase());
  const draw = () => replace(list, ...events.filter(matches).slice(-200).reverse().map(eventLine));
  filter.addEventListener('input', draw);
  append(
    context.main,
    h('h1', {}, 'Live events'),
    h('p', {}, "The same events as npm start's log, newest first, as they happen (server-sent events)."),
    h('div', { class: 'field' }, h('label', { for: 'event-filter' }, 'Filter events'), filter),
    list,
  );
  draw();
  context.onEvent((event) => {
    if (matches(event)) list.prepend(eventLine(event));
  });
}

function listen(): void {
  const source = new EventSource('/_console/api/events');
  source.addEventListener('activity', (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as LiveEvent;
    events.push(event);
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
    for (const listener of eventListeners) listener(event);
  });
}

/** The header's clock: its time and mode; with a manual or fast clock, buttons that move it. */
async function drawClock(): Promise<void> {
  const element = document.getElementById('clock') as HTMLElement;
  let clock: ClockState;
  try {
    clock = await getJson<ClockState>('/_emulator/clock');
  } catch (error) {
    replace(element, h('span', { class: 'error' }, `clock: ${String(error)}`));
    return;
  }
  const movable = clock.mode !== 'real';
  const label = clock.mode === 'fast' ? `fast ×${clock.factor}` : clock.mode;
  const existing = element.querySelector('time');
  if (existing && element.dataset.mode === clock.mode) {
    existing.textContent = clock.now.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return;
  }
  element.dataset.mode = clock.mode;
  const advance = (by: string) => async () => {
    try {
      const moved = await postJson<ClockState>('/_emulator/clock', { advance: by });
      toast(`Clock moved ${by} to ${moved.now}`);
      await drawClock();
      route();
    } catch (error) {
      toast(String(error), true);
    }
  };
  replace(
    element,
    h('span', { class: 'mode' }, `clock ${label}`),
    ' ',
    h('time', {}, clock.now.replace('T', ' ').replace(/\.\d+Z$/, 'Z')),
    movable
      ? h(
          'span',
          { class: 'advance', role: 'group', 'aria-label': 'Move the clock' },
          ...['1m', '10m', '1h'].map((by) => button(`+${by}`, advance(by))),
        )
      : h('small', { title: 'Start with --clock manual or --clock fast:N to move time' }, ' (real time)'),
  );
}

function start(): void {
  const nav = document.getElementById('nav') as HTMLElement;
  replace(nav, ...PAGES.map((p) => h('li', {}, h('a', { href: `#/${p.path}` }, p.title))));
  window.addEventListener('hashchange', () => route(true));
  // the skip link moves the focus without touching the hash, which names the page
  document.querySelector('.skip')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main')?.focus();
  });
  listen();
  route();
  void drawClock();
  window.setInterval(() => void drawClock(), 2_000);
}

start();
