/**
 * Lambda's durable state as records: each function whole (every version's settings and code, aliases, resource
 * policy statements, tags), its event invoke configuration, and each event source mapping (settings, enabled
 * state). A .zip package is a file under `lambda-code/`, named by its SHA-256 (versions and functions with the same
 * code share it), copied and synced before the record that names it is appended, and deleted once no durable
 * record does. Code that is a directory (a cdk.out asset, inline template code) is kept as its path.
 *
 * A restart unpacks the kept .zip files before the emulator listens (unpacking is asynchronous), then adopts the
 * functions synchronously with the other services, and starts the mappings' pollers again.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import * as path from 'node:path';
import type { AsyncInvokeConfig } from '../lambda/async-invocation';
import type { CodePackage } from '../lambda/code-package';
import type {
  AliasState,
  EventSourceMappingInput,
  FunctionSettings,
  FunctionState,
  FunctionVersionState,
  LambdaChanges,
  LambdaService,
} from '../lambda/service';
import type { RecordSource } from './journal';
import { type StateRecord, syncDirectory } from './state-directory';

/** The directory of kept .zip packages inside the state directory. */
export const LAMBDA_CODE = 'lambda-code';

/** A version's code as persisted: a kept .zip (its file), or a directory by path. */
interface CodeValue {
  sha256: string;
  size: number;
  zip?: string;
  directory?: string;
}

type VersionValue = Omit<FunctionVersionState, 'code'> & { code: CodeValue };

/** A function as persisted (key: its name). */
interface FunctionValue {
  latest: VersionValue;
  versions: VersionValue[];
  aliases: AliasState[];
  policies: [string, Record<string, unknown>[]][];
  tags: Record<string, string>;
  nextVersion: number;
}

/** An event source mapping as persisted (key: its UUID). */
interface MappingValue {
  input: EventSourceMappingInput;
  lastModified: number;
}

/** Collects Lambda's changes between two journal batches and keeps the .zip files. */
export class LambdaRecorder implements LambdaChanges, RecordSource {
  private readonly code: string;
  private changedFunctions = new Set<string>();
  private changedMappings = new Set<string>();
  private changedConfigs = new Set<string>();
  /** Every function's event invoke configuration (the service keeps no list of them). */
  private readonly configs = new Map<string, AsyncInvokeConfig>();
  /** Files each function's journaled record names, and how many functions name each file. */
  private journaledFiles = new Map<string, string[]>();
  private fileRefs = new Map<string, number>();
  /** Files whose last reference went with the batch being written: deleted once it is durable. */
  private garbage: string[] = [];
  private codeMade = false;

  constructor(
    private readonly lambda: LambdaService,
    stateDirectory: string,
    private readonly changed: () => void,
  ) {
    this.code = path.join(stateDirectory, LAMBDA_CODE);
  }

  functionChanged(name: string): void {
    this.changedFunctions.add(name);
    this.changed();
  }

  mappingChanged(uuid: string): void {
    this.changedMappings.add(uuid);
    this.changed();
  }

  invokeConfigChanged(name: string, config: AsyncInvokeConfig): void {
    this.configs.set(name, config);
    this.changedConfigs.add(name);
    this.changed();
  }

  /** Restore: what the records hold, so that the next snapshot has it and unchanged files are not copied. */
  restored(name: string, value: FunctionValue, config: AsyncInvokeConfig | undefined): void {
    if (config) this.configs.set(name, config);
    this.account(name, filesOf(value));
  }

  drain(out: StateRecord[]): void {
    for (const name of this.changedFunctions) {
      const state = this.lambda.functionState(name);
      const value = state ? this.functionValue(state) : null;
      this.account(name, value ? filesOf(value) : []);
      out.push({ svc: 'lambda', kind: 'function', key: [name], value });
      if (!state && this.configs.delete(name)) {
        out.push({ svc: 'lambda', kind: 'event-invoke-config', key: [name], value: null });
      }
    }
    this.changedFunctions = new Set();
    for (const name of this.changedConfigs) {
      const config = this.configs.get(name);
      if (config) out.push({ svc: 'lambda', kind: 'event-invoke-config', key: [name], value: config });
    }
    this.changedConfigs = new Set();
    for (const uuid of this.changedMappings) out.push(this.mappingRecord(uuid));
    this.changedMappings = new Set();
  }

  snapshot(out: StateRecord[]): void {
    const previous = this.fileRefs;
    this.journaledFiles = new Map();
    this.fileRefs = new Map();
    for (const name of this.lambda.functionNames()) {
      const value = this.functionValue(this.lambda.functionState(name) as FunctionState);
      this.account(name, filesOf(value));
      out.push({ svc: 'lambda', kind: 'function', key: [name], value });
      const config = this.configs.get(name);
      if (config) out.push({ svc: 'lambda', kind: 'event-invoke-config', key: [name], value: config });
    }
    for (const uuid of this.lambda.mappingIds()) out.push(this.mappingRecord(uuid));
    for (const file of previous.keys()) if (!this.fileRefs.has(file)) this.garbage.push(file);
  }

  written(): void {
    for (const file of this.garbage) {
      if (!this.fileRefs.has(file)) rmSync(path.join(this.code, file), { force: true });
    }
    this.garbage = [];
  }

  private mappingRecord(uuid: string): StateRecord {
    const state = this.lambda.mappingState(uuid);
    const value: MappingValue | null = state
      ? { input: state.input, lastModified: state.lastModified }
      : null;
    return { svc: 'lambda', kind: 'event-source-mapping', key: [uuid], value };
  }

  private functionValue(state: FunctionState): FunctionValue {
    const version = (v: FunctionVersionState): VersionValue => ({ ...v, code: this.codeValue(v.code) });
    return {
      latest: version(state.latest),
      versions: state.versions.map(version),
      aliases: [...state.aliases],
      policies: state.policies.map(([qualifier, statements]) => [qualifier, [...statements]]),
      tags: { ...state.tags },
      nextVersion: state.nextVersion,
    };
  }

  /** A .zip's kept file, copied and synced now if it is not there yet (functions change seldom). */
  private codeValue(code: CodePackage): CodeValue {
    const value: CodeValue = { sha256: code.codeSha256, size: code.codeSize };
    if (code.zipFile === undefined) return { ...value, directory: code.directory };
    const file = zipFileName(code.codeSha256);
    const target = path.join(this.code, file);
    if (!existsSync(target)) {
      if (!this.codeMade) {
        // made with the first .zip: a state without one has no such directory
        mkdirSync(this.code, { recursive: true });
        syncDirectory(path.dirname(this.code));
        this.codeMade = true;
      }
      const temp = `${target}.tmp`;
      copyFileSync(code.zipFile, temp);
      const fd = openSync(temp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, target);
      syncDirectory(this.code);
    }
    return { ...value, zip: file };
  }

  private account(name: string, files: readonly string[]): void {
    for (const file of files) this.fileRefs.set(file, (this.fileRefs.get(file) ?? 0) + 1);
    for (const file of this.journaledFiles.get(name) ?? []) {
      const left = (this.fileRefs.get(file) ?? 0) - 1;
      if (left > 0) this.fileRefs.set(file, left);
      else {
        this.fileRefs.delete(file);
        this.garbage.push(file);
      }
    }
    if (files.length > 0) this.journaledFiles.set(name, [...files]);
    else this.journaledFiles.delete(name);
  }
}

/** What a restart puts back: the functions with their code unpacked, configs and mappings. */
export interface LambdaRestorePlan {
  readonly functions: ReadonlyMap<string, FunctionValue>;
  readonly configs: ReadonlyMap<string, AsyncInvokeConfig>;
  readonly mappings: ReadonlyMap<string, MappingValue>;
  /** Each kept .zip unpacked for a function: by function name, then file. */
  readonly unpacked: ReadonlyMap<string, ReadonlyMap<string, { code: CodePackage; owned: string }>>;
}

/**
 * Replays Lambda's records and unpacks the kept .zip files each function needs (before the emulator listens);
 * files no record names (a copy a crash left unnamed, a deletion a crash interrupted) are deleted.
 */
export async function unpackLambda(
  records: readonly StateRecord[],
  stateDirectory: string,
  lambda: LambdaService,
): Promise<LambdaRestorePlan> {
  const functions = new Map<string, FunctionValue>();
  const configs = new Map<string, AsyncInvokeConfig>();
  const mappings = new Map<string, MappingValue>();
  for (const record of records) {
    if (record.svc !== 'lambda') continue;
    const key = String(record.key[0]);
    const target: Map<string, unknown> | undefined =
      record.kind === 'function'
        ? functions
        : record.kind === 'event-invoke-config'
          ? configs
          : record.kind === 'event-source-mapping'
            ? mappings
            : undefined;
    if (!target) throw new Error(`unknown record kind lambda/${record.kind}`);
    if (record.value === null) target.delete(key);
    else target.set(key, record.value);
  }
  const code = path.join(stateDirectory, LAMBDA_CODE);
  const referenced = new Set<string>();
  for (const value of functions.values()) for (const file of filesOf(value)) referenced.add(file);
  if (existsSync(code)) {
    for (const name of readdirSync(code)) {
      if (!referenced.has(name)) rmSync(path.join(code, name), { force: true, recursive: true });
    }
  }
  const unpacked = new Map<string, Map<string, { code: CodePackage; owned: string }>>();
  for (const [name, value] of functions) {
    const ofFunction = new Map<string, { code: CodePackage; owned: string }>();
    for (const file of filesOf(value)) {
      const where = path.join(code, file);
      const size = statSync(where, { throwIfNoEntry: false })?.size;
      const expected = [value.latest, ...value.versions].find((v) => v.code.zip === file)?.code.size;
      if (size !== expected)
        throw new Error(`Lambda code file ${LAMBDA_CODE}/${file} is missing or has the wrong size`);
      ofFunction.set(file, await lambda.unpackKept(name, readFileSync(where)));
    }
    unpacked.set(name, ofFunction);
  }
  return { functions, configs, mappings, unpacked };
}

/** Puts the planned functions, configs and mappings into `lambda` (empty; SQS already restored). */
export function restoreLambda(
  plan: LambdaRestorePlan,
  lambda: LambdaService,
  recorder: LambdaRecorder,
): void {
  for (const [name, value] of plan.functions) {
    const unpacked = plan.unpacked.get(name) ?? new Map<string, { code: CodePackage; owned: string }>();
    const version = (v: VersionValue): FunctionVersionState => {
      let code: CodePackage;
      if (v.code.zip !== undefined) {
        const kept = unpacked.get(v.code.zip);
        if (!kept) throw new Error(`the code of function ${name} was not unpacked`);
        code = kept.code;
      } else
        code = { directory: v.code.directory as string, codeSha256: v.code.sha256, codeSize: v.code.size };
      return { ...v, settings: v.settings as FunctionSettings, code };
    };
    lambda.adoptFunction(
      {
        name,
        latest: version(value.latest),
        versions: value.versions.map(version),
        aliases: value.aliases,
        policies: value.policies,
        tags: value.tags,
        nextVersion: value.nextVersion,
      },
      [...unpacked.values()].map((u) => u.owned),
    );
    const config = plan.configs.get(name);
    if (config) lambda.putFunctionEventInvokeConfig(name, config);
    recorder.restored(name, value, config);
  }
  for (const [uuid, value] of plan.mappings) {
    try {
      lambda.adoptMapping({ uuid, input: value.input, lastModified: value.lastModified });
    } catch (error) {
      // its function or source is gone (a Kinesis stream is not kept yet): said, not fatal; a stack that made it
      // creates it again with its next update
      console.error(
        `emulator: event source mapping ${uuid} (${value.input.eventSourceArn} → ${value.input.functionName}) ` +
          `was not restored: ${(error as Error).message}`,
      );
    }
  }
}

/** The kept .zip files a function's versions name. */
function filesOf(value: FunctionValue): string[] {
  const files = new Set<string>();
  for (const v of [value.latest, ...value.versions]) if (v.code.zip !== undefined) files.add(v.code.zip);
  return [...files];
}

/** A .zip's file: its SHA-256 in hex (the base64 digest may hold `/`). */
function zipFileName(codeSha256: string): string {
  return `${Buffer.from(codeSha256, 'base64').toString('hex')}.zip`;
}
