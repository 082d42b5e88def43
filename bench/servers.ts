/** Starts the servers a benchmark compares, each in its own process, and stops them. Loopback only. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');

export interface BenchServer {
  name: string;
  endpoint: string;
  /** Milliseconds from spawn to ready. */
  startupMs: number;
  /** The server's process (its memory is read from /proc). */
  pid: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** Spawns a node script that prints `listening on URL` when ready. */
export function startNodeServer(name: string, script: string, args: string[] = []): Promise<BenchServer> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ...script.split(' '), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        resolve({
          name,
          endpoint: match[1],
          startupMs: performance.now() - started,
          pid: child.pid as number,
          stop: stopper(child),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

export function startEmulatorProcess(): Promise<BenchServer> {
  return startNodeServer('emulator', '-e', [
    "require('./lib/emulator/main').runEmulatorCli(process.argv.slice(1))",
    '--',
    '--port',
    '0',
  ]);
}

export function startCannedServer(): Promise<BenchServer> {
  return startNodeServer('canned (ceiling)', 'bench/canned-sqs-server.ts');
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export function hasMoto(): boolean {
  return spawnSync('which', ['moto_server'], { encoding: 'utf8' }).status === 0;
}

/** moto_server on a free loopback port; ready once it answers HTTP. */
export async function startMoto(): Promise<BenchServer> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('moto_server exited before listening');
    try {
      await fetch(`${endpoint}/moto-api/`);
      return {
        name: 'moto_server',
        endpoint,
        startupMs: performance.now() - started,
        pid: child.pid as number,
        stop: stopper(child),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stopper(child)();
  throw new Error('moto_server did not start within 30 s');
}
