/**
 * Hostile single requests: each gets an AWS-shaped answer within a second, without crashing the emulator, blocking
 * it, or changing any state. Real SDK over HTTP, raw HTTP where the SDK cannot send the body.
 */
import { gzipSync } from 'node:zlib';
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListTagsForResourceCommand,
  type MetricDataQuery,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmStateChange } from '../../../lib/emulator/cloudwatch/service';
import { MAX_REQUEST_BYTES } from '../../../lib/emulator/protocol/http-server';
import { awsErrorOf } from '../../helpers/emulator';
import { type RawResponse, rawRequest } from '../../helpers/raw-http';
import { type CloudWatchTestEmulator, minute, startCloudWatchTestEmulator } from './cloudwatch-fixture';

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

const MiB = 1024 * 1024;
const TARGET = 'GraniteServiceVersion20100801';
/** 1970 to 2100: 68 million one-minute periods. */
const WIDE = { StartTime: new Date(0), EndTime: new Date(Date.UTC(2100, 0, 1)) };
const ORDERS: MetricDataQuery = {
  Id: 'm1',
  MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Orders' }, Period: 60, Stat: 'Sum' },
};

/**
 * Runs `act` and reports the CPU time it cost, in ms: the emulator runs in this process, and on a machine shared with
 * other test workers the CPU time is what a request costs, where the wall time also counts the neighbours' turns.
 * A request that froze the emulator costs seconds of it (they are CPU-bound: nothing here waits on I/O).
 */
async function timed<T>(act: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = process.cpuUsage();
  const result = await act();
  const { user, system } = process.cpuUsage(started);
  return { result, ms: (user + system) / 1000 };
}

function raw(body: string | Buffer, headers: Record<string, string>): Promise<RawResponse> {
  return rawRequest(`${t.emulator.endpoint}/`, { headers, body });
}

const json = (operation: string, body: string | Buffer, extra: Record<string, string> = {}) =>
  raw(body, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `${TARGET}.${operation}`,
    ...extra,
  });

/**
 * A query-protocol request (older SDKs, the CLI v1), parameters as given; `verbatim` is appended unencoded (a
 * literal space is valid form data, and decodes without the cost of a megabyte of `+`).
 */
const query = (params: Record<string, string>, verbatim = '') =>
  raw(`${new URLSearchParams({ Version: '2010-08-01', ...params }).toString()}${verbatim}`, {
    'content-type': 'application/x-www-form-urlencoded',
  });

async function putOrders(value = 1): Promise<void> {
  await t.cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [{ MetricName: 'Orders', Timestamp: minute(t, 0), Value: value }],
    }),
  );
}

const getMetricData = (queries: MetricDataQuery[], extra: object = {}) =>
  t.cw.send(new GetMetricDataCommand({ MetricDataQueries: queries, ...WIDE, ...extra }));

describe('1. time ranges: work is bounded by the datapoint limits, not by the range', () => {
  it('FILL from 1970 to 2100 returns AWS’s 100,800 newest datapoints as PartialData, in well under a second', async () => {
    // Prepare
    t.atMinute(1);
    await putOrders(7);
    const body = JSON.stringify({
      MetricDataQueries: [
        { ...ORDERS, ReturnData: false },
        { Id: 'e1', Expression: 'FILL(m1, 0)' },
      ],
      StartTime: 0,
      EndTime: WIDE.EndTime.getTime() / 1000,
    });
    // Act (raw HTTP: the time is the emulator's, not the SDK's reading of 100,800 timestamps)
    const { result, ms } = await timed(() => json('GetMetricData', body));
    // Assess
    const {
      MetricDataResults: [filled],
      NextToken,
    } = JSON.parse(result.body);
    expect(ms).toBeLessThan(1000);
    expect(filled.StatusCode).toBe('PartialData');
    expect(filled.Values).toHaveLength(100_800);
    // newest first (ScanBy's default): the last minute before EndTime leads
    expect(filled.Timestamps[0]).toBe(WIDE.EndTime.getTime() / 1000 - 60);
    expect(NextToken).toBeUndefined();
  });

  it('a scalar expression and a MetricStat over 130 years answer at once, and MaxDatapoints pages them', async () => {
    // Prepare
    t.atMinute(1);
    await putOrders(7);
    // Act
    const stat = await timed(() => getMetricData([ORDERS]));
    const scalar = await timed(() =>
      getMetricData([{ Id: 'e1', Expression: '2 * 21' }], { MaxDatapoints: 3 }),
    );
    const next = await getMetricData([{ Id: 'e1', Expression: '2 * 21' }], {
      MaxDatapoints: 3,
      NextToken: scalar.result.NextToken,
    });
    // Assess
    expect(stat.ms).toBeLessThan(1000);
    expect(stat.result.MetricDataResults?.[0]).toMatchObject({ Values: [7], StatusCode: 'Complete' });
    expect(scalar.ms).toBeLessThan(1000);
    expect(scalar.result.MetricDataResults?.[0]).toMatchObject({
      Values: [42, 42, 42],
      StatusCode: 'PartialData',
    });
    expect(scalar.result.NextToken).toBe('3');
    expect(next.MetricDataResults?.[0].Timestamps?.[0]).toEqual(
      new Date(WIDE.EndTime.getTime() - 4 * 60_000),
    );
  });

  it('MaxDatapoints pages stored datapoints with NextToken, each page PartialData until the last', async () => {
    // Prepare
    t.atMinute(5);
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [1, 2, 3, 4, 5].map((v, m) => ({
          MetricName: 'Orders',
          Timestamp: minute(t, m),
          Value: v,
        })),
      }),
    );
    const page = (token?: string) =>
      t.cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: [ORDERS],
          StartTime: minute(t, 0),
          EndTime: minute(t, 5),
          MaxDatapoints: 2,
          NextToken: token,
        }),
      );
    // Act
    const first = await page();
    const second = await page(first.NextToken);
    const last = await page(second.NextToken);
    const zero = await awsErrorOf(getMetricData([ORDERS], { MaxDatapoints: 0 }));
    // Assess
    expect([first, second, last].map((p) => p.MetricDataResults?.[0].Values)).toEqual([[5, 4], [3, 2], [1]]);
    expect([first, second, last].map((p) => p.MetricDataResults?.[0].StatusCode)).toEqual([
      'PartialData',
      'PartialData',
      'Complete',
    ]);
    expect(last.NextToken).toBeUndefined();
    expect(zero).toMatchObject({ code: 'ValidationError', status: 400 });
  });

  it('GetMetricStatistics over 130 years is refused with AWS’s 1440-datapoint message before any work', async () => {
    // Prepare
    t.atMinute(1);
    await putOrders();
    // Act
    const { result, ms } = await timed(() =>
      awsErrorOf(
        t.cw.send(
          new GetMetricStatisticsCommand({
            Namespace: 'Shop',
            MetricName: 'Orders',
            Period: 60,
            Statistics: ['Sum'],
            ...WIDE,
          }),
        ),
      ),
    );
    // Assess
    expect(ms).toBeLessThan(1000);
    expect(result).toMatchObject({
      code: 'InvalidParameterCombination',
      status: 400,
      message:
        'You have requested up to 68374080 datapoints, which exceeds the limit of 1440. You may reduce the ' +
        'datapoints requested by increasing Period, or decreasing the time range.',
    });
  });

  it('500 expressions of FILL over 130 years stop at the emulator’s datapoint budget, with a ValidationError', async () => {
    // Prepare
    t.atMinute(1);
    await putOrders();
    const fills = Array.from({ length: 499 }, (_, i) => ({ Id: `e${i}`, Expression: 'FILL(m1, 0)' }));
    // Act
    const { result, ms } = await timed(() => awsErrorOf(getMetricData([ORDERS, ...fills])));
    // Assess
    expect(ms).toBeLessThan(1000);
    expect(result.code).toBe('ValidationError');
    expect(result.message).toMatch(
      /^Error in expression e\d+ \[The expressions of this request need more than/,
    );
  });
});

describe('2. a gzip bomb is cut off at the request size limit', () => {
  it('a 1 MiB gzip body that inflates to 1 GiB is a 413 RequestEntityTooLarge, and nothing is stored', async () => {
    // Prepare: gzip members concatenate, so 1 MiB of them inflates to a gigabyte
    const member = gzipSync(Buffer.alloc(MiB, ' '), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: Math.floor(MiB / member.length) }, () => member));
    // Act
    const { result, ms } = await timed(() => json('PutMetricData', bomb, { 'content-encoding': 'gzip' }));
    const listed = t.emulator.cloudwatch.listMetrics({});
    // Assess
    expect(bomb.length).toBeLessThanOrEqual(MiB);
    expect(ms).toBeLessThan(1000);
    expect(result.status).toBe(413);
    expect(result.headers['x-amzn-query-error']).toBe('RequestEntityTooLarge;Sender');
    expect(JSON.parse(result.body)).toEqual({
      __type: 'com.amazonaws.cloudwatch#RequestEntityTooLarge',
      message: `Request size exceeded ${MAX_REQUEST_BYTES} bytes`,
    });
    expect(listed.Metrics).toEqual([]);
  });

  it('a body over the limit gets the same error in JSON, naming its size', async () => {
    // Act
    const response = await json('PutMetricData', Buffer.alloc(MAX_REQUEST_BYTES + 1, ' '));
    // Assess
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body).message).toBe(
      `Request size ${MAX_REQUEST_BYTES + 1} exceeded ${MAX_REQUEST_BYTES} bytes`,
    );
  });
});

describe('3. metric math cannot overflow the stack', () => {
  const run = (expression: string) =>
    timed(() => awsErrorOf(getMetricData([ORDERS, { Id: 'e1', Expression: expression }], { ...WIDE })));

  it('expressions over AWS’s 2048 characters (10,000 deep, 20,001 terms) are a ValidationError', async () => {
    // Act
    const deep = await run(`${'('.repeat(10_000)}m1${')'.repeat(10_000)}`);
    const long = await run(Array.from({ length: 20_001 }, () => 'm1').join(' + '));
    // Assess
    for (const { result, ms } of [deep, long]) {
      expect(ms).toBeLessThan(1000);
      expect(result).toMatchObject({
        code: 'ValidationError',
        status: 400,
        message:
          "1 validation error detected: Value at 'metricDataQueries.2.member.expression' failed to satisfy " +
          'constraint: Member must have length less than or equal to 2048',
      });
    }
  });

  it('within 2048 characters, nesting past 100 levels is a ValidationError, and long chains still work', async () => {
    // Prepare
    t.atMinute(1);
    await putOrders(3);
    // Act
    const parentheses = await run(`${'('.repeat(101)}m1${')'.repeat(101)}`);
    const minuses = await run(`${'-'.repeat(1000)}m1`);
    const fine = await getMetricData(
      [
        { ...ORDERS, ReturnData: false },
        { Id: 'nested', Expression: `${'('.repeat(100)}m1${')'.repeat(100)}` },
        { Id: 'chain', Expression: Array.from({ length: 600 }, () => 'm1').join('+') },
      ],
      { StartTime: minute(t, 0), EndTime: minute(t, 1) },
    );
    // Assess
    for (const { result, ms } of [parentheses, minuses]) {
      expect(ms).toBeLessThan(1000);
      expect(result).toMatchObject({
        code: 'ValidationError',
        message: 'Error in expression e1 [The expression nests more than 100 levels deep]',
      });
    }
    expect(fine.MetricDataResults?.map((r) => r.Values)).toEqual([[3], [1800]]);
  });

  it('more than 500 queries, or expressions naming each other in a cycle, are refused', async () => {
    // Act
    const tooMany = await awsErrorOf(
      getMetricData(Array.from({ length: 501 }, (_, i) => ({ ...ORDERS, Id: `m${i}` }))),
    );
    const cycle = await awsErrorOf(
      getMetricData([
        { Id: 'e1', Expression: 'e2 + 1' },
        { Id: 'e2', Expression: 'e1 * 2' },
      ]),
    );
    // Assess
    expect(tooMany).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'The collection MetricDataQueries must contain between 1 and 500 items.',
    });
    expect(cycle).toMatchObject({
      code: 'ValidationError',
      message: 'Error in expression e1 [Circular dependency between expressions]',
    });
  });
});

describe('4. every input is checked before anything changes', () => {
  const SCALE_OUT =
    'arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:1f0c:autoScalingGroupName/fleet:policyName/out';

  async function createAlarm(): Promise<AlarmStateChange[]> {
    const calls: AlarmStateChange[] = [];
    t.emulator.cloudwatch.registerActionHandler(
      (arn) => arn === SCALE_OUT,
      (_arn, change) => {
        calls.push(change);
      },
    );
    await t.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'orders-high',
        Namespace: 'Shop',
        MetricName: 'Orders',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [SCALE_OUT],
      }),
    );
    return calls;
  }

  const setState = (StateReasonData: string) =>
    t.cw.send(
      new SetAlarmStateCommand({
        AlarmName: 'orders-high',
        StateValue: 'ALARM',
        StateReason: 'drill',
        StateReasonData,
      }),
    );

  const stateOf = async () =>
    (await t.cw.send(new DescribeAlarmsCommand({ AlarmNames: ['orders-high'] }))).MetricAlarms?.[0]
      .StateValue;

  it('SetAlarmState with deep or invalid StateReasonData changes nothing; the deepest 4000 characters work', async () => {
    // Prepare
    const calls = await createAlarm();
    // Act
    const deep = await awsErrorOf(setState(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    const invalid = await awsErrorOf(setState('{"unclosed": '));
    const untouched = await stateOf();
    await setState(`${'['.repeat(2000)}${']'.repeat(2000)}`);
    const history = await t.cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'orders-high', HistoryItemType: 'StateUpdate' }),
    );
    // Assess
    expect(deep).toMatchObject({
      code: 'ValidationError',
      status: 400,
      message:
        "1 validation error detected: Value at 'stateReasonData' failed to satisfy constraint: " +
        'Member must have length less than or equal to 4000',
    });
    expect(invalid).toMatchObject({
      code: 'InvalidFormat',
      message: 'Data was not syntactically valid JSON',
    });
    expect(untouched).toBe('INSUFFICIENT_DATA');
    expect(await stateOf()).toBe('ALARM');
    expect(history.AlarmHistoryItems).toHaveLength(1);
    expect(calls.map((c) => c.newState)).toEqual(['ALARM']);
  });

  it('PutMetricAlarm and TagResource with one bad tag among good ones create and tag nothing', async () => {
    // Prepare
    await createAlarm();
    const arn = 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:orders-high';
    const tags = [
      { Key: 'team', Value: 'shop' },
      { Key: 'k'.repeat(MiB), Value: 'too long a key' },
    ];
    // Act
    const tagged = await awsErrorOf(t.cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags })));
    const created = await awsErrorOf(
      t.cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'tagged',
          Namespace: 'Shop',
          MetricName: 'Orders',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
          Tags: tags,
        }),
      ),
    );
    const listed = await t.cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    const alarms = await t.cw.send(new DescribeAlarmsCommand({}));
    // Assess
    for (const error of [tagged, created]) {
      expect(error).toMatchObject({
        code: 'ValidationError',
        message:
          "1 validation error detected: Value at 'tags.2.member.key' failed to satisfy constraint: " +
          'Member must have length less than or equal to 128',
      });
    }
    expect(listed.Tags).toEqual([]);
    expect(alarms.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['orders-high']);
  });
});

describe('5. no regular expression backtracks on a 1 MiB value', () => {
  const huge = (head: string, tail = '') => `${head}${'9'.repeat(MiB)}${tail}`;

  it('statistics, query ids and action ARNs of 1 MiB are refused in well under a second', async () => {
    // Act (one after the other: each is timed alone)
    const acts = [
      // PERCENTILE in statistics.ts
      () =>
        awsErrorOf(
          getMetricData([
            {
              Id: 'm1',
              MetricStat: {
                Metric: { Namespace: 'Shop', MetricName: 'Orders' },
                Period: 60,
                Stat: huge('p'),
              },
            },
          ]),
        ),
      () =>
        awsErrorOf(
          t.cw.send(
            new GetMetricStatisticsCommand({
              Namespace: 'Shop',
              MetricName: 'Orders',
              Period: 60,
              ExtendedStatistics: [huge('p9', 'x')],
              StartTime: minute(t, 0),
              EndTime: minute(t, 1),
            }),
          ),
        ),
      // QUERY_ID
      () => awsErrorOf(getMetricData([{ ...ORDERS, Id: huge('a', '-') }])),
      // the action ARN pattern
      () =>
        awsErrorOf(
          t.cw.send(
            new PutMetricAlarmCommand({
              AlarmName: 'a',
              Namespace: 'Shop',
              MetricName: 'Orders',
              Statistic: 'Sum',
              Period: 60,
              EvaluationPeriods: 1,
              Threshold: 1,
              ComparisonOperator: 'GreaterThanThreshold',
              AlarmActions: [huge('arn:aws:sns:us-east-1:000000000000:', '\n')],
            }),
          ),
        ),
    ];
    const responses = [];
    for (const act of acts) responses.push(await timed(act));
    // Assess
    for (const { result, ms } of responses) {
      expect(ms).toBeLessThan(1000);
      expect(result.status).toBe(400);
      expect(['InvalidParameterValue', 'ValidationError']).toContain(result.code);
    }
  });

  it('query-protocol integers and timestamps of 1 MiB, and 1 MiB of parameters, are answered in well under a second', async () => {
    // Prepare
    const statistics = {
      Action: 'GetMetricStatistics',
      Namespace: 'Shop',
      MetricName: 'Orders',
      'Statistics.member.1': 'Sum',
      StartTime: '2026-01-01T00:00:00Z',
      EndTime: '2026-01-01T00:01:00Z',
    };
    const data: Record<string, string> = { Action: 'PutMetricData', Namespace: 'AWS/Reserved' };
    for (let i = 1; i <= 1000; i++) {
      data[`MetricData.member.${i}.MetricName`] = 'Orders';
      data[`MetricData.member.${i}.Value`] = '1';
    }
    // a megabyte of other parameters: each list item and structure member looked up used to scan them all
    for (let i = 0; i < 50_000; i++) data[`unknown-parameter-${i}`] = 'x';
    // Act
    const responses = [];
    for (const [params, verbatim] of [
      // the integer pattern, ^\s*[+-]?\d{1,15}\s*$, with whitespace on either side of the digits
      [statistics, `&Period=${' '.repeat(MiB)}x`],
      [statistics, `&Period=1${' '.repeat(MiB)}x`],
      // the timestamp pattern, ^\d+(\.\d+)?$, then Date.parse
      [{ ...statistics, Period: '60', StartTime: huge('1', 'x') }, ''],
      [data, ''],
    ] as const) {
      responses.push(await timed(() => query(params, verbatim)));
    }
    // Assess
    for (const { result, ms } of responses) {
      expect(ms).toBeLessThan(1000);
      expect(result.status).toBe(400);
      expect(result.body).toContain('<Code>InvalidParameterValue</Code>');
    }
  });
});

describe('6. deeply nested JSON is a SerializationException, not a stack overflow', () => {
  it('megabytes of nesting, at the top or inside a member, plain or gzipped, are refused before parsing', async () => {
    // Prepare: JSON.parse alone takes seconds on 8 MiB of `[`
    const arrays = `${'['.repeat(4 * MiB)}${']'.repeat(4 * MiB)}`;
    const objects = `{"MetricData":${'{"a":'.repeat(MiB / 10)}1${'}'.repeat(MiB / 10)}}`;
    // Act
    const responses = [];
    for (const send of [
      () => json('PutMetricData', arrays),
      () => json('PutMetricData', objects),
      () => json('GetMetricData', gzipSync(arrays), { 'content-encoding': 'gzip' }),
    ]) {
      responses.push(await timed(send));
    }
    const after = t.emulator.cloudwatch.listMetrics({});
    // Assess
    for (const { result, ms } of responses) {
      expect(ms).toBeLessThan(1000);
      expect(result.status).toBe(400);
      expect(JSON.parse(result.body)).toEqual({
        __type: 'com.amazon.coral.service#SerializationException',
        message: 'The request nests JSON more than 64 levels deep.',
      });
    }
    expect(after.Metrics).toEqual([]);
  });
});
