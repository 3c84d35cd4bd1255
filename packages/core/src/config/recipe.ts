import type { ConnectMode, ResetKind } from '../plugin/types.js';
import type { ValueSource } from './provenance.js';
import type { EraseMode, VerifyMode } from './steps-schema.js';

/**
 * A validated, normalised recipe: sizes in bytes, addresses as numbers, paths absolute,
 * steps as tagged objects. The runner and the CLI work on this, never on raw YAML.
 */
export interface Recipe {
  readonly probe: RecipeProbe;
  readonly target: RecipeTarget;
  readonly images: readonly RecipeImage[];
  readonly steps: readonly RecipeStep[];
  readonly plugins: readonly RecipePlugin[];
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

interface StepBase {
  /** "steps[2]", for error messages. */
  readonly keyPath: string;
  readonly source?: ValueSource | undefined;
}

export type RecipeStep = StepBase &
  (
    | { readonly id: 'connect' }
    | { readonly id: 'unprotect'; readonly confirmed: boolean }
    | { readonly id: 'erase'; readonly mode: EraseMode; readonly confirmed: boolean }
    | { readonly id: 'write' }
    | { readonly id: 'verify'; readonly mode: VerifyMode }
    | {
        readonly id: 'option-bytes';
        readonly values: Readonly<Record<string, number | string>>;
        /** `confirm: write-option-bytes` (or the permanent phrase), from any layer. */
        readonly confirmed: boolean;
        /**
         * `confirm: permanently-disable-debug` written in the user's own recipe file (not
         * an `extends` layer): with `--confirm` the only way to write a permanent value.
         */
        readonly permanentConfirmed: boolean;
      }
    | { readonly id: 'reset'; readonly run: boolean; readonly kind: ResetKind }
    | {
        readonly id: 'read';
        readonly address: number;
        readonly lengthBytes: number;
        /** Absolute path. */
        readonly file: string;
      }
    | {
        /** A plugin step, e.g. "nrf/recover"; its plugin validates `options`. */
        readonly id: 'plugin';
        readonly name: string;
        readonly options: unknown;
      }
  );

export type RecipeStepId = RecipeStep['id'];
