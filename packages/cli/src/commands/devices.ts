import type { Command } from 'commander';
import type { DeviceDescriptor } from '@flashwright/core/plugin';
import { runStandaloneCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';

export function registerDevices(program: Command): void {
  const command = withCommonOptions(
    program
      .command('devices')
      .argument('[filter]', 'only devices whose name or id contains this text')
      .description('List the device database of every installed target family'),
    'named-only',
  );
  withExamples(command, [
    ['flashwright devices', 'every known device'],
    ['flashwright devices L151', 'devices whose name contains L151'],
    ['flashwright devices 0x429 --json', 'as JSON'],
  ]);
  command.action(async (filter: string | undefined, options: CommonOptions) =>
    runStandaloneCommand('devices', options, async (ctx) => {
      const plugins = await ctx.standalonePlugins();
      const failures = await plugins.addInstalled(ctx.core.builtinFamilies);
      const families = plugins.families().filter((f) => f.devices !== undefined);
      if (families.length === 0) {
        const why = failures.map((f) => f.error.message).join('; ');
        throw new ctx.core.FlashwrightError(
          'COMMAND_UNAVAILABLE',
          `No installed target family has a device database yet${why === '' ? '' : ` (${why})`}`,
          { hint: 'Install a target family plugin, e.g. `pnpm add -D @flashwright/target-stm32`.' },
        );
      }
      const needle = filter?.toLowerCase();
      const devices: DeviceDescriptor[] = families
        .flatMap((f) => f.devices?.() ?? [])
        .filter((d) => needle === undefined || `${d.name} ${d.id}`.toLowerCase().includes(needle));
      const rows = devices.map((d) => [
        d.family,
        d.id,
        d.name,
        `${d.maxFlashKiB} KB`,
        ctx.core.formatAddress(d.flashBase),
      ]);
      ctx.reporter.output({
        kind: 'devices',
        data: { devices },
        lines:
          rows.length === 0
            ? [`No device matches "${filter ?? ''}".`]
            : table(['FAMILY', 'ID', 'NAME', 'MAX FLASH', 'FLASH AT'], rows),
      });
      return { result: { count: devices.length } };
    }),
  );
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
