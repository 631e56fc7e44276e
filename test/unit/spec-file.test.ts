import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { findPathsOutsideRoots, parseSpecText, resolveSpecPaths, specFormatOf } from '../../core/spec-file.js';

function syntaxMessage(text: string, format: 'yaml' | 'json'): string {
  try {
    parseSpecText(text, format, 'spec.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, subject } = error as ValidationError;
    expect(subject).toBe('spec.yaml');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('');
    return issues[0]!.message;
  }
  throw new Error('expected a ValidationError');
}

describe('parseSpecText', () => {
  it('parses YAML', () => {
    const text = 'name: credit\ndata:\n  source: { type: file, path: a.csv }\n  target:\n    positiveClass: 2\n';

    expect(parseSpecText(text, 'yaml')).toEqual({
      name: 'credit',
      data: { source: { type: 'file', path: 'a.csv' }, target: { positiveClass: 2 } },
    });
  });

  it('parses JSON', () => {
    expect(parseSpecText('{"name": "credit", "training": {"models": []}}', 'json')).toEqual({
      name: 'credit',
      training: { models: [] },
    });
  });

  it.each([
    ['an unclosed flow sequence', 'name: credit\ndata:\n  source: [file\n', /^invalid YAML at line 4, column 1: /],
    ['an indented key under a scalar', 'name: credit\n  owner: ana\n', /^invalid YAML at line 1, column 7: Nested mappings/],
    ['a duplicate key', 'name: a\nname: b\n', /^invalid YAML at line 2, column 1: Map keys must be unique/],
    ['two documents', 'name: a\n---\nname: b\n', /^invalid YAML at line 2, column 1: Source contains multiple documents/],
  ])('names the line of %s in YAML', (_case, text, expected) => {
    expect(syntaxMessage(text, 'yaml')).toMatch(expected);
  });

  it('names the line of a JSON syntax error', () => {
    expect(syntaxMessage('{\n  "name": "credit"\n  "owner": "ana"\n}', 'json')).toMatch(/^invalid JSON at line 3, column 3: /);
  });

  it('rejects empty text', () => {
    expect(syntaxMessage('  \n', 'yaml')).toBe('is empty: expected a YAML or JSON object');
  });
});

describe('specFormatOf', () => {
  it.each([
    ['spec.json', 'json'],
    ['SPEC.JSON', 'json'],
    ['application/json', 'json'],
    ['spec.yaml', 'yaml'],
    ['spec.yml', 'yaml'],
    ['application/yaml', 'yaml'],
  ] as const)('reads %s as %s', (name, format) => {
    expect(specFormatOf(name)).toBe(format);
  });
});

describe('resolveSpecPaths', () => {
  const spec = {
    name: 'credit',
    data: { source: { type: 'file', path: 'german.data' }, format: { columnsFile: '../names.txt' } },
  };

  it('resolves relative data paths against the base folder', () => {
    const resolved = resolveSpecPaths(spec, '/data/credit');

    expect(resolved.data.source.path).toBe(path.resolve('/data/credit/german.data'));
    expect(resolved.data.format.columnsFile).toBe(path.resolve('/data/names.txt'));
  });

  it('leaves absolute paths and the input unchanged', () => {
    const absolute = { data: { source: { path: '/srv/data/german.data' } } };

    expect(resolveSpecPaths(absolute, '/elsewhere')).toEqual(absolute);
    resolveSpecPaths(spec, '/data/credit');
    expect(spec.data.source.path).toBe('german.data');
  });

  it.each([
    ['no data section', { name: 'credit' }],
    ['a path that is not a string', { data: { source: { path: 42 } } }],
    ['a data section that is a list', { data: [] }],
    ['null', null],
  ])('passes through %s', (_case, input) => {
    expect(resolveSpecPaths(input, '/data')).toEqual(input);
  });
});

describe('findPathsOutsideRoots', () => {
  const roots = ['/srv/data', '/home/ana/datasets'];
  const specWith = (source: string, columnsFile?: string) => ({
    data: { source: { path: source }, format: columnsFile ? { columnsFile } : {} },
  });

  it.each(['/srv/data/german.data', '/srv/data/sub/dir/file.csv', '/home/ana/datasets/x.csv'])('accepts %s', (file) => {
    expect(findPathsOutsideRoots(specWith(file), roots)).toEqual([]);
  });

  it.each(['/etc/passwd', '/srv/data', '/srv/database/x.csv', '/srv/data/../secrets.csv', '/srv/data/..'])(
    'rejects %s',
    (file) => {
      expect(findPathsOutsideRoots(specWith(file), roots)).toEqual([
        {
          path: 'data.source.path',
          value: file,
          message:
            'must be a file inside one of the allowed data roots (/srv/data, /home/ana/datasets); ' +
            'move the file there or add its folder to FULLCYCLE_DATA_ROOTS',
        },
      ]);
    },
  );

  it('accepts a file whose name starts with two dots', () => {
    expect(findPathsOutsideRoots(specWith('/srv/data/..hidden.csv'), roots)).toEqual([]);
  });

  it('checks the columns file too', () => {
    const issues = findPathsOutsideRoots(specWith('/srv/data/a.csv', '/tmp/names.txt'), roots);

    expect(issues.map((issue) => issue.path)).toEqual(['data.format.columnsFile']);
  });
});
