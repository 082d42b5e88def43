/** Reading the flattened lists and maps of query-protocol forms (`X.member.1`, `X.entry.1.Name`), for SQS and SNS. */
import type { AwsError } from '../errors';

/** Reads `prefix.1`, `prefix.2`, … until `read` finds nothing; undefined when there is not even a first. */
export function indexed<T>(prefix: string, read: (p: string) => T | undefined): T[] | undefined {
  const out: T[] = [];
  for (let i = 1; i <= 1000; i++) {
    const value = read(`${prefix}.${i}`);
    if (value === undefined) break;
    out.push(value);
  }
  return out.length > 0 ? out : undefined;
}

/**
 * One message attribute at `p` (`p.Name`, `p.Value.DataType`, `p.Value.StringValue`, `p.Value.BinaryValue`) as
 * `[name, value]`, or undefined when there is none. A binary value that is not base64 throws `invalidBinary`'s
 * error: each service words it its own way.
 */
export function queryMessageAttribute(
  params: URLSearchParams,
  p: string,
  invalidBinary: (name: string) => AwsError,
): readonly [string, Record<string, unknown>] | undefined {
  const name = params.get(`${p}.Name`);
  if (name === null) return undefined;
  const value: Record<string, unknown> = {};
  const dataType = params.get(`${p}.Value.DataType`);
  const text = params.get(`${p}.Value.StringValue`);
  const binary = params.get(`${p}.Value.BinaryValue`);
  if (dataType !== null) value.DataType = dataType;
  if (text !== null) value.StringValue = text;
  if (binary !== null) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(binary)) throw invalidBinary(name);
    value.BinaryValue = Buffer.from(binary, 'base64');
  }
  return [name, value] as const;
}
