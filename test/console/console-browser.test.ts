/**
 * The local console in a real browser: Debian's Chromium driven by playwright-core against `npm start`'s app
 * (in-process, manual clock). One browser, the pages visited in turn, a screenshot of each saved under
 * build/console-screenshots/ (ignored by git). Skipped, saying why, when /usr/bin/chromium is absent.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { CreateStreamCommand, KinesisClient, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type LocalApp, startLocalApp } from '../helpers/local-app';
import { TEST_CREDENTIALS } from '../helpers/emulator';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, '..', '..', 'build', 'console-screenshots');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `console browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`,
  );
}

interface QueueNumbers {
  name: string;
  visible: number;
  inFlight: number;
}

(haveChromium ? describe : describe.skip)('the local console in Chromium', () => {
  let app: LocalApp;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  const nameOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
  const open = async (hash: string) => {
    await page.goto(`${app.mode.emulator.endpoint}/_console/#/${hash}`);
  };
  const see = (text: string | RegExp, timeout = 10_000) => page.getByText(text).first().waitFor({ timeout });
  // long lists (every stack's resources) are shot as the window shows them, the rest whole
  const shot = (name: string, fullPage = true) =>
    page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  const queues = async (): Promise<QueueNumbers[]> =>
    (
      (await (await fetch(`${app.mode.emulator.endpoint}/_emulator/queues`)).json()) as {
        queues: QueueNumbers[];
      }
    ).queues;
  const queue = async (name: string) => (await queues()).find((q) => q.name === name) as QueueNumbers;

  beforeAll(async () => {
    app = await startLocalApp();
    // the folder is git-ignored by a .gitignore of its own
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(path.join(SCREENSHOTS, '..', '.gitignore'), '*\n');
    profile = mkdtempSync(path.join(tmpdir(), 'console-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, TEST_ASSEMBLY_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await app?.stop();
  });

  test('stacks: every deployed stack with its resources, linked to their pages', async () => {
    await open('stacks');
    await see('decoupled-sandbox-worker-fleet');
    for (const stack of ['queue-basics', 'pipeline', 'fan-out', 'worker-fleet']) {
      await see(`decoupled-sandbox-${stack}`);
    }
    const standard = nameOf(app.output('QueueBasics', 'StandardQueueUrl'));
    expect(await page.getByRole('link', { name: new RegExp(`${standard}$`) }).count()).toBeGreaterThan(0);
    await shot('stacks', false);
  });

  test('a queue: send → peek → poll → details → delete, the body shown as text, never run', async () => {
    const name = nameOf(app.output('QueueBasics', 'StandardQueueUrl'));
    const body = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>{"order":7}';
    await open('queues');
    await page.getByRole('link', { name }).click();
    await see('Send a message');

    await page.getByLabel('Message body').fill(body);
    await page.getByLabel('Name', { exact: true }).fill('origin');
    await page.getByLabel('Value', { exact: true }).fill('console');
    await page.getByRole('button', { name: 'Send message' }).click();
    await see(/^Sent message /);
    expect(await queue(name)).toMatchObject({ visible: 1, inFlight: 0 });

    // peek: the message as it is, nothing received
    await page.getByRole('button', { name: 'Peek at messages' }).click();
    const peeked = page.getByRole('table', { name: 'Messages in the queue' });
    await peeked.getByRole('cell', { name: 'visible', exact: true }).waitFor();
    expect(await peeked.locator('tbody tr td').nth(2).textContent()).toBe('0');
    expect(await queue(name)).toMatchObject({ visible: 1, inFlight: 0 });

    // poll: a receive, as the AWS console's: the receive count goes up, the message is in flight
    await page.getByRole('button', { name: 'Poll for messages' }).click();
    await see('Received 1 message.');
    const received = page.getByRole('table', { name: 'Received messages' });
    expect(await received.locator('tbody tr td').nth(2).textContent()).toBe('1');
    expect(await queue(name)).toMatchObject({ visible: 0, inFlight: 1 });

    await received.getByRole('button', { name: 'Details' }).click();
    await page.getByRole('heading', { name: /^Message / }).waitFor();
    expect(await page.locator('pre.body').textContent()).toBe(body);
    await page.getByRole('table', { name: 'Message attributes' }).getByText('console').waitFor();
    await page
      .getByRole('table', { name: 'System attributes' })
      .getByText('ApproximateReceiveCount')
      .waitFor();
    await shot('queue-message');

    await received.getByRole('button', { name: 'Delete' }).click();
    await see(/^Deleted message /);
    expect(await queue(name)).toMatchObject({ visible: 0, inFlight: 0 });
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);

    // the list with its live numbers
    await open('queues');
    await page.getByRole('table', { name: 'Queues' }).getByRole('link', { name }).waitFor();
    await shot('queues', false);
  });

  test("purge is refused with the reason when the queue's policy denies it, as the prod stage deploys it", async () => {
    // Prepare: the statement QueueWithDeadLetter adds with allowPurge false (prod), and the stage tag
    const url = app.output('QueueBasics', 'DelayQueueUrl');
    const name = nameOf(url);
    const arn = `arn:aws:sqs:${app.mode.emulator.region}:000000000000:${name}`;
    await app.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyPurge',
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 'sqs:PurgeQueue',
                Resource: arn,
              },
            ],
          }),
        },
      }),
    );
    await app.sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { stage: 'prod' } }));
    await app.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'keep me' }));

    await open(`queues/${encodeURIComponent(name)}`);
    await page.getByRole('button', { name: 'Purge queue' }).click();
    await page.getByRole('button', { name: 'Yes, purge every message' }).click();

    await see(/^AccessDenied: Purge refused: the queue's policy denies sqs:PurgeQueue .*stage prod/);
    expect(await queue(name)).toMatchObject({ delayed: 1 });
    await shot('queue-purge-refused');
  });

  test('a redrive moves dead-lettered messages back to their queue, with its progress', async () => {
    // Prepare: a message received past maxReceiveCount (3) lands in the dead-letter queue
    const url = app.output('QueueBasics', 'StandardQueueUrl');
    const dlq = nameOf(app.output('QueueBasics', 'StandardQueueDeadLetterQueueUrl'));
    await app.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 4; i++) {
      await app.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          VisibilityTimeout: 0,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
    }
    expect(await queue(dlq)).toMatchObject({ visible: 1 });

    await open(`queues/${encodeURIComponent(dlq)}`);
    await page.getByRole('button', { name: 'Start redrive' }).click();
    await see(/^Redrive started/);
    // the task moves on the emulator's clock: the header's button moves it
    await page.getByRole('button', { name: '+1m' }).click();
    await page.getByRole('table', { name: 'Redrive tasks' }).getByText('COMPLETED').waitFor();

    expect(await queue(dlq)).toMatchObject({ visible: 0 });
    expect(await queue(nameOf(url))).toMatchObject({ visible: 1 });
    await shot('queue-redrive');
  });

  test('the filter tester shows which subscriptions a quote reaches and why not; publishing it delivers there', async () => {
    const analytics = nameOf(app.output('FanOut', 'AnalyticsQueueUrl'));
    const before = (await queue(analytics)).visible;
    await open('topics');
    await page.getByRole('link', { name: /QuoteTopic/ }).click();
    const quote = {
      quoteId: 'q-console',
      type: 'car',
      customer: { id: 'c-1', country: 'PT' },
      coverage: { amount: 50_000, currency: 'EUR' },
    };
    await page.getByLabel('Message', { exact: true }).fill(JSON.stringify(quote));
    await page.getByLabel('Attribute 1 name').fill('type');
    await page.getByLabel('Attribute 1 value').fill('car');
    await page.getByRole('button', { name: 'Test filter policies' }).click();

    await see('Would reach 2 of 4 subscriptions.');
    const verdicts = page.getByRole('table', { name: 'Filter test' });
    await verdicts.getByText('attribute "type" is String "car", the policy wants ["life"]').waitFor();
    await verdicts.getByText(/body key "coverage" does not match/).waitFor();
    await shot('topic-filter-tester');

    await page.getByRole('button', { name: 'Publish message' }).click();
    await see(/^Published message /);
    await app.mode.emulator.idle();
    expect((await queue(analytics)).visible).toBe(before + 1);
  });

  test('an upload is listed, with a download link', async () => {
    const bucket = app.output('FanOut', 'ImageBucketName');
    await open(`buckets/${encodeURIComponent(bucket)}`);
    await page
      .getByLabel('File', { exact: true })
      .setInputFiles({ name: 'console-note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByRole('button', { name: 'Upload' }).click();
    await see('Uploaded console-note.txt.');
    const objects = page.getByRole('table', { name: 'Objects' });
    await objects.getByText('console-note.txt').waitFor();
    expect(await objects.getByRole('link', { name: 'Download' }).getAttribute('href')).toBe(
      `/${bucket}/console-note.txt`,
    );
    await shot('bucket');
  });

  test('an invocation with a test event, and its log lines', async () => {
    const fn = app.output('FanOut', 'QuoteProducerFunctionName');
    await open(`functions/${encodeURIComponent(fn)}`);
    const quote = {
      quoteId: 'q-invoke',
      type: 'life',
      customer: { id: 'c-2', country: 'PT' },
      coverage: { amount: 1_000, currency: 'EUR' },
    };
    await page.getByLabel('Event (JSON)').fill(JSON.stringify({ quotes: [quote] }));
    await page.getByRole('button', { name: 'Invoke' }).click();
    await see(/^Invocation [0-9a-f-]+ succeeded\./, 30_000);
    await page
      .locator('#invoke-log')
      .getByText(/quotes published/)
      .waitFor();
    expect(await page.locator('#invoke-log').textContent()).toMatch(/^START RequestId: /);
    const invocations = page.getByRole('table', { name: 'Recent invocations' });
    await invocations.getByText('invoke', { exact: true }).first().waitFor();
    await shot('function');
  });

  test('the fleet chart after a spike: desired capacity up, the backlog and the alarm beside it', async () => {
    const jobs = app.output('WorkerFleet', 'JobsQueueUrl');
    for (let i = 0; i < 30; i += 10) {
      await app.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: jobs,
          Entries: Array.from({ length: 10 }, (_, j) => ({
            Id: `j${j}`,
            MessageBody: JSON.stringify({ jobId: `console-${i + j}`, seconds: 600 }),
          })),
        }),
      );
    }
    await open('fleet');
    await see('Backlog (ApproximateNumberOfMessagesVisible, max per minute)');
    for (let minute = 0; minute < 3; minute++) {
      await page.getByRole('button', { name: '+1m' }).click();
      await see(/^Clock moved 1m/);
    }
    await page.getByText(/^desired \(latest [2-4]\)$/).waitFor({ timeout: 15_000 });
    await page.getByRole('table', { name: 'Alarms' }).getByText('ALARM', { exact: true }).first().waitFor();
    await shot('fleet');
  });

  test('streams: a stream resharded through the SDK shows its closed parent and open children', async () => {
    const { endpoint, region } = app.mode.emulator;
    // the emulator speaks HTTP/1.1; the Kinesis SDK defaults to HTTP/2
    const kinesis = new KinesisClient({
      endpoint,
      region,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'console-clicks', ShardCount: 2 }));
      await kinesis.send(
        new SplitShardCommand({
          StreamName: 'console-clicks',
          ShardToSplit: 'shardId-000000000000',
          NewStartingHashKey: (1n << 126n).toString(),
        }),
      );
    } finally {
      kinesis.destroy();
    }
    await open('streams');
    const shards = page.getByRole('table', { name: 'Shards of console-clicks' });
    await shards.waitFor();
    const row = (shardId: string) => shards.getByRole('row').filter({ hasText: shardId }).first();
    await row('shardId-000000000000').getByText('closed', { exact: true }).waitFor();
    for (const child of ['shardId-000000000002', 'shardId-000000000003']) {
      // the child's row names shard 0 as its parent, and it is open
      expect(await row(child).getByRole('cell').nth(1).textContent()).toBe('shardId-000000000000');
      await row(child).getByText('open', { exact: true }).waitFor();
    }
    expect(await row('shardId-000000000001').getByText('open', { exact: true }).count()).toBe(1);
    // the app's own stream: the Lambda consumer reading it and its Firehose archive
    await page
      .getByRole('table', { name: 'Firehose delivery streams' })
      .getByText(/^Kinesis stream /)
      .first()
      .waitFor();
    await shot('streams');
  });

  test('metrics: the app dashboards drawn from the emulated CloudWatch, and the alarms', async () => {
    await open('metrics');
    await see('Work queue: visible and in-flight messages');
    expect(await page.locator('figure.chart svg').count()).toBeGreaterThan(4);
    await shot('metrics');
  });

  test('live events: what happened, filterable', async () => {
    await open('events');
    await page.locator('ol.events li').first().waitFor();
    await page.getByLabel('Filter events').fill('function-invoked');
    await page.locator('ol.events li.function-invoked').first().waitFor();
    expect(await page.locator('ol.events li:not(.function-invoked)').count()).toBe(0);
    await shot('events');
  });

  test('keyboard: a skip link first, and every control a labelled button, link or field', async () => {
    await open(`queues/${encodeURIComponent(nameOf(app.output('QueueBasics', 'StandardQueueUrl')))}`);
    await see('Send a message');
    // moving between pages puts the focus at the new page's start (as a screen reader expects)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // a fresh load: the first Tab reaches the skip link
    await page.reload();
    await see('Send a message');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    // Enter on a focused button acts: the peek runs from the keyboard alone
    await page.getByRole('button', { name: 'Peek at messages' }).focus();
    await page.keyboard.press('Enter');
    await see(/\(nothing was received\)\.$/);
    const unlabelled = await page.evaluate(
      () =>
        [...document.querySelectorAll('input, select, textarea')].filter(
          (control) => !document.querySelector(`label[for="${control.id}"]`),
        ).length,
    );
    expect(unlabelled).toBe(0);
    expect(await page.locator('button:not(:has-text(" "))').filter({ hasText: /^$/ }).count()).toBe(0);
  });

  test('readable on a narrow window, and nothing in the page failed', async () => {
    await page.setViewportSize({ width: 400, height: 800 });
    await open(`queues/${encodeURIComponent(nameOf(app.output('QueueBasics', 'StandardQueueUrl')))}`);
    await see('Send a message');
    // nothing wider than the window: no sideways scrolling of the page itself
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
    await shot('queue-narrow');
    expect(pageErrors).toEqual([]);
  });

  test("a cross-site form cannot forge the console's actions", async () => {
    const response = await page.evaluate(async () => {
      const r = await fetch('/_console/api/queues/purge', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"QueueUrl":"x"}',
      });
      return { status: r.status, body: await r.text() };
    });
    expect(response.status).toBe(415);
    const foreign = await fetch(`${app.mode.emulator.endpoint}/_console/api/overview`, {
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });
});
