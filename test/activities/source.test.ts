import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { resolveAllowedFile } from '../../activities/source.js';

let root: string;
let outside: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-root-'));
  outside = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-outside-'));
  await writeFile(path.join(root, 'data.csv'), 'a,b\n1,2\n');
  await mkdir(path.join(root, 'folder.csv'));
  execFileSync('mkfifo', [path.join(root, 'pipe.csv')]);
  await writeFile(path.join(outside, 'secret.csv'), 'x\n');
  await symlink(path.join(outside, 'secret.csv'), path.join(root, 'link.csv'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

async function failureOf(filePath: string): Promise<ApplicationFailure> {
  const error = await resolveAllowedFile(filePath, [root]).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('resolveAllowedFile', () => {
  it('accepts a file inside a root', async () => {
    expect(await resolveAllowedFile('data.csv', [root])).toBe(path.join(root, 'data.csv'));
  });

  it('rejects a directory', async () => {
    const failure = await failureOf('folder.csv');
    expect(failure.type).toBe('INFEASIBLE');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      `data path ${path.join(root, 'folder.csv')} is not a regular file: point data.source.path at a file`,
    );
  });

  it('rejects a FIFO without reading it', async () => {
    const failure = await failureOf('pipe.csv');
    expect(failure.type).toBe('INFEASIBLE');
    expect(failure.message).toContain('is not a regular file');
  });

  it('rejects a link leading outside', async () => {
    const failure = await failureOf('link.csv');
    expect(failure.type).toBe('SOURCE_NOT_ALLOWED');
    expect(failure.nonRetryable).toBe(true);
  });

  it('rejects a missing file', async () => {
    const failure = await failureOf('nope.csv');
    expect(failure.type).toBe('INFEASIBLE');
    expect(failure.message).toBe(
      `data file ${path.join(root, 'nope.csv')} does not exist: check data.source.path`,
    );
  });
});
