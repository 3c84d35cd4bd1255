import * as z from 'zod/mini';
import { productionSchema } from './production-schema.js';
import { stepEntrySchema } from './steps-schema.js';
import { addressSchema, sizeSchema } from './units.js';
import { described } from './zod.js';

/**
 * The one recipe schema. Validation and the editor JSON Schema
 * (configs/flashwright.schema.json) are both derived from it; `steps` entries are checked
 * one by one (see validate.ts) so that an unknown step gets its own did-you-mean.
 */

export const connectModes = ['normal', 'under-reset', 'hot-plug'] as const;
/** How the probe attaches (probe.connect); transports receive it in ConnectOptions. */
export type ConnectMode = (typeof connectModes)[number];

const nonEmpty = (): z.ZodMiniString<string> => z.string().check(z.minLength(1));

const probeSchema = described(
  z.strictObject({
    transport: described(
      z.optional(nonEmpty()),
      'Transport plugin: short name (stlink, cmsis-dap, virtual, gdb), package name or path',
    ),
    serial: described(
      z.optional(nonEmpty()),
      'Serial number of the probe to use when several are connected',
    ),
    index: described(
      z.optional(z.number().check(z.int(), z.nonnegative())),
      'Index in `flashwright probes` when serials are not unique (clones)',
    ),
    address: described(
      z.optional(nonEmpty()),
      'Network address of the probe, HOST:PORT (a GDB server: gdb transport)',
    ),
    speed: described(z.optional(z.number().check(z.int(), z.positive())), 'SWD clock in kHz'),
    connect: described(
      z.optional(z.enum(connectModes)),
      'normal, under-reset (hold NRST while attaching) or hot-plug',
    ),
    options: described(
      z.optional(z.record(z.string(), z.unknown())),
      'Transport-specific settings (e.g. the virtual transport’s hardware)',
    ),
  }),
  'The debug probe',
);

const targetSchema = described(
  z.strictObject({
    family: described(
      z.optional(nonEmpty()),
      'Target family plugin: short name (stm32), package name or path',
    ),
    device: described(
      z.optional(nonEmpty()),
      'Expected part, e.g. STM32L151CBxxA; another part is an error',
    ),
    flashSize: described(
      z.optional(sizeSchema),
      'Overrides the flash size the chip reports (for chips that report garbage)',
    ),
  }),
  'The microcontroller',
);

export const loaderModes = ['auto', 'ram', 'host'] as const;

const flashSchema = described(
  z.strictObject({
    loader: described(
      z.optional(z.enum(loaderModes)),
      'auto (default): program through a RAM flash loader where the target family has one, falling back to programming from the host with a warning; ram: a loader failure is an error; host: never run code on the target',
    ),
  }),
  'How flash is programmed',
);

const imageFileSchema = z.strictObject({
  file: described(nonEmpty(), 'Path, relative to the file that declares it'),
  format: described(
    z.optional(nonEmpty()),
    'Format plugin: ihex, srec, elf, bin, a package name or a path',
  ),
  base: described(z.optional(addressSchema), 'Load address; required for raw binaries'),
});

const imageEntrySchema = z.union([
  described(nonEmpty(), 'Path of an image file; the format is taken from its extension'),
  imageFileSchema,
]);

const imageSchema = described(
  z.union([imageEntrySchema, z.array(imageEntrySchema).check(z.minLength(1))]),
  'The firmware image: a file, { file, format, base }, or a list merged into one',
);

const pluginEntrySchema = z.union([
  described(nonEmpty(), 'Plugin: short name, package name or path'),
  described(z.tuple([nonEmpty(), z.record(z.string(), z.unknown())]), '[plugin, options]'),
]);

const extendsSchema = described(
  z.union([nonEmpty(), z.array(nonEmpty())]),
  'Base recipe(s): board:NAME (configs/boards), a package, or a path relative to this file',
);

/** Builds the top-level schema with the given schema for one `steps` entry. */
function recipeShape<S extends z.ZodMiniType>(stepSchema: S) {
  return described(
    z.strictObject({
      $schema: described(z.optional(z.string()), 'JSON Schema for editors'),
      extends: z.optional(extendsSchema),
      probe: z.optional(probeSchema),
      target: z.optional(targetSchema),
      flash: z.optional(flashSchema),
      image: z.optional(imageSchema),
      steps: described(z.optional(z.array(stepSchema)), 'What to do, in order'),
      plugins: described(
        z.optional(z.array(pluginEntrySchema)),
        'Extra plugins to load: name, package, path, or [name, options]',
      ),
      production: z.optional(productionSchema),
    }),
    'A flashwright recipe',
  );
}

/** Validates everything but the contents of each step (validate.ts does those). */
export const recipeSchema = recipeShape(z.unknown());

export type RawRecipe = z.input<typeof recipeSchema>;

/** The JSON Schema for editors, as committed to configs/flashwright.schema.json. */
export function recipeJsonSchema(): Record<string, unknown> {
  // The complete schema, steps included.
  const recipeDocumentSchema = recipeShape(stepEntrySchema());
  const schema = z.toJSONSchema(recipeDocumentSchema, { io: 'input', target: 'draft-2020-12' });
  return {
    ...schema,
    title: 'flashwright recipe',
  };
}
