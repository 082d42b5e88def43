/// <reference lib="dom" />
/**
 * The console's calls: its own API and the control API (JSON), and the AWS wire for queue actions, so a send or a
 * delete from the page is validated and answered exactly as an SDK's would be. Every state-changing call carries
 * `content-type: application/json` (or AWS JSON), which a cross-site form cannot send.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string };
      __type?: string;
      message?: string;
      Message?: string;
    };
    if (body.error)
      return new ApiError(response.status, body.error.code ?? 'Error', body.error.message ?? '');
    const type = body.__type ?? 'Error';
    return new ApiError(
      response.status,
      type.slice(type.lastIndexOf('#') + 1),
      body.message ?? body.Message ?? '',
    );
  } catch {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 200);
    return new ApiError(response.status, code, message);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** One SQS operation over AWS JSON 1.0, as the SDK sends it. */
export async function sqs<T>(operation: string, input: unknown): Promise<T> {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** S3 PutObject / DeleteObject over the REST wire (path style). */
export async function s3Object(
  method: 'PUT' | 'DELETE',
  bucket: string,
  key: string,
  body?: Blob,
): Promise<void> {
  const response = await fetch(objectUrl(bucket, key), {
    method,
    headers: body?.type ? { 'content-type': body.type } : {},
    body,
  });
  if (!response.ok) throw await errorOf(response);
}

export function objectUrl(bucket: string, key: string): string {
  return `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

// the control API's shapes, shared with the server (types only: the bundle takes nothing of it)
export type { ClockReading as ClockState } from '../../control/clock-control';
export type { PeekedMessage, QueueSummary } from '../../control/queue-inspection';
