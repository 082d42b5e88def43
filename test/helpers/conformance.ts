/**
 * Conformance of a service's wire with the SDK's own codecs: for every operation the service answers, inputs
 * generated from the operation's Smithy schema are written by the SDK's serializer and read back by ours, and
 * outputs written by ours are read back by the SDK's deserializer; both must come back equal. Drift between the
 * emulator and the SDK's model (a member, an XML or JSON name, a flattened list, a map's key names, a timestamp
 * format, an error code) fails here. One `describe` per protocol the service speaks.
 */
import { JsonCodec, QueryShapeSerializer, XmlShapeDeserializer } from '@aws-sdk/core/protocols';
import type { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { AwsError } from '../../lib/emulator/errors';
import { decodeJsonInput, encodeJsonError, encodeJsonOutput } from '../../lib/emulator/protocol/codec/json';
import { decodeQueryInput, encodeQueryResponse, IndexedForm } from '../../lib/emulator/protocol/codec/query';
import type { RpcServiceWire } from '../../lib/emulator/protocol/codec/rpc-protocol';
import { QueryForm } from '../../lib/emulator/protocol/query-form';

/** What a member below the depth bound holds: nothing. */
const CUT = fc.constant(undefined);

/** A value for a schema, as the SDK's input and output objects hold it. */
export function valueFor(schema: NormalizedSchema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return CUT;
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    const members: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, member] of schema.structIterator()) {
      const value = valueFor(member, depth + 1);
      if (value !== CUT) members[name] = value;
    }
    const names = Object.keys(members);
    // a structure without members (a union's marker variant) is `{}` on the wire
    if (names.length === 0) return [...schema.structIterator()].length === 0 ? fc.constant({}) : CUT;
    // a union holds exactly one of its members
    if (schema.isUnionSchema()) return fc.oneof(...names.map((n) => fc.record({ [n]: members[n] })));
    const record = fc.record(members, { requiredKeys: [] });
    // an empty nested structure has nothing to put on the wire, so it cannot come back (nor can the list items
    // after it)
    return depth === 0 ? record : record.filter((value) => Object.values(value).some((v) => v !== undefined));
  }
  if (schema.isListSchema()) {
    const item = valueFor(schema.getValueSchema(), depth + 1);
    if (item === CUT) return CUT;
    // short lists below the top: MetricAlarm-like shapes nest six levels of lists of wide structures
    return fc.array(item, {
      minLength: 1,
      maxLength: depth < 2 ? 3 : 1,
    });
  }
  if (schema.isMapSchema()) {
    const value = valueFor(schema.getValueSchema(), depth + 1);
    if (value === CUT) return CUT;
    return fc.dictionary(fc.stringMatching(/^[A-Za-z][\w.:-]{0,11}$/), value, {
      minKeys: 1,
      maxKeys: depth < 2 ? 3 : 1,
    });
  }
  if (schema.isBooleanSchema()) return fc.boolean();
  if (schema.isNumericSchema()) return fc.integer({ min: 0, max: 1_000_000 });
  if (schema.isBlobSchema()) return fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b));
  if (schema.isTimestampSchema())
    return fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000));
  if (schema.isDocumentSchema()) return fc.constant(undefined);
  return fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((s) => s.trim() === s && ![...s].some((c) => c < ' '));
}

/** Drops absent and empty members (they have no wire form) and normalizes bytes and dates for equality. */
export function normalized(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(normalized);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .map(([k, v]) => [k, normalized(v)])
        .filter(([, v]) => v !== undefined && !isEmptyStructure(v)),
    );
  }
  return value;
}

function isEmptyStructure(v: unknown): boolean {
  return (
    v !== null &&
    typeof v === 'object' &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Date) &&
    !Array.isArray(v) &&
    Object.keys(v).length === 0
  );
}

/**
 * Members of a structure that share one name on the query wire (SQS ReceiveMessage: AttributeNames and
 * MessageSystemAttributeNames are both `AttributeName.N`): a reader cannot tell them apart, so they read back alike.
 */
function queryAliases(schema: NormalizedSchema): string[][] {
  const byKey = new Map<string, string[]>();
  for (const [name, member] of schema.structIterator()) {
    const key = (member.getMergedTraits() as { xmlName?: string }).xmlName ?? name;
    byKey.set(key, [...(byKey.get(key) ?? []), name]);
  }
  return [...byKey.values()].filter((group) => group.length > 1);
}

/** The input with each group of aliased members holding the first one's value (or none). */
function sameAcrossAliases(input: unknown, aliases: string[][]): unknown {
  if (aliases.length === 0) return input;
  const value = { ...(input as Record<string, unknown>) };
  for (const group of aliases) {
    const set = group.find((member) => value[member] !== undefined);
    for (const member of group) value[member] = set === undefined ? undefined : value[set];
  }
  return value;
}

const RUNS = 25;

/** The conformance tests of one RPC service (query and/or JSON, whichever its wire speaks). */
export function describeRpcConformance<S>(wire: RpcServiceWire<S>): void {
  const names = Object.keys(wire.operations);

  describe(`${wire.serviceName}: the emulated operations against the SDK's model`, () => {
    test('every operation it answers is one of the model, and every refused member is one of its inputs', () => {
      for (const name of names) expect([name, wire.model.operations.has(name)]).toEqual([name, true]);
      for (const [name, members] of Object.entries(wire.unsupported)) {
        expect(names).toContain(name);
        const input = [...wire.model.operations.get(name)!.input.structIterator()].map(([member]) => member);
        expect(input).toEqual(expect.arrayContaining([...members]));
      }
    });

    if (wire.json) {
      const json = wire.json;
      test('every error code of the model reaches JSON clients as its own shape', () => {
        for (const [code, error] of wire.model.errors) {
          if (code !== error.code) continue;
          const { headers, body } = encodeJsonError(new AwsError(code, 'm'), wire.model, json.errors);
          const type = (JSON.parse(body) as { __type: string }).__type;
          // the shape is one of those the model maps the code to (some codes are shared by two shapes)
          const shapes = [...wire.model.errors.values()].filter((e) => e.code === code).map((e) => e.shape);
          expect(shapes).toContain(type.slice(type.indexOf('#') + 1));
          if (json.errors.queryCompatible) expect(headers['x-amzn-query-error']).toBe(`${code};Sender`);
        }
      });
    }
  });

  if (wire.query) {
    const query = wire.query;
    describe(`${wire.serviceName} on the query protocol`, () => {
      test.each(names.map((o) => [o]))('%s: inputs the SDK writes read back equal', (name) => {
        const operation = wire.model.operations.get(name)!;
        const aliases = queryAliases(operation.input);
        const inputs = valueFor(operation.input, 0).map((input) => sameAcrossAliases(input, aliases));
        fc.assert(
          fc.property(inputs, (input) => {
            const serializer = new QueryShapeSerializer({ timestampFormat: { useTrait: true, default: 5 } });
            serializer.write(operation.input.getSchema() as never, input);
            const form = QueryForm.fromRequest({
              method: 'POST',
              path: '/',
              query: new URLSearchParams(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: Buffer.from(`Action=${name}${String(serializer.flush())}`),
              signal: new AbortController().signal,
              requestId: 'r',
            });
            const decoded = decodeQueryInput(operation, new IndexedForm(form), query.decode);
            expect(normalized(decoded)).toEqual(normalized(input));
          }),
          { numRuns: RUNS, seed: 12 },
        );
      });

      test.each(names.map((o) => [o]))('%s: outputs it writes, the SDK reads back equal', async (name) => {
        const operation = wire.model.operations.get(name)!;
        if (operation.output.isUnitSchema()) return;
        await fc.assert(
          fc.asyncProperty(valueFor(operation.output, 0), async (output) => {
            const xml = encodeQueryResponse(operation, output, query.xmlns, 'request-id');
            const deserializer = new XmlShapeDeserializer({
              timestampFormat: { useTrait: true, default: 5 },
              httpBindings: false,
              xmlNamespace: query.xmlns,
              serviceNamespace: query.xmlns,
            });
            const read = await deserializer.read(
              operation.output.getSchema() as never,
              Buffer.from(xml),
              `${name}Result`,
            );
            expect(normalized(read)).toEqual(normalized(output));
          }),
          { numRuns: RUNS, seed: 13 },
        );
      });
    });
  }

  if (wire.json) {
    describe(`${wire.serviceName} on AWS JSON`, () => {
      const codec = new JsonCodec({ timestampFormat: { useTrait: true, default: 7 }, jsonName: false });

      test.each(names.map((o) => [o]))('%s: inputs the SDK writes read back equal', (name) => {
        const operation = wire.model.operations.get(name)!;
        fc.assert(
          fc.property(valueFor(operation.input, 0), (input) => {
            const serializer = codec.createSerializer();
            serializer.write(operation.input.getSchema() as never, input);
            const decoded = decodeJsonInput(operation, JSON.parse(serializer.flush()));
            expect(normalized(decoded)).toEqual(normalized(input));
          }),
          { numRuns: RUNS, seed: 14 },
        );
      });

      test.each(names.map((o) => [o]))('%s: outputs it writes, the SDK reads back equal', async (name) => {
        const operation = wire.model.operations.get(name)!;
        if (operation.output.isUnitSchema()) return;
        await fc.assert(
          fc.asyncProperty(valueFor(operation.output, 0), async (output) => {
            const read = await codec
              .createDeserializer()
              .read(operation.output.getSchema() as never, encodeJsonOutput(operation, output));
            expect(normalized(read)).toEqual(normalized(output));
          }),
          { numRuns: RUNS, seed: 15 },
        );
      });
    });
  }
}
