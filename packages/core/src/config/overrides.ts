import { isAbsolute, resolve } from 'node:path';
import { FlashwrightError } from '../errors/flashwright-error.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { ConfigLayer } from './provenance.js';

/** What `--probe SPEC` and FLASHWRIGHT_PROBE mean: a transport and which probe of it. */
export interface ProbeSpec {
  readonly transport: string;
  readonly serial?: string | undefined;
  /** HOST:PORT of a network probe (gdb). */
  readonly address?: string | undefined;
  readonly options?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Parses a probe spec: `stlink`, `stlink:SERIAL`, `virtual`, `gdb:HOST:PORT`.
 * For gdb the rest is an address (host and TCP port), which sets probe.address as the
 * recipe key does, so the flag overrides the recipe's; for every other transport it is a
 * serial number.
 */
export function parseProbeSpec(spec: string, origin: string): ProbeSpec {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const transport = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  if (transport === '') {
    throw new FlashwrightError('USAGE', `${origin}: "${spec}" does not name a transport`, {
      hint: 'Use stlink, stlink:SERIAL, cmsis-dap, cmsis-dap:SERIAL, virtual or gdb:HOST:PORT.',
    });
  }
  if (transport === 'gdb') {
    const match = /^(.*):(\d+)$/.exec(rest);
    if (match === null) {
      throw new FlashwrightError('USAGE', `${origin}: "${spec}" needs a host and port`, {
        hint: 'Write it as gdb:HOST:PORT, e.g. gdb:localhost:3333.',
      });
    }
    return { transport, address: `${match[1] || 'localhost'}:${match[2]}` };
  }
  return rest === '' ? { transport } : { transport, serial: rest };
}

/** The recipe values a probe spec sets. */
function probeValues(spec: ProbeSpec): Record<string, unknown> {
  const probe: Record<string, unknown> = { transport: spec.transport };
  if (spec.serial !== undefined) probe.serial = spec.serial;
  if (spec.address !== undefined) probe.address = spec.address;
  if (spec.options !== undefined) probe.options = { ...spec.options };
  return probe;
}

/**
 * Environment variables a recipe value can come from. Other FLASHWRIGHT_* variables (such
 * as FLASHWRIGHT_REQUIRE_PEERS for the test suite) are not recipe values and are ignored.
 */
export const recipeEnvironmentVariables = {
  FLASHWRIGHT_PROBE: 'probe (a spec such as stlink:SERIAL)',
  FLASHWRIGHT_PROBE_SERIAL: 'probe.serial',
  FLASHWRIGHT_PROBE_SPEED: 'probe.speed (kHz)',
  FLASHWRIGHT_PROBE_CONNECT: 'probe.connect',
  FLASHWRIGHT_TARGET_DEVICE: 'target.device',
  FLASHWRIGHT_TARGET_FLASH_SIZE: 'target.flashSize',
  FLASHWRIGHT_IMAGE: 'image (a file)',
} as const;

/** One layer per environment variable that is set, so each value names its variable. */
export function environmentLayers(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  const add = (name: string, values: Record<string, unknown>): void => {
    layers.push({ source: { kind: 'env', origin: name }, values });
  };
  const get = (name: keyof typeof recipeEnvironmentVariables): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const probe = get('FLASHWRIGHT_PROBE');
  if (probe !== undefined)
    add('FLASHWRIGHT_PROBE', { probe: probeValues(parseProbeSpec(probe, 'FLASHWRIGHT_PROBE')) });
  const serial = get('FLASHWRIGHT_PROBE_SERIAL');
  if (serial !== undefined) add('FLASHWRIGHT_PROBE_SERIAL', { probe: { serial } });
  const speed = get('FLASHWRIGHT_PROBE_SPEED');
  if (speed !== undefined)
    add('FLASHWRIGHT_PROBE_SPEED', { probe: { speed: numberOrText(speed) } });
  const connect = get('FLASHWRIGHT_PROBE_CONNECT');
  if (connect !== undefined) add('FLASHWRIGHT_PROBE_CONNECT', { probe: { connect } });
  const device = get('FLASHWRIGHT_TARGET_DEVICE');
  if (device !== undefined) add('FLASHWRIGHT_TARGET_DEVICE', { target: { device } });
  const flashSize = get('FLASHWRIGHT_TARGET_FLASH_SIZE');
  if (flashSize !== undefined) {
    add('FLASHWRIGHT_TARGET_FLASH_SIZE', { target: { flashSize: numberOrText(flashSize) } });
  }
  const image = get('FLASHWRIGHT_IMAGE');
  if (image !== undefined) add('FLASHWRIGHT_IMAGE', { image: absolute(image, cwd) });
  return layers;
}

/** Recipe values given on the command line. */
export interface RecipeFlags {
  /** --probe SPEC */
  readonly probe?: string | undefined;
  /** --speed KHZ */
  readonly speedKhz?: number | undefined;
  /** --connect MODE */
  readonly connect?: string | undefined;
  /** --image FILE */
  readonly image?: string | undefined;
  /** --chip PART: target.device */
  readonly device?: string | undefined;
}

export function flagLayers(flags: RecipeFlags, cwd: string): ConfigLayer[] {
  const layers: ConfigLayer[] = [];
  const add = (flag: string, values: Record<string, unknown>): void => {
    layers.push({ source: { kind: 'flag', origin: flag }, values });
  };
  if (flags.probe !== undefined)
    add('--probe', { probe: probeValues(parseProbeSpec(flags.probe, '--probe')) });
  if (flags.speedKhz !== undefined) add('--speed', { probe: { speed: flags.speedKhz } });
  if (flags.connect !== undefined) add('--connect', { probe: { connect: flags.connect } });
  if (flags.image !== undefined) add('--image', { image: absolute(flags.image, cwd) });
  if (flags.device !== undefined) add('--chip', { target: { device: flags.device } });
  return layers;
}

function numberOrText(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/**
 * FLASHWRIGHT_* variables that look like a mistyped recipe variable (other FLASHWRIGHT_*
 * variables belong to other tools and tests, and are left alone).
 */
export function environmentWarnings(env: Readonly<Record<string, string | undefined>>): string[] {
  const known = Object.keys(recipeEnvironmentVariables);
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('FLASHWRIGHT_') || known.includes(name)) continue;
    const close = didYouMean(name, known);
    if (close !== undefined)
      warnings.push(`${name} is not a recipe variable and is ignored. Did you mean ${close}?`);
  }
  return warnings;
}
