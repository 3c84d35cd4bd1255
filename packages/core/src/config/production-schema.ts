import * as z from 'zod/mini';
import { addressSchema, parseAddress } from './units.js';
import { described } from './zod.js';

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

const int = (min: number, max?: number) =>
  z.number().check(z.int(), z.gte(min), ...(max === undefined ? [] : [z.lte(max)]));
const nonEmpty = (): z.ZodMiniString<string> => z.string().check(z.minLength(1));

const counterSchema = described(
  z.strictObject({
    start: described(z.optional(int(0)), 'First serial number (default 1)'),
    step: described(z.optional(z.number().check(z.int(), z.positive())), 'Increment (default 1)'),
    width: described(
      z.optional(int(1, 20)),
      'Digits of the text form, zero-padded (default: as many as needed)',
    ),
    format: described(z.optional(z.enum(['decimal', 'hex'])), 'Digits of the text form'),
    prefix: described(z.optional(z.string()), 'Text before the digits, e.g. "SN-"'),
  }),
  'Serial numbers counted: start + step × n, n = 0, 1, 2, ... in allocation order',
);

const csvSchema = described(
  z.union([
    nonEmpty(),
    z.strictObject({
      file: described(nonEmpty(), 'CSV file, relative to the recipe'),
      column: described(z.optional(nonEmpty()), 'Column of the serial (default: the first)'),
    }),
  ]),
  'Serial numbers from a CSV file with a header line: the nth allocation takes row n',
);

const serialSchema = described(
  z.strictObject({
    pool: described(
      z.optional(nonEmpty()),
      'Name of the serial pool in the production database (default "default")',
    ),
    counter: z.optional(counterSchema),
    csv: z.optional(csvSchema),
    address: described(addressSchema.clone(), 'Where the serial is written into the image'),
    encoding: described(
      z.enum(serialEncodings),
      'u32/u64 little or big endian (the number), ascii (the text) or struct',
    ),
    length: described(
      z.optional(int(1, 256)),
      'ascii: bytes of the field, NUL-padded (default: the text and one NUL)',
    ),
    reuseVoided: described(
      z.optional(z.boolean()),
      'Give voided serials to new boards again (default false: never reused)',
    ),
  }),
  'The board’s serial number, written into the image before programming',
);

const dataFieldSchema = z.strictObject({
  column: described(nonEmpty(), 'CSV column'),
  address: described(addressSchema.clone(), 'Where the value is written into the image'),
  encoding: described(z.enum(dataEncodings), 'hex (bytes; ":" and "-" allowed), ascii or a number'),
  length: described(z.optional(int(1, 4096)), 'ascii: bytes of the field'),
});

const dataSchema = described(
  z.strictObject({
    file: described(nonEmpty(), 'CSV file with a header line, relative to the recipe'),
    key: described(z.optional(nonEmpty()), 'Column holding the serial (default "serial")'),
    fields: described(
      z.array(dataFieldSchema).check(z.minLength(1)),
      'Columns written into the image',
    ),
  }),
  'Extra per-board data from a CSV keyed by serial (calibration, keys, MAC addresses)',
);

export const productionSchema = described(
  z.strictObject({
    database: described(
      z.optional(nonEmpty()),
      'Production database: an SQLite file or postgres://… (default: next to the recipe)',
    ),
    station: described(
      z.optional(nonEmpty()),
      'Name of this station in the log (default: the host name)',
    ),
    serial: z.optional(serialSchema),
    data: z.optional(dataSchema),
  }),
  'Batch programming: per-board data and the production database',
);

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
