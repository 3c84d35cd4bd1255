/**
 * ST-Link serial numbers. Genuine probes report 24 hex characters. Old V2 firmware and many clones
 * put the 12 raw bytes in the string descriptor instead (one byte per UTF-16 unit), which arrives
 * as a 12-character string; OpenOCD (stlink_usb_get_alternate_serial), pyOCD and probe-rs
 * hex-encode those bytes into the 24 characters ST's tools show (probe-rs/probe-rs#360,
 * pyocd/pyOCD#607).
 */
export interface DecodedSerial {
  readonly serial: string | undefined;
  /** True when the descriptor held raw bytes (typical of clones). */
  readonly binary: boolean;
}

const BINARY_SERIAL_BYTES = 12;

export function decodeSerial(raw: string | null | undefined): DecodedSerial {
  if (raw === null || raw === undefined || raw.length === 0) {
    return { serial: undefined, binary: false };
  }
  if (raw.length === BINARY_SERIAL_BYTES) {
    let hexText = '';
    for (let i = 0; i < raw.length; i++) {
      hexText += (raw.charCodeAt(i) & 0xff).toString(16).toUpperCase().padStart(2, '0');
    }
    return { serial: hexText, binary: true };
  }
  return { serial: raw, binary: false };
}
