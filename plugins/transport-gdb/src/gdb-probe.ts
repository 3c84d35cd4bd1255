import { FlashwrightError } from '@flashwright/core';
import type {
  ConnectOptions,
  ConnectResult,
  Logger,
  MemoryMapRegion,
  Probe,
  ProbeInfo,
  ProbeStats,
  ProbeWarning,
  ResetKind,
} from '@flashwright/core/plugin';
import type { ByteLink } from './byte-link.js';
import {
  CONTINUE,
  QUERY_HALT_REASON,
  START_NO_ACK_MODE,
  encodeDetach,
} from './commands/control.js';
import { parseStatusReply } from './commands/reply.js';
import { isStopReply, processIdOf } from './commands/stop-reply.js';
import {
  encodeQSupported,
  hasFeature,
  parseQSupported,
  type ServerFeatures,
} from './commands/supported.js';
import { GdbMemoryPort } from './gdb-memory-port.js';
import { GdbRegisters, readXferObject } from './gdb-registers.js';
import {
  RESET_HALT_COMMANDS,
  aircrResetHalt,
  monitorResetHalt,
  runMonitorCommand,
  type MonitorResult,
} from './gdb-reset.js';
import { parseMemoryMap } from './memory-map.js';
import { GdbNativeFlash } from './native-flash.js';
import type { GdbProbeSettings } from './probe-settings.js';
import { RspClient } from './rsp-client.js';
import { TransferLimits } from './transfer-limits.js';

export type GdbSessionSettings = Omit<GdbProbeSettings, 'host' | 'port' | 'noDelay'>;

/**
 * A GDB server (OpenOCD, pyOCD, J-Link, Black Magic Probe, QEMU) as a flashwright Probe
 * with memory-level access, plus the server's own flash driver when it offers one.
 */
export class GdbProbe implements Probe {
  readonly access = { level: 'memory' } as const;
  readonly info: ProbeInfo;
  readonly warnings: ProbeWarning[] = [];
  readonly memory: GdbMemoryPort;
  readonly registers: GdbRegisters;
  readonly server: ServerFeatures;
  readonly #client: RspClient;
  readonly #limits: TransferLimits;
  readonly #settings: GdbSessionSettings;
  readonly #log: Logger | undefined;
  #memoryMap: readonly MemoryMapRegion[] | undefined;
  #nativeFlash: GdbNativeFlash | undefined;
  #resetCommand: string | undefined;

  private constructor(
    client: RspClient,
    server: ServerFeatures,
    settings: GdbSessionSettings,
    log: Logger | undefined,
  ) {
    this.#client = client;
    this.server = server;
    this.#settings = settings;
    this.#log = log;
    this.#limits = new TransferLimits(settings.packetSizeBytes ?? server.packetSizeBytes);
    this.info = {
      transport: 'gdb',
      name: 'GDB server',
      serial: client.description,
    };
    const ensureHalted = (signal: AbortSignal | undefined): Promise<void> => this.halt(signal);
    this.memory = new GdbMemoryPort({
      client,
      limits: this.#limits,
      binaryWrites: true,
      ensureHalted,
      log,
    });
    this.registers = new GdbRegisters(client, {
      describedByServer: hasFeature(server, 'qXfer:features:read'),
      chunkBytes: this.#limits.maxPayloadBytes - 8,
    });
    if (server.packetSizeBytes === undefined && settings.packetSizeBytes === undefined) {
      this.warnings.push({
        code: 'other',
        message: `The GDB server sent no PacketSize; using ${this.#limits.maxPayloadBytes + 4}-byte packets.`,
      });
    }
  }

  /** Greets the server over an open link: qSupported, then no-ack mode when offered. */
  static async open(
    link: ByteLink,
    settings: GdbSessionSettings,
    options: { log?: Logger | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<GdbProbe> {
    const client = new RspClient(link, {
      requestTimeoutMs: settings.requestTimeoutMs,
      log: options.log,
    });
    try {
      const server = parseQSupported(
        await client.requestText(encodeQSupported(), { signal: options.signal }),
      );
      if (settings.noAckMode && hasFeature(server, START_NO_ACK_MODE)) {
        const reply = await client.requestText(START_NO_ACK_MODE, { signal: options.signal });
        if (parseStatusReply(reply).kind === 'ok') client.disableAcks();
      }
      return new GdbProbe(client, server, settings, options.log);
    } catch (error) {
      await client.close();
      if (error instanceof FlashwrightError && error.code === 'PROBE_TIMEOUT') {
        throw new FlashwrightError(
          'PROBE_PROTOCOL_ERROR',
          `${link.description} does not answer like a GDB server (no reply to qSupported)`,
          {
            cause: error,
            hint: 'Check the port: OpenOCD and pyOCD serve GDB on 3333 by default, J-Link on 2331, QEMU where -gdb says.',
          },
        );
      }
      throw error;
    }
  }

  get nativeFlash(): GdbNativeFlash | undefined {
    return this.#nativeFlash;
  }

  get memoryMap(): readonly MemoryMapRegion[] | undefined {
    return this.#memoryMap;
  }

  /** Packet payload limit in use (from PacketSize, or learned smaller). */
  get limits(): TransferLimits {
    return this.#limits;
  }

  get running(): boolean {
    return this.#client.running;
  }

  async connect(options: ConnectOptions = {}): Promise<ConnectResult> {
    const signal = options.signal;
    // The stop reason also tells a multiprocess server's process id, needed for detach.
    await this.#client.requestText(QUERY_HALT_REASON, { signal, accept: isStopReply });
    this.#memoryMap = this.#settings.memoryMap ?? (await this.#readMemoryMap(signal));
    const flash = this.#memoryMap?.filter((r) => r.kind === 'flash') ?? [];
    // As GDB does: flash in the server's own map means its vFlash packets program it.
    if (flash.length > 0 && this.#settings.memoryMap === undefined) {
      this.#nativeFlash = new GdbNativeFlash({
        client: this.#client,
        limits: this.#limits,
        regions: flash,
        timeoutMs: this.#settings.flashTimeoutMs,
        ensureHalted: (s) => this.halt(s),
      });
    }
    if (options.mode === 'under-reset')
      await this.reset('hardware', { halt: true, ...(signal ? { signal } : {}) });
    if (options.speedKhz !== undefined) {
      this.#log?.debug(
        'gdb: the interface speed is the GDB server’s setting; probe.speed is ignored',
      );
    }
    return {};
  }

  /** Stops a running target (Ctrl-C) and waits for it to report. */
  async halt(signal?: AbortSignal): Promise<void> {
    if (!this.#client.running) return;
    this.#log?.debug('gdb: interrupting the running target');
    await this.#client.interrupt({ signal });
  }

  /** Lets the target run ("c"); it stays running until halt() or the next memory access. */
  async resume(signal?: AbortSignal): Promise<void> {
    if (this.#client.running) return;
    await this.#client.resume(CONTINUE, { signal });
  }

  /** A server ("monitor") command; output is what the server printed. */
  monitor(command: string, signal?: AbortSignal): Promise<MonitorResult> {
    return runMonitorCommand(this.#client, command, {
      signal,
      timeoutMs: this.#settings.flashTimeoutMs,
    });
  }

  async reset(
    kind: ResetKind,
    options: { halt?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const signal = options.signal;
    await this.halt(signal);
    const candidates =
      this.#resetCommand !== undefined
        ? [this.#resetCommand]
        : this.#settings.resetCommand !== undefined
          ? [this.#settings.resetCommand]
          : RESET_HALT_COMMANDS;
    const command = await monitorResetHalt(this.#client, candidates, {
      signal,
      timeoutMs: this.#settings.flashTimeoutMs,
      log: this.#log,
    });
    if (command !== undefined) {
      this.#resetCommand = command;
    } else if (this.#settings.resetCommand !== undefined) {
      throw new FlashwrightError(
        'PROBE_PROTOCOL_ERROR',
        `The GDB server did not accept the reset command "${this.#settings.resetCommand}"`,
        {
          hint: 'Check probe.resetCommand against the server’s monitor commands (e.g. `monitor help`).',
        },
      );
    } else {
      this.#log?.info(
        `gdb: no ${kind} reset command on this server; resetting through AIRCR.SYSRESETREQ`,
      );
      await aircrResetHalt(this.memory, signal, this.#log);
    }
    if (options.halt !== true) await this.resume(signal);
  }

  stats(): ProbeStats {
    return { transfers: this.#client.stats().packetsSent };
  }

  /** Packet and byte counts of this connection. */
  wireStats(): ReturnType<RspClient['stats']> {
    return this.#client.stats();
  }

  /**
   * Detaches from a halted target (the server then lets it run) and closes the connection.
   * A running target is left running: in all-stop mode nothing may be sent to it but Ctrl-C.
   */
  async close(): Promise<void> {
    if (this.#client.closed) return;
    if (!this.#client.running) {
      const processId = hasFeature(this.server, 'multiprocess')
        ? (processIdOf(
            this.#client.lastStop?.kind === 'stopped' ? this.#client.lastStop.thread : undefined,
          ) ?? 1)
        : undefined;
      try {
        await this.#client.requestText(encodeDetach(processId), { timeoutMs: 1000 });
      } catch (error) {
        this.#log?.debug(`gdb: detach failed: ${(error as Error).message}`);
      }
    }
    await this.#client.close();
  }

  async #readMemoryMap(signal?: AbortSignal): Promise<readonly MemoryMapRegion[] | undefined> {
    if (!hasFeature(this.server, 'qXfer:memory-map:read')) return undefined;
    const xml = await readXferObject(
      this.#client,
      'memory-map',
      '',
      this.#limits.maxPayloadBytes - 8,
      signal,
    );
    const parsed = parseMemoryMap(xml);
    if ('problem' in parsed) {
      this.warnings.push({
        code: 'other',
        message: `The GDB server’s memory map is unusable (${parsed.problem}); flashing through plain memory writes.`,
      });
      return undefined;
    }
    return parsed.regions;
  }
}
