import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppOutputs, isQueueUrl, stageOfName } from '../../lib/project/app-outputs';
import { formatAge } from '../../lib/project/table';

const LOCAL = 'http://127.0.0.1:4600/000000000000';
const AWS = 'https://sqs.eu-west-1.amazonaws.com/123456789012';

describe('the outputs file as the project CLI reads it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'decoupled-app-outputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    return name;
  };

  test('queue names: the output without Url, with Queue, the key itself, qualified by the stack', () => {
    // Prepare
    write('outputs.json', {
      'decoupled-dev-pipeline': {
        WorkQueueUrl: `${LOCAL}/work`,
        DeadLetterQueueUrl: `${LOCAL}/pipeline-dlq`,
        BucketName: 'bucket',
      },
      'decoupled-dev-fan-out': { VehicleSalesQueueUrl: `${LOCAL}/vehicle-sales` },
      'decoupled-dev-worker-fleet': { DeadLetterQueueUrl: `${LOCAL}/jobs-dlq`, ScalingMode: 'step' },
    });

    // Act
    const outputs = AppOutputs.find(undefined, dir) as AppOutputs;
    const urls = (reference: string) => outputs.queuesNamed(reference).map((q) => q.url);

    // Assess
    expect(outputs.file).toBe('outputs.json');
    expect(outputs.stages).toEqual(['dev']);
    expect(outputs.localEndpoint).toBe('http://127.0.0.1:4600');
    expect(urls('WorkQueue')).toEqual([`${LOCAL}/work`]);
    expect(urls('WorkQueueUrl')).toEqual([`${LOCAL}/work`]);
    expect(urls('VehicleSales')).toEqual([`${LOCAL}/vehicle-sales`]);
    expect(urls('DeadLetterQueue')).toEqual([`${LOCAL}/pipeline-dlq`, `${LOCAL}/jobs-dlq`]);
    expect(urls('worker-fleet/DeadLetterQueue')).toEqual([`${LOCAL}/jobs-dlq`]);
    expect(urls('decoupled-dev-pipeline/DeadLetterQueue')).toEqual([`${LOCAL}/pipeline-dlq`]);
    expect(urls('BucketName')).toEqual([]);
    expect(outputs.queues.map((q) => outputs.referenceOf(q))).toEqual([
      'WorkQueue',
      'pipeline/DeadLetterQueue',
      'VehicleSalesQueue',
      'worker-fleet/DeadLetterQueue',
    ]);
  });

  test('AWS queue URLs: no local endpoint; what is not a queue URL or an outputs file is said', () => {
    const outputs = AppOutputs.read(
      path.join(dir, write('aws.json', { 'decoupled-prod-x': { QUrl: `${AWS}/q` } })),
    );

    expect(outputs.localEndpoint).toBeUndefined();
    expect(outputs.stages).toEqual(['prod']);
    expect(stageOfName('decoupled-prod-pipeline-WorkQueue-1')).toBe('prod');
    expect(stageOfName('my-app-prod')).toBeUndefined();
    expect(isQueueUrl(`${AWS}/q`)).toBe(true);
    expect(isQueueUrl(`${AWS}/q/extra`)).toBe(false);
    expect(isQueueUrl('ftp://h/123456789012/q')).toBe(false);
    expect(() => AppOutputs.find('missing.json', dir)).toThrow(
      'cannot read the outputs file missing.json: no such file',
    );
    expect(() => AppOutputs.find(write('list.json', [1]), dir)).toThrow(
      'list.json is not an outputs file: expected {"<stack name>": {"<output>": "<value>"}}',
    );
    expect(AppOutputs.find(undefined, path.join(dir, 'nowhere'))).toBeUndefined();
  });

  test('ages in their two largest units', () => {
    expect([null, 0, 45, 200, 3600, 7500, 277_200].map(formatAge)).toEqual([
      '-',
      '0s',
      '45s',
      '3m 20s',
      '1h',
      '2h 5m',
      '3d 5h',
    ]);
  });
});
