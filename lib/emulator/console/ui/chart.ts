/// <reference lib="dom" />
/**
 * Line charts as SVG, no chart library: time on x, one polyline per series (steps for capacities), a legend, and
 * a text summary for screen readers (role="img" with the latest value of each series).
 */

export interface Series {
  readonly label: string;
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  /** Draw as steps (a capacity holds until it changes). */
  readonly step?: boolean;
  /** Dashed, so a line drawn over an equal one still shows both. */
  readonly dashed?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly from: number;
  readonly to: number;
  /** Shaded spans with a label (alarm states), drawn behind the lines. */
  readonly bands?: ReadonlyArray<{ readonly from: number; readonly to: number; readonly label: string }>;
  readonly minY?: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 560;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
const COLORS = ['#1f6feb', '#d9480f', '#2b8a3e', '#9c36b5', '#e67700', '#0b7285'];

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function text(x: number, y: number, content: string, anchor = 'middle', cls = 'axis'): SVGTextElement {
  const element = svg('text', { x, y, 'text-anchor': anchor, class: cls });
  element.textContent = content;
  return element;
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function clockLabel(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

export function lineChart(series: readonly Series[], options: ChartOptions): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.textContent = options.title;
  const summary = series
    .map((s) => `${s.label}: ${s.values.length ? `latest ${s.values.at(-1)}` : 'no data'}`)
    .join('; ');
  const root = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `${options.title}. ${summary}`,
    preserveAspectRatio: 'none',
  });
  const span = Math.max(1, options.to - options.from);
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const top = niceMax(Math.max(0, ...all));
  const bottom = Math.min(options.minY ?? 0, ...all);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) => PAD.left + ((t - options.from) / span) * plotW;
  const y = (v: number) => PAD.top + plotH - ((v - bottom) / Math.max(1e-9, top - bottom)) * plotH;
  for (const [index, band] of (options.bands ?? []).entries()) {
    const from = Math.max(options.from, band.from);
    const to = Math.min(options.to, band.to);
    if (to <= from) continue;
    root.appendChild(
      svg('rect', { x: x(from), y: PAD.top, width: x(to) - x(from), height: plotH, class: 'band' }),
    );
    // a band starting late in the range is labelled from its right end, so the label stays inside the chart
    const late = x(from) > WIDTH * 0.6;
    const labelY = PAD.top + 10 + 12 * (index % 3);
    root.appendChild(
      text(late ? x(to) - 3 : x(from) + 3, labelY, band.label, late ? 'end' : 'start', 'band-label'),
    );
  }
  for (let i = 0; i <= 4; i++) {
    const value = bottom + ((top - bottom) * i) / 4;
    root.appendChild(
      svg('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value), class: 'grid' }),
    );
    root.appendChild(text(PAD.left - 4, y(value) + 4, String(Math.round(value * 100) / 100), 'end'));
  }
  for (let i = 0; i <= 4; i++) {
    const t = options.from + (span * i) / 4;
    root.appendChild(text(x(t), HEIGHT - 8, clockLabel(t), i === 0 ? 'start' : i === 4 ? 'end' : 'middle'));
  }
  series.forEach((s, index) => {
    const points: string[] = [];
    s.timestamps.forEach((t, i) => {
      const v = s.values[i];
      if (!Number.isFinite(v)) return;
      if (s.step && points.length > 0) points.push(`${x(t)},${points.at(-1)!.split(',')[1]}`);
      points.push(`${x(t)},${y(v)}`);
    });
    // a step series holds its last value to the end of the range
    if (s.step && points.length > 0) points.push(`${x(options.to)},${points.at(-1)!.split(',')[1]}`);
    const color = COLORS[index % COLORS.length];
    if (points.length === 1) {
      const [px, py] = points[0].split(',');
      root.appendChild(svg('circle', { cx: px, cy: py, r: 3, fill: color }));
    } else if (points.length > 1) {
      const line = svg('polyline', {
        points: points.join(' '),
        fill: 'none',
        stroke: color,
        'stroke-width': 2,
      });
      if (s.dashed) line.setAttribute('stroke-dasharray', '6 4');
      root.appendChild(line);
    }
  });
  const legend = document.createElement('ul');
  legend.className = 'legend';
  series.forEach((s, index) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = COLORS[index % COLORS.length];
    item.append(swatch, `${s.label}${s.values.length ? ` (latest ${s.values.at(-1)})` : ' (no data)'}`);
    legend.appendChild(item);
  });
  figure.append(caption, root, legend);
  return figure;
}
