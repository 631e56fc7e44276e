import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * Throws when a TCP port on 127.0.0.1 is taken, naming the setting that
 * moves it. Checked before anything starts, so a second `fullcycle dev` or
 * demo fails at once instead of half-starting against the first one.
 */
export async function requireFreePort(port: number, setting: string): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (!free) {
    throw new Error(
      `port ${port} on 127.0.0.1 is already in use (is "fullcycle dev" or a demo running?): ` +
        `stop that process or set ${setting} to another port`,
    );
  }
}

/** Returns true when a process with this id exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process by writing its pid to
 * `<dataDir>/fullcycle.lock`. PGlite and the dev server's SQLite file each
 * allow one process, so a second process on the same folder is refused
 * with the pid of the process that owns it. A lock left by a process that no longer
 * exists is taken over. Returns the function that releases the lock.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDir, 'fullcycle.lock');
  const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new Error(
      `data folder ${dataDir} is in use by process ${holder}: stop it, or give this process another ` +
        'folder with FULLCYCLE_DATA_DIR',
    );
  }
  await writeFile(lockFile, String(process.pid));
  return async () => {
    await rm(lockFile, { force: true });
  };
}
