import * as z from 'zod/mini';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { formatAddress } from '../image/address-range.js';
import { didYouMean } from '../util/did-you-mean.js';
import {
  addressSchema,
  parseAddress,
  parseRangeSpec,
  parseSectorList,
  parseSizeBytes,
  sizeSchema,
} from './units.js';
import { described } from './zod.js';

/**
 * Schemas of the built-in steps' options. A step is written either as its bare name
 * (`- verify`) or as a one-key object (`- verify: crc`, `- erase: { mode: mass, ... }`).
 * Plugin steps are namespaced (`nrf/recover`) and validated by their plugin.
 */

/** Confirms an operation that erases the whole flash (RDP regression, mass erase). */
export const MASS_ERASE_CONFIRMATION = 'mass-erase';
/** Confirms an option-byte write. */
export const OPTION_BYTES_CONFIRMATION = 'write-option-bytes';
/**
 * Confirms an option value that can never be undone (STM32 RDP level 2 disables debug
 * access for good; the family says which values are permanent). It has its own phrase so
 * that neither --yes nor a copied `write-option-bytes` can set it by accident, and it
 * counts only from the user's own recipe file or `--confirm`, never from a preset.
 */
export const PERMANENT_CONFIRMATION = 'permanently-disable-debug';

/** Every phrase `--confirm` accepts. */
export const confirmationPhrases = [
  MASS_ERASE_CONFIRMATION,
  OPTION_BYTES_CONFIRMATION,
  PERMANENT_CONFIRMATION,
] as const;

export const eraseModes = ['auto', 'mass', 'none'] as const;
export type EraseMode = (typeof eraseModes)[number];
/**
 * How verify and the incremental compare check flash against the image: `readback` reads it
 * through the probe, `crc` has the chip compute CRC-32 (readback where it cannot), `auto`
 * estimates both (the probe's read throughput, the chip's CRC routine at its clock) and takes
 * the faster.
 */
export const compareModes = ['auto', 'readback', 'crc'] as const;
export type CompareMode = (typeof compareModes)[number];
export const verifyModes = compareModes;
export type VerifyMode = CompareMode;
/** What the recipe's verify and erase compare options say about the modes. */
const COMPARE_MODES_TEXT =
  'auto (default) estimates both ways and takes the faster: readback reads every byte back through the probe, crc compares a CRC-32 computed on the chip (readback where the chip cannot run it)';
export const resetKinds = ['hardware', 'software', 'core'] as const;

const connectOptions = described(
  z.union([z.null(), z.strictObject({})]),
  'Opens the probe, connects to the target and identifies the chip.',
);

const unprotectOptions = described(
  z.union([
    z.null(),
    z.strictObject({
      confirm: described(
        z.optional(z.literal(MASS_ERASE_CONFIRMATION)),
        'Required (or --yes) when the chip is protected: regression erases all flash.',
      ),
    }),
  ]),
  'Removes read protection (RDP 1 to 0) if the chip is protected; this mass-erases it.',
);

const eraseOptions = described(
  z
    .union([
      z.null(),
      z.enum(eraseModes),
      z.strictObject({
        mode: described(z.optional(z.enum(eraseModes)), 'auto (default), mass or none'),
        confirm: described(
          z.optional(z.literal(MASS_ERASE_CONFIRMATION)),
          'Confirms a mass erase in the recipe (or pass --yes).',
        ),
        compare: described(
          z.optional(z.enum(compareModes)),
          `auto: how each touched sector is compared with the image before it is erased. ${COMPARE_MODES_TEXT}.`,
        ),
        force: described(
          z.optional(z.boolean()),
          'auto: rewrite every touched sector, even one that already holds the image (the same as --force). Default false: such sectors are compared first and left untouched.',
        ),
        sectors: described(
          z.optional(z.union([z.string(), z.number().check(z.int(), z.nonnegative())])),
          'Erase these sectors only, e.g. "0-3,7": numbered from 0 at the lowest flash address, across banks (instead of mode).',
        ),
        ranges: described(
          z.optional(z.union([z.string(), z.array(z.string()).check(z.minLength(1))])),
          'Erase these address ranges only, "ADDR:LENGTH" or "ADDR..LAST" (last byte included), e.g. "0x08004000:16K" (instead of mode). Each must be whole sectors unless widen is true.',
        ),
        widen: described(
          z.optional(z.boolean()),
          'ranges: erase the whole sectors a range lies in, when it does not start and end on sector boundaries (default false: that is an error).',
        ),
      }),
    ])
    .check(
      z.superRefine((o, ctx) => {
        if (o === null || typeof o !== 'object') return;
        const selects = o.sectors !== undefined || o.ranges !== undefined;
        if (selects && o.mode !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['mode'],
            message: 'sectors and ranges erase just those: leave out mode',
          });
        }
        if (o.compare !== undefined && (selects || (o.mode ?? 'auto') !== 'auto')) {
          ctx.addIssue({
            code: 'custom',
            path: ['compare'],
            message: 'compare applies to mode auto only (the touched sectors)',
          });
        }
        if (o.widen !== undefined && o.ranges === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['widen'],
            message: 'widen applies to ranges only',
          });
        }
        if (o.sectors !== undefined) {
          const parsed = parseSectorList(o.sectors);
          if ('problem' in parsed)
            ctx.addIssue({ code: 'custom', path: ['sectors'], message: parsed.problem });
        }
        const ranges = typeof o.ranges === 'string' ? [o.ranges] : (o.ranges ?? []);
        ranges.forEach((range, i) => {
          const parsed = parseRangeSpec(range);
          if ('problem' in parsed) {
            const path = typeof o.ranges === 'string' ? ['ranges'] : ['ranges', i];
            ctx.addIssue({ code: 'custom', path, message: parsed.problem });
          }
        });
      }),
    ),
  'auto: only the sectors the image touches (partial sectors keep their contents; sectors that already hold the image are left untouched); mass: the whole flash; none: no erase. { sectors } or { ranges }: exactly those sectors.',
);

const writeOptions = described(
  z.union([z.null(), z.strictObject({})]),
  'Programs the image into the erased flash.',
);

const verifyOptions = described(
  z.union([
    z.null(),
    z.enum(verifyModes),
    z.strictObject({ mode: z.optional(z.enum(verifyModes)) }),
  ]),
  `${COMPARE_MODES_TEXT}.`,
);

const optionBytesOptions = described(
  z
    .catchall(
      z.object({
        confirm: described(
          z.optional(z.enum([OPTION_BYTES_CONFIRMATION, PERMANENT_CONFIRMATION])),
          `"${OPTION_BYTES_CONFIRMATION}" confirms the write (or pass --yes). A permanent value (RDP level 2) needs "${PERMANENT_CONFIRMATION}" in your own recipe file or on the command line (--confirm ${PERMANENT_CONFIRMATION}); a preset's phrase and --yes do not count.`,
        ),
      }),
      described(
        z.union([z.number().check(z.int(), z.nonnegative()), z.string()]),
        'Field value. A name from the field’s table means that setting: for read protection (RDP), 0, 1 and 2 (number or string, also "level-2") are levels. Anything else is the raw register value in decimal or 0x-hex: "0x02" is the byte 2, never level 2.',
      ),
    )
    .check(
      z.superRefine((o, ctx) => {
        // Any other key is a field the family names, so a mistyped "confirm" would pass as one.
        for (const key of Object.keys(o)) {
          if (key !== 'confirm' && didYouMean(key, ['confirm']) !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `unknown key "${key}" (allowed: confirm and the part's option-byte fields, e.g. RDP)`,
              params: { suggestion: 'confirm' },
            });
          }
        }
      }),
    ),
  'Writes named option-byte fields (e.g. RDP: 1), then reloads them.',
);

const resetOptions = described(
  z.union([
    z.null(),
    z.strictObject({
      run: described(z.optional(z.boolean()), 'Let the core run after reset (default true).'),
      kind: described(
        z.optional(z.enum(resetKinds)),
        'hardware (NRST), software (SYSRESETREQ, default) or core',
      ),
    }),
  ]),
  'Resets the target.',
);

const readOptions = described(
  z
    .strictObject({
      address: described(
        z.optional(addressSchema),
        'Start address; without it (and without length) the whole flash is read',
      ),
      length: described(
        z.optional(sizeSchema),
        'Bytes to read; without it, up to the end of the flash that holds address (touching banks count as one)',
      ),
      file: described(
        z.string().check(z.minLength(1)),
        'Output file; .hex/.srec use those formats, else raw',
      ),
    })
    .check(
      z.superRefine((o, ctx) => {
        if (o.address === undefined) {
          if (o.length !== undefined)
            ctx.addIssue({ code: 'custom', path: ['length'], message: 'length needs an address' });
          return;
        }
        // The schema takes any hex string; the range must also fit the 32-bit bus.
        const address = parseAddress(o.address);
        const length = o.length === undefined ? 0 : parseSizeBytes(o.length);
        if (address === undefined) {
          ctx.addIssue({ code: 'custom', path: ['address'], message: 'expected 0 to 0xFFFFFFFF' });
        } else if (length !== undefined && address + length > 2 ** 32) {
          ctx.addIssue({
            code: 'custom',
            path: ['length'],
            message: `${formatAddress(address)} + ${length} bytes runs past 0xFFFFFFFF, the end of the 32-bit address space`,
          });
        }
      }),
    ),
  'Reads memory to a file: a range, from an address to the end of its flash, or the whole flash.',
);

/** Every built-in step and the schema of its options (null = written as a bare name). */
export const builtinStepSchemas = {
  connect: connectOptions,
  unprotect: unprotectOptions,
  erase: eraseOptions,
  write: writeOptions,
  verify: verifyOptions,
  'option-bytes': optionBytesOptions,
  reset: resetOptions,
  read: readOptions,
} as const;

export type BuiltinStepId = keyof typeof builtinStepSchemas;
export const builtinStepIds = Object.keys(builtinStepSchemas) as BuiltinStepId[];

/** Steps that may be written as a bare name (their options are all optional). */
export const bareStepIds: readonly BuiltinStepId[] = builtinStepIds.filter((id) => id !== 'read');

/** Plugin step ids: `namespace/name`, lower-case words with dashes. */
export const PLUGIN_STEP_ID = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;

/**
 * One entry of `steps`, for the JSON Schema (validation itself is done step by step). Built
 * when asked for: a command that only validates a recipe never needs it.
 */
export function stepEntrySchema(): z.ZodMiniType {
  const pluginStepId = (): z.ZodMiniString<string> => z.string().check(z.regex(PLUGIN_STEP_ID));
  return z.union([
    z.enum(bareStepIds as [BuiltinStepId, ...BuiltinStepId[]]),
    ...builtinStepIds.map((id) => z.strictObject({ [id]: builtinStepSchemas[id] })),
    described(
      z.record(pluginStepId(), z.unknown()),
      'A plugin step, namespaced: { "nrf/recover": {...} }',
    ),
    described(pluginStepId(), 'A plugin step without options: "nrf/recover"'),
  ]);
}

/**
 * A built-in step's options checked against its schema, for its definition to normalise.
 * A recipe's steps passed this when the recipe was read (with every issue located there);
 * it fails only for steps built in code.
 */
export function parseBuiltinOptions<K extends BuiltinStepId>(
  id: K,
  raw: unknown,
  keyPath: string,
): z.output<(typeof builtinStepSchemas)[K]> {
  const parsed = (builtinStepSchemas[id] as z.ZodMiniType).safeParse(raw, { jitless: true });
  if (parsed.success) return parsed.data as z.output<(typeof builtinStepSchemas)[K]>;
  const problems = parsed.error.issues.map(
    (issue) => `${[keyPath, ...issue.path.map(String)].join('.')}: ${issue.message}`,
  );
  throw new FlashwrightError('RECIPE_INVALID', problems.join('; '), { source: { keyPath } });
}

/** Whether an unprotect step's options carry `confirm: mass-erase` (run and doctor ask this). */
export function unprotectConfirmed(raw: unknown, keyPath: string): boolean {
  return parseBuiltinOptions('unprotect', raw, keyPath)?.confirm === MASS_ERASE_CONFIRMATION;
}

/** A built-in step's one-line description, from its schema (as the JSON Schema shows it). */
export function builtinStepDescription(id: BuiltinStepId): string {
  return z.globalRegistry.get(builtinStepSchemas[id])?.description ?? id;
}
