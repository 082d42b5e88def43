/**
 * What the two wire fuzz tests share: an emulator with a few resources to aim at, the values that broke (or
 * could break) validators, a clock that moves while a request waits, and the per-protocol tally that each test
 * prints when it ends. Every answer must be a 2xx-4xx or a documented 501, within a second, and after each burst
 * a health check must answer within 100 ms. Seeds are fixed, so a failure replays.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NormalizedSchema } from '@smithy/core/schema';
import fc from 'fast-check';
import { ManualClock } from '../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../lib/emulator/emulator';

/** Requests per protocol and the time each may take: each fuzz file stays within ~25 s on 2 cores. */
export const RUNS_PER_PROTOCOL = 2_000;
export const SECONDS_PER_PROTOCOL = 2;
const SLOW_MS = 1_000;
/** Runs every protocol makes whatever the machine's load, before the time limit may cut the rest short. */
const MIN_RUNS = 250;
/** Requests between two health checks. */
export const BURST = 100;
export const MIB = 1024 * 1024;

interface Stats {
  requests: number;
  status2xx: number;
  status4xx: number;
  status501: number;
  status5xx: number;
  clientSide: number;
  slowest: number;
  ms: number;
}

/** The names of the resources the fuzz aims at, once the emulator has started. */
export interface KnownResources {
  queueUrl: string;
  fifoUrl: string;
  topicArn: string;
}

export interface FuzzEmulator {
  readonly emulator: () => Emulator;
  readonly known: KnownResources;
  /** Runs `send`, moving the emulator's clock while it waits (a long poll ends when its wait is over). */
  timed(send: () => Promise<number | undefined>): Promise<{ status: number | undefined; ms: number }>;
  /** Counts an answer; throws on a 5xx other than 501 or an answer slower than a second. */
  record(protocol: string, status: number | undefined, ms: number, what: string): void;
  requests(protocol: string): number;
  /** A normal request answers within 100 ms (best of five, see below). */
  healthWithin100ms(): Promise<void>;
}

/** Starts the emulator before the file's tests and stops it (printing the tally) after them. */
export function useFuzzEmulator(title: string): FuzzEmulator {
  const root = mkdtempSync(path.join(tmpdir(), 'decoupled-fuzz-'));
  const stats = new Map<string, Stats>();
  const known: KnownResources = { queueUrl: '', fifoUrl: '', topicArn: '' };
  let emu: Emulator | undefined;
  let clock: ManualClock;
  const statsFor = (protocol: string): Stats => {
    let s = stats.get(protocol);
    if (!s) {
      s = {
        requests: 0,
        status2xx: 0,
        status4xx: 0,
        status501: 0,
        status5xx: 0,
        clientSide: 0,
        slowest: 0,
        ms: 0,
      };
      stats.set(protocol, s);
    }
    return s;
  };

  beforeAll(async () => {
    clock = new ManualClock(Date.parse('2026-11-30T10:00:00Z'));
    emu = await startEmulator({ port: 0, clock, onFunctionLog: () => undefined });
    known.queueUrl = emu.sqs.createQueue({ QueueName: 'fuzz' }).QueueUrl!;
    known.fifoUrl = emu.sqs.createQueue({
      QueueName: 'fuzz.fifo',
      Attributes: { FifoQueue: 'true' },
    }).QueueUrl!;
    known.topicArn = emu.sns.createTopic({ Name: 'fuzz' }).TopicArn!;
    emu.s3.createBucket('fuzz');
    const dir = path.join(root, 'echo');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'index.js'),
      'exports.handler = async (event) => ({ echoed: typeof event });',
    );
    await emu.lambda.createFunction({
      functionName: 'fuzz',
      codeDirectory: dir,
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });
  });

  afterAll(async () => {
    await emu?.stop();
    rmSync(root, { recursive: true, force: true });
    const lines = [...stats].map(
      ([protocol, s]) =>
        `${protocol}: ${s.requests} requests (${s.status2xx} 2xx, ${s.status4xx} 4xx, ${s.status501} 501, ` +
        `${s.status5xx} other 5xx${s.clientSide ? `; ${s.clientSide} refused by the SDK before sending` : ''}) ` +
        `using ${(s.ms / 1000).toFixed(1)} s of CPU, the costliest ${s.slowest.toFixed(0)} ms`,
    );
    console.log(`${title}\n${lines.join('\n')}`);
  });

  return {
    emulator: () => emu!,
    known,
    // The time a request costs is this process's CPU time (the emulator runs here): a freeze is CPU-bound and
    // shows in it, while the wall clock also counts the other test files sharing the machine's two cores.
    async timed(send) {
      const started = process.cpuUsage();
      const pump = setInterval(() => clock.advance(21_000), 50);
      try {
        const status = await send();
        const used = process.cpuUsage(started);
        return { status, ms: (used.user + used.system) / 1000 };
      } finally {
        clearInterval(pump);
      }
    },
    record(protocol, status, ms, what) {
      const s = statsFor(protocol);
      s.ms += ms;
      if (status === undefined) {
        s.clientSide++;
        return;
      }
      s.requests++;
      s.slowest = Math.max(s.slowest, ms);
      if (status < 300) s.status2xx++;
      else if (status < 500) s.status4xx++;
      else if (status === 501) s.status501++;
      else s.status5xx++;
      if (status >= 500 && status !== 501) throw new Error(`${what} answered ${status}`);
      if (ms > SLOW_MS) throw new Error(`${what} took ${ms.toFixed(0)} ms`);
    },
    requests: (protocol) => statsFor(protocol).requests,
    // Best of five: on a 2-core machine running other test files, one scheduling hiccup is not the emulator's
    // doing, while an emulator that is frozen or thrashing fails all five.
    async healthWithin100ms() {
      let best = Infinity;
      for (let attempt = 0; attempt < 5 && best >= 100; attempt++) {
        const started = performance.now();
        const response = await fetch(`${emu!.endpoint}/_emulator/health`);
        await response.text();
        expect(response.status).toBe(200);
        best = Math.min(best, performance.now() - started);
      }
      expect(best).toBeLessThan(100);
    },
  };
}

/** Strings that broke, or could break, a validator: each must meet a linear check and a 4xx. */
export const HOSTILE_STRINGS: readonly (() => string)[] = [
  () => `a://${'a'.repeat(160_000)}`,
  () => `1${'0'.repeat(100_000)}1`,
  () => 'x'.repeat(MIB),
  () => `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
  () => `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
  () => `${'('.repeat(10_000)}m1${')'.repeat(10_000)}`,
  () => Array.from({ length: 20_001 }, () => 'm1').join('+'),
  () => `{"numRetries":1000000,"minDelayTarget":0,"maxDelayTarget":0}`,
  () => '%',
  () => '%E0%A4%A',
  () => '\u0000\ud800',
  () => '../../../../etc/passwd',
  () => '-1',
  () => '1e309',
  () => 'NaN',
  () => '99999999999999999999999',
  () => ' ',
  () => '',
];

/** A string member's value: mostly the resources that exist, then random, hostile and JSON text. */
export function stringArbitrary(known: KnownResources): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      // resolved when drawn: the names exist once the emulator has started
      arbitrary: fc
        .constantFrom('queueUrl', 'fifoUrl', 'topicArn', 'fuzz', 'fuzz.fifo')
        .map((name) => (name in known ? known[name as keyof KnownResources] : name)),
    },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((make) => make()) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'ALL',
        'All',
        'true',
        'false',
        '0',
        '1',
        'arn:aws:sqs:us-east-1:000000000000:fuzz',
      ),
    },
  );
}

/**
 * An input for an operation's schema, depth-bounded so generation stays small: `strings` and `numbers` for the
 * leaves (each service's fuzz test aims them at its own resources), random booleans, dates and blobs.
 */
export function schemaArbitrary(
  schema: NormalizedSchema,
  leaves: { readonly strings: fc.Arbitrary<unknown>; readonly numbers: fc.Arbitrary<unknown> },
  depth = 0,
): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant(undefined);
  const inner = (member: NormalizedSchema) => schemaArbitrary(member, leaves, depth + 1);
  if (schema.isStructSchema() || schema.isUnionSchema()) {
    const members: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, member] of schema.structIterator()) members[name] = inner(member);
    return fc.record(members, { requiredKeys: [] });
  }
  if (schema.isListSchema()) return fc.array(inner(schema.getValueSchema()), { maxLength: 12 });
  if (schema.isMapSchema()) {
    return fc.dictionary(fc.string({ maxLength: 12 }), inner(schema.getValueSchema()), { maxKeys: 3 });
  }
  if (schema.isBooleanSchema()) return fc.boolean();
  if (schema.isNumericSchema()) return leaves.numbers;
  if (schema.isTimestampSchema()) return fc.date({ noInvalidDate: true });
  if (schema.isBlobSchema()) return fc.uint8Array({ maxLength: 16 });
  if (schema.isDocumentSchema()) return fc.constant(undefined);
  return leaves.strings;
}

/** A request for any of `operations` of an SDK client package: its name and an input from its schema. */
export function sdkRequests(
  sdkModule: object,
  operations: readonly string[],
  leaves: { readonly strings: fc.Arbitrary<unknown>; readonly numbers: fc.Arbitrary<unknown> },
): fc.Arbitrary<{ readonly name: string; readonly value: unknown }> {
  const exported = sdkModule as Record<string, unknown>;
  return fc.oneof(
    ...operations.map((name) => {
      const schema = exported[`${name}$`] as unknown[];
      const input = typeof schema[4] === 'function' ? (schema[4] as () => unknown)() : schema[4];
      return schemaArbitrary(NormalizedSchema.of(input as never), leaves).map((value) => ({ name, value }));
    }),
  );
}

/** Sends the operation `name` through the SDK client: the HTTP status of its answer (200, or its error's). */
export async function sendSdkRequest(
  client: object,
  sdkModule: object,
  name: string,
  value: unknown,
): Promise<number | undefined> {
  const Command = (sdkModule as Record<string, unknown>)[`${name}Command`] as new (input: unknown) => unknown;
  try {
    await (client as { send(command: unknown): Promise<unknown> }).send(new Command(value));
    return 200;
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
}

/**
 * Checks `property` on at least MIN_RUNS generated requests (so the tally never depends on how busy the machine
 * is), then on more until RUNS_PER_PROTOCOL or the time limit. Fixed seeds: a failure replays.
 */
export async function assertFuzz(property: Parameters<typeof fc.assert>[0], seed: number): Promise<void> {
  await fc.assert(property, { numRuns: MIN_RUNS, seed, endOnFailure: true });
  await fc.assert(property, {
    numRuns: RUNS_PER_PROTOCOL - MIN_RUNS,
    seed: seed + 1,
    interruptAfterTimeLimit: SECONDS_PER_PROTOCOL * 1000,
    endOnFailure: true,
  });
}

/**
 * The SDK-driven fuzz of one protocol: generated requests for `operations` (their inputs from the schemas, leaves
 * from `leaves`) sent through `client` under {@link assertFuzz} with `seed`, each tallied under `protocol`, with a
 * health check every {@link BURST} requests and at the end. The client is destroyed after.
 */
export async function fuzzSdkOperations(
  fuzz: FuzzEmulator,
  target: {
    readonly protocol: string;
    readonly client: { send(command: unknown): Promise<unknown>; destroy(): void };
    readonly sdkModule: object;
    readonly operations: readonly string[];
    readonly leaves: { readonly strings: fc.Arbitrary<unknown>; readonly numbers: fc.Arbitrary<unknown> };
    readonly seed: number;
  },
): Promise<void> {
  const { protocol, client, sdkModule } = target;
  const requests = sdkRequests(sdkModule, target.operations, target.leaves);
  let sent = 0;
  try {
    await assertFuzz(
      fc.asyncProperty(requests, async ({ name, value }) => {
        const { status, ms } = await fuzz.timed(() => sendSdkRequest(client, sdkModule, name, value));
        fuzz.record(protocol, status, ms, `${name} ${JSON.stringify(value)?.slice(0, 300)}`);
        if (++sent % BURST === 0) await fuzz.healthWithin100ms();
      }),
      target.seed,
    );
    await fuzz.healthWithin100ms();
  } finally {
    client.destroy();
  }
}
