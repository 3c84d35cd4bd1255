import { resolve } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { runCommand } from '../context.js';
import { parseInteger, withCommonOptions, withExamples, type CommonOptions } from '../options.js';

interface ConvertOptions extends CommonOptions {
  readonly from?: string;
  readonly to?: string;
  readonly base?: number;
}

export function registerConvert(program: Command): void {
  const command = withCommonOptions(
    program
      .command('convert')
      .argument('<input>', 'image file to read')
      .argument('<output>', 'file to write; the format follows its extension (.hex, .srec, .bin)')
      .description('Convert an image between formats (Intel HEX, S-record, ELF, raw binary)')
      .option(
        '--from <format>',
        'input format, when the extension does not tell (ihex, srec, elf, bin)',
      )
      .option('--to <format>', 'output format, when the extension does not tell')
      .option('--base <address>', 'load address of a raw binary input', parseInteger),
  );
  withExamples(command, [
    ['flashwright convert build/app.elf app.hex', 'ELF to Intel HEX'],
    ['flashwright convert app.bin app.srec --base 0x08000000', 'raw binary to S-record'],
    ['flashwright convert app.hex app.bin', 'Intel HEX to raw binary (gaps filled with 0xFF)'],
  ]);
  command.action(async (input: string, output: string, options: ConvertOptions) =>
    runCommand('convert', options, async (ctx) => {
      // A recipe nearby may list format plugins (plugins:); convert works without one too.
      const resolved = await ctx.loadRecipe({ optional: true });
      const plugins = ctx.plugins(resolved.baseDir);
      for (const p of resolved.recipe.plugins) await plugins.add(p.name, p.options);
      const inFile = resolve(ctx.cwd, input);
      const outFile = resolve(ctx.cwd, output);
      const image = await ctx.core.loadImage(
        { file: inFile, format: options.from, base: options.base, keyPath: 'input' },
        plugins,
      );
      const ranges = image.ranges();
      const lines = [
        `${input}: ${ctx.core.formatBytes(image.size)} in ${ranges.length} block${ranges.length === 1 ? '' : 's'}: ${ctx.core.formatRanges(ranges)}`,
      ];
      if (options.dryRun !== true) {
        if (options.to !== undefined) {
          const format = await plugins.format(options.to);
          if (format.serialize === undefined) {
            throw new ctx.core.FlashwrightError(
              'IMAGE_UNSUPPORTED',
              `The ${format.id} format cannot write files`,
            );
          }
          await writeFile(outFile, format.serialize(image));
        } else {
          await ctx.core.writeImageFile(outFile, image, plugins);
        }
        lines.push(`wrote ${output}`);
      } else {
        lines.push(`would write ${output} (dry run)`);
      }
      ctx.reporter.output({
        kind: 'converted',
        data: { input: inFile, output: outFile, bytes: image.size, ranges, crc32: image.crc32() },
        lines,
      });
      return { result: { bytes: image.size } };
    }),
  );
}
