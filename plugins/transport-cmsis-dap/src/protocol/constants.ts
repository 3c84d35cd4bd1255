/**
 * CMSIS-DAP command and field values (ARM CMSIS-DAP specification, "Commands" reference:
 * CMSIS/DAP/Firmware/Include/DAP.h of ARM-software/CMSIS_5 lists the same IDs).
 */

/** Command IDs: the first byte of every request and of its response. */
export const CommandId = {
  INFO: 0x00,
  HOST_STATUS: 0x01,
  CONNECT: 0x02,
  DISCONNECT: 0x03,
  TRANSFER_CONFIGURE: 0x04,
  TRANSFER: 0x05,
  TRANSFER_BLOCK: 0x06,
  TRANSFER_ABORT: 0x07,
  RESET_TARGET: 0x0a,
  SWJ_PINS: 0x10,
  SWJ_CLOCK: 0x11,
  SWJ_SEQUENCE: 0x12,
  SWD_CONFIGURE: 0x13,
  /** What a probe answers to a command it does not implement (ID_DAP_Invalid). */
  INVALID: 0xff,
} as const;

/** Status byte of the simple commands: DAP_OK or DAP_ERROR. */
export const DAP_OK = 0x00;
export const DAP_ERROR = 0xff;

/** DAP_Info IDs (specification, DAP_Info). */
export const InfoId = {
  VENDOR: 0x01,
  PRODUCT: 0x02,
  SERIAL: 0x03,
  /** CMSIS-DAP protocol version, e.g. "2.1.0" ("1.0" on old v1 firmware). */
  PROTOCOL_VERSION: 0x04,
  TARGET_DEVICE_VENDOR: 0x05,
  TARGET_DEVICE_NAME: 0x06,
  TARGET_BOARD_VENDOR: 0x07,
  TARGET_BOARD_NAME: 0x08,
  /** Product firmware version (protocol 2.1 and later). */
  FIRMWARE_VERSION: 0x09,
  CAPABILITIES: 0xf0,
  PACKET_COUNT: 0xfe,
  PACKET_SIZE: 0xff,
} as const;

/** Capabilities byte 0 (DAP_Info 0xF0). */
export const Capability = {
  SWD: 1 << 0,
  JTAG: 1 << 1,
  SWO_UART: 1 << 2,
  SWO_MANCHESTER: 1 << 3,
  ATOMIC_COMMANDS: 1 << 4,
  TEST_DOMAIN_TIMER: 1 << 5,
  SWO_STREAMING: 1 << 6,
  UART_COMM_PORT: 1 << 7,
} as const;

/** DAP_Connect port: 0 default, 1 SWD, 2 JTAG; the response's 0 means the connect failed. */
export const Port = { DEFAULT: 0, SWD: 1, JTAG: 2 } as const;

/** Transfer Request bits of DAP_Transfer and DAP_TransferBlock. */
export const TransferRequest = {
  AP: 1 << 0,
  READ: 1 << 1,
  A2: 1 << 2,
  A3: 1 << 3,
  VALUE_MATCH: 1 << 4,
  MATCH_MASK: 1 << 5,
  TIMESTAMP: 1 << 7,
} as const;

/** Transfer Response bits: ACK in bits 2..0, then protocol error and value mismatch. */
export const TransferAck = {
  OK: 1,
  WAIT: 2,
  FAULT: 4,
  /** No target answered (the line read back all ones). */
  NO_ACK: 7,
  PROTOCOL_ERROR: 1 << 3,
  VALUE_MISMATCH: 1 << 4,
} as const;

/** DAP_SWJ_Pins bits. */
export const Pin = {
  SWCLK_TCK: 1 << 0,
  SWDIO_TMS: 1 << 1,
  TDI: 1 << 2,
  TDO: 1 << 3,
  NTRST: 1 << 5,
  NRESET: 1 << 7,
} as const;
