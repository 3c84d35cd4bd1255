import { FlashwrightError } from '../errors/flashwright-error.js';
import type { MemoryPort } from '../ports/memory-port.js';
import { sleep } from '../util/abort.js';

/**
 * Cortex-M System Control Space registers and the debug sequences built on them.
 * Addresses and bit positions: the ARMv7-M and ARMv6-M Architecture Reference Manuals (debug
 * registers of the System Control Space), as OpenOCD src/target/cortex_m.h and armv7m.h and
 * pyOCD coresight/cortex_m.py and core_ids.py define them; the reset-and-halt sequence follows
 * OpenOCD cortex_m.c cortex_m_assert_reset.
 */
export const Scs = {
  CPUID: 0xe000ed00,
  AIRCR: 0xe000ed0c,
  DFSR: 0xe000ed30,
  DHCSR: 0xe000edf0,
  DCRSR: 0xe000edf4,
  DCRDR: 0xe000edf8,
  DEMCR: 0xe000edfc,
} as const;

export const Dhcsr = {
  DBGKEY: 0xa05f << 16,
  C_DEBUGEN: 1 << 0,
  C_HALT: 1 << 1,
  C_STEP: 1 << 2,
  C_MASKINTS: 1 << 3,
  S_REGRDY: 1 << 16,
  S_HALT: 1 << 17,
  S_SLEEP: 1 << 18,
  S_LOCKUP: 1 << 19,
  S_RETIRE_ST: 1 << 24,
  S_RESET_ST: 1 << 25,
} as const;

export const Demcr = {
  VC_CORERESET: 1 << 0,
  VC_HARDERR: 1 << 10,
  TRCENA: 1 << 24,
} as const;

export const Aircr = {
  VECTKEY: 0x05fa << 16,
  VECTRESET: 1 << 0,
  SYSRESETREQ: 1 << 2,
} as const;

/** DCRSR REGSEL numbers. */
export const CoreRegister = {
  R0: 0,
  SP: 13,
  LR: 14,
  PC: 15,
  XPSR: 16,
  MSP: 17,
  PSP: 18,
} as const;

/** CPUID PARTNO (bits 15:4) to core name. */
const corePartNames: Readonly<Record<number, string>> = {
  0xc20: 'Cortex-M0',
  0xc60: 'Cortex-M0+',
  0xc21: 'Cortex-M1',
  0xc23: 'Cortex-M3',
  0xc24: 'Cortex-M4',
  0xc27: 'Cortex-M7',
  0xd20: 'Cortex-M23',
  0xd21: 'Cortex-M33',
  0xd31: 'Cortex-M35P',
  0xd22: 'Cortex-M55',
  0xd23: 'Cortex-M85',
  0xd24: 'Cortex-M52',
};

export interface CpuId {
  readonly raw: number;
  readonly implementer: number;
  readonly partNo: number;
  readonly revision: string;
  readonly coreName: string | undefined;
}

export function decodeCpuId(raw: number): CpuId {
  const partNo = (raw >>> 4) & 0xfff;
  return {
    raw: raw >>> 0,
    implementer: raw >>> 24,
    partNo,
    revision: `r${(raw >>> 20) & 0xf}p${raw & 0xf}`,
    coreName: corePartNames[partNo],
  };
}

const POLL_INTERVAL_MS = 1;

/** Debug control of a Cortex-M core through plain memory access to its SCS registers. */
export class CortexM {
  constructor(private readonly memory: MemoryPort) {}

  async cpuId(signal?: AbortSignal): Promise<CpuId> {
    return decodeCpuId(await this.memory.read32(Scs.CPUID, signal));
  }

  async isHalted(signal?: AbortSignal): Promise<boolean> {
    return ((await this.memory.read32(Scs.DHCSR, signal)) & Dhcsr.S_HALT) !== 0;
  }

  async halt(signal?: AbortSignal, timeoutMs = 500): Promise<void> {
    await this.memory.write32(Scs.DHCSR, Dhcsr.DBGKEY | Dhcsr.C_DEBUGEN | Dhcsr.C_HALT, signal);
    await this.waitFor((dhcsr) => (dhcsr & Dhcsr.S_HALT) !== 0, 'halt', timeoutMs, signal);
  }

  async resume(signal?: AbortSignal): Promise<void> {
    await this.memory.write32(Scs.DHCSR, Dhcsr.DBGKEY | Dhcsr.C_DEBUGEN, signal);
  }

  async readRegister(regsel: number, signal?: AbortSignal): Promise<number> {
    await this.memory.write32(Scs.DCRSR, regsel, signal);
    await this.waitFor((dhcsr) => (dhcsr & Dhcsr.S_REGRDY) !== 0, 'register read', 100, signal);
    return this.memory.read32(Scs.DCRDR, signal);
  }

  async writeRegister(regsel: number, value: number, signal?: AbortSignal): Promise<void> {
    await this.memory.write32(Scs.DCRDR, value, signal);
    await this.memory.write32(Scs.DCRSR, regsel | (1 << 16), signal);
    await this.waitFor((dhcsr) => (dhcsr & Dhcsr.S_REGRDY) !== 0, 'register write', 100, signal);
  }

  /**
   * System reset through AIRCR.SYSRESETREQ. With `halt`, vector catch stops the core on the
   * first instruction (DEMCR.VC_CORERESET), so no user code runs.
   */
  async resetSystem(options: { halt: boolean; signal?: AbortSignal | undefined }): Promise<void> {
    const { halt, signal } = options;
    const demcr = await this.memory.read32(Scs.DEMCR, signal);
    if (halt) {
      await this.memory.write32(Scs.DHCSR, Dhcsr.DBGKEY | Dhcsr.C_DEBUGEN | Dhcsr.C_HALT, signal);
      await this.memory.write32(Scs.DEMCR, demcr | Demcr.VC_CORERESET, signal);
    }
    try {
      await this.memory.write32(Scs.AIRCR, Aircr.VECTKEY | Aircr.SYSRESETREQ, signal);
    } catch (error) {
      // The reset can cut the AP transaction short; real probes then report an error for a
      // write that did take effect (OpenOCD ignores it the same way).
      if (!(error instanceof FlashwrightError) || error.code !== 'TARGET_FAULT') throw error;
    }
    if (halt) {
      await this.waitFor((dhcsr) => (dhcsr & Dhcsr.S_HALT) !== 0, 'halt after reset', 500, signal);
      await this.memory.write32(Scs.DEMCR, demcr & ~Demcr.VC_CORERESET, signal);
    }
  }

  private async waitFor(
    done: (dhcsr: number) => boolean,
    what: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dhcsr = await this.memory.read32(Scs.DHCSR, signal);
      if (done(dhcsr)) return;
      if (Date.now() > deadline) {
        throw new FlashwrightError(
          'TARGET_NOT_HALTED',
          `Core did not complete ${what} within ${timeoutMs} ms (DHCSR 0x${(dhcsr >>> 0).toString(16)})`,
          {
            hint: 'Try probe.connect: under-reset, or check that the core is powered and not in deep sleep.',
          },
        );
      }
      await sleep(POLL_INTERVAL_MS, signal);
    }
  }
}
