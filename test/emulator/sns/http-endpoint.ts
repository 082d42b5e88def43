/** A subscriber endpoint for SNS tests: an HTTP server on loopback that records what arrives and when. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ManualClock } from '../../../lib/emulator/clock';

export interface ReceivedRequest {
  /** The emulator's clock when the request arrived (it only moves when a test moves it). */
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpEndpoint {
  /** `http://127.0.0.1:PORT/sns` */
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** Notifications only (SubscriptionConfirmation requests left out). */
  notifications(): ReceivedRequest[];
  /** Confirms the subscription from the first SubscriptionConfirmation received. */
  confirm(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Answers the n-th notification (0-based) with `status(n)`, 200 when it returns undefined; confirmations get 200.
 */
export async function httpEndpoint(
  clock: ManualClock,
  status: (n: number, request: ReceivedRequest) => number | undefined = () => 200,
): Promise<HttpEndpoint> {
  const requests: ReceivedRequest[] = [];
  let notifications = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { at: clock.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const isConfirmation = req.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation';
      res.statusCode = isConfirmation ? 200 : (status(notifications++, request) ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sns`,
    port,
    requests,
    notifications: () => requests.filter((r) => r.headers['x-amz-sns-message-type'] === 'Notification'),
    confirm: async () => {
      const confirmation = requests.find(
        (r) => r.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation',
      );
      if (!confirmation) throw new Error('no SubscriptionConfirmation arrived');
      const response = await fetch((JSON.parse(confirmation.body) as { SubscribeURL: string }).SubscribeURL);
      if (response.status !== 200) throw new Error(`confirmation answered ${response.status}`);
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
