import { FlashwrightError, type ErrorCode } from '@flashwright/core';
import { hex } from './bytes.js';
import { Status } from './constants.js';

/**
 * What a status code means for the host (pyOCD stlink.py: WAIT -> TransferTimeoutError, FAULT
 * -> TransferFaultError; OpenOCD stlink_usb_error_check):
 * - ok: success;
 * - wait: the target was busy (SWD WAIT); retry with backoff;
 * - fault: a memory access faulted; sticky errors must be cleared afterwards;
 * - error: anything else, mapped to a catalogue error below.
 */
export type StatusKind = 'ok' | 'wait' | 'fault' | 'error';

const names = new Map<number, string>(
  Object.entries(Status).map(([name, code]) => [code, name] as const),
);

export function statusName(code: number): string {
  return names.get(code) ?? `UNKNOWN_STATUS_${hex(code, 2)}`;
}

export function statusKind(code: number): StatusKind {
  switch (code) {
    // OpenOCD stlink_usb_error_check and blackmagic stlinkv2.c treat WRITE_VERIF_ERROR as success.
    case Status.OK:
    case Status.WRITE_VERIF_ERROR:
      return 'ok';
    case Status.SWD_AP_WAIT:
    case Status.SWD_DP_WAIT:
    case Status.CMD_WAIT:
      return 'wait';
    case Status.FAULT:
    case Status.UNKNOWN_ERROR: // older firmware's memory fault (pyOCD)
    case Status.SWD_AP_FAULT:
    case Status.SWD_DP_FAULT:
    case Status.SWD_AP_WDATA_ERROR:
    case Status.SWD_AP_STICKY_ERROR:
    case Status.SWD_AP_STICKYORUN_ERROR:
    case Status.WRITE_ERROR:
      return 'fault';
    default:
      return 'error';
  }
}

/** Where a status came from, for the message. */
export interface StatusContext {
  /** Command name, e.g. "READMEM_32BIT". */
  readonly command: string;
  /** Start address of the memory request, when there is one. */
  readonly address?: number | undefined;
  readonly lengthBytes?: number | undefined;
  /** Fault address from GETLASTRWSTATUS2. */
  readonly faultAddress?: number | undefined;
  readonly ap?: number | undefined;
}

interface Mapping {
  readonly code: ErrorCode;
  readonly what: string;
  readonly hint: string;
}

const WIRING =
  'Check that the target is powered and SWDIO, SWCLK, GND and VDD are connected; lower probe.speed or try probe.connect: under-reset.';
const REPLUG =
  'Unplug and replug the probe; if it persists, update its firmware with STLinkUpgrade.';

const mappings: Readonly<Record<number, Mapping>> = {
  [Status.NO_DEVICE_CONNECTED]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'no target found on SWD',
    hint: WIRING,
  },
  [Status.UNKNOWN_JTAG_CHAIN]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'no JTAG chain found',
    hint: WIRING,
  },
  [Status.GET_IDCODE_ERROR]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'could not read the target IDCODE',
    hint: WIRING,
  },
  [Status.SWD_AP_ERROR]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'SWD protocol error on an AP access',
    hint: WIRING,
  },
  [Status.SWD_DP_ERROR]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'SWD protocol error on a DP access',
    hint: WIRING,
  },
  [Status.SWD_AP_PARITY_ERROR]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'SWD parity error on an AP access',
    hint: `Signal integrity: shorten the cable or lower probe.speed. ${WIRING}`,
  },
  [Status.SWD_DP_PARITY_ERROR]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'SWD parity error on a DP access',
    hint: `Signal integrity: shorten the cable or lower probe.speed. ${WIRING}`,
  },
  [Status.DBG_POWER_ERROR]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'the target debug domain did not power up',
    hint: 'Check the target supply; a chip in deep sleep or with SWD pins remapped needs probe.connect: under-reset.',
  },
  [Status.BAD_AP]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'the access port does not exist on this target',
    hint: 'Use AP 0 for the Cortex-M core; other APs exist only on multi-core parts.',
  },
  [Status.TOO_MANY_AP]: {
    code: 'TARGET_NO_RESPONSE',
    what: 'the probe cannot open more access ports',
    hint: REPLUG,
  },
  [Status.AP_ALREADY_USED]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'the access port is already in use',
    hint: 'Close other debug tools using this probe, then try again.',
  },
  [Status.ALREADY_OPENED_IN_OTHER_MODE]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'the probe is already open in another mode',
    hint: 'Close STM32CubeIDE, stlink-server or OpenOCD sessions on this probe, then try again.',
  },
  [Status.CMD_ERROR]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'the probe rejected the command',
    hint: `The probe firmware may not support it. ${REPLUG}`,
  },
  [Status.UNKNOWN_CMD]: {
    code: 'PROBE_FIRMWARE_TOO_OLD',
    what: 'the probe firmware does not know the command',
    hint: 'Update the probe firmware with ST’s STLinkUpgrade (or STM32CubeProgrammer).',
  },
  [Status.ALIGNMENT_ERROR]: {
    code: 'INTERNAL',
    what: 'the probe refused an unaligned access',
    hint: 'This is a bug in flashwright (it must split unaligned transfers). Re-run with -v and report it.',
  },
  [Status.FREQ_NOT_SUPPORTED]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'the probe does not support this interface frequency',
    hint: 'Pick another probe.speed.',
  },
  [Status.SPI_ERROR]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'internal probe error (SPI)',
    hint: REPLUG,
  },
  [Status.DMA_ERROR]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'internal probe error (DMA)',
    hint: REPLUG,
  },
  [Status.INTERNAL_ERROR]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'internal probe error',
    hint: REPLUG,
  },
  [Status.SWV_NOT_AVAILABLE]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'SWO trace is not available',
    hint: 'This probe has no SWO support.',
  },
  [Status.TRACE_AP_TURNAROUND]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'trace AP turnaround error',
    hint: REPLUG,
  },
  [Status.NO_JUMP_TO_USB_LOADER]: {
    code: 'PROBE_PROTOCOL_ERROR',
    what: 'the probe could not enter its USB loader',
    hint: REPLUG,
  },
};

function where(ctx: StatusContext): string {
  const parts: string[] = [];
  if (ctx.address !== undefined) {
    parts.push(
      ctx.lengthBytes === undefined
        ? `at ${hex(ctx.address)}`
        : `at ${hex(ctx.address)} (${ctx.lengthBytes} bytes)`,
    );
  }
  if (ctx.ap !== undefined && ctx.ap !== 0) parts.push(`on AP ${ctx.ap}`);
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/**
 * The FlashwrightError for a non-OK status. Faults become TARGET_FAULT with the fault
 * address (the address the probe reports, else the request's); WAIT that outlived the
 * retries becomes TARGET_NO_RESPONSE.
 */
export function statusError(status: number, ctx: StatusContext): FlashwrightError {
  const name = statusName(status);
  const details = {
    status,
    statusName: name,
    command: ctx.command,
    address: ctx.address,
    faultAddress: ctx.faultAddress,
    ap: ctx.ap,
  };
  const kind = statusKind(status);
  if (kind === 'fault') {
    const at = ctx.faultAddress ?? ctx.address;
    return new FlashwrightError(
      'TARGET_FAULT',
      `${ctx.command}${where(ctx)} faulted${at === undefined ? '' : ` at ${hex(at)}`} (ST-Link ${name})`,
      {
        hint: 'The address is not mapped, or the chip blocks it (read protection, a disabled peripheral clock). Check the address against the device memory map.',
        details: { ...details, faultAddress: at },
      },
    );
  }
  if (kind === 'wait') {
    return new FlashwrightError(
      'TARGET_NO_RESPONSE',
      `${ctx.command}${where(ctx)}: the target kept answering WAIT (ST-Link ${name})`,
      {
        hint: 'The core or bus is stalled (e.g. a flash operation or a low-power mode). Try probe.connect: under-reset, or a lower probe.speed.',
        details,
      },
    );
  }
  const mapping = mappings[status];
  if (!mapping) {
    return new FlashwrightError(
      'PROBE_PROTOCOL_ERROR',
      `${ctx.command}${where(ctx)} failed with unexpected ST-Link status ${name} (${hex(status, 2)})`,
      { hint: REPLUG, details },
    );
  }
  return new FlashwrightError(
    mapping.code,
    `${ctx.command}${where(ctx)} failed: ${mapping.what} (ST-Link ${name})`,
    { hint: mapping.hint, details },
  );
}
