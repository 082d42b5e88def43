/**
 * The Lambda control plane through @aws-sdk/client-lambda over HTTP: functions created from a .zip (in the
 * request or in the emulator's S3), code and configuration updates (the next invocation runs them; the waiter
 * `cdk watch --hotswap` uses returns at once), versions and aliases, resource policies, and SQS event source
 * mappings created, updated and deleted while real messages flow.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  UpdateAliasCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  awsErrorOf,
  eventually,
  startTestEmulator,
  TEST_CREDENTIALS,
  type TestEmulator,
} from '../../helpers/emulator';
import { zipOf } from '../../helpers/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fn-role';
const out = mkdtempSync(path.join(tmpdir(), 'decoupled-control-plane-'));
let t: TestEmulator;
let lambda: LambdaClient;
let s3: S3Client;

/** A handler that answers its code's label and the variable GREETING, and logs each SQS body to a file. */
function handlerZip(label: string): Buffer {
  return zipOf({
    'src/app.js': `
      const { appendFileSync } = require('node:fs');
      exports.handler = async (event) => {
        for (const r of event.Records ?? []) appendFileSync(process.env.OUT_FILE, '${label}:' + r.body + '\\n');
        return { label: '${label}', greeting: process.env.GREETING ?? null, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
      };`,
  });
}

async function createFunction(name: string, zip: Buffer, environment: Record<string, string> = {}) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'src/app.handler',
      Code: { ZipFile: zip },
      Environment: { Variables: environment },
    }),
  );
}

async function invoke(name: string, qualifier?: string) {
  const reply = await lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: qualifier }));
  return {
    payload: JSON.parse(Buffer.from(reply.Payload ?? []).toString()),
    executedVersion: reply.ExecutedVersion,
  };
}

const sha256 = (zip: Buffer) => createHash('sha256').update(zip).digest('base64');

beforeAll(async () => {
  t = await startTestEmulator();
  const client = { endpoint: t.emulator.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  lambda = new LambdaClient({ ...client, maxAttempts: 1 });
  s3 = new S3Client({ ...client, forcePathStyle: true });
});
afterAll(async () => {
  lambda.destroy();
  s3.destroy();
  await t.stop();
  rmSync(out, { recursive: true, force: true });
});

describe('functions from a .zip', () => {
  test('CreateFunction: Active at once, CodeSha256 and CodeSize of the .zip, a Code.Location that serves it', async () => {
    // Prepare
    const zip = handlerZip('v1');

    // Act
    const created = await createFunction('zipped', zip);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'zipped' }));
    const downloaded = await fetch(got.Code!.Location!);
    const invoked = await invoke('zipped');

    // Assess
    expect(created).toMatchObject({
      FunctionName: 'zipped',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:zipped',
      Runtime: 'nodejs22.x',
      Role: ROLE,
      Handler: 'src/app.handler',
      CodeSha256: sha256(zip),
      CodeSize: zip.length,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Version: '$LATEST',
      Architectures: ['x86_64'],
    });
    expect(got.Configuration).toMatchObject({ CodeSha256: sha256(zip), RevisionId: created.RevisionId });
    expect(got.Code?.RepositoryType).toBe('S3');
    expect([downloaded.status, Buffer.from(await downloaded.arrayBuffer()).equals(zip)]).toEqual([200, true]);
    expect(invoked).toEqual({
      payload: { label: 'v1', greeting: null, version: '$LATEST' },
      executedVersion: '$LATEST',
    });
  });

  test('a second CreateFunction of the same name is ResourceConflictException; nothing changes', async () => {
    // Prepare
    await createFunction('twice', handlerZip('first'));

    // Act
    const error = await awsErrorOf(createFunction('twice', handlerZip('second')));

    // Assess
    expect(error).toMatchObject({
      name: 'ResourceConflictException',
      status: 409,
      message: 'Function already exist: twice',
    });
    expect((await invoke('twice')).payload.label).toBe('first');
  });

  test('UpdateFunctionCode: the hotswap waiter returns at once, the next invocation runs the new code', async () => {
    // Prepare
    await createFunction('swapped', handlerZip('old'));
    expect((await invoke('swapped')).payload.label).toBe('old');
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'swapped' }));
    const zip = handlerZip('new');

    // Act
    const dryRun = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'swapped', ZipFile: zip, DryRun: true }),
    );
    const stillOld = await invoke('swapped');
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'swapped', ZipFile: zip }),
    );
    const started = Date.now();
    const waited = await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 10, minDelay: 1, maxDelay: 1 },
      { FunctionName: 'swapped' },
    );
    const waitedMs = Date.now() - started;
    const after = await invoke('swapped');
    const stale = await awsErrorOf(
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'swapped',
          ZipFile: zip,
          RevisionId: before.RevisionId,
        }),
      ),
    );

    // Assess
    expect(dryRun.CodeSha256).toBe(sha256(zip));
    expect(stillOld.payload.label).toBe('old');
    expect(updated).toMatchObject({ CodeSha256: sha256(zip), LastUpdateStatus: 'Successful' });
    expect(updated.RevisionId).not.toBe(before.RevisionId);
    expect(waited.state).toBe('SUCCESS');
    expect(waitedMs).toBeLessThan(500);
    expect(after.payload.label).toBe('new');
    expect(stale).toMatchObject({
      name: 'PreconditionFailedException',
      status: 412,
      message:
        'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    });
  });

  test('code from the emulator’s S3: CreateFunction and UpdateFunctionCode with S3Bucket/S3Key', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'code-assets' }));
    await s3.send(new PutObjectCommand({ Bucket: 'code-assets', Key: 'a.zip', Body: handlerZip('from-s3') }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'code-assets', Key: 'b.zip', Body: handlerZip('from-s3-b') }),
    );

    // Act
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'from-s3',
        Runtime: 'nodejs22.x',
        Role: ROLE,
        Handler: 'src/app.handler',
        Code: { S3Bucket: 'code-assets', S3Key: 'a.zip' },
      }),
    );
    const first = await invoke('from-s3');
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'from-s3', S3Bucket: 'code-assets', S3Key: 'b.zip' }),
    );
    const second = await invoke('from-s3');
    const missing = await awsErrorOf(
      lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'from-s3',
          S3Bucket: 'code-assets',
          S3Key: 'nope.zip',
        }),
      ),
    );
    const noBucket = await awsErrorOf(
      lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'from-s3', S3Bucket: 'no-bucket', S3Key: 'a' }),
      ),
    );

    // Assess
    expect(created.CodeSha256).toBe(sha256(handlerZip('from-s3')));
    expect([first.payload.label, second.payload.label]).toEqual(['from-s3', 'from-s3-b']);
    expect(missing).toMatchObject({
      name: 'InvalidParameterValueException',
      message:
        'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.',
    });
    expect(noBucket.message).toBe(
      'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
    );
  });

  test('UpdateFunctionConfiguration: environment, timeout and description apply to the next invocation', async () => {
    // Prepare
    await createFunction('configured', handlerZip('c'), { GREETING: 'hello' });

    // Act
    const updated = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'configured',
        Environment: { Variables: { GREETING: 'bonjour' } },
        Timeout: 30,
        MemorySize: 256,
        Description: 'second',
      }),
    );
    const invoked = await invoke('configured');
    const reserved = await awsErrorOf(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'configured',
          Environment: { Variables: { AWS_REGION: 'eu-west-1' } },
        }),
      ),
    );
    const tooLong = await awsErrorOf(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Timeout: 901 })),
    );

    // Assess
    expect(updated).toMatchObject({
      Timeout: 30,
      MemorySize: 256,
      Description: 'second',
      Environment: { Variables: { GREETING: 'bonjour' } },
      LastUpdateStatus: 'Successful',
    });
    expect(invoked.payload.greeting).toBe('bonjour');
    expect(reserved).toMatchObject({
      name: 'InvalidParameterValueException',
      message:
        'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: AWS_REGION',
    });
    expect(tooLong).toMatchObject({ name: 'ValidationException', status: 400 });
    // nothing of the refused updates was applied
    expect((await invoke('configured')).payload.greeting).toBe('bonjour');
  });

  test('what cannot run here is refused by name, before anything is created', async () => {
    // Act
    const errors = await Promise.all([
      awsErrorOf(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'image',
            Role: ROLE,
            PackageType: 'Image',
            Code: { ImageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/fn:latest' },
          }),
        ),
      ),
      awsErrorOf(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'python',
            Runtime: 'python3.13',
            Role: ROLE,
            Handler: 'app.handler',
            Code: { ZipFile: handlerZip('p') },
          }),
        ),
      ),
      awsErrorOf(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'layered',
            Runtime: 'nodejs22.x',
            Role: ROLE,
            Handler: 'src/app.handler',
            Code: { ZipFile: handlerZip('l') },
            Layers: ['arn:aws:lambda:us-east-1:000000000000:layer:x:1'],
          }),
        ),
      ),
      awsErrorOf(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'no-role',
            Runtime: 'nodejs22.x',
            Role: 'admin',
            Handler: 'src/app.handler',
            Code: { ZipFile: handlerZip('r') },
          }),
        ),
      ),
      awsErrorOf(
        lambda.send(
          new CreateFunctionCommand({
            FunctionName: 'no-code',
            Runtime: 'nodejs22.x',
            Role: ROLE,
            Handler: 'src/app.handler',
            Code: {},
          }),
        ),
      ),
    ]);
    const listed = await lambda.send(new ListFunctionsCommand({}));

    // Assess
    expect(errors.map((e) => [e.name, e.message])).toEqual([
      [
        'InvalidParameterValueException',
        'PackageType Image is not supported by the local emulator (container images cannot run here; use Zip).',
      ],
      [
        'InvalidParameterValueException',
        'Function python: runtime python3.13 cannot run locally (Node.js runtimes only)',
      ],
      ['InvalidParameterValueException', 'Layers is not supported by the local emulator.'],
      [
        'ValidationException',
        "1 validation error detected: Value 'admin' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
      ],
      ['InvalidParameterValueException', 'Please provide a source for function code.'],
    ]);
    const names = listed.Functions!.map((f) => f.FunctionName);
    for (const name of ['image', 'python', 'layered', 'no-role', 'no-code'])
      expect(names).not.toContain(name);
  });
});

describe('versions and aliases', () => {
  test('PublishVersion, aliases that move, qualified invocations, and deletes in the order AWS allows', async () => {
    // Prepare
    const v1zip = handlerZip('one');
    await createFunction('versioned', v1zip);

    // Act
    const wrongSha = await awsErrorOf(
      lambda.send(new PublishVersionCommand({ FunctionName: 'versioned', CodeSha256: 'bm9wZQ==' })),
    );
    const v1 = await lambda.send(
      new PublishVersionCommand({ FunctionName: 'versioned', CodeSha256: sha256(v1zip) }),
    );
    const unchanged = await lambda.send(new PublishVersionCommand({ FunctionName: 'versioned' }));
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'versioned', ZipFile: handlerZip('two') }),
    );
    const v2 = await lambda.send(
      new PublishVersionCommand({ FunctionName: 'versioned', Description: 'second' }),
    );
    const alias = await lambda.send(
      new CreateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: v1.Version }),
    );
    const viaAlias = await invoke('versioned', 'live');
    const viaArn = await invoke(`${v2.FunctionArn}`);
    const moved = await lambda.send(
      new UpdateAliasCommand({ FunctionName: 'versioned', Name: 'live', FunctionVersion: v2.Version }),
    );
    const afterMove = await invoke('versioned:live');
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'versioned' }));
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'versioned' }));
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL' }));
    const referenced = await awsErrorOf(
      lambda.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '2' })),
    );
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'versioned', Qualifier: '1' }));
    const goneVersion = await awsErrorOf(invoke('versioned', '1'));
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'versioned', Name: 'live' }));
    const goneAlias = await awsErrorOf(
      lambda.send(new GetAliasCommand({ FunctionName: 'versioned', Name: 'live' })),
    );
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'versioned' }));
    const gone = await awsErrorOf(lambda.send(new GetFunctionCommand({ FunctionName: 'versioned' })));

    // Assess
    expect(wrongSha).toMatchObject({
      name: 'InvalidParameterValueException',
      message: `CodeSHA256 (bm9wZQ==) is different from current CodeSHA256 in $LATEST (${sha256(v1zip)}). Please try again with the CodeSHA256 in $LATEST.`,
    });
    expect(v1).toMatchObject({
      Version: '1',
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:1',
    });
    expect(unchanged.Version).toBe('1');
    expect(v2).toMatchObject({ Version: '2', Description: 'second' });
    expect(alias).toMatchObject({
      AliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:versioned:live',
      Name: 'live',
      FunctionVersion: '1',
    });
    expect(viaAlias).toEqual({
      payload: { label: 'one', greeting: null, version: '1' },
      executedVersion: '1',
    });
    expect(viaArn.payload.label).toBe('two');
    expect(moved.FunctionVersion).toBe('2');
    expect(afterMove).toMatchObject({ payload: { label: 'two' }, executedVersion: '2' });
    expect(versions.Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
    expect(aliases.Aliases!.map((a) => [a.Name, a.FunctionVersion])).toEqual([['live', '2']]);
    expect(all.Functions!.map((f) => f.FunctionArn)).toEqual(
      expect.arrayContaining([`${v1.FunctionArn}`, `${v2.FunctionArn}`]),
    );
    expect(referenced).toMatchObject({
      name: 'ResourceConflictException',
      message: 'Unable to delete version because the following aliases reference it: [live]',
    });
    expect(goneVersion).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:versioned:1',
    });
    expect(goneAlias).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Cannot find alias arn: arn:aws:lambda:us-east-1:000000000000:function:versioned:live',
    });
    expect(gone).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });

  test('AddPermission, GetPolicy and RemovePermission keep the resource policy (not enforced)', async () => {
    // Prepare
    await createFunction('guarded', handlerZip('g'));
    const add = () =>
      lambda.send(
        new AddPermissionCommand({
          FunctionName: 'guarded',
          StatementId: 's3-invoke',
          Action: 'lambda:InvokeFunction',
          Principal: 's3.amazonaws.com',
          SourceArn: 'arn:aws:s3:::uploads',
          SourceAccount: '000000000000',
        }),
      );

    // Act
    const added = await add();
    const again = await awsErrorOf(add());
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'guarded' }));
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'guarded', StatementId: 's3-invoke' }));
    const removedTwice = await awsErrorOf(
      lambda.send(new RemovePermissionCommand({ FunctionName: 'guarded', StatementId: 's3-invoke' })),
    );
    const none = await awsErrorOf(lambda.send(new GetPolicyCommand({ FunctionName: 'guarded' })));

    // Assess
    const statement = {
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: 'arn:aws:lambda:us-east-1:000000000000:function:guarded',
      Condition: {
        ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::uploads' },
        StringEquals: { 'AWS:SourceAccount': '000000000000' },
      },
    };
    expect(JSON.parse(added.Statement!)).toEqual(statement);
    expect(again).toMatchObject({
      name: 'ResourceConflictException',
      message:
        'The statement id (s3-invoke) provided already exists. Please provide a new statement id, or remove the existing statement.',
    });
    expect(JSON.parse(policy.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'default',
      Statement: [statement],
    });
    expect(removedTwice).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Statement s3-invoke is not found in resource policy.',
    });
    expect(none).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
  });
});

describe('SQS event source mappings', () => {
  test('created, updated (code, settings, disabled) and deleted while messages flow: none is lost', async () => {
    // Prepare
    const queue = await t.sqs.send(new CreateQueueCommand({ QueueName: 'control-plane-jobs' }));
    const queueUrl = queue.QueueUrl!;
    const queueArn = 'arn:aws:sqs:us-east-1:000000000000:control-plane-jobs';
    const file = path.join(out, 'processed.txt');
    await createFunction('worker', handlerZip('v1'), { OUT_FILE: file });
    const processed = () => {
      try {
        return readFileSync(file, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    const until = (lines: number) =>
      eventually(() => (processed().length >= lines ? processed() : undefined), { clock: t.clock });
    const send = (body: string) =>
      t.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const depth = async () => {
      const { Attributes } = await t.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return [
        Number(Attributes!.ApproximateNumberOfMessages),
        Number(Attributes!.ApproximateNumberOfMessagesNotVisible),
      ];
    };
    // a batch is deleted once its invocation has returned: wait for that delete (without moving the clock, so a
    // batch that is never deleted stays in flight and this fails)
    const drained = () =>
      eventually(async () => {
        const [visible, inFlight] = await depth();
        return visible === 0 && inFlight === 0 ? true : undefined;
      });

    // Act: create, and a message goes through the first code
    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ EventSourceArn: queueArn, FunctionName: 'worker', BatchSize: 1 }),
    );
    const uuid = created.UUID!;
    await send('a');
    await until(1);
    // the code changes: the next message runs the new code
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'worker', ZipFile: handlerZip('v2') }));
    await send('b');
    await until(2);
    await drained();
    // disabled: messages wait in the queue
    const disabled = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false, BatchSize: 5 }),
    );
    await send('c');
    const waiting = await depth();
    // enabled again: the waiting message is delivered
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    await until(3);
    await drained();
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'worker' }));
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    await send('d');
    const afterDelete = await depth();
    const gone = await awsErrorOf(lambda.send(new GetEventSourceMappingCommand({ UUID: uuid })));

    // Assess
    expect(created).toMatchObject({
      EventSourceArn: queueArn,
      FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:worker',
      BatchSize: 1,
      State: 'Enabled',
    });
    expect(processed()).toEqual(['v1:a', 'v2:b', 'v2:c']);
    expect(disabled).toMatchObject({ State: 'Disabled', BatchSize: 5 });
    expect(waiting).toEqual([1, 0]);
    expect(listed.EventSourceMappings!.map((m) => m.UUID)).toEqual([uuid]);
    expect(got).toMatchObject({ State: 'Enabled', BatchSize: 5 });
    expect(deleted.State).toBe('Deleting');
    expect(afterDelete).toEqual([1, 0]);
    expect(gone).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
      message: 'The resource you requested does not exist.',
    });
  });

  test('a batch in flight when the code changes finishes on the old code and is deleted; the next runs the new', async () => {
    // Prepare: the old code holds its batch until the gate file exists
    const queue = await t.sqs.send(new CreateQueueCommand({ QueueName: 'control-plane-inflight' }));
    const file = path.join(out, 'inflight.txt');
    const gate = path.join(out, 'gate');
    const slow = zipOf({
      'src/app.js': `
        const { appendFileSync, existsSync } = require('node:fs');
        exports.handler = async (event) => {
          appendFileSync(process.env.OUT_FILE, 'started\\n');
          await new Promise((resolve) => { const timer = setInterval(() => existsSync('${gate}') && (clearInterval(timer), resolve()), 5); });
          for (const r of event.Records) appendFileSync(process.env.OUT_FILE, 'old:' + r.body + '\\n');
        };`,
    });
    await createFunction('inflight', slow, { OUT_FILE: file });
    const lines = () => {
      try {
        return readFileSync(file, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    await lambda.send(
      new CreateEventSourceMappingCommand({
        EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:control-plane-inflight',
        FunctionName: 'inflight',
        BatchSize: 1,
      }),
    );
    await t.sqs.send(new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: 'a' }));
    await eventually(() => (lines().includes('started') ? true : undefined));

    // Act
    await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'inflight', ZipFile: handlerZip('new') }),
    );
    writeFileSync(gate, '');
    await eventually(() => (lines().includes('old:a') ? true : undefined));
    await t.sqs.send(new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: 'b' }));
    await eventually(() => (lines().includes('new:b') ? true : undefined));
    // a batch is deleted once its invocation has returned: the second one's delete may still be on its way (the
    // clock does not move, so a batch that is never deleted stays in flight and this wait fails)
    const counts = async () => {
      const { Attributes } = await t.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Attributes;
    };
    const settled = await eventually(async () => {
      const attributes = await counts();
      return attributes?.ApproximateNumberOfMessagesNotVisible === '0' ? attributes : undefined;
    });

    // Assess: the first batch was deleted (nothing in flight or waiting), each ran once
    expect(lines()).toEqual(['started', 'old:a', 'new:b']);
    expect(settled).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });
});
