/**
 * `decoupled publish-quotes`: the workshop's quote producer on the command line. It publishes the quotes of a
 * file to the quote topic exactly as the producer Lambda does (same validation, same `type` attribute), on AWS
 * or, with --endpoint-url, on the local emulator.
 */
import { lastValue, readFlags } from '../command-line';
import { outputOf, runWorkshopCommand, workshopClient, WorkshopUsageError } from './command';
import type { WorkshopOptions } from './command';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  type PublishedQuote,
  publishQuotes,
  quotesInRequest,
} from '../../lambda/quote-producer/quote-producer';
import { snsQuotePublisher } from '../../lambda/quote-producer/sns-publisher';
import { InvalidQuoteError } from '../../lambda/shared/quote';

export const PUBLISH_QUOTES_USAGE = `usage: decoupled publish-quotes (--topic-arn ARN | --outputs-file F) [--file F] [--endpoint-url URL]

  --topic-arn ARN      the quote topic (the FanOut stack's output QuoteTopicArn)
  --outputs-file F     or read QuoteTopicArn from a 'cdk deploy --outputs-file' / 'npm start -- --outputs-file' file
  --file F             {"quotes": [...]} or a JSON array of quotes (default: docs/workshop/samples/quotes.json)
  --endpoint-url URL   an SNS endpoint such as http://127.0.0.1:4566 (default: AWS, or AWS_ENDPOINT_URL)`;

/** The sample quotes of the workshop chapter. */
export const SAMPLE_QUOTES_FILE = path.join(
  __dirname,
  '..',
  '..',
  'docs',
  'workshop',
  'samples',
  'quotes.json',
);

/** The output of the FanOut stack that names the quote topic. */
export const QUOTE_TOPIC_OUTPUT = 'QuoteTopicArn';

export interface PublishQuotesOptions extends WorkshopOptions {
  readonly topicArn?: string;
  readonly outputsFile?: string;
  readonly file: string;
}

/** A command line we cannot run: printed with the usage, exit code 2. */
export class PublishQuotesUsageError extends WorkshopUsageError {}

export function parsePublishQuotesArgs(args: readonly string[]): PublishQuotesOptions {
  const reading = readFlags(args, ['topic-arn', 'outputs-file', 'file', 'endpoint-url']);
  if (reading.problems.length > 0) throw new PublishQuotesUsageError(reading.problems.join('; '));
  const options: PublishQuotesOptions = {
    topicArn: lastValue(reading, 'topic-arn'),
    outputsFile: lastValue(reading, 'outputs-file'),
    file: lastValue(reading, 'file') ?? SAMPLE_QUOTES_FILE,
    endpointUrl: lastValue(reading, 'endpoint-url'),
  };
  if ((options.topicArn === undefined) === (options.outputsFile === undefined)) {
    throw new PublishQuotesUsageError('give either --topic-arn or --outputs-file');
  }
  return options;
}

/** Finds the quote topic in an outputs file (`{"<stack name>": {"QuoteTopicArn": "...", ...}, ...}`). */
export function topicArnFromOutputs(outputs: unknown, file = 'the outputs file'): string {
  return outputOf(outputs, QUOTE_TOPIC_OUTPUT, file, { stack: 'FanOut', flag: '--topic-arn' });
}

/** Reads, validates (every problem at once) and publishes the quotes of the file; prints one line each. */
export async function publishQuotesFromFile(
  options: PublishQuotesOptions,
  sns: SNSClient,
  print: (line: string) => void = console.log,
): Promise<PublishedQuote[]> {
  const topicArn =
    options.topicArn ??
    topicArnFromOutputs(JSON.parse(readFileSync(options.outputsFile as string, 'utf8')), options.outputsFile);
  const content: unknown = JSON.parse(readFileSync(options.file, 'utf8'));
  const quotes = quotesInRequest(Array.isArray(content) ? { quotes: content } : content);
  const published = await publishQuotes(quotes, snsQuotePublisher(sns, topicArn));
  for (const p of published) print(`published ${p.quoteId} (type=${p.type}) as message ${p.messageId}`);
  print(`${published.length} quote(s) published to ${topicArn}`);
  return published;
}

/** The SNS client: AWS's default configuration, or the given endpoint (any credentials do for the emulator). */
export function snsClientFor(endpointUrl: string | undefined, env = process.env): SNSClient {
  return workshopClient(SNSClient, endpointUrl, env);
}

/** Runs the command: exit code 2 for a bad command line, 1 for invalid quotes or a failed publish. */
export function runPublishQuotesCli(args: string[]): Promise<void> {
  return runWorkshopCommand(
    {
      name: 'publish-quotes',
      usage: PUBLISH_QUOTES_USAGE,
      parse: parsePublishQuotesArgs,
      Client: SNSClient,
      run: publishQuotesFromFile,
      describe: (error) =>
        error instanceof InvalidQuoteError
          ? `nothing published, the quotes are invalid:${error.problems.map((p) => `\n  - ${p}`).join('')}`
          : (error as Error).message,
    },
    args,
  );
}
