import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactRef } from '../core/types.js';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  InvalidArtifactRefError,
} from './errors.js';
import type { ArtifactStore } from './types.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const URI_PREFIX = 'artifact://sha256/';

/** Prefix of the temporary files that writes rename into place. Readers never open them. */
export const TEMP_FILE_PREFIX = '.tmp-';

/**
 * Artifacts as files under `<rootDir>/sha256/<first 2 hex>/<hex>`.
 * A write goes to a temporary file in the same folder, is flushed to disk
 * and then renamed, so a reader sees either no file or the whole file, and
 * concurrent writers of the same bytes replace each other harmlessly.
 * The media type is not stored: it travels in the ArtifactRef.
 */
export class LocalArtifactStore implements ArtifactStore {
  constructor(readonly rootDir: string) {}

  /** Stores the bytes unless a file of the same hash and size exists, and returns their reference. */
  async put(bytes: Uint8Array, mediaType: string): Promise<ArtifactRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const file = this.pathOf(sha256);
    if ((await sizeOf(file)) !== bytes.byteLength) await writeAtomically(file, bytes);
    return { uri: `${URI_PREFIX}${sha256}`, sha256, sizeBytes: bytes.byteLength, mediaType };
  }

  /**
   * Reads an artifact and checks its hash. Throws ArtifactNotFoundError when
   * the file is missing and ArtifactIntegrityError when its bytes changed.
   */
  async get(ref: Pick<ArtifactRef, 'sha256'>): Promise<Buffer> {
    const file = this.pathOf(ref.sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if (isMissingFile(error)) throw new ArtifactNotFoundError(ref.sha256, file);
      throw error;
    }

    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== ref.sha256) throw new ArtifactIntegrityError(ref.sha256, actual, file);
    return bytes;
  }

  /** Stores a value as JSON with object keys sorted, so equal values get the same hash. */
  putJson(value: unknown): Promise<ArtifactRef> {
    return this.put(Buffer.from(stableStringify(value), 'utf8'), 'application/json');
  }

  /** Reads and parses a JSON artifact. The type `T` is not checked. */
  async getJson<T>(ref: Pick<ArtifactRef, 'sha256'>): Promise<T> {
    return JSON.parse((await this.get(ref)).toString('utf8')) as T;
  }

  /** Tells whether a file exists for the hash, without reading or checking it. */
  async has(ref: Pick<ArtifactRef, 'sha256'>): Promise<boolean> {
    return (await sizeOf(this.pathOf(ref.sha256))) !== null;
  }

  /** Returns the file path for a hash. Throws InvalidArtifactRefError unless it is 64 lowercase hex digits. */
  pathOf(sha256: string): string {
    // The hash becomes a path, so anything but hex could escape the root folder.
    if (!SHA256_HEX.test(sha256)) throw new InvalidArtifactRefError(sha256);
    return path.join(this.rootDir, 'sha256', sha256.slice(0, 2), sha256);
  }
}

/** Returns the hash in an `artifact://sha256/<hex>` URI. Throws InvalidArtifactRefError for any other form. */
export function parseArtifactUri(uri: string): { sha256: string } {
  const sha256 = uri.startsWith(URI_PREFIX) ? uri.slice(URI_PREFIX.length) : '';
  if (!SHA256_HEX.test(sha256)) throw new InvalidArtifactRefError(uri);
  return { sha256 };
}

/**
 * Serializes like JSON.stringify but with the keys of every object sorted,
 * so the output depends only on the value. Throws for a value that has no
 * JSON form, such as undefined or a function.
 */
export function stableStringify(value: unknown): string {
  const text = JSON.stringify(value, (_key, current: unknown) => {
    if (!isPlainObject(current)) return current;
    const entries = Object.entries(current).sort(([a], [b]) => compareKeys(a, b));
    return Object.fromEntries(entries);
  });
  if (text === undefined) throw new TypeError(`cannot store ${typeof value} as JSON`);
  return text;
}

function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true });
  const temp = path.join(
    folder,
    `${TEMP_FILE_PREFIX}${path.basename(file)}-${randomBytes(6).toString('hex')}`,
  );

  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
}

function isMissingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
