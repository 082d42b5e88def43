/**
 * Conformance of the REST-XML codec with the SDK's own, for S3: for every operation the emulator answers, inputs
 * generated from the operation's Smithy schema are sent by the real S3Client (its serializer and middleware,
 * path-style) into a request handler that keeps the HTTP request, and read back by the emulator's S3 wire;
 * outputs written by the emulator's codec are handed to the S3Client as the HTTP response and read back by its
 * deserializer. Both must come back equal. Drift between the emulator and the SDK's model (a route, a header,
 * an XML name, a flattened list, the payload) fails here.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import * as s3Sdk from '@aws-sdk/client-s3';
import type { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { writeRestXmlOutput } from '../../../lib/emulator/protocol/codec/rest-xml';
import { serviceModelOf } from '../../../lib/emulator/protocol/codec/service-model';
import {
  readS3Request,
  S3_FIXED_MEMBERS,
  S3_OPERATIONS,
  S3_UNSUPPORTED_MEMBERS,
  S3_XMLNS,
} from '../../../lib/emulator/protocol/s3';
import { TEST_CREDENTIALS } from '../../helpers/emulator';

const model = serviceModelOf(s3Sdk);

/** The parts of the SDK's HttpRequest and HttpResponse this test reads and writes. */
interface HttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}
interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Members the SDK's middleware sets or rewrites itself, whatever the input says: checksums and their algorithm
 * (flexible checksums), the body's length, and Expires (read back as ExpiresString too).
 */
const SET_BY_THE_SDK = new Set([
  'ChecksumAlgorithm',
  'ContentMD5',
  'ContentLength',
  'ExpiresString',
  // the SDK's SSE-C middleware sends the key base64-encoded, with its MD5
  'SSECustomerKey',
  'SSECustomerKeyMD5',
  'CopySourceSSECustomerKey',
  'CopySourceSSECustomerKeyMD5',
]);

/** What the SDK sends for a member the input leaves out (a PutObject without Body or ContentType). */
const SDK_DEFAULTS: Readonly<Record<string, unknown>> = {
  Body: '',
  ContentType: 'application/octet-stream',
  Metadata: {},
};

/** `read` without the members `expected` leaves out that hold the SDK's default. */
function withoutDefaults(
  read: Record<string, unknown>,
  expected: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...read };
  for (const [member, value] of Object.entries(SDK_DEFAULTS)) {
    if (expected[member] === undefined && JSON.stringify(out[member]) === JSON.stringify(value))
      delete out[member];
  }
  return out;
}

/** Text that survives a header, a query string and XML unchanged (what the SDK sends as is). */
const text = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._~:/@=-]{0,14}$/).filter((s) => s.trim() === s);
const wholeSeconds = fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000));

/** A value for a schema, as the SDK's input and output objects hold it. */
function valueFor(schema: NormalizedSchema, depth: number, name = ''): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(undefined);
  if (schema.isStructSchema()) {
    // a structure without members (EventBridgeConfiguration) is there or not
    if ([...schema.structIterator()].length === 0) return fc.constant({});
    const members: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [member, memberSchema] of schema.structIterator()) {
      if (depth === 0 && SET_BY_THE_SDK.has(member)) continue;
      members[member] = valueFor(memberSchema, depth + 1, member);
    }
    const record = fc.record(members, { requiredKeys: [] });
    // an empty nested structure has nothing to put on the wire, so it cannot come back
    return depth === 0 ? record : record.filter((value) => Object.keys(value).length > 0);
  }
  if (schema.isListSchema())
    return fc.array(valueFor(schema.getValueSchema(), depth + 1), { minLength: 1, maxLength: 3 });
  if (schema.isMapSchema()) {
    // header names are case-insensitive: metadata keys come back lower-case
    return fc.dictionary(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,9}$/),
      valueFor(schema.getValueSchema(), depth + 1),
      {
        minKeys: 1,
        maxKeys: 3,
      },
    );
  }
  if (schema.isBooleanSchema()) return fc.boolean();
  if (schema.isNumericSchema()) return fc.integer({ min: 0, max: 1_000_000 });
  if (schema.isBlobSchema()) return fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b));
  if (schema.isTimestampSchema()) return wholeSeconds;
  if (name === 'Bucket') return fc.stringMatching(/^[a-z][a-z0-9-]{2,10}[a-z0-9]$/);
  return text;
}

/** Bytes as base64, dates as ISO text, absent members dropped, for equality. */
function normalized(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, normalized(v)]),
    );
  }
  return value;
}

function withoutSdkMembers(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([k]) => !SET_BY_THE_SDK.has(k) && k !== '$metadata'),
  );
}

/** An S3Client whose HTTP handler answers with `respond` (and keeps the request it was given). */
function clientAnswering(respond: (request: HttpRequest) => Promise<HttpResponse>): s3Sdk.S3Client {
  return new s3Sdk.S3Client({
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    forcePathStyle: true,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { handle: async (request: HttpRequest) => ({ response: await respond(request) }) },
  });
}

function commandOf(name: string, input: unknown): Parameters<s3Sdk.S3Client['send']>[0] {
  const Command = (s3Sdk as unknown as Record<string, new (input: unknown) => unknown>)[`${name}Command`];
  return new Command(input) as Parameters<s3Sdk.S3Client['send']>[0];
}

async function bytesOf(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The smallest input the SDK accepts: its required members (listed first in a Smithy schema, and counted). */
function minimalInput(schema: NormalizedSchema, name: string): unknown {
  if (schema.isStructSchema()) {
    const raw = schema.getSchema() as unknown[];
    const required = typeof raw[6] === 'number' ? raw[6] : 0;
    const out: Record<string, unknown> = {};
    let index = 0;
    for (const [member, memberSchema] of schema.structIterator()) {
      if (index++ >= required) break;
      out[member] = minimalInput(memberSchema, member);
    }
    return out;
  }
  if (schema.isListSchema()) return [minimalInput(schema.getValueSchema(), '')];
  if (schema.isNumericSchema()) return 1;
  if (schema.isBooleanSchema()) return false;
  if (schema.isTimestampSchema()) return new Date(0);
  if (schema.isBlobSchema()) return Buffer.from('x');
  return name === 'Bucket'
    ? 'bucket'
    : name === 'CopySource'
      ? 'bucket/source'
      : name === 'Policy'
        ? '{}'
        : 'x';
}

/** S3's documented error codes (ErrorResponses.html, "List of error codes") that the model has no shape for. */
const DOCUMENTED_S3_ERRORS = new Set([
  'AccessControlListNotSupported',
  'AccessDenied',
  'BadDigest',
  'BucketAlreadyOwnedByYou',
  'BucketNotEmpty',
  'EntityTooLarge',
  'EntityTooSmall',
  'IllegalLocationConstraintException',
  'IncompleteBody',
  'InternalError',
  'InvalidArgument',
  'InvalidBucketAclWithObjectOwnership',
  'InvalidBucketName',
  'InvalidEncryptionAlgorithmError',
  'InvalidDigest',
  'InvalidPart',
  'InvalidPartOrder',
  'InvalidRange',
  'InvalidRequest',
  'InvalidTag',
  'InvalidURI',
  'KeyTooLongError',
  'MalformedACLError',
  'MalformedPolicy',
  'MalformedXML',
  'MetadataTooLarge',
  'MethodNotAllowed',
  'NoSuchBucketPolicy',
  'NoSuchTagSet',
  'NoSuchVersion',
  'NotImplemented',
  'OwnershipControlsNotFoundError',
  'PreconditionFailed',
  'UnexpectedContent',
  'UnsupportedArgument',
  'XAmzContentSHA256Mismatch',
]);

describe('S3 on the REST-XML protocol', () => {
  test('every operation it answers, every refused or fixed member, is one of the SDK model', () => {
    for (const name of S3_OPERATIONS) expect(model.operations.has(name)).toBe(true);
    for (const [name, members] of Object.entries(S3_UNSUPPORTED_MEMBERS)) {
      expect(S3_OPERATIONS).toContain(name);
      const input = [...model.operations.get(name)!.input.structIterator()].map(([member]) => member);
      expect(input).toEqual(expect.arrayContaining([...members]));
    }
    const inputs = new Set(
      S3_OPERATIONS.flatMap((name) =>
        [...model.operations.get(name)!.input.structIterator()].map(([m]) => m),
      ),
    );
    for (const member of Object.keys(S3_FIXED_MEMBERS)) expect(inputs).toContain(member);
  });

  test('every error code it sends is in the model or in S3 documented list', () => {
    const sources = [
      ...readdirSync(path.join(__dirname, '../../../lib/emulator/s3')).map(
        (f) => `../../../lib/emulator/s3/${f}`,
      ),
      '../../../lib/emulator/protocol/s3.ts',
    ];
    const codes = new Set<string>();
    for (const source of sources) {
      for (const match of readFileSync(path.join(__dirname, source), 'utf8').matchAll(
        /S3Error\(\s*'([A-Za-z0-9]+)'/g,
      ))
        codes.add(match[1]);
    }
    expect(codes.size).toBeGreaterThan(15);
    for (const code of codes)
      expect([code, model.errors.has(code) || DOCUMENTED_S3_ERRORS.has(code)]).toEqual([code, true]);
  });

  test.each(S3_OPERATIONS.map((o) => [o]))('%s: inputs the SDK sends read back equal', async (name) => {
    const operation = model.operations.get(name)!;
    let sent: HttpRequest | undefined;
    const client = clientAnswering(async (request) => {
      sent = request;
      throw new Error('kept');
    });
    try {
      await fc.assert(
        fc.asyncProperty(valueFor(operation.input, 0), async (generated) => {
          const input = { ...(minimalInput(operation.input, '') as object), ...(generated as object) };
          // the SDK's middleware adds to the input object it is given
          const expected = normalized(input) as Record<string, unknown>;
          // Act
          sent = undefined;
          await client.send(commandOf(name, input)).catch(() => undefined);
          const request = sent as HttpRequest | undefined;
          if (!request) throw new Error(`the SDK sent no ${name}`);
          const query = new URLSearchParams();
          for (const [key, value] of Object.entries(request.query ?? {})) {
            for (const item of Array.isArray(value) ? value : [value ?? '']) query.append(key, item);
          }
          const headers: Record<string, string> = Object.fromEntries(
            Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
          );
          const read = readS3Request({
            method: request.method,
            path: request.path,
            query,
            headers,
            body: await bytesOf(request.body),
            signal: new AbortController().signal,
            requestId: 'r',
          });
          // Assess
          expect(read.operation.name).toBe(name);
          const decoded = normalized(withoutSdkMembers(read.input)) as Record<string, unknown>;
          expect(withoutDefaults(decoded, expected)).toEqual(withoutSdkMembers(expected));
        }),
        { numRuns: 10, seed: 12 },
      );
    } finally {
      client.destroy();
    }
  });

  test.each(S3_OPERATIONS.map((o) => [o]))(
    '%s: outputs it writes, the SDK reads back equal',
    async (name) => {
      const operation = model.operations.get(name)!;
      if (operation.output.isUnitSchema()) return;
      let reply: ReturnType<typeof writeRestXmlOutput> | undefined;
      const payload = [...operation.output.structIterator()].find(
        ([, m]) => m.isStructSchema() && (m.getMergedTraits() as { httpPayload?: unknown }).httpPayload,
      )?.[0];
      const client = clientAnswering(async () => {
        const r = reply!;
        return { statusCode: r.status, headers: r.headers, body: Readable.from([Buffer.from(r.body)]) };
      });
      try {
        await fc.assert(
          fc.asyncProperty(valueFor(operation.output, 0), async (output) => {
            // AWS: a copy always has its result document (the SDK reads none as an aborted request)
            fc.pre(payload === undefined || (output as Record<string, unknown>)[payload] !== undefined);
            // Act
            reply = writeRestXmlOutput(operation, output as Record<string, unknown>, S3_XMLNS);
            const read = (await client.send(
              commandOf(name, minimalInput(operation.input, '')),
            )) as unknown as Record<string, unknown>;
            if (read.Body !== undefined) read.Body = await bytesOf(read.Body);
            // Assess
            const expected = normalized(output) as Record<string, unknown>;
            const got = normalized(withoutSdkMembers(read)) as Record<string, unknown>;
            expect(withoutDefaults(got, expected)).toEqual(expected);
          }),
          { numRuns: 10, seed: 13 },
        );
      } finally {
        client.destroy();
      }
    },
  );
});
