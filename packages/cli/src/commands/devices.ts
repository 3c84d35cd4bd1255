import type { Command } from 'commander';
import type { DeviceDescriptor, PartDescription } from '@flashwright/core/plugin';
import { runStandaloneCommand, type CommandContext, type StandaloneCore } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';

export function registerDevices(program: Command): void {
  const command = withCommonOptions(
    program
      .command('devices')
      .argument(
        '[parts...]',
        'part numbers as printed on the chip (STM32F411RET6), or text that device names or ids contain',
      )
      .description(
        'Resolve part numbers to their device entries (flash, RAM, banks), or list the device database',
      ),
    'named-only',
  );
  withExamples(command, [
    ['flashwright devices STM32F411RE', 'the entry, flash size, banks and RAM of one part'],
    ['flashwright devices STM32F411RET6 STM32L151CBT6A --json', 'several parts, as JSON'],
    ['flashwright devices', 'every known device'],
    ['flashwright devices L151', 'devices whose name contains L151'],
    ['flashwright devices 0x429 --json', 'the device with DEV_ID 0x429, as JSON'],
  ]);
  command.action(async (names: readonly string[], options: CommonOptions) =>
    runStandaloneCommand('devices', options, async (ctx) => {
      const plugins = await ctx.standalonePlugins();
      const failures = await plugins.addInstalled(ctx.core.builtinFamilies);
      const families = plugins
        .families()
        .filter((f) => f.devices !== undefined || f.describePart !== undefined);
      if (families.length === 0) {
        const why = failures.map((f) => f.error.message).join('; ');
        throw new ctx.core.FlashwrightError(
          'COMMAND_UNAVAILABLE',
          `No installed target family has a device database yet${why === '' ? '' : ` (${why})`}`,
          { hint: 'Install a target family plugin, e.g. `pnpm add -D @flashwright/target-stm32`.' },
        );
      }
      const all = families.flatMap((f) => f.devices?.() ?? []);
      // A part number a family resolves is that part; other text filters the list.
      const parts: PartDescription[] = [];
      const devices: DeviceDescriptor[] = names.length === 0 ? all : [];
      const unknown: string[] = [];
      for (const name of names) {
        const resolved = families.flatMap((f) => f.describePart?.(name) ?? []);
        const needle = name.toLowerCase();
        const matching = all.filter((d) => `${d.name} ${d.id}`.toLowerCase().includes(needle));
        if (resolved.length > 0) parts.push(...resolved);
        else if (matching.length > 0) devices.push(...matching.filter((d) => !devices.includes(d)));
        else unknown.push(name);
      }
      if (unknown.length > 0) {
        throw new ctx.core.FlashwrightError(
          'USAGE',
          `No device matches ${unknown.map((n) => `"${n}"`).join(', ')}: no installed target family knows ${unknown.length === 1 ? 'it' : 'them'} as a part number, and no device name or id contains ${unknown.length === 1 ? 'it' : 'them'}`,
          {
            hint: 'Give the part number as printed on the chip or in the order code (STM32F411RET6), or part of a device name (`flashwright devices F4`); `flashwright devices` lists every known device.',
            details: { unknown },
          },
        );
      }
      const partData = parts.map(partJson);
      ctx.reporter.output({
        kind: 'devices',
        data: { ...(names.length === 0 ? {} : { parts: partData }), devices },
        lines: [...parts.flatMap((p) => partLines(ctx, p)), ...deviceLines(ctx, devices)],
      });
      return { result: { count: devices.length, parts: parts.length } };
    }),
  );
}

function deviceLines(
  ctx: CommandContext<StandaloneCore>,
  devices: readonly DeviceDescriptor[],
): string[] {
  if (devices.length === 0) return [];
  const rows = devices.map((d) => [
    d.family,
    d.id,
    d.name,
    `${d.maxFlashKiB} KB`,
    ctx.core.formatAddress(d.flashBase),
  ]);
  return table(['FAMILY', 'ID', 'NAME', 'MAX FLASH', 'FLASH AT'], rows);
}

/** A part for --json: its entry, flash size, banks with their sectors, and RAM. */
function partJson(p: PartDescription) {
  return {
    part: p.part,
    family: p.device.family,
    id: p.device.id,
    name: p.device.name,
    flashKiB: p.flashKiB,
    flashSizeFrom: p.flashSizeFrom,
    banks: p.flash.map((r) => ({
      name: r.name,
      start: r.start,
      end: r.end,
      bytes: r.end - r.start,
      sectors: r.sectors.length,
      sectorSizes: sizeRuns(r.sectors.map((s) => s.end - s.start)),
    })),
    ram: p.ram.map((r) => ({ start: r.start, end: r.end, bytes: r.end - r.start })),
    notes: p.notes,
    device: p.device,
  };
}

function partLines(ctx: CommandContext<StandaloneCore>, p: PartDescription): string[] {
  const { formatAddress, formatBytes, formatRange } = ctx.core;
  const from = p.flashSizeFrom === 'part-number' ? 'from the part number' : 'the entry’s largest';
  return [
    `${p.part}: ${p.device.name} (${p.device.family}, id ${p.device.id})`,
    `  Flash:  ${formatBytes(p.flashKiB * 1024)} at ${formatAddress(p.flash[0]?.start ?? p.device.flashBase)} (${from})`,
    ...p.flash.map(
      (r) =>
        `  Bank:   ${r.name} ${formatRange(r)} (${formatBytes(r.end - r.start)}): ${r.sectors.length} sectors, ${sizeRuns(
          r.sectors.map((s) => s.end - s.start),
        )
          .map((run) => `${run.count}x${formatBytes(run.bytes)}`)
          .join(', ')}`,
    ),
    ...(p.ram.length === 0
      ? ['  RAM:    not in the database']
      : p.ram.map((r) => `  RAM:    ${formatRange(r)} (${formatBytes(r.end - r.start)})`)),
    ...p.notes.map((n) => `  Note:   ${n}`),
  ];
}

/** Sector sizes in address order as runs: [16K, 16K, 64K] is 2x16K, 1x64K. */
function sizeRuns(sizes: readonly number[]): { count: number; bytes: number }[] {
  const runs: { count: number; bytes: number }[] = [];
  for (const bytes of sizes) {
    const last = runs.at(-1);
    if (last?.bytes === bytes) last.count++;
    else runs.push({ count: 1, bytes });
  }
  return runs;
}

/** Left-aligned columns separated by two spaces. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
