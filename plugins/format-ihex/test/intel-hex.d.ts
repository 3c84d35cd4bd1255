// Types for intel-hex 0.2.0 (bminer/intel-hex.js), used only as a test oracle. Its CommonJS
// `exports.parse` is visible to Node's ESM loader as a named export.
declare module 'intel-hex' {
  export interface IntelHexResult {
    /** Flat data from addressOffset, gaps padded with 0xFF. */
    readonly data: Buffer;
    readonly startSegmentAddress: number | null;
    readonly startLinearAddress: number | null;
  }
  export function parse(
    data: string | Buffer,
    bufferSize?: number,
    addressOffset?: number,
  ): IntelHexResult;
}
