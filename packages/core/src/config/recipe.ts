import type { ValueSource } from './provenance.js';
import type { RecipeProduction } from './production-schema.js';

export type { RecipeProduction };
import type { ConnectMode, loaderModes } from './schema.js';

/**
 * A validated, normalised recipe: sizes in bytes, addresses as numbers, paths absolute,
 * steps as tagged objects. The runner and the CLI work on this, never on raw YAML.
 */
export interface Recipe {
  readonly probe: RecipeProbe;
  readonly target: RecipeTarget;
  readonly flash: RecipeFlash;
  readonly images: readonly RecipeImage[];
  readonly steps: readonly RecipeStep[];
  readonly plugins: readonly RecipePlugin[];
  /** Batch programming: per-board data and the production database (`flashwright batch`). */
  readonly production: RecipeProduction;
}

export interface RecipeProbe {
  readonly transport?: string | undefined;
  readonly serial?: string | undefined;
  readonly index?: number | undefined;
  readonly speedKhz?: number | undefined;
  readonly connect: ConnectMode;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface RecipeTarget {
  readonly family?: string | undefined;
  readonly device?: string | undefined;
  readonly flashSizeBytes?: number | undefined;
}

export interface RecipeFlash {
  /** `flash.loader`: how programming runs (default auto). */
  readonly loader: (typeof loaderModes)[number];
}

export interface RecipeImage {
  /** Absolute path. */
  readonly file: string;
  readonly format?: string | undefined;
  readonly base?: number | undefined;
  /** "image" or "image[1]", for error messages. */
  readonly keyPath: string;
}

export interface RecipePlugin {
  /** Short name, package name or absolute path. */
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * One entry of `steps`, as written: the id and the raw options (null for a bare name).
 * Built-in step options were checked against their schema when the recipe was read; the
 * step's definition (core's `builtinSteps`, or a plugin's) parses them into its own type.
 */
export interface RecipeStep {
  /** "erase", or a plugin step's namespaced id ("nrf/recover"). */
  readonly id: string;
  readonly options: unknown;
  /** "steps[2]", for error messages. */
  readonly keyPath: string;
  /** The layer that wrote the step ("file": the user's own recipe, "extends": a preset). */
  readonly source?: ValueSource | undefined;
}
