import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod's functional API (`zod/mini`): the same schemas, checks and issues as `zod`, without
 * the dozens of methods the classic API gives every schema object when it is made (each
 * `.optional()` or `.min()` is one), which cost a command several milliseconds of start-up
 * before a recipe is read. zod/mini leaves messages to the locale; English, as `zod` sets it.
 * The schema modules import this module (for `described`), so it configures zod before any
 * schema is used.
 */
z.config(en());

/** The schema, described for the JSON Schema and step help (zod's `.describe()`). */
export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  z.globalRegistry.add(schema, { description });
  return schema;
}
