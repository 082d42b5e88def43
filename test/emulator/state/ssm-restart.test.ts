/** `--state-dir` with SSM Parameter Store: parameters come back with their versions, labels and tags. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, TEST_CREDENTIALS } from '../../helpers/emulator';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'state-ssm-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function withEmulator<T>(clock: ManualClock, act: (ssm: SSMClient, emulator: Emulator) => Promise<T>) {
  const emulator = await startEmulator({ port: 0, clock, region: 'us-east-1', stateDirectory: dir });
  const ssm = new SSMClient({
    endpoint: emulator.endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    return await act(ssm, emulator);
  } finally {
    ssm.destroy();
    await emulator.stop();
  }
}

it.each([
  ['from the journal', false],
  ['from a snapshot', true],
])('keeps parameters with their versions, labels and tags across a restart, %s', async (_label, snapshot) => {
  // Prepare
  const clock = new ManualClock();
  const before = await withEmulator(clock, async (ssm, emulator) => {
    await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: 'http://a', Type: 'String' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: 'http://b', Overwrite: true }));
    await ssm.send(
      new LabelParameterVersionCommand({ Name: '/app/url', ParameterVersion: 1, Labels: ['old'] }),
    );
    await ssm.send(
      new AddTagsToResourceCommand({
        ResourceType: 'Parameter',
        ResourceId: '/app/url',
        Tags: [{ Key: 'team', Value: 'web' }],
      }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 's3cr3t', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/gone', Value: 'x', Type: 'String' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/app/gone' }));
    if (snapshot) await emulator.persistence?.rewrite();
    return (await ssm.send(new GetParameterHistoryCommand({ Name: '/app/url' }))).Parameters;
  });

  // Act
  await withEmulator(clock, async (ssm) => {
    // Assess
    expect((await ssm.send(new GetParameterHistoryCommand({ Name: '/app/url' }))).Parameters).toEqual(before);
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/url:old' }))).Parameter?.Value).toBe(
      'http://a',
    );
    const secret = await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }));
    expect(secret.Parameter).toMatchObject({ Value: 's3cr3t', Type: 'SecureString', Version: 1 });
    const tags = await ssm.send(
      new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/app/url' }),
    );
    expect(tags.TagList).toEqual([{ Key: 'team', Value: 'web' }]);
    expect((await awsErrorOf(ssm.send(new GetParameterCommand({ Name: '/app/gone' })))).name).toBe(
      'ParameterNotFound',
    );
    // the next version follows the restored ones
    const next = await ssm.send(
      new PutParameterCommand({ Name: '/app/url', Value: 'http://c', Overwrite: true }),
    );
    expect(next.Version).toBe(3);
  });
});
