/**
 * `decoupled request-quote [-n N]`: request-response over temporary queues (docs/workshop/06-request-response.md).
 * Starts requesters (one host queue each), sends N quote requests to the request-response stack's request queue at
 * once, and prints each answer with its latency, then p50/p99. Against the emulator the requesters keep the
 * emulator's time (its --clock), so heartbeats and timeouts follow `clock advance`.
 */
import { emulatorWorkerClock } from '../../lambda/shared/emulator-clock';
import type { WorkerClock } from '../../lambda/shared/queue-worker';
import { QUOTE_TYPES, type Quote, type QuoteType } from '../../lambda/shared/quote';
import { parseDuration } from '../emulator/control/duration';
import {
  flagValue,
  type CommandOutput,
  type ProjectCommand,
  ProjectUsageError,
  wholeNumberFlag,
} from './project-command';
import type { Project } from './project';

/** The stack's outputs the command reads (lib/stacks/request-response-stack.ts). */
const OUTPUTS = {
  requestQueue: 'RequestQueueUrl',
  hostQueueNamePrefix: 'HostQueueNamePrefix',
  hostQueueTag: 'HostQueueTag',
} as const;

const LIMITS = {
  count: { min: 1, max: 1_000, default: 10 },
  requesters: { min: 1, max: 10, default: 1 },
  /** Milliseconds. */
  timeout: { min: 1, max: 15 * 60 * 1000, default: 10_000 },
} as const;

export interface RequestQuoteOptions {
  readonly count: number;
  readonly requesters: number;
  readonly timeoutMs: number;
  /** Every quote of this type; @default car and boat in turn */
  readonly type?: QuoteType;
}

/** One request's outcome. */
export interface QuoteResult {
  readonly quoteId: string;
  readonly latencyMs: number;
  /** The responder's answer (JSON text), or the error's code and message. */
  readonly answer?: string;
  readonly error?: string;
}

export interface RequestQuoteSummary {
  readonly results: readonly QuoteResult[];
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The i-th quote of a run: ids rq-0001…, coverage growing by 1,000 EUR. */
export function sampleQuote(i: number, type?: QuoteType): Quote {
  const vehicle: QuoteType = type ?? (i % 2 === 0 ? 'car' : 'boat');
  return {
    quoteId: `rq-${String(i + 1).padStart(4, '0')}`,
    type: vehicle,
    customer: { id: `customer-${(i % 7) + 1}`, country: 'PT' },
    coverage: { amount: 10_000 + i * 1_000, currency: 'EUR' },
  };
}

function outputOf(project: Project, key: string): string {
  const values = project.outputs?.valuesOf(key) ?? [];
  if (values.length === 1) return values[0];
  const file = project.outputs?.file;
  throw new Error(
    values.length === 0
      ? `${file ?? 'no outputs file'}: no ${key} output; deploy the request-response stack (npm start -- --outputs-file outputs.json, or cdk deploy --outputs-file outputs.json) and give --outputs-file`
      : `${file}: ${values.length} ${key} outputs (several stages?): keep one stage per outputs file`,
  );
}

/** Runs the requesters and prints each answer as it comes, then the latency summary. */
export async function requestQuotes(
  project: Project,
  options: RequestQuoteOptions,
  out: CommandOutput,
  signal: AbortSignal,
): Promise<RequestQuoteSummary> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const { TemporaryQueueRequester } = await import('../../lambda/shared/temporary-queues/requester');
  const { sweepIdleHostQueues } = await import('../../lambda/shared/temporary-queues/idle-queue-sweeper');
  const requestQueueUrl = outputOf(project, OUTPUTS.requestQueue);
  const hostQueueNamePrefix = outputOf(project, OUTPUTS.hostQueueNamePrefix);
  const tag = outputOf(project, OUTPUTS.hostQueueTag);
  const equals = tag.indexOf('=');
  const tags = equals > 0 ? { [tag.slice(0, equals)]: tag.slice(equals + 1) } : {};
  const sqs = project.client(SQSClient);
  // against the emulator, its clock: heartbeats and timeouts follow --clock manual and fast:N as its queues do
  const emulator = await project.emulator();
  const clock: WorkerClock | undefined =
    emulator !== undefined && project.endpoint !== undefined
      ? await emulatorWorkerClock(`${project.endpoint.replace(/\/+$/, '')}/_emulator/clock`)
      : undefined;

  // like the Java client's sweeper: each requester clears the host queues its dead predecessors left
  const swept = await sweepIdleHostQueues({ sqs, hostQueueNamePrefix, now: clock?.now() });
  if (swept.deleted.length > 0)
    out.print(`swept ${swept.deleted.length} idle host queue(s) of requesters that died`);

  const requesters = await Promise.all(
    Array.from({ length: options.requesters }, () =>
      TemporaryQueueRequester.start({ sqs, hostQueueNamePrefix, tags, clock }),
    ),
  );
  const onAbort = () => void Promise.all(requesters.map((r) => r.close())).catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    requesters.forEach((r, i) => out.print(`requester ${i + 1}: host queue ${r.hostQueueUrl}`));
    out.print(`sending ${options.count} quote request(s) to ${requestQueueUrl}`);
    const results = await Promise.all(
      Array.from({ length: options.count }, async (_, i): Promise<QuoteResult> => {
        const quote = sampleQuote(i, options.type);
        const started = performance.now();
        try {
          const reply = await requesters[i % requesters.length].request(
            requestQueueUrl,
            JSON.stringify(quote),
            {
              timeoutMs: options.timeoutMs,
              correlationId: quote.quoteId,
            },
          );
          const result = {
            quoteId: quote.quoteId,
            latencyMs: performance.now() - started,
            answer: reply.body,
          };
          out.print(`${quote.quoteId}  ${describeAnswer(reply.body)}  ${result.latencyMs.toFixed(1)} ms`);
          return result;
        } catch (error) {
          const e = error as Error & { code?: string };
          const result = { quoteId: quote.quoteId, latencyMs: performance.now() - started, error: e.message };
          out.print(`${quote.quoteId}  ${e.message}`);
          return result;
        }
      }),
    );
    const answered = results.filter((r) => r.answer !== undefined);
    const latencies = answered.map((r) => r.latencyMs).sort((a, b) => a - b);
    const summary = { results, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    out.print(
      `${answered.length} of ${results.length} answered: p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms`,
    );
    const failed = results.length - answered.length;
    if (failed > 0) throw new Error(`${failed} of ${results.length} request(s) got no answer`);
    return summary;
  } finally {
    signal.removeEventListener('abort', onAbort);
    await Promise.all(requesters.map((r) => r.close()));
  }
}

/** `premium 350.00 EUR (car)`, or why the quote was refused. */
function describeAnswer(body: string): string {
  try {
    const answer = JSON.parse(body) as {
      offer?: { premium: number; currency: string; type: string };
      refused?: string[];
    };
    if (answer.offer) {
      return `premium ${answer.offer.premium.toFixed(2)} ${answer.offer.currency} (${answer.offer.type})`;
    }
    if (answer.refused) return `refused: ${answer.refused.join('; ')}`;
  } catch {
    // not the responder's JSON: shown as it came
  }
  return body.length > 80 ? `${body.slice(0, 77)}...` : body;
}

export const REQUEST_QUOTE: ProjectCommand = {
  name: 'request-quote',
  synopsis: 'request-quote [-n N] [--requesters R] [--timeout DURATION] [--type car|boat|life]',
  details: `Request-response over temporary queues (chapter 6): starts R requesters, each with its own host queue
(tagged, heartbeating; idle ones of dead requesters are swept first), sends N quote requests to the
request-response stack's RequestQueueUrl at once, each with the address of a virtual queue to reply to, and
prints every answer with its latency, then p50 and p99. Exit code 1 when a request got no answer in time.

  -n N                   how many requests (${LIMITS.count.min}-${LIMITS.count.max}, default ${LIMITS.count.default})
  --requesters R         how many requesters share them (${LIMITS.requesters.min}-${LIMITS.requesters.max}, default ${LIMITS.requesters.default})
  --timeout DURATION     how long each request waits for its answer (e.g. 500ms, 10s, 2m; default 10s):
                         then it fails with RequestTimeout and a later answer is dropped
  --type T               every quote of this type (default: car and boat in turn; life is refused)`,
  flags: {
    n: { takesValue: true, short: 'n' },
    requesters: { takesValue: true },
    timeout: { takesValue: true },
    type: { takesValue: true },
  },
  positionals: [0, 0],
  cancellable: true,
  parse(line) {
    const count = wholeNumberFlag(line, 'n', '-n', LIMITS.count.default, LIMITS.count.min, LIMITS.count.max);
    const requesters = wholeNumberFlag(
      line,
      'requesters',
      '--requesters',
      LIMITS.requesters.default,
      LIMITS.requesters.min,
      LIMITS.requesters.max,
    );
    const timeoutText = flagValue(line, 'timeout');
    let timeoutMs: number = LIMITS.timeout.default;
    if (timeoutText !== undefined) {
      const parsed = parseDuration(timeoutText);
      if (typeof parsed !== 'number' || parsed < LIMITS.timeout.min || parsed > LIMITS.timeout.max) {
        throw new ProjectUsageError(
          `--timeout must be a duration from 1ms to 15m (e.g. 10s), not '${timeoutText}'`,
        );
      }
      timeoutMs = parsed;
    }
    const type = flagValue(line, 'type');
    if (type !== undefined && !(QUOTE_TYPES as readonly string[]).includes(type)) {
      throw new ProjectUsageError(`--type must be one of ${QUOTE_TYPES.join(', ')}, not '${type}'`);
    }
    return async (project, out, signal) => {
      await requestQuotes(
        project,
        { count, requesters, timeoutMs, type: type as QuoteType | undefined },
        out,
        signal,
      );
    };
  },
};
