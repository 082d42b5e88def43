import type { Logger } from '@aws-lambda-powertools/logger';
import { InvalidQuoteError, type Quote, type QuoteType, validateQuote } from '../shared/quote';
import { inBatches } from '../shared/upload';

/** One entry of a PublishBatch call: the quote as JSON, its type as the String message attribute `type`. */
export interface QuoteMessage {
  readonly id: string;
  readonly message: string;
  readonly attributes: { readonly type: QuoteType };
}

/** What SNS answered for one batch: the entries it took, with their message ids, and the ones it refused. */
export interface BatchOutcome {
  readonly published: ReadonlyArray<{ id: string; messageId: string }>;
  readonly failed: ReadonlyArray<{ id: string; reason: string }>;
}

/** What the producer needs from the outside world; index.ts (and the workshop command) give it SNS. */
export interface QuoteProducerPorts {
  /** Publishes up to 10 messages at once. */
  publishBatch(messages: readonly QuoteMessage[]): Promise<BatchOutcome>;
}

/** The event the producer is invoked with, e.g. `{"quotes": [{"quoteId": "q-1", "type": "car", ...}]}`. */
export interface QuoteRequest {
  readonly quotes: readonly unknown[];
}

/** One published quote, as the invocation returns it. */
export interface PublishedQuote {
  readonly quoteId: string;
  readonly type: QuoteType;
  readonly messageId: string;
}

/** AWS: PublishBatch takes at most 10 entries. */
export const SNS_BATCH_LIMIT = 10;
/** Most quotes one request may carry (10 PublishBatch calls). */
export const MAX_QUOTES_PER_REQUEST = 100;

/** Thrown when SNS refused some quotes: the invocation fails, with the refused quote ids and reasons. */
export class PublishFailedError extends Error {
  constructor(readonly failures: ReadonlyArray<{ quoteId: string; reason: string }>) {
    super(
      `SNS refused ${failures.length} quote(s): ${failures.map((f) => `${f.quoteId} (${f.reason})`).join(', ')}`,
    );
    this.name = 'PublishFailedError';
  }
}

/**
 * Validates every quote of a request before anything is published, reporting all problems at once
 * (`quotes[2]: type must be one of car, boat, life, ...`), so a bad request publishes nothing.
 */
export function quotesInRequest(event: unknown): Quote[] {
  const quotes = (event as Partial<QuoteRequest> | null)?.quotes;
  if (!Array.isArray(quotes) || quotes.length === 0 || quotes.length > MAX_QUOTES_PER_REQUEST) {
    throw new InvalidQuoteError([
      `the request must be {"quotes": [...]} with 1 to ${MAX_QUOTES_PER_REQUEST} quotes, but it is ${JSON.stringify(event)?.slice(0, 60)}`,
    ]);
  }
  const problems: string[] = [];
  const valid: Quote[] = [];
  quotes.forEach((value, i) => {
    try {
      valid.push(validateQuote(value));
    } catch (error) {
      if (!(error instanceof InvalidQuoteError)) throw error;
      problems.push(...error.problems.map((p) => `quotes[${i}]: ${p}`));
    }
  });
  const ids = valid.map((q) => q.quoteId);
  const repeated = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (repeated.length > 0)
    problems.push(`quoteId must be unique in a request, but ${repeated.join(', ')} repeat`);
  if (problems.length > 0) throw new InvalidQuoteError(problems);
  return valid;
}

/** Publishes quotes in batches of 10, each with its `type` attribute; throws if SNS refused any. */
export async function publishQuotes(
  quotes: readonly Quote[],
  ports: QuoteProducerPorts,
): Promise<PublishedQuote[]> {
  const published: PublishedQuote[] = [];
  const failures: Array<{ quoteId: string; reason: string }> = [];
  for (const batch of inBatches(quotes, SNS_BATCH_LIMIT)) {
    const messages = batch.map((quote, i) => ({
      id: String(i),
      message: JSON.stringify(quote),
      attributes: { type: quote.type },
    }));
    const outcome = await ports.publishBatch(messages);
    for (const { id, messageId } of outcome.published) {
      const quote = batch[Number(id)];
      published.push({ quoteId: quote.quoteId, type: quote.type, messageId });
    }
    for (const { id, reason } of outcome.failed)
      failures.push({ quoteId: batch[Number(id)].quoteId, reason });
  }
  if (failures.length > 0) throw new PublishFailedError(failures);
  return published;
}

/** Builds the producer handler: a request of quotes becomes one SNS message per quote. */
export function createQuoteProducerHandler(ports: QuoteProducerPorts, logger: Logger) {
  return async (event: unknown): Promise<{ published: PublishedQuote[] }> => {
    const quotes = quotesInRequest(event);
    const published = await publishQuotes(quotes, ports);
    logger.info('quotes published', { count: published.length, quoteIds: published.map((p) => p.quoteId) });
    return { published };
  };
}
