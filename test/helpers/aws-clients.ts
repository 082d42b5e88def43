/**
 * The AWS CLIs and boto3 as test clients. They are found on PATH without being run (a `--version` costs a Python
 * start-up, and a synchronous spawn would block the in-process emulator), and always run asynchronously.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** Any credentials, the region, and no user configuration: the CLIs and boto3 exactly as installed. */
export const AWS_CLIENT_ENVIRONMENT: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'AKIAEMULATOR',
  AWS_SECRET_ACCESS_KEY: 'emulator-secret',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

/** Whether `command` (a path, or a name looked up on PATH) is an executable file here. */
export function installed(command: string): boolean {
  const candidates = command.includes('/')
    ? [command]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `aws` on PATH is AWS CLI v1 on this machine; Debian's AWS CLI v2.9 is /usr/bin/aws. Those present, by name. */
export const AWS_CLIS: readonly (readonly [string, string])[] = (
  [
    ['AWS CLI v1', 'aws'],
    ['AWS CLI v2.9', '/usr/bin/aws'],
  ] as const
).filter(([, command]) => installed(command));

/** Runs `command` (an AWS CLI) against `endpoint` with JSON output, and parses what it prints. */
export async function awsCli(command: string, endpoint: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(command, ['--endpoint-url', endpoint, '--output', 'json', ...args], {
    env: AWS_CLIENT_ENVIRONMENT,
  });
  return stdout.trim() === '' ? undefined : JSON.parse(stdout);
}

/** Runs a boto3 script with `args` as sys.argv[1:]; undefined when this machine's python3 has no boto3. */
export async function boto3(script: string, ...args: string[]): Promise<string | undefined> {
  if (!installed('python3')) return undefined;
  try {
    const { stdout } = await run('python3', ['-c', `import boto3, sys\n${script}`, ...args], {
      env: AWS_CLIENT_ENVIRONMENT,
    });
    return stdout;
  } catch (error) {
    if (String((error as { stderr?: string }).stderr).includes("No module named 'boto3'")) return undefined;
    throw error;
  }
}
