/**
 * The app's deployment as an outputs file describes it (`cdk deploy --outputs-file` and `npm start -- --outputs-file`
 * write `{"<stack name>": {"<output>": "<value>"}}`): its queues by output name, its stacks and their stage.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The outputs file read when none is named, if it exists in the working directory. */
export const DEFAULT_OUTPUTS_FILE = 'outputs.json';

/** A queue one of the stacks exports: `WorkQueueUrl` of `decoupled-sandbox-pipeline` is `WorkQueue`. */
export interface QueueOutput {
  readonly stackName: string;
  /** The output key, e.g. `WorkQueueUrl`. */
  readonly key: string;
  /** The output key without its `Url`, e.g. `WorkQueue`: what the commands take as a queue's name. */
  readonly name: string;
  readonly url: string;
}

/** A stack of this app is named `decoupled-<stage>-<chapter>` (lib/decoupled-app.ts). */
const APP_STACK_PREFIX = 'decoupled-';

/** The stage a stack or queue name of this app carries (`decoupled-prod-pipeline…` → `prod`), if any. */
export function stageOfName(name: string): string | undefined {
  if (!name.startsWith(APP_STACK_PREFIX)) return undefined;
  const end = name.indexOf('-', APP_STACK_PREFIX.length);
  return end > APP_STACK_PREFIX.length ? name.slice(APP_STACK_PREFIX.length, end) : undefined;
}

/** The queue name at the end of a queue URL (`https://sqs.…/123456789012/NAME`). */
export function queueNameOfUrl(url: string): string {
  const trimmed = url.endsWith('/') ? url.slice(0, -1) : url;
  return decodeURIComponent(trimmed.slice(trimmed.lastIndexOf('/') + 1));
}

/** Whether a value is an SQS queue URL: `http(s)://HOST/ACCOUNT/NAME`, the account 12 digits. */
export function isQueueUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const parts = url.pathname.split('/').filter((p) => p !== '');
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    parts.length === 2 &&
    parts[0].length === 12 &&
    [...parts[0]].every((c) => c >= '0' && c <= '9')
  );
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class AppOutputs {
  private constructor(
    /** The file they were read from, for messages. */
    readonly file: string,
    private readonly stacks: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  ) {}

  /** Reads `path`, called `file` in messages; throws a one-line error when it is not an outputs file. */
  static read(filePath: string, file = filePath): AppOutputs {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(filePath, 'utf8'));
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new Error(`cannot read the outputs file ${file}: ${reason}`, { cause: error });
    }
    const valid =
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    if (!valid) {
      throw new Error(`${file} is not an outputs file: expected {"<stack name>": {"<output>": "<value>"}}`);
    }
    return new AppOutputs(file, parsed as Record<string, Record<string, unknown>>);
  }

  /** The named file; else `outputs.json` when it exists here; else none. */
  static find(file: string | undefined, cwd = process.cwd()): AppOutputs | undefined {
    if (file !== undefined) return AppOutputs.read(path.resolve(cwd, file), file);
    const found = path.join(cwd, DEFAULT_OUTPUTS_FILE);
    return existsSync(found) ? AppOutputs.read(found, DEFAULT_OUTPUTS_FILE) : undefined;
  }

  get stackNames(): string[] {
    return Object.keys(this.stacks);
  }

  /** The stages of the app's stacks (`decoupled-<stage>-…`) in the file. */
  get stages(): string[] {
    return [...new Set(this.stackNames.map(stageOfName).filter((s): s is string => s !== undefined))];
  }

  /** Every queue URL among the outputs, in the file's order. */
  get queues(): QueueOutput[] {
    return Object.entries(this.stacks).flatMap(([stackName, outputs]) =>
      Object.entries(outputs)
        .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && isQueueUrl(entry[1]))
        .map(([key, url]) => ({ stackName, key, name: key.endsWith('Url') ? key.slice(0, -3) : key, url })),
    );
  }

  /** Every value of an output key (e.g. `AutoScalingGroupName`) across the stacks. */
  valuesOf(key: string): string[] {
    return Object.values(this.stacks)
      .map((outputs) => outputs[key])
      .filter((v): v is string => typeof v === 'string');
  }

  /**
   * The endpoint the stacks were deployed to, when they are local: `npm start` writes queue URLs on its own
   * loopback endpoint (`http://127.0.0.1:4566/000000000000/…`), AWS's are `https://sqs.REGION.amazonaws.com/…`.
   */
  get localEndpoint(): string | undefined {
    for (const { url } of this.queues) {
      const parsed = new URL(url);
      if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return parsed.origin;
    }
    return undefined;
  }

  /**
   * The queues a name may mean: `WorkQueue` (the output `WorkQueueUrl`), `VehicleSales` (`VehicleSalesQueueUrl`)
   * or the output key itself, optionally qualified by its stack (`pipeline/DeadLetterQueue`, the stack's full
   * name or what follows `decoupled-<stage>-`).
   */
  queuesNamed(reference: string): QueueOutput[] {
    const slash = reference.indexOf('/');
    const stack = slash < 0 ? undefined : reference.slice(0, slash);
    const name = slash < 0 ? reference : reference.slice(slash + 1);
    const keys = [name, `${name}Url`, `${name}QueueUrl`];
    const queues = this.queues;
    const found: QueueOutput[] = [];
    for (const stackName of this.stackNames) {
      if (stack !== undefined && stack !== stackName && stack !== shortStackName(stackName)) continue;
      // one per stack: the first key form that matches (`X`, then `XUrl`, then `XQueueUrl`)
      const ofStack = queues.filter((q) => q.stackName === stackName);
      const match = keys.map((key) => ofStack.find((q) => q.key === key)).find((q) => q !== undefined);
      if (match !== undefined) found.push(match);
    }
    return found;
  }

  /** The shortest name that finds this queue alone: `WorkQueue`, or `pipeline/DeadLetterQueue` when ambiguous. */
  referenceOf(queue: QueueOutput): string {
    return this.queuesNamed(queue.name).length === 1
      ? queue.name
      : `${shortStackName(queue.stackName)}/${queue.name}`;
  }
}

/** `decoupled-sandbox-pipeline` → `pipeline`; another app's stack name stays whole. */
export function shortStackName(stackName: string): string {
  const stage = stageOfName(stackName);
  return stage === undefined
    ? stackName
    : stackName.slice(`${APP_STACK_PREFIX}${stage}-`.length) || stackName;
}
