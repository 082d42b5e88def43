/**
 * The app's CloudWatch dashboards (AWS::CloudWatch::Dashboard bodies as the stacks deployed them), each metric
 * widget's `metrics` rows turned into the GetMetricData queries the AWS console would run, answered by the
 * emulated CloudWatch. Only `metric` widgets are drawn; text and alarm widgets are listed by title.
 */
import type { GetMetricDataInput } from '@aws-sdk/client-cloudwatch';
import type { Emulator } from '../emulator';
import { AwsError } from '../errors';

export interface DashboardSeries {
  readonly label: string;
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

export interface DashboardWidget {
  readonly title: string;
  readonly type: string;
  readonly series: readonly DashboardSeries[];
  /** Why nothing is drawn (not a metric widget, a query CloudWatch refused). */
  readonly note?: string;
}

export interface Dashboard {
  readonly name: string;
  readonly stackName: string;
  readonly widgets: readonly DashboardWidget[];
}

type MetricRow = readonly unknown[];
type MetricQuery = NonNullable<GetMetricDataInput['MetricDataQueries']>[number];

/** The dashboards of every live stack, from the resolved properties its stack events recorded (as AWS records). */
export function dashboardBodies(
  emulator: Emulator,
): Array<{ name: string; stackName: string; body: string }> {
  const found: Array<{ name: string; stackName: string; body: string }> = [];
  const { Stacks } = emulator.cloudformation.describeStacks({});
  for (const stack of Stacks as Array<{ StackName: string }>) {
    const { StackResources } = emulator.cloudformation.describeStackResources({ StackName: stack.StackName });
    const dashboards = (StackResources as Array<Record<string, string>>).filter(
      (r) => r.ResourceType === 'AWS::CloudWatch::Dashboard',
    );
    if (dashboards.length === 0) continue;
    const events = allEvents(emulator, stack.StackName);
    for (const resource of dashboards) {
      // newest first: the properties of the resource's latest create or update
      const event = events.find(
        (e) => e.LogicalResourceId === resource.LogicalResourceId && e.ResourceProperties !== undefined,
      );
      if (event === undefined) continue;
      const properties = JSON.parse(event.ResourceProperties as string) as { DashboardBody?: unknown };
      if (typeof properties.DashboardBody !== 'string') continue;
      found.push({
        name: resource.PhysicalResourceId ?? resource.LogicalResourceId,
        stackName: stack.StackName,
        body: properties.DashboardBody,
      });
    }
  }
  return found;
}

function allEvents(emulator: Emulator, stackName: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  let token: string | undefined;
  // bounded: a stack has at most a few thousand events, 100 a page
  for (let page = 0; page < 100; page++) {
    const result = emulator.cloudformation.describeStackEvents({ StackName: stackName, NextToken: token });
    events.push(...(result.StackEvents as Array<Record<string, unknown>>));
    token = result.NextToken;
    if (token === undefined) break;
  }
  return events;
}

/** Renders one dashboard body's widgets over the last `rangeMs` of emulated time. */
export function renderDashboard(
  emulator: Emulator,
  dashboard: { name: string; stackName: string; body: string },
  rangeMs: number,
): Dashboard {
  let parsed: { widgets?: Array<{ type?: string; properties?: Record<string, unknown> }> };
  try {
    parsed = JSON.parse(dashboard.body) as typeof parsed;
  } catch {
    return {
      ...dashboard,
      widgets: [{ title: dashboard.name, type: 'invalid', series: [], note: 'not JSON' }],
    };
  }
  const end = emulator.clock.now();
  const widgets = (parsed.widgets ?? []).map((widget): DashboardWidget => {
    const properties = widget.properties ?? {};
    const title = typeof properties.title === 'string' ? properties.title : (widget.type ?? 'widget');
    const type = widget.type ?? 'unknown';
    if (type !== 'metric' || !Array.isArray(properties.metrics)) {
      return { title, type, series: [], note: `a ${type} widget: shown in the AWS console only` };
    }
    const queries = metricQueries(properties.metrics as MetricRow[], Number(properties.period) || 300);
    if (queries.length === 0) return { title, type, series: [], note: 'no metrics' };
    try {
      const output = emulator.cloudwatch.getMetricData({
        MetricDataQueries: queries,
        StartTime: new Date(end - rangeMs),
        EndTime: new Date(end),
        ScanBy: 'TimestampAscending',
      });
      const series = (output.MetricDataResults ?? []).map((result) => ({
        label: result.Label ?? result.Id ?? '',
        timestamps: (result.Timestamps ?? []).map((t) => new Date(t).getTime()),
        values: [...(result.Values ?? [])],
      }));
      return { title, type, series };
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return { title, type, series: [], note: `${error.code}: ${error.message}` };
    }
  });
  return { name: dashboard.name, stackName: dashboard.stackName, widgets };
}

/**
 * A widget's `metrics` rows as GetMetricData queries: `[namespace, name, dim, value, …, {options}]`, `"."` repeating
 * the row above's item (the dashboard shorthand), and `[{ expression, id, label }]` for metric math.
 */
export function metricQueries(rows: readonly MetricRow[], defaultPeriod: number): MetricQuery[] {
  const queries: MetricQuery[] = [];
  let previous: readonly unknown[] = [];
  rows.slice(0, 100).forEach((row, index) => {
    if (!Array.isArray(row)) return;
    const last = row.at(-1);
    const options = (last !== null && typeof last === 'object' ? last : {}) as Record<string, unknown>;
    const items = last === options ? row.slice(0, -1) : row;
    const id = typeof options.id === 'string' ? options.id : `m${index}`;
    const label = typeof options.label === 'string' ? options.label : undefined;
    const returnData = options.visible !== false;
    if (typeof options.expression === 'string') {
      queries.push({ Id: id, Expression: options.expression, Label: label ?? id, ReturnData: returnData });
      return;
    }
    const expanded = items.map((item, i) => (item === '.' ? previous[i] : item)).map(String);
    // `...` repeats the rest of the row above (AWS's dashboard shorthand)
    if (expanded[0] === '...') expanded.splice(0, 1, ...previous.slice(0, 2).map(String));
    previous = expanded;
    const [namespace, metricName, ...pairs] = expanded;
    if (!namespace || !metricName) return;
    const dimensions = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) dimensions.push({ Name: pairs[i], Value: pairs[i + 1] });
    queries.push({
      Id: id,
      MetricStat: {
        Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions },
        Period: Number(options.period) || defaultPeriod,
        Stat: typeof options.stat === 'string' ? options.stat : 'Average',
      },
      Label: label ?? metricName,
      ReturnData: returnData,
    });
  });
  return queries;
}
