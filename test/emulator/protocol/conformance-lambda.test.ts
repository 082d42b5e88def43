/**
 * Conformance of Lambda's REST-JSON wire with the SDK's own: for every emulated operation, inputs generated from
 * the operation's Smithy schema are written into an HTTP request by the real LambdaClient (its serializer and
 * middleware) and read back equal by the emulator's router and codec; outputs written by the codec are read back
 * equal by the client's deserializer. Errors reach the client as the model's own exception classes.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as lambdaSdk from '@aws-sdk/client-lambda';
import * as s3Sdk from '@aws-sdk/client-s3';
import type { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import {
  HttpRouteTable,
  readBoundInput,
  writeBoundOutput,
} from '../../../lib/emulator/protocol/codec/http-bindings';
import { decodeRestJsonInput, encodeRestJsonOutput } from '../../../lib/emulator/protocol/codec/rest-json';
import { serviceModelOf } from '../../../lib/emulator/protocol/codec/service-model';
import { LAMBDA_OPERATIONS, LAMBDA_UNSUPPORTED_MEMBERS } from '../../../lib/emulator/protocol/lambda';
import { normalized, valueFor } from '../../helpers/conformance';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

const MODEL = serviceModelOf(lambdaSdk);
const ROUTES = new HttpRouteTable(MODEL);
const RUNS = 15;
const DECODE = {
  invalidValue: (member: string, message: string) => new Error(`${member}: ${message}`) as never,
};

type Command = new (input: unknown) => unknown;
type Output = Record<string, unknown>;
/** What the SDK hands its request handler (an @smithy/protocol-http HttpRequest) and takes back. */
interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
}
interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}
const commandOf = (name: string) => (lambdaSdk as unknown as Record<string, Command>)[`${name}Command`];

/** What our router and codec see of a request the SDK wrote: its query, lower-case headers and body. */
function wireOf(request: HttpRequest): {
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
} {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(request.query)) {
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, item ?? '');
  }
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body as never);
  return { query, headers, body };
}

/** A client whose every request is answered by `answer`, in-process: the SDK's whole request and response path. */
function clientAnswering(answer: (request: HttpRequest) => HttpResponse): lambdaSdk.LambdaClient {
  return new lambdaSdk.LambdaClient({
    endpoint: 'http://127.0.0.1:1',
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { handle: async (request: HttpRequest) => ({ response: answer(request) }) },
  });
}

/** An input for a schema with its required members (the SDK sends nothing without its path labels). */
function inputFor(schema: NormalizedSchema): fc.Arbitrary<unknown> {
  const required = Number((schema.getSchema() as unknown as unknown[])[6] ?? 0);
  const members = [...schema.structIterator()].slice(0, required);
  return fc
    .tuple(valueFor(schema, 0), ...members.map(([, member]) => valueFor(member, 1)))
    .map(([input, ...values]) => ({
      ...(input as object),
      ...Object.fromEntries(members.map(([name], i) => [name, values[i]])),
    }));
}

/** An output for a schema: the status member (httpResponseCode) is one a success can have. */
function outputFor(schema: NormalizedSchema): fc.Arbitrary<unknown> {
  // an operation without output (DeleteAlias, RemovePermission) answers an empty body
  if (!schema.isStructSchema()) return fc.constant({});
  const base = valueFor(schema, 0) as fc.Arbitrary<Record<string, unknown>>;
  const status = [...schema.structIterator()].find(([, m]) => m.getMergedTraits().httpResponseCode)?.[0];
  if (!status) return base;
  return fc
    .tuple(base, fc.constantFrom(200, 202, 204))
    .map(([output, code]) => ({ ...output, [status]: code }));
}

/** The SDK's output without its metadata and the nulls it gives absent payloads. */
function withoutMetadata(output: Record<string, unknown>): unknown {
  const { $metadata: _metadata, ...rest } = output;
  return normalized(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null)));
}

describe('Lambda: the emulated operations against the SDK model', () => {
  test('every operation it answers is one of the model, and every refused member is one of its inputs', () => {
    for (const name of LAMBDA_OPERATIONS) expect([name, MODEL.operations.has(name)]).toEqual([name, true]);
    for (const [name, members] of Object.entries(LAMBDA_UNSUPPORTED_MEMBERS)) {
      expect(LAMBDA_OPERATIONS).toContain(name);
      const input = [...MODEL.operations.get(name)!.input.structIterator()].map(([member]) => member);
      expect(input).toEqual(expect.arrayContaining([...members]));
    }
  });

  test('every error code the Lambda emulator raises is an error shape of the model, or the front end’s', () => {
    // Prepare: AWS's front end answers these itself (a request over 70,167,211 bytes is a 413 before Lambda);
    // they are in no service model
    const frontEnd = new Set([
      'ValidationException',
      'UnknownOperationException',
      'RequestEntityTooLargeException',
    ]);
    const root = path.join(__dirname, '../../../lib/emulator');
    const sources = [
      'protocol/lambda.ts',
      'lambda/service.ts',
      'lambda/function-runtime.ts',
      'lambda/code-package.ts',
    ].map((file) => readFileSync(path.join(root, file), 'utf8'));

    // Act
    const codes = new Set(
      sources.flatMap((text) => [...text.matchAll(/AwsError\(\s*'(\w+)'/g)].map((m) => m[1])),
    );

    // Assess
    expect(codes.size).toBeGreaterThan(3);
    for (const code of codes)
      expect([code, MODEL.errors.has(code) || frontEnd.has(code)]).toEqual([code, true]);
  });
});

describe.each(LAMBDA_OPERATIONS.map((name) => [name]))('Lambda %s on REST-JSON', (name) => {
  const operation = MODEL.operations.get(name)!;

  test('inputs the SDK writes, the router and codec read back equal', async () => {
    let request: HttpRequest | undefined;
    const client = clientAnswering((r) => {
      request = r;
      return { statusCode: 500, headers: {}, body: new Uint8Array() };
    });
    try {
      await fc.assert(
        fc.asyncProperty(inputFor(operation.input), async (input) => {
          // Act
          await client.send(new (commandOf(name))(input) as never).catch(() => undefined);
          const { query, headers, body } = wireOf(request!);
          const match = ROUTES.match(request!.method, request!.path, query, headers);
          const decoded = decodeRestJsonInput(
            operation,
            { labels: match!.labels, query, headers, body },
            DECODE,
          );

          // Assess
          expect(match?.operation.name).toBe(name);
          expect(normalized(decoded)).toEqual(normalized(input));
        }),
        { numRuns: RUNS, seed: 21 },
      );
    } finally {
      client.destroy();
    }
  });

  test('outputs the codec writes, the SDK reads back equal', async () => {
    let output: Output = {};
    const client = clientAnswering(() => {
      const reply = encodeRestJsonOutput(operation, output);
      return {
        statusCode: reply.status,
        headers: reply.headers,
        body: typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body,
      };
    });
    // every path label an emulated operation has
    const input = { FunctionName: 'f', Name: 'live', StatementId: 's', UUID: 'u' };
    try {
      await fc.assert(
        fc.asyncProperty(outputFor(operation.output), async (generated) => {
          // Act
          output = generated as Output;
          const read = (await client.send(new (commandOf(name))(input) as never)) as unknown as Output;

          // Assess
          expect(withoutMetadata(read)).toEqual(normalized(output));
        }),
        { numRuns: RUNS, seed: 22 },
      );
    } finally {
      client.destroy();
    }
  });
});

describe('Lambda errors reach the SDK as the model’s exceptions', () => {
  let emu: Emulator;
  let lambda: lambdaSdk.LambdaClient;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, onFunctionLog: () => undefined });
    lambda = new lambdaSdk.LambdaClient({
      endpoint: emu.endpoint,
      region: emu.region,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    lambda.destroy();
    await emu.stop();
  });

  test('a function that does not exist is ResourceNotFoundException, its message in the shape’s `Message`', async () => {
    // Act
    const error = await lambda
      .send(new lambdaSdk.GetFunctionCommand({ FunctionName: 'nope' }))
      .catch((e) => e);
    const raw = await fetch(`${emu.endpoint}/2015-03-31/functions/nope`);

    // Assess
    const message = `Function not found: arn:aws:lambda:${emu.region}:000000000000:function:nope`;
    expect(error).toBeInstanceOf(lambdaSdk.ResourceNotFoundException);
    expect(error).toMatchObject({ $metadata: { httpStatusCode: 404 }, Type: 'User', message });
    // the SDK reads `Message` or `message`; AWS sends the casing of the error shape's member
    expect([raw.status, raw.headers.get('x-amzn-errortype'), await raw.json()]).toEqual([
      404,
      'ResourceNotFoundException',
      { Type: 'User', Message: message },
    ]);
  });

  test('a refused member is InvalidParameterValueException naming it, its message in `message`', async () => {
    // Act
    const error = await lambda
      .send(new lambdaSdk.InvokeCommand({ FunctionName: 'nope', ClientContext: 'e30=' }))
      .catch((e) => e);
    const master = await lambda
      .send(new lambdaSdk.ListFunctionsCommand({ MasterRegion: 'ALL', FunctionVersion: 'ALL' }))
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(lambdaSdk.InvalidParameterValueException);
    expect(error).toMatchObject({
      Type: 'User',
      message: 'ClientContext is not supported by the local emulator.',
    });
    expect(master).toBeInstanceOf(lambdaSdk.InvalidParameterValueException);
    expect(master.message).toBe('MasterRegion is not supported by the local emulator.');
  });

  test('an operation of the model the emulator does not implement answers a 400 that names it', async () => {
    // Act
    const error = await lambda
      .send(
        new lambdaSdk.PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: 1 }),
      )
      .catch((e) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'UnknownOperationException',
      message: 'PutFunctionConcurrency is not supported by the local emulator.',
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe('the HTTP bindings shared by the REST codecs', () => {
  test('every operation of the Lambda model: the router finds it and the codec reads back what the SDK wrote', async () => {
    let request: HttpRequest | undefined;
    const client = clientAnswering((r) => {
      request = r;
      return { statusCode: 500, headers: {}, body: new Uint8Array() };
    });
    const failures: string[] = [];
    try {
      for (const [name, operation] of MODEL.operations) {
        await fc.assert(
          fc.asyncProperty(inputFor(operation.input), async (input) => {
            await client.send(new (commandOf(name))(input) as never).catch(() => undefined);
            const { query, headers, body } = wireOf(request!);
            const match = ROUTES.match(request!.method, request!.path, query, headers);
            const decoded =
              match && decodeRestJsonInput(operation, { labels: match.labels, query, headers, body }, DECODE);
            try {
              // one list of all that differ, rather than the first only
              expect([match?.operation.name, normalized(decoded)]).toEqual([name, normalized(input)]);
            } catch {
              failures.push(`${name}: ${JSON.stringify(input)}`);
            }
          }),
          { numRuns: 2, seed: 23 },
        );
      }
    } finally {
      client.destroy();
    }
    expect(failures).toEqual([]);
  });

  const s3 = serviceModelOf(s3Sdk);
  const s3Routes = new HttpRouteTable(s3);
  const route = (method: string, path: string, query = '', headers = {}) => {
    const match = s3Routes.match(method, path, new URLSearchParams(query), headers);
    return match && [match.operation.name, match.labels];
  };

  test('routes: the most specific pattern wins, x-id is not required, greedy labels keep their slashes', () => {
    expect(route('GET', '/a/b%20c//d/')).toEqual(['GetObject', { Key: 'a/b c//d/' }]);
    expect(route('GET', '/k', 'x-id=GetObject')).toEqual(['GetObject', { Key: 'k' }]);
    expect(route('GET', '/k', 'tagging')).toEqual(['GetObjectTagging', { Key: 'k' }]);
    expect(route('GET', '/', 'list-type=2')).toEqual(['ListObjectsV2', {}]);
    expect(route('PUT', '/k')).toEqual(['PutObject', { Key: 'k' }]);
    expect(route('PUT', '/k', 'partNumber=1&uploadId=u')).toEqual(['UploadPart', { Key: 'k' }]);
    expect(route('PUT', '/k', '', { 'x-amz-copy-source': 'b/k' })).toEqual(['CopyObject', { Key: 'k' }]);
    expect(ROUTES.match('GET', '/2015-03-31/functions/', new URLSearchParams())?.operation.name).toBe(
      'ListFunctions',
    );
    // a `%` that starts no escape stays, for the service's own name check to refuse
    expect(ROUTES.match('GET', '/2015-03-31/functions/%', new URLSearchParams())?.labels).toEqual({
      FunctionName: '%',
    });
    expect(ROUTES.match('GET', '/2015-03-31/functions/a/b/c', new URLSearchParams())).toBeUndefined();
  });

  test('routing a path of 100,000 segments takes linear time', () => {
    const started = performance.now();
    expect(route('GET', '/a'.repeat(100_000), 'tagging')?.[0]).toBe('GetObjectTagging');
    expect(ROUTES.match('GET', '/x'.repeat(100_000), new URLSearchParams())).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(500);
  });

  test('headers: http-date by default, the member’s own format otherwise, prefix headers, typed values', () => {
    // Prepare
    const errors = {
      invalidValue: (member: string, _m: string, value: string, expected: string) =>
        new Error(`${member}=${value}: ${expected}`) as never,
    };
    const put = s3.operations.get('PutObject')!;

    // Act
    const input = readBoundInput(
      put,
      { Key: 'k' },
      new URLSearchParams(),
      {
        expires: 'Wed, 21 Oct 2015 07:28:00 GMT',
        'x-amz-object-lock-retain-until-date': '2015-10-21T07:28:00Z',
        'x-amz-meta-colour': 'blue',
        'content-length': '12',
        'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      },
      errors,
    );
    const wrong = () => readBoundInput(put, {}, new URLSearchParams(), { 'content-length': '0x10' }, errors);
    const output = writeBoundOutput(s3.operations.get('GetObject')!, {
      LastModified: new Date(0),
      Metadata: { Colour: 'blue' },
      ContentLength: 3,
    });

    // Assess
    expect(input).toEqual({
      Key: 'k',
      Expires: new Date('2015-10-21T07:28:00Z'),
      ObjectLockRetainUntilDate: new Date('2015-10-21T07:28:00Z'),
      Metadata: { colour: 'blue' },
      ContentLength: 12,
      BucketKeyEnabled: true,
    });
    expect(wrong).toThrow('ContentLength=0x10: number');
    expect(output).toEqual({
      status: 200,
      headers: {
        'last-modified': 'Thu, 01 Jan 1970 00:00:00 GMT',
        'x-amz-meta-colour': 'blue',
        'content-length': '3',
      },
    });
  });
});
