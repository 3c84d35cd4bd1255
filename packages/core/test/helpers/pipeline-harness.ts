import {
  Pipeline,
  loadRecipe,
  type PluginSet,
  type PipelineEvent,
  type PipelineResult,
} from '../../src/exports/runner.js';
import type { FlashwrightError } from '../../src/index.js';
import { rawImage } from './fake-target.js';
import { projectDir } from './recipe-dir.js';

export interface HarnessOptions {
  readonly yes?: boolean;
  /** Phrases given with --confirm. */
  readonly confirmPhrases?: readonly string[];
  readonly controller?: AbortController;
  /** --force: rewrite every touched sector. */
  readonly force?: boolean;
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
}

export interface HarnessRun {
  readonly events: PipelineEvent[];
  readonly result?: PipelineResult;
  readonly error?: FlashwrightError;
}

/** The recipe preamble every pipeline test uses: the fake chip through the fake plugin. */
export const fakePreamble = `
plugins: [fake-plugin]
probe: { transport: fake }
target: { family: fakefam }
image: app.raw
`;

/** Writes a project with `recipe` and an image, loads it, and runs (or dry-runs) the pipeline. */
export async function runRecipe(
  chip: { pluginSet(): PluginSet },
  recipe: string,
  image: [number, Uint8Array][],
  options: HarnessOptions & { dryRun?: boolean } = {},
): Promise<HarnessRun> {
  const dir = await projectDir({
    'flashwright.config.yaml': recipe,
    'app.raw': rawImage(image),
    ...options.files,
  });
  const resolved = await loadRecipe({ cwd: dir, env: {} });
  const events: PipelineEvent[] = [];
  const controller = options.controller ?? new AbortController();
  try {
    const pipeline = await Pipeline.prepare({
      resolved,
      plugins: chip.pluginSet(),
      emit: (event) => events.push(event),
      signal: controller.signal,
      yes: options.yes ?? false,
      confirmPhrases: options.confirmPhrases,
      force: options.force,
    });
    if (options.dryRun === true) {
      await pipeline.dryRun();
      return { events, result: pipeline.result() };
    }
    return { events, result: await pipeline.run() };
  } catch (error) {
    return { events, error: error as FlashwrightError };
  }
}

/** `count` bytes counting up from `from`. */
export function counting(count: number, from = 1): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => (from + i) & 0xff);
}
