/**
 * `kill -9` during a burst of PutMetricData loses no datum that was acknowledged: a child process runs the bare
 * emulator (`decoupled emulator --port 0 --state-dir D`, bundled once), clients put metrics concurrently, the child
 * is killed at a random answer and started again on the same directory, and every acknowledged datum is counted.
 */
import * as path from 'node:path';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { emulatorChild } from '../../helpers/emulator-child';

const ROUNDS = 2;
const REQUESTS = 150;

const emulator = emulatorChild('state-metrics-kill-');

const clientFor = (endpoint: string) =>
  new CloudWatchClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });

it('loses no acknowledged PutMetricData datum when killed -9 mid-burst, round after round', async () => {
  const stateDir = path.join(emulator.work(), 'state');
  let endpoint = await emulator.start(stateDir);
  /** Per round: the requests acknowledged and those attempted. */
  const acknowledged: Set<number>[] = [];
  const attempted: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const cloudwatch = clientFor(endpoint);

    // Assert (from the second round): every earlier round's acknowledged datum is there, nothing unsent is
    for (let earlier = 0; earlier < round; earlier++) {
      const found = new Set<number>();
      let NextToken: string | undefined;
      do {
        const page = await cloudwatch.send(
          new ListMetricsCommand({ Namespace: `Burst${earlier}`, MetricName: 'Each', NextToken }),
        );
        for (const m of page.Metrics ?? []) found.add(Number(m.Dimensions?.[0].Value));
        NextToken = page.NextToken;
      } while (NextToken);
      for (const i of acknowledged[earlier])
        expect({ earlier, i, found: found.has(i) }).toEqual({ earlier, i, found: true });
      for (const i of found) expect(i).toBeLessThan(attempted[earlier]);
      const { Datapoints = [] } = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: `Burst${earlier}`,
          MetricName: 'Total',
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 3_600_000),
          Period: 3600,
          Statistics: ['SampleCount'],
        }),
      );
      const total = Datapoints.reduce((sum, d) => sum + (d.SampleCount ?? 0), 0);
      expect(total).toBeGreaterThanOrEqual(acknowledged[earlier].size);
      expect(total).toBe(found.size);
    }
    if (round === ROUNDS) {
      cloudwatch.destroy();
      break;
    }

    // Act: concurrent PutMetricData requests (one shared metric, one metric per request), kill -9 at a random answer
    const killAfter = 5 + Math.floor(Math.random() * 60);
    const acked = new Set<number>();
    acknowledged.push(acked);
    attempted.push(REQUESTS);
    let killed!: Promise<void>;
    await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        cloudwatch
          .send(
            new PutMetricDataCommand({
              Namespace: `Burst${round}`,
              MetricData: [
                { MetricName: 'Total', Value: i },
                { MetricName: 'Each', Dimensions: [{ Name: 'Request', Value: String(i) }], Value: i },
              ],
            }),
          )
          .then(
            () => {
              acked.add(i);
              if (acked.size === killAfter) killed = emulator.kill();
            },
            () => undefined,
          ),
      ),
    );
    await killed;
    expect(acked.size).toBeLessThan(REQUESTS);
    cloudwatch.destroy();
    endpoint = await emulator.start(stateDir);
  }
  await emulator.kill();
}, 90_000);
