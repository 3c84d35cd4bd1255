import type { Command } from 'commander';
import type { ProbeListing } from '@flashwright/core/plugin';
import { runStandaloneCommand } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';
import { table } from './devices.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export function registerProbes(program: Command): void {
  const command = withCommonOptions(
    program
      .command('probes')
      .description('List connected probes, including those that cannot be opened and why'),
    'named-only',
  );
  withExamples(command, [
    ['flashwright probes', 'every probe of every installed transport'],
    ['flashwright probes --probe stlink', 'only ST-Links'],
    [
      'flashwright probes --probe acme -c flashwright.config.yaml',
      'a transport from the recipe’s plugins',
    ],
    ['flashwright probes -c line.yaml --probe virtual', 'the virtual boards of a batch recipe'],
    ['flashwright probes --json', 'as JSON'],
  ]);
  command.action(async (options: CommonOptions) =>
    runStandaloneCommand('probes', options, async (ctx) => {
      const plugins = await ctx.standalonePlugins();
      // A recipe named with -c may describe its probes (the virtual transport's boards).
      const recipe = options.config === undefined ? undefined : await ctx.loadRecipe();
      const listContext = (id: string) =>
        recipe === undefined || recipe.recipe.probe.transport !== id
          ? undefined
          : { options: recipe.recipe.probe.options, recipeDir: recipe.baseDir, log: quiet };
      const specs =
        options.probe !== undefined
          ? [ctx.core.parseProbeSpec(options.probe, '--probe').transport]
          : [...ctx.core.builtinTransports];
      const unavailable: { transport: string; reason: string }[] = [];
      for (const spec of specs) {
        try {
          await plugins.transport(spec);
        } catch (error) {
          if (!ctx.core.isFlashwrightError(error)) throw error;
          unavailable.push({ transport: spec, reason: error.message });
        }
      }
      const found: (ProbeListing & { problemText?: string })[] = [];
      for (const transport of plugins.transports()) {
        try {
          found.push(...(await transport.list(ctx.signal, listContext(transport.id))));
        } catch (error) {
          if (!ctx.core.isFlashwrightError(error)) throw error;
          unavailable.push({
            transport: transport.id,
            reason: `${error.message}${error.hint === undefined ? '' : ` (${error.hint})`}`,
          });
        }
      }
      const rows = found.map((p) => [
        p.transport,
        p.name,
        p.serial ?? '-',
        p.firmwareVersion ?? '-',
        p.usable
          ? 'ok'
          : `${p.problem?.message ?? 'unusable'}${p.problem?.hint === undefined ? '' : ` (${p.problem.hint})`}`,
      ]);
      const lines =
        rows.length === 0
          ? ['No probes found.']
          : table(['TRANSPORT', 'PROBE', 'SERIAL', 'FIRMWARE', 'STATUS'], rows);
      for (const u of unavailable) lines.push(`${u.transport}: not available: ${u.reason}`);
      ctx.reporter.output({ kind: 'probes', data: { probes: found, unavailable }, lines });
      return { result: { count: found.length, unavailable: unavailable.length } };
    }),
  );
}
