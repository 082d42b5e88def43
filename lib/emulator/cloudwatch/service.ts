/**
 * Amazon CloudWatch: metrics (PutMetricData, GetMetricStatistics, GetMetricData with metric math, ListMetrics) and
 * metric alarms evaluated every emulated minute on the Clock, with state history and actions. One method per AWS
 * operation, SDK shapes in and out; validates input and throws AwsError.
 *
 * Every minute boundary of the clock (one timer), in this order:
 *   1. minute listeners run (`onMinute`): the AWS/SQS metrics of every active queue are recorded there, with the
 *      timestamp of the minute that just ended;
 *   2. every alarm is evaluated on the periods ending now, and acts on a state change.
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
  ActionConfiguration,
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
  EvaluationWindow,
  GetMetricDataInput,
  GetMetricDataOutput,
  GetMetricStatisticsInput,
  GetMetricStatisticsOutput,
  ListMetricsInput,
  ListMetricsOutput,
  ListTagsForResourceInput,
  ListTagsForResourceOutput,
  MetricAlarm,
  MetricDataQuery,
  MetricDataResult,
  PutMetricAlarmInput,
  PutMetricDataInput,
  SetAlarmStateInput,
  Tag,
  TagResourceInput,
  UntagResourceInput,
  WarmUpConfiguration,
} from '@aws-sdk/client-cloudwatch';
import type { Clock, Timer } from '../clock';
import { AwsError } from '../errors';
import type { SqsService } from '../sqs/service';
import {
  ANOMALY_COMPARISON_OPERATORS,
  type AlarmState,
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  cloudWatchTime,
  type EvaluationDatapoint,
  evaluateAlarm,
  TREAT_MISSING_DATA,
  type TreatMissingData,
} from './alarm-evaluation';
import {
  MathError,
  type MathValue,
  MAX_DATAPOINTS,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
  referencedIds,
} from './metric-math';
import {
  type MetricQuery,
  QueryError,
  type QueryResults,
  resultSeries,
  type RunOptions,
  runQueries,
} from './metric-queries';
import {
  type MetricDimension,
  type MetricSample,
  MetricStore,
  RETENTION_MS,
  sortDimensions,
} from './metric-store';
import { SqsMetricsPublisher } from './sqs-metrics';
import { isSimpleStatistic, isSupportedStatistic, percentileOf, statisticValue } from './statistics';

const MINUTE = 60_000;
/** AWS: alarm history is kept for 30 days. */
const HISTORY_RETENTION_MS = 30 * 86_400_000;
/** AWS: PutMetricData accepts timestamps up to two weeks back and two hours ahead. */
const MAX_PAST_MS = 14 * 86_400_000;
const MAX_FUTURE_MS = 2 * 3_600_000;
const ALARM_NAME_MAX = 255;
/** AWS: StateReasonData is at most 4000 characters. */
const STATE_REASON_DATA_MAX = 4000;
const ALARM_DESCRIPTION_MAX = 1024;
const ARN_MAX = 1024;
const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
const STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const HISTORY_ITEM_TYPES: readonly string[] = [
  'ConfigurationUpdate',
  'StateUpdate',
  'Action',
  'AlarmContributorStateUpdate',
  'AlarmContributorAction',
];
/** AWS: a wall clock window's time zone offset is within ±14 hours, a multiple of 5 minutes. */
const MAX_UTC_OFFSET_MINUTES = 14 * 60;
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);
/** Linear: one character class, anchored; ids longer than 255 characters are refused before it runs. */
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
/** AWS: how far back an alarm looks for real datapoints, beyond its evaluation periods (see alarm-evaluation.ts). */
const EXTRA_EVALUATION_PERIODS = 2;

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (Sao Paulo)',
};

/** What an action handler is told when an alarm changes state (or stays in ALARM, for Auto Scaling actions). */
export interface AlarmStateChange {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly oldState: AlarmState;
  readonly newState: AlarmState;
  readonly reason: string;
  readonly reasonData?: string;
  /** Epoch ms of the change (or of the re-run). */
  readonly timestamp: number;
  /** True when the alarm did not change state and an Auto Scaling action runs again (AWS: once a minute). */
  readonly repeat: boolean;
  /** The most recent datapoint the evaluation used, if any: step scaling compares it to the threshold. */
  readonly metricValue?: number;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
}

export type AlarmActionHandler = (arn: string, change: AlarmStateChange) => void | Promise<void>;

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

/** What the service needs from SNS: publishing a notification on CloudWatch's behalf. */
export interface AlarmNotifier {
  publishInternal(topicArn: string, message: string, subject?: string): void;
}

export interface CloudWatchServiceOptions {
  clock: Clock;
  region: string;
  accountId: string;
  /** SNS, for alarm actions naming topics. */
  sns?: AlarmNotifier;
  /** SQS: when given, every active queue publishes its AWS/SQS metrics each minute. */
  sqs?: SqsService;
}

interface AlarmConfig {
  name: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  metricName?: string;
  namespace?: string;
  statistic?: string;
  extendedStatistic?: string;
  dimensions: MetricDimension[];
  period?: number;
  unit?: string;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  threshold: number;
  comparison: ComparisonOperator;
  treatMissingData?: TreatMissingData;
  evaluateLowSampleCountPercentile?: string;
  metrics?: MetricDataQuery[];
  /** As given (returned by DescribeAlarms); absent means AWS's default sliding window. */
  evaluationWindow?: EvaluationWindow;
  /** WallClockWindow: the UTC offset (ms) the evaluated range is aligned in. */
  wallClockOffsetMs?: number;
  warmUp?: WarmUpConfiguration;
  actionConfiguration?: ActionConfiguration;
}

interface Alarm {
  config: AlarmConfig;
  arn: string;
  state: AlarmState;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
  configurationUpdatedAt: number;
  tags: Map<string, string>;
  /** When the alarm was created: its warm-up period runs from there (an update does not restart it). */
  createdAt: number;
  /** Set once the warm-up period is over (elapsed, or ended early by a full evaluation window). */
  warmedUp: boolean;
}

interface HistoryEntry {
  alarmName: string;
  timestamp: number;
  type: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  summary: string;
  data: string;
}

export class CloudWatchService {
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly store = new MetricStore();
  private readonly sns: AlarmNotifier | undefined;
  private readonly alarms = new Map<string, Alarm>();
  private history: HistoryEntry[] = [];
  private readonly handlers: { matches: (arn: string) => boolean; handler: AlarmActionHandler }[] = [];
  private readonly minuteListeners = new Set<(minuteStart: number, now: number) => void>();
  private readonly sqsMetrics: SqsMetricsPublisher | undefined;
  private timer: Timer | undefined;
  private lastPruneAt = 0;
  private closed = false;

  constructor(options: CloudWatchServiceOptions) {
    this.clock = options.clock;
    this.region = options.region;
    this.accountId = options.accountId;
    this.sns = options.sns;
    if (options.sqs) this.sqsMetrics = new SqsMetricsPublisher(options.sqs, this);
    this.schedule();
  }

  // ===== hooks for other emulated services ===================================================================

  /**
   * Runs `handler` for alarm actions whose ARN `matches` (the first matching handler wins). SNS topic ARNs are
   * handled by the service itself. AWS re-runs Auto Scaling actions (`arn:aws:autoscaling:…`) every minute while
   * the alarm stays in the state; other actions run on state changes only. Returns the function that removes it.
   */
  registerActionHandler(matches: (arn: string) => boolean, handler: AlarmActionHandler): () => void {
    const entry = { matches, handler };
    this.handlers.push(entry);
    return () => {
      const i = this.handlers.indexOf(entry);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /**
   * Calls `listener` at every emulated minute boundary, before alarms are evaluated; `minuteStart` is the start of
   * the minute that just ended (the timestamp to record that minute's metrics under). Returns the remover.
   */
  onMinute(listener: (minuteStart: number, now: number) => void): () => void {
    this.minuteListeners.add(listener);
    return () => this.minuteListeners.delete(listener);
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

  /** Stops the minute timer (emulator shutdown). */
  close(): void {
    this.closed = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
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
    const offset = tokenIndex(input.NextToken);
    const oldestFirst = scanBy === 'TimestampAscending';
    const smallest = Math.min(...queries.map((q) => ('period' in q ? q.period : 60)));
    const { start, end } = this.range(input.StartTime, input.EndTime, smallest);
    const { values, partial } = this.run(queries, start, end, { oldestFirst });
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
    const from = tokenIndex(input.NextToken);
    const page = all.slice(from, from + 500);
    const result: ListMetricsOutput = {
      Metrics: page.map((m) => ({
        Namespace: m.namespace,
        MetricName: m.metricName,
        Dimensions: m.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
      })),
    };
    if (input.IncludeLinkedAccounts === true) result.OwningAccounts = page.map(() => this.accountId);
    if (from + 500 < all.length) result.NextToken = String(from + 500);
    return result;
  }

  // ===== alarms ==============================================================================================

  putMetricAlarm(input: PutMetricAlarmInput): void {
    // everything is checked, the tags too, before the alarm is created or changed
    const config = this.validateAlarm(input);
    if (config.wallClockOffsetMs !== undefined) checkWallClockPeriod(alarmPeriod(config));
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
      this.addHistory(config.name, now, 'ConfigurationUpdate', `Alarm "${config.name}" updated`, {
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
    this.addHistory(config.name, now, 'ConfigurationUpdate', `Alarm "${config.name}" created`, {
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
    const from = tokenIndex(input.NextToken);
    const page = matching.slice(from, from + max);
    const result: DescribeAlarmsOutput = {
      MetricAlarms: page.map((a) => this.describe(a)),
      CompositeAlarms: [],
    };
    if (from + max < matching.length) result.NextToken = String(from + max);
    return result;
  }

  describeAlarmsForMetric(input: DescribeAlarmsForMetricInput): DescribeAlarmsForMetricOutput {
    const metricName = requireString(input.MetricName, 'MetricName');
    const namespace = requireString(input.Namespace, 'Namespace');
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
      this.addHistory(name, now, 'ConfigurationUpdate', `Alarm "${name}" deleted`, {
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
    this.transition(alarm, state, input.StateReason, input.StateReasonData, undefined, this.clock.now());
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
    this.pruneHistory(this.clock.now());
    let items = this.history.filter(
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
    if (input.ScanBy !== 'TimestampAscending') items = [...items].reverse();
    const from = tokenIndex(input.NextToken);
    const page = items.slice(from, from + max);
    const result: DescribeAlarmHistoryOutput = {
      AlarmHistoryItems: page.map((h): AlarmHistoryItem => ({
        AlarmName: h.alarmName,
        AlarmType: 'MetricAlarm',
        Timestamp: new Date(h.timestamp),
        HistoryItemType: h.type,
        HistorySummary: h.summary,
        HistoryData: h.data,
      })),
    };
    if (from + max < items.length) result.NextToken = String(from + max);
    return result;
  }

  tagResource(input: TagResourceInput): void {
    // every tag is checked before any is applied
    if (input.Tags === undefined || input.Tags === null) throw notNull('tags');
    const tags = tagsOf(input.Tags);
    const alarm = this.alarmByArn(input.ResourceARN);
    for (const [key, value] of tags) alarm.tags.set(key, value);
  }

  untagResource(input: UntagResourceInput): void {
    if (input.TagKeys === undefined || input.TagKeys === null) throw notNull('tagKeys');
    input.TagKeys.forEach((key, i) => checkLength(key, `tagKeys.${i + 1}.member`, 1, TAG_KEY_MAX));
    const alarm = this.alarmByArn(input.ResourceARN);
    for (const key of input.TagKeys) alarm.tags.delete(key);
  }

  listTagsForResource(input: ListTagsForResourceInput): ListTagsForResourceOutput {
    const alarm = this.alarmByArn(input.ResourceARN);
    return { Tags: [...alarm.tags].map(([Key, Value]): Tag => ({ Key, Value })) };
  }

  // ===== evaluation ==========================================================================================

  private schedule(): void {
    if (this.closed) return;
    const next = (Math.floor(this.clock.now() / MINUTE) + 1) * MINUTE;
    this.timer = this.clock.setTimer(next, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const minuteEnd = Math.floor(now / MINUTE) * MINUTE;
    for (const listener of [...this.minuteListeners]) {
      try {
        listener(minuteEnd - MINUTE, now);
      } catch (error) {
        console.error('emulator: CloudWatch minute listener failed', error);
      }
    }
    for (const alarm of [...this.alarms.values()]) {
      try {
        this.evaluate(alarm, minuteEnd, now);
      } catch (error) {
        console.error(`emulator: evaluating alarm ${alarm.config.name} failed`, error);
      }
    }
    if (now - this.lastPruneAt >= 3_600_000) {
      this.lastPruneAt = now;
      this.store.pruneBefore(now - RETENTION_MS);
      this.pruneHistory(now);
    }
    this.schedule();
  }

  /** Evaluates one alarm on the periods ending at `end`, changes its state and runs its actions. */
  private evaluate(alarm: Alarm, minuteEnd: number, now: number): void {
    const c = alarm.config;
    const period = alarmPeriod(c);
    let end = minuteEnd;
    if (c.wallClockOffsetMs !== undefined) {
      // AWS WallClockWindow: the range ends on a boundary of the period, in the window's time zone
      const step = period * 1000;
      end = Math.floor((minuteEnd + c.wallClockOffsetMs) / step) * step - c.wallClockOffsetMs;
    }
    if (!alarm.warmedUp && c.warmUp !== undefined) {
      if (now >= alarm.createdAt + (c.warmUp.WarmUpPeriodDurationInMinutes as number) * MINUTE) {
        alarm.warmedUp = true;
      } else if (c.warmUp.OnlyStartEvaluatingAfterWarmUpPeriodEnds === true) {
        // AWS: the alarm stays in INSUFFICIENT_DATA, without actions, until the warm-up ends
        return;
      }
    }
    const periods = c.evaluationPeriods + EXTRA_EVALUATION_PERIODS;
    const start = end - periods * period * 1000;
    const values = this.alarmSeries(c, start, end, period);
    const range: EvaluationDatapoint[] = [];
    for (let i = 0; i < periods; i++) {
      const t = start + i * period * 1000;
      range.push(values.get(t) ?? { timestamp: t });
    }
    if (!alarm.warmedUp) {
      // AWS: the warm-up ends early once the data fills the evaluation window
      if (range.slice(-c.evaluationPeriods).some((d) => d.value === undefined)) return;
      alarm.warmedUp = true;
    }
    const result = evaluateAlarm({
      range,
      evaluationPeriods: c.evaluationPeriods,
      datapointsToAlarm: c.datapointsToAlarm ?? c.evaluationPeriods,
      threshold: c.threshold,
      comparison: c.comparison,
      treatMissingData: c.treatMissingData ?? 'missing',
      currentState: alarm.state,
      period,
      statistic: c.statistic ?? c.extendedStatistic,
      unit: c.unit,
      now,
    });
    if (result.state !== alarm.state) {
      this.transition(alarm, result.state, result.reason, result.reasonData, result.latestValue, now);
    } else {
      // AWS: Auto Scaling actions run again every minute the alarm stays in the state
      this.repeatAutoScalingActions(alarm, result.latestValue, now);
    }
  }

  /** The alarm's datapoints in [start, end), by period start. */
  private alarmSeries(
    c: AlarmConfig,
    start: number,
    end: number,
    period: number,
  ): Map<number, EvaluationDatapoint> {
    const out = new Map<number, EvaluationDatapoint>();
    if (c.metrics === undefined) {
      const stat = c.statistic ?? (c.extendedStatistic as string);
      for (const aggregate of this.store.aggregate(
        c.namespace as string,
        c.metricName as string,
        c.dimensions,
        start,
        end,
        period,
        c.unit,
      )) {
        const value = statisticValue(aggregate, stat);
        if (value !== undefined) {
          out.set(aggregate.timestamp, {
            timestamp: aggregate.timestamp,
            value,
            sampleCount: aggregate.sampleCount,
          });
        }
      }
      return out;
    }
    const queries = validateQueries(c.metrics, 'Metrics', this.accountId);
    const watched = c.metrics.find((q) => q.ReturnData !== false) as MetricDataQuery;
    const value = this.run(queries, start, end).values.get(watched.Id as string);
    if (value === undefined) return out;
    const [series] = resultSeries(value, start, end, period);
    for (let i = 0; i < (series?.count ?? 0); i++) {
      out.set(series.time(i), { timestamp: series.time(i), value: series.value(i) });
    }
    return out;
  }

  private run(queries: MetricQuery[], start: number, end: number, options: RunOptions = {}): QueryResults {
    try {
      return runQueries(this.store, queries, start, end, options);
    } catch (error) {
      if (error instanceof QueryError) throw validation(`Error in expression ${error.id} [${error.message}]`);
      throw error;
    }
  }

  private transition(
    alarm: Alarm,
    state: AlarmState,
    reason: string,
    reasonData: string | undefined,
    metricValue: number | undefined,
    now: number,
  ): void {
    const old = alarm.state;
    // the history item is written out before anything changes: whatever fails, fails with the alarm untouched
    const item =
      old === state
        ? undefined
        : historyItem(alarm.config.name, now, 'StateUpdate', `Alarm updated from ${old} to ${state}`, {
            version: '1.0',
            oldState: {
              stateValue: old,
              stateReason: alarm.stateReason,
              ...parsedReasonData(alarm.stateReasonData),
            },
            newState: { stateValue: state, stateReason: reason, ...parsedReasonData(reasonData) },
          });
    alarm.stateReason = reason;
    alarm.stateReasonData = reasonData;
    alarm.stateUpdatedAt = now;
    if (item === undefined) return;
    alarm.state = state;
    alarm.stateTransitionedAt = now;
    this.history.push(item);
    if (!alarm.config.actionsEnabled) return;
    const change: AlarmStateChange = {
      alarmName: alarm.config.name,
      alarmArn: alarm.arn,
      oldState: old,
      newState: state,
      reason,
      reasonData,
      timestamp: now,
      repeat: false,
      metricValue,
      threshold: alarm.config.threshold,
      comparisonOperator: alarm.config.comparison,
    };
    for (const arn of actionsFor(alarm.config, state)) this.runAction(alarm, arn, change);
  }

  private repeatAutoScalingActions(alarm: Alarm, metricValue: number | undefined, now: number): void {
    if (!alarm.config.actionsEnabled || alarm.state === 'INSUFFICIENT_DATA') return;
    const arns = actionsFor(alarm.config, alarm.state).filter(isAutoScalingAction);
    if (arns.length === 0) return;
    const change: AlarmStateChange = {
      alarmName: alarm.config.name,
      alarmArn: alarm.arn,
      oldState: alarm.state,
      newState: alarm.state,
      reason: alarm.stateReason,
      reasonData: alarm.stateReasonData,
      timestamp: now,
      repeat: true,
      metricValue,
      threshold: alarm.config.threshold,
      comparisonOperator: alarm.config.comparison,
    };
    for (const arn of arns) this.runAction(alarm, arn, change);
  }

  private runAction(alarm: Alarm, arn: string, change: AlarmStateChange): void {
    const name = alarm.config.name;
    const succeeded = () => {
      if (!change.repeat) {
        this.addHistory(name, this.clock.now(), 'Action', `Successfully executed action ${arn}`, {
          actionState: 'Succeeded',
          stateUpdateTimestamp: change.timestamp,
        });
      }
    };
    const failed = (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.addHistory(
        name,
        this.clock.now(),
        'Action',
        `Failed to execute action ${arn}. Received error: "${message}"`,
        {
          actionState: 'Failed',
          stateUpdateTimestamp: change.timestamp,
          error: message,
        },
      );
    };
    try {
      if (arn.startsWith('arn:aws:sns:')) {
        if (!this.sns) throw new Error('SNS is not available');
        const subject = `${change.newState}: "${name}" in ${REGION_NAMES[this.region] ?? this.region}`;
        this.sns.publishInternal(
          arn,
          JSON.stringify(this.notification(alarm, change)),
          subject.slice(0, 100),
        );
        succeeded();
        return;
      }
      const entry = this.handlers.find((h) => h.matches(arn));
      if (!entry) throw new Error('the local emulator has no handler for this action');
      const outcome = entry.handler(arn, change);
      if (outcome instanceof Promise) outcome.then(succeeded, failed);
      else succeeded();
    } catch (error) {
      failed(error);
    }
  }

  /** The JSON message CloudWatch publishes to SNS topics, in AWS's field order. */
  private notification(alarm: Alarm, change: AlarmStateChange): Record<string, unknown> {
    const c = alarm.config;
    const trigger: Record<string, unknown> = {};
    if (c.metrics === undefined) {
      Object.assign(trigger, {
        MetricName: c.metricName,
        Namespace: c.namespace,
        StatisticType: c.statistic !== undefined ? 'Statistic' : 'ExtendedStatistic',
        ...(c.statistic !== undefined
          ? { Statistic: c.statistic.toUpperCase() }
          : { ExtendedStatistic: c.extendedStatistic }),
        Unit: c.unit ?? null,
        Dimensions: c.dimensions.map((d) => ({ value: d.Value, name: d.Name })),
        Period: c.period,
        EvaluationPeriods: c.evaluationPeriods,
      });
    } else {
      Object.assign(trigger, { Period: alarmPeriod(c), EvaluationPeriods: c.evaluationPeriods });
    }
    if (c.datapointsToAlarm !== undefined) trigger.DatapointsToAlarm = c.datapointsToAlarm;
    Object.assign(trigger, {
      ComparisonOperator: c.comparison,
      Threshold: c.threshold,
      TreatMissingData: c.treatMissingData ?? 'missing',
      EvaluateLowSampleCountPercentile: c.evaluateLowSampleCountPercentile ?? '',
    });
    if (c.metrics !== undefined) {
      trigger.Metrics = c.metrics.map((q) => ({
        ...(q.Expression !== undefined ? { Expression: q.Expression } : {}),
        Id: q.Id,
        ...(q.Label !== undefined ? { Label: q.Label } : {}),
        ...(q.MetricStat !== undefined
          ? {
              MetricStat: {
                Metric: {
                  Dimensions: (q.MetricStat.Metric?.Dimensions ?? []).map((d) => ({
                    value: d.Value,
                    name: d.Name,
                  })),
                  MetricName: q.MetricStat.Metric?.MetricName,
                  Namespace: q.MetricStat.Metric?.Namespace,
                },
                Period: q.MetricStat.Period,
                Stat: q.MetricStat.Stat,
                ...(q.MetricStat.Unit !== undefined ? { Unit: q.MetricStat.Unit } : {}),
              },
            }
          : {}),
        ReturnData: q.ReturnData !== false,
      }));
    }
    return {
      AlarmName: c.name,
      AlarmDescription: c.description ?? null,
      AWSAccountId: this.accountId,
      AlarmConfigurationUpdatedTimestamp: cloudWatchTime(alarm.configurationUpdatedAt),
      NewStateValue: change.newState,
      NewStateReason: change.reason,
      StateChangeTime: cloudWatchTime(change.timestamp),
      Region: REGION_NAMES[this.region] ?? this.region,
      AlarmArn: alarm.arn,
      OldStateValue: change.oldState,
      OKActions: c.okActions,
      AlarmActions: c.alarmActions,
      InsufficientDataActions: c.insufficientDataActions,
      Trigger: trigger,
    };
  }

  // ===== shared ==============================================================================================

  private validateAlarm(input: PutMetricAlarmInput): AlarmConfig {
    const name = requireAlarmName(input.AlarmName);
    // members the emulator cannot honour are refused by name, never dropped
    if (input.EvaluationCriteria !== undefined) {
      throw unsupported('EvaluationCriteria', 'PromQL alarms are not emulated; use MetricName or Metrics');
    }
    if (input.EvaluationInterval !== undefined) {
      throw unsupported(
        'EvaluationInterval',
        'AWS accepts it only with EvaluationCriteria (PromQL alarms), which are not emulated',
      );
    }
    if (input.ThresholdMetricId !== undefined) {
      throw unsupported(
        'ThresholdMetricId',
        'alarms on anomaly detection bands are not emulated; use a static Threshold',
      );
    }
    if (input.EvaluationPeriods === undefined || input.EvaluationPeriods === null) {
      throw validation(
        "1 validation error detected: Value null at 'evaluationPeriods' failed to satisfy constraint: Member must not be null",
      );
    }
    const evaluationPeriods = input.EvaluationPeriods;
    if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
      throw validation(
        `1 validation error detected: Value '${evaluationPeriods}' at 'evaluationPeriods' failed to satisfy ` +
          'constraint: Member must have value greater than or equal to 1',
      );
    }
    const comparison = input.ComparisonOperator as string | undefined;
    if (comparison === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'comparisonOperator' failed to satisfy constraint: Member must not be null",
      );
    }
    if (ANOMALY_COMPARISON_OPERATORS.includes(comparison)) {
      throw invalidValue(
        `ComparisonOperator ${comparison} compares with an anomaly detection band, ` +
          'which the local emulator does not support: use a static Threshold with ' +
          `${COMPARISON_OPERATORS.join(', ')}.`,
      );
    }
    if (!(COMPARISON_OPERATORS as readonly string[]).includes(comparison)) {
      throw validation(
        `1 validation error detected: Value '${comparison}' at 'comparisonOperator' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${[...COMPARISON_OPERATORS, ...ANOMALY_COMPARISON_OPERATORS].join(', ')}]`,
      );
    }
    if (input.Threshold === undefined || input.Threshold === null)
      throw validation('Threshold must not be null');
    if (typeof input.Threshold !== 'number' || !Number.isFinite(input.Threshold)) {
      throw invalidValue(`The value ${String(input.Threshold)} for parameter Threshold is invalid.`);
    }
    const datapointsToAlarm = input.DatapointsToAlarm;
    if (datapointsToAlarm !== undefined) {
      if (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1) {
        throw validation(
          `1 validation error detected: Value '${datapointsToAlarm}' at 'datapointsToAlarm' failed to satisfy ` +
            'constraint: Member must have value greater than or equal to 1',
        );
      }
      if (datapointsToAlarm > evaluationPeriods) {
        throw validation('DatapointsToAlarm must be less than or equal to EvaluationPeriods');
      }
    }
    const treat = input.TreatMissingData;
    if (treat !== undefined && !(TREAT_MISSING_DATA as readonly string[]).includes(treat)) {
      throw validation(
        `The value ${treat} is not supported for TreatMissingData. Valid values: ${TREAT_MISSING_DATA.join(', ')}.`,
      );
    }
    const actions = (list: string[] | undefined, param: string): string[] => {
      const arns = list ?? [];
      if (arns.length > 5) throw validation(`The collection ${param} must not contain more than 5 items.`);
      arns.forEach((arn, i) => {
        if (typeof arn === 'string') checkLength(arn, `${lowerFirst(param)}.${i + 1}.member`, 1, ARN_MAX);
        // linear: the classes either side of each ':' exclude it, so no segment can be split two ways
        if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/.test(arn)) {
          throw validation(`Invalid arn syntax: ${String(arn)}`);
        }
      });
      return [...arns];
    };
    if (input.AlarmDescription !== undefined) {
      checkLength(input.AlarmDescription, 'alarmDescription', 0, ALARM_DESCRIPTION_MAX);
    }
    if (input.EvaluateLowSampleCountPercentile !== undefined) {
      checkLength(input.EvaluateLowSampleCountPercentile, 'evaluateLowSampleCountPercentile', 1, 255);
    }
    const window = evaluationWindowOf(input.EvaluationWindow);
    const warmUp = warmUpOf(input.WarmUpConfiguration);
    const actionConfiguration = actionConfigurationOf(input.ActionConfiguration);
    const config: AlarmConfig = {
      name,
      description: input.AlarmDescription,
      actionsEnabled: input.ActionsEnabled ?? true,
      okActions: actions(input.OKActions, 'OKActions'),
      alarmActions: actions(input.AlarmActions, 'AlarmActions'),
      insufficientDataActions: actions(input.InsufficientDataActions, 'InsufficientDataActions'),
      dimensions: [],
      evaluationPeriods,
      datapointsToAlarm,
      threshold: input.Threshold,
      comparison: comparison as ComparisonOperator,
      treatMissingData: treat as TreatMissingData | undefined,
      evaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
      ...(window.window !== undefined ? { evaluationWindow: window.window } : {}),
      ...(window.offsetMs !== undefined ? { wallClockOffsetMs: window.offsetMs } : {}),
      ...(warmUp !== undefined ? { warmUp } : {}),
      ...(actionConfiguration !== undefined ? { actionConfiguration } : {}),
    };
    if (input.Metrics !== undefined && input.Metrics.length > 0) {
      const singleMetricFields = [
        'MetricName',
        'Namespace',
        'Dimensions',
        'Period',
        'Unit',
        'Statistic',
        'ExtendedStatistic',
      ] as const;
      const given = singleMetricFields.filter(
        (f) => input[f] !== undefined && !(f === 'Dimensions' && input.Dimensions?.length === 0),
      );
      if (given.length > 0) {
        throw invalidCombination(
          `The parameters Metrics and ${given.join(', ')} are mutually exclusive and you have specified both.`,
        );
      }
      if (input.Metrics.length > 10)
        throw validation('The collection Metrics must not contain more than 10 items.');
      const queries = validateQueries(input.Metrics, 'Metrics', this.accountId);
      if (input.Metrics.filter((q) => q.ReturnData !== false).length !== 1) {
        throw validation('Exactly one element of the metrics list should return data.');
      }
      const periods = new Set(
        queries.filter((q) => 'period' in q).map((q) => (q as { period: number }).period),
      );
      if (periods.size > 1) throw validation('All metrics in an alarm must have the same period.');
      const period = [...periods][0] ?? 60;
      checkAlarmPeriod(period, evaluationPeriods);
      config.metrics = input.Metrics.map((q) => structuredClone(q));
      return config;
    }
    if (input.MetricName === undefined) throw validation('MetricName must not be null');
    if (input.Namespace === undefined) throw validation('Namespace must not be null');
    checkLength(input.MetricName, 'metricName', 1, 255);
    checkLength(input.Namespace, 'namespace', 1, 255);
    if (input.Period === undefined) throw validation('Period must not be null');
    if (input.Statistic === undefined && input.ExtendedStatistic === undefined) {
      throw invalidCombination('Must specify either Statistic or ExtendedStatistic.');
    }
    if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) {
      throw invalidCombination(
        'Statistic and ExtendedStatistic are mutually exclusive and you have specified both.',
      );
    }
    if (input.Statistic !== undefined && !isSimpleStatistic(input.Statistic)) {
      throw validation(
        `1 validation error detected: Value '${input.Statistic}' at 'statistic' failed to satisfy constraint: ` +
          'Member must satisfy enum value set: [Maximum, SampleCount, Sum, Minimum, Average]',
      );
    }
    if (input.ExtendedStatistic !== undefined && percentileOf(input.ExtendedStatistic) === undefined) {
      throw invalidValue(
        `The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is invalid` +
          ' (the local emulator supports percentiles, pNN or pNN.NN).',
      );
    }
    if (input.Unit !== undefined && !UNITS.has(input.Unit)) {
      throw invalidValue(`The value ${input.Unit} for parameter Unit is invalid.`);
    }
    checkAlarmPeriod(checkPeriod(input.Period, 'Period'), evaluationPeriods);
    return {
      ...config,
      metricName: input.MetricName,
      namespace: input.Namespace,
      statistic: input.Statistic,
      extendedStatistic: input.ExtendedStatistic,
      dimensions: dimensionsOf(input.Dimensions, 'Dimensions'),
      period: input.Period,
      unit: input.Unit,
    };
  }

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
      this.addHistory(name, now, 'ConfigurationUpdate', `Alarm "${name}" updated`, {
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

  private addHistory(
    alarmName: string,
    timestamp: number,
    type: HistoryEntry['type'],
    summary: string,
    data: unknown,
  ): void {
    this.history.push(historyItem(alarmName, timestamp, type, summary, data));
  }

  private pruneHistory(now: number): void {
    const first = this.history.findIndex((h) => h.timestamp >= now - HISTORY_RETENTION_MS);
    if (first > 0) this.history = this.history.slice(first);
    else if (first < 0) this.history = [];
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

// ===== helpers ===============================================================================================

function invalidValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

function invalidCombination(message: string): AwsError {
  return new AwsError('InvalidParameterCombination', message);
}

function validation(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** A member the emulator does not honour: refused by name (ValidationError), never silently dropped. */
function unsupported(member: string, why: string): AwsError {
  return validation(`${member} is not supported by the local emulator: ${why}.`);
}

function missing(name: string): AwsError {
  return new AwsError('MissingParameter', `The parameter ${name} is required.`);
}

function requireString(value: unknown, name: string): string {
  if (value === undefined || value === null || value === '') throw missing(name);
  if (typeof value !== 'string') throw invalidValue(`The value for parameter ${name} is invalid.`);
  return value;
}

function lowerFirst(name: string): string {
  return `${name[0].toLowerCase()}${name.slice(1)}`;
}

function notNull(field: string): AwsError {
  return validation(
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

/** AWS's length constraint; the value is not echoed back, it may be megabytes long. */
function checkLength(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== 'string')
    throw validation(`1 validation error detected: Value at '${field}' is not a string`);
  if (value.length < min) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: ` +
        `Member must have length greater than or equal to ${min}`,
    );
  }
  if (value.length > max) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${max}`,
    );
  }
}

/** Checks every tag (AWS: keys of 1 to 128 characters, values up to 256) before any is applied. */
function tagsOf(tags: readonly Tag[]): [string, string][] {
  if (!Array.isArray(tags)) throw invalidValue('The value for parameter Tags is invalid.');
  return tags.map((tag, i): [string, string] => {
    const field = `tags.${i + 1}.member`;
    if (tag?.Key === undefined || tag.Key === null) throw notNull(`${field}.key`);
    checkLength(tag.Key, `${field}.key`, 1, TAG_KEY_MAX);
    const value = tag.Value ?? '';
    checkLength(value, `${field}.value`, 0, TAG_VALUE_MAX);
    return [tag.Key, value];
  });
}

function requireAlarmName(value: unknown): string {
  if (value === undefined || value === null) {
    throw validation(
      "1 validation error detected: Value null at 'alarmName' failed to satisfy constraint: Member must not be null",
    );
  }
  const name = String(value);
  if (name.length < 1 || name.length > ALARM_NAME_MAX) {
    throw validation(
      `1 validation error detected: Value '${name}' at 'alarmName' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 255',
    );
  }
  return name;
}

function checkState(value: unknown, field: string): AlarmState {
  if (!(STATES as readonly unknown[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' ` +
        `failed to satisfy constraint: ${value === undefined ? 'Member must not be null' : 'Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]'}`,
    );
  }
  return value as AlarmState;
}

/** AWS: periods of 1, 5, 10, 20, 30 seconds (high resolution) or a multiple of 60. */
function checkPeriod(value: unknown, name: string): number {
  const period = Number(value);
  if (
    !Number.isInteger(period) ||
    period < 1 ||
    (period < 60 ? ![1, 5, 10, 20, 30].includes(period) : period % 60 !== 0)
  ) {
    throw invalidValue(`The parameter ${name} must be a multiple of 60 or one of 1, 5, 10, 20, 30.`);
  }
  return period;
}

/** AWS: an alarm evaluates 10, 20, 30 seconds or multiples of 60, over at most 7 days. */
function checkAlarmPeriod(period: number, evaluationPeriods: number): void {
  if (period < 60 && ![10, 20, 30].includes(period)) {
    throw invalidValue('The parameter Period must be 10, 20, 30 or a multiple of 60.');
  }
  if (period * evaluationPeriods > 7 * 86_400) {
    throw validation('The evaluation period (Period * EvaluationPeriods) must not exceed 7 days.');
  }
}

/** EvaluationWindow as stored and returned, and a WallClockWindow's UTC offset. */
function evaluationWindowOf(window: EvaluationWindow | undefined): {
  window?: EvaluationWindow;
  offsetMs?: number;
} {
  if (window === undefined || window === null) return {};
  const w = window as { WallClockWindow?: { Timezone?: string }; SlidingWindow?: object };
  const given = [w.WallClockWindow, w.SlidingWindow].filter((m) => m !== undefined && m !== null);
  if (given.length !== 1) {
    throw validation('EvaluationWindow must set exactly one of SlidingWindow and WallClockWindow.');
  }
  // AWS's default: the range ends at the evaluation, as the emulator has always evaluated
  if (w.SlidingWindow !== undefined && w.SlidingWindow !== null) return { window: { SlidingWindow: {} } };
  const timezone = w.WallClockWindow?.Timezone;
  if (timezone === undefined || timezone === null) return { window: { WallClockWindow: {} }, offsetMs: 0 };
  checkLength(timezone, 'evaluationWindow.wallClockWindow.timezone', 1, 64);
  return { window: { WallClockWindow: { Timezone: timezone } }, offsetMs: utcOffsetOf(timezone) };
}

/** UTC, `+05:30` or `UTC+05:30`, in ms; IANA zone names (daylight saving) are refused by name. */
function utcOffsetOf(timezone: string): number {
  if (timezone === 'UTC' || timezone === 'GMT' || timezone === 'Etc/UTC') return 0;
  // linear: anchored, fixed width after the optional prefix
  const match = /^(?:UTC)?([+-])(\d{2}):(\d{2})$/.exec(timezone);
  if (!match) {
    throw unsupported(
      `EvaluationWindow.WallClockWindow.Timezone ${timezone}`,
      'use UTC or a fixed offset such as +05:30 (time zone names are not emulated)',
    );
  }
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  if (Number(match[3]) >= 60 || minutes > MAX_UTC_OFFSET_MINUTES || minutes % 5 !== 0) {
    throw invalidValue(
      `The value ${timezone} for parameter EvaluationWindow.WallClockWindow.Timezone is invalid: ` +
        'the offset must be a multiple of 5 minutes within 14 hours of UTC.',
    );
  }
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

/** Wall clock windows are aligned to boundaries of the period within a day (AWS also aligns weeks). */
function checkWallClockPeriod(period: number): void {
  if (86_400 % period !== 0) {
    throw unsupported(
      `EvaluationWindow.WallClockWindow with a period of ${period} seconds`,
      'the local emulator aligns wall clock windows for periods that divide a day',
    );
  }
}

function warmUpOf(warmUp: WarmUpConfiguration | undefined): WarmUpConfiguration | undefined {
  if (warmUp === undefined || warmUp === null) return undefined;
  const minutes = warmUp.WarmUpPeriodDurationInMinutes;
  const field = 'warmUpConfiguration.warmUpPeriodDurationInMinutes';
  if (minutes === undefined || minutes === null) throw notNull(field);
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw validation(
      `1 validation error detected: Value '${minutes}' at '${field}' failed to satisfy constraint: ` +
        'Member must have value greater than or equal to 1',
    );
  }
  const only = warmUp.OnlyStartEvaluatingAfterWarmUpPeriodEnds;
  return {
    WarmUpPeriodDurationInMinutes: minutes,
    ...(only !== undefined && only !== null ? { OnlyStartEvaluatingAfterWarmUpPeriodEnds: only } : {}),
  };
}

function actionConfigurationOf(
  configuration: ActionConfiguration | undefined,
): ActionConfiguration | undefined {
  if (configuration === undefined || configuration === null) return undefined;
  const propagation = configuration.AlarmTagsPropagation;
  if (propagation === undefined || propagation === null) return {};
  const field = 'actionConfiguration.alarmTagsPropagation';
  if (propagation.Enabled === undefined || propagation.Enabled === null) throw notNull(`${field}.enabled`);
  const keys = (list: string[] | undefined, name: string): string[] | undefined => {
    if (list === undefined || list === null) return undefined;
    if (list.length < 1 || list.length > 50) {
      throw validation(
        `1 validation error detected: Value at '${field}.${name}' failed to satisfy constraint: ` +
          'Member must have length between 1 and 50',
      );
    }
    list.forEach((key, i) => checkLength(key, `${field}.${name}.${i + 1}.member`, 1, TAG_KEY_MAX));
    return [...list];
  };
  const included = keys(propagation.IncludedTagKeys, 'includedTagKeys');
  const excluded = keys(propagation.ExcludedTagKeys, 'excludedTagKeys');
  if (included !== undefined && excluded !== undefined) {
    throw invalidCombination('IncludedTagKeys and ExcludedTagKeys cannot be specified together.');
  }
  if (propagation.Enabled) {
    throw unsupported(
      'ActionConfiguration.AlarmTagsPropagation with Enabled true',
      "the emulator's alarm notifications do not carry the alarm's tags",
    );
  }
  return {
    AlarmTagsPropagation: {
      Enabled: false,
      ...(included !== undefined ? { IncludedTagKeys: included } : {}),
      ...(excluded !== undefined ? { ExcludedTagKeys: excluded } : {}),
    },
  };
}

function timeOf(value: unknown, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(ms)) throw invalidValue(`The parameter ${name} is not a valid timestamp.`);
  return ms;
}

function dimensionsOf(value: unknown, param: string): MetricDimension[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidValue(`The value for parameter ${param} is invalid.`);
  if (value.length > 30) throw invalidValue(`The collection ${param} must not contain more than 30 items.`);
  const seen = new Set<string>();
  return value.map((d: { Name?: unknown; Value?: unknown }, i) => {
    const p = `${param}.member.${i + 1}`;
    const name = requireString(d?.Name, `${p}.Name`);
    const v = requireString(d?.Value, `${p}.Value`);
    if (name.length > 255) throw invalidValue(`The value ${name} for parameter ${p}.Name is invalid.`);
    if (v.length > 1024) throw invalidValue(`The value ${v} for parameter ${p}.Value is invalid.`);
    if (seen.has(name)) throw invalidValue(`No metric may have duplicate dimension names: ${name}.`);
    seen.add(name);
    return { Name: name, Value: v };
  });
}

function sampleOf(
  datum: {
    Value?: number;
    StatisticValues?: { SampleCount?: number; Sum?: number; Minimum?: number; Maximum?: number };
    Values?: number[];
    Counts?: number[];
  },
  p: string,
): MetricSample {
  const given = [
    datum.Value !== undefined ? `${p}.Value` : undefined,
    datum.StatisticValues !== undefined ? `${p}.StatisticValues` : undefined,
    datum.Values !== undefined ? `${p}.Values` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (given.length > 1) {
    throw invalidCombination(
      `The parameters ${given[0]} and ${given[1]} are mutually exclusive and you have specified both.`,
    );
  }
  const checkNumber = (v: unknown, name: string): number => {
    // AWS: values must lie within ±2^360 (or be 0); NaN and infinities are refused
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      (v !== 0 && (Math.abs(v) > 2 ** 360 || Math.abs(v) < 2 ** -260))
    ) {
      throw invalidValue(`The value ${String(v)} for parameter ${name} is invalid.`);
    }
    return v;
  };
  if (datum.StatisticValues !== undefined) {
    const s = datum.StatisticValues;
    const sampleCount = checkNumber(s.SampleCount, `${p}.StatisticValues.SampleCount`);
    const sum = checkNumber(s.Sum, `${p}.StatisticValues.Sum`);
    const minimum = checkNumber(s.Minimum, `${p}.StatisticValues.Minimum`);
    const maximum = checkNumber(s.Maximum, `${p}.StatisticValues.Maximum`);
    if (sampleCount <= 0)
      throw invalidValue(
        `The value ${sampleCount} for parameter ${p}.StatisticValues.SampleCount is invalid.`,
      );
    if (minimum > maximum) {
      throw invalidValue(
        `The parameter ${p}.StatisticValues.Maximum must be greater than ${p}.StatisticValues.Minimum.`,
      );
    }
    return { sampleCount, sum, minimum, maximum };
  }
  if (datum.Values !== undefined) {
    if (datum.Values.length > 150)
      throw invalidValue(`The collection ${p}.Values must not contain more than 150 items.`);
    const values = datum.Values.map((v, i) => checkNumber(v, `${p}.Values.member.${i + 1}`));
    const counts = datum.Counts;
    if (counts !== undefined && counts.length !== values.length) {
      throw invalidValue(`The parameters ${p}.Values and ${p}.Counts must be of the same size.`);
    }
    counts?.forEach((c, i) => checkNumber(c, `${p}.Counts.member.${i + 1}`));
    return { values, counts };
  }
  if (datum.Value === undefined) {
    throw invalidCombination(
      `At least one of the parameters ${p}.Value, ${p}.StatisticValues or ${p}.Values must be specified.`,
    );
  }
  return { values: [checkNumber(datum.Value, `${p}.Value`)] };
}

/** Validates metric data queries (GetMetricData, alarm Metrics) into what the query runner takes. */
function validateQueries(raw: readonly MetricDataQuery[], param: string, accountId: string): MetricQuery[] {
  const ids = new Set<string>();
  const queries = raw.map((q, i): MetricQuery => {
    const p = `${param}.member.${i + 1}`;
    // the member's path as AWS's validation messages spell it: metricDataQueries.1.member
    const member = `${lowerFirst(param)}.${i + 1}.member`;
    const id = q?.Id;
    if (id === undefined || id === null) throw missing(`${p}.Id`);
    if (id.length > 255) {
      throw validation(
        `1 validation error detected: Value at '${member}.id' failed to satisfy constraint: ` +
          'Member must have length less than or equal to 255',
      );
    }
    if (!QUERY_ID.test(id)) {
      throw validation(
        `The value ${id} for parameter ${p}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`,
      );
    }
    if (ids.has(id)) throw validation(`The value ${id} for parameter ${p}.Id is not unique.`);
    ids.add(id);
    if (q.AccountId !== undefined) {
      checkLength(q.AccountId, `${member}.accountId`, 1, 255);
      // the emulator is a single account: cross-account observability has no source accounts to read
      if (q.AccountId !== accountId) {
        throw unsupported(`${p}.AccountId ${q.AccountId}`, `it holds only account ${accountId}`);
      }
    }
    if (q.MetricStat !== undefined && q.Expression !== undefined) {
      throw validation(
        `The parameters ${p}.MetricStat and ${p}.Expression are mutually exclusive and you have specified both.`,
      );
    }
    if (q.Expression !== undefined) {
      // AWS: checked before anything reads the expression (the value is not echoed: it may be megabytes long)
      if (q.Expression.length > MAX_EXPRESSION_LENGTH) {
        throw validation(
          `1 validation error detected: Value at '${member}.expression' failed to satisfy constraint: ` +
            `Member must have length less than or equal to ${MAX_EXPRESSION_LENGTH}`,
        );
      }
      try {
        const parsed = parseExpression(q.Expression);
        return { id, expression: q.Expression, parsed, refs: referencedIds(parsed) };
      } catch (error) {
        if (error instanceof MathError) throw validation(`Error in expression ${id} [${error.message}]`);
        throw error;
      }
    }
    const stat = q.MetricStat;
    if (stat === undefined) throw validation(`The parameter ${p}.MetricStat is required.\n`);
    const metric = stat.Metric;
    const namespace = requireString(metric?.Namespace, `${p}.MetricStat.Metric.Namespace`);
    const metricName = requireString(metric?.MetricName, `${p}.MetricStat.Metric.MetricName`);
    if (stat.Period === undefined) throw missing(`${p}.MetricStat.Period`);
    const period = checkPeriod(stat.Period, `${p}.MetricStat.Period`);
    const statName = requireString(stat.Stat, `${p}.MetricStat.Stat`);
    if (!isSupportedStatistic(statName)) {
      throw invalidValue(`The value ${statName} for parameter ${p}.MetricStat.Stat is invalid.`);
    }
    if (stat.Unit !== undefined && !UNITS.has(stat.Unit)) {
      throw invalidValue(`The value ${stat.Unit} for parameter ${p}.MetricStat.Unit is invalid.`);
    }
    return {
      id,
      metric: {
        namespace,
        metricName,
        dimensions: dimensionsOf(metric?.Dimensions, `${p}.MetricStat.Metric.Dimensions`),
      },
      period,
      stat: statName,
      unit: stat.Unit,
    };
  });
  for (const q of queries) {
    if ('expression' in q) {
      for (const ref of q.refs ?? referencedIds(q.parsed ?? parseExpression(q.expression))) {
        if (!ids.has(ref)) throw validation(`Error in expression ${q.id} [Unrecognized metric ID ${ref}]`);
      }
    }
  }
  raw.forEach((q, i) => {
    if (q.Period === undefined) return;
    const p = `${param}.member.${i + 1}.Period`;
    const period = checkPeriod(q.Period, p);
    const q2 = queries[i];
    const used = 'period' in q2 ? q2.period : periodOfExpressions(queries);
    // AWS: the granularity of the returned datapoints; the emulator computes expressions at their metrics' period
    if (period !== used) {
      throw unsupported(`${p} ${period}`, `this query's datapoints have the period of its metrics (${used})`);
    }
  });
  return queries;
}

/** The period of an expression's result: the smallest period among the request's metrics. */
function periodOfExpressions(queries: readonly MetricQuery[]): number {
  const periods = queries.filter((q) => 'period' in q).map((q) => (q as { period: number }).period);
  return periods.length > 0 ? Math.min(...periods) : 60;
}

function alarmPeriod(c: AlarmConfig): number {
  if (c.period !== undefined) return c.period;
  const stat = (c.metrics ?? []).find((q) => q.MetricStat?.Period !== undefined);
  return stat?.MetricStat?.Period ?? 60;
}

function actionsFor(c: AlarmConfig, state: AlarmState): string[] {
  return state === 'ALARM' ? c.alarmActions : state === 'OK' ? c.okActions : c.insufficientDataActions;
}

/** EC2 Auto Scaling and Application Auto Scaling policy ARNs: AWS re-runs these while the alarm stays in state. */
function isAutoScalingAction(arn: string): boolean {
  const service = arn.split(':')[2];
  return service === 'autoscaling' || service === 'application-autoscaling';
}

function historyItem(
  alarmName: string,
  timestamp: number,
  type: HistoryEntry['type'],
  summary: string,
  data: unknown,
): HistoryEntry {
  return { alarmName, timestamp, type, summary, data: JSON.stringify(data, dateAsCloudWatchTime) };
}

function parsedReasonData(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    return { stateReasonData: JSON.parse(text) };
  } catch {
    return {};
  }
}

// the pattern is anchored and of fixed width: it gives up within 24 characters of any string, however long
function dateAsCloudWatchTime(this: unknown, _key: string, value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)
    ? value.replace('Z', '+0000')
    : value;
}

function tokenIndex(token: string | undefined): number {
  if (token === undefined) return 0;
  const n = Number(token);
  if (!Number.isInteger(n) || n < 0)
    throw new AwsError('InvalidNextToken', 'The service returned an invalid NextToken.');
  return n;
}

export type { AlarmState, ComparisonOperator } from './alarm-evaluation';
