import type { Command } from 'commander';
import type { DoctorCheckEvent, DoctorReport } from '@flashwright/core/diagnose';
import { runCommand, type CommandContext } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';

export function registerDoctor(program: Command): void {
  const command = withCommonOptions(
    program
      .command('doctor')
      .description(
        'Check the probe, the wiring, the chip, its protection and option bytes, and the image: read-only, each check with a verdict and a fix',
      ),
  );
  withExamples(command, [
    ['flashwright doctor', 'check the recipe’s probe, chip and image'],
    ['flashwright doctor --probe stlink', 'without a recipe'],
    ['flashwright doctor --json', 'one JSON line per check, the summary last'],
  ]);
  command.action(async (options: CommonOptions) =>
    runCommand('doctor', options, async (ctx) => {
      const resolved = await ctx.loadRecipe({ optional: true });
      for (const warning of resolved.warnings) ctx.reporter.message('warning', warning);
      if (options.dryRun === true) {
        ctx.reporter.output({
          kind: 'doctor-plan',
          data: { checks: [...ctx.core.doctorCheckIds] },
          lines: [
            'Doctor would run these read-only checks (nothing is touched in a dry run):',
            ...ctx.core.doctorCheckIds.map(
              (id, i) => `  ${i + 1}. ${ctx.core.doctorCheckTitles[id]}`,
            ),
          ],
        });
        return { result: { checks: ctx.core.doctorCheckIds.length } };
      }
      ctx.reporter.output({
        kind: 'doctor',
        data: { recipe: resolved.file },
        lines: [`Doctor: ${resolved.file ?? 'no recipe file (defaults, environment and flags)'}`],
      });
      const report = await ctx.core.runDoctor({
        resolved,
        plugins: ctx.plugins(resolved.baseDir),
        signal: ctx.signal,
        yes: options.yes === true,
        emit: (event) => {
          if (event.type === 'check') printCheck(ctx, event);
          else if (options.verbose === true) ctx.reporter.message('info', event.message);
        },
      });
      ctx.reporter.output({
        kind: 'doctor-summary',
        data: { counts: report.counts },
        lines: [summaryLine(report)],
      });
      // The first failing check decides the exit code, through its catalogue entry.
      if (report.firstFailure !== undefined) throw ctx.core.diagnosisError(report.firstFailure);
      return { result: { counts: report.counts } };
    }),
  );
}

const MARKS: Readonly<Record<DoctorCheckEvent['verdict'], string>> = {
  ok: '[ok]  ',
  warn: '[warn]',
  fail: '[FAIL]',
  skipped: '[skip]',
};

function printCheck(ctx: CommandContext, event: DoctorCheckEvent): void {
  const lines = [`${MARKS[event.verdict]} ${event.title}: ${event.message}`];
  if (event.hint !== undefined && event.verdict !== 'skipped') {
    const label = event.verdict === 'ok' ? 'note' : 'fix';
    lines.push(`       ${label}: ${event.hint.replaceAll('\n', '\n         ')}`);
  }
  ctx.reporter.output({ kind: 'check', data: event, lines });
}

function summaryLine(report: DoctorReport): string {
  const { ok, warn, fail, skipped } = report.counts;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(ok, 'check')} ok, ${plural(warn, 'warning')}, ${plural(fail, 'failure')}, ${skipped} skipped`;
}
