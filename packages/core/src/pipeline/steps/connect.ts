import { deviceMismatchError, noFamilyRecognised } from '../../diagnose/device-checks.js';
import { explainOpenFailure } from '../../diagnose/probe-checks.js';
import { explainNoResponse } from '../../diagnose/swd-checks.js';
import { FlashwrightError } from '../../errors/flashwright-error.js';
import { builtinStepDescription, parseBuiltinOptions } from '../../config/steps-schema.js';
import type { Device, StepDefinition, TargetFamily } from '../../plugin/types.js';
import { DatabaseDevice } from '../database-device.js';
import { MemoryOnlyDevice } from '../memory-device.js';
import { builtinFamilies } from '../../plugin/known-plugins.js';
import type { PluginSet } from '../../plugin/plugin-set.js';
import type { Session } from '../session.js';

/** Opens the probe, connects and identifies the chip (later steps connect on demand too). */
export const connectStep: StepDefinition<null> = {
  id: 'connect',
  description: builtinStepDescription('connect'),
  parseOptions: (raw, at) => {
    parseBuiltinOptions('connect', raw, at.keyPath);
    return null;
  },
  title: (ctx) => {
    const { transport, connect, speedKhz } = ctx.recipe.probe;
    const parts = [
      transport ?? 'no transport',
      connect,
      speedKhz === undefined ? undefined : `${speedKhz} kHz`,
    ];
    return `Connect (${parts.filter((p) => p !== undefined).join(', ')})`;
  },
  plan: (ctx) => {
    const { probe, target } = ctx.recipe;
    return {
      lines: [
        `open a ${probe.transport ?? '(unset)'} probe${probe.serial === undefined ? '' : ` with serial ${probe.serial}`}, connect ${probe.connect}${probe.speedKhz === undefined ? '' : ` at ${probe.speedKhz} kHz`}`,
        target.device === undefined
          ? 'identify the chip'
          : `identify the chip and check that it is a ${target.device}`,
      ],
    };
  },
  run: async (ctx) => {
    const device = await ctx.connect();
    return { status: 'done', summary: `${device.name} (${device.family})` };
  },
};

/** Opens the probe, connects, identifies the chip and checks it is the recipe's part. */
export async function connectAndIdentify(session: Session): Promise<Device> {
  if (session.device !== undefined) return session.device;
  const { recipe, signal } = session;
  const plugins = session.options.plugins;
  const transportSpec = recipe.probe.transport;
  if (transportSpec === undefined) {
    throw new FlashwrightError('RECIPE_INVALID', 'No probe transport is set', {
      hint: 'Set probe.transport in the recipe (stlink, virtual, gdb), or pass --probe SPEC.',
      source: { keyPath: 'probe.transport' },
    });
  }
  const transport = await plugins.transport(transportSpec);
  const probe = await transport
    .open(
      {
        serial: recipe.probe.serial,
        index: recipe.probe.index,
        options: recipe.probe.options,
        recipeDir: session.options.resolved.baseDir,
        log: session.log,
        targetDevice: recipe.target.device,
      },
      signal,
    )
    // A probe that is there but cannot be opened gets doctor's words (the udev rule).
    .catch(async (error: unknown) => {
      throw await explainOpenFailure(error, transport, signal);
    });
  session.probe = probe;
  session.options.emit({ type: 'probe', info: probe.info, warnings: probe.warnings });
  for (const warning of probe.warnings) session.log.warn(warning.message);
  // "Nothing answers on SWD" gets doctor's explanation with the recipe's settings in it.
  const swd = { speedKhz: recipe.probe.speedKhz, mode: recipe.probe.connect };
  let device: Device;
  try {
    await probe.connect({ ...swd, signal });
    device = await identify(session, await familiesFor(session, plugins));
  } catch (error) {
    throw explainNoResponse(error, swd);
  }
  const expected = recipe.target.device;
  if (expected !== undefined && !device.matches(expected)) {
    throw deviceMismatchError(expected, device);
  }
  session.device = device;
  session.options.emit({
    type: 'device',
    family: device.family,
    name: device.name,
    flashSize: device.flashSize,
    ids: device.ids,
    facts: device.facts,
    notes: device.notes,
    flash: device.flash.map((r) => ({
      name: r.name,
      start: r.start,
      end: r.end,
      sectors: r.sectors.length,
    })),
  });
  for (const note of device.notes) session.log.info(note);
  return device;
}

/** The recipe's family first, then every other family that is loaded or built in. */
async function familiesFor(session: Session, plugins: PluginSet): Promise<TargetFamily[]> {
  const ordered: TargetFamily[] = [];
  const spec = session.recipe.target.family;
  if (spec !== undefined) ordered.push(await plugins.family(spec));
  else await plugins.addInstalled(builtinFamilies);
  for (const family of plugins.families()) if (!ordered.includes(family)) ordered.push(family);
  if (ordered.length === 0) {
    throw new FlashwrightError('PLUGIN_NOT_INSTALLED', 'No target family plugin is installed', {
      hint: 'Install one (`pnpm add -D @flashwright/target-stm32`) and set target.family in the recipe.',
    });
  }
  return ordered;
}

async function identify(session: Session, families: readonly TargetFamily[]): Promise<Device> {
  const probe = session.requireProbe();
  const tried: string[] = [];
  // A family that fails (memory it reads is blocked on another vendor's protected chip)
  // does not keep the others from trying; its error stands when none recognises the chip.
  let firstError: { error: unknown } | undefined;
  for (const family of families) {
    tried.push(family.id);
    let device: Device | undefined;
    try {
      device = await family.identify(
        {
          probe,
          memory: probe.memory,
          log: session.log,
          connectOptions: {
            speedKhz: session.recipe.probe.speedKhz,
            mode: session.recipe.probe.connect,
          },
        },
        { flashSizeBytes: session.recipe.target.flashSizeBytes, signal: session.signal },
      );
    } catch (error) {
      if (session.signal.aborted || families.length === 1) throw error;
      firstError ??= { error };
      continue;
    }
    if (device !== undefined) return device;
  }
  if (firstError !== undefined) throw firstError.error;
  const fromRecipe = deviceFromRecipe(session, families);
  if (fromRecipe !== undefined) return fromRecipe;
  if (probe.access.level === 'memory') return unnamedMemoryDevice(session, tried);
  throw noFamilyRecognised(tried);
}

/**
 * No family recognises the chip through a memory-only probe and no part is named: the image
 * is written as `gdb load` writes it, with plain memory writes (or the server's flash
 * driver), and verify tells whether they took. Said plainly, since no flash algorithm runs.
 */
function unnamedMemoryDevice(session: Session, tried: readonly string[]): Device {
  const probe = session.requireProbe();
  session.log.warn(
    `The chip could not be identified (through ${probe.info.name} its ID registers read nothing the ${tried.join('/')} family knows; emulators often leave them 0) and no part is named (target.device, or --chip): flash is written as \`gdb load\` writes it, with no flash algorithm: plain memory writes (the server’s flash driver where its memory map says flash). An emulator or RAM takes plain writes; real flash does not, and verify then fails.`,
  );
  return new MemoryOnlyDevice({
    memory: probe.memory,
    imageRanges: session.image?.ranges() ?? [],
    native: probe.nativeFlash,
  });
}

/**
 * When no family recognises the chip through a memory-only probe (a GDB server, where an
 * emulator may not model the ID registers), the recipe's `target.device` is taken at its
 * word: the part's layout from the family's database, said plainly in the output. Never a
 * guess: without target.device there is no device.
 */
function deviceFromRecipe(session: Session, families: readonly TargetFamily[]): Device | undefined {
  const probe = session.requireProbe();
  const name = session.recipe.target.device;
  if (probe.access.level !== 'memory' || name === undefined) return undefined;
  for (const family of families) {
    const layout = family.layoutOf?.(name, {
      flashSizeBytes: session.recipe.target.flashSizeBytes,
    });
    if (layout === undefined) continue;
    session.log.warn(
      `The chip could not be identified: through ${probe.info.name} its ID registers read nothing the ${families.map((f) => f.id).join('/')} family knows (emulators often leave them 0). Taking the recipe’s word (target.device) that it is ${name}: ${layout.name} from the ${family.id} device database.`,
    );
    return new DatabaseDevice({
      family: family.id,
      recipeName: name,
      layout,
      memory: probe.memory,
    });
  }
  throw new FlashwrightError(
    'TARGET_UNKNOWN_DEVICE',
    `The chip could not be identified, and no device database knows target.device ${name}`,
    {
      hint: 'Check the part name in target.device (`flashwright devices` lists the known parts).',
      source: { keyPath: 'target.device' },
    },
  );
}
