// The shape of one device entry, as a strict zod schema: the build-time check of the data
// files in ../data. It mirrors Stm32DeviceData in ../src/types.ts key for key and in the same
// order (the generated module lists keys in this order); the generated module is also typed
// as Stm32DeviceData, so tsc catches a schema that drifts from the type.
import { z } from 'zod';

const u32 = z.number().int().min(0).max(0xffffffff);
const byte = z.number().int().min(0).max(0xff);
const bit = z.number().int().min(0).max(31);
const kib = z.number().int().positive();
const bytes = z.number().int().positive();
const kibList = z.array(kib).min(1);

const flashSizeDecode = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('kib'), zeroMeansKiB: kib.optional() }),
  z.strictObject({ kind: z.literal('masked'), mask: u32, zeroMeansKiB: kib.optional() }),
  z.strictObject({ kind: z.literal('l1-code'), zeroMeansKiB: kib.optional() }),
  z.strictObject({ kind: z.literal('last-word'), mask: u32 }),
]);

const layout = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pages'), pageBytes: bytes }),
  z.strictObject({ kind: z.literal('sectors'), sectorsKiB: kibList }),
  z.strictObject({
    kind: z.literal('sectors-by-bank-mode'),
    singleBankSectorsKiB: kibList,
    dualBankSectorsKiB: kibList,
    modeBit: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('pages-by-bank-mode'),
    singleBankPageBytes: bytes,
    dualBankPageBytes: bytes,
    modeBit: z.string().min(1),
  }),
]);

const bankSelect = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('register-block'), offset: u32 }),
  z.strictObject({ kind: z.literal('snb-flag'), flag: u32 }),
  z.strictObject({ kind: z.literal('bker'), bit }),
  z.strictObject({ kind: z.literal('address') }),
]);

const dualBankModeBit = z.strictObject({
  register: z.enum(['OPTR', 'OPTCR']),
  bit,
  name: z.string().min(1),
  activeLow: z.boolean().optional(),
  forKiB: kibList.optional(),
});

const dualBank = z.strictObject({
  select: bankSelect,
  bank2Start: z.union([z.literal('half'), u32]),
  bank1KiB: kib.optional(),
  alwaysAboveKiB: kib.optional(),
  alwaysAtKiB: kibList.optional(),
  modeBits: z.array(dualBankModeBit).min(1).optional(),
  massEraseBank2Bit: bit.optional(),
});

export const deviceSchema = z.strictObject({
  // DBGMCU DEV_ID (12 bits), or the JTAG_ID part number (16 bits) of the BlueNRG-LP parts.
  devId: z.number().int().min(0).max(0xffff),
  name: z.string().min(1),
  line: z.string().regex(/^STM32[A-Z0-9]+\+?$/),
  core: z.enum(['cortex-m0', 'cortex-m0+', 'cortex-m3', 'cortex-m4', 'cortex-m7', 'cortex-m33']),
  idcodeAddress: u32,
  flashBase: u32,
  flashSizeRegister: u32,
  flashSizeDecode,
  maxFlashKiB: kib,
  ramBytes: bytes.optional(),
  controller: z.strictObject({
    kind: z.enum([
      'f0-f1-f3',
      'f2-f4-f7',
      'l0-l1',
      'l4',
      'wb-wl',
      'l5-u5',
      'h5',
      'h7',
      'bluenrg-lp',
    ]),
    base: u32,
    bank2Base: u32.optional(),
  }),
  layout,
  writeUnitBytes: z.union([bytes, z.literal('psize')]),
  halfPageBytes: bytes.optional(),
  erasedValue: byte,
  rdp: z.strictObject({
    level0: byte.optional(),
    level2: byte.optional(),
    level0_5: byte.optional(),
  }),
  dataEepromBase: u32.optional(),
  dataEepromBytes: bytes.optional(),
  optionLayout: z.enum([
    'f0',
    'f1',
    'f1-xl',
    'f3',
    'f2-f4',
    'f4-dual',
    'f413',
    'f7',
    'f76x',
    'l0',
    'l1',
    'l4',
    'l4+',
    'g0',
    'g4',
    'wb',
    'wl',
    'l4-common',
    'l5-u5',
    'h7',
    'none',
  ]),
  dualBank: dualBank.optional(),
  uidAddress: u32.optional(),
  systemMemory: z.strictObject({ base: u32, bytes: u32 }).optional(),
  optionBytesNote: z.string().min(1).optional(),
  dualBankNote: z.string().min(1).optional(),
  notes: z.array(z.string().min(1)).min(1).optional(),
  sources: z.array(z.string().min(1)).min(1),
});

/** What a data file's `defaults:` block and `devices:` entries may hold: any device key but `line`. */
export const entrySchema = deviceSchema.omit({ line: true }).partial();

/** One data file: the product line, what its devices share, and the devices. */
export const lineFileSchema = z.strictObject({
  line: deviceSchema.shape.line,
  defaults: z.record(z.string(), z.unknown()),
  devices: z.array(z.record(z.string(), z.unknown())).min(1),
});
