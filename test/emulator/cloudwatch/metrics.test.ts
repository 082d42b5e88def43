import {
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { awsErrorOf } from '../../helpers/emulator';
import { type CloudWatchTestEmulator, minute, startCloudWatchTestEmulator } from './cloudwatch-fixture';

let t: CloudWatchTestEmulator;
beforeEach(async () => {
  t = await startCloudWatchTestEmulator();
});
afterEach(async () => {
  await t.stop();
});

const put = (
  metricName: string,
  at: Date,
  value: number,
  extra: { dimensions?: { Name: string; Value: string }[]; unit?: 'Count' | 'Seconds' } = {},
) =>
  t.cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [
        {
          MetricName: metricName,
          Timestamp: at,
          Value: value,
          Dimensions: extra.dimensions,
          Unit: extra.unit,
        },
      ],
    }),
  );

describe('PutMetricData and GetMetricStatistics', () => {
  it('aggregates values per period with every statistic', async () => {
    // Prepare
    t.atMinute(10);
    for (const [m, v] of [
      [0, 1],
      [0, 3],
      [1, 5],
      [2, 7],
      [5, 100],
    ] as const) {
      await put('Latency', minute(t, m, 30), v, { unit: 'Seconds' });
    }
    // Act
    const result = await t.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Latency',
        StartTime: minute(t, 0),
        EndTime: minute(t, 6),
        Period: 180,
        Statistics: ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'],
      }),
    );
    // Assess
    expect(result.Label).toBe('Latency');
    const points = [...(result.Datapoints ?? [])].sort(
      (a, b) => (a.Timestamp as Date).getTime() - (b.Timestamp as Date).getTime(),
    );
    expect(points).toEqual([
      {
        Timestamp: minute(t, 0),
        SampleCount: 4,
        Average: 4,
        Sum: 16,
        Minimum: 1,
        Maximum: 7,
        Unit: 'Seconds',
      },
      {
        Timestamp: minute(t, 3),
        SampleCount: 1,
        Average: 100,
        Sum: 100,
        Minimum: 100,
        Maximum: 100,
        Unit: 'Seconds',
      },
    ]);
  });

  it('keeps statistic sets, Values with Counts, and percentiles of exact data', async () => {
    // Prepare
    t.atMinute(5);
    await t.cw.send(
      new PutMetricDataCommand({
        Namespace: 'Shop',
        MetricData: [
          { MetricName: 'Size', Timestamp: minute(t, 1), Values: [10, 20, 30], Counts: [1, 8, 1] },
          {
            MetricName: 'Batch',
            Timestamp: minute(t, 1),
            StatisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 },
          },
        ],
      }),
    );
    // Act
    const size = await t.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Size',
        StartTime: minute(t, 0),
        EndTime: minute(t, 5),
        Period: 300,
        ExtendedStatistics: ['p10', 'p50', 'p99'],
      }),
    );
    const batch = await t.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Batch',
        StartTime: minute(t, 0),
        EndTime: minute(t, 5),
        Period: 300,
        Statistics: ['Average', 'SampleCount'],
      }),
    );
    const batchPercentile = await t.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Batch',
        StartTime: minute(t, 0),
        EndTime: minute(t, 5),
        Period: 300,
        ExtendedStatistics: ['p90'],
      }),
    );
    // Assess
    expect(size.Datapoints?.[0].ExtendedStatistics).toEqual({ p10: 10, p50: 20, p99: 30 });
    expect(batch.Datapoints?.[0]).toMatchObject({ Average: 2.5, SampleCount: 4 });
    // AWS: a statistic set of several different values has no percentiles
    expect(batchPercentile.Datapoints?.[0].ExtendedStatistics).toEqual({});
  });

  it('treats dimensions in any order as the same metric, and another set as another metric', async () => {
    // Prepare
    t.atMinute(3);
    const a = { Name: 'Store', Value: 'north' };
    const b = { Name: 'Till', Value: '1' };
    await put('Sales', minute(t, 1), 1, { dimensions: [a, b] });
    await put('Sales', minute(t, 1), 2, { dimensions: [b, a] });
    await put('Sales', minute(t, 1), 50, { dimensions: [a] });
    // Act
    const both = await t.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Shop',
        MetricName: 'Sales',
        Dimensions: [a, b],
        StartTime: minute(t, 0),
        EndTime: minute(t, 3),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    // Assess
    expect(both.Datapoints).toEqual([{ Timestamp: minute(t, 1), Sum: 3, Unit: 'None' }]);
  });

  it('refuses bad input with AWS codes and messages', async () => {
    // Prepare
    t.atMinute(1);
    // Act
    const reserved = await awsErrorOf(
      t.cw.send(
        new PutMetricDataCommand({ Namespace: 'AWS/SQS', MetricData: [{ MetricName: 'x', Value: 1 }] }),
      ),
    );
    const both = await awsErrorOf(
      t.cw.send(
        new PutMetricDataCommand({
          Namespace: 'Shop',
          MetricData: [
            {
              MetricName: 'x',
              Value: 1,
              StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 },
            },
          ],
        }),
      ),
    );
    const noName = await awsErrorOf(
      t.cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ Value: 1 } as never] })),
    );
    const tooMany = await awsErrorOf(
      t.cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Shop',
          MetricName: 'x',
          StartTime: minute(t, -2000),
          EndTime: minute(t, 0),
          Period: 60,
          Statistics: ['Sum'],
        }),
      ),
    );
    const backwards = await awsErrorOf(
      t.cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Shop',
          MetricName: 'x',
          StartTime: minute(t, 1),
          EndTime: minute(t, 0),
          Period: 60,
          Statistics: ['Sum'],
        }),
      ),
    );
    const noStatistics = await awsErrorOf(
      t.cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'Shop',
          MetricName: 'x',
          StartTime: minute(t, 0),
          EndTime: minute(t, 1),
          Period: 60,
        }),
      ),
    );
    // Assess
    expect(reserved).toMatchObject({
      code: 'InvalidParameterValue',
      name: 'InvalidParameterValueException',
      status: 400,
      message: 'The value AWS/ for parameter Namespace is invalid.',
    });
    expect(both).toMatchObject({
      code: 'InvalidParameterCombination',
      message:
        'The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.',
    });
    expect(noName).toMatchObject({
      code: 'MissingParameter',
      name: 'MissingRequiredParameterException',
      message: 'The parameter MetricData.member.1.MetricName is required.',
    });
    expect(tooMany).toMatchObject({
      code: 'InvalidParameterCombination',
      message:
        'You have requested up to 2000 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
    });
    expect(backwards).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'The parameter StartTime must be less than the parameter EndTime.',
    });
    expect(noStatistics).toMatchObject({
      code: 'InvalidParameterCombination',
      message: 'Must specify either Statistics or ExtendedStatistics.',
    });
  });

  it('accepts a large PutMetricData the SDK gzips', async () => {
    // Prepare
    t.atMinute(2);
    const data = Array.from({ length: 1000 }, (_, i) => ({
      MetricName: 'Bulk',
      Timestamp: minute(t, 1),
      Value: i,
      Dimensions: [{ Name: 'Shard', Value: `shard-${i % 10}` }],
    }));
    // Act
    await t.cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: data }));
    const listed = await t.cw.send(new ListMetricsCommand({ Namespace: 'Shop', MetricName: 'Bulk' }));
    // Assess
    expect(listed.Metrics).toHaveLength(10);
  });
});

describe('ListMetrics', () => {
  it('filters by namespace, name, dimension name and value, and recent activity', async () => {
    // Prepare
    t.atMinute(1);
    await put('Sales', minute(t, 0), 1, { dimensions: [{ Name: 'Store', Value: 'north' }] });
    await put('Sales', minute(t, 0), 1, { dimensions: [{ Name: 'Store', Value: 'south' }] });
    await put('Refunds', minute(t, 0), 1);
    t.atMinute(60 * 4);
    await put('Refunds', minute(t, 239), 1);
    // Act
    const byValue = await t.cw.send(
      new ListMetricsCommand({ Namespace: 'Shop', Dimensions: [{ Name: 'Store', Value: 'south' }] }),
    );
    const byName = await t.cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'Store' }] }));
    const recent = await t.cw.send(new ListMetricsCommand({ Namespace: 'Shop', RecentlyActive: 'PT3H' }));
    // Assess
    expect(byValue.Metrics).toEqual([
      { Namespace: 'Shop', MetricName: 'Sales', Dimensions: [{ Name: 'Store', Value: 'south' }] },
    ]);
    expect(byName.Metrics?.map((m) => m.Dimensions?.[0].Value)).toEqual(['north', 'south']);
    expect(recent.Metrics).toEqual([{ Namespace: 'Shop', MetricName: 'Refunds', Dimensions: [] }]);
  });
});

describe('GetMetricData', () => {
  const stat = (id: string, metricName: string, statName = 'Sum', returnData = true) => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'Shop', MetricName: metricName }, Period: 60, Stat: statName },
    ReturnData: returnData,
  });

  it('returns MetricStat series newest first, with ids, labels and StatusCode Complete', async () => {
    // Prepare
    t.atMinute(5);
    await put('Orders', minute(t, 1), 2);
    await put('Orders', minute(t, 2), 4);
    await put('Orders', minute(t, 3), 6);
    // Act
    const result = await t.cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: [stat('orders', 'Orders'), { ...stat('hidden', 'Orders'), ReturnData: false }],
        StartTime: minute(t, 0),
        EndTime: minute(t, 5),
      }),
    );
    const ascending = await t.cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: [{ ...stat('orders', 'Orders'), Label: 'Orders placed' }],
        StartTime: minute(t, 0),
        EndTime: minute(t, 5),
        ScanBy: 'TimestampAscending',
      }),
    );
    // Assess
    expect(result.MetricDataResults).toEqual([
      {
        Id: 'orders',
        Label: 'Orders',
        Timestamps: [minute(t, 3), minute(t, 2), minute(t, 1)],
        Values: [6, 4, 2],
        StatusCode: 'Complete',
        Messages: [],
      },
    ]);
    expect(ascending.MetricDataResults?.[0]).toMatchObject({
      Label: 'Orders placed',
      Timestamps: [minute(t, 1), minute(t, 2), minute(t, 3)],
      Values: [2, 4, 6],
    });
  });

  it('computes metric math: arithmetic between series and scalars, SUM, AVG, MIN, MAX, FILL and IF', async () => {
    // Prepare
    t.atMinute(5);
    for (const [m, visible, instances] of [
      [0, 100, 2],
      [1, 60, 3],
      [3, 10, 5],
    ] as const) {
      await put('Visible', minute(t, m), visible);
      await put('Instances', minute(t, m), instances);
    }
    await put('Instances', minute(t, 2), 4);
    const queries = [
      stat('m1', 'Visible', 'Sum', false),
      stat('m2', 'Instances', 'Average', false),
      { Id: 'perinstance', Expression: 'm1 / m2' },
      { Id: 'scaled', Expression: '(m1 + 10) * 2 - m2' },
      { Id: 'total', Expression: 'SUM([m1, m2])' },
      { Id: 'mean', Expression: 'AVG([m1, m2])' },
      { Id: 'lowest', Expression: 'MIN([m1, m2])' },
      { Id: 'highest', Expression: 'MAX([m1, m2])' },
      { Id: 'overall', Expression: 'm1 / SUM(m1)' },
      { Id: 'filled', Expression: 'FILL(m1, 0)' },
      { Id: 'busy', Expression: 'IF(m1 > 50, 1, 0)' },
    ];
    // Act
    const result = await t.cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: minute(t, 0),
        EndTime: minute(t, 5),
        ScanBy: 'TimestampAscending',
      }),
    );
    // Assess
    const byId = Object.fromEntries(
      (result.MetricDataResults ?? []).map((r) => [
        r.Id,
        { times: r.Timestamps?.map((d) => (d.getTime() - t.start) / 60_000), values: r.Values },
      ]),
    );
    expect(Object.keys(byId)).toEqual([
      'perinstance',
      'scaled',
      'total',
      'mean',
      'lowest',
      'highest',
      'overall',
      'filled',
      'busy',
    ]);
    expect(byId.perinstance).toEqual({ times: [0, 1, 3], values: [50, 20, 2] });
    expect(byId.scaled).toEqual({ times: [0, 1, 3], values: [218, 137, 35] });
    // across series, a missing datapoint is skipped: minute 2 has only m2
    expect(byId.total).toEqual({ times: [0, 1, 2, 3], values: [102, 63, 4, 15] });
    expect(byId.mean).toEqual({ times: [0, 1, 2, 3], values: [51, 31.5, 4, 7.5] });
    expect(byId.lowest).toEqual({ times: [0, 1, 2, 3], values: [2, 3, 4, 5] });
    expect(byId.highest).toEqual({ times: [0, 1, 2, 3], values: [100, 60, 4, 10] });
    expect(byId.overall).toEqual({ times: [0, 1, 3], values: [100 / 170, 60 / 170, 10 / 170] });
    expect(byId.filled).toEqual({ times: [0, 1, 2, 3, 4], values: [100, 60, 0, 10, 0] });
    expect(byId.busy).toEqual({ times: [0, 1, 3], values: [1, 1, 0] });
  });

  it('reports bad queries and expressions as validation errors', async () => {
    // Prepare
    t.atMinute(1);
    const run = (queries: object[]) =>
      awsErrorOf(
        t.cw.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries as never,
            StartTime: minute(t, 0),
            EndTime: minute(t, 1),
          }),
        ),
      );
    // Act
    const syntax = await run([stat('m1', 'Visible'), { Id: 'e1', Expression: 'm1 +' }]);
    const unknownId = await run([{ Id: 'e1', Expression: 'm9 * 2' }]);
    const unknownFunction = await run([stat('m1', 'Visible'), { Id: 'e1', Expression: 'NOPE(m1)' }]);
    const neither = await run([{ Id: 'm1' }]);
    // Assess
    expect(syntax).toMatchObject({
      code: 'ValidationError',
      message: 'Error in expression e1 [Invalid syntax]',
    });
    expect(unknownId).toMatchObject({
      code: 'ValidationError',
      message: 'Error in expression e1 [Unrecognized metric ID m9]',
    });
    expect(unknownFunction).toMatchObject({
      code: 'ValidationError',
      message: 'Error in expression e1 [Unrecognized function NOPE]',
    });
    expect(neither).toMatchObject({
      code: 'ValidationError',
      message: 'The parameter MetricDataQueries.member.1.MetricStat is required.\n',
    });
  });
});
