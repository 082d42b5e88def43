/**
 * Workshop chapter 4's spike as npm start prints it (the closing note's before/after): before this log, 267 lines
 * of tables before Ready and one line per job sent, started and done. Local mode on a manual clock.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sendJobs } from '../../lib/workshop/send-jobs';
import { eventually } from '../helpers/emulator';
import { type LocalApp, startLocalApp } from '../helpers/local-app';
import { TEST_ASSEMBLY_TIMEOUT_MS } from '../helpers/test-assembly';

/** The jobs the summaries of the workers' `job-done` lines count. */
function jobsDone(lines: readonly string[]): number {
  return lines
    .map((l) => /queue-worker INFO {2}job-done ×(\d+) in/.exec(l)?.[1])
    .reduce((sum, n) => sum + Number(n ?? 0), 0);
}

describe("npm start's log of the worker fleet's spike", () => {
  let app: LocalApp;

  beforeAll(async () => {
    app = await startLocalApp();
  }, TEST_ASSEMBLY_TIMEOUT_MS);
  afterAll(() => app.stop());

  test('a short summary per stack before Ready, the tables behind --verbose', () => {
    const ready = app.lines.findIndex((l) => l.startsWith('\nReady in'));
    const before = app.lines
      .slice(0, ready + 1)
      .join('\n')
      .split('\n');

    expect(ready).toBeGreaterThan(0);
    expect(before.length).toBeLessThanOrEqual(30);
    expect(before).toContainEqual(
      expect.stringMatching(
        /^ {2}WorkerFleet +\d+ resources: 2 queues, 1 topic, 1 function, 1 group, 2 alarms/,
      ),
    );
    expect(before.join('\n')).not.toContain('AWS::SQS::Queue');
  });

  test('200 jobs: the sends, the workers and the scaling in a few dozen lines', async () => {
    // Prepare
    const queueUrl = app.output('WorkerFleet', 'JobsQueueUrl');
    const printedBefore = app.lines.length;

    // Act: the chapter's send-jobs, jobs of no work so the one worker drains them on real time
    await sendJobs({ queueUrl, count: 200, seconds: 0 }, app.sqs, () => {});
    await eventually(
      async () => {
        const { Attributes = {} } = await app.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return Attributes.ApproximateNumberOfMessages === '0' &&
          Attributes.ApproximateNumberOfMessagesNotVisible === '0'
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    app.clock.advance(60_000);
    // the bursts end on their own (a real-time quiet): the summaries come without another event
    await eventually(() => (jobsDone(app.lines.slice(printedBefore)) === 200 ? true : undefined));

    // Assess
    const spike = app.lines.slice(printedBefore);
    const count = (pattern: RegExp) => spike.filter((l) => pattern.test(l)).length;
    expect(count(/sqs {5}message \S+ sent to JobsQueue$/)).toBe(3);
    expect(count(/sqs {5}sent 200 messages to JobsQueue in \d+\.\d s$/)).toBe(1);
    expect(count(/worker {2}i-[0-9a-f]+ {2}INFO {2}job-done {2}messageId=\S+ durationMs=\d+$/)).toBe(3);
    // one summary, or one every 30 s on a slow machine
    const summaries = count(/worker {2}queue-worker INFO {2}job-done ×\d+ in \d+\.\d s on 1 instance$/);
    expect(summaries).toBeGreaterThanOrEqual(1);
    expect(summaries).toBeLessThanOrEqual(3);
    // functions' and workers' JSON is read, never printed raw
    expect(count(/\{"level"/)).toBe(0);
    // at the end of the minute the scaling alarms have data: each change of state has its line
    expect(
      count(/alarm {3}StepScalingScaleOutAlarm INSUFFICIENT_DATA → (OK$|ALARM: Threshold Crossed)/),
    ).toBe(1);
    expect(spike.length).toBeLessThanOrEqual(30);
  }, 90_000);
});
