/**
 * Where the project CLI's commands run: the endpoint (the local emulator or AWS), the app's outputs file, the
 * AWS clients for that endpoint, and the control API when the endpoint is the decoupled emulator.
 */
import { workshopClient, type WorkshopClientClass } from '../workshop/command';
import { AppOutputs } from './app-outputs';
import { ControlApi, EndpointUnreachableError, type EndpointProbe } from './control-api';

/** Where the local-only commands (peek, clock, reset) look when nothing names an endpoint: npm start's port. */
export const DEFAULT_LOCAL_ENDPOINT = 'http://127.0.0.1:4566';

export interface ProjectOptions {
  /** `--endpoint-url`. */
  readonly endpointUrl?: string;
  /** `--outputs-file`. @default outputs.json when it exists */
  readonly outputsFile?: string;
  /** Whether the command exists only locally, so a missing endpoint means npm start's. */
  readonly localOnly?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where `outputs.json` is looked for. @default the working directory */
  readonly cwd?: string;
}

export class Project {
  /** The endpoint every call goes to; undefined: AWS, as the SDK's default configuration finds it. */
  readonly endpoint: string | undefined;
  /** What chose the endpoint, for messages: `--endpoint-url`, `AWS_ENDPOINT_URL`, the outputs file… */
  readonly endpointSource: string;
  readonly outputs: AppOutputs | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly clients: { destroy(): void }[] = [];
  private probe: Promise<EndpointProbe> | undefined;

  constructor(options: ProjectOptions = {}) {
    this.env = options.env ?? process.env;
    this.outputs = AppOutputs.find(options.outputsFile, options.cwd);
    const envEndpoint = this.env.AWS_ENDPOINT_URL || undefined;
    const outputsEndpoint = this.outputs?.localEndpoint;
    [this.endpoint, this.endpointSource] =
      options.endpointUrl !== undefined
        ? [options.endpointUrl, '--endpoint-url']
        : envEndpoint !== undefined
          ? [envEndpoint, 'AWS_ENDPOINT_URL']
          : outputsEndpoint !== undefined
            ? [outputsEndpoint, `the queue URLs of ${this.outputs?.file}`]
            : options.localOnly
              ? [DEFAULT_LOCAL_ENDPOINT, 'the default local endpoint']
              : [undefined, 'AWS'];
  }

  /** An AWS client for the endpoint (any credentials do for the emulator); destroyed by {@link close}. */
  client<Client extends { destroy(): void }>(Client: WorkshopClientClass<Client>): Client {
    const client = workshopClient(Client, this.endpoint, this.env);
    this.clients.push(client);
    return client;
  }

  /** The control API when the endpoint is the decoupled emulator; undefined for AWS or any other endpoint. */
  async emulator(): Promise<ControlApi | undefined> {
    if (this.endpoint === undefined) return undefined;
    this.probe ??= ControlApi.probe(this.endpoint);
    const probe = await this.probe;
    if (probe.kind === 'unreachable') throw new EndpointUnreachableError(this.endpoint, probe.reason);
    return probe.kind === 'emulator' ? probe.api : undefined;
  }

  /** The control API, or an error saying that `command` is local-only (AWS has nothing like it). */
  async requireEmulator(command: string, why: string): Promise<ControlApi> {
    const api = await this.emulator();
    if (api !== undefined) return api;
    throw new Error(
      `${command} works only against the local emulator (${why}); ${this.endpoint ?? 'AWS'} is not one: ` +
        `give --endpoint-url ${DEFAULT_LOCAL_ENDPOINT} with npm start running`,
    );
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.destroy();
  }
}
