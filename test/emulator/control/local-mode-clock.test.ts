/**
 * Workshop chapter 2 with `--clock manual`, driven through the control API as `npx decoupled clock advance 10m`
 * drives it: the malformed order reaches the dead-letter queue and the alarm fires right after one advance; a
 * reset then deploys the stacks again, empty.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { TEST_CREDENTIALS } from '../../helpers/emulator';
import { type LocalApp, startLocalApp } from '../../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../../helpers/test-assembly';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'docs', 'workshop', 'samples');

describe('chapter 2 on the manual clock, through /_emulator/', () => {
  let app: LocalApp;
  let control: string;

  beforeAll(async () => {
    app = await startLocalApp();
    control = `${app.mode.emulator.endpoint}/_emulator`;
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(() => app.stop());

  const post = (route: string, body: unknown) =>
    fetch(`${control}/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const get = (route: string) => fetch(`${control}/${route}`).then((r) => r.json());
  const queueNamed = (queues: any[], url: string) => queues.find((q) => q.url === url);

  test('o-11 is in the dead-letter queue and the alarm is in ALARM right after advance 10m', async () => {
    // Prepare
    const bucket = app.output('Pipeline', 'BucketName');
    const dlqUrl = app.output('Pipeline', 'DeadLetterQueueUrl');
    const cloudwatch = new CloudWatchClient({
      endpoint: app.mode.emulator.endpoint,
      region: app.mode.emulator.region,
      credentials: TEST_CREDENTIALS,
    });
    await app.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'uploads/mixed-orders.json',
        Body: readFileSync(path.join(SAMPLES, 'mixed-orders.json')),
      }),
    );

    // Act
    const advanced = await post('clock', { advance: '10m' });
    const { queues } = await get('queues');
    const dlqName = queueNamed(queues, dlqUrl).name;
    const peeked = await get(`queues/${dlqName}/messages`);
    const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({}));

    // Assess
    expect(advanced).toEqual({
      status: 200,
      body: expect.objectContaining({ mode: 'manual', now: '2026-11-21T09:10:00.000Z' }),
    });
    expect(queueNamed(queues, dlqUrl)).toMatchObject({ visible: 1, inFlight: 0 });
    expect(peeked.messages.map((m: any) => JSON.parse(m.body).orderId)).toEqual(['o-11']);
    const alarm = MetricAlarms?.find((a) => a.AlarmName?.startsWith('decoupled-sandbox-pipeline-'));
    expect(alarm).toMatchObject({ StateValue: 'ALARM', MetricName: 'ApproximateNumberOfMessagesVisible' });
    const results = await app.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'results/' }));
    expect(results.Contents?.map((o) => o.Key).sort()).toEqual(['results/o-10.json', 'results/o-12.json']);
    cloudwatch.destroy();
  });

  test('a reset deploys the stacks again, with no messages, objects or alarms in ALARM', async () => {
    // Prepare
    const bucket = app.output('Pipeline', 'BucketName');
    const before = (await get('queues')).queues.map((q: any) => q.url);

    // Act
    const reset = await post('reset', {});

    // Assess
    expect(reset).toEqual({ status: 200, body: { reset: true } });
    const { queues } = await get('queues');
    expect(queues.map((q: any) => q.url)).toEqual(before);
    // as right after start: only the s3:TestEvent S3 sends when the bucket's notifications are configured
    const busy = queues.filter((q: any) => q.visible + q.inFlight + q.delayed > 0);
    expect(busy.map((q: any) => [q.url, q.visible])).toEqual([[app.output('Pipeline', 'ImagesQueueUrl'), 1]]);
    const [event] = (await get(`queues/${busy[0].name}/messages`)).messages;
    expect(JSON.parse(event.body)).toMatchObject({ Event: 's3:TestEvent', Bucket: bucket });
    const listed = await app.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.KeyCount).toBe(0);
    const { MetricAlarms } = app.mode.emulator.cloudwatch.describeAlarms({});
    expect(MetricAlarms?.length).toBeGreaterThan(0);
    expect(MetricAlarms?.filter((a) => a.StateValue === 'ALARM')).toEqual([]);
    expect(app.lines).toContain('Reset: every stack deployed again, with no messages, objects or metrics.');
  });
});
