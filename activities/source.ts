import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ProjectSpec } from '../core/spec.js';
import { parseDelimited, type ParsedTable } from '../core/csv.js';
import { rejectInput } from './failures.js';

/** Files larger than this are rejected, because the parser reads a whole file into memory. */
export const MAX_SOURCE_BYTES = 512 * 1024 * 1024;

/**
 * Resolves a data path and checks that it lies inside an allowed data root.
 * Symbolic links are resolved first, so a link cannot lead outside a root.
 */
export async function resolveAllowedFile(
  filePath: string,
  dataRoots: readonly string[],
): Promise<string> {
  const absolute = path.resolve(dataRoots[0] ?? '.', filePath);
  let real: string;
  try {
    real = await fs.realpath(absolute);
  } catch {
    return rejectInput(
      'INFEASIBLE',
      `data file ${absolute} does not exist: check data.source.path`,
    );
  }
  for (const root of dataRoots) {
    const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
    const relative = path.relative(realRoot, real);
    if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)) {
      return await requireRegularFile(real);
    }
  }
  return rejectInput(
    'SOURCE_NOT_ALLOWED',
    `data file ${real} is outside the allowed data roots (${dataRoots.join(', ')}): ` +
      'move it under one of them or add its folder to FULLCYCLE_DATA_ROOTS',
  );
}

/**
 * Returns the path when it names a regular file. A directory fails to read,
 * and reading a FIFO or device would block a libuv thread indefinitely.
 */
async function requireRegularFile(filePath: string): Promise<string> {
  const stat = await fs.stat(filePath);
  if (!stat.isFile()) {
    rejectInput(
      'INFEASIBLE',
      `data path ${filePath} is not a regular file: point data.source.path at a file`,
    );
  }
  return filePath;
}

export interface SourceTable {
  path: string;
  bytes: Buffer;
  table: ParsedTable;
  columnNames: string[];
}

/** Reads and parses the spec's data file and works out its column names. */
export async function readSourceTable(
  data: ProjectSpec['data'],
  dataRoots: readonly string[],
): Promise<SourceTable> {
  const filePath = await resolveAllowedFile(data.source.path, dataRoots);
  const stat = await fs.stat(filePath);
  if (stat.size > MAX_SOURCE_BYTES) {
    rejectInput(
      'INFEASIBLE',
      `data file ${filePath} is ${stat.size} bytes; the limit is ${MAX_SOURCE_BYTES} bytes`,
    );
  }
  const bytes = await fs.readFile(filePath);
  const table = parseDelimited(bytes.toString('utf8'), data.format);
  const columnNames = await columnNamesFor(data, table, dataRoots);
  return { path: filePath, bytes, table, columnNames };
}

async function columnNamesFor(
  data: ProjectSpec['data'],
  table: ParsedTable,
  dataRoots: readonly string[],
): Promise<string[]> {
  const { format } = data;
  if (format.columns) return format.columns;
  if (format.columnsFile) {
    const namesPath = await resolveAllowedFile(format.columnsFile, dataRoots);
    const text = await fs.readFile(namesPath, 'utf8');
    return text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  }
  if (table.header) return table.header;
  return rejectInput(
    'INFEASIBLE',
    'the data file has no header row (data.format.header is false), so set data.format.columns or data.format.columnsFile',
  );
}
