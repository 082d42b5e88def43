/** Range reads: the one `bytes=` range S3 serves (multiple ranges are read as the whole object, as S3 does). */
import { S3Error } from './errors';

export interface ByteRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/** One `bytes=` range; undefined for no range or one S3 ignores; InvalidRange when it starts past the end. */
export function byteRangeOf(text: string | undefined, size: number): ByteRange | undefined {
  if (text === undefined) return undefined;
  const match = /^bytes=(\d{0,20})-(\d{0,20})$/.exec(text.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw invalidRange(text, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== '' && Number(match[2]) < start) return undefined;
  }
  if (start >= size) throw invalidRange(text, size);
  return { start, end };
}

function invalidRange(text: string, size: number): S3Error {
  return new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, [
    ['RangeRequested', text],
    ['ActualObjectSize', String(size)],
  ]);
}
