import { validateQueueWorkerOptions } from '../../lambda/shared/queue-worker';
import { encodeJobHandler, InvalidJobError, parseEncodeJob } from '../../lambda/worker/encode-job';
import { readWorkerConfig, WorkerConfigError } from '../../lambda/worker/worker';

describe('parseEncodeJob', () => {
  test('accepts a job id and a number of seconds', () => {
    expect(parseEncodeJob('{"jobId":"video-1","seconds":6}')).toEqual({ jobId: 'video-1', seconds: 6 });
  });

  test.each([
    ['not json', 'the body is not JSON'],
    ['[1]', 'the body is not a JSON object'],
    ['{}', 'jobId must be a string of 1 to 128 characters; seconds must be a number from 0 to 43200'],
    ['{"jobId":"x","seconds":-1}', 'seconds must be a number from 0 to 43200'],
    ['{"jobId":"","seconds":1}', 'jobId must be a string of 1 to 128 characters'],
  ])('rejects %s, naming every problem', (body, problems) => {
    expect(() => parseEncodeJob(body)).toThrow(new InvalidJobError(problems.split('; ')));
  });

  test('a cancelled job stops its work and fails', async () => {
    const cancel = new AbortController();
    cancel.abort(new Error('released'));
    const clock = { now: () => 0, sleep: async () => {} };
    const message = {
      messageId: 'm',
      body: '{"jobId":"a","seconds":60}',
      receiptHandle: 'h',
      receiveCount: 1,
    };

    await expect(encodeJobHandler(message, { signal: cancel.signal, clock })).rejects.toThrow('released');
  });
});

describe('readWorkerConfig', () => {
  test('reads the queue, the visibility timeout and the defaults', () => {
    expect(readWorkerConfig({ QUEUE_URL: 'https://q', VISIBILITY_TIMEOUT_SECONDS: '120' })).toEqual({
      queueUrl: 'https://q',
      visibilityTimeoutSeconds: 120,
      concurrency: 1,
      stopGraceSeconds: 30,
    });
  });

  test('reports every problem at once', () => {
    const read = () => readWorkerConfig({ WORKER_CONCURRENCY: '11', STOP_GRACE_SECONDS: 'soon' });

    expect(read).toThrow(WorkerConfigError);
    expect(read).toThrow(
      [
        "The worker's environment is invalid:",
        '  - Environment variable QUEUE_URL is not set: the stack that deploys this function must set it',
        '  - Environment variable VISIBILITY_TIMEOUT_SECONDS is not set',
        "  - WORKER_CONCURRENCY must be a whole number from 1 to 10, but '11' was provided",
        "  - STOP_GRACE_SECONDS must be a whole number from 0 to 3600, but 'soon' was provided",
      ].join('\n'),
    );
  });
});

describe('validateQueueWorkerOptions', () => {
  test('lists every out-of-range option', () => {
    const queue = { receive: async () => [], delete: async () => {}, changeVisibility: async () => {} };
    const clock = { now: () => 0, sleep: async () => {} };

    expect(
      validateQueueWorkerOptions({
        queue,
        clock,
        handler: async () => {},
        visibilityTimeoutSeconds: 30,
        heartbeatSeconds: 30,
        concurrency: 0,
        waitSeconds: 21,
        stopGraceSeconds: -1,
      }),
    ).toEqual([
      'concurrency must be a whole number from 1 to 10, but 0 was provided',
      'waitSeconds must be a whole number from 0 to 20, but 21 was provided',
      'heartbeatSeconds must be above 0 and below the visibility timeout (30 s), but 30 was provided',
      'stopGraceSeconds must be 0 or more, but -1 was provided',
    ]);
  });
});
