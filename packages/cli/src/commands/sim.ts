import type { Command } from 'commander';
import { runCommand, type CommandContext, type CommandResult } from '../context.js';
import { withCommonOptions, withExamples, type CommonOptions } from '../options.js';

interface SimOptions extends CommonOptions {
  readonly stlinkServer?: string;
  readonly usbredir?: string;
}

export function registerSim(program: Command): void {
  const command = withCommonOptions(
    program
      .command('sim')
      .description('Serve the recipe’s virtual hardware to other tools (e.g. OpenOCD)')
      .option(
        '--stlink-server <host:port>',
        'listen as an ST-Link TCP server (stlink-server protocol)',
      )
      .option(
        '--usbredir <host:port>',
        'listen as a usbredir server: QEMU (-device usb-redir) attaches the probe as a USB device',
      ),
  );
  withExamples(command, [
    [
      'flashwright sim --stlink-server 127.0.0.1:7184 -c board.yaml',
      'serve the recipe’s virtual board',
    ],
    [
      'openocd -f interface/stlink-dap.cfg -c "st-link backend tcp 7184" -f target/stm32f1x.cfg',
      'then, in another shell',
    ],
    [
      'flashwright sim --usbredir 127.0.0.1:4000 -c board.yaml',
      'serve the virtual probe as a USB device over usbredir',
    ],
    [
      'qemu-system-x86_64 ... -device qemu-xhci -chardev socket,id=p,host=127.0.0.1,port=4000,reconnect=1 -device usb-redir,chardev=p',
      'then attach it to a QEMU guest, which sees a real ST-Link',
    ],
  ]);
  command.action(async (options: SimOptions) =>
    runCommand('sim', options, (ctx) => serve(ctx, options)),
  );
}

/** Parses HOST:PORT (or just PORT, on 127.0.0.1). */
function listenAddress(
  ctx: CommandContext,
  option: '--stlink-server' | '--usbredir',
  text: string,
): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || !(port >= 1 && port <= 65535)) {
    throw new ctx.core.FlashwrightError('USAGE', `${option} expects HOST:PORT, got "${text}"`, {
      hint:
        option === '--usbredir'
          ? 'For example --usbredir 127.0.0.1:4000 (QEMU: -chardev socket,host=127.0.0.1,port=4000).'
          : 'For example --stlink-server 127.0.0.1:7184 (OpenOCD: st-link backend tcp 7184).',
    });
  }
  return { host: match[1] || '127.0.0.1', port };
}

async function serve(ctx: CommandContext, options: SimOptions): Promise<CommandResult> {
  const { FlashwrightError } = ctx.core;
  if ((options.stlinkServer === undefined) === (options.usbredir === undefined)) {
    throw new FlashwrightError(
      'USAGE',
      options.usbredir === undefined
        ? '`flashwright sim` needs a server to start'
        : '`flashwright sim` serves one way at a time',
      { hint: 'Pass either --stlink-server HOST:PORT or --usbredir HOST:PORT.' },
    );
  }
  const kind = options.usbredir === undefined ? '--stlink-server' : '--usbredir';
  const address = listenAddress(ctx, kind, options.usbredir ?? options.stlinkServer ?? '');
  const resolved = await ctx.loadRecipe();
  const { probe, target } = resolved.recipe;
  if (probe.transport !== 'virtual') {
    throw new FlashwrightError(
      'RECIPE_INVALID',
      `the recipe’s probe is ${probe.transport === undefined ? 'not set' : `"${probe.transport}"`}, not virtual hardware`,
      {
        hint: 'Set probe.transport: virtual (or pass --probe virtual) and describe the board in probe.options.',
        source: { file: resolved.file, keyPath: 'probe.transport' },
      },
    );
  }
  const { parseVirtualOptions } = await import('@flashwright/transport-virtual');
  const sim = await import('@flashwright/sim');
  const virtual = parseVirtualOptions(probe.options, resolved.baseDir);
  // The ST-Link server speaks the ST-Link protocol; over usbredir any virtual probe is a USB device.
  if (kind === '--stlink-server' && sim.isCmsisDapKind(virtual.probe)) {
    throw new FlashwrightError(
      'RECIPE_INVALID',
      `--stlink-server serves a virtual ST-Link, but probe.options.probe is ${virtual.probe}`,
      {
        hint: 'Set probe.options.probe to stlink-v2, stlink-v2-1 or stlink-v3 for the ST-Link server (the same chip model sits behind either probe).',
        source: { file: resolved.file, keyPath: 'probe.options.probe' },
      },
    );
  }
  const sessionOptions = { ...virtual, device: virtual.device ?? target.device };
  const stlinkSession =
    kind === '--stlink-server' ? sim.createVirtualSession(sessionOptions) : undefined;
  const session = stlinkSession ?? sim.createVirtualProbeSession(sessionOptions);

  const log = (line: string): void => {
    if (options.verbose) ctx.reporter.message('info', line);
  };
  let server: { host: string; port: number; close(): Promise<void> };
  try {
    if (stlinkSession) {
      server = await sim.startStlinkServer({
        session: stlinkSession,
        host: address.host,
        port: address.port,
        log,
      });
    } else {
      const usbredir = await sim.startUsbredirServer({
        device: session.device,
        host: address.host,
        port: address.port,
        log,
      });
      // A disconnect fault unplugs the USB device: the guest sees device_disconnect.
      session.board.faults.onDisconnect(() => usbredir.disconnect());
      server = {
        host: usbredir.host,
        port: usbredir.port,
        close: async () => {
          await usbredir.close();
          await session.close();
        },
      };
    }
  } catch (error) {
    await session.close();
    throw new FlashwrightError(
      'USAGE',
      `cannot listen on ${address.host}:${address.port}: ${(error as Error).message}`,
      { hint: 'Pick a free port, or stop the program that holds this one.', cause: error },
    );
  }

  const device = session.board.chip.partName;
  ctx.reporter.message(
    'info',
    kind === '--usbredir'
      ? `Serving a virtual ${virtual.probe} with ${device} over usbredir on ${server.host}:${server.port} until Ctrl-C. ` +
          `QEMU: -device qemu-xhci -chardev socket,id=probe,host=${server.host},port=${server.port},reconnect=1 -device usb-redir,chardev=probe`
      : `Serving a virtual ${virtual.probe} with ${device} on ${server.host}:${server.port} until Ctrl-C. ` +
          `OpenOCD: -f interface/stlink-dap.cfg -c "st-link backend tcp ${server.port}"`,
  );
  // Runs until Ctrl-C (runCommand aborts ctx.signal) or SIGTERM.
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      resolve();
    };
    if (ctx.signal.aborted) stop();
    ctx.signal.addEventListener('abort', stop, { once: true });
    process.on('SIGTERM', stop);
  });
  await server.close();
  return {
    result: {
      probe: virtual.probe,
      device,
      host: server.host,
      port: server.port,
      state: virtual.state,
      virtualMs: Math.round(session.stats().virtualMs),
    },
  };
}
