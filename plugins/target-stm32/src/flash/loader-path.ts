import { type AddressRange, bytesEqual } from '@flashwright/core/image';
import { FlashwrightError } from '@flashwright/core';
import type { ControllerContext } from './controller.js';
import { LoaderFailure } from './core-control.js';
import { type RamLoader, programWithRamLoader } from './ram-loader.js';

/** How a family programs one stretch through its loader, and recovers when it cannot. */
export interface LoaderStretch {
  /** Flash address of the first unit. */
  readonly address: number;
  /** Whole units of the loader. */
  readonly data: Uint8Array;
  /** Bytes handed to the target so far (from `address`). */
  readonly sent: (bytes: number) => void;
  readonly signal?: AbortSignal | undefined;
  /** Throws the flash error a loader's status word shows, as the host path would. */
  checkStatus(status: number, range: AddressRange): Promise<void>;
  /**
   * After a loader failure: leaves the controller as the host path expects it to continue at
   * `address` or after it (drops a unit the loader left half-written, clears the flags,
   * programming mode), with flash reads allowed.
   */
  recover(address: number): Promise<void>;
}

/**
 * Below this, `auto` programs from the host: starting the loader costs some 35 probe round
 * trips (halt, load, nine core registers), more than it saves on a few KiB.
 */
const MIN_AUTO_BYTES = 4096;

/**
 * The choice between a family's RAM loader and the host path, shared by every family:
 * `flash.loader: host` never runs the loader; `auto` (the default) runs it for stretches of
 * MIN_AUTO_BYTES or more and, when it fails, warns why and lets the host program the rest,
 * for the rest of the session too; `ram` runs it for every stretch and makes a loader failure
 * an error (FLASH_LOADER_FAILED, exit 7).
 */
export class LoaderPath {
  /** The RAM loader failed once: the rest of the session programs from the host. */
  private fellBack = false;
  /** Bytes the loader has programmed in this session (logs and tests show it was used). */
  programmedBytes = 0;

  constructor(private readonly ctx: ControllerContext) {}

  /** Whether program() would try the loader at all. */
  get enabled(): boolean {
    return (this.ctx.loader ?? 'auto') !== 'host' && !this.fellBack;
  }

  /**
   * Programs `stretch` through `loader` where the recipe allows. Returns how many bytes from
   * its address are programmed: all of them, or as far as the loader got before it failed
   * (0 when it did not run); the host programs the rest.
   */
  async program(loader: RamLoader, stretch: LoaderStretch): Promise<number> {
    const mode = this.ctx.loader ?? 'auto';
    if (!this.enabled || stretch.data.length === 0) return 0;
    if (mode === 'auto' && stretch.data.length < MIN_AUTO_BYTES) return 0;
    const range = { start: stretch.address, end: stretch.address + stretch.data.length };
    try {
      if (this.ctx.loaderUnavailable) throw new LoaderFailure(this.ctx.loaderUnavailable, 0);
      const status = await programWithRamLoader({
        loader,
        memory: this.ctx.memory,
        clock: this.ctx.clock,
        ram: this.ctx.ram[0],
        address: stretch.address,
        data: stretch.data,
        sent: stretch.sent,
        signal: stretch.signal,
      });
      await stretch.checkStatus(status, range);
      this.programmedBytes += stretch.data.length;
      this.ctx.log.debug(
        `RAM flash loader (${loader.family}) programmed ${stretch.data.length} bytes at 0x${stretch.address.toString(16)}`,
      );
      return stretch.data.length;
    } catch (error) {
      if (!(error instanceof LoaderFailure)) throw error;
      if (mode === 'ram') {
        throw new FlashwrightError(
          'FLASH_LOADER_FAILED',
          `The RAM flash loader failed: ${error.reason}`,
          {
            hint: 'Set flash.loader: auto in the recipe to fall back to programming from the host, or flash.loader: host to skip the loader.',
          },
        );
      }
      this.ctx.log.warn(
        `RAM flash loader not used: ${error.reason}; programming from the host instead (slower)`,
      );
      this.fellBack = true;
      await stretch.recover(stretch.address + error.programmedBytes);
      const done = error.programmedBytes + (await this.landedAfter(loader, stretch, error));
      this.programmedBytes += done;
      return done;
    }
  }

  /**
   * Units after the last one the loader confirmed that it programmed anyway (it wrote them,
   * then failed before it said so): those that read back as the image, from the first on.
   * The host must not write them again (a second write to a programmed unit is an error).
   */
  private async landedAfter(
    loader: RamLoader,
    stretch: LoaderStretch,
    failure: LoaderFailure,
  ): Promise<number> {
    const from = failure.programmedBytes;
    const length = failure.handedBytes - from;
    if (length <= 0) return 0;
    const flash = await this.ctx.memory.read(
      stretch.address + from,
      length,
      stretch.signal ? { signal: stretch.signal } : {},
    );
    const unit = loader.unitBytes;
    let same = 0;
    while (
      same + unit <= length &&
      bytesEqual(
        flash.subarray(same, same + unit),
        stretch.data.subarray(from + same, from + same + unit),
      )
    ) {
      same += unit;
    }
    return same;
  }
}
