/** Bus access width in bits. Flash controllers care: F1 wants half-words, F4 the PSIZE width. */
export type AccessWidth = 8 | 16 | 32;

export interface MemoryAccessOptions {
  /**
   * Force every bus access to this width. Without it the port picks the fastest legal mix
   * (32-bit for the aligned middle, narrower at unaligned edges).
   */
  readonly width?: AccessWidth;
  readonly signal?: AbortSignal;
}

/**
 * Target memory as seen through a probe (MEM-AP on SWD, or a GDB server). Implementations
 * split transfers at their own size and alignment limits; callers ask for what they need.
 */
export interface MemoryPort {
  read(address: number, length: number, options?: MemoryAccessOptions): Promise<Uint8Array>;
  write(address: number, data: Uint8Array, options?: MemoryAccessOptions): Promise<void>;
  read32(address: number, signal?: AbortSignal): Promise<number>;
  write32(address: number, value: number, signal?: AbortSignal): Promise<void>;
}
