import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { InvalidQuoteError, parseQuote, type Quote } from '../shared/quote';
import { deliveredMessage } from '../shared/sns-notification';

/** The quote types vehicle sales prices, with the yearly premium as a share of the coverage, in basis points. */
export const VEHICLE_RATES = { car: 350, boat: 200 } as const;
export type VehicleType = keyof typeof VEHICLE_RATES;

/** What vehicle sales offers for a quote: a pure function of the quote, so a redelivery offers the same. */
export interface Offer {
  readonly quoteId: string;
  readonly type: VehicleType;
  readonly customerId: string;
  /** Yearly premium, in the coverage's currency, rounded to the cent. */
  readonly premium: number;
  readonly currency: string;
}

/** What the consumer needs from the outside world; index.ts gives it the offers queue. */
export interface QuoteConsumerPorts {
  /** Sends one offer on to the offers queue. */
  sendOffer(offer: Offer): Promise<void>;
}

/**
 * Prices a vehicle quote. A life quote, or one whose `type` attribute disagrees with its body, means the
 * subscription's filter let through what it should not: it is refused, not priced.
 */
export function priceVehicleQuote(quote: Quote, typeAttribute: string | undefined): Offer {
  const problems: string[] = [];
  if (!Object.hasOwn(VEHICLE_RATES, quote.type)) {
    problems.push(`vehicle sales prices car and boat quotes, but ${quote.quoteId} is a ${quote.type} quote`);
  }
  if (typeAttribute !== undefined && typeAttribute !== quote.type) {
    problems.push(`the type attribute is "${typeAttribute}" but the quote says "${quote.type}"`);
  }
  if (problems.length > 0) throw new InvalidQuoteError(problems);
  const type = quote.type as VehicleType;
  // In whole cents: amount × basis points / 10,000 × 100.
  const cents = Math.round((quote.coverage.amount * VEHICLE_RATES[type]) / 100);
  return {
    quoteId: quote.quoteId,
    type,
    customerId: quote.customer.id,
    premium: cents / 100,
    currency: quote.coverage.currency,
  };
}

/**
 * Builds the handler of the vehicle-sales queue: each record is a quote SNS delivered (enveloped or raw),
 * priced and sent on as an offer. A record that fails is reported alone in batchItemFailures, so only it is
 * retried (and, after the queue's maxReceiveCount, dead-lettered) while the rest of the batch is deleted.
 */
export function createQuoteConsumerHandler(ports: QuoteConsumerPorts, logger: Logger) {
  const processor = new BatchProcessor(EventType.SQS);

  const processRecord = async (record: SQSRecord): Promise<void> => {
    try {
      const delivered = deliveredMessage(record);
      const offer = priceVehicleQuote(parseQuote(delivered.message), delivered.attributes.type);
      await ports.sendOffer(offer);
      logger.info('quote offered', { messageId: record.messageId, ...offer });
    } catch (error) {
      const receiveCount = Number(record.attributes.ApproximateReceiveCount);
      if (error instanceof InvalidQuoteError) {
        logger.warn('invalid quote', { messageId: record.messageId, receiveCount, problems: error.problems });
      } else {
        logger.error('quote failed', { messageId: record.messageId, receiveCount, error: error as Error });
      }
      throw error;
    }
  };

  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
    processPartialResponse(event, processRecord, processor, { context });
}
