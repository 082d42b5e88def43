/**
 * CBOR (RFC 8949) as AWS's `application/x-amz-cbor-1.1` uses it: the AWS SDK for Java (v1 and v2, and the KCL on
 * top) sends Kinesis calls as the CBOR of the AWS JSON 1.1 shape, blobs as byte strings and timestamps as tag 1
 * around epoch **milliseconds** (the Java SDK's `SdkCborGenerator`, not RFC 8949's seconds), and reads the answer
 * and errors (`__type`, `message`) in the same form. Decoding is bounded: depth, and no length larger than the
 * bytes left, so a hostile header cannot make it allocate or loop; malformed input is a SerializationException.
 */
import { AwsError } from '../../errors';

export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

/** Deeper than any AWS shape nests (as MAX_JSON_DEPTH for JSON). */
const MAX_DEPTH = 64;

/** Tag 1: an epoch time; the Java SDK writes milliseconds in it. */
const TAG_EPOCH = 1;

const BREAK = Symbol('break');

function malformed(detail: string): AwsError {
  return new AwsError('SerializationException', `The request body is not valid CBOR: ${detail}.`);
}

/** The value a CBOR body holds: maps as null-prototype objects, byte strings as Buffers, tag 1 as a Date. */
export function decodeCbor(bytes: Buffer): unknown {
  const reader = new CborReader(bytes);
  const value = reader.item(0);
  if (value === BREAK) throw malformed('unexpected break');
  if (reader.offset !== bytes.length) throw malformed('trailing bytes after the first item');
  return value;
}

class CborReader {
  offset = 0;

  constructor(private readonly bytes: Buffer) {}

  private need(count: number): void {
    if (count > this.bytes.length - this.offset) throw malformed('truncated item');
  }

  /** The argument of a head (RFC 8949 §3): the value, or -1 for an indefinite length (info 31). */
  private argument(info: number): number {
    if (info < 24) return info;
    const b = this.bytes;
    switch (info) {
      case 24:
        this.need(1);
        return b[this.offset++];
      case 25:
        this.need(2);
        this.offset += 2;
        return b.readUInt16BE(this.offset - 2);
      case 26:
        this.need(4);
        this.offset += 4;
        return b.readUInt32BE(this.offset - 4);
      case 27: {
        this.need(8);
        this.offset += 8;
        // beyond 2^53 a number loses precision; no AWS member needs it, and lengths that large fail `need`
        return Number(b.readBigUInt64BE(this.offset - 8));
      }
      case 31:
        return -1;
      default:
        throw malformed(`reserved additional information ${info}`);
    }
  }

  /** A length of `count` items each taking at least one byte: never more than the bytes left. */
  private length(count: number): number {
    this.need(count);
    return count;
  }

  item(depth: number): unknown {
    if (depth > MAX_DEPTH) throw malformed(`nested more than ${MAX_DEPTH} levels deep`);
    this.need(1);
    const head = this.bytes[this.offset++];
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) return this.simple(info);
    const arg = this.argument(info);
    switch (major) {
      case 0:
        return arg;
      case 1:
        if (arg < 0) throw malformed('indefinite length on an integer');
        return -1 - arg;
      case 2:
      case 3: {
        const data = arg < 0 ? this.chunks(major) : this.take(arg);
        return major === 2 ? data : data.toString('utf8');
      }
      case 4: {
        const out: unknown[] = [];
        if (arg < 0) {
          for (let v = this.item(depth + 1); v !== BREAK; v = this.item(depth + 1)) out.push(v);
        } else {
          for (let i = this.length(arg); i > 0; i--) out.push(this.value(depth + 1));
        }
        return out;
      }
      case 5: {
        // null prototype: a `__proto__` key is data, not the object's prototype
        const out = Object.create(null) as Record<string, unknown>;
        if (arg < 0) {
          for (let k = this.item(depth + 1); k !== BREAK; k = this.item(depth + 1)) {
            out[this.keyOf(k)] = this.value(depth + 1);
          }
        } else {
          for (let i = this.length(arg * 2) / 2; i > 0; i--)
            out[this.keyOf(this.value(depth + 1))] = this.value(depth + 1);
        }
        return out;
      }
      default: {
        if (arg < 0) throw malformed('indefinite length on a tag');
        const inner = this.value(depth + 1);
        if (arg !== TAG_EPOCH) return inner;
        if (typeof inner !== 'number' || !Number.isFinite(inner))
          throw malformed('tag 1 around a non-number');
        return new Date(inner);
      }
    }
  }

  /** An item where a break is not allowed. */
  private value(depth: number): unknown {
    const v = this.item(depth);
    if (v === BREAK) throw malformed('unexpected break');
    return v;
  }

  private keyOf(key: unknown): string {
    if (typeof key !== 'string') throw malformed('a map key that is not a text string');
    return key;
  }

  private take(count: number): Buffer {
    this.need(count);
    this.offset += count;
    return this.bytes.subarray(this.offset - count, this.offset);
  }

  /** An indefinite-length string: definite chunks of the same major type up to a break. */
  private chunks(major: number): Buffer {
    const parts: Buffer[] = [];
    for (;;) {
      this.need(1);
      const head = this.bytes[this.offset++];
      if (head === 0xff) return Buffer.concat(parts);
      if (head >> 5 !== major || (head & 0x1f) === 31) throw malformed('a bad chunk in an indefinite string');
      parts.push(this.take(this.argument(head & 0x1f)));
    }
  }

  private simple(info: number): unknown {
    const b = this.bytes;
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
      case 23:
        return null;
      case 25:
        this.need(2);
        this.offset += 2;
        return halfFloat(b.readUInt16BE(this.offset - 2));
      case 26:
        this.need(4);
        this.offset += 4;
        return b.readFloatBE(this.offset - 4);
      case 27:
        this.need(8);
        this.offset += 8;
        return b.readDoubleBE(this.offset - 8);
      case 31:
        return BREAK;
      default:
        throw malformed(`unsupported simple value ${info}`);
    }
  }
}

function halfFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// ----- out ----------------------------------------------------------------------------------------------------

/** The CBOR of a reply value: Buffers/Uint8Arrays as byte strings, Dates as tag 1 around epoch milliseconds. */
export function encodeCbor(value: unknown): Buffer {
  const parts: Buffer[] = [];
  write(parts, value);
  return Buffer.concat(parts);
}

function head(parts: Buffer[], major: number, arg: number): void {
  const m = major << 5;
  if (arg < 24) parts.push(Buffer.of(m | arg));
  else if (arg < 0x100) parts.push(Buffer.of(m | 24, arg));
  else if (arg < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = m | 25;
    b.writeUInt16BE(arg, 1);
    parts.push(b);
  } else if (arg < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = m | 26;
    b.writeUInt32BE(arg, 1);
    parts.push(b);
  } else {
    const b = Buffer.alloc(9);
    b[0] = m | 27;
    b.writeBigUInt64BE(BigInt(arg), 1);
    parts.push(b);
  }
}

function write(parts: Buffer[], value: unknown): void {
  if (value === undefined || value === null) parts.push(Buffer.of(0xf6));
  else if (typeof value === 'boolean') parts.push(Buffer.of(value ? 0xf5 : 0xf4));
  else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) head(parts, value < 0 ? 1 : 0, value < 0 ? -1 - value : value);
    else {
      const b = Buffer.alloc(9);
      b[0] = 0xfb;
      b.writeDoubleBE(value, 1);
      parts.push(b);
    }
  } else if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    head(parts, 3, text.length);
    parts.push(text);
  } else if (value instanceof Uint8Array) {
    head(parts, 2, value.byteLength);
    parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  } else if (value instanceof Date) {
    head(parts, 6, TAG_EPOCH);
    write(parts, value.getTime());
  } else if (Array.isArray(value)) {
    head(parts, 4, value.length);
    for (const item of value) write(parts, item);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    head(parts, 5, entries.length);
    for (const [k, v] of entries) {
      write(parts, k);
      write(parts, v);
    }
  } else write(parts, String(value));
}
