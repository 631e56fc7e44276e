import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldIssue } from '../../core/errors.js';
import { findPathsOutsideRoots, parseSpecText, resolveSpecPaths, specFormatOf } from '../../core/spec-file.js';

function syntaxIssue(text: string, format: 'yaml' | 'json'): FieldIssue {
  try {
    parseSpecText(text, format, 'spec.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, subject } = error as ValidationError;
    expect(subject).toBe('spec.yaml');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('');
    return issues[0]!;
  }
  throw new Error('expected a ValidationError');
}

function syntaxMessage(text: string, format: 'yaml' | 'json'): string {
  return syntaxIssue(text, format).message;
}

/** YAML whose anchors each alias the previous one nine times, so it expands to 9^depth scalars. */
function aliasBomb(depth: number): string {
  const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level <= depth; level++) {
    lines.push(`l${level}: &l${level} [${Array(9).fill(`*l${level - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
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

  it.each([
    ['YAML', 'name: credit\ndata:\n  source: [file\n', 'yaml', '  source: [file'],
    ['JSON', '{\n  "name": "credit"\n  "owner": "ana"\n}', 'json', '  "owner": "ana"'],
    ['unlocated JSON', '{"name": ', 'json', '{"name": '],
  ] as const)('quotes the offending %s line', (_case, text, format, line) => {
    expect(syntaxIssue(text, format).value).toBe(line);
  });

  it('describes syntax errors without "missing"', () => {
    try {
      parseSpecText('name: a\nname: b\n', 'yaml');
    } catch (error) {
      expect((error as Error).message).not.toContain('(missing)');
      return;
    }
    throw new Error('expected a ValidationError');
  });

  it('excerpts a long line around the column', () => {
    const issue = syntaxIssue(`{"a": "${'x'.repeat(500)}" ,, }`, 'json');

    expect(issue.message).toMatch(/^invalid JSON at line 1, column 511: /);
    expect(issue.value).toBe(`…${'x'.repeat(54)}" ,, }`);
  });

  it('rejects an alias bomb', () => {
    const issue = syntaxIssue(aliasBomb(4), 'yaml');

    expect(issue.message).toBe(
      'invalid YAML: its aliases (*name) expand to more than 100 copies of anchored nodes, ' +
        'which looks like an alias bomb; write the values out instead of aliasing them',
    );
    expect(issue.value).toBe('l1: &l1 [*l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0, *l0]');
  });

  it('resolves a few aliases', () => {
    expect(parseSpecText('a: &a [1, 2]\nb: *a\n', 'yaml')).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('rejects an unresolved alias', () => {
    expect(syntaxIssue('a: *nope\n', 'yaml')).toEqual({
      path: '',
      value: 'a: *nope',
      message: 'invalid YAML: Unresolved alias (the anchor must be set before the alias): nope',
    });
  });

  it.each([
    ['block sequences on one line', `${'- '.repeat(1000)}x\n`, 'yaml', 'line 1, column 127'],
    ['flow sequences', `a: ${'['.repeat(100_000)}`, 'yaml', 'line 1, column 66'],
    ['indented maps', `${Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')}\n`, 'yaml', 'line 64, column 65'],
    ['JSON arrays', `{"a": ${'['.repeat(100_000)}`, 'json', 'line 1, column 70'],
  ] as const)('rejects deeply nested %s', (_case, text, format, where) => {
    expect(syntaxMessage(text, format)).toBe(`nested more than 64 levels deep at ${where}; a project spec needs only a few levels`);
  });

  it('accepts brackets inside JSON strings', () => {
    expect(parseSpecText(`{"a": "${'['.repeat(1000)}"}`, 'json')).toEqual({ a: '['.repeat(1000) });
  });

  it('survives deep YAML after a flow-map error', () => {
    // yaml 2.9 recursing near the stack limit after this error once crashed the process with a fatal RegExpCompiler error.
    expect(syntaxMessage('{"name": ', 'yaml')).toMatch(/^invalid YAML at line 1, column 10: /);

    expect(syntaxMessage(`${'- '.repeat(1000)}x\n`, 'yaml')).toMatch(/^nested more than 64 levels deep/);
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
