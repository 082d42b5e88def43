/**
 * What the workshop commands (publish-quotes, send-jobs) share: how they configure their AWS clients, how they
 * find a stack output in an outputs file, and how they run (exit codes, client clean-up).
 */

export interface WorkshopClientConfig {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * AWS's default configuration, or, given an endpoint (the local emulator), that endpoint with the region from the
 * environment and any credentials.
 */
export function workshopClientConfig(
  endpointUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): WorkshopClientConfig {
  if (endpointUrl === undefined) return {};
  return {
    endpoint: endpointUrl,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // The emulator accepts any credentials; without any configured, the SDK would refuse to sign.
    ...(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE
      ? {}
      : { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  };
}

/** A client of the workshop commands, made for an endpoint by {@link workshopClient}. */
export type WorkshopClientClass<Client> = new (config: WorkshopClientConfig) => Client;

/** A client with {@link workshopClientConfig}: AWS's default configuration, or the endpoint given. */
export function workshopClient<Client>(
  Client: WorkshopClientClass<Client>,
  endpointUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Client {
  return new Client(workshopClientConfig(endpointUrl, env));
}

/** A command line a workshop command cannot run: printed with the usage, exit code 2. */
export class WorkshopUsageError extends Error {}

/** Where an output comes from, for the messages when it cannot be found. */
export interface OutputSource {
  /** The stack that has the output, e.g. `FanOut`. */
  readonly stack: string;
  /** The flag that names the value directly, e.g. `--topic-arn`. */
  readonly flag: string;
}

/** The one value of `key` in an outputs file (`{"<stack name>": {"<key>": "...", ...}, ...}`). */
export function outputOf(outputs: unknown, key: string, file: string, source: OutputSource): string {
  const found = Object.entries((outputs ?? {}) as Record<string, Record<string, unknown>>).filter(
    ([, stackOutputs]) => typeof stackOutputs?.[key] === 'string',
  );
  if (found.length !== 1) {
    throw new Error(
      found.length === 0
        ? `${file} has no ${key} output: deploy the ${source.stack} stack with --outputs-file`
        : `${file} has ${key} in several stacks (${found.map(([s]) => s).join(', ')}): use ${source.flag}`,
    );
  }
  return found[0][1][key] as string;
}

/** The options every workshop command takes. */
export interface WorkshopOptions {
  /** The endpoint of the local emulator. @default AWS (or AWS_ENDPOINT_URL) */
  readonly endpointUrl?: string;
}

export interface WorkshopCommand<Options extends WorkshopOptions, Client extends { destroy(): void }> {
  /** The command's name, which prefixes its messages. */
  readonly name: string;
  readonly usage: string;
  /** Throws a {@link WorkshopUsageError} for a command line it cannot run. */
  parse(args: readonly string[]): Options;
  /** The client the command runs with, made by {@link workshopClient} for `endpointUrl`. */
  readonly Client: WorkshopClientClass<Client>;
  run(options: Options, client: Client): Promise<unknown>;
  /** The message for a failure. @default the error's message */
  describe?(error: unknown): string;
}

/** Runs a command: exit code 2 for a bad command line (with the usage), 1 when it fails; the client is destroyed. */
export async function runWorkshopCommand<Options extends WorkshopOptions, Client extends { destroy(): void }>(
  command: WorkshopCommand<Options, Client>,
  args: readonly string[],
): Promise<void> {
  let options: Options;
  try {
    options = command.parse(args);
  } catch (error) {
    if (!(error instanceof WorkshopUsageError)) throw error;
    console.error(`${command.name}: ${error.message}\n${command.usage}`);
    process.exitCode = 2;
    return;
  }
  const client = workshopClient(command.Client, options.endpointUrl);
  try {
    await command.run(options, client);
  } catch (error) {
    console.error(`${command.name}: ${command.describe?.(error) ?? (error as Error).message}`);
    process.exitCode = 1;
  } finally {
    client.destroy();
  }
}
