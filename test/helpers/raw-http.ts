/** Requests the SDK would not send (a body, path or header of the test's own making), answered in full. */
import { type Agent, request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Wall time from sending to the last byte. */
  elapsedMs: number;
}

export interface RawRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** @default a new connection (no keep-alive) */
  readonly agent?: Agent | false;
}

/** Sends one request to `url` exactly as given (Host included, when set) and reads the whole answer. */
export function rawRequest(url: string, request: RawRequest = {}): Promise<RawResponse> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: request.method ?? 'POST', headers: request.headers ?? {}, agent: request.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(request.body ?? '');
  });
}

/** An `Authorization` header whose SigV4 scope names `service` (the router routes by it; the signature is unchecked). */
export function signedFor(service: string): { authorization: string } {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=AKIAEMULATOR/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
  };
}
