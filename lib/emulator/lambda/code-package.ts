/**
 * A function's deployment package: a .zip (CreateFunction's and UpdateFunctionCode's `ZipFile`, or an object in
 * the emulator's own S3) unpacked safely into a directory of its own, with Lambda's CodeSha256 and CodeSize. A
 * cdk.out asset directory is a package too (`npm start` runs the bundled assets in place).
 *
 *   const zip = codeZipFromS3(emu.s3, 'cdk-hnb659fds-assets-…', 'abc.zip');
 *   const pkg = await unpackCodePackage(zip, '/tmp/…/fn/1');
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type * as yauzl from 'yauzl';
import { AwsError } from '../errors';
import type { S3Service } from '../s3/service';

/** AWS: 250 MB for a function's unzipped code. */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** Local bound on the files of one package: unpacking is a loop over entries the caller chose. */
export const MAX_ZIP_ENTRIES = 20_000;
/** The file name a package's .zip keeps beside its unpacked code (for GetFunction's Code.Location). */
export const PACKAGE_ZIP = 'package.zip';

/** Where a function's code comes from: a .zip (bytes, or an object in the emulator's S3), or a directory. */
export type FunctionCode =
  | { readonly zipFile: Buffer }
  | { readonly s3Bucket: string; readonly s3Key: string; readonly s3ObjectVersion?: string }
  | { readonly directory: string };

/**
 * The code a template's `Code.S3Bucket`/`S3Key` names: the cdk.out asset when the deploy runs from the cloud
 * assembly (`localAsset`: a bundled directory, or a .zip file), else the object in the emulator's S3 (the
 * assets `cdk deploy` uploaded to the bootstrap bucket). Undefined when it is in neither.
 */
export function templateCode(
  code: { readonly S3Bucket?: unknown; readonly S3Key?: unknown; readonly S3ObjectVersion?: unknown },
  localAsset: string | undefined,
  s3: S3Service,
): FunctionCode | undefined {
  const stat = localAsset === undefined ? undefined : statSync(localAsset, { throwIfNoEntry: false });
  if (localAsset !== undefined && stat?.isDirectory()) return { directory: localAsset };
  if (localAsset !== undefined && stat?.isFile()) return { zipFile: readFileSync(localAsset) };
  if (typeof code.S3Bucket === 'string' && typeof code.S3Key === 'string') {
    const version = code.S3ObjectVersion === undefined ? undefined : String(code.S3ObjectVersion);
    try {
      s3.getObject(code.S3Bucket, code.S3Key, version);
    } catch {
      return undefined;
    }
    return {
      s3Bucket: code.S3Bucket,
      s3Key: code.S3Key,
      ...(code.S3ObjectVersion !== undefined ? { s3ObjectVersion: String(code.S3ObjectVersion) } : {}),
    };
  }
  return undefined;
}

/** Code unpacked and ready to run. */
export interface CodePackage {
  /** Directory of the unpacked code (the function's /var/task). */
  readonly directory: string;
  /** Base64 SHA-256 of the .zip, as Lambda reports it. */
  readonly codeSha256: string;
  /** Bytes of the .zip. */
  readonly codeSize: number;
  /** The .zip itself, kept for GetFunction; absent for a cdk.out asset directory. */
  readonly zipFile?: string;
}

/** AWS's answer to a .zip it cannot read. */
const UNZIP_FAILED = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

function invalidParameterValue(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, 400);
}

/**
 * Unpacks `zip` into `directory` (created; must not exist yet) and keeps the .zip beside it. Refused before
 * anything is written: an unreadable .zip, more than {@link MAX_ZIP_ENTRIES} entries, entries that declare more
 * than 250 MB unzipped; while writing: an entry whose path leaves the directory (zip-slip), a symbolic link,
 * an entry larger than it declared. A refused package leaves its directory behind for the caller to remove.
 */
export async function unpackCodePackage(zip: Buffer, directory: string): Promise<CodePackage> {
  const entries = await readEntries(zip);
  const root = path.join(directory, 'code');
  mkdirSync(root, { recursive: true });
  try {
    // every path is checked before the first file is written
    const files = entries.map((entry) => ({ entry, file: entryPath(root, entry) }));
    for (const { entry, file } of files) {
      if (entry.fileName.endsWith('/')) {
        mkdirSync(file, { recursive: true });
        continue;
      }
      mkdirSync(path.dirname(file), { recursive: true });
      await writeEntry(entries.zipfile, entry, file);
    }
  } finally {
    entries.zipfile.close();
  }
  const zipFile = path.join(directory, PACKAGE_ZIP);
  writeFileSync(zipFile, zip);
  return { directory: root, ...digestOf(zip), zipFile };
}

/** CodeSha256 and CodeSize of a .zip. */
export function digestOf(zip: Buffer): { readonly codeSha256: string; readonly codeSize: number } {
  return { codeSha256: createHash('sha256').update(zip).digest('base64'), codeSize: zip.length };
}

/**
 * A cdk.out asset directory as a package: its digest covers every file's relative path and bytes, so a rebuilt
 * asset with other code has another CodeSha256 (there is no .zip to hash).
 */
export function directoryPackage(directory: string): CodePackage {
  const hash = createHash('sha256');
  let size = 0;
  let files = 0;
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), `${relative}/`);
      else if (entry.isFile() && ++files <= MAX_ZIP_ENTRIES) {
        const bytes = readFileSync(path.join(dir, entry.name));
        size += bytes.length;
        hash.update(`${relative}\0${bytes.length}\0`).update(bytes);
      }
    }
  };
  walk(directory, '');
  return { directory, codeSha256: hash.digest('base64'), codeSize: size };
}

/** The .zip at `bucket`/`key` of the emulator's own S3, with Lambda's errors for what is not there. */
export function codeZipFromS3(s3: S3Service, bucket: string, key: string, version?: string): Buffer {
  try {
    // a Buffer, or a body that may live on disk (S3's large objects) and is read whole here
    const body = s3.getObject(bucket, key, version).body as
      Buffer | { readonly length: number; toBuffer(): Buffer };
    // AWS: the code, zipped or not, is at most 250 MB; nothing larger is read into memory
    if (body.length > MAX_UNZIPPED_BYTES) {
      throw invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    }
    return Buffer.isBuffer(body) ? body : body.toBuffer();
  } catch (error) {
    if (error instanceof AwsError && error.code !== 'InvalidParameterValueException') {
      // AWS's wording when the code's object cannot be read, quoting S3's error
      throw invalidParameterValue(
        `Error occurred while GetObject. S3 Error Code: ${error.code}. S3 Error Message: ${error.message}`,
      );
    }
    throw error;
  }
}

type Entries = yauzl.Entry[] & { zipfile: yauzl.ZipFile };

/** Every entry of the central directory, checked against the bounds before any byte is unpacked. */
async function readEntries(zip: Buffer): Promise<Entries> {
  let zipfile: yauzl.ZipFile;
  try {
    // loaded by the first .zip: the emulator's start does not pay for it
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fromBufferPromise } = require('yauzl') as typeof yauzl;
    zipfile = await fromBufferPromise(zip, { lazyEntries: true, autoClose: false });
  } catch {
    throw invalidParameterValue(UNZIP_FAILED);
  }
  if (zipfile.entryCount > MAX_ZIP_ENTRIES) {
    zipfile.close();
    throw invalidParameterValue(
      `${UNZIP_FAILED} The .zip has ${zipfile.entryCount} entries; the local emulator unpacks at most ${MAX_ZIP_ENTRIES}.`,
    );
  }
  const entries = [] as unknown as Entries;
  entries.zipfile = zipfile;
  let unzipped = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zipfile.on('error', reject);
      zipfile.on('end', () => resolve());
      zipfile.on('entry', (entry: yauzl.Entry) => {
        unzipped += entry.uncompressedSize;
        if (unzipped > MAX_UNZIPPED_BYTES) {
          reject(invalidParameterValue(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`));
          return;
        }
        // Unix mode in the high 16 bits: 0o120000 is a symbolic link
        if (((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000) {
          reject(
            invalidParameterValue(
              `${UNZIP_FAILED} The entry ${entry.fileName} is a symbolic link, which the local emulator does not unpack.`,
            ),
          );
          return;
        }
        entries.push(entry);
        zipfile.readEntry();
      });
      zipfile.readEntry();
    });
  } catch (error) {
    zipfile.close();
    if (error instanceof AwsError) throw error;
    // yauzl refuses absolute paths and `..` itself, by name (a backslash is read as a slash first)
    const message = (error as Error).message;
    const refused = /^(absolute path|invalid relative path|invalid characters in fileName): /.exec(message);
    if (refused) {
      const entry = message.slice(refused[0].length);
      throw invalidParameterValue(`${UNZIP_FAILED} The entry ${entry} leaves the function's directory.`);
    }
    throw invalidParameterValue(UNZIP_FAILED);
  }
  return entries;
}

/** Where an entry goes, refused when it would land outside `root` (yauzl checks names; this checks the result). */
function entryPath(root: string, entry: yauzl.Entry): string {
  const file = path.resolve(root, entry.fileName);
  if (file !== root && !file.startsWith(root + path.sep)) {
    throw invalidParameterValue(
      `${UNZIP_FAILED} The entry ${entry.fileName} leaves the function's directory.`,
    );
  }
  return file;
}

/** Writes one entry; yauzl checks that it inflates to exactly the size it declared (so the bound holds). */
async function writeEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry, file: string): Promise<void> {
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zipfile.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s))),
    );
    const executable = ((entry.externalFileAttributes >>> 16) & 0o111) !== 0;
    await pipeline(stream, createWriteStream(file, { mode: executable ? 0o755 : 0o644 }));
  } catch {
    throw invalidParameterValue(UNZIP_FAILED);
  }
}
