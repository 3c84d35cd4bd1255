import type {
  ConnectOptions,
  ConnectResult,
  Probe,
  ProbeAccess,
  ProbeInfo,
  ProbeStats,
  ProbeWarning,
  ResetKind,
} from '@flashwright/core/plugin';
import type { VirtualSession } from '@flashwright/sim';
import type { StLinkProbe, StLinkMemory } from '@flashwright/transport-stlink';

/**
 * The real ST-Link driver on a simulated board. Every call goes to the StLinkProbe, whose
 * bytes the virtual ST-Link decodes; this wrapper only adds the session: virtual time in
 * stats() and closing (which saves the board state).
 */
export class VirtualProbe implements Probe {
  readonly info: ProbeInfo;

  constructor(
    readonly stlink: StLinkProbe,
    readonly session: VirtualSession,
  ) {
    this.info = {
      ...stlink.info,
      transport: 'virtual',
      name: `${stlink.info.name} (virtual, ${session.board.chip.partName})`,
    };
  }

  get access(): ProbeAccess {
    return this.stlink.access;
  }

  get warnings(): readonly ProbeWarning[] {
    return this.stlink.warnings;
  }

  get memory(): StLinkMemory {
    return this.stlink.memory;
  }

  connect(options?: ConnectOptions): Promise<ConnectResult> {
    return this.stlink.connect(options);
  }

  reset(kind: ResetKind, options?: { halt?: boolean; signal?: AbortSignal }): Promise<void> {
    return this.stlink.reset(kind, options);
  }

  targetVoltage(signal?: AbortSignal): Promise<number | undefined> {
    return this.stlink.targetVoltage(signal);
  }

  stats(): ProbeStats {
    return {
      virtualElapsedMs: this.session.stats().virtualMs,
      transfers: this.stlink.stats().transfers,
    };
  }

  async close(): Promise<void> {
    try {
      await this.stlink.close();
    } finally {
      await this.session.close();
    }
  }
}
