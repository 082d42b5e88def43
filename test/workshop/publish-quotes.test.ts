import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import { InvalidQuoteError } from '../../lambda/shared/quote';
import {
  parsePublishQuotesArgs,
  publishQuotesFromFile,
  runPublishQuotesCli,
  SAMPLE_QUOTES_FILE,
  snsClientFor,
  topicArnFromOutputs,
} from '../../lib/workshop/publish-quotes';
import { type SnsTestEmulator, startSnsTestEmulator } from '../emulator/sns/sns-fixture';

describe('publish-quotes command line', () => {
  test('takes the topic ARN, the sample quotes by default, and an endpoint', () => {
    expect(
      parsePublishQuotesArgs([
        '--topic-arn',
        'arn:aws:sns:us-east-1:1:q',
        '--endpoint-url=http://127.0.0.1:4566',
      ]),
    ).toEqual({
      topicArn: 'arn:aws:sns:us-east-1:1:q',
      file: SAMPLE_QUOTES_FILE,
      endpointUrl: 'http://127.0.0.1:4566',
    });
    expect(parsePublishQuotesArgs(['--outputs-file', 'outputs.json', '--file', 'mine.json'])).toEqual({
      outputsFile: 'outputs.json',
      file: 'mine.json',
    });
  });

  test.each([
    [[], 'give either --topic-arn or --outputs-file'],
    [['--topic-arn', 'a', '--outputs-file', 'b'], 'give either --topic-arn or --outputs-file'],
    [['--topic-arn'], '--topic-arn needs a value'],
    [['--topic-arn', 'a', '--stage', 'prod'], "unknown argument '--stage'"],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parsePublishQuotesArgs(args)).toThrow(message);
  });

  test('finds QuoteTopicArn among the stacks of an outputs file, or says why not', () => {
    const fanOut = { QuoteTopicArn: 'arn:aws:sns:us-east-1:000000000000:quotes', BillingQueueUrl: 'x' };

    expect(
      topicArnFromOutputs({
        'decoupled-sandbox-pipeline': { BucketName: 'b' },
        'decoupled-sandbox-fan-out': fanOut,
      }),
    ).toBe('arn:aws:sns:us-east-1:000000000000:quotes');
    expect(() => topicArnFromOutputs({ 'decoupled-sandbox-pipeline': {} }, 'out.json')).toThrow(
      'out.json has no QuoteTopicArn output: deploy the FanOut stack with --outputs-file',
    );
    expect(() => topicArnFromOutputs({ a: fanOut, b: fanOut })).toThrow(
      'QuoteTopicArn in several stacks (a, b)',
    );
  });

  test('an endpoint gets the emulator region and any credentials when none are configured', async () => {
    const sns = snsClientFor('http://127.0.0.1:4566', {});

    expect(await sns.config.region()).toBe('us-east-1');
    expect(await sns.config.credentials()).toMatchObject({ accessKeyId: 'test' });
    sns.destroy();
  });
});

describe('publish-quotes against the emulator', () => {
  let t: SnsTestEmulator;
  let dir: string;
  beforeEach(async () => {
    t = await startSnsTestEmulator();
    dir = mkdtempSync(path.join(tmpdir(), 'publish-quotes-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.stop();
  });

  /** A topic with a vehicle queue (type car or boat) and a life queue (type life), as in the FanOut stack. */
  async function quoteTopic() {
    const { TopicArn } = await t.sns.send(new CreateTopicCommand({ Name: 'quotes' }));
    const vehicles = await t.queue('vehicle-sales');
    const life = await t.queue('life-sales');
    for (const [queue, types] of [
      [vehicles, ['car', 'boat']],
      [life, ['life']],
    ] as const) {
      await t.sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'sqs',
          Endpoint: queue.arn,
          Attributes: { FilterPolicy: JSON.stringify({ type: types }) },
        }),
      );
    }
    return { topicArn: TopicArn as string, vehicles, life };
  }
  const quoteIds = (messages: Message[]) =>
    messages.map((m) => JSON.parse(JSON.parse(m.Body ?? '').Message).quoteId).sort();

  test('publishes the sample quotes with their type attribute, so each reaches the right queue', async () => {
    // Prepare: the topic ARN comes from an outputs file, as after `npm run deploy -- --outputs-file`.
    const { topicArn, vehicles, life } = await quoteTopic();
    const outputsFile = path.join(dir, 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify({ 'decoupled-sandbox-fan-out': { QuoteTopicArn: topicArn } }));
    const lines: string[] = [];

    // Act
    const published = await publishQuotesFromFile({ outputsFile, file: SAMPLE_QUOTES_FILE }, t.sns, (l) =>
      lines.push(l),
    );

    // Assess
    expect(published.map((p) => p.quoteId)).toEqual(['q-100', 'q-101', 'q-102', 'q-103', 'q-104']);
    expect(quoteIds(await t.received(vehicles.url))).toEqual(['q-100', 'q-101', 'q-103']);
    expect(quoteIds(await t.received(life.url))).toEqual(['q-102', 'q-104']);
    expect(lines[0]).toMatch(/^published q-100 \(type=car\) as message [0-9a-f-]{36}$/);
    expect(lines.at(-1)).toBe(`5 quote(s) published to ${topicArn}`);
  });

  test('a file with one invalid quote publishes nothing', async () => {
    const { topicArn, vehicles } = await quoteTopic();
    const file = path.join(dir, 'quotes.json');
    const good = {
      quoteId: 'q-1',
      type: 'car',
      customer: { id: 'c', country: 'PT' },
      coverage: { amount: 1, currency: 'EUR' },
    };
    writeFileSync(file, JSON.stringify([good, { ...good, quoteId: 'q-2', type: 'truck' }]));

    const run = publishQuotesFromFile({ topicArn, file }, t.sns, () => {});

    await expect(run).rejects.toThrow(
      new InvalidQuoteError(['quotes[1]: type must be one of car, boat, life, but it is "truck"']),
    );
    expect(await t.received(vehicles.url)).toEqual([]);
  });

  describe('runPublishQuotesCli', () => {
    let out: jest.SpyInstance;
    let err: jest.SpyInstance;
    beforeEach(() => {
      out = jest.spyOn(console, 'log').mockImplementation(() => {});
      err = jest.spyOn(console, 'error').mockImplementation(() => {});
    });
    afterEach(() => {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = undefined;
    });

    test('publishes through its own client to the given endpoint', async () => {
      const { topicArn, life } = await quoteTopic();

      await runPublishQuotesCli(['--topic-arn', topicArn, '--endpoint-url', t.emulator.endpoint]);

      expect(process.exitCode).toBeUndefined();
      expect(out).toHaveBeenLastCalledWith(`5 quote(s) published to ${topicArn}`);
      expect(quoteIds(await t.received(life.url))).toEqual(['q-102', 'q-104']);
    });

    test('exits 2 with the usage for a bad command line, 1 for invalid quotes', async () => {
      const { topicArn } = await quoteTopic();
      const file = path.join(dir, 'bad.json');
      writeFileSync(file, '{"quotes": []}');

      await runPublishQuotesCli(['--file', file]);
      const usageExit = process.exitCode;
      await runPublishQuotesCli([
        '--topic-arn',
        topicArn,
        '--endpoint-url',
        t.emulator.endpoint,
        '--file',
        file,
      ]);

      expect(usageExit).toBe(2);
      expect(err.mock.calls[0][0]).toContain(
        'publish-quotes: give either --topic-arn or --outputs-file\nusage:',
      );
      expect(process.exitCode).toBe(1);
      expect(err.mock.calls[1][0]).toMatch(
        /^publish-quotes: nothing published, the quotes are invalid:\n {2}- the request must be/,
      );
    });
  });
});
