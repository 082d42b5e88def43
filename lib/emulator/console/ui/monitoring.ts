/// <reference lib="dom" />
/**
 * Metrics (the app's own dashboards drawn from the emulated CloudWatch, alarms with their state history) and the
 * fleet (each Auto Scaling group's desired and running capacity over time beside its backlog and alarm states).
 */
import { getJson } from './api';
import { type Series, lineChart } from './chart';
import { append, details, field, h, replace, table, time } from './dom';
import type { PageContext } from './main';

interface Alarm {
  readonly name: string;
  readonly state: string;
  readonly reason?: string;
  readonly metric?: string;
  readonly threshold?: number;
  readonly comparison?: string;
  readonly history: ReadonlyArray<{ at: number; summary?: string }>;
}

const RANGES = ['15m', '1h', '3h', '12h', '1d', '1w'];
// a local session is minutes long: the last quarter hour shows a spike best
let chosenRange = '15m';

function rangePicker(onChange: () => void): HTMLElement {
  const select = h(
    'select',
    { id: 'range' },
    ...RANGES.map((r) => h('option', { value: r, selected: r === chosenRange }, r)),
  );
  select.addEventListener('change', () => {
    chosenRange = select.value;
    onChange();
  });
  return field('Time range', select);
}

function alarmTable(alarms: readonly Alarm[]): HTMLElement {
  return table(
    'Alarms',
    ['Alarm', 'State', 'Condition', 'State history'],
    alarms.map((a) => [
      a.name,
      h('span', { class: `badge state-${a.state}` }, a.state),
      `${a.metric ?? ''} ${a.comparison ?? ''} ${a.threshold ?? ''}`,
      a.history.length
        ? h(
            'details',
            {},
            h('summary', {}, `${a.history.length} changes`),
            h('ul', {}, ...a.history.map((e) => h('li', {}, `${time(e.at)} ${e.summary ?? ''}`))),
          )
        : '—',
    ]),
  );
}

export function metricsPage(context: PageContext): void {
  const body = h('div', {});
  const draw = async () => {
    const data = await getJson<{
      now: number;
      rangeMs: number;
      dashboards: ReadonlyArray<{
        name: string;
        stackName: string;
        widgets: ReadonlyArray<{ title: string; type: string; series: Series[]; note?: string }>;
      }>;
      alarms: Alarm[];
    }>(`/_console/api/metrics?range=${chosenRange}`);
    if (!context.current()) return;
    const from = data.now - data.rangeMs;
    replace(
      body,
      ...data.dashboards.map((d) =>
        h(
          'section',
          { class: 'dashboard' },
          h('h2', {}, `Dashboard ${d.name} `, h('small', {}, d.stackName)),
          h(
            'div',
            { class: 'charts' },
            ...d.widgets.map((w) =>
              w.note && w.series.length === 0
                ? h('figure', { class: 'chart note' }, h('figcaption', {}, w.title), h('p', {}, w.note))
                : lineChart(w.series, { title: w.title, from, to: data.now }),
            ),
          ),
        ),
      ),
      data.dashboards.length === 0 ? h('p', {}, 'The app declares no CloudWatch dashboards.') : null,
      h('h2', {}, 'Alarms'),
      alarmTable(data.alarms),
    );
  };
  append(
    context.main,
    h('h1', {}, 'Metrics and alarms'),
    rangePicker(() => void draw()),
    body,
  );
  context.every(10_000, draw);
}

interface Group {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly desired: number;
  readonly desiredHistory: ReadonlyArray<{ timestamp: number; desiredCapacity: number; cause: string }>;
  readonly capacity: ReadonlyArray<{ at: number; desired: number; running: number }>;
  readonly backlog: ReadonlyArray<{ queueName: string; timestamps: number[]; values: number[] }>;
  readonly alarms: readonly Alarm[];
  readonly instances: ReadonlyArray<{
    instanceId: string;
    state: string;
    health: string;
    log: readonly string[];
  }>;
  readonly activities: ReadonlyArray<{ at?: number; description?: string; cause?: string; status?: string }>;
}

/** `decoupled-sandbox-worker-fleet-StepScalingScaleOutAlarmDDC26F68-TWHB…` → `StepScalingScaleOutAlarm`. */
function shortName(name: string): string {
  const longest = name.split('-').reduce((a, b) => (b.length > a.length ? b : a), '');
  return longest.replace(/[0-9A-F]{8}$/, '') || name;
}

/** The spans an alarm spent in ALARM, from its state history (oldest first). */
function alarmBands(alarm: Alarm, to: number): Array<{ from: number; to: number; label: string }> {
  // the history comes newest first: reversed before the (stable) sort, changes in the same second stay in order
  const changes = [...alarm.history].reverse().sort((a, b) => a.at - b.at);
  const bands: Array<{ from: number; to: number; label: string }> = [];
  let since: number | undefined;
  for (const change of changes) {
    const toAlarm = /to ALARM/.test(change.summary ?? '');
    if (toAlarm && since === undefined) since = change.at;
    else if (!toAlarm && since !== undefined) {
      bands.push({ from: since, to: change.at, label: `${shortName(alarm.name)} in ALARM` });
      since = undefined;
    }
  }
  if (since !== undefined) bands.push({ from: since, to, label: `${shortName(alarm.name)} in ALARM` });
  return bands;
}

export function fleetPage(context: PageContext): void {
  const body = h('div', {});
  const draw = async () => {
    const data = await getJson<{ now: number; rangeMs: number; groups: Group[] }>(
      `/_console/api/fleet?range=${chosenRange}`,
    );
    if (!context.current()) return;
    const from = data.now - data.rangeMs;
    replace(
      body,
      data.groups.length === 0
        ? h('p', {}, 'No Auto Scaling groups (chapter 4 of the workshop deploys one).')
        : null,
      ...data.groups.map((g) => {
        // desired from the group's own history (with the value before the first change), running from samples
        // desired from the group's own history, running from the console's samples; both end at now
        const running = g.instances.filter((i) => i.state === 'InService').length;
        const desiredSeries: Series = {
          label: 'desired',
          step: true,
          timestamps: [...g.desiredHistory.map((c) => c.timestamp), data.now],
          values: [...g.desiredHistory.map((c) => c.desiredCapacity), g.desired],
        };
        const runningSeries: Series = {
          label: 'running',
          step: true,
          dashed: true,
          timestamps: [...g.capacity.map((c) => c.at), data.now],
          values: [...g.capacity.map((c) => c.running), running],
        };
        const bands = g.alarms.flatMap((a) => alarmBands(a, data.now));
        return h(
          'section',
          { class: 'group' },
          h('h2', {}, g.name),
          details([
            ['Capacity', `desired ${g.desired} (min ${g.min}, max ${g.max})`],
            ['Running', String(running)],
          ]),
          h(
            'div',
            { class: 'charts' },
            lineChart([desiredSeries, runningSeries], {
              title: `${g.name}: desired and running instances`,
              from,
              to: data.now,
              bands,
            }),
            lineChart(
              g.backlog.map((b) => ({
                label: `${b.queueName} visible`,
                timestamps: b.timestamps,
                values: b.values,
              })),
              {
                title: 'Backlog (ApproximateNumberOfMessagesVisible, max per minute)',
                from,
                to: data.now,
                bands,
              },
            ),
          ),
          alarmTable(g.alarms),
          table(
            'Instances',
            ['Instance', 'State', 'Health', 'Recent log lines'],
            g.instances.map((i) => [
              h('code', {}, i.instanceId),
              i.state,
              i.health,
              i.log.length
                ? h(
                    'details',
                    {},
                    h('summary', {}, `${i.log.length} lines`),
                    h('pre', { class: 'log' }, i.log.join('\n')),
                  )
                : '—',
            ]),
          ),
          table(
            'Scaling activities',
            ['Time', 'Description', 'Cause', 'Status'],
            g.activities.map((a) => [time(a.at), a.description ?? '', a.cause ?? '', a.status ?? '']),
          ),
        );
      }),
    );
  };
  append(
    context.main,
    h('h1', {}, 'Fleet'),
    rangePicker(() => void draw()),
    body,
  );
  context.every(5_000, draw);
}
