/**
 * ST-Link command bytes and status codes (OpenOCD src/jtag/drivers/stlink_usb.c, pyOCD
 * probe/stlink/constants.py, probe-rs probe/stlink/constants.rs, stlink-org commands.h and
 * inc/stlink.h).
 */

/** Top-level command classes (byte 0 of the 16-byte block). */
export const Top = {
  GET_VERSION: 0xf1,
  DEBUG: 0xf2,
  DFU: 0xf3,
  SWIM: 0xf4,
  GET_CURRENT_MODE: 0xf5,
  GET_TARGET_VOLTAGE: 0xf7,
  GET_VERSION_EX: 0xfb,
} as const;

export const DFU_EXIT = 0x07;
export const SWIM_ENTER = 0x00;
export const SWIM_EXIT = 0x01;

/** Sub-commands of the 0xF2 (debug) class. */
export const Debug = {
  READMEM_32BIT: 0x07,
  WRITEMEM_32BIT: 0x08,
  READMEM_8BIT: 0x0c,
  WRITEMEM_8BIT: 0x0d,
  EXIT: 0x21,
  APIV2_ENTER: 0x30,
  READ_IDCODES: 0x31,
  APIV2_RESETSYS: 0x32,
  APIV2_READREG: 0x33,
  APIV2_WRITEREG: 0x34,
  WRITEDEBUGREG: 0x35,
  READDEBUGREG: 0x36,
  APIV2_READALLREGS: 0x3a,
  GETLASTRWSTATUS: 0x3b,
  DRIVE_NRST: 0x3c,
  GETLASTRWSTATUS2: 0x3e,
  START_TRACE_RX: 0x40,
  STOP_TRACE_RX: 0x41,
  GET_TRACE_NB: 0x42,
  SWD_SET_FREQ: 0x43,
  JTAG_SET_FREQ: 0x44,
  READ_DAP_REG: 0x45,
  WRITE_DAP_REG: 0x46,
  READMEM_16BIT: 0x47,
  WRITEMEM_16BIT: 0x48,
  INIT_AP: 0x4b,
  CLOSE_AP_DBG: 0x4c,
  WRITEMEM_32BIT_NO_ADDR_INC: 0x50,
  RW_MISC_OUT: 0x51,
  RW_MISC_IN: 0x52,
  READMEM_32BIT_NO_ADDR_INC: 0x54,
  SET_COM_FREQ: 0x61,
  GET_COM_FREQ: 0x62,
  SWITCH_STLINK_FREQ: 0x63,
} as const;

/** ENTER parameter. */
export const EnterMode = { SWD: 0xa3, JTAG_NO_RESET: 0xa4, JTAG_RESET: 0x00 } as const;

/** GET_CURRENT_MODE values. */
export const DeviceMode = { DFU: 0, MASS: 1, DEBUG: 2, SWIM: 3, BOOTLOADER: 4 } as const;
export type DeviceModeValue = (typeof DeviceMode)[keyof typeof DeviceMode];

/** Status codes (byte 0 of a status reply). */
export const Status = {
  OK: 0x80,
  FAULT: 0x81,
  CMD_ERROR: 0x08,
  GET_IDCODE_ERROR: 0x09,
  ALIGNMENT_ERROR: 0x0a,
  ALREADY_OPENED_IN_OTHER_MODE: 0x0e,
  SWD_AP_WAIT: 0x10,
  SWD_AP_FAULT: 0x11,
  SWD_AP_ERROR: 0x12,
  SWD_DP_WAIT: 0x14,
  SWD_DP_FAULT: 0x15,
  SWD_DP_ERROR: 0x16,
  BAD_AP: 0x1d,
  CONF_CHANGED: 0x40,
  FREQ_NOT_SUPPORTED: 0x41,
} as const;

/** DAP port number that selects the DP in READ/WRITE_DAP_REG. */
export const DP_PORT = 0xffff;

/** RW_MISC opcodes (OpenOCD stlink_usb_misc_rw_segment). */
export const RwMisc = { ADDRESS: 1, WRITE: 2, READ: 3, APNUM: 5 } as const;
