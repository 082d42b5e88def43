/** What `npm start` checks and says before the slow steps: the port, before seconds of synthesis. */
import { createServer } from 'node:net';

/**
 * Resolves when `host:port` can be listened on now; rejects with the hint (`npm start -- --port N`) when it is
 * taken. Port 0 (any free port) always can. The port is released at once: the emulator takes it after synthesis.
 */
export function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(portInUseError(host, port, error));
      else if (error.code === 'EACCES') {
        reject(
          new Error(
            `port ${port} on ${host} needs privileges this user lacks: choose another port: npm start -- --port 4566`,
            { cause: error },
          ),
        );
      }
      // anything else (an address this machine lacks…) is for the emulator's own start to report
      else resolve();
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** The error for a port someone else holds, with the flag that picks another. */
export function portInUseError(host: string, port: number, cause: unknown): Error {
  const other = port < 65_535 ? port + 1 : 4566;
  return new Error(
    `port ${port} on ${host} is in use (another npm start or emulator?): stop it, or choose another port: npm start -- --port ${other}`,
    { cause },
  );
}
