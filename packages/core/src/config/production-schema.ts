import * as z from 'zod';
import { addressSchema, parseAddress } from './units.js';

/**
 * The `production:` section of a recipe: per-board data for batch programming (a serial
 * number from a counter or a CSV file, extra data keyed by serial) and where the production
 * database lives. `flashwright batch` reads it; `run` ignores it.
 */

export const serialEncodings = ['u32le', 'u32be', 'u64le', 'u64be', 'ascii', 'struct'] as const;
export type SerialEncoding = (typeof serialEncodings)[number];
export const dataEncodings = [
  'hex',
  'ascii',
  'u8',
  'u16le',
  'u16be',
  'u32le',
  'u32be',
  'u64le',
  'u64be',
] as const;
export type DataEncoding = (typeof dataEncodings)[number];

const counterSchema = z
  .strictObject({
    start: z.number().int().nonnegative().optional().describe('First serial number (default 1)'),
    step: z.number().int().positive().optional().describe('Increment (default 1)'),
    width: z
      .number()
      .int()
      .min(1)
      .max(20)
      .optional()
      .describe('Digits of the text form, zero-padded (default: as many as needed)'),
    format: z.enum(['decimal', 'hex']).optional().describe('Digits of the text form'),
    prefix: z.string().optional().describe('Text before the digits, e.g. "SN-"'),
  })
  .describe('Serial numbers counted: start + step × n, n = 0, 1, 2, ... in allocation order');

const csvSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      file: z.string().min(1).describe('CSV file, relative to the recipe'),
      column: z.string().min(1).optional().describe('Column of the serial (default: the first)'),
    }),
  ])
  .describe('Serial numbers from a CSV file with a header line: the nth allocation takes row n');

const serialSchema = z
  .strictObject({
    pool: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the serial pool in the production database (default "default")'),
    counter: counterSchema.optional(),
    csv: csvSchema.optional(),
    address: addressSchema.describe('Where the serial is written into the image'),
    encoding: z
      .enum(serialEncodings)
      .describe('u32/u64 little or big endian (the number), ascii (the text) or struct'),
    length: z
      .number()
      .int()
      .min(1)
      .max(256)
      .optional()
      .describe('ascii: bytes of the field, NUL-padded (default: the text and one NUL)'),
    reuseVoided: z
      .boolean()
      .optional()
      .describe('Give voided serials to new boards again (default false: never reused)'),
  })
  .describe('The board’s serial number, written into the image before programming');

const dataFieldSchema = z.strictObject({
  column: z.string().min(1).describe('CSV column'),
  address: addressSchema.describe('Where the value is written into the image'),
  encoding: z.enum(dataEncodings).describe('hex (bytes; ":" and "-" allowed), ascii or a number'),
  length: z.number().int().min(1).max(4096).optional().describe('ascii: bytes of the field'),
});

const dataSchema = z
  .strictObject({
    file: z.string().min(1).describe('CSV file with a header line, relative to the recipe'),
    key: z.string().min(1).optional().describe('Column holding the serial (default "serial")'),
    fields: z.array(dataFieldSchema).min(1).describe('Columns written into the image'),
  })
  .describe('Extra per-board data from a CSV keyed by serial (calibration, keys, MAC addresses)');

export const productionSchema = z
  .strictObject({
    database: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Production database: an SQLite file or postgres://… (default: next to the recipe)',
      ),
    station: z
      .string()
      .min(1)
      .optional()
      .describe('Name of this station in the log (default: the host name)'),
    serial: serialSchema.optional(),
    data: dataSchema.optional(),
  })
  .describe('Batch programming: per-board data and the production database');

export type RawProduction = z.output<typeof productionSchema>;

/** The normalised `production` section (Recipe.production). */
export interface RecipeProduction {
  /** An absolute SQLite file path or a postgres:// URL; undefined: the default file. */
  readonly database?: string | undefined;
  readonly station?: string | undefined;
  readonly serial?: RecipeSerial | undefined;
  readonly data?: RecipeBoardData | undefined;
}

export interface RecipeSerial {
  readonly pool: string;
  readonly source:
    | {
        readonly kind: 'counter';
        readonly start: number;
        readonly step: number;
        readonly width: number;
        readonly format: 'decimal' | 'hex';
        readonly prefix: string;
      }
    | { readonly kind: 'csv'; readonly file: string; readonly column?: string | undefined };
  readonly address: number;
  readonly encoding: SerialEncoding;
  readonly length?: number | undefined;
  readonly reuseVoided: boolean;
}

export interface RecipeBoardData {
  readonly file: string;
  readonly key: string;
  readonly fields: readonly {
    readonly column: string;
    readonly address: number;
    readonly encoding: DataEncoding;
    readonly length?: number | undefined;
  }[];
}

/** A problem the schema cannot express (counter and csv both or neither), for validate.ts. */
export function productionProblems(
  raw: RawProduction | undefined,
): { path: (string | number)[]; message: string }[] {
  const serial = raw?.serial;
  if (serial === undefined) return [];
  if ((serial.counter === undefined) === (serial.csv === undefined)) {
    return [
      {
        path: ['production', 'serial'],
        message: 'give exactly one source of serial numbers: counter: { start, ... } or csv: FILE',
      },
    ];
  }
  return [];
}

export function normaliseProduction(raw: RawProduction | undefined): RecipeProduction {
  if (raw === undefined) return {};
  const serial = raw.serial;
  return {
    database: raw.database,
    station: raw.station,
    serial:
      serial === undefined
        ? undefined
        : {
            pool: serial.pool ?? 'default',
            source:
              serial.counter !== undefined
                ? {
                    kind: 'counter',
                    start: serial.counter.start ?? 1,
                    step: serial.counter.step ?? 1,
                    width: serial.counter.width ?? 1,
                    format: serial.counter.format ?? 'decimal',
                    prefix: serial.counter.prefix ?? '',
                  }
                : typeof serial.csv === 'string'
                  ? { kind: 'csv', file: serial.csv }
                  : { kind: 'csv', file: serial.csv!.file, column: serial.csv!.column },
            address: parseAddress(serial.address)!,
            encoding: serial.encoding,
            length: serial.length,
            reuseVoided: serial.reuseVoided ?? false,
          },
    data:
      raw.data === undefined
        ? undefined
        : {
            file: raw.data.file,
            key: raw.data.key ?? 'serial',
            fields: raw.data.fields.map((f) => ({
              column: f.column,
              address: parseAddress(f.address)!,
              encoding: f.encoding,
              length: f.length,
            })),
          },
  };
}
