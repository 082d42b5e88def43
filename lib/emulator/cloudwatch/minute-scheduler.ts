/**
 * CloudWatch's clock: one timer at every emulated minute boundary, which, in this order,
 *   1. runs the minute listeners (`onMinute`): the AWS/SQS metrics of every active queue are recorded there, with
 *      the timestamp of the minute that just ended;
 *   2. evaluates every alarm on the periods ending now; a change of state runs its actions;
 *   3. once an hour, drops the metrics and history past AWS's retention.
 */
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Clock, Timer } from '../clock';
import type { AlarmActions } from './alarm-actions';
import { type EvaluationDatapoint, evaluateAlarm } from './alarm-evaluation';
import type { AlarmHistory } from './alarm-history';
import { type Alarm, type AlarmConfig, alarmPeriod } from './alarm-validation';
import { runValidated, validateQueries } from './input-checks';
import { resultSeries } from './metric-queries';
import { type MetricStore, RETENTION_MS } from './metric-store';
import { statisticValue } from './statistics';

const MINUTE = 60_000;
/** AWS: how far back an alarm looks for real datapoints, beyond its evaluation periods (see alarm-evaluation.ts). */
const EXTRA_EVALUATION_PERIODS = 2;

export interface MinuteSchedulerOptions {
  readonly clock: Clock;
  readonly accountId: string;
  readonly store: MetricStore;
  readonly alarms: ReadonlyMap<string, Alarm>;
  readonly actions: AlarmActions;
  readonly history: AlarmHistory;
}

export class MinuteScheduler {
  private readonly listeners = new Set<(minuteStart: number, now: number) => void>();
  private timer: Timer | undefined;
  private lastPruneAt = 0;
  private closed = false;

  constructor(private readonly options: MinuteSchedulerOptions) {
    this.schedule();
  }

  /** See CloudWatchService.onMinute. */
  onMinute(listener: (minuteStart: number, now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.timer) this.options.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.closed) return;
    const { clock } = this.options;
    const next = (Math.floor(clock.now() / MINUTE) + 1) * MINUTE;
    this.timer = clock.setTimer(next, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    const now = this.options.clock.now();
    const minuteEnd = Math.floor(now / MINUTE) * MINUTE;
    for (const listener of [...this.listeners]) {
      try {
        listener(minuteEnd - MINUTE, now);
      } catch (error) {
        console.error('emulator: CloudWatch minute listener failed', error);
      }
    }
    for (const alarm of [...this.options.alarms.values()]) {
      try {
        this.evaluate(alarm, minuteEnd, now);
      } catch (error) {
        console.error(`emulator: evaluating alarm ${alarm.config.name} failed`, error);
      }
    }
    if (now - this.lastPruneAt >= 3_600_000) {
      this.lastPruneAt = now;
      this.options.store.pruneBefore(now - RETENTION_MS);
      this.options.history.prune(now);
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
      this.options.actions.transition(
        alarm,
        result.state,
        result.reason,
        result.reasonData,
        result.latestValue,
        now,
      );
    } else {
      // AWS: Auto Scaling actions run again every minute the alarm stays in the state
      this.options.actions.repeatAutoScalingActions(alarm, result.latestValue, now);
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
      for (const aggregate of this.options.store.aggregate(
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
    const queries = validateQueries(c.metrics, 'Metrics', this.options.accountId);
    const watched = c.metrics.find((q) => q.ReturnData !== false) as MetricDataQuery;
    const value = runValidated(this.options.store, queries, start, end).values.get(watched.Id as string);
    if (value === undefined) return out;
    const [series] = resultSeries(value, start, end, period);
    for (let i = 0; i < (series?.count ?? 0); i++) {
      out.set(series.time(i), { timestamp: series.time(i), value: series.value(i) });
    }
    return out;
  }
}
