import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactStore, parseArtifactUri, stableStringify } from '../../store/artifacts.js';
import { ArtifactIntegrityError, ArtifactNotFoundError, InvalidArtifactRefError } from '../../store/errors.js';

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Lists every file below a folder, relative to it. */
async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('LocalArtifactStore', () => {
  let root: string;
  let store: LocalArtifactStore;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-artifacts-'));
    store = new LocalArtifactStore(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores bytes under their hash and returns a reference', async () => {
    const bytes = Buffer.from('model weights');
    const hex = sha256(bytes);

    const ref = await store.put(bytes, 'application/octet-stream');

    expect(ref).toEqual({ uri: `artifact://sha256/${hex}`, sha256: hex, sizeBytes: bytes.length, mediaType: 'application/octet-stream' });
    expect(await listFiles(root)).toEqual([path.join('sha256', hex.slice(0, 2), hex)]);
    expect(await store.get(ref)).toEqual(bytes);
  });

  it('returns the same reference for the same bytes', async () => {
    const first = await store.put(Buffer.from('same'), 'text/plain');

    const second = await store.put(Buffer.from('same'), 'text/plain');

    expect(second).toEqual(first);
    expect(await listFiles(root)).toHaveLength(1);
  });

  it('reports whether an artifact exists', async () => {
    const ref = await store.put(Buffer.from('present'), 'text/plain');

    expect(await store.has(ref)).toBe(true);
    expect(await store.has({ sha256: sha256('absent') })).toBe(false);
  });

  it('throws ArtifactNotFoundError for a missing artifact', async () => {
    const hex = sha256('absent');

    const attempt = store.get({ sha256: hex });

    await expect(attempt).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(attempt).rejects.toThrow(`artifact sha256:${hex} not found at ${path.join(root, 'sha256', hex.slice(0, 2), hex)}`);
  });

  it('throws ArtifactIntegrityError when the file was altered', async () => {
    const ref = await store.put(Buffer.from('original'), 'text/plain');
    const file = store.pathOf(ref.sha256);
    await writeFile(file, 'tampered');

    const attempt = store.get(ref);

    await expect(attempt).rejects.toBeInstanceOf(ArtifactIntegrityError);
    await expect(attempt).rejects.toThrow(
      `artifact sha256:${ref.sha256} is corrupt: the file ${file} hashes to ${sha256('tampered')}; ` +
        'delete the file and produce the artifact again',
    );
  });

  it('rewrites a file of the wrong size on put', async () => {
    const ref = await store.put(Buffer.from('original'), 'text/plain');
    await writeFile(store.pathOf(ref.sha256), 'cut');

    await store.put(Buffer.from('original'), 'text/plain');

    expect((await store.get(ref)).toString()).toBe('original');
  });

  it('rejects a hash that is not 64 hex digits', async () => {
    const attempt = store.get({ sha256: '../../etc/passwd' });

    await expect(attempt).rejects.toBeInstanceOf(InvalidArtifactRefError);
    await expect(attempt).rejects.toThrow(
      'invalid artifact reference "../../etc/passwd": expected artifact://sha256/ and 64 lowercase hex digits',
    );
  });

  it('leaves no temporary files after concurrent writes', async () => {
    const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024, i % 4));

    const refs = await Promise.all(payloads.map((bytes) => store.put(bytes, 'application/octet-stream')));

    const files = await listFiles(root);
    expect(files).toHaveLength(4);
    expect(files.filter((file) => path.basename(file).startsWith('.tmp-'))).toEqual([]);
    for (const ref of refs) expect((await store.get(ref)).length).toBe(64 * 1024);
  });

  it('stores JSON with sorted keys', async () => {
    const ref = await store.putJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } });
    const same = await store.putJson({ a: { c: null, d: [3, { y: 2, z: 1 }] }, b: 1 });

    expect(same).toEqual(ref);
    expect(ref.mediaType).toBe('application/json');
    expect((await store.get(ref)).toString()).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(await store.getJson(ref)).toEqual({ a: { c: null, d: [3, { y: 2, z: 1 }] }, b: 1 });
  });
});

describe('stableStringify', () => {
  it('keeps array order and uses toJSON', () => {
    expect(stableStringify([3, 1, new Date('2026-01-02T03:04:05.000Z')])).toBe('[3,1,"2026-01-02T03:04:05.000Z"]');
  });

  it('rejects a value without a JSON form', () => {
    expect(() => stableStringify(undefined)).toThrow('cannot store undefined as JSON');
  });
});

describe('parseArtifactUri', () => {
  const hex = sha256('x');

  it('returns the hash of a valid URI', () => {
    expect(parseArtifactUri(`artifact://sha256/${hex}`)).toEqual({ sha256: hex });
  });

  it.each([`artifact://md5/${hex}`, `artifact://sha256/${hex.toUpperCase()}`, `artifact://sha256/${hex}/extra`, 'file:///etc/passwd'])(
    'rejects %s',
    (uri) => {
      expect(() => parseArtifactUri(uri)).toThrow(InvalidArtifactRefError);
      expect(() => parseArtifactUri(uri)).toThrow(`invalid artifact reference "${uri}"`);
    },
  );
});
