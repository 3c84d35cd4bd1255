import { throwIfAborted, type MemoryPort } from '@flashwright/core/plugin';
import { pollUntil, type TargetClock } from './wait.js';

/**
 * The NVMC (nRF52840 PS v1.7, chapter "NVMC - Non-volatile memory controller"; the same
 * registers on every nRF52): READY, READYNEXT (nRF52833/52840), CONFIG.WEN (0 Ren, 1 Wen,
 * 2 Een), ERASEPAGE, ERASEALL, ERASEUICR. Flash and UICR take whole 32-bit words only.
 */
export const NVMC_BASE = 0x4001e000;
export const Nvmc = {
  READY: NVMC_BASE + 0x400,
  READYNEXT: NVMC_BASE + 0x408,
  CONFIG: NVMC_BASE + 0x504,
  ERASEPAGE: NVMC_BASE + 0x508,
  ERASEALL: NVMC_BASE + 0x50c,
  ERASEUICR: NVMC_BASE + 0x514,
} as const;
export const NvmcConfig = { REN: 0, WEN: 1, EEN: 2 } as const;

/** Ten times the longest operation, then give up: a READY that never comes is a dead chip. */
const TIMEOUT_FACTOR = 10;

export class NvmcClient {
  constructor(
    readonly memory: MemoryPort,
    readonly times: { readonly erasePageMs: number; readonly eraseAllMs: number },
    readonly clock: TargetClock = () => performance.now(),
  ) {}

  async waitReady(what: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await pollUntil(
      () => this.memory.read32(Nvmc.READY, signal),
      (ready) => (ready & 1) === 1,
      { timeoutMs: Math.max(1000, timeoutMs), clock: this.clock, what: `NVMC ${what}`, signal },
    );
  }

  async #config(mode: number, signal?: AbortSignal): Promise<void> {
    await this.waitReady('the previous operation', this.times.eraseAllMs * TIMEOUT_FACTOR, signal);
    await this.memory.write32(Nvmc.CONFIG, mode, signal);
  }

  /** Erases whole pages, one ERASEPAGE each, reporting each page as it finishes. */
  async erasePages(
    pages: readonly number[],
    done: (page: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#config(NvmcConfig.EEN, signal);
    try {
      for (const page of pages) {
        throwIfAborted(signal);
        await this.memory.write32(Nvmc.ERASEPAGE, page, signal);
        await this.waitReady('ERASEPAGE', this.times.erasePageMs * TIMEOUT_FACTOR, signal);
        done(page);
      }
    } finally {
      await this.#config(NvmcConfig.REN, signal);
    }
  }

  /** ERASEALL (code flash and UICR) or ERASEUICR. */
  async eraseRegister(
    /** Nvmc.ERASEALL or Nvmc.ERASEUICR. */
    register: number,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#config(NvmcConfig.EEN, signal);
    try {
      await this.memory.write32(register, 1, signal);
      await this.waitReady('the erase', this.times.eraseAllMs * TIMEOUT_FACTOR, signal);
    } finally {
      await this.#config(NvmcConfig.REN, signal);
    }
  }

  /**
   * Writes whole words with CONFIG.WEN set. The NVMC holds the bus while it programs a word
   * (tWRITE), so one memory write of many words is paced by the flash itself; READY is read
   * once at the end.
   */
  async writeWords(
    runs: readonly { readonly address: number; readonly data: Uint8Array }[],
    done: (run: { readonly address: number; readonly data: Uint8Array }) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#config(NvmcConfig.WEN, signal);
    try {
      for (const run of runs) {
        throwIfAborted(signal);
        await this.memory.write(run.address, run.data, { signal, width: 32 });
        await this.waitReady('programming', this.times.erasePageMs * TIMEOUT_FACTOR, signal);
        done(run);
      }
    } finally {
      await this.#config(NvmcConfig.REN, signal);
    }
  }
}
