import { readFileSync } from 'node:fs';
import { FlashwrightError } from '@flashwright/core';
import { parse } from 'csv-parse/sync';

/** A CSV file with a header line: its column names and rows as records. */
export interface CsvTable {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

/** Reads a CSV file (RFC 4180, header line first, blank lines skipped); exit 3 when unreadable. */
export function readCsv(file: string, keyPath: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FlashwrightError(
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'IMAGE_NOT_FOUND' : 'FILE_UNREADABLE',
      `${keyPath}: cannot read ${file}: ${(error as Error).message}`,
      { hint: 'Check the path (relative to the recipe file).', source: { keyPath }, cause: error },
    );
  }
  let records: string[][];
  try {
    const parsed: string[][] = parse(text, { skip_empty_lines: true, trim: true, bom: true });
    records = parsed;
  } catch (error) {
    throw new FlashwrightError(
      'BOARD_DATA_INVALID',
      `${keyPath}: ${file} is not valid CSV: ${(error as Error).message}`,
      { source: { keyPath }, cause: error },
    );
  }
  const [header, ...body] = records;
  if (header === undefined) {
    throw new FlashwrightError('BOARD_DATA_INVALID', `${keyPath}: ${file} is empty`, {
      hint: 'The first line names the columns, e.g. "serial,mac".',
      source: { keyPath },
    });
  }
  const rows = body.map((cells) =>
    Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])),
  );
  return { file, columns: header, rows };
}

/** The column named `column`, or a BOARD_DATA_INVALID error naming the columns there are. */
export function requireColumn(table: CsvTable, column: string, keyPath: string): string {
  if (table.columns.includes(column)) return column;
  throw new FlashwrightError(
    'BOARD_DATA_INVALID',
    `${keyPath}: ${table.file} has no column "${column}" (columns: ${table.columns.join(', ')})`,
    { source: { keyPath } },
  );
}
