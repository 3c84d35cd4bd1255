import type { Command } from 'commander';
import type { Device, FlashSize, Probe } from '@flashwright/core/plugin';
import type { CommandContext } from '../context.js';
import { runCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { executeRecipe, withSteps } from './execute.js';

export function registerInfo(program: Command): void {
  const command = withCommonOptions(
    program
      .command('info')
      .description(
        'Show the probe and the chip: device, flash, RAM, protection, option bytes, voltage',
      ),
  ).option(
    '--chip <part>',
    'the part expected, e.g. STM32F411RE (another is an error); with --probe virtual, the part simulated (default STM32L151CBxxA)',
  );
  withExamples(command, [
    ['flashwright info', 'with the recipe’s probe'],
    ['flashwright info --probe stlink', 'without a recipe'],
    [
      'flashwright info --probe virtual --json',
      'the demo board (STM32L151CBxxA), simulated, as JSON',
    ],
    ['flashwright info --probe virtual --chip STM32F411RE', 'a simulated STM32F411RE'],
  ]);
  command.action(async (options: CommonOptions & { readonly chip?: string }) =>
    runCommand('info', options, async (ctx) => {
      const resolved = await ctx.loadRecipe({ optional: true, flags: { device: options.chip } });
      const connectOnly = withSteps(resolved, [{ id: 'connect', options: null, keyPath: 'info' }]);
      if (options.dryRun === true) return executeRecipe(ctx, connectOnly);
      const pipeline = await ctx.core.Pipeline.prepare({
        resolved: connectOnly,
        plugins: ctx.plugins(resolved.baseDir),
        emit: ctx.reporter.event,
        signal: ctx.signal,
        yes: false,
      });
      try {
        await pipeline.runStep(0);
        const info = await describe(ctx, pipeline.probe!, pipeline.device!);
        ctx.reporter.output({ kind: 'info', data: info.data, lines: info.lines });
        return { result: info.data };
      } finally {
        await pipeline.close();
      }
    }),
  );
}

async function describe(ctx: CommandContext, probe: Probe, device: Device) {
  const { formatBytes, formatRange } = ctx.core;
  const signal = ctx.signal;
  const voltage = await probe.targetVoltage?.(signal);
  const protection = await device.protection(signal);
  let optionBytes: Readonly<Record<string, number>> | { error: string };
  try {
    optionBytes = await device.readOptionBytes(signal);
  } catch (error) {
    if (!ctx.core.isFlashwrightError(error)) throw error;
    optionBytes = { error: error.message };
  }
  const data = {
    probe: probe.info,
    probeWarnings: probe.warnings,
    targetVoltage: voltage,
    device: {
      family: device.family,
      name: device.name,
      flashSize: device.flashSize,
      ids: device.ids,
      facts: device.facts,
      notes: device.notes,
    },
    flash: device.flash.map((r) => ({
      name: r.name,
      start: r.start,
      end: r.end,
      sectors: r.sectors.length,
      erasedValue: r.erasedValue,
      writeUnitBytes: r.writeUnitBytes,
    })),
    ram: device.ram,
    protection,
    optionBytes,
  };
  const lines = [
    `Probe:       ${probe.info.name}${probe.info.serial === undefined ? '' : ` (serial ${probe.info.serial})`}`,
    `Firmware:    ${probe.info.firmwareVersion ?? 'unknown'}`,
    `Voltage:     ${voltage === undefined ? 'not measured' : `${voltage.toFixed(2)} V`}`,
    `Device:      ${device.name} (${device.family})`,
    ...Object.entries(device.facts).map(
      ([k, v]) => `  ${k}: ${typeof v === 'number' ? registerValue(v) : String(v)}`,
    ),
    `Flash size:  ${describeFlashSize(device.flashSize)}`,
    ...device.flash.map(
      (r) =>
        `Flash:       ${r.name} ${formatRange(r)} (${formatBytes(r.end - r.start)}, ${r.sectors.length} sectors, erased ${registerValue(r.erasedValue, 2)})`,
    ),
    ...device.ram.map((r) => `RAM:         ${formatRange(r)} (${formatBytes(r.end - r.start)})`),
    `Protection:  ${protection.summary}`,
    `Option bytes: ${
      'error' in optionBytes
        ? String(optionBytes.error)
        : Object.entries(optionBytes)
            .map(([k, v]) => `${k}=${registerValue(v)}`)
            .join(', ')
    }`,
    ...device.notes.map((n) => `Note:        ${n}`),
  ];
  return { data, lines };
}

/** "128 KiB from the flash-size register at 0x1FF8004C (reads 0x6B80)". */
function describeFlashSize(size: FlashSize): string {
  // A chip known only through the image (no part named) has no size to tell.
  if (size.kib === 0) return size.note ?? 'unknown';
  const from = {
    register: 'from the flash-size register',
    override: 'from target.flashSize',
    database: 'from the device database (the flash-size register was not usable)',
  }[size.source];
  const at =
    size.registerAddress === undefined ? '' : ` at ${registerValue(size.registerAddress, 8)}`;
  const raw = size.raw === undefined ? '' : ` (register reads ${registerValue(size.raw, 4)})`;
  return `${size.kib} KiB ${from}${size.source === 'register' ? at : ''}${raw}`;
}

/**
 * Register-like values read best in hex (0x429, 0xAA), small counts and levels in decimal
 * (RDP level 1, BOR_LEV=3). `minDigits` pads hex, e.g. a byte as 0x00.
 */
function registerValue(value: number, minDigits = 1): string {
  if (value >= 0 && value < 10 && minDigits === 1) return String(value);
  return `0x${value.toString(16).toUpperCase().padStart(minDigits, '0')}`;
}
