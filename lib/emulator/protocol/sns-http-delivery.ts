/**
 * SNS's HTTP/S client: delivers notifications to subscribed endpoints. Apart from the wire protocol (sns.ts), so
 * the SNS service gets it at start without loading @aws-sdk/client-sns's model before SNS's first request.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

/** AWS: SNS waits 15 seconds for an HTTP/S endpoint to answer. */
const HTTP_DELIVERY_TIMEOUT_MS = 15_000;

/**
 * POSTs one notification to a subscriber endpoint; resolves with the status, rejects on no answer. With
 * `connectTo`, the socket goes to that address (checked by the SNS service) whatever the host name resolves to
 * now; the Host header and TLS server name still come from the URL.
 */
export function postHttpNotification(
  url: string,
  headers: Record<string, string>,
  body: string,
  connectTo?: { readonly address: string; readonly family: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const lookup: LookupFunction | undefined = connectTo
      ? (_hostname, options, callback) => {
          if (options.all) callback(null, [{ address: connectTo.address, family: connectTo.family }]);
          else callback(null, connectTo.address, connectTo.family);
        }
      : undefined;
    const request = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: HTTP_DELIVERY_TIMEOUT_MS,
        ...(lookup ? { lookup } : {}),
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
