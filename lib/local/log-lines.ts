/**
 * What functions and instances print, as `npm start` shows it: a structured JSON log line (Powertools Logger,
 * Lambda's JSON log format) becomes `LEVEL message key=value…` with a few fields; any other line stays as it is.
 */

/** Longer lines are shown as they are, unparsed: the log must keep up with any output. */
const MAX_PARSED_LENGTH = 16 * 1024;
/** Fields every structured line carries, which say nothing about this line. */
const STANDARD_FIELDS = new Set([
  'level',
  'message',
  'msg',
  'timestamp',
  'time',
  'service',
  'sampling_rate',
  'xray_trace_id',
  'function_name',
  'function_arn',
  'function_memory_size',
  'function_request_id',
  'requestId',
  'cold_start',
]);
/** Fields worth reading first when a line carries them. */
const KEY_FIELDS = ['orderId', 'jobId', 'quoteId', 'error', 'errorMessage', 'reason', 'problems'];
const MAX_FIELDS = 5;
const MAX_VALUE_LENGTH = 60;

export interface StructuredLine {
  /** `INFO`, `WARN`, `ERROR`… (upper case). */
  readonly level: string;
  readonly message: string;
  /** `key=value …`, the key fields first; empty when there are none. */
  readonly fields: string;
  /** The `service` field (Powertools' serviceName), if any. */
  readonly service?: string;
  /** The request id the line names itself (`function_request_id`, or `requestId` in Lambda's JSON format). */
  readonly requestId?: string;
}

/**
 * The line read as a structured log line, or undefined when it is not one. `rename` may give string values a
 * shorter name (a queue URL or bucket name → the template's logical id).
 */
export function parseStructuredLine(
  line: string,
  rename: (value: string) => string = (value) => value,
): StructuredLine | undefined {
  if (line.length > MAX_PARSED_LENGTH || !line.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  const message = record.message ?? record.msg;
  if (typeof record.level !== 'string' || message === undefined) return undefined;
  const text = typeof message === 'string' ? message : compact(message);
  const keys = Object.keys(record).filter(
    (key) => !STANDARD_FIELDS.has(key) && !(key === 'type' && record.type === text),
  );
  const ordered = [
    ...KEY_FIELDS.filter((key) => keys.includes(key)),
    ...keys.filter((k) => !KEY_FIELDS.includes(k)),
  ];
  const shown = ordered.slice(0, MAX_FIELDS).map((key) => {
    const value = record[key];
    return `${key}=${compact(typeof value === 'string' ? rename(value) : value)}`;
  });
  if (ordered.length > MAX_FIELDS) shown.push('…');
  const requestId = record.function_request_id ?? record.requestId;
  return {
    level: record.level.toUpperCase(),
    message: oneLine(text),
    fields: shown.join(' '),
    ...(typeof record.service === 'string' ? { service: record.service } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}

/** `LEVEL message key=value…` for a structured line; the line itself (on one line) otherwise. */
export function readableLine(
  line: string,
  rename?: (value: string) => string,
): { readonly text: string; readonly parsed?: StructuredLine } {
  const parsed = parseStructuredLine(line, rename);
  if (parsed === undefined) return { text: oneLine(line) };
  return {
    text: `${parsed.level.padEnd(5)} ${parsed.message}${parsed.fields ? `  ${parsed.fields}` : ''}`,
    parsed,
  };
}

/** Levels whose lines are always shown one by one, never summarized. */
export function isProblemLevel(level: string): boolean {
  return (
    level === 'WARN' || level === 'WARNING' || level === 'ERROR' || level === 'CRITICAL' || level === 'FATAL'
  );
}

/** A field's value, short: an error as `Name: message`, a list or an object as compact JSON, cut at 60. */
function compact(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'message' in value) {
    const error = value as { name?: unknown; message?: unknown };
    text = typeof error.name === 'string' ? `${error.name}: ${String(error.message)}` : String(error.message);
  } else text = JSON.stringify(value) ?? String(value);
  text = oneLine(text);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** Control characters (a stack trace's newlines, escape sequences) become spaces: one event, one line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
