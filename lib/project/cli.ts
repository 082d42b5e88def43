/**
 * `npx decoupled status|peek|send|redrive|purge|clock|reset|request-quote`: the project CLI, for the app's own queues on the
 * local emulator or on AWS (docs/local-mode.md, "The project CLI").
 */
import { CLOCK } from './clock';
import { PEEK } from './peek';
import { type ProjectCommand, runProjectCommand, usageOf } from './project-command';
import { PURGE } from './purge';
import { REDRIVE } from './redrive';
import { REQUEST_QUOTE } from './request-quote';
import { RESET } from './reset';
import { SEND } from './send';
import { STATUS } from './status';

// Each command loads the AWS clients it uses when it runs: `clock advance` starts without CloudWatch's.
export const PROJECT_COMMANDS: Readonly<Record<string, ProjectCommand>> = Object.fromEntries(
  [STATUS, PEEK, SEND, REDRIVE, PURGE, CLOCK, RESET, REQUEST_QUOTE].map((command) => [command.name, command]),
);

/** Whether `name` is a command of the project CLI. */
export function isProjectCommand(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(PROJECT_COMMANDS, name);
}

/** The `--help` text of a project command (for `decoupled help <command>`). */
export function projectCommandUsage(name: string): string {
  return usageOf(PROJECT_COMMANDS[name]);
}

/** Runs a project command as the process: its exit code; Ctrl-C cancels what a cancellable command started. */
export async function runProjectCli(name: string, args: readonly string[]): Promise<void> {
  const command = PROJECT_COMMANDS[name];
  // the SDK's notice that future versions need Node 22 is about upgrading the pinned SDK, not about this command
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `decoupled status | head`: the reader went away, which is no failure of the command
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const interrupt = new AbortController();
  const onSignal = () => {
    // a second Ctrl-C does not wait for the clean-up
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  if (command.cancellable) process.on('SIGINT', onSignal);
  try {
    process.exitCode = await runProjectCommand(command, args, { signal: interrupt.signal });
  } finally {
    process.off('SIGINT', onSignal);
  }
}
