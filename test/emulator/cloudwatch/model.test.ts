import {
  type EvaluationInput,
  evaluateAlarm,
  javaDouble,
} from '../../../lib/emulator/cloudwatch/alarm-evaluation';
import {
  evaluateExpression,
  type MathValue,
  parseExpression,
  type Series,
} from '../../../lib/emulator/cloudwatch/metric-math';
import { MetricStore } from '../../../lib/emulator/cloudwatch/metric-store';

const MIN = 60_000;

describe('alarm evaluation (pure)', () => {
  const base = (values: (number | undefined)[], extra: Partial<EvaluationInput> = {}): EvaluationInput => ({
    range: values.map((value, i) => ({ timestamp: i * MIN, value })),
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    threshold: 10,
    comparison: 'GreaterThanThreshold',
    treatMissingData: 'ignore',
    currentState: 'OK',
    period: 60,
    now: values.length * MIN,
    ...extra,
  });

  it('ignore keeps the current state when the missing periods would decide', () => {
    // Act
    const fromAlarm = evaluateAlarm(
      base([undefined, undefined, undefined, undefined, 50], { currentState: 'ALARM' }),
    );
    const fromOk = evaluateAlarm(
      base([undefined, undefined, undefined, undefined, 50], { currentState: 'OK' }),
    );
    const decided = evaluateAlarm(
      base([undefined, undefined, undefined, undefined, 1], { currentState: 'ALARM' }),
    );
    // Assess
    expect(fromAlarm.state).toBe('ALARM');
    expect(fromOk.state).toBe('OK');
    expect(decided.state).toBe('OK');
  });

  it('uses the most recent real datapoints of the range once there are enough of them', () => {
    // Act: the newest period is missing, the three before it breach
    const result = evaluateAlarm(base([1, 50, 60, 70, undefined], { treatMissingData: 'notBreaching' }));
    // Assess
    expect(result.state).toBe('ALARM');
    expect(result.latestValue).toBe(70);
    expect(JSON.parse(result.reasonData).recentDatapoints).toEqual([50, 60, 70]);
  });

  it('writes numbers in reasons as Java doubles', () => {
    expect([5, 0.25, -3, 1e7, 0.0001, 123456.5].map(javaDouble)).toEqual([
      '5.0',
      '0.25',
      '-3.0',
      '1.0E7',
      '1.0E-4',
      '123456.5',
    ]);
  });
});

describe('metric math (pure)', () => {
  const series = (values: (number | undefined)[]): Series => {
    const times: number[] = [];
    const kept: number[] = [];
    values.forEach((v, i) => {
      if (v === undefined) return;
      times.push(i * MIN);
      kept.push(v);
    });
    return { period: 60, times, values: kept };
  };
  const evaluate = (text: string, vars: Record<string, Series>): MathValue =>
    evaluateExpression(parseExpression(text), {
      start: 0,
      end: 5 * MIN,
      resolve: (id) => (vars[id] ? { kind: 'series', series: vars[id] } : undefined),
      metricIds: () => Object.keys(vars),
    });
  const values = (v: MathValue) =>
    v.kind === 'series' ? v.series.values : v.kind === 'scalar' ? v.value : v;

  it('follows operator precedence, unary minus and powers', () => {
    expect(values(evaluate('2 + 3 * 4 ^ 2 - -1', {}))).toBe(51);
    expect(values(evaluate('(2 + 3) * 4 / 10', {}))).toBe(2);
  });

  it('drops datapoints divided by zero, and computes DIFF, RATE, RUNNING_SUM, ABS and METRICS()', () => {
    const m1 = series([4, 0, 6]);
    const m2 = series([2, 5, 10]);
    expect(values(evaluate('m2 / m1', { m1, m2 }))).toEqual([0.5, 10 / 6]);
    expect(values(evaluate('DIFF(m2)', { m2 }))).toEqual([3, 5]);
    expect(values(evaluate('RATE(m2)', { m2 }))).toEqual([3 / 60, 5 / 60]);
    expect(values(evaluate('RUNNING_SUM(m2)', { m2 }))).toEqual([2, 7, 17]);
    expect(values(evaluate('ABS(m1 - m2)', { m1, m2 }))).toEqual([2, 5, 4]);
    expect(values(evaluate('SUM(METRICS())', { m1, m2 }))).toEqual([6, 5, 16]);
    expect(
      values(evaluate('FILL(m1, REPEAT)', { m1: series([undefined, 3, undefined, undefined, 9]) })),
    ).toEqual([3, 3, 3, 3, 9]);
  });

  it('refuses malformed expressions', () => {
    expect(() => parseExpression('m1 +* m2')).toThrow('Invalid syntax');
    expect(() => parseExpression('SUM([m1, m2)')).toThrow('Invalid syntax');
    expect(() => evaluate('m3', {})).toThrow('Unrecognized metric ID m3');
  });
});

describe('metric store (pure)', () => {
  it('keeps units apart for a Unit filter and combines them otherwise', () => {
    // Prepare
    const store = new MetricStore();
    const id = { namespace: 'N', metricName: 'M', dimensions: [] };
    store.put(id, 10_000, 'Seconds', { values: [2] }, false, 10_000);
    store.put(id, 20_000, 'Milliseconds', { values: [500] }, false, 20_000);
    // Act
    const seconds = store.aggregate('N', 'M', [], 0, MIN, 60, 'Seconds');
    const all = store.aggregate('N', 'M', [], 0, MIN, 60);
    // Assess
    expect(seconds.map((a) => [a.sum, a.unit])).toEqual([[2, 'Seconds']]);
    expect(all.map((a) => [a.sampleCount, a.unit])).toEqual([[2, 'None']]);
  });

  it('drops data past retention, and the metric with it', () => {
    // Prepare
    const store = new MetricStore();
    store.put({ namespace: 'N', metricName: 'Old', dimensions: [] }, 0, 'None', { values: [1] }, false, 0);
    store.put(
      { namespace: 'N', metricName: 'New', dimensions: [] },
      10 * MIN,
      'None',
      { values: [1] },
      false,
      0,
    );
    // Act
    store.pruneBefore(5 * MIN);
    // Assess
    expect(store.list({}).map((m) => m.metricName)).toEqual(['New']);
  });
});
