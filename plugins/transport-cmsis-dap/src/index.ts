/// <reference types="w3c-web-usb" preserve="true" />
export { DapDriver } from './driver/dap-driver.js';
export { CmsisDapWire } from './driver/swd-wire.js';
