import { FlashwrightError } from '@flashwright/core';
import { Aircr, CortexM, decodeCpuId, Demcr, Dhcsr, Scs, type CpuId } from '@flashwright/core/arm';
import { sleep } from '@flashwright/core/plugin';
import type { StLinkDriver } from './stlink-driver.js';
import type { StLinkMemory } from './memory.js';

const HALT_TIMEOUT_MS = 500;
const POLL_INTERVAL_MS = 1;

/** ARMv7-M cores (the only ones with AIRCR.VECTRESET). */
const V7M_PARTS: ReadonlySet<number> = new Set([0xc23, 0xc24, 0xc27]);

/**
 * Halt, run, step, core registers and reset sequences of a Cortex-M core behind an
 * ST-Link. Uses DHCSR writes (API v2 has no halt command: OpenOCD stlink_usb_halt/run/step
 * write DHCSR too) and the probe's READREG / WRITEREG, which poll S_REGRDY inside the
 * firmware.
 */
export class CoreControl {
  readonly cortex: CortexM;
  #cpuId: CpuId | undefined;

  constructor(
    private readonly driver: StLinkDriver,
    memory: StLinkMemory,
  ) {
    this.cortex = new CortexM(memory);
  }

  async cpuId(signal?: AbortSignal): Promise<CpuId> {
    this.#cpuId ??= decodeCpuId(await this.driver.readDebugRegister(Scs.CPUID, signal));
    return this.#cpuId;
  }

  forgetCpuId(): void {
    this.#cpuId = undefined;
  }

  async dhcsr(signal?: AbortSignal): Promise<number> {
    return this.driver.readDebugRegister(Scs.DHCSR, signal);
  }

  async isHalted(signal?: AbortSignal): Promise<boolean> {
    return ((await this.dhcsr(signal)) & Dhcsr.S_HALT) !== 0;
  }

  /** Halt: DHCSR = DBGKEY | C_HALT | C_DEBUGEN (`F2 35 F0 ED 00 E0 03 00 5F A0`). */
  async halt(signal?: AbortSignal): Promise<void> {
    await this.#writeDhcsr(Dhcsr.C_HALT | Dhcsr.C_DEBUGEN, signal);
    await this.waitForHalt('halt', signal);
  }

  /** Run: DHCSR = DBGKEY | C_DEBUGEN. */
  async run(signal?: AbortSignal): Promise<void> {
    await this.#writeDhcsr(Dhcsr.C_DEBUGEN, signal);
  }

  /** One instruction with interrupts masked, as OpenOCD stlink_usb_step emulates it on API v2. */
  async step(signal?: AbortSignal): Promise<void> {
    await this.#writeDhcsr(Dhcsr.C_HALT | Dhcsr.C_MASKINTS | Dhcsr.C_DEBUGEN, signal);
    await this.#writeDhcsr(Dhcsr.C_STEP | Dhcsr.C_MASKINTS | Dhcsr.C_DEBUGEN, signal);
    await this.waitForHalt('step', signal);
    await this.#writeDhcsr(Dhcsr.C_HALT | Dhcsr.C_DEBUGEN, signal);
  }

  async waitForHalt(
    what: string,
    signal?: AbortSignal,
    timeoutMs = HALT_TIMEOUT_MS,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dhcsr = await this.dhcsr(signal);
      if ((dhcsr & Dhcsr.S_HALT) !== 0) return dhcsr;
      if (Date.now() > deadline) {
        throw new FlashwrightError(
          'TARGET_NOT_HALTED',
          `Core did not halt after ${what} within ${timeoutMs} ms (DHCSR 0x${(dhcsr >>> 0).toString(16)})`,
          {
            hint: 'Try probe.connect: under-reset; a core in a low-power mode or lockup may not halt.',
          },
        );
      }
      await sleep(POLL_INTERVAL_MS, signal);
    }
  }

  /** Arms or disarms the reset vector catch, keeping DEMCR's other bits. Returns the old DEMCR. */
  async setResetCatch(enabled: boolean, signal?: AbortSignal): Promise<number> {
    const demcr = await this.driver.readDebugRegister(Scs.DEMCR, signal);
    const next = enabled ? demcr | Demcr.VC_CORERESET : demcr & ~Demcr.VC_CORERESET;
    if (next !== demcr) await this.driver.writeDebugRegister(Scs.DEMCR, next >>> 0, signal);
    return demcr;
  }

  /** Prepares a reset: debug enabled (vector catch needs it), catch armed when halting. */
  async prepareReset(halt: boolean, signal?: AbortSignal): Promise<number> {
    await this.#writeDhcsr(Dhcsr.C_DEBUGEN | (halt ? Dhcsr.C_HALT : 0), signal);
    return this.setResetCatch(halt, signal);
  }

  /** After a reset: wait for the vector catch, then restore DEMCR as it was. */
  async finishReset(halt: boolean, demcr: number, signal?: AbortSignal): Promise<void> {
    if (halt) await this.waitForHalt('reset', signal);
    await this.driver.writeDebugRegister(Scs.DEMCR, demcr & ~Demcr.VC_CORERESET, signal);
    if (!halt) await this.run(signal);
  }

  /**
   * Core-only reset through AIRCR.VECTRESET, which exists on ARMv7-M only. Returns false
   * when the core has none (v6-M, v8-M) so the caller falls back to a system reset.
   */
  async resetCore(halt: boolean, signal?: AbortSignal): Promise<boolean> {
    const cpu = await this.cpuId(signal);
    if (!V7M_PARTS.has(cpu.partNo)) return false;
    const demcr = await this.prepareReset(halt, signal);
    await this.#writeIgnoringResetFault(Scs.AIRCR, Aircr.VECTKEY | Aircr.VECTRESET, signal);
    await this.finishReset(halt, demcr, signal);
    return true;
  }

  /**
   * System reset through AIRCR.SYSRESETREQ with core's CortexM sequence. DHCSR survives a
   * system reset, so a core halted before it would halt again: clear C_HALT to run.
   */
  async resetSystem(halt: boolean, signal?: AbortSignal): Promise<void> {
    await this.cortex.resetSystem({ halt, signal });
    if (!halt) await this.run(signal);
  }

  async #writeIgnoringResetFault(
    address: number,
    value: number,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await this.driver.writeDebugRegister(address, value >>> 0, signal);
    } catch (error) {
      // A reset can cut the AP write short; it took effect anyway (OpenOCD ignores this too).
      if (!(error instanceof FlashwrightError) || error.code !== 'TARGET_FAULT') throw error;
    }
  }

  async #writeDhcsr(bits: number, signal?: AbortSignal): Promise<void> {
    await this.driver.writeDebugRegister(Scs.DHCSR, (Dhcsr.DBGKEY | bits) >>> 0, signal);
  }
}
