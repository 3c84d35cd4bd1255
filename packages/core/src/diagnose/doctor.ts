import { ramCodeRuns } from './ram-code-check.js';
import type { ResolvedRecipe } from '../config/load-recipe.js';
import type { Recipe } from '../config/recipe.js';
import { unprotectConfirmed } from '../config/steps-schema.js';
import type { FlashwrightError } from '../errors/flashwright-error.js';
import { isFlashwrightError } from '../errors/flashwright-error.js';
import { planSectors } from '../flash/planner.js';
import type { FlashImage } from '../image/flash-image.js';
import type {
  Device,
  FlashRegion,
  Logger,
  Probe,
  ProbeListing,
  TargetFamily,
} from '../plugin/types.js';
import { loadImages } from '../plugin/load-image.js';
import { builtinFamilies } from '../plugin/known-plugins.js';
import type { PluginSet } from '../plugin/plugin-set.js';
import {
  deviceIdentified,
  deviceNotIdentified,
  flashSize,
  noFamilyRecognised,
} from './device-checks.js';
import { fail, fromError, ok, skipped, warn, type Diagnosis } from './diagnosis.js';
import { DoctorLedger, type DoctorEvent, type DoctorReport } from './doctor-report.js';
import { imageFit } from './image-checks.js';
import { optionBytes } from './option-byte-checks.js';
import { probeFirmware, probeFound, probeOpenFailed, targetVoltage } from './probe-checks.js';
import { readProtection, writeProtection, type UnprotectPlan } from './protection-checks.js';
import {
  swdAnswers,
  swdFallbacks,
  swdNoResponse,
  swdWorksWith,
  type SwdSettings,
} from './swd-checks.js';

export interface DoctorOptions {
  readonly resolved: Pick<ResolvedRecipe, 'recipe' | 'baseDir'>;
  readonly plugins: PluginSet;
  readonly emit: (event: DoctorEvent) => void;
  readonly signal: AbortSignal;
  /** --yes: counts as confirming the recipe's unprotect step. */
  readonly yes: boolean;
}

/** State shared by the checks of one doctor run. */
interface DoctorRun extends DoctorOptions {
  readonly ledger: DoctorLedger;
  readonly log: Logger;
  readonly recipe: Recipe;
  image?: FlashImage | undefined;
  imageProblem?: FlashwrightError | undefined;
}

/**
 * `flashwright doctor`: read-only checks, in order, each with a verdict and a fix (see
 * doctorCheckIds). Nothing is erased or written; attaching may halt the core. A check that
 * cannot run because an earlier one failed is skipped, saying which. The probe is closed
 * whatever happens.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const ledger = new DoctorLedger((event) => options.emit(event));
  const run: DoctorRun = {
    ...options,
    ledger,
    recipe: options.resolved.recipe,
    log: {
      debug: () => undefined,
      // The checks below turn transport warnings into verdicts; keep the raw text for -v.
      info: (message) => options.emit({ type: 'info', message }),
      warn: (message) => options.emit({ type: 'info', message }),
    },
  };
  // The recipe's own plugins first: they may provide the transport, family or image format.
  for (const p of run.recipe.plugins) await options.plugins.add(p.name, p.options);
  await loadRecipeImage(run);
  const probe = await openProbe(run);
  try {
    const device = probe === undefined ? undefined : await attach(run, probe);
    if (device !== undefined) await inspect(run, device);
    await checkImage(run, device);
    ledger.skipRest(probe === undefined ? 'needs an open probe' : 'needs the identified chip');
  } finally {
    await probe?.close().catch((error: unknown) => {
      if (!isFlashwrightError(error)) throw error;
    });
  }
  return ledger.report();
}

async function loadRecipeImage(run: DoctorRun): Promise<void> {
  if (run.recipe.images.length === 0) return;
  try {
    run.image = await loadImages(run.recipe.images, run.plugins);
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    run.imageProblem = error;
  }
}

/** Check 1 and 2: the transport sees the probe, opens it, and likes its firmware. */
async function openProbe(run: DoctorRun): Promise<Probe | undefined> {
  const { recipe, ledger, signal } = run;
  if (recipe.probe.transport === undefined) {
    ledger.record(
      fail('probe', {
        code: 'RECIPE_INVALID',
        message: 'No probe transport is set',
        hint: 'Set probe.transport in the recipe (stlink, cmsis-dap, virtual, gdb), or pass --probe SPEC.',
      }),
    );
    return undefined;
  }
  let listings: readonly ProbeListing[] = [];
  try {
    const transport = await run.plugins.transport(recipe.probe.transport);
    listings = await transport.list(signal).catch((error: unknown) => {
      // PROBE_NO_USB and friends: open() will say the same with its own message.
      if (!isFlashwrightError(error)) throw error;
      return [];
    });
    const probe = await transport.open(
      {
        serial: recipe.probe.serial,
        index: recipe.probe.index,
        options: recipe.probe.options,
        recipeDir: run.resolved.baseDir,
        log: run.log,
        targetDevice: recipe.target.device,
      },
      signal,
    );
    ledger.record(probeFound(probe.info, listings));
    ledger.record(probeFirmware(probe.info, probe.warnings));
    return probe;
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    if (error.code === 'PROBE_FIRMWARE_TOO_OLD') {
      ledger.record(
        ok('probe', 'a probe answered, but it runs firmware that cannot be used (next check)'),
      );
      ledger.record(probeFirmware(undefined, [], error));
    } else {
      ledger.record(probeOpenFailed(error, listings));
    }
    return undefined;
  }
}

/**
 * Checks 3 to 5: the target voltage, the SWD attach with the recipe's settings (and, when
 * that fails, with slower and under-reset settings, to say what would work), and the chip.
 */
async function attach(run: DoctorRun, probe: Probe): Promise<Device | undefined> {
  const { recipe, ledger, signal } = run;
  const volts = await probe.targetVoltage?.(signal).catch(unlessOurs);
  const settings: SwdSettings = { speedKhz: recipe.probe.speedKhz, mode: recipe.probe.connect };
  const openWarnings = probe.warnings.length;
  let working: SwdSettings | undefined;
  try {
    await probe.connect({ ...settings, signal });
    working = settings;
    ledger.record(swdAnswers(settings, probe.warnings.slice(openWarnings)));
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    working = await tryFallbacks(run, probe, settings, error);
  }
  ledger.record(targetVoltage(volts, working !== undefined));
  if (working === undefined) return undefined;
  try {
    const device = await identify(run, probe, working);
    ledger.record(deviceIdentified(device, recipe.target.device));
    return device;
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    ledger.record((await onTrust(run, probe, error)) ?? deviceNotIdentified(error));
    return undefined;
  }
}

/**
 * Through a memory-only probe (a GDB server) `run` takes the recipe's target.device on
 * trust when the ID registers say nothing, and with no part named writes the image as
 * `gdb load` does (pipeline/memory-device.ts): doctor says so as a warning, not a failure.
 * Protection and option bytes then cannot be read; the image is checked against the
 * database layout where there is one.
 */
async function onTrust(
  run: DoctorRun,
  probe: Probe,
  error: FlashwrightError,
): Promise<Diagnosis | undefined> {
  if (error.code !== 'TARGET_UNKNOWN_DEVICE' || probe.access.level !== 'memory') return undefined;
  if (run.recipe.target.device === undefined) {
    return warn('device-id', {
      code: 'TARGET_UNKNOWN_DEVICE',
      message: `${error.message}, and no part is named: run writes the image as \`gdb load\` does, with plain memory writes and no flash algorithm, and verify tells whether they took`,
      hint: 'That suits an emulator or RAM. For real flash, name the part in target.device (or `flashwright flash --chip PART`). Protection and option bytes cannot be read this way.',
    });
  }
  const layout = await databaseLayout(run);
  if (layout === undefined) return undefined;
  return warn('device-id', {
    code: 'TARGET_UNKNOWN_DEVICE',
    message: `${error.message}; the recipe names ${run.recipe.target.device ?? ''}, so run takes its layout (${layout.name}) from the device database on the recipe's word`,
    hint: 'Make sure target.device is the part on the board: nothing on the chip can confirm it through this probe. Protection and option bytes cannot be read this way.',
  });
}

async function tryFallbacks(
  run: DoctorRun,
  probe: Probe,
  settings: SwdSettings,
  error: FlashwrightError,
): Promise<SwdSettings | undefined> {
  const tried: SwdSettings[] = [];
  if (error.code === 'TARGET_NO_RESPONSE') {
    for (const fallback of swdFallbacks(settings)) {
      run.signal.throwIfAborted();
      tried.push(fallback);
      try {
        await probe.connect({ ...fallback, signal: run.signal });
        run.ledger.record(swdWorksWith(settings, fallback, error));
        return fallback;
      } catch (again) {
        if (!isFlashwrightError(again)) throw again;
      }
    }
  }
  const diagnosis = swdNoResponse(error, settings);
  run.ledger.record({ ...diagnosis, details: { ...diagnosis.details, alsoTried: tried } });
  return undefined;
}

/** The recipe's family first, then every other installed one (as the pipeline does). */
async function identify(run: DoctorRun, probe: Probe, settings: SwdSettings): Promise<Device> {
  const families: TargetFamily[] = [];
  const spec = run.recipe.target.family;
  if (spec !== undefined) families.push(await run.plugins.family(spec));
  else await run.plugins.addInstalled(builtinFamilies);
  for (const family of run.plugins.families())
    if (!families.includes(family)) families.push(family);
  for (const family of families) {
    const device = await family.identify(
      { probe, memory: probe.memory, log: run.log, connectOptions: settings },
      {
        flashSizeBytes: run.recipe.target.flashSizeBytes,
        loader: run.recipe.flash.loader,
        signal: run.signal,
      },
    );
    if (device !== undefined) return device;
  }
  throw noFamilyRecognised(
    families.map((f) => f.id),
    { memoryOnly: probe.access.level === 'memory' },
  );
}

function unprotectPlan(run: DoctorRun): UnprotectPlan {
  const step = run.recipe.steps.find((s) => s.id === 'unprotect');
  if (step === undefined) return 'absent';
  return unprotectConfirmed(step.options, step.keyPath) || run.yes ? 'confirmed' : 'unconfirmed';
}

/** Checks 6 to 10 on the identified chip: sizes, protection, option bytes, code from RAM. */
async function inspect(run: DoctorRun, device: Device): Promise<void> {
  const { ledger, signal } = run;
  ledger.record(flashSize(device));
  const state = await device.protection(signal);
  ledger.record(readProtection(state, device.name, unprotectPlan(run)));
  const sectors =
    run.image === undefined
      ? undefined
      : planSectors(run.image, device.flash).sectors.map((s) => s.range);
  ledger.record(writeProtection(state, sectors, device));
  try {
    ledger.record(optionBytes(await device.readOptionBytes(signal), device));
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    ledger.record(
      error.code === 'COMMAND_UNAVAILABLE'
        ? skipped('option-bytes', error.message)
        : fromError('option-bytes', error, 'warn'),
    );
  }
  try {
    ledger.record(
      state.readLevel === 0
        ? await ramCodeRuns(device, signal)
        : skipped(
            'ram-code',
            `the chip is read-protected (${state.summary}): code from RAM is tried once protection is removed`,
          ),
    );
  } catch (error) {
    if (!isFlashwrightError(error)) throw error;
    ledger.record(fromError('ram-code', error, 'warn'));
  }
}

/** Check 11: against the chip's flash, or the family database's layout without a chip. */
async function checkImage(run: DoctorRun, device: Device | undefined): Promise<void> {
  if (run.imageProblem !== undefined) {
    run.ledger.record(fromError('image', run.imageProblem));
    return;
  }
  if (run.image === undefined) {
    run.ledger.record(skipped('image', 'the recipe names no image'));
    return;
  }
  const layout = device ?? (await databaseLayout(run));
  if (layout === undefined) {
    run.ledger.record(
      skipped(
        'image',
        run.recipe.target.device === undefined
          ? 'no chip identified and no part named: nothing to check the image against'
          : 'no chip identified and no device database knows target.device',
      ),
    );
    return;
  }
  run.ledger.record(imageFit(run.image, layout.flash, layout.name));
}

async function databaseLayout(
  run: DoctorRun,
): Promise<{ readonly name: string; readonly flash: readonly FlashRegion[] } | undefined> {
  const { device, family, flashSizeBytes } = run.recipe.target;
  if (device === undefined) return undefined;
  if (family === undefined) await run.plugins.addInstalled(builtinFamilies);
  else await run.plugins.family(family).catch(unlessOurs);
  for (const family of run.plugins.families()) {
    const layout = family.layoutOf?.(device, { flashSizeBytes });
    if (layout !== undefined) return layout;
  }
  return undefined;
}

/** For `.catch`: our own errors mean "not available" here; anything else is a bug. */
function unlessOurs(error: unknown): undefined {
  if (!isFlashwrightError(error)) throw error;
  return undefined;
}
