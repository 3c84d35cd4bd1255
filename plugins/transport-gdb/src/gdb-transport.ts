import type {
  Logger,
  Probe,
  ProbeListing,
  ProbeRequest,
  TransportFactory,
} from '@flashwright/core/plugin';
import { GdbProbe } from './gdb-probe.js';
import { parseProbeSettings } from './probe-settings.js';
import { openTcpLink } from './tcp-link.js';

/** Opens a GDB server connection from explicit settings; the transport's open() uses it. */
export async function openGdbProbe(
  request: Pick<ProbeRequest, 'options' | 'serial'> & { log?: Logger | undefined },
  signal?: AbortSignal,
): Promise<GdbProbe> {
  const settings = parseProbeSettings(request);
  const link = await openTcpLink({
    host: settings.host,
    port: settings.port,
    noDelay: settings.noDelay,
    connectTimeoutMs: settings.requestTimeoutMs,
    signal,
  });
  return GdbProbe.open(link, settings, { log: request.log, signal });
}

/**
 * `probe: { transport: gdb, address: "127.0.0.1:3333" }` or `--probe gdb:HOST:PORT`.
 * Further probe keys: noDelay, noAckMode, timeoutMs, flashTimeoutMs, packetSize,
 * resetCommand, memoryMap.
 */
export function gdbTransport(): TransportFactory {
  return {
    id: 'gdb',
    description:
      'GDB remote serial protocol over TCP (OpenOCD, pyOCD, J-Link GDB server, Black Magic Probe, QEMU)',
    // A GDB server cannot be discovered, and connecting to one to look (OpenOCD halts the
    // target when a debugger attaches) would not be harmless. So nothing is listed.
    list(): Promise<readonly ProbeListing[]> {
      return Promise.resolve([]);
    },
    open(request: ProbeRequest, signal?: AbortSignal): Promise<Probe> {
      return openGdbProbe(request, signal);
    },
  };
}
