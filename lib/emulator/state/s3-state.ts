/**
 * S3's durable state as records: each bucket's settings, and each key's versions (current, noncurrent, delete
 * markers) with their metadata. Bodies up to 4 KiB go in the record; larger ones are files under `s3-bodies/`,
 * written and synced before the record that points to them is appended, and deleted once no durable record
 * does. Multipart uploads in progress are not kept.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import type { AccessControlPolicy, ObjectOwnership } from '../s3/acl';
import type { BucketEncryption } from '../s3/encryption';
import { Bucket, type StoredObject } from '../s3/model';
import type { NotificationConfiguration } from '../s3/notifications';
import { BodyFile, ObjectBody } from '../s3/object-body';
import type { S3Changes, S3Service } from '../s3/service';
import type { TagSet } from '../s3/tagging';
import {
  type DeleteMarker,
  isDeleteMarker,
  type ObjectVersion,
  type VersioningStatus,
  versionsOf,
} from '../s3/versioning';
import type { RecordSource } from './journal';
import { type StateRecord, syncDirectory } from './state-directory';

/** Bodies up to this size are kept in their record (base64): no file and no second sync for small objects. */
const INLINE_BODY_BYTES = 4096;
/** The directory of body files inside the state directory. */
export const S3_BODIES = 's3-bodies';

/** A bucket's settings as persisted (key: its name). */
interface BucketValue {
  region: string;
  created: number;
  policy?: string;
  tags?: TagSet;
  notification: NotificationConfiguration;
  versioning?: VersioningStatus;
  acl?: AccessControlPolicy;
  /** null: the ownership controls were deleted. */
  ownership: ObjectOwnership | null;
  encryption: BucketEncryption;
}

type BodyValue = { readonly inline: string } | { readonly file: string; readonly length: number };
type ObjectValue = Omit<StoredObject, 'key' | 'body'> & { body: BodyValue };
type MarkerValue = Omit<DeleteMarker, 'key'>;
type VersionValue = ObjectValue | MarkerValue;

/** A key's versions as persisted (key: bucket and object key): the current one (object or marker), then older. */
interface KeyValue {
  current?: VersionValue;
  noncurrent: VersionValue[];
}

/** A body file of the state directory: S3 letting go of it deletes nothing (the recorder does, once unreferenced). */
class KeptBodyFile extends BodyFile {
  override retain(): void {}
  override release(): void {}
}

/** Collects S3's changes between two journal batches and keeps the body files. */
export class S3Recorder implements S3Changes, RecordSource {
  private readonly bodies: string;
  private changedBuckets = new Set<string>();
  /** Bucket → keys changed since the last drain. */
  private changedKeys = new Map<string, Set<string>>();
  /** The file holding each body already written (restored bodies included). */
  private readonly fileOf = new WeakMap<ObjectBody, string>();
  /** Files of each key as last journaled (`bucket/key`), and how many journaled versions point to each file. */
  private journaledFiles = new Map<string, string[]>();
  private fileRefs = new Map<string, number>();
  /** Files whose last reference went with the batch being written: deleted once it is durable. */
  private garbage: string[] = [];
  private bodiesMade = false;

  constructor(
    private readonly s3: S3Service,
    stateDirectory: string,
    private readonly changed: () => void,
  ) {
    this.bodies = path.join(stateDirectory, S3_BODIES);
  }

  bucketChanged(bucket: string): void {
    this.changedBuckets.add(bucket);
    this.changed();
  }

  keyChanged(bucket: string, key: string): void {
    let keys = this.changedKeys.get(bucket);
    if (!keys) this.changedKeys.set(bucket, (keys = new Set()));
    keys.add(key);
    this.changed();
  }

  /** Writes (and syncs) the files of the changed keys' bodies not yet on disk; undefined when there are none. */
  prepare(): Promise<void> | undefined {
    const missing = new Set<ObjectBody>();
    for (const [name, keys] of this.changedKeys) {
      const bucket = this.s3.bucketState(name);
      if (!bucket) continue;
      for (const key of keys) {
        for (const version of versionsOf(bucket, key)) {
          if (isDeleteMarker(version)) continue;
          const body = version.body;
          if (body.length > INLINE_BODY_BYTES && !this.fileOf.has(body)) missing.add(body);
        }
      }
    }
    if (missing.size === 0) return undefined;
    if (!this.bodiesMade) {
      // made with the first large body: a state without one has no such directory
      mkdirSync(this.bodies, { recursive: true });
      syncDirectory(path.dirname(this.bodies));
      this.bodiesMade = true;
    }
    return (async () => {
      const written = await Promise.all(
        [...missing].map(async (body) => [body, await this.write(body)] as const),
      );
      // the new names are durable once the directory is synced
      syncDirectory(this.bodies);
      for (const [body, file] of written) this.fileOf.set(body, file);
    })();
  }

  drain(out: StateRecord[]): void {
    for (const name of this.changedBuckets) out.push(this.bucketRecord(name));
    this.changedBuckets = new Set();
    for (const [name, keys] of this.changedKeys) {
      const bucket = this.s3.bucketState(name);
      for (const key of keys) {
        const value = bucket ? this.keyValue(bucket, key) : undefined;
        const id = `${name}/${key}`;
        this.account(id, value);
        out.push({ svc: 's3', kind: 'key', key: [name, key], value: value ?? null });
      }
    }
    this.changedKeys = new Map();
  }

  snapshot(out: StateRecord[]): void {
    const previous = this.fileRefs;
    this.journaledFiles = new Map();
    this.fileRefs = new Map();
    for (const name of this.s3.bucketNames()) {
      out.push(this.bucketRecord(name));
      const bucket = this.s3.bucketState(name) as Bucket;
      for (const key of keysOf(bucket)) {
        const value = this.keyValue(bucket, key);
        if (!value) continue;
        this.account(`${name}/${key}`, value);
        out.push({ svc: 's3', kind: 'key', key: [name, key], value });
      }
    }
    for (const file of previous.keys()) if (!this.fileRefs.has(file)) this.garbage.push(file);
  }

  written(): void {
    for (const file of this.garbage) {
      if (!this.fileRefs.has(file)) rmSync(path.join(this.bodies, file), { force: true });
    }
    this.garbage = [];
  }

  /** Restore: the bodies' files, so that an unchanged body is not written again and its file is counted. */
  restored(id: string, files: readonly string[], bodies: ReadonlyMap<string, ObjectBody>): void {
    for (const file of files) this.fileOf.set(bodies.get(file) as ObjectBody, file);
    this.setFiles(id, files);
  }

  /** Restore: the directory of body files holds only the files the records point to. */
  keepOnly(referenced: ReadonlySet<string>): void {
    if (!existsSync(this.bodies)) return;
    this.bodiesMade = true;
    // files written for a batch that never became durable (a crash), or whose deletion a crash interrupted
    for (const name of readdirSync(this.bodies)) {
      if (!referenced.has(name)) rmSync(path.join(this.bodies, name), { force: true, recursive: true });
    }
  }

  bodyFile(file: string, length: number): ObjectBody {
    const where = path.join(this.bodies, file);
    const size = statSync(where, { throwIfNoEntry: false })?.size;
    if (size !== length)
      throw new Error(`S3 body file ${S3_BODIES}/${file} is missing or has the wrong size`);
    return ObjectBody.ofFile(new KeptBodyFile(where, length));
  }

  private account(id: string, value: KeyValue | undefined): void {
    const files: string[] = [];
    if (value) {
      for (const version of [value.current, ...value.noncurrent]) {
        const body = version && 'body' in version ? version.body : undefined;
        if (body && 'file' in body) files.push(body.file);
      }
    }
    this.setFiles(id, files);
  }

  private setFiles(id: string, files: readonly string[]): void {
    for (const file of files) this.fileRefs.set(file, (this.fileRefs.get(file) ?? 0) + 1);
    for (const file of this.journaledFiles.get(id) ?? []) {
      const left = (this.fileRefs.get(file) ?? 0) - 1;
      if (left > 0) this.fileRefs.set(file, left);
      else {
        this.fileRefs.delete(file);
        this.garbage.push(file);
      }
    }
    if (files.length > 0) this.journaledFiles.set(id, [...files]);
    else this.journaledFiles.delete(id);
  }

  private async write(body: ObjectBody): Promise<string> {
    const file = randomUUID();
    const handle = await open(path.join(this.bodies, file), 'wx');
    try {
      for await (const chunk of body.open()) await handle.write(chunk as Buffer);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    return file;
  }

  private bucketRecord(name: string): StateRecord {
    const bucket = this.s3.bucketState(name);
    if (!bucket) return { svc: 's3', kind: 'bucket', key: [name], value: null };
    const value: BucketValue = {
      region: bucket.region,
      created: bucket.created,
      policy: bucket.policy,
      tags: bucket.tags,
      notification: bucket.notification,
      versioning: bucket.versioning,
      acl: bucket.acl,
      ownership: bucket.ownership ?? null,
      encryption: bucket.encryption,
    };
    return { svc: 's3', kind: 'bucket', key: [name], value };
  }

  /** The key's versions as a record value; undefined when it has none. Bodies must have been prepared. */
  private keyValue(bucket: Bucket, key: string): KeyValue | undefined {
    const current: ObjectVersion | undefined = bucket.objects.get(key) ?? bucket.history.markers.get(key);
    const noncurrent = bucket.history.noncurrent.get(key) ?? [];
    if (!current && noncurrent.length === 0) return undefined;
    const value: KeyValue = { noncurrent: noncurrent.map((v) => this.versionValue(v)) };
    if (current) value.current = this.versionValue(current);
    return value;
  }

  private versionValue(version: ObjectVersion): VersionValue {
    if (isDeleteMarker(version)) {
      const { key: _key, ...marker } = version;
      return marker;
    }
    const { key: _key, body, ...rest } = version;
    let stored: BodyValue;
    if (body.length <= INLINE_BODY_BYTES) stored = { inline: body.toBuffer().toString('base64') };
    else {
      const file = this.fileOf.get(body);
      if (file === undefined) throw new Error('an S3 body was not written before its record');
      stored = { file, length: body.length };
    }
    return { ...rest, body: stored };
  }
}

/** Replays S3's records into `s3` (empty, not yet serving). */
export function restoreS3(records: readonly StateRecord[], s3: S3Service, recorder: S3Recorder): void {
  const buckets = new Map<string, BucketValue>();
  const keys = new Map<string, Map<string, KeyValue>>();
  for (const record of records) {
    if (record.svc !== 's3') continue;
    const name = String(record.key[0]);
    if (record.kind === 'bucket') {
      if (record.value === null) {
        buckets.delete(name);
        keys.delete(name);
      } else buckets.set(name, record.value as BucketValue);
    } else if (record.kind === 'key') {
      let ofBucket = keys.get(name);
      if (!ofBucket) keys.set(name, (ofBucket = new Map()));
      if (record.value === null) ofBucket.delete(String(record.key[1]));
      else ofBucket.set(String(record.key[1]), record.value as KeyValue);
    } else throw new Error(`unknown record kind s3/${record.kind}`);
  }
  const referenced = new Set<string>();
  for (const name of buckets.keys()) {
    for (const key of keys.get(name)?.values() ?? []) {
      for (const version of [key.current, ...key.noncurrent]) {
        if (version && 'body' in version && 'file' in version.body) referenced.add(version.body.file);
      }
    }
  }
  recorder.keepOnly(referenced);
  // a body shared by versions (a copy) is one file, read back as one body
  const bodies = new Map<string, ObjectBody>();
  const bodyOf = (value: BodyValue): ObjectBody => {
    if ('inline' in value) return ObjectBody.of(Buffer.from(value.inline, 'base64'));
    let body = bodies.get(value.file);
    if (!body) bodies.set(value.file, (body = recorder.bodyFile(value.file, value.length)));
    return body;
  };
  for (const [name, value] of buckets) {
    const bucket = new Bucket(name, value.region, value.created);
    bucket.policy = value.policy;
    bucket.tags = value.tags;
    bucket.notification = value.notification;
    bucket.versioning = value.versioning;
    bucket.acl = value.acl;
    bucket.ownership = value.ownership ?? undefined;
    bucket.encryption = value.encryption;
    let memoryBytes = 0;
    for (const [key, versions] of keys.get(name) ?? []) {
      const files: string[] = [];
      const restore = (v: VersionValue): ObjectVersion => {
        if (!('body' in v)) return { ...v, key };
        const body = bodyOf(v.body);
        memoryBytes += body.memoryBytes;
        if ('file' in v.body) files.push(v.body.file);
        return { ...v, key, body };
      };
      const current = versions.current && restore(versions.current);
      if (current && isDeleteMarker(current)) {
        bucket.history.markers.set(key, current);
        bucket.history.keys.insert(key);
      } else if (current) bucket.put(current);
      // pushNoncurrent puts each in front: oldest first
      for (const v of versions.noncurrent.map(restore).reverse()) bucket.history.pushNoncurrent(v);
      recorder.restored(`${name}/${key}`, files, bodies);
    }
    s3.adoptBucket(bucket, memoryBytes);
  }
}

/** Every key of a bucket with a version: current objects and the history's keys, each once. */
function* keysOf(bucket: Bucket): Generator<string> {
  const seen = new Set<string>();
  for (const keys of [bucket.keys, bucket.history.keys]) {
    for (let i = 0; i < keys.size; i++) {
      const key = keys.at(i) as string;
      if (!seen.has(key)) {
        seen.add(key);
        yield key;
      }
    }
  }
}
