/**
 * Conformance of the schema-driven codecs with the SDK's own: for every operation a service answers, inputs
 * generated from the operation's Smithy schema are written by the SDK's serializer and read back by ours, and
 * outputs written by ours are read back by the SDK's deserializer; both must come back equal. Drift between the
 * emulator and the SDK's model (a member, an XML name, a flattened list, a map's key names) fails here.
 */
import * as snsSdk from '@aws-sdk/client-sns';
import { QueryShapeSerializer, XmlShapeDeserializer } from '@aws-sdk/core/protocols';
import type { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { AwsError } from '../../../lib/emulator/errors';
import {
  decodeQueryInput,
  encodeQueryResponse,
  IndexedForm,
} from '../../../lib/emulator/protocol/codec/query';
import { serviceModelOf } from '../../../lib/emulator/protocol/codec/service-model';
import { QueryForm } from '../../../lib/emulator/protocol/query-form';
import { SNS_OPERATIONS, SNS_UNSUPPORTED_MEMBERS } from '../../../lib/emulator/protocol/sns';

/** A value for a schema, as the SDK's input and output objects hold it. */
function valueFor(schema: NormalizedSchema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(undefined);
  if (schema.isStructSchema()) {
    const members: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, member] of schema.structIterator()) members[name] = valueFor(member, depth + 1);
    const record = fc.record(members, { requiredKeys: [] });
    // an empty nested structure has nothing to put on the wire, so it cannot come back
    return depth === 0 ? record : record.filter((value) => Object.keys(value).length > 0);
  }
  if (schema.isListSchema())
    return fc.array(valueFor(schema.getValueSchema(), depth + 1), { minLength: 1, maxLength: 3 });
  if (schema.isMapSchema()) {
    return fc.dictionary(
      fc.stringMatching(/^[A-Za-z][\w.:-]{0,11}$/),
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
  if (schema.isTimestampSchema())
    return fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000));
  return fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((s) => s.trim() === s && ![...s].some((c) => c < ' '));
}

/** Drops undefined members (fc.record leaves none, but nested generation may) and normalizes bytes for equality. */
function normalized(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(normalized);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(
          ([, v]) =>
            v !== undefined &&
            !(
              v !== null &&
              typeof v === 'object' &&
              !(v instanceof Uint8Array) &&
              !(v instanceof Date) &&
              Object.keys(v).length === 0 &&
              !Array.isArray(v)
            ),
        )
        .map(([k, v]) => [k, normalized(v)]),
    );
  }
  return value;
}

const QUERY_SERVICES = [
  {
    name: 'SNS',
    sdk: snsSdk,
    operations: SNS_OPERATIONS,
    unsupported: SNS_UNSUPPORTED_MEMBERS,
    xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  },
];

describe.each(QUERY_SERVICES.map((s) => [s.name, s] as const))('%s on the query protocol', (_, service) => {
  const model = serviceModelOf(service.sdk);
  const decodeOptions = {
    invalidValue: (_m: string, message: string) => new AwsError('InvalidParameter', message),
  };

  test('every operation it answers is one of the SDK model, and every refused member is one of its inputs', () => {
    for (const name of service.operations) expect(model.operations.has(name)).toBe(true);
    for (const [name, members] of Object.entries(service.unsupported)) {
      const input = [...model.operations.get(name)!.input.structIterator()].map(([member]) => member);
      expect(input).toEqual(expect.arrayContaining([...members]));
    }
  });

  test.each(service.operations.map((o) => [o]))('%s: inputs the SDK writes read back equal', (name) => {
    const operation = model.operations.get(name)!;
    fc.assert(
      fc.property(valueFor(operation.input, 0), (input) => {
        // Act
        const serializer = new QueryShapeSerializer({ timestampFormat: { useTrait: true, default: 5 } });
        serializer.write(operation.input.getSchema() as never, input);
        const body = String(serializer.flush());
        const form = QueryForm.fromRequest({
          method: 'POST',
          path: '/',
          query: new URLSearchParams(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(`Action=${name}${body}`),
          signal: new AbortController().signal,
          requestId: 'r',
        });
        const decoded = decodeQueryInput(operation, new IndexedForm(form), decodeOptions);
        // Assess
        expect(normalized(decoded)).toEqual(normalized(input));
      }),
      { numRuns: 40, seed: 12 },
    );
  });

  test.each(service.operations.map((o) => [o]))(
    '%s: outputs it writes, the SDK reads back equal',
    async (name) => {
      const operation = model.operations.get(name)!;
      if (operation.output.isUnitSchema()) return;
      await fc.assert(
        fc.asyncProperty(valueFor(operation.output, 0), async (output) => {
          // Act
          const xml = encodeQueryResponse(operation, output, service.xmlns, 'request-id');
          const deserializer = new XmlShapeDeserializer({
            timestampFormat: { useTrait: true, default: 5 },
            httpBindings: false,
            xmlNamespace: service.xmlns,
            serviceNamespace: service.xmlns,
          });
          const read = await deserializer.read(
            operation.output.getSchema() as never,
            Buffer.from(xml),
            `${name}Result`,
          );
          // Assess
          expect(normalized(read)).toEqual(normalized(output));
        }),
        { numRuns: 40, seed: 13 },
      );
    },
  );
});
