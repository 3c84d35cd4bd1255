import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runStandaloneCommand } from '../context.js';
import {
  parseByte,
  parseInteger,
  withCommonOptions,
  withExamples,
  type CommonOptions,
} from '../options.js';

interface ConvertOptions extends CommonOptions {
  readonly from?: string;
  readonly to?: string;
  /** Issue 6 names the output format option --format; --to is the same thing. */
  readonly format?: string;
  readonly base?: number;
  readonly fill?: number;
}

export function registerConvert(program: Command): void {
  const command = withCommonOptions(
    program
      .command('convert')
      .argument('<input>', 'image file to read')
      .argument(
        '<output>',
        'file to write; the format follows its extension (.hex, .srec, .elf, .bin; others raw binary)',
      )
      .description('Convert an image between formats (Intel HEX, S-record, ELF, raw binary)')
      .option(
        '--from <format>',
        'input format, when the extension does not tell (ihex, srec, elf, bin)',
      )
      .option('--to <format>', 'output format, when the extension does not tell')
      .option('--format <format>', 'the same as --to')
      .option('--base <address>', 'load address of a raw binary input', parseInteger)
      .option('--fill <byte>', 'gap byte of a raw binary output (default 0xFF)', parseByte),
    'named-only',
  );
  withExamples(command, [
    ['flashwright convert build/app.elf app.hex', 'ELF to Intel HEX'],
    ['flashwright convert app.bin app.srec --base 0x08000000', 'raw binary to S-record'],
    ['flashwright convert app.hex app.bin', 'Intel HEX to raw binary (gaps filled with 0xFF)'],
    ['flashwright convert app.hex app.bin --fill 0', 'the same, gaps filled with 0x00'],
    ['flashwright convert app.elf app.txt --format srec', 'S-record whatever the extension'],
    [
      'flashwright convert app.fwtext app.hex -c flashwright.config.yaml',
      'with the recipe’s format plugins',
    ],
  ]);
  command.action(async (input: string, output: string, options: ConvertOptions) =>
    runStandaloneCommand('convert', options, async (ctx) => {
      const { FlashwrightError } = ctx.core;
      if (
        options.to !== undefined &&
        options.format !== undefined &&
        options.to !== options.format
      ) {
        throw new FlashwrightError(
          'USAGE',
          `--to ${options.to} and --format ${options.format} disagree: they name the same thing`,
          { hint: 'Give one of them.' },
        );
      }
      const outputFormatId = options.to ?? options.format;
      const plugins = await ctx.standalonePlugins();
      const inFile = resolve(ctx.cwd, input);
      const outFile = resolve(ctx.cwd, output);
      const image = await ctx.core.loadImage(
        { file: inFile, format: options.from, base: options.base, keyPath: 'input' },
        plugins,
      );
      const format = await ctx.core.outputFormatFor(outFile, plugins, outputFormatId);
      if (options.fill !== undefined && format.id !== 'bin') {
        ctx.reporter.message(
          'warning',
          `--fill applies to raw binary output only; ${format.id} keeps the gaps, so it is ignored`,
        );
      }
      const ranges = image.ranges();
      const lines = [
        `${input}: ${ctx.core.formatBytes(image.size)} in ${ranges.length} block${ranges.length === 1 ? '' : 's'}: ${ctx.core.formatRanges(ranges)}`,
      ];
      if (options.dryRun !== true) {
        await ctx.core.writeImageFile(outFile, image, plugins, {
          format: format.id,
          fill: options.fill,
        });
        lines.push(`wrote ${output} (${format.id})`);
      } else {
        lines.push(`would write ${output} (${format.id}, dry run)`);
      }
      ctx.reporter.output({
        kind: 'converted',
        data: {
          input: inFile,
          output: outFile,
          format: format.id,
          bytes: image.size,
          ranges,
          crc32: image.crc32(),
        },
        lines,
      });
      return { result: { bytes: image.size } };
    }),
  );
}
