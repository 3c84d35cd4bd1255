import type {
  ConnectOptions,
  ConnectResult,
  MemoryPort,
  Probe,
  ProbeAccess,
  ProbeInfo,
  ProbeStats,
  ProbeWarning,
  ResetKind,
} from '@flashwright/core/plugin';
import type { AnyVirtualSession } from '@flashwright/sim';

/**
 * A real probe driver (ST-Link or CMSIS-DAP) on a simulated board. Every call goes to that
 * driver, whose bytes the virtual probe decodes; this wrapper only adds the session: virtual
 * time in stats() and closing (which saves the board state).
 */
export class VirtualProbe implements Probe {
  readonly info: ProbeInfo;

  constructor(
    readonly inner: Probe,
    readonly session: AnyVirtualSession,
  ) {
    this.info = {
      ...inner.info,
      transport: 'virtual',
      name: `${inner.info.name} (virtual, ${session.board.chip.partName})`,
    };
  }

  get access(): ProbeAccess {
    return this.inner.access;
  }

  get warnings(): readonly ProbeWarning[] {
    return this.inner.warnings;
  }

  get memory(): MemoryPort {
    return this.inner.memory;
  }

  connect(options?: ConnectOptions): Promise<ConnectResult> {
    return this.inner.connect(options);
  }

  reset(kind: ResetKind, options?: { halt?: boolean; signal?: AbortSignal }): Promise<void> {
    return this.inner.reset(kind, options);
  }

  targetVoltage(signal?: AbortSignal): Promise<number | undefined> {
    return this.inner.targetVoltage?.(signal) ?? Promise.resolve(undefined);
  }

  stats(): ProbeStats {
    return {
      virtualElapsedMs: this.session.stats().virtualMs,
      transfers: this.inner.stats?.().transfers,
    };
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.session.close();
    }
  }
}
