import type { ProbeListing } from '@flashwright/core/plugin';
import type { PluginSet } from '@flashwright/core/runner';
import type { CommandContext } from '../context.js';

/**
 * Never chosen by a search: the virtual probe is always "there" (a rehearsal is asked for
 * with --probe virtual), and a GDB server cannot be listed (gdb:HOST:PORT names it).
 */
const notSearched: ReadonlySet<string> = new Set(['virtual', 'gdb']);

/** What to add to --probe in a message: the spec that opens this probe. */
export function probeSpec(probe: Pick<ProbeListing, 'transport' | 'serial'>): string {
  return probe.serial === undefined ? probe.transport : `${probe.transport}:${probe.serial}`;
}

/**
 * The one connected probe, for a command that was given none (`flashwright flash`): every
 * hardware transport that is installed, or that the recipe's plugins bring, lists what it
 * sees. One usable probe is the answer; none or several is an error that lists what was
 * seen and says how to name one.
 */
export async function findTheProbe(ctx: CommandContext, plugins: PluginSet): Promise<ProbeListing> {
  const { FlashwrightError, isFlashwrightError } = ctx.core;
  // flashwright's own hardware transports, when installed.
  for (const spec of ctx.core.builtinTransports.filter((t) => !notSearched.has(t))) {
    try {
      await plugins.transport(spec);
    } catch (error) {
      // A transport that is not installed has no probes to find.
      if (!isFlashwrightError(error) || error.code !== 'PLUGIN_NOT_INSTALLED') throw error;
    }
  }
  const usable: ProbeListing[] = [];
  const seen: string[] = [];
  for (const transport of plugins.transports()) {
    if (notSearched.has(transport.id)) continue;
    try {
      for (const probe of await transport.list(ctx.signal)) {
        if (probe.usable) usable.push(probe);
        else seen.push(`${describe(probe)}: ${problemOf(probe)}`);
      }
    } catch (error) {
      if (!isFlashwrightError(error)) throw error;
      seen.push(`${transport.id}: ${error.message}`);
    }
  }
  const [only, ...others] = usable;
  if (only !== undefined && others.length === 0) return only;
  if (only !== undefined) {
    throw new FlashwrightError(
      'PROBE_AMBIGUOUS',
      `${usable.length} probes are connected:\n${usable.map((p) => `  ${describe(p)}`).join('\n')}`,
      {
        hint: `Name one with --probe, e.g. --probe ${probeSpec(only)} (\`flashwright probes\` lists them).`,
      },
    );
  }
  throw new FlashwrightError(
    'PROBE_NOT_FOUND',
    `No probe found${seen.length === 0 ? '' : `:\n${seen.map((s) => `  ${s}`).join('\n')}`}`,
    {
      hint: 'Connect a probe (`flashwright probes` shows what is seen), or name one with --probe: gdb:HOST:PORT for a GDB server, virtual to rehearse on a simulated board.',
    },
  );
}

function describe(probe: ProbeListing): string {
  return `${probe.transport} ${probe.name}${probe.serial === undefined ? '' : ` (serial ${probe.serial})`}`;
}

function problemOf(probe: ProbeListing): string {
  const problem = probe.problem;
  if (problem === undefined) return 'unusable';
  return `${problem.message}${problem.hint === undefined ? '' : ` (${problem.hint})`}`;
}
