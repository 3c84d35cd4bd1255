export { getU16, getU32, hex, putU16, putU32 } from '@flashwright/usb-probe';
