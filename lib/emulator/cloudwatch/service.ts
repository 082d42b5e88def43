/**
 * Amazon CloudWatch: metrics (PutMetricData, GetMetricStatistics, GetMetricData with metric math, ListMetrics) and
 * metric alarms, one method per AWS operation, SDK shapes in and out; validates input and throws AwsError. The
 * mechanisms live beside it: alarm-validation.ts (PutMetricAlarm's checks), alarm-actions.ts (state changes and
 * what they trigger), minute-scheduler.ts (the minute timer that evaluates alarms), input-checks.ts (AWS's
 * parameter errors).
 *
 * For other emulated services (Auto Scaling):
 *
 *   // react to alarm actions whose ARN you own; AWS re-runs Auto Scaling actions every minute the alarm stays in
 *   // the state, so `change.repeat` is true on those re-runs
 *   emu.cloudwatch.registerActionHandler(
 *     (arn) => arn.startsWith('arn:aws:autoscaling:'),
 *     (arn, change) => { if (change.newState === 'ALARM') ...change.metricValue, change.threshold... },
 *   );
 *   // publish your own AWS/* metrics each minute (PutMetricData refuses the AWS/ namespaces, as on AWS)
 *   emu.cloudwatch.onMinute((minuteStart) => emu.cloudwatch.recordMetric({ namespace: 'AWS/AutoScaling', ... }));
 *   // read metrics in-process with the SDK's shapes
 *   emu.cloudwatch.getMetricData({ MetricDataQueries: [...], StartTime, EndTime });
 */
import type {
  AlarmHistoryItem,
  DeleteAlarmsInput,
  DescribeAlarmHistoryInput,
  DescribeAlarmHistoryOutput,
  DescribeAlarmsForMetricInput,
  DescribeAlarmsForMetricOutput,
  DescribeAlarmsInput,
  DescribeAlarmsOutput,
  DisableAlarmActionsInput,
  EnableAlarmActionsInput,
  GetMetricDataInput,
  GetMetricDataOutput,
  GetMetricStatisticsInput,
  GetMetricStatisticsOutput,
  ListMetricsInput,
  ListMetricsOutput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  MetricAlarm,
  MetricDataResult,
  PutMetricAlarmInput,
  PutMetricDataInput,
  SetAlarmStateInput,
  Tag,
  TagResourceInput,
  UntagResourceInput,
} from '@aws-sdk/client-cloudwatch';
import type { ActivityLog } from '../activity';
import type { Clock } from '../clock';
import { AwsError } from '../errors';
import { type PageRequest, pageOf } from '../kit/pagination';
import type { SqsService } from '../sqs/service';
import type { IntegrationGuard } from '../kit/arn-delivery';
import { type AlarmActionHandler, AlarmActions, type AlarmNotifier } from './alarm-actions';
import { AlarmHistory, type HistoryEntry } from './alarm-history';
import { type Alarm, validateAlarm } from './alarm-validation';
import {
  ALARM_NAME_MAX,
  checkLength,
  checkPeriod,
  checkState,
  dimensionsOf,
  invalidCombination,
  invalidValue,
  lowerFirst,
  missing,
  notNull,
  periodOfExpressions,
  requireAlarmName,
  requireString,
  runValidated,
  sampleOf,
  TAG_KEY_MAX,
  tagsOf,
  timeOf,
  UNITS,
  unsupported,
  validateQueries,
  validation,
} from './input-checks';
import { type MathValue, MAX_DATAPOINTS } from './metric-math';
import { resultSeries } from './metric-queries';
import { type MetricDimension, type MetricSample, MetricStore, sortDimensions } from './metric-store';
import { MinuteScheduler } from './minute-scheduler';
import { SqsMetricsPublisher } from './sqs-metrics';
import { isSimpleStatistic, percentileOf, statisticValue } from './statistics';

/** AWS: PutMetricData accepts timestamps up to two weeks back and two hours ahead. */
const MAX_PAST_MS = 14 * 86_400_000;
const MAX_FUTURE_MS = 2 * 3_600_000;
/** AWS: StateReasonData is at most 4000 characters. */
const STATE_REASON_DATA_MAX = 4000;
const ARN_MAX = 1024;
const HISTORY_ITEM_TYPES: readonly string[] = [
  'ConfigurationUpdate',
  'StateUpdate',
  'Action',
  'AlarmContributorStateUpdate',
  'AlarmContributorAction',
];
/** AWS: ListMetrics answers 500 metrics a page. */
const LIST_METRICS_PAGE = 500;

/** A metric datum recorded in-process by another emulated service (no validation, any namespace). */
export interface RecordedMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: readonly MetricDimension[];
  /** Epoch ms; the bucket is the minute it falls in. */
  readonly timestamp: number;
  readonly unit?: string;
  readonly value?: number;
  readonly statisticValues?: { sampleCount: number; sum: number; minimum: number; maximum: number };
}

export interface CloudWatchServiceOptions {
  clock: Clock;
  region: string;
  accountId: string;
  /** SNS, for alarm actions naming topics. */
  sns?: AlarmNotifier;
  /** SQS: when given, every active queue publishes its AWS/SQS metrics each minute. */
  sqs?: SqsService;
  /** Where alarms' changes of state are reported. */
  activity?: ActivityLog;
  /** Permissions (`--iam`): whether CloudWatch may publish an alarm's notification to its topic. */
  integrations?: IntegrationGuard;
}

/** Told about every durable change (`--state-dir`): alarms (each change writes history) and their tags. */
export interface CloudWatchChanges {
  /** An entry of an alarm's history: the alarm it names was created, changed, deleted or acted. */
  historyAdded(entry: HistoryEntry): void;
  alarmChanged(name: string): void;
}

export class CloudWatchService {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly store = new MetricStore();
  private readonly alarms = new Map<string, Alarm>();
  private readonly history = new AlarmHistory();
  /** Durable-state listener (persistence); undefined without `--state-dir`, so the hooks cost one check. */
  private changes: CloudWatchChanges | undefined;
  private readonly actions: AlarmActions;
  private readonly scheduler: MinuteScheduler;
  private readonly sqsMetrics: SqsMetricsPublisher | undefined;

  constructor(options: CloudWatchServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.actions = new AlarmActions({ ...options, history: this.history });
    this.scheduler = new MinuteScheduler({
      clock: this.clock,
      accountId: this.accountId,
      store: this.store,
      alarms: this.alarms,
      actions: this.actions,
      history: this.history,
    });
    if (options.sqs) this.sqsMetrics = new SqsMetricsPublisher(options.sqs, this);
  }

  // ===== hooks for other emulated services ===================================================================

  /**
   * Runs `handler` for alarm actions whose ARN `matches` (the first matching handler wins). SNS topic ARNs are
   * handled by the service itself. AWS re-runs Auto Scaling actions (`arn:aws:autoscaling:…`) every minute while
   * the alarm stays in the state; other actions run on state changes only. Returns the function that removes it.
   */
  registerActionHandler(matches: (arn: string) => boolean, handler: AlarmActionHandler): () => void {
    return this.actions.register(matches, handler);
  }

  /**
   * Calls `listener` at every emulated minute boundary, before alarms are evaluated; `minuteStart` is the start of
   * the minute that just ended (the timestamp to record that minute's metrics under). Returns the remover.
   */
  onMinute(listener: (minuteStart: number, now: number) => void): () => void {
    return this.scheduler.onMinute(listener);
  }

  /** Records a datum without PutMetricData's checks (emulated services publishing their AWS/ metrics). */
  recordMetric(metric: RecordedMetric): void {
    const sample: MetricSample = metric.statisticValues ?? { values: [metric.value ?? 0] };
    this.store.put(
      { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions ?? [] },
      metric.timestamp,
      metric.unit ?? 'None',
      sample,
      false,
      this.clock.now(),
    );
  }

  /** Persistence (`--state-dir`): every alarm change (each writes its history) from now on goes to `changes`. */
  persistTo(changes: CloudWatchChanges): void {
    this.changes = changes;
    this.history.listener = (entry) => changes.historyAdded(entry);
  }

  /** An alarm as kept (persistence); undefined once deleted. */
  alarmState(name: string): Alarm | undefined {
    return this.alarms.get(name);
  }

  /** Every alarm, and the alarm history of the last 30 days, oldest first (persistence). */
  alarmList(): readonly Alarm[] {
    return [...this.alarms.values()];
  }

  historyEntries(): readonly HistoryEntry[] {
    return this.history.current(this.clock.now());
  }

  /** Restore: alarms and their history as persisted (evaluated from the next minute on). */
  adoptAlarms(alarms: readonly Alarm[], history: readonly HistoryEntry[]): void {
    for (const alarm of alarms) this.alarms.set(alarm.config.name, alarm);
    for (const entry of history) this.history.push(entry);
  }

  /** Stops the minute timer (emulator shutdown). */
  close(): void {
    this.scheduler.close();
    this.sqsMetrics?.close();
  }

  // ===== metrics =============================================================================================

  putMetricData(input: PutMetricDataInput): void {
    const namespace = requireString(input.Namespace, 'Namespace');
    if (namespace.length > 255 || namespace.startsWith(':')) {
      throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
    }
    // AWS: the AWS/ namespaces belong to AWS services
    if (namespace.startsWith('AWS/'))
      throw invalidValue('The value AWS/ for parameter Namespace is invalid.');
    if (input.EntityMetricData !== undefined && input.EntityMetricData.length > 0) {
      throw invalidValue('EntityMetricData is not supported by the local emulator.');
    }
    const data = input.MetricData;
    if (data === undefined || data === null) throw missing('MetricData');
    if (!Array.isArray(data) || data.length === 0) {
      throw invalidValue('The parameter MetricData must contain at least one metric datum.');
    }
    if (data.length > 1000)
      throw invalidValue('The collection MetricData must not contain more than 1000 items.');
    const now = this.clock.now();
    const prepared = data.map((datum, i) => {
      const p = `MetricData.member.${i + 1}`;
      const metricName = requireString(datum?.MetricName, `${p}.MetricName`);
      if (metricName.length > 255)
        throw invalidValue(`The value ${metricName} for parameter ${p}.MetricName is invalid.`);
      const dimensions = dimensionsOf(datum.Dimensions, `${p}.Dimensions`);
      const timestamp = datum.Timestamp === undefined ? now : timeOf(datum.Timestamp, `${p}.Timestamp`);
      if (timestamp < now - MAX_PAST_MS) {
        throw invalidValue(
          `The parameter ${p}.Timestamp must specify a time no more than two weeks in the past.`,
        );
      }
      if (timestamp > now + MAX_FUTURE_MS) {
        throw invalidValue(
          `The parameter ${p}.Timestamp must specify a time no more than two hours in the future.`,
        );
      }
      const unit = datum.Unit ?? 'None';
      if (!UNITS.has(unit)) throw invalidValue(`The value ${unit} for parameter ${p}.Unit is invalid.`);
      const resolution = datum.StorageResolution ?? 60;
      if (resolution !== 1 && resolution !== 60) {
        throw invalidValue(`The value ${resolution} for parameter ${p}.StorageResolution is invalid.`);
      }
      return {
        metricName,
        dimensions,
        timestamp,
        unit,
        highResolution: resolution === 1,
        sample: sampleOf(datum, p),
      };
    });
    for (const d of prepared) {
      this.store.put(
        { namespace, metricName: d.metricName, dimensions: d.dimensions },
        d.timestamp,
        d.unit,
        d.sample,
        d.highResolution,
        now,
      );
    }
  }

  getMetricStatistics(input: GetMetricStatisticsInput): GetMetricStatisticsOutput {
    const namespace = requireString(input.Namespace, 'Namespace');
    const metricName = requireString(input.MetricName, 'MetricName');
    const dimensions = dimensionsOf(input.Dimensions, 'Dimensions');
    if (input.StartTime === undefined) throw missing('StartTime');
    if (input.EndTime === undefined) throw missing('EndTime');
    if (input.Period === undefined) throw missing('Period');
    const period = checkPeriod(input.Period, 'Period');
    const statistics = input.Statistics ?? [];
    const extended = input.ExtendedStatistics ?? [];
    if (statistics.length === 0 && extended.length === 0) {
      throw invalidCombination('Must specify either Statistics or ExtendedStatistics.');
    }
    if (statistics.length > 0 && extended.length > 0) {
      throw invalidCombination('Must specify either Statistics or ExtendedStatistics, but not both.');
    }
    statistics.forEach((s, i) => {
      if (!isSimpleStatistic(s))
        throw invalidValue(`The value ${s} for parameter Statistics.member.${i + 1} is invalid.`);
    });
    extended.forEach((s, i) => {
      if (percentileOf(s) === undefined) {
        throw invalidValue(`The value ${s} for parameter ExtendedStatistics.member.${i + 1} is invalid.`);
      }
    });
    if (input.Unit !== undefined && !UNITS.has(input.Unit)) {
      throw invalidValue(`The value ${input.Unit} for parameter Unit is invalid.`);
    }
    const { start, end } = this.range(input.StartTime, input.EndTime, period);
    // checked before any aggregation: the work that follows is bounded by the data kept, whatever the range
    const count = Math.ceil((end - start) / (period * 1000));
    if (count > 1440) {
      throw invalidCombination(
        `You have requested up to ${count} datapoints, which exceeds the limit of 1440. ` +
          'You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
      );
    }
    const datapoints = this.store
      .aggregate(namespace, metricName, dimensions, start, end, period, input.Unit)
      .map((aggregate) => {
        const point: Record<string, unknown> = { Timestamp: new Date(aggregate.timestamp) };
        for (const s of statistics) point[s] = statisticValue(aggregate, s);
        if (extended.length > 0) {
          const values: Record<string, number> = {};
          for (const s of extended) {
            const v = statisticValue(aggregate, s);
            if (v !== undefined) values[s] = v;
          }
          point.ExtendedStatistics = values;
        }
        point.Unit = input.Unit ?? aggregate.unit;
        return point;
      });
    return { Label: metricName, Datapoints: datapoints } as GetMetricStatisticsOutput;
  }

  /**
   * AWS: at most MaxDatapoints (default and most 100,800) datapoints per call; past them a result is PartialData and
   * NextToken continues where the call stopped. The emulator delivers the results one after the other (each in
   * ScanBy order) and recomputes them for each page. A FILL or a scalar over more periods than 100,800 keeps the
   * newest (or, TimestampAscending, the oldest) 100,800 and is PartialData, as AWS does not page metric math.
   */
  getMetricData(input: GetMetricDataInput): GetMetricDataOutput {
    if (input.MetricDataQueries === undefined) throw missing('MetricDataQueries');
    if (input.StartTime === undefined) throw missing('StartTime');
    if (input.EndTime === undefined) throw missing('EndTime');
    const raw = input.MetricDataQueries;
    if (raw.length === 0 || raw.length > 500) {
      throw invalidValue('The collection MetricDataQueries must contain between 1 and 500 items.');
    }
    const queries = validateQueries(raw, 'MetricDataQueries', this.accountId);
    const timezone = input.LabelOptions?.Timezone;
    if (timezone !== undefined) {
      // AWS: + or - and four digits (+0130); linear: anchored, fixed width
      if (typeof timezone !== 'string' || !/^[+-]\d{4}$/.test(timezone)) {
        throw invalidValue('The value for parameter LabelOptions.Timezone is invalid.');
      }
      // the emulator returns labels as given: there is no dynamic label time to shift
      if (timezone.slice(1) !== '0000') {
        throw unsupported(
          `LabelOptions.Timezone ${timezone}`,
          'dynamic labels are returned as given, so only +0000 is accepted',
        );
      }
    }
    const scanBy = input.ScanBy ?? 'TimestampDescending';
    if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending') {
      throw validation(
        `1 validation error detected: Value '${String(scanBy)}' at 'scanBy' failed to satisfy constraint: ` +
          'Member must satisfy enum value set: [TimestampDescending, TimestampAscending]',
      );
    }
    const maxDatapoints = input.MaxDatapoints ?? MAX_DATAPOINTS;
    if (!Number.isInteger(maxDatapoints) || maxDatapoints < 1) {
      throw validation(
        `1 validation error detected: Value '${String(maxDatapoints)}' at 'maxDatapoints' failed to satisfy ` +
          'constraint: Member must have value greater than or equal to 1',
      );
    }
    const pageSize = Math.min(maxDatapoints, MAX_DATAPOINTS);
    const offset = dataPointOffset(input.NextToken);
    const oldestFirst = scanBy === 'TimestampAscending';
    const smallest = Math.min(...queries.map((q) => ('period' in q ? q.period : 60)));
    const { start, end } = this.range(input.StartTime, input.EndTime, smallest);
    const { values, partial } = runValidated(this.store, queries, start, end, { oldestFirst });
    const out: MetricDataResult[] = [];
    // position: datapoints of the earlier results, in the order the pages deliver them
    let position = 0;
    raw.forEach((query, i) => {
      if (query.ReturnData === false) return;
      const q = queries[i];
      const period = 'period' in q ? q.period : periodOfExpressions(queries);
      const seriesList = resultSeries(
        values.get(q.id) as MathValue,
        start,
        end,
        period,
        MAX_DATAPOINTS,
        oldestFirst,
      );
      seriesList.forEach((series, k) => {
        const from = Math.min(Math.max(offset - position, 0), series.count);
        const to = Math.min(Math.max(offset + pageSize - position, 0), series.count);
        position += series.count;
        const timestamps: Date[] = [];
        const pointValues: number[] = [];
        for (let n = from; n < to; n++) {
          const index = oldestFirst ? n : series.count - 1 - n;
          timestamps.push(new Date(series.time(index)));
          pointValues.push(series.value(index));
        }
        const label =
          query.Label ??
          ('metric' in q ? q.metric.metricName : seriesList.length > 1 ? `${q.id} ${k}` : q.id);
        out.push({
          Id: q.id,
          Label: label,
          Timestamps: timestamps,
          Values: pointValues,
          StatusCode: to < series.count || series.cut || partial.has(q.id) ? 'PartialData' : 'Complete',
          Messages: [],
        });
      });
    });
    const result: GetMetricDataOutput = { MetricDataResults: out, Messages: [] };
    if (position > offset + pageSize) result.NextToken = String(offset + pageSize);
    return result;
  }

  listMetrics(input: ListMetricsInput = {}): ListMetricsOutput {
    const filters = input.Dimensions ?? [];
    if (filters.length > 10)
      throw invalidValue('The collection Dimensions must not contain more than 10 items.');
    filters.forEach((f, i) => requireString(f?.Name, `Dimensions.member.${i + 1}.Name`));
    if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H') {
      throw validation(
        `1 validation error detected: Value '${input.RecentlyActive}' at 'recentlyActive' failed to satisfy ` +
          'constraint: Member must satisfy enum value set: [PT3H]',
      );
    }
    if (input.OwningAccount !== undefined) checkLength(input.OwningAccount, 'owningAccount', 1, 255);
    const now = this.clock.now();
    // the emulator is one account, with no linked source accounts: another account owns no metrics here
    const otherAccount = input.OwningAccount !== undefined && input.OwningAccount !== this.accountId;
    const all = otherAccount
      ? []
      : this.store.list({
          namespace: input.Namespace,
          metricName: input.MetricName,
          dimensions: filters.map((f) => ({ Name: f.Name as string, Value: f.Value })),
          activeSince: input.RecentlyActive === 'PT3H' ? now - 3 * 3_600_000 : undefined,
        });
    const page = pageOf(all, this.pageRequest(LIST_METRICS_PAGE, input.NextToken));
    const result: ListMetricsOutput = {
      Metrics: page.items.map((m) => ({
        Namespace: m.namespace,
        MetricName: m.metricName,
        Dimensions: m.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
      })),
    };
    if (input.IncludeLinkedAccounts === true) result.OwningAccounts = page.items.map(() => this.accountId);
    if (page.nextToken !== undefined) result.NextToken = page.nextToken;
    return result;
  }

  // ===== alarms ==============================================================================================

  putMetricAlarm(input: PutMetricAlarmInput): void {
    // everything is checked, the tags too, before the alarm is created or changed
    const config = validateAlarm(input, this.accountId);
    const tags = tagsOf(input.Tags ?? []);
    const now = this.clock.now();
    const existing = this.alarms.get(config.name);
    if (existing) {
      // AWS: an update keeps the alarm's state and replaces its whole configuration
      existing.config = config;
      existing.configurationUpdatedAt = now;
      // AWS: changing the warm-up after it ended does not restart it
      if (config.warmUp === undefined) existing.warmedUp = true;
      for (const [key, value] of tags) existing.tags.set(key, value);
      this.history.add(config.name, now, 'ConfigurationUpdate', `Alarm "${config.name}" updated`, {
        version: '1.0',
        type: 'Update',
        updatedAlarm: this.describe(existing),
      });
      return;
    }
    const alarm: Alarm = {
      config,
      arn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${config.name}`,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: now,
      stateTransitionedAt: now,
      configurationUpdatedAt: now,
      tags: new Map(tags),
      createdAt: now,
      warmedUp: config.warmUp === undefined,
    };
    this.alarms.set(config.name, alarm);
    this.history.add(config.name, now, 'ConfigurationUpdate', `Alarm "${config.name}" created`, {
      version: '1.0',
      type: 'Create',
      createdAlarm: this.describe(alarm),
    });
  }

  describeAlarms(input: DescribeAlarmsInput = {}): DescribeAlarmsOutput {
    const names = input.AlarmNames;
    if (names !== undefined && names.length > 100) {
      throw invalidValue('The collection AlarmNames must not contain more than 100 items.');
    }
    if (names !== undefined && names.length > 0 && input.AlarmNamePrefix !== undefined) {
      throw invalidCombination('AlarmNames and AlarmNamePrefix cannot be specified together.');
    }
    if (input.StateValue !== undefined) checkState(input.StateValue, 'stateValue');
    const family =
      input.ChildrenOfAlarmName !== undefined
        ? 'ChildrenOfAlarmName'
        : input.ParentsOfAlarmName !== undefined
          ? 'ParentsOfAlarmName'
          : undefined;
    if (family !== undefined) {
      checkLength(input[family], lowerFirst(family), 1, ALARM_NAME_MAX);
      // AWS: only MaxRecords and NextToken may accompany ChildrenOfAlarmName or ParentsOfAlarmName
      const others = (
        [
          'AlarmNames',
          'AlarmNamePrefix',
          'AlarmTypes',
          'ChildrenOfAlarmName',
          'ParentsOfAlarmName',
          'StateValue',
          'ActionPrefix',
        ] as const
      ).filter(
        (k) => k !== family && input[k] !== undefined && !(Array.isArray(input[k]) && input[k].length === 0),
      );
      if (others.length > 0) {
        throw invalidCombination(
          `${family} cannot be specified together with ${others.join(', ')}: only MaxRecords and NextToken may accompany it.`,
        );
      }
    }
    const max = input.MaxRecords ?? 50;
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      throw validation(
        `1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: ` +
          'Member must have value between 1 and 100',
      );
    }
    const types = input.AlarmTypes;
    const wantsMetricAlarms = types === undefined || types.length === 0 || types.includes('MetricAlarm');
    // the emulator has metric alarms only: none has children, and no composite alarm is anyone's parent
    const matching = (wantsMetricAlarms && family === undefined ? [...this.alarms.values()] : [])
      .filter((a) => names === undefined || names.length === 0 || names.includes(a.config.name))
      .filter((a) => input.AlarmNamePrefix === undefined || a.config.name.startsWith(input.AlarmNamePrefix))
      .filter((a) => input.StateValue === undefined || a.state === input.StateValue)
      .filter(
        (a) =>
          input.ActionPrefix === undefined ||
          [...a.config.alarmActions, ...a.config.okActions, ...a.config.insufficientDataActions].some((arn) =>
            arn.startsWith(input.ActionPrefix as string),
          ),
      )
      .sort((a, b) => (a.config.name < b.config.name ? -1 : a.config.name > b.config.name ? 1 : 0));
    const page = pageOf(matching, this.pageRequest(max, input.NextToken));
    return {
      MetricAlarms: page.items.map((a) => this.describe(a)),
      CompositeAlarms: [],
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  }

  describeAlarmsForMetric(input: DescribeAlarmsForMetricInput): DescribeAlarmsForMetricOutput {
    const metricName = requireString(input.MetricName, 'MetricName');
    const namespace = requireString(input.Namespace, 'Namespace');
    // the model types Period as an integer: the wire does not check that, the operation does
    if (input.Period !== undefined && (!Number.isInteger(input.Period) || input.Period < 1)) {
      throw invalidValue(`The value ${input.Period} for parameter Period is invalid.`);
    }
    const dimensions =
      input.Dimensions === undefined
        ? undefined
        : sortDimensions(dimensionsOf(input.Dimensions, 'Dimensions'));
    const alarms = [...this.alarms.values()].filter((a) => {
      const c = a.config;
      if (c.metricName !== metricName || c.namespace !== namespace) return false;
      if (input.Statistic !== undefined && c.statistic !== input.Statistic) return false;
      if (input.ExtendedStatistic !== undefined && c.extendedStatistic !== input.ExtendedStatistic)
        return false;
      if (input.Period !== undefined && c.period !== input.Period) return false;
      if (input.Unit !== undefined && c.unit !== input.Unit) return false;
      if (dimensions !== undefined) {
        const own = sortDimensions(c.dimensions);
        if (own.length !== dimensions.length) return false;
        if (own.some((d, i) => d.Name !== dimensions[i].Name || d.Value !== dimensions[i].Value))
          return false;
      }
      return true;
    });
    return { MetricAlarms: alarms.map((a) => this.describe(a)) };
  }

  deleteAlarms(input: DeleteAlarmsInput): void {
    const names = input.AlarmNames ?? [];
    if (names.length > 100)
      throw invalidValue('The collection AlarmNames must not contain more than 100 items.');
    const unknown = names.filter((n) => !this.alarms.has(n));
    // AWS: with a wrong name, no alarm is deleted
    if (unknown.length > 0) {
      throw new AwsError(
        'ResourceNotFound',
        `${unknown.length} alarms were not found: [${unknown.join(', ')}]`,
        404,
      );
    }
    const now = this.clock.now();
    for (const name of names) {
      const alarm = this.alarms.get(name) as Alarm;
      this.alarms.delete(name);
      this.history.add(name, now, 'ConfigurationUpdate', `Alarm "${name}" deleted`, {
        version: '1.0',
        type: 'Delete',
        deletedAlarm: this.describe(alarm),
      });
    }
  }

  setAlarmState(input: SetAlarmStateInput): void {
    const name = requireAlarmName(input.AlarmName);
    const state = checkState(input.StateValue, 'stateValue');
    if (input.StateReason === undefined || input.StateReason === null) {
      throw validation(
        "1 validation error detected: Value null at 'stateReason' failed to satisfy constraint: Member must not be null",
      );
    }
    if (input.StateReason.length > 1023) {
      throw validation(
        "1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023",
      );
    }
    if (input.StateReasonData !== undefined) {
      // AWS: at most 4000 characters, checked before the JSON is read (4000 characters nest at most 2000 deep)
      if (input.StateReasonData.length > STATE_REASON_DATA_MAX) {
        throw validation(
          "1 validation error detected: Value at 'stateReasonData' failed to satisfy constraint: " +
            `Member must have length less than or equal to ${STATE_REASON_DATA_MAX}`,
        );
      }
      try {
        JSON.parse(input.StateReasonData);
      } catch {
        throw new AwsError('InvalidFormat', 'Data was not syntactically valid JSON');
      }
    }
    const alarm = this.alarms.get(name);
    if (!alarm) throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);
    // AWS: the alarm returns to its actual state at its next evaluation
    this.actions.transition(
      alarm,
      state,
      input.StateReason,
      input.StateReasonData,
      undefined,
      this.clock.now(),
    );
  }

  enableAlarmActions(input: EnableAlarmActionsInput): void {
    this.setActionsEnabled(input.AlarmNames, true);
  }

  disableAlarmActions(input: DisableAlarmActionsInput): void {
    this.setActionsEnabled(input.AlarmNames, false);
  }

  describeAlarmHistory(input: DescribeAlarmHistoryInput = {}): DescribeAlarmHistoryOutput {
    if (input.HistoryItemType !== undefined && !HISTORY_ITEM_TYPES.includes(input.HistoryItemType)) {
      throw validation(
        `1 validation error detected: Value '${input.HistoryItemType}' at 'historyItemType' failed to satisfy ` +
          `constraint: Member must satisfy enum value set: [${HISTORY_ITEM_TYPES.join(', ')}]`,
      );
    }
    if (input.AlarmContributorId !== undefined) {
      checkLength(input.AlarmContributorId, 'alarmContributorId', 1, 1024);
    }
    const max = input.MaxRecords ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      throw validation(
        `1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: ` +
          'Member must have value between 1 and 100',
      );
    }
    if (
      input.ScanBy !== undefined &&
      input.ScanBy !== 'TimestampDescending' &&
      input.ScanBy !== 'TimestampAscending'
    ) {
      throw validation(
        `1 validation error detected: Value '${String(input.ScanBy)}' at 'scanBy' failed to satisfy constraint: ` +
          'Member must satisfy enum value set: [TimestampDescending, TimestampAscending]',
      );
    }
    const types = input.AlarmTypes;
    const startDate = input.StartDate === undefined ? undefined : timeOf(input.StartDate, 'StartDate');
    const endDate = input.EndDate === undefined ? undefined : timeOf(input.EndDate, 'EndDate');
    let items = this.history.current(this.clock.now()).filter(
      (h) =>
        (types === undefined || types.length === 0 || types.includes('MetricAlarm')) &&
        // contributors belong to multi-time-series alarms (PromQL, Metrics Insights), which are not emulated
        input.AlarmContributorId === undefined &&
        (input.AlarmName === undefined || h.alarmName === input.AlarmName) &&
        (input.HistoryItemType === undefined || h.type === input.HistoryItemType) &&
        (startDate === undefined || h.timestamp >= startDate) &&
        (endDate === undefined || h.timestamp <= endDate),
    );
    // AWS: newest first unless told otherwise
    if (input.ScanBy !== 'TimestampAscending') items = items.reverse();
    const page = pageOf(items, this.pageRequest(max, input.NextToken));
    return {
      AlarmHistoryItems: page.items.map((h): AlarmHistoryItem => ({
        AlarmName: h.alarmName,
        AlarmType: 'MetricAlarm',
        Timestamp: new Date(h.timestamp),
        HistoryItemType: h.type,
        HistorySummary: h.summary,
        HistoryData: h.data,
      })),
      ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
    };
  }

  tagResource(input: TagResourceInput): void {
    // every tag is checked before any is applied
    if (input.Tags === undefined || input.Tags === null) throw notNull('tags');
    const tags = tagsOf(input.Tags);
    const alarm = this.alarmByArn(input.ResourceARN);
    for (const [key, value] of tags) alarm.tags.set(key, value);
    this.changes?.alarmChanged(alarm.config.name);
  }

  untagResource(input: UntagResourceInput): void {
    if (input.TagKeys === undefined || input.TagKeys === null) throw notNull('tagKeys');
    input.TagKeys.forEach((key, i) => checkLength(key, `tagKeys.${i + 1}.member`, 1, TAG_KEY_MAX));
    const alarm = this.alarmByArn(input.ResourceARN);
    for (const key of input.TagKeys) alarm.tags.delete(key);
    this.changes?.alarmChanged(alarm.config.name);
  }

  listTagsForResource(input: ListTagsForResourceInput): ListTagsForResourceOutput {
    const alarm = this.alarmByArn(input.ResourceARN);
    return { Tags: [...alarm.tags].map(([Key, Value]): Tag => ({ Key, Value })) };
  }

  // ===== shared ==============================================================================================

  /** The alarm in AWS's MetricAlarm shape (DescribeAlarms, history items). */
  private describe(alarm: Alarm): MetricAlarm {
    const c = alarm.config;
    const out: MetricAlarm = {
      AlarmName: c.name,
      AlarmArn: alarm.arn,
      ...(c.description !== undefined ? { AlarmDescription: c.description } : {}),
      AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedAt),
      ActionsEnabled: c.actionsEnabled,
      OKActions: [...c.okActions],
      AlarmActions: [...c.alarmActions],
      InsufficientDataActions: [...c.insufficientDataActions],
      StateValue: alarm.state,
      StateReason: alarm.stateReason,
      ...(alarm.stateReasonData !== undefined ? { StateReasonData: alarm.stateReasonData } : {}),
      StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    };
    if (c.metrics === undefined) {
      Object.assign(out, {
        MetricName: c.metricName,
        Namespace: c.namespace,
        ...(c.statistic !== undefined
          ? { Statistic: c.statistic }
          : { ExtendedStatistic: c.extendedStatistic }),
        Dimensions: c.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
        Period: c.period,
        ...(c.unit !== undefined ? { Unit: c.unit } : {}),
      });
    } else {
      out.Dimensions = [];
    }
    out.EvaluationPeriods = c.evaluationPeriods;
    if (c.datapointsToAlarm !== undefined) out.DatapointsToAlarm = c.datapointsToAlarm;
    out.Threshold = c.threshold;
    out.ComparisonOperator = c.comparison;
    if (c.treatMissingData !== undefined) out.TreatMissingData = c.treatMissingData;
    if (c.evaluateLowSampleCountPercentile !== undefined) {
      out.EvaluateLowSampleCountPercentile = c.evaluateLowSampleCountPercentile;
    }
    if (c.metrics !== undefined) out.Metrics = structuredClone(c.metrics);
    out.StateTransitionedTimestamp = new Date(alarm.stateTransitionedAt);
    if (c.evaluationWindow !== undefined) out.EvaluationWindow = structuredClone(c.evaluationWindow);
    if (c.warmUp !== undefined) out.WarmUpConfiguration = { ...c.warmUp };
    if (c.actionConfiguration !== undefined) out.ActionConfiguration = structuredClone(c.actionConfiguration);
    return out;
  }

  private setActionsEnabled(names: string[] | undefined, enabled: boolean): void {
    if (names === undefined || names.length === 0) throw missing('AlarmNames');
    if (names.length > 100)
      throw invalidValue('The collection AlarmNames must not contain more than 100 items.');
    const now = this.clock.now();
    for (const name of names) {
      const alarm = this.alarms.get(name);
      if (!alarm || alarm.config.actionsEnabled === enabled) continue;
      alarm.config.actionsEnabled = enabled;
      alarm.configurationUpdatedAt = now;
      this.history.add(name, now, 'ConfigurationUpdate', `Alarm "${name}" updated`, {
        version: '1.0',
        type: 'Update',
        updatedAlarm: this.describe(alarm),
      });
    }
  }

  private alarmByArn(arn: unknown): Alarm {
    const text = requireString(arn, 'ResourceARN');
    checkLength(text, 'resourceARN', 1, ARN_MAX);
    const alarm = [...this.alarms.values()].find((a) => a.arn === text);
    if (!alarm)
      throw new AwsError('ResourceNotFoundException', 'The specified resource does not exist.', 404);
    return alarm;
  }

  /** A page of a list operation; CloudWatch answers a token it did not give out with InvalidNextToken. */
  private pageRequest(pageSize: number, token: string | undefined): PageRequest {
    return { pageSize, token, invalidToken: invalidNextToken };
  }

  /** Rounds a request's time range as AWS does: the start down to the minute (to the period under a minute). */
  private range(startTime: Date, endTime: Date, period: number): { start: number; end: number } {
    const startMs = timeOf(startTime, 'StartTime');
    const end = timeOf(endTime, 'EndTime');
    if (startMs >= end)
      throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
    const step = Math.min(period, 60) * 1000;
    return { start: Math.floor(startMs / step) * step, end };
  }
}

function invalidNextToken(): AwsError {
  return new AwsError('InvalidNextToken', 'The service returned an invalid NextToken.');
}

/**
 * GetMetricData's NextToken: how many datapoints earlier pages delivered, across all the results. Not a kit page:
 * one page cuts through several results' series, and the results are recomputed for every page.
 */
function dataPointOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(token);
  if (!Number.isInteger(n) || n < 0) throw invalidNextToken();
  return n;
}

export type { AlarmState, ComparisonOperator } from './alarm-evaluation';
export type { AlarmActionHandler, AlarmNotifier, AlarmStateChange } from './alarm-actions';
