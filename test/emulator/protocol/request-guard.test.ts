/**
 * The request guard: requests from web pages (cross-site forms, fetches, embeds) and foreign Host names (DNS
 * rebinding) are refused, names let in with allowHosts are served, slow and stuck clients are bounded, and the SDK
 * passes through. The AWS CLI and boto3 tests through the guard are in request-guard-clients.test.ts (the long tier).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { ManualClock } from '../../../lib/emulator/clock';
import { type Emulator, startEmulator } from '../../../lib/emulator/emulator';
import { awsErrorOf, sqsClientFor } from '../../helpers/emulator';
import { type RawResponse, rawRequest } from '../../helpers/raw-http';

/** One request exactly as given (Host included), as a browser or an attacker's script would send it. */
function raw(
  endpoint: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return rawRequest(`${endpoint}${options.path ?? '/'}`, options);
}

const FORM = 'application/x-www-form-urlencoded';

describe('requests from web pages and foreign Host names are refused', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'decoupled-guard-'));
  let emu: Emulator;
  let queueUrl: string;
  let invocations: number;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, clock: new ManualClock(), allowOrigins: ['http://localhost:3000'] });
    const sqs = sqsClientFor(emu.endpoint);
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'guarded' }))).QueueUrl!;
    sqs.destroy();
    const dir = path.join(root, 'fn');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => "ran";');
    await emu.lambda.createFunction({
      functionName: 'fn',
      codeDirectory: dir,
      handler: 'index.handler',
      runtime: 'nodejs24.x',
    });
    invocations = 0;
    emu.activity.listen((event) => {
      if (event.kind === 'function-invoked') invocations++;
    });
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  async function depth(): Promise<string> {
    const sqs = sqsClientFor(emu.endpoint);
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    sqs.destroy();
    return attributes.Attributes!.ApproximateNumberOfMessages!;
  }

  test('a cross-site HTML form post gets 403 and sends nothing', async () => {
    // Prepare: what Chromium sends for <form method=post action="http://127.0.0.1:PORT/"> on another site
    const body = new URLSearchParams({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: 'x',
    }).toString();
    // Act
    const response = await raw(emu.endpoint, {
      headers: {
        'content-type': FORM,
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
      },
      body,
    });
    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toContain('<Code>Forbidden</Code>');
    expect(response.body).toContain('--allow-origin https://evil.example');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(await depth()).toBe('0');
  });

  test('a text/plain fetch to a function invocation gets 403 and runs nothing', async () => {
    // Act: fetch(url, { method: 'POST', body: '{}' }) from a page: text/plain, no preflight
    const response = await raw(emu.endpoint, {
      path: '/2015-03-31/functions/fn/invocations',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'null', 'sec-fetch-site': 'cross-site' },
      body: '{}',
    });
    // Assess
    expect(response.status).toBe(403);
    expect(invocations).toBe(0);
  });

  test('a GET a page embeds (an image, no Origin) from another site gets 403', async () => {
    // Act
    const response = await raw(emu.endpoint, {
      method: 'GET',
      path: `/?Action=PurgeQueue&QueueUrl=${encodeURIComponent(queueUrl)}`,
      headers: { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
    });
    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toContain('Sec-Fetch-Site: same-site');
  });

  test.each([
    ['evil.example'],
    [`evil.example:${4566}`],
    ['127.0.0.1.evil.example'],
    ['[::1'],
    ['localhost.evil.example'],
  ])('Host %j (DNS rebinding) gets 403 with a message naming --allow-host', async (host) => {
    // Act
    const response = await raw(emu.endpoint, {
      headers: { host, 'content-type': FORM },
      body: new URLSearchParams({ Action: 'CreateQueue', QueueName: 'rebound' }).toString(),
    });
    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toContain('--allow-host NAME');
    const sqs = sqsClientFor(emu.endpoint);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'rebound' }));
    sqs.destroy();
    expect(listed.QueueUrls ?? []).toEqual([]);
  });

  test('a refused JSON-protocol request gets the JSON error shape', async () => {
    // Act
    const response = await raw(emu.endpoint, {
      headers: {
        host: 'evil.example',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.ListQueues',
      },
      body: '{}',
    });
    // Assess
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'Forbidden' });
  });

  test.each([
    ['localhost'],
    ['127.0.0.1'],
    ['127.8.9.10'],
    ['[::1]'],
    ['my-bucket.localhost'],
    ['LOCALHOST'],
  ])('loopback Host %j is served', async (name) => {
    // Act
    const port = new URL(emu.endpoint).port;
    const response = await raw(emu.endpoint, {
      headers: { host: `${name}:${port}`, 'content-type': FORM },
      body: new URLSearchParams({ Action: 'ListQueues' }).toString(),
    });
    // Assess
    expect(response.status).toBe(200);
  });

  test("the emulator's own origin (its console) is served", async () => {
    // Act
    const host = new URL(emu.endpoint).host;
    const response = await raw(emu.endpoint, {
      headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin', 'content-type': FORM },
      body: new URLSearchParams({ Action: 'ListQueues' }).toString(),
    });
    // Assess
    expect(response.status).toBe(200);
  });

  test('an origin let in with allowOrigins gets its preflight and CORS headers', async () => {
    // Act
    const preflight = await raw(emu.endpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-amz-target',
      },
    });
    const call = await raw(emu.endpoint, {
      headers: {
        origin: 'http://localhost:3000',
        'sec-fetch-site': 'same-site',
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.ListQueues',
      },
      body: '{}',
    });
    // Assess
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type,x-amz-target');
    expect(call.status).toBe(200);
    expect(call.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(JSON.parse(call.body).QueueUrls).toContain(queueUrl);
  });

  test('the SDK, which sends no Origin, is unaffected, with localhost or 127.0.0.1', async () => {
    // Act
    const viaLocalhost = sqsClientFor(emu.endpoint.replace('127.0.0.1', 'localhost'));
    const listed = await viaLocalhost.send(new ListQueuesCommand({}));
    viaLocalhost.destroy();
    // Assess
    expect(listed.QueueUrls).toContain(queueUrl);
  });
});

describe('names let in with allowHosts', () => {
  test('a container name given with allowHosts is served; others are still refused', async () => {
    // Prepare
    const emu = await startEmulator({ port: 0, clock: new ManualClock(), allowHosts: ['decoupled'] });
    try {
      // Act
      const allowed = await raw(emu.endpoint, {
        headers: { host: `decoupled:${emu.port}`, 'content-type': FORM },
        body: 'Action=ListQueues',
      });
      const other = await raw(emu.endpoint, {
        headers: { host: `elsewhere:${emu.port}`, 'content-type': FORM },
        body: 'Action=ListQueues',
      });
      // Assess
      expect(allowed.status).toBe(200);
      expect(other.status).toBe(403);
      expect(other.body).toContain('loopback names and decoupled');
    } finally {
      await emu.stop();
    }
  });
});

describe('slow and stuck clients are bounded', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({
      port: 0,
      clock: new ManualClock(),
      connectionLimits: { headersTimeoutMs: 300, bodyIdleTimeoutMs: 300, maxConnections: 8 },
    });
  });
  afterAll(async () => {
    await emu.stop();
  });

  function open(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(emu.port, '127.0.0.1', () => resolve(socket));
      socket.on('error', reject);
    });
  }

  function reply(socket: Socket): Promise<{ text: string; closedMs: number }> {
    const started = performance.now();
    return new Promise((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ text, closedMs: performance.now() - started }));
    });
  }

  async function health(): Promise<RawResponse> {
    return raw(emu.endpoint, { method: 'GET', path: '/_emulator/health' });
  }

  test('headers that never end: the connection is closed, others are served meanwhile', async () => {
    // Prepare
    const socket = await open();
    const closed = reply(socket);
    // Act
    socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const meanwhile = await health();
    const { text, closedMs } = await closed;
    // Assess
    expect(meanwhile.status).toBe(200);
    expect(meanwhile.elapsedMs).toBeLessThan(100);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(closedMs).toBeLessThan(2_000);
  });

  test('a body that stops arriving: 408 and the connection is closed', async () => {
    // Prepare
    const socket = await open();
    const closed = reply(socket);
    // Act
    socket.write(
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\nAction=List`,
    );
    const meanwhile = await health();
    const { text, closedMs } = await closed;
    // Assess
    expect(meanwhile.status).toBe(200);
    expect(meanwhile.elapsedMs).toBeLessThan(100);
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(text).toContain('<Code>RequestTimeout</Code>');
    expect(closedMs).toBeLessThan(2_000);
  });

  test('connections over the cap are dropped; once they close, new ones are served', async () => {
    // Prepare: fill the cap with idle connections
    const held = await Promise.all(Array.from({ length: 8 }, () => open()));
    // Act
    const extra = await open();
    const extraReply = reply(extra);
    extra.write('GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const refused = await extraReply;
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    const after = await health();
    // Assess
    expect(refused.text).toBe('');
    expect(after.status).toBe(200);
  });
});

describe('the SDK through the guard', () => {
  test('an SDK error reply still parses (guard passes AWS clients through)', async () => {
    // Prepare
    const emu = await startEmulator({ port: 0, clock: new ManualClock() });
    const sqs = sqsClientFor(emu.endpoint);
    try {
      // Act
      const error = await awsErrorOf(
        sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${emu.endpoint}/000000000000/missing` })),
      );
      // Assess
      expect(error.status).toBe(400);
      expect(error.name).toBe('QueueDoesNotExist');
    } finally {
      sqs.destroy();
      await emu.stop();
    }
  });
});
