/**
 * The append-only journal with group commit: changes are collected from the services when a batch starts, written
 * in one append and made durable with one fdatasync; every request answered meanwhile waits for the batch that
 * holds its changes. Past a size, a snapshot of the whole state starts the next generation.
 */
import { closeSync, fdatasyncSync, ftruncateSync, openSync, rmSync } from 'node:fs';
import { type FileHandle, open, rename } from 'node:fs/promises';
import * as path from 'node:path';
import { journalFile, snapshotFile, type StateRecord, syncDirectory, writeDurably } from './state-directory';

/** Where records come from: each service's recorder of changes. */
export interface RecordSource {
  /** Appends the records of every change since the last drain (in the order a replay must apply them). */
  drain(out: StateRecord[]): void;
  /** Appends records describing the whole current state (a snapshot). */
  snapshot(out: StateRecord[]): void;
  /**
   * Makes durable what the records of the changes so far point to (S3's body files) before they are drained;
   * undefined when there is nothing to write. Called again until undefined, then drain follows synchronously.
   */
  prepare?(): Promise<void> | undefined;
  /** The records drained (or the snapshot) are durable: what they no longer point to may go. */
  written?(): void;
}

export interface JournalOptions {
  readonly directory: string;
  readonly generation: number;
  /** Whole-record length of the current journal: a torn tail after it is cut off before appending. */
  readonly journalBytes: number;
  /** A snapshot starts the next generation once the journal is past this many bytes. @default 16 MiB */
  readonly snapshotAfterBytes?: number;
  /** Told when a write fails: the state is no longer durable. */
  readonly onFailure?: (error: Error) => void;
}

/** How long an internal change (a timer, a delivery) may wait for the next batch. */
const INTERNAL_CHANGE_DELAY_MS = 20;

export class Journal {
  private readonly directory: string;
  private generation: number;
  private readonly snapshotAfterBytes: number;
  private readonly onFailure: (error: Error) => void;
  private readonly sources: RecordSource[] = [];
  private file: FileHandle | undefined;
  private size: number;
  /** A change was reported since the last drain. */
  private dirty = false;
  private writing = false;
  /** Requests waiting for the next batch to be durable. */
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** Resolves once the batch being written is durable. */
  private current: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;
  private closed = false;
  /** The next batch is a snapshot, whatever the journal's size (`rewrite`). */
  private forceSnapshot = false;

  constructor(options: JournalOptions) {
    this.directory = options.directory;
    this.generation = options.generation;
    this.snapshotAfterBytes = options.snapshotAfterBytes ?? 16 * 1024 * 1024;
    this.onFailure = options.onFailure ?? (() => undefined);
    // cut a torn last record off, so the next append does not follow half a line
    const fd = openSync(path.join(this.directory, journalFile(this.generation)), 'a');
    try {
      ftruncateSync(fd, options.journalBytes);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    syncDirectory(this.directory);
    this.size = options.journalBytes;
  }

  addSource(source: RecordSource): void {
    this.sources.push(source);
  }

  /** A service changed durable state: it goes out with the next request's batch, or shortly. */
  changed(): void {
    if (this.dirty) return;
    this.dirty = true;
    if (!this.writing && this.timer === undefined && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, INTERNAL_CHANGE_DELAY_MS);
      this.timer.unref();
    }
  }

  /**
   * Resolves once every change made so far is durable (undefined when nothing is pending: a read answers at once).
   * Rejects if the journal cannot be written.
   */
  commit(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.dirty) return this.current;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** Writes a snapshot of the current state now (after a reset: the journal starts again from it). */
  rewrite(): Promise<void> {
    this.forceSnapshot = true;
    this.dirty = true;
    return this.commit() ?? Promise.resolve();
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await (this.commit()?.catch(() => undefined) ?? Promise.resolve());
    while (this.writing) await this.current;
    this.closed = true;
    await this.file?.close();
    this.file = undefined;
  }

  private kick(): void {
    if (this.writing || this.failure || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = true;
    void this.writeLoop();
  }

  private async writeLoop(): Promise<void> {
    while (this.dirty && !this.failure) {
      const waiters = this.waiters;
      this.waiters = [];
      this.dirty = false;
      let done!: () => void;
      this.current = new Promise<void>((resolve) => (done = resolve));
      try {
        for (const source of this.sources) {
          for (let pending = source.prepare?.(); pending; pending = source.prepare?.()) await pending;
        }
        if (this.forceSnapshot || this.size >= this.snapshotAfterBytes) {
          // the snapshot holds every change pending now: the drained records are not needed
          const covered: StateRecord[] = [];
          for (const source of this.sources) source.drain(covered);
          this.forceSnapshot = false;
          await this.writeSnapshot();
        } else {
          const records: StateRecord[] = [];
          for (const source of this.sources) source.drain(records);
          if (records.length > 0) await this.append(records);
        }
        for (const source of this.sources) source.written?.();
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        this.failure = error as Error;
        for (const waiter of [...waiters, ...this.waiters]) waiter.reject(this.failure);
        this.waiters = [];
        this.onFailure(this.failure);
      } finally {
        done();
      }
    }
    this.writing = false;
    this.current = undefined;
  }

  private async append(records: StateRecord[]): Promise<void> {
    const text = linesOf(records);
    this.file ??= await open(path.join(this.directory, journalFile(this.generation)), 'a');
    const bytes = Buffer.from(text);
    await this.file.write(bytes);
    await this.file.datasync();
    this.size += bytes.length;
  }

  /**
   * Generation G+1 begins: the whole state goes to `snapshot-<G+1>.jsonl` (written aside, synced, renamed), an
   * empty journal follows it, and generation G's files go. A crash at any step leaves one complete generation.
   */
  private async writeSnapshot(): Promise<void> {
    const records: StateRecord[] = [];
    for (const source of this.sources) source.snapshot(records);
    const next = this.generation + 1;
    const temp = path.join(this.directory, `${snapshotFile(next)}.tmp`);
    const handle = await open(temp, 'w');
    try {
      // in slices: a large state is never one string
      for (let i = 0; i < records.length; i += 4096) {
        await handle.write(Buffer.from(linesOf(records.slice(i, i + 4096))));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path.join(this.directory, snapshotFile(next)));
    writeDurably(this.directory, journalFile(next), '');
    await this.file?.close();
    this.file = undefined;
    const previous = this.generation;
    this.generation = next;
    this.size = 0;
    rmSync(path.join(this.directory, journalFile(previous)), { force: true });
    rmSync(path.join(this.directory, snapshotFile(previous)), { force: true });
  }
}

function linesOf(records: readonly StateRecord[]): string {
  let text = '';
  for (const record of records) text += `${JSON.stringify(record)}\n`;
  return text;
}
