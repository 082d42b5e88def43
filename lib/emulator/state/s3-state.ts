/**
 * S3's durable state as records: each bucket's settings, each key's versions (current, noncurrent, delete
 * markers) with their metadata, and each multipart upload in progress with its parts. Bodies up to 4 KiB go in the
 * record; larger ones are files under `s3-bodies/`, written and synced before the record that points to them is
 * appended, and deleted once no durable record does. A completed multipart object points to its parts' files
 * (each byte is written once, as its part arrived).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';
import type { AccessControlPolicy, ObjectOwnership } from '../s3/acl';
import type { BucketEncryption } from '../s3/encryption';
import { Bucket, MultipartUpload, type StoredObject, type UploadedPart } from '../s3/model';
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

type PieceValue = { readonly inline: string } | { readonly file: string; readonly length: number };
/** A body: in the record, in a file, or a completed multipart object's parts one after the other. */
type BodyValue = PieceValue | { readonly pieces: readonly PieceValue[] };
type ObjectValue = Omit<StoredObject, 'key' | 'body'> & { body: BodyValue };
type MarkerValue = Omit<DeleteMarker, 'key'>;
type VersionValue = ObjectValue | MarkerValue;

/** A key's versions as persisted (key: bucket and object key): the current one (object or marker), then older. */
interface KeyValue {
  current?: VersionValue;
  noncurrent: VersionValue[];
}

/** A multipart upload in progress as persisted (key: bucket and upload id); each part is a record of its own. */
interface UploadValue {
  key: string;
  headers: MultipartUpload['headers'];
  metadata: MultipartUpload['metadata'];
  checksumAlgorithm?: MultipartUpload['checksumAlgorithm'];
  initiated: number;
  tags?: MultipartUpload['tags'];
  customerKey?: MultipartUpload['customerKey'];
  encryption?: MultipartUpload['encryption'];
  acl?: MultipartUpload['acl'];
}

/** A part of an upload in progress (key: bucket, upload id and part number): one record per UploadPart. */
type PartValue = Omit<UploadedPart, 'body'> & { body: BodyValue };

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
  /** Bucket → multipart uploads created or ended since the last drain. */
  private changedUploads = new Map<string, Set<string>>();
  /** Bucket → upload → parts uploaded since the last drain. */
  private changedParts = new Map<string, Map<string, Set<number>>>();
  /** The parts journaled of each upload in progress (`bucket/id`): its end lets go of their files. */
  private journaledParts = new Map<string, Set<number>>();
  /** The file holding each body already written (restored bodies included). */
  private readonly fileOf = new WeakMap<ObjectBody, string>();
  /**
   * Files of each key (`bucket/key`) and part (`part:bucket/id/number`) as last journaled, and how many journaled
   * versions and parts point to each file.
   */
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

  uploadChanged(bucket: string, uploadId: string, partNumber?: number): void {
    if (partNumber === undefined) {
      let uploads = this.changedUploads.get(bucket);
      if (!uploads) this.changedUploads.set(bucket, (uploads = new Set()));
      uploads.add(uploadId);
    } else {
      let uploads = this.changedParts.get(bucket);
      if (!uploads) this.changedParts.set(bucket, (uploads = new Map()));
      let parts = uploads.get(uploadId);
      if (!parts) uploads.set(uploadId, (parts = new Set()));
      parts.add(partNumber);
    }
    this.changed();
  }

  /**
   * Writes (and syncs) the files of the changed keys' and uploads' bodies not yet on disk; undefined when there are
   * none. A completed multipart object's parts were written as they arrived: it needs no file of its own.
   */
  prepare(): Promise<void> | undefined {
    const missing = new Set<ObjectBody>();
    const need = (body: ObjectBody): void => {
      if (body.length <= INLINE_BODY_BYTES) return;
      if (body.pieces) for (const piece of body.pieces) need(piece);
      else if (!this.fileOf.has(body)) missing.add(body);
    };
    for (const [name, keys] of this.changedKeys) {
      const bucket = this.s3.bucketState(name);
      if (!bucket) continue;
      for (const key of keys) {
        for (const version of versionsOf(bucket, key)) if (!isDeleteMarker(version)) need(version.body);
      }
    }
    for (const [name, uploads] of this.changedParts) {
      const bucket = this.s3.bucketState(name);
      for (const [id, numbers] of uploads) {
        const upload = bucket?.uploads.get(id);
        for (const n of numbers) {
          const part = upload?.parts.get(n);
          if (part) need(part.body);
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
        this.account(id, value && bodiesOf(value));
        out.push({ svc: 's3', kind: 'key', key: [name, key], value: value ?? null });
      }
    }
    this.changedKeys = new Map();
    // uploads created, then their parts (a replay needs the upload first), then the ended ones: after the keys, so a
    // completed upload's files are counted for its object before the upload lets go of them
    const ended: (readonly [string, string])[] = [];
    for (const [name, uploads] of this.changedUploads) {
      const bucket = this.s3.bucketState(name);
      for (const id of uploads) {
        const upload = bucket?.uploads.get(id);
        if (upload) out.push({ svc: 's3', kind: 'upload', key: [name, id], value: uploadValue(upload) });
        else ended.push([name, id]);
      }
    }
    for (const [name, uploads] of this.changedParts) {
      const bucket = this.s3.bucketState(name);
      for (const [id, numbers] of uploads) {
        const upload = bucket?.uploads.get(id);
        for (const n of numbers) {
          const part = upload?.parts.get(n);
          if (part) out.push(this.partRecord(name, id, part));
        }
      }
    }
    for (const [name, id] of ended) {
      for (const n of this.journaledParts.get(`${name}/${id}`) ?? [])
        this.account(partId(name, id, n), undefined);
      this.journaledParts.delete(`${name}/${id}`);
      out.push({ svc: 's3', kind: 'upload', key: [name, id], value: null });
    }
    this.changedUploads = new Map();
    this.changedParts = new Map();
  }

  snapshot(out: StateRecord[]): void {
    const previous = this.fileRefs;
    this.journaledFiles = new Map();
    this.fileRefs = new Map();
    this.journaledParts = new Map();
    for (const name of this.s3.bucketNames()) {
      out.push(this.bucketRecord(name));
      const bucket = this.s3.bucketState(name) as Bucket;
      for (const key of keysOf(bucket)) {
        const value = this.keyValue(bucket, key);
        if (!value) continue;
        this.account(`${name}/${key}`, bodiesOf(value));
        out.push({ svc: 's3', kind: 'key', key: [name, key], value });
      }
      for (const upload of bucket.uploads.values()) {
        out.push({ svc: 's3', kind: 'upload', key: [name, upload.uploadId], value: uploadValue(upload) });
        for (const part of upload.parts.values()) out.push(this.partRecord(name, upload.uploadId, part));
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

  /** Restore: a part of an upload in progress, its files counted as `restored` counts a key's. */
  restoredPart(
    bucket: string,
    uploadId: string,
    partNumber: number,
    files: readonly string[],
    bodies: ReadonlyMap<string, ObjectBody>,
  ): void {
    this.restored(partId(bucket, uploadId, partNumber), files, bodies);
    this.partsOf(bucket, uploadId).add(partNumber);
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

  private account(id: string, bodies: readonly BodyValue[] | undefined): void {
    this.setFiles(id, filesOf(bodies ?? []));
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
    return { ...rest, body: this.bodyValue(body) };
  }

  /** A part's record, its files counted (a part uploaded again under its number lets go of the old one's). */
  private partRecord(bucket: string, uploadId: string, part: UploadedPart): StateRecord {
    const { body, ...rest } = part;
    const value: PartValue = { ...rest, body: this.bodyValue(body) };
    this.account(partId(bucket, uploadId, part.partNumber), [value.body]);
    this.partsOf(bucket, uploadId).add(part.partNumber);
    return { svc: 's3', kind: 'part', key: [bucket, uploadId, part.partNumber], value };
  }

  private partsOf(bucket: string, uploadId: string): Set<number> {
    let parts = this.journaledParts.get(`${bucket}/${uploadId}`);
    if (!parts) this.journaledParts.set(`${bucket}/${uploadId}`, (parts = new Set()));
    return parts;
  }

  /** Where a body's bytes are: in the record, its file, or its pieces' (a completed multipart object). */
  private bodyValue(body: ObjectBody): BodyValue {
    if (body.length > INLINE_BODY_BYTES && body.pieces)
      return { pieces: body.pieces.map((p) => this.pieceValue(p)) };
    return this.pieceValue(body);
  }

  private pieceValue(body: ObjectBody): PieceValue {
    if (body.length <= INLINE_BODY_BYTES) return { inline: body.toBuffer().toString('base64') };
    const file = this.fileOf.get(body);
    if (file === undefined) throw new Error('an S3 body was not written before its record');
    return { file, length: body.length };
  }
}

/** The id under which a part's files are counted (bucket names have no `:`, so no key's id is one). */
function partId(bucket: string, uploadId: string, partNumber: number): string {
  return `part:${bucket}/${uploadId}/${partNumber}`;
}

function uploadValue(upload: MultipartUpload): UploadValue {
  return {
    key: upload.key,
    headers: upload.headers,
    metadata: upload.metadata,
    checksumAlgorithm: upload.checksumAlgorithm,
    initiated: upload.initiated,
    tags: upload.tags,
    customerKey: upload.customerKey,
    encryption: upload.encryption,
    acl: upload.acl,
  };
}

/** The bodies of a key's versions (delete markers have none). */
function bodiesOf(value: KeyValue): BodyValue[] {
  const bodies: BodyValue[] = [];
  for (const version of [value.current, ...value.noncurrent]) {
    if (version && 'body' in version) bodies.push(version.body);
  }
  return bodies;
}

/** The files bodies point to, their pieces' included (a file once per body that points to it). */
function filesOf(bodies: readonly BodyValue[]): string[] {
  const files: string[] = [];
  for (const body of bodies) {
    for (const piece of 'pieces' in body ? body.pieces : [body]) if ('file' in piece) files.push(piece.file);
  }
  return files;
}

/** Replays S3's records into `s3` (empty, not yet serving). */
export function restoreS3(records: readonly StateRecord[], s3: S3Service, recorder: S3Recorder): void {
  const buckets = new Map<string, BucketValue>();
  const keys = new Map<string, Map<string, KeyValue>>();
  const uploads = new Map<string, Map<string, { value: UploadValue; parts: Map<number, PartValue> }>>();
  const entriesOf = <T>(all: Map<string, Map<string, T>>, name: string): Map<string, T> => {
    let ofBucket = all.get(name);
    if (!ofBucket) all.set(name, (ofBucket = new Map()));
    return ofBucket;
  };
  for (const record of records) {
    if (record.svc !== 's3') continue;
    const name = String(record.key[0]);
    if (record.kind === 'bucket') {
      if (record.value === null) {
        buckets.delete(name);
        keys.delete(name);
        uploads.delete(name);
      } else buckets.set(name, record.value as BucketValue);
    } else if (record.kind === 'key') {
      if (record.value === null) entriesOf(keys, name).delete(String(record.key[1]));
      else entriesOf(keys, name).set(String(record.key[1]), record.value as KeyValue);
    } else if (record.kind === 'upload') {
      if (record.value === null) entriesOf(uploads, name).delete(String(record.key[1]));
      else
        entriesOf(uploads, name).set(String(record.key[1]), {
          value: record.value as UploadValue,
          parts: new Map(),
        });
    } else if (record.kind === 'part') {
      const part = record.value as PartValue;
      uploads.get(name)?.get(String(record.key[1]))?.parts.set(part.partNumber, part);
    } else throw new Error(`unknown record kind s3/${record.kind}`);
  }
  const referenced = new Set<string>();
  for (const name of buckets.keys()) {
    for (const key of keys.get(name)?.values() ?? [])
      for (const file of filesOf(bodiesOf(key))) referenced.add(file);
    for (const upload of uploads.get(name)?.values() ?? []) {
      for (const file of filesOf([...upload.parts.values()].map((p) => p.body))) referenced.add(file);
    }
  }
  recorder.keepOnly(referenced);
  // a body shared by versions (a copy) or by a part and the object it completed is one file, read back as one body
  const bodies = new Map<string, ObjectBody>();
  const pieceOf = (value: PieceValue): ObjectBody => {
    if ('inline' in value) return ObjectBody.of(Buffer.from(value.inline, 'base64'));
    let body = bodies.get(value.file);
    if (!body) bodies.set(value.file, (body = recorder.bodyFile(value.file, value.length)));
    return body;
  };
  const bodyOf = (value: BodyValue): ObjectBody =>
    'pieces' in value ? ObjectBody.concat(value.pieces.map(pieceOf)) : pieceOf(value);
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
      const restore = (v: VersionValue): ObjectVersion => {
        if (!('body' in v)) return { ...v, key };
        const body = bodyOf(v.body);
        memoryBytes += body.memoryBytes;
        return { ...v, key, body };
      };
      const current = versions.current && restore(versions.current);
      if (current && isDeleteMarker(current)) {
        bucket.history.markers.set(key, current);
        bucket.history.keys.insert(key);
      } else if (current) bucket.put(current);
      // pushNoncurrent puts each in front: oldest first
      for (const v of versions.noncurrent.map(restore).reverse()) bucket.history.pushNoncurrent(v);
      recorder.restored(`${name}/${key}`, filesOf(bodiesOf(versions)), bodies);
    }
    for (const [id, { value: u, parts }] of uploads.get(name) ?? []) {
      const upload = new MultipartUpload(
        id,
        u.key,
        u.headers,
        u.metadata,
        u.checksumAlgorithm,
        u.initiated,
        u.tags,
      );
      upload.customerKey = u.customerKey;
      upload.encryption = u.encryption;
      upload.acl = u.acl;
      for (const { body: stored, ...part } of parts.values()) {
        const body = bodyOf(stored);
        memoryBytes += body.memoryBytes;
        upload.parts.set(part.partNumber, { ...part, body });
        recorder.restoredPart(name, id, part.partNumber, filesOf([stored]), bodies);
      }
      bucket.uploads.set(id, upload);
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
