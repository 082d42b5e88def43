import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidQuoteError, parseQuote } from '../shared/quote';
import { type Offer, priceVehicleQuote } from '../quote-consumer/quote-consumer';
import {
  type ReplyAddress,
  replyAddressOfRecord,
  type ReplyOutcome,
  UnanswerableRequestError,
} from '../shared/temporary-queues/responder';

/** The reply to a quote request: the fan-out chapter's offer, or why the quote cannot be priced. */
export type QuoteAnswer =
  | { readonly quoteId: string; readonly offer: Offer }
  | { readonly quoteId: string | undefined; readonly refused: readonly string[] };

/** What the responder needs from the outside world; index.ts gives it SQS. */
export interface QuoteResponderPorts {
  /** Sends the reply to the request's reply-to address. */
  reply(address: ReplyAddress, body: string): Promise<ReplyOutcome>;
}

/** Prices a quote as vehicle sales does; a quote it cannot price is answered with the problems, not retried. */
export function answerQuote(body: string): QuoteAnswer {
  try {
    const quote = parseQuote(body);
    return { quoteId: quote.quoteId, offer: priceVehicleQuote(quote, undefined) };
  } catch (error) {
    if (!(error instanceof InvalidQuoteError)) throw error;
    return { quoteId: quoteIdOf(body), refused: error.problems };
  }
}

function quoteIdOf(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { quoteId?: unknown }).quoteId;
    return typeof id === 'string' ? id.slice(0, 128) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the handler of the request queue: each record is a quote request with a reply-to address; the answer
 * goes to that address. A request without a usable address is logged and dropped (nobody could get the answer);
 * a failure to send is reported in batchItemFailures, so that request alone is retried, then dead-lettered.
 */
export function createQuoteResponderHandler(ports: QuoteResponderPorts, logger: Logger) {
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    let address: ReplyAddress;
    try {
      address = replyAddressOfRecord(record);
    } catch (error) {
      if (!(error instanceof UnanswerableRequestError)) throw error;
      logger.warn('request without a reply address dropped', {
        messageId: record.messageId,
        reason: error.message,
      });
      return;
    }
    const answer = answerQuote(record.body);
    try {
      const outcome = await ports.reply(address, JSON.stringify(answer));
      logger.info(outcome === 'sent' ? 'quote answered' : 'requester gone, answer dropped', {
        messageId: record.messageId,
        correlationId: address.correlationId,
        quoteId: answer.quoteId,
      });
    } catch (error) {
      if (error instanceof UnanswerableRequestError) {
        logger.warn('reply address refused, request dropped', {
          messageId: record.messageId,
          reason: error.message,
        });
        return;
      }
      logger.error('reply failed', { messageId: record.messageId, error: error as Error });
      throw error;
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { context });
}
