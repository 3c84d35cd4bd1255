/**
 * What the test chips (fake-target.ts, memory-target.ts) share: a flash region of equal
 * sectors, a probe that records its resets and closes, and the plugin and PluginSet that
 * put one transport and one family (plus the "raw" test format) in front of the pipeline.
 */
import type {
  FlashRegion,
  ImageFormat,
  Probe,
  TargetFamily,
  TransportFactory,
} from '../../src/exports/plugin.js';
import { PluginLoader, PluginSet } from '../../src/exports/runner.js';
import { PLUGIN_API_VERSION, type FlashwrightPlugin } from '../../src/index.js';

export interface UniformFlash {
  readonly base: number;
  readonly sectorBytes: number;
  readonly sectors: number;
  readonly erasedValue: number;
  readonly writeUnitBytes: number;
}

/** A flash region named "main" of `sectors` sectors of `sectorBytes` from `base`. */
export function uniformFlashRegion(flash: UniformFlash): FlashRegion {
  const { base, sectorBytes, sectors } = flash;
  return {
    name: 'main',
    start: base,
    end: base + sectors * sectorBytes,
    sectors: Array.from({ length: sectors }, (_, i) => ({
      start: base + i * sectorBytes,
      end: base + (i + 1) * sectorBytes,
    })),
    erasedValue: flash.erasedValue,
    writeUnitBytes: flash.writeUnitBytes,
  };
}

/** A probe whose connect succeeds and whose reset and close call the given recorders. */
export function recordingProbe(
  fields: Omit<Probe, 'connect' | 'reset' | 'close'>,
  record: { reset: Probe['reset']; close: () => void },
): Probe {
  return {
    ...fields,
    connect: () => Promise.resolve({}),
    reset: record.reset,
    close: () => {
      record.close();
      return Promise.resolve();
    },
  };
}

export interface TestPluginParts {
  /** Plugin name, e.g. "fake-plugin". */
  readonly name: string;
  readonly transport: TransportFactory;
  readonly family: TargetFamily;
  readonly format: ImageFormat;
}

export function testPlugin(parts: TestPluginParts): FlashwrightPlugin {
  return {
    meta: { name: parts.name, version: '0.0.0', apiVersion: PLUGIN_API_VERSION },
    transports: [parts.transport],
    families: [parts.family],
    formats: [parts.format],
  };
}

/**
 * A PluginSet where the plugin's name, its transport id, its family id and its format id
 * resolve to the plugin (as a recipe's `plugins:`, `probe.transport`, `target.family` or an
 * image extension would ask for them).
 */
export function pluginSetOf(plugin: FlashwrightPlugin): PluginSet {
  const specs = [
    plugin.meta.name,
    ...(plugin.transports ?? []).map((t) => t.id),
    ...(plugin.families ?? []).map((f) => f.id),
    ...(plugin.formats ?? []).map((f) => f.id),
  ];
  const loader = new PluginLoader({
    baseDir: process.cwd(),
    resolvers: [(spec) => (specs.includes(spec) ? `${plugin.meta.name}:${spec}` : undefined)],
    importModule: () => Promise.resolve({ plugin: () => plugin }),
  });
  return new PluginSet(loader);
}
