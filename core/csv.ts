import { DataValidationError } from './dataset.js';

/** Layout of a delimited text file. The fields mirror `data.format` in the spec. */
export interface DelimitedFormat {
  /** One character between fields, such as `,`, `;`, a tab or a space. */
  delimiter: string;
  /** One character that opens and closes a quoted field. Doubled inside one, it is a literal quote. */
  quote: string;
  /** Whether the first row after the skipped lines contains the column names. */
  header: boolean;
  /** Physical lines to skip before the header or the first data row. */
  skipLines: number;
}

/** A delimited file split into string fields, before any typing. */
export interface ParsedTable {
  /** The header row, or null when the format has no header. */
  header: string[] | null;
  /** Data rows, all with the same number of fields. */
  rows: string[][];
  /** 1-based physical line of each row's first line in the file, parallel to `rows`. */
  lineNumbers: number[];
}

interface RawRecord {
  fields: string[];
  line: number;
  /** An empty or whitespace-only line without delimiters or quotes. */
  blank: boolean;
}

const BYTE_ORDER_MARK = 0xfeff;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;

/**
 * Parses delimited text with RFC 4180 quoting. A quoted field may contain the
 * delimiter, line breaks and doubled quotes. Lines end in LF or CRLF, a UTF-8
 * byte order mark is dropped, and blank lines at the end are ignored. An
 * unquoted field keeps any quote characters inside it as they are.
 *
 * Throws DataValidationError (rule `fieldCount`) when a row's field count
 * differs from the header's, or from the first row's without a header, and
 * (rule `quote`) on an unterminated quoted field or text after a closing quote.
 */
export function parseDelimited(text: string, format: DelimitedFormat): ParsedTable {
  validateFormat(format);
  const body = text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  const start = offsetAfterLines(body, format.skipLines);
  const records = new DelimitedScanner(body, format, start, format.skipLines + 1).readAll();
  while (records.length > 0 && records[records.length - 1]!.blank) records.pop();

  const headerRecord = format.header ? records.shift() : undefined;
  if (format.header && headerRecord === undefined) {
    throw new DataValidationError({
      column: null,
      line: null,
      rule: 'header',
      problem: `the file has no header row after skipping ${format.skipLines} line(s)`,
      fix: 'Check data.format.skipLines, or set data.format.header to false and list the columns.',
    });
  }
  checkFieldCounts(records, headerRecord);
  return {
    header: headerRecord ? headerRecord.fields : null,
    rows: records.map((record) => record.fields),
    lineNumbers: records.map((record) => record.line),
  };
}

function validateFormat(format: DelimitedFormat): void {
  const problems: string[] = [];
  if (format.delimiter.length !== 1) problems.push(`delimiter ${JSON.stringify(format.delimiter)}`);
  if (format.quote.length !== 1) problems.push(`quote ${JSON.stringify(format.quote)}`);
  if (format.delimiter === format.quote) problems.push('delimiter equal to quote');
  if (['\n', '\r'].includes(format.delimiter)) problems.push('line break as delimiter');
  if (!Number.isInteger(format.skipLines) || format.skipLines < 0) {
    problems.push(`skipLines ${format.skipLines}`);
  }
  if (problems.length > 0) {
    throw new RangeError(
      `invalid delimited format (${problems.join(', ')}): delimiter and quote must be ` +
        'two different single characters other than a line break, and skipLines an integer >= 0',
    );
  }
}

/** Returns the offset just past the first `lines` line breaks, or the text length. */
function offsetAfterLines(text: string, lines: number): number {
  let offset = 0;
  for (let skipped = 0; skipped < lines; skipped++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset;
}

function checkFieldCounts(records: RawRecord[], headerRecord: RawRecord | undefined): void {
  const reference = headerRecord ?? records[0];
  if (reference === undefined) return;
  const expected = reference.fields.length;
  const source = headerRecord ? 'the header' : 'the first row';

  for (const record of records) {
    if (record.fields.length === expected) continue;
    throw new DataValidationError({
      column: null,
      line: record.line,
      rule: 'fieldCount',
      value: record.fields.length,
      problem:
        `row has ${record.fields.length} field(s) but ${expected} were expected ` +
        `from ${source} at line ${reference.line}`,
      fix:
        'Check the delimiter and quote settings in data.format, ' +
        'and quote fields that contain the delimiter.',
    });
  }
}

/** Reads records one character run at a time, tracking the physical line number. */
class DelimitedScanner {
  private position: number;
  private line: number;
  private readonly delimiter: number;
  private readonly quote: number;

  constructor(
    private readonly text: string,
    format: DelimitedFormat,
    start: number,
    firstLine: number,
  ) {
    this.position = start;
    this.line = firstLine;
    this.delimiter = format.delimiter.charCodeAt(0);
    this.quote = format.quote.charCodeAt(0);
  }

  readAll(): RawRecord[] {
    const records: RawRecord[] = [];
    while (this.position < this.text.length) records.push(this.readRecord());
    return records;
  }

  private readRecord(): RawRecord {
    const line = this.line;
    const start = this.position;
    const fields: string[] = [];
    let quoted = false;

    for (;;) {
      const startsQuoted = this.text.charCodeAt(this.position) === this.quote;
      quoted ||= startsQuoted;
      fields.push(startsQuoted ? this.readQuoted() : this.readPlain());
      if (this.text.charCodeAt(this.position) !== this.delimiter) break;
      this.position++;
    }
    // A row of empty fields such as `,,` is data, so only a line of whitespace counts as blank.
    const blank =
      !quoted &&
      fields[0]!.trim() === '' &&
      /^[ \t\r]*$/.test(this.text.slice(start, this.position));
    this.consumeLineBreak();
    return { fields, line, blank };
  }

  private readPlain(): string {
    const start = this.position;
    let end = start;
    while (end < this.text.length) {
      const code = this.text.charCodeAt(end);
      if (code === this.delimiter || code === LINE_FEED) break;
      end++;
    }
    this.position = end;
    const beforeBreak = end > start && this.text.charCodeAt(end - 1) === CARRIAGE_RETURN;
    const atRecordEnd = end === this.text.length || this.text.charCodeAt(end) === LINE_FEED;
    return beforeBreak && atRecordEnd
      ? this.text.slice(start, end - 1)
      : this.text.slice(start, end);
  }

  private readQuoted(): string {
    const openingLine = this.line;
    const parts: string[] = [];
    let chunkStart = this.position + 1;

    for (let index = chunkStart; index < this.text.length; index++) {
      const code = this.text.charCodeAt(index);
      if (code === LINE_FEED) this.line++;
      if (code !== this.quote) continue;
      parts.push(this.text.slice(chunkStart, index));
      if (this.text.charCodeAt(index + 1) === this.quote) {
        // A doubled quote is a literal quote, so the next chunk starts at its second character.
        chunkStart = index + 1;
        index++;
        continue;
      }
      this.position = index + 1;
      this.expectFieldEnd();
      return parts.join('');
    }
    throw this.quoteError(openingLine, 'a quoted field is never closed');
  }

  private expectFieldEnd(): void {
    const code = this.text.charCodeAt(this.position);
    const crlf = code === CARRIAGE_RETURN && this.text.charCodeAt(this.position + 1) === LINE_FEED;
    if (Number.isNaN(code) || code === this.delimiter || code === LINE_FEED || crlf) return;
    throw this.quoteError(
      this.line,
      `text follows a closing quote: ${JSON.stringify(this.text[this.position])}`,
    );
  }

  private consumeLineBreak(): void {
    if (this.text.charCodeAt(this.position) === CARRIAGE_RETURN) this.position++;
    if (this.text.charCodeAt(this.position) === LINE_FEED) {
      this.position++;
      this.line++;
    }
  }

  private quoteError(line: number, problem: string): DataValidationError {
    return new DataValidationError({
      column: null,
      line,
      rule: 'quote',
      problem,
      fix: 'Close the quote, double any quote inside a quoted field, or change data.format.quote.',
    });
  }
}
