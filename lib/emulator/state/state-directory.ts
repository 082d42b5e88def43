/**
 * The files of a `--state-dir`: `format.json` (what and which version), `snapshot-<G>.jsonl` (the whole state
 * when generation G began) and `journal-<G>.log` (every change since), and a `lock` naming the process using it.
 * Both data files hold one JSON record per line; see the Persistence section of docs/emulator.md.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';

export const STATE_FORMAT = 'decoupled-state';
export const STATE_VERSION = 1;

/** One change (or, in a snapshot, one entity): an upsert, or a delete when `value` is null. */
export interface StateRecord {
  readonly svc: string;
  readonly kind: string;
  readonly key: readonly (string | number)[];
  readonly value: unknown;
}

/** A state directory that cannot be used: the message names the directory and what to do. */
export class StateDirectoryError extends Error {}

/** The records a restart replays: the newest complete snapshot, then its journal up to its last whole record. */
export interface StoredState {
  readonly directory: string;
  readonly generation: number;
  readonly records: StateRecord[];
  /** Bytes of the journal that hold whole records; anything after (a torn write) is cut off before appending. */
  readonly journalBytes: number;
  /** Bytes after `journalBytes` dropped as torn (the write of a never-acknowledged request, cut by a crash). */
  readonly tornBytes: number;
}

export const snapshotFile = (generation: number) => `snapshot-${generation}.jsonl`;
export const journalFile = (generation: number) => `journal-${generation}.log`;
const GENERATION_FILE = /^(snapshot|journal)-(\d{1,15})\.(jsonl|log)$/;

/** Directories this process has open: a second emulator on the same directory would interleave journals. */
const openHere = new Set<string>();

/**
 * Opens (creating it if new or empty) and reads a state directory, taking its lock. Throws StateDirectoryError
 * for another format or version, a corrupt file, or a directory another live process is using.
 */
export function openStateDirectory(given: string): StoredState {
  const directory = path.resolve(given);
  const problem = (what: string) => new StateDirectoryError(`--state-dir ${given}: ${what}`);
  if (existsSync(directory) && readdirSync(directory).length > 0) {
    checkFormat(directory, problem);
  } else {
    try {
      mkdirSync(directory, { recursive: true });
      writeDurably(
        directory,
        'format.json',
        `${JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION }, null, 2)}\n`,
      );
    } catch (error) {
      throw problem(`cannot create it (${(error as Error).message})`);
    }
  }
  lock(directory, problem);
  try {
    return readState(directory, problem);
  } catch (error) {
    releaseLock(directory);
    throw error;
  }
}

/**
 * Refuses, without changing anything, a directory that `openStateDirectory` would refuse for its format, version
 * or a live holder: `npm start` checks this before its seconds of synthesis.
 */
export function checkStateDirectory(given: string): void {
  const directory = path.resolve(given);
  const problem = (what: string) => new StateDirectoryError(`--state-dir ${given}: ${what}`);
  if (!existsSync(directory) || readdirSync(directory).length === 0) return;
  checkFormat(directory, problem);
  const holder = lockHolder(directory);
  if (holder !== undefined) throw problem(`in use by process ${holder} (stop that emulator first)`);
}

/** Lets another emulator (or a restart) use the directory. */
export function releaseLock(directory: string): void {
  openHere.delete(directory);
  rmSync(path.join(directory, 'lock'), { force: true });
}

function checkFormat(directory: string, problem: (what: string) => StateDirectoryError): void {
  const file = path.join(directory, 'format.json');
  if (!existsSync(file)) {
    throw problem(
      'not a decoupled state directory (it has files but no format.json); give an empty or new directory',
    );
  }
  let format: { format?: unknown; version?: unknown };
  try {
    format = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw problem(`format.json is not JSON; the directory is damaged: delete it to start afresh`);
  }
  if (format?.format !== STATE_FORMAT) {
    throw problem(`format.json does not describe ${STATE_FORMAT}; give an empty or new directory`);
  }
  if (format.version !== STATE_VERSION) {
    throw problem(
      `holds state format version ${JSON.stringify(format.version)}, this emulator reads version ` +
        `${STATE_VERSION}; use the decoupled version that wrote it, or give another --state-dir ` +
        `(deleting the directory starts afresh, losing its state)`,
    );
  }
}

function lock(directory: string, problem: (what: string) => StateDirectoryError): void {
  if (openHere.has(directory)) throw problem('already in use by an emulator in this process');
  const holder = lockHolder(directory);
  if (holder !== undefined) throw problem(`in use by process ${holder} (stop that emulator first)`);
  // a lock left by a process that died (kill -9) is taken over
  writeDurably(directory, 'lock', `${process.pid}\n`);
  openHere.add(directory);
}

/** The live process (other than this one) whose lock the directory holds, if any. */
function lockHolder(directory: string): number | undefined {
  const file = path.join(directory, 'lock');
  const holder = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)
    ? holder
    : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readState(directory: string, problem: (what: string) => StateDirectoryError): StoredState {
  const generations = new Map<number, { snapshot: boolean; journal: boolean }>();
  for (const name of readdirSync(directory)) {
    // a snapshot still being written when the process died never became the newest: drop it
    if (name.endsWith('.tmp')) rmSync(path.join(directory, name), { force: true });
    const match = GENERATION_FILE.exec(name);
    if (!match) continue;
    const generation = Number(match[2]);
    const entry = generations.get(generation) ?? { snapshot: false, journal: false };
    if (match[1] === 'snapshot') entry.snapshot = true;
    else entry.journal = true;
    generations.set(generation, entry);
  }
  const withSnapshot = [...generations].filter(([, e]) => e.snapshot).map(([g]) => g);
  const generation = withSnapshot.length > 0 ? Math.max(...withSnapshot) : 0;
  const records: StateRecord[] = [];
  if (withSnapshot.length > 0) {
    const file = snapshotFile(generation);
    const read = readRecords(path.join(directory, file), problem, file);
    // a snapshot is renamed into place only when whole: a torn one is damage, not a crash
    if (read.tornBytes > 0) throw problem(`${file} ends in the middle of a record; the directory is damaged`);
    records.push(...read.records);
  }
  let journalBytes = 0;
  let tornBytes = 0;
  if (generations.get(generation)?.journal) {
    const file = journalFile(generation);
    const read = readRecords(path.join(directory, file), problem, file);
    records.push(...read.records);
    journalBytes = read.goodBytes;
    tornBytes = read.tornBytes;
  }
  // what an earlier generation left behind (the process died between the snapshot's rename and this cleanup)
  for (const [other, entry] of generations) {
    if (other === generation) continue;
    if (entry.snapshot) rmSync(path.join(directory, snapshotFile(other)), { force: true });
    if (entry.journal) rmSync(path.join(directory, journalFile(other)), { force: true });
  }
  return { directory, generation, records, journalBytes, tornBytes };
}

/** Reads one record per line; a last line without its newline is a torn write and is left out. */
function readRecords(
  file: string,
  problem: (what: string) => StateDirectoryError,
  name: string,
): { records: StateRecord[]; goodBytes: number; tornBytes: number } {
  const bytes = readFileSync(file);
  const records: StateRecord[] = [];
  let start = 0;
  let line = 1;
  for (;;) {
    const end = bytes.indexOf(0x0a, start);
    if (end < 0) break;
    let record: StateRecord;
    try {
      record = JSON.parse(bytes.toString('utf8', start, end));
    } catch {
      record = undefined as unknown as StateRecord;
    }
    if (
      typeof record?.svc !== 'string' ||
      typeof record.kind !== 'string' ||
      !Array.isArray(record.key) ||
      !('value' in record)
    ) {
      throw problem(`${name} line ${line} is not a state record; the directory is damaged`);
    }
    records.push(record);
    start = end + 1;
    line++;
  }
  return { records, goodBytes: start, tornBytes: bytes.length - start };
}

/** Writes a small file so that a crash leaves either the old content or the new, never half of it. */
export function writeDurably(directory: string, name: string, content: string): void {
  const temp = path.join(directory, `${name}.tmp`);
  const fd = openSync(temp, 'w');
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path.join(directory, name));
  syncDirectory(directory);
}

/** A rename or a new file is durable once its directory is synced. */
export function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
