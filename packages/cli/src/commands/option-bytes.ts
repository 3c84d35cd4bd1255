import type { Command } from 'commander';
import type { Device, OptionFieldInfo } from '@flashwright/core/plugin';
import { runCommand, type CommandContext, type CommandResult } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { table } from './devices.js';
import { commandStep, executeRecipe, withSteps } from './execute.js';

const ASSIGNMENT = /^([^=\s]+)=(.*\S.*)$/;

export function registerOptionBytes(program: Command): void {
  const command = withCommonOptions(
    program
      .command('option-bytes')
      .argument('[assignments...]', 'NAME=VALUE fields to write, e.g. BOR_LEV=1; none: show them')
      .description(
        'Show the option-byte fields and their values, or write named fields (needs --yes)',
      ),
  );
  command.addHelpText(
    'after',
    [
      '',
      'Values are read as in a recipe step: a name from the field’s table (RDP levels 0, 1, 2 or',
      'level-2), else the raw value in decimal or 0x-hex (RDP=0xBB is the raw byte). Fields that',
      'already hold the value are not written. Writing needs --yes or --confirm write-option-bytes;',
      'a permanent value (RDP level 2 turns the debug port off for good) needs',
      '--confirm permanently-disable-debug, which --yes never covers.',
    ].join('\n'),
  );
  withExamples(command, [
    ['flashwright option-bytes', 'every field, its value and what it means'],
    ['flashwright option-bytes --json', 'the same as JSON'],
    ['flashwright option-bytes BOR_LEV=1 --yes', 'write one field'],
    ['flashwright option-bytes nRST_STOP=1 nRST_STDBY=1 --dry-run', 'show what would be written'],
    ['flashwright option-bytes RDP=1 --confirm write-option-bytes', 'read-protect the flash'],
  ]);
  command.action(async (assignments: readonly string[], options: CommonOptions) =>
    runCommand('option-bytes', options, async (ctx) =>
      assignments.length === 0 ? show(ctx) : write(ctx, assignments),
    ),
  );
}

/** Writes the fields through the recipe's option-bytes step, with its confirmations. */
async function write(ctx: CommandContext, assignments: readonly string[]): Promise<CommandResult> {
  const { FlashwrightError } = ctx.core;
  const values: Record<string, string> = {};
  for (const assignment of assignments) {
    const match = ASSIGNMENT.exec(assignment);
    if (match === null) {
      throw new FlashwrightError('USAGE', `"${assignment}" is not NAME=VALUE`, {
        hint: 'Write each field as NAME=VALUE, e.g. BOR_LEV=1; without arguments the command shows the fields.',
      });
    }
    const [, name = '', value = ''] = match;
    if (name.toLowerCase() === 'confirm') {
      throw new FlashwrightError('USAGE', `${assignment}: confirm is not an option field`, {
        hint: 'Confirm with --yes or --confirm write-option-bytes (a permanent value: --confirm permanently-disable-debug).',
      });
    }
    if (Object.keys(values).some((n) => n.toUpperCase() === name.toUpperCase())) {
      throw new FlashwrightError('USAGE', `${name} is given twice`, {
        hint: 'Give each field once.',
      });
    }
    values[name] = value.trim();
  }
  const resolved = await ctx.loadRecipe({ optional: true });
  return executeRecipe(
    ctx,
    withSteps(resolved, [
      commandStep('option-bytes', 'connect', null),
      commandStep('option-bytes', 'option-bytes', values),
    ]),
  );
}

/** Connects and shows every option field the chip has, with its value and meaning. */
async function show(ctx: CommandContext): Promise<CommandResult> {
  const resolved = await ctx.loadRecipe({ optional: true });
  const connectOnly = withSteps(resolved, [commandStep('option-bytes', 'connect', null)]);
  if (ctx.options.dryRun === true) return executeRecipe(ctx, connectOnly);
  const pipeline = await ctx.core.Pipeline.prepare({
    resolved: connectOnly,
    plugins: ctx.plugins(resolved.baseDir),
    emit: ctx.reporter.event,
    signal: ctx.signal,
    yes: false,
  });
  try {
    await pipeline.runStep(0);
    const data = await describe(ctx, pipeline.device!);
    const rows = data.fields.map((f) => [f.name, f.text, f.meaning ?? '', f.description]);
    ctx.reporter.output({
      kind: 'option-bytes',
      data,
      lines: [
        `Option bytes of ${data.device.name}:`,
        ...table(['FIELD', 'VALUE', 'MEANING', 'DESCRIPTION'], rows).map((l) => `  ${l}`),
      ],
    });
    return { result: data };
  } finally {
    await pipeline.close();
  }
}

async function describe(ctx: CommandContext, device: Device) {
  const values = await device.readOptionBytes(ctx.signal);
  const fields = device
    .optionFields()
    .filter((f) => values[f.name] !== undefined)
    .map((f) => {
      const value = values[f.name]!;
      return {
        name: f.name,
        value,
        text: valueText(value, f),
        meaning: meaningOf(f, value),
        description: f.description,
        values: f.values,
        min: f.min,
        max: f.max,
        role: f.role?.kind,
      };
    });
  return { device: { family: device.family, name: device.name }, values, fields };
}

/** Single-bit and small fields in decimal, wider ones in hex padded to their width. */
function valueText(value: number, field: OptionFieldInfo): string {
  if (value < 10 && (field.max === undefined || field.max < 16)) return String(value);
  const digits = field.max === undefined ? 1 : field.max.toString(16).length;
  return `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;
}

/** What a value selects, as far as the field's role or value table says. */
function meaningOf(field: OptionFieldInfo, value: number): string | undefined {
  const role = field.role;
  switch (role?.kind) {
    case 'read-protection':
      return `level ${role.levelOf(value)}`;
    case 'watchdog':
      return value === role.hardwareWhen
        ? 'hardware watchdog (runs from reset)'
        : value === role.softwareWhen
          ? 'software watchdog'
          : undefined;
    case 'low-power-reset':
      return value === role.resetsWhen
        ? `reset on entering ${role.mode}`
        : value === role.entersWhen
          ? `enters ${role.mode}`
          : undefined;
    default: {
      const named = Object.entries(field.values ?? {}).find(([, raw]) => raw === value);
      return named?.[0];
    }
  }
}
