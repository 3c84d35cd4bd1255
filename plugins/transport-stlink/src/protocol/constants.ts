/**
 * ST-Link wire constants, as OpenOCD src/jtag/drivers/stlink_usb.c, pyOCD
 * pyocd/probe/stlink/constants.py, probe-rs probe-rs/src/probe/stlink/constants.rs and
 * stlink-org src/stlink-lib/commands.h define them (they agree on every value below).
 */

/**
 * Every command block is 16 bytes, zero-padded (OpenOCD stlink_usb.c STLINK_CMD_SIZE_V2; pyOCD
 * probe/stlink/usb.py and probe-rs stlink/usb_interface.rs pad every command to 16).
 */
export const COMMAND_BLOCK_BYTES = 16;

/** Byte 0 of a command block: the command class (OpenOCD stlink_usb.c, stlink-org commands.h). */
export const CommandClass = {
  GET_VERSION: 0xf1,
  DEBUG: 0xf2,
  DFU: 0xf3,
  SWIM: 0xf4,
  GET_CURRENT_MODE: 0xf5,
  GET_TARGET_VOLTAGE: 0xf7,
  GET_VERSION_EX: 0xfb,
} as const;

/** Byte 1 of a DFU (0xF3) or SWIM (0xF4) command. */
export const DFU_EXIT = 0x07;
export const SWIM_EXIT = 0x01;

/**
 * Byte 1 of a DEBUG (0xF2) command (OpenOCD stlink_usb.c STLINK_DEBUG_APIV2_*, STLINK_APIV3_*).
 * Only the API v2/v3 forms we send.
 */
export const DebugCommand = {
  READMEM_32BIT: 0x07,
  WRITEMEM_32BIT: 0x08,
  READMEM_8BIT: 0x0c,
  WRITEMEM_8BIT: 0x0d,
  EXIT: 0x21,
  ENTER: 0x30,
  READ_IDCODES: 0x31,
  RESETSYS: 0x32,
  READREG: 0x33,
  WRITEREG: 0x34,
  WRITEDEBUGREG: 0x35,
  READDEBUGREG: 0x36,
  READALLREGS: 0x3a,
  GETLASTRWSTATUS: 0x3b,
  DRIVE_NRST: 0x3c,
  GETLASTRWSTATUS2: 0x3e,
  SWD_SET_FREQ: 0x43,
  JTAG_SET_FREQ: 0x44,
  READ_DAP_REG: 0x45,
  WRITE_DAP_REG: 0x46,
  READMEM_16BIT: 0x47,
  WRITEMEM_16BIT: 0x48,
  INIT_AP: 0x4b,
  CLOSE_AP_DBG: 0x4c,
  SET_COM_FREQ: 0x61,
  GET_COM_FREQ: 0x62,
} as const;

/**
 * Parameter of ENTER (0xF2 0x30): the wire protocol. 0xA4 is JTAG without reset in OpenOCD
 * stlink_usb.c, probe-rs constants.rs, stlink-org commands.h and blackmagic
 * stlinkv2_protocol.h; pyOCD constants.py gives it 0xA3, the SWD value (a pyOCD bug).
 */
export const EnterProtocol = {
  SWD: 0xa3,
  JTAG_NO_RESET: 0xa4,
} as const;

/**
 * Byte 0 of the GET_CURRENT_MODE reply (OpenOCD stlink_usb.c STLINK_DEV_*_MODE; BOOTLOADER is
 * named only by OpenOCD and blackmagic stlinkv2_protocol.h).
 */
export const ProbeMode = {
  DFU: 0x00,
  MASS: 0x01,
  DEBUG: 0x02,
  SWIM: 0x03,
  BOOTLOADER: 0x04,
} as const;
export type ProbeMode = (typeof ProbeMode)[keyof typeof ProbeMode];

/** Parameter of DRIVE_NRST (OpenOCD stlink_usb.c STLINK_DEBUG_APIV2_DRIVE_NRST_*). */
export const NrstAction = {
  LOW: 0,
  HIGH: 1,
  PULSE: 2,
} as const;
export type NrstAction = (typeof NrstAction)[keyof typeof NrstAction];

/**
 * The probe's "port" number that selects the DP in READ/WRITE_DAP_REG (OpenOCD stlink_usb.c,
 * pyOCD probe/stlink/stlink.py DP_PORT).
 */
export const DP_PORT = 0xffff;

/**
 * SW-DP register addresses (ADIv5 A[3:2], OpenOCD src/target/arm_adi_v5.h), which is also how
 * READ/WRITE_DAP_REG takes them (OpenOCD stlink_usb.c).
 */
export const DpRegister = {
  ABORT: 0x00,
  CTRL_STAT: 0x04,
  RDBUFF: 0x0c,
} as const;

/**
 * DP ABORT value that clears every sticky flag in SWD: ORUNERRCLR | WDERRCLR | STKERRCLR |
 * STKCMPCLR, as pyOCD writes it after a memory fault (probe/stlink/stlink.py _clear_sticky_error).
 */
export const ABORT_CLEAR_STICKY = 0x1e;

/**
 * Status codes in byte 0 of status replies (pyOCD constants.py Status, probe-rs constants.rs,
 * stlink-org inc/stlink.h). AP_ALREADY_USED, TRACE_AP_TURNAROUND and NO_JUMP_TO_USB_LOADER
 * are named only in ST's 2017 STLINK-V3 patch to OpenOCD stlink_usb.c (kept in the
 * sysprogs/openocd fork); TOO_MANY_AP only in blackmagic stlinkv2_protocol.h.
 */
export const Status = {
  OK: 0x80,
  FAULT: 0x81,
  UNKNOWN_ERROR: 0x01,
  SPI_ERROR: 0x02,
  DMA_ERROR: 0x03,
  UNKNOWN_JTAG_CHAIN: 0x04,
  NO_DEVICE_CONNECTED: 0x05,
  INTERNAL_ERROR: 0x06,
  CMD_WAIT: 0x07,
  CMD_ERROR: 0x08,
  GET_IDCODE_ERROR: 0x09,
  ALIGNMENT_ERROR: 0x0a,
  DBG_POWER_ERROR: 0x0b,
  WRITE_ERROR: 0x0c,
  WRITE_VERIF_ERROR: 0x0d,
  ALREADY_OPENED_IN_OTHER_MODE: 0x0e,
  SWD_AP_WAIT: 0x10,
  SWD_AP_FAULT: 0x11,
  SWD_AP_ERROR: 0x12,
  SWD_AP_PARITY_ERROR: 0x13,
  SWD_DP_WAIT: 0x14,
  SWD_DP_FAULT: 0x15,
  SWD_DP_ERROR: 0x16,
  SWD_DP_PARITY_ERROR: 0x17,
  SWD_AP_WDATA_ERROR: 0x18,
  SWD_AP_STICKY_ERROR: 0x19,
  SWD_AP_STICKYORUN_ERROR: 0x1a,
  AP_ALREADY_USED: 0x1b,
  TRACE_AP_TURNAROUND: 0x1c,
  BAD_AP: 0x1d,
  SWV_NOT_AVAILABLE: 0x20,
  NO_JUMP_TO_USB_LOADER: 0x21,
  TOO_MANY_AP: 0x29,
  CONF_CHANGED: 0x40,
  FREQ_NOT_SUPPORTED: 0x41,
  UNKNOWN_CMD: 0x42,
} as const;
