/**
 * Where Firehose puts an S3 object: the prefix (with AWS's `!{namespace:value}` expressions evaluated, and the
 * default `YYYY/MM/DD/HH/` appended when the prefix does not use the timestamp namespace) and the object name
 * `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<random>`, every time in UTC from the oldest record in the object.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../errors';

/** AWS: a prefix is at most 1024 characters. */
const MAX_EXPRESSIONS = 64;
/** The letters of a Java DateTimeFormatter pattern the emulator evaluates; other text is copied as is. */
const TIME_LETTERS = /^[yMdHms/\-_.=:]+$/;

/** AWS: the error-output type a transform failure writes (`!{firehose:error-output-type}`). */
export const PROCESSING_FAILED = 'processing-failed';

/** Refuses a prefix whose expressions are not ones AWS knows (InvalidArgumentException names the prefix). */
export function checkPrefix(prefix: string, member: 'Prefix' | 'ErrorOutputPrefix'): void {
  for (const expression of expressionsOf(prefix, member)) {
    const [namespace, value] = expression;
    if (namespace === 'timestamp') {
      if (!TIME_LETTERS.test(value)) {
        throw invalidArgument(
          `The ${member} timestamp format '${value}' is not supported by the local emulator (use the letters yyyy MM dd HH mm ss and / - _ . = :).`,
        );
      }
    } else if (namespace === 'firehose') {
      if (value !== 'random-string' && value !== 'error-output-type') {
        throw invalidArgument(`The expression !{firehose:${value}} in ${member} is not valid.`);
      }
      if (value === 'error-output-type' && member === 'Prefix') {
        throw invalidArgument(
          'The expression !{firehose:error-output-type} is only allowed in ErrorOutputPrefix.',
        );
      }
    } else if (namespace === 'partitionKeyFromQuery' || namespace === 'partitionKeyFromLambda') {
      throw invalidArgument('Dynamic partitioning is not supported by the local emulator.');
    } else {
      throw invalidArgument(`The expression namespace '${namespace}' in ${member} is not valid.`);
    }
  }
}

/** Whether a prefix uses `!{...}` expressions (AWS then asks for an ErrorOutputPrefix). */
export function hasExpressions(prefix: string): boolean {
  return prefix.includes('!{');
}

/** The prefix with its expressions evaluated at `atMs`, and AWS's default time prefix when it has no timestamp. */
export function evaluatePrefix(prefix: string, atMs: number, errorOutputType?: string): string {
  let out = '';
  let usesTimestamp = false;
  let at = 0;
  for (;;) {
    const start = prefix.indexOf('!{', at);
    if (start < 0) break;
    const end = prefix.indexOf('}', start);
    if (end < 0) break;
    out += prefix.slice(at, start);
    const body = prefix.slice(start + 2, end);
    const colon = body.indexOf(':');
    const namespace = body.slice(0, colon);
    const value = body.slice(colon + 1);
    if (namespace === 'timestamp') {
      usesTimestamp = true;
      out += formatTime(value, atMs);
    } else if (value === 'random-string') {
      out += randomBytes(8).toString('base64url').slice(0, 11);
    } else if (value === 'error-output-type') {
      out += errorOutputType ?? '';
    }
    at = end + 1;
  }
  out += prefix.slice(at);
  // AWS: a prefix without the timestamp namespace gets !{timestamp:yyyy/MM/dd/HH/} appended
  return usesTimestamp ? out : `${out}${formatTime('yyyy/MM/dd/HH/', atMs)}`;
}

/** AWS: `<DeliveryStreamName>-<DeliveryStreamVersion>-<YYYY-MM-DD-HH-MM-SS>-<RandomString>`. */
export function objectName(streamName: string, version: number, atMs: number): string {
  return `${streamName}-${version}-${formatTime('yyyy-MM-dd-HH-mm-ss', atMs)}-${randomUUID()}`;
}

/** A Java DateTimeFormatter pattern of the letters checkPrefix allows, in UTC. */
function formatTime(pattern: string, atMs: number): string {
  const date = new Date(atMs);
  const fields: Record<string, string> = {
    yyyy: String(date.getUTCFullYear()).padStart(4, '0'),
    MM: pad(date.getUTCMonth() + 1),
    dd: pad(date.getUTCDate()),
    HH: pad(date.getUTCHours()),
    mm: pad(date.getUTCMinutes()),
    ss: pad(date.getUTCSeconds()),
  };
  let out = '';
  for (let i = 0; i < pattern.length;) {
    const letter = pattern[i];
    let run = 1;
    while (pattern[i + run] === letter) run++;
    const token = letter.repeat(run);
    out += /[a-zA-Z]/.test(letter) ? (fields[token] ?? token) : token;
    i += run;
  }
  return out;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** The `[namespace, value]` of each `!{namespace:value}` in a prefix; an unclosed or empty one is refused. */
function expressionsOf(prefix: string, member: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  let at = 0;
  for (;;) {
    const start = prefix.indexOf('!{', at);
    if (start < 0) return found;
    const end = prefix.indexOf('}', start);
    const colon = end < 0 ? -1 : prefix.indexOf(':', start);
    if (end < 0 || colon < 0 || colon > end || found.length >= MAX_EXPRESSIONS) {
      throw invalidArgument(
        `The ${member} '${prefix}' has an expression that is not of the form !{namespace:value}.`,
      );
    }
    found.push([prefix.slice(start + 2, colon), prefix.slice(colon + 1, end)]);
    at = end + 1;
  }
}

export function invalidArgument(message: string): AwsError {
  return new AwsError('InvalidArgumentException', message);
}
