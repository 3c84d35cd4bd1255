import * as z from 'zod';
import { productionSchema } from './production-schema.js';
import { stepEntrySchema } from './steps-schema.js';
import { addressSchema, sizeSchema } from './units.js';

/**
 * The one recipe schema. Validation and the editor JSON Schema
 * (configs/flashwright.schema.json) are both derived from it; `steps` entries are checked
 * one by one (see validate.ts) so that an unknown step gets its own did-you-mean.
 */

export const connectModes = ['normal', 'under-reset', 'hot-plug'] as const;
/** How the probe attaches (probe.connect); transports receive it in ConnectOptions. */
export type ConnectMode = (typeof connectModes)[number];

const probeSchema = z
  .strictObject({
    transport: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Transport plugin: short name (stlink, cmsis-dap, virtual, gdb), package name or path',
      ),
    serial: z
      .string()
      .min(1)
      .optional()
      .describe('Serial number of the probe to use when several are connected'),
    index: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Index in `flashwright probes` when serials are not unique (clones)'),
    address: z
      .string()
      .min(1)
      .optional()
      .describe('Network address of the probe, HOST:PORT (a GDB server: gdb transport)'),
    speed: z.number().int().positive().optional().describe('SWD clock in kHz'),
    connect: z
      .enum(connectModes)
      .optional()
      .describe('normal, under-reset (hold NRST while attaching) or hot-plug'),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Transport-specific settings (e.g. the virtual transport’s hardware)'),
  })
  .describe('The debug probe');

const targetSchema = z
  .strictObject({
    family: z
      .string()
      .min(1)
      .optional()
      .describe('Target family plugin: short name (stm32), package name or path'),
    device: z
      .string()
      .min(1)
      .optional()
      .describe('Expected part, e.g. STM32L151CBxxA; another part is an error'),
    flashSize: sizeSchema
      .optional()
      .describe('Overrides the flash size the chip reports (for chips that report garbage)'),
  })
  .describe('The microcontroller');

export const loaderModes = ['auto', 'ram', 'host'] as const;

const flashSchema = z
  .strictObject({
    loader: z
      .enum(loaderModes)
      .optional()
      .describe(
        'auto (default): program through a RAM flash loader where the target family has one, falling back to programming from the host with a warning; ram: a loader failure is an error; host: never run code on the target',
      ),
  })
  .describe('How flash is programmed');

const imageFileSchema = z.strictObject({
  file: z.string().min(1).describe('Path, relative to the file that declares it'),
  format: z
    .string()
    .min(1)
    .optional()
    .describe('Format plugin: ihex, srec, elf, bin, a package name or a path'),
  base: addressSchema.optional().describe('Load address; required for raw binaries'),
});

const imageEntrySchema = z.union([
  z.string().min(1).describe('Path of an image file; the format is taken from its extension'),
  imageFileSchema,
]);

const imageSchema = z
  .union([imageEntrySchema, z.array(imageEntrySchema).min(1)])
  .describe('The firmware image: a file, { file, format, base }, or a list merged into one');

const pluginEntrySchema = z.union([
  z.string().min(1).describe('Plugin: short name, package name or path'),
  z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]).describe('[plugin, options]'),
]);

const extendsSchema = z
  .union([z.string().min(1), z.array(z.string().min(1))])
  .describe(
    'Base recipe(s): board:NAME (configs/boards), a package, or a path relative to this file',
  );

/** Builds the top-level schema with the given schema for one `steps` entry. */
function recipeShape<S extends z.ZodType>(stepSchema: S) {
  return z
    .strictObject({
      $schema: z.string().optional().describe('JSON Schema for editors'),
      extends: extendsSchema.optional(),
      probe: probeSchema.optional(),
      target: targetSchema.optional(),
      flash: flashSchema.optional(),
      image: imageSchema.optional(),
      steps: z.array(stepSchema).optional().describe('What to do, in order'),
      plugins: z
        .array(pluginEntrySchema)
        .optional()
        .describe('Extra plugins to load: name, package, path, or [name, options]'),
      production: productionSchema.optional(),
    })
    .describe('A flashwright recipe');
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
