/**
 * What a long memory read costs through a CMSIS-DAP probe, for MemoryPortLimits
 * .readBytesPerSecond. A read is a run of DAP_TransferBlock commands, each as many words as
 * one packet carries (swd-wire.ts); with more than one packet in flight (DAP_Info Packet
 * Count) the USB round trip of one overlaps the execution of the one before (CMSIS-DAP
 * specification, "Communication"), so only the payloads and the SWD clocks count.
 */

/**
 * Bulk payload rates assumed: about 80 % of a full-speed frame's 19 64-byte transactions and
 * 55 % of a high-speed microframe's 13 512-byte ones (USB 2.0 §5.8.4, Table 5-9); a v1 probe
 * moves one 64-byte HID report per 1 ms frame each way (USB 2.0 §5.7.3, bInterval 1). The
 * simulator charges the same (packages/sim/src/timing.ts, usbTiming).
 */
const PAYLOAD_BYTES_PER_SECOND = { hid: 64_000, full: 1_000_000, high: 30_000_000 } as const;
/**
 * SWD clocks of one 32-bit transfer: 8 request, 1 turnaround, 3 ACK, 1 turnaround, 32 data, 1
 * parity (ARM IHI 0031 ADIv5.2, B4.2), without idle cycles (DAP_TransferConfigure default).
 */
const SWD_CLOCKS_PER_WORD = 46;
/** DAP_TransferBlock request (command, index, count, request byte) and response header. */
const BLOCK_REQUEST_BYTES = 5;
const BLOCK_RESPONSE_HEADER_BYTES = 4;

export interface ReadEstimateInput {
  readonly version: 'v1' | 'v2';
  readonly packetBytes: number;
  readonly packetCount: number;
  readonly swdKhz: number;
  /** One command/response exchange when nothing is in flight (the transferStartUs). */
  readonly roundTripUs: number;
}

export function readBytesPerSecond(input: ReadEstimateInput): number {
  const { version, packetBytes } = input;
  const rate =
    version === 'v1'
      ? PAYLOAD_BYTES_PER_SECOND.hid
      : PAYLOAD_BYTES_PER_SECOND[packetBytes >= 512 ? 'high' : 'full'];
  const words = Math.floor((packetBytes - BLOCK_REQUEST_BYTES) / 4);
  // A v1 report is always a whole packet, whatever the command holds.
  const usbBytes =
    version === 'v1'
      ? 2 * packetBytes
      : BLOCK_REQUEST_BYTES + BLOCK_RESPONSE_HEADER_BYTES + 4 * words;
  const packetUs =
    (input.packetCount > 1 ? 0 : input.roundTripUs) +
    (usbBytes * 1_000_000) / rate +
    (words * SWD_CLOCKS_PER_WORD * 1000) / input.swdKhz;
  return (4 * words * 1_000_000) / packetUs;
}
