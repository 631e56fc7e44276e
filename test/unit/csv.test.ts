import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDelimited, type DelimitedFormat } from '../../core/csv.js';
import { DataValidationError } from '../../core/dataset.js';

const CSV: DelimitedFormat = { delimiter: ',', quote: '"', header: true, skipLines: 0 };

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('parseDelimited', () => {
  it('reads the German credit file', () => {
    const text = readFileSync(
      new URL('../../examples/credit-scoring/german_credit.data', import.meta.url),
      'utf8',
    );
    const parsed = parseDelimited(text, {
      delimiter: ' ',
      quote: '"',
      header: false,
      skipLines: 0,
    });
    expect(parsed.header).toBeNull();
    expect(parsed.rows).toHaveLength(1000);
    expect(parsed.rows.every((row) => row.length === 21)).toBe(true);
    expect(parsed.rows[0]).toEqual(
      'A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201 1'.split(' '),
    );
    expect(parsed.lineNumbers[0]).toBe(1);
    expect(parsed.lineNumbers[999]).toBe(1000);
  });

  it('splits a header from rows', () => {
    const parsed = parseDelimited('a,b,c\n1,2,3\n4,5,6\n', CSV);
    expect(parsed).toEqual({
      header: ['a', 'b', 'c'],
      rows: [
        ['1', '2', '3'],
        ['4', '5', '6'],
      ],
      lineNumbers: [2, 3],
    });
  });

  it('reads quoted delimiters, quotes and newlines', () => {
    const text = 'id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,plain\n';
    const parsed = parseDelimited(text, CSV);
    expect(parsed.rows).toEqual([
      ['1', 'a, b'],
      ['2', 'say "hi"'],
      ['3', 'two\nlines'],
      ['4', 'plain'],
    ]);
    expect(parsed.lineNumbers).toEqual([2, 3, 4, 6]);
  });

  it('strips a BOM, CRLF and skipped lines', () => {
    // The layout of the Taiwan credit default file: a BOM, a line of codes, then the header.
    const text = '\uFEFFX0,X1,Y\r\nID,LIMIT,default\r\n1,20000,1\r\n2,120000,0\r\n';
    const parsed = parseDelimited(text, { ...CSV, skipLines: 1 });
    expect(parsed.header).toEqual(['ID', 'LIMIT', 'default']);
    expect(parsed.rows).toEqual([
      ['1', '20000', '1'],
      ['2', '120000', '0'],
    ]);
    expect(parsed.lineNumbers).toEqual([3, 4]);
  });

  it('keeps CRLF inside a quoted field', () => {
    const parsed = parseDelimited('a,b\r\n"x\r\ny",2\r\n3,4', CSV);
    expect(parsed.rows).toEqual([
      ['x\r\ny', '2'],
      ['3', '4'],
    ]);
    expect(parsed.lineNumbers).toEqual([2, 4]);
  });

  it('ignores blank trailing lines', () => {
    const parsed = parseDelimited('a,b\n1,2\n\r\n  \n\n', CSV);
    expect(parsed.rows).toEqual([['1', '2']]);
  });

  it('keeps empty fields', () => {
    const parsed = parseDelimited('a,b,c\n,,\n1,,\n"",x,', CSV);
    expect(parsed.rows).toEqual([
      ['', '', ''],
      ['1', '', ''],
      ['', 'x', ''],
    ]);
  });

  it('keeps a quote inside an unquoted field', () => {
    const parsed = parseDelimited('height\n5\'6"\n', { ...CSV, quote: "'" });
    expect(parsed.rows).toEqual([[`5'6"`]]);
  });

  it('honours another delimiter and quote', () => {
    const parsed = parseDelimited("a;b\n'x;y';'it''s'\n", {
      delimiter: ';',
      quote: "'",
      header: true,
      skipLines: 0,
    });
    expect(parsed.rows).toEqual([['x;y', "it's"]]);
  });

  it('returns no rows for a header-only file', () => {
    expect(parseDelimited('a,b\n', CSV)).toEqual({ header: ['a', 'b'], rows: [], lineNumbers: [] });
  });

  it('rejects a row with the wrong field count', () => {
    const error = thrownBy(() => parseDelimited('a,b,c\n1,2,3\n"x\ny",5\n', CSV));
    expect(error).toBeInstanceOf(DataValidationError);
    expect(error).toMatchObject({
      code: 'DATA_INVALID',
      column: null,
      line: 3,
      rule: 'fieldCount',
      value: 2,
    });
    expect((error as Error).message).toBe(
      'line 3: row has 2 field(s) but 3 were expected from the header at line 1 (rule fieldCount, got 2). ' +
        'Check the delimiter and quote settings in data.format, and quote fields that contain the delimiter.',
    );
  });

  it('counts fields against the first row without a header', () => {
    const error = thrownBy(() =>
      parseDelimited('1 2\n3 4\n5\n', { ...CSV, delimiter: ' ', header: false }),
    );
    expect((error as Error).message).toContain(
      'row has 1 field(s) but 2 were expected from the first row at line 1',
    );
    expect(error).toMatchObject({ line: 3 });
  });

  it('rejects an unterminated quote', () => {
    const error = thrownBy(() => parseDelimited('a,b\n1,2\n3,"open\n4,5\n', CSV));
    expect(error).toBeInstanceOf(DataValidationError);
    expect((error as Error).message).toBe(
      'line 3: a quoted field is never closed (rule quote). ' +
        'Close the quote, double any quote inside a quoted field, or change data.format.quote.',
    );
  });

  it('rejects text after a closing quote', () => {
    const error = thrownBy(() => parseDelimited('a,b\n"x"y,2\n', CSV));
    expect(error).toBeInstanceOf(DataValidationError);
    expect(error).toMatchObject({ line: 2, rule: 'quote' });
    expect((error as Error).message).toContain('text follows a closing quote: "y"');
  });

  it('rejects a missing header', () => {
    const error = thrownBy(() => parseDelimited('skip me\n', { ...CSV, skipLines: 1 }));
    expect(error).toBeInstanceOf(DataValidationError);
    expect((error as Error).message).toBe(
      'data set: the file has no header row after skipping 1 line(s) (rule header). ' +
        'Check data.format.skipLines, or set data.format.header to false and list the columns.',
    );
  });

  it('rejects a delimiter equal to the quote', () => {
    expect(() => parseDelimited('a', { ...CSV, delimiter: '"' })).toThrow(
      new RangeError(
        'invalid delimited format (delimiter equal to quote): delimiter and quote must be two different ' +
          'single characters other than a line break, and skipLines an integer >= 0',
      ),
    );
  });
});
