import test from 'ava';
import { SimBoard } from '../src/board.js';
import { FaultPlan } from '../src/faults.js';
import { VirtualStlink } from '../src/stlink/device.js';
import { createStm32Chip, type Stm32ChipOptions } from '../src/stm32/index.js';

// The STM32 models behind C1's SimBoard and virtual ST-Link: real ST-Link command bytes
// (as OpenOCD's stlink_usb.c sends them) reach the flash controllers through the DP, MEM-AP
// and bus.

function block(...bytes: number[]): Uint8Array {
  const cmd = new Uint8Array(16);
  cmd.set(bytes);
  return cmd;
}
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];

async function probe(options: Stm32ChipOptions) {
  const chip = createStm32Chip(options);
  const board = new SimBoard({ chip, faults: new FaultPlan() });
  const device = new VirtualStlink({ board, probe: 'stlink-v2', firmware: 'V2J37S7' });
  await device.open();
  await device.claimInterface(0);
  const out = device.variant.debugOut & 0x0f;
  const read = async (length: number) => {
    const result = await device.transferIn(1, length, 50);
    if (!result.data) throw new Error('no data');
    return new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength);
  };
  const command = async (cmd: Uint8Array, o: { data?: Uint8Array; inLength?: number } = {}) => {
    await device.transferOut(out, cmd);
    if (o.data) await device.transferOut(out, o.data);
    return o.inLength ? read(o.inLength) : new Uint8Array(0);
  };
  const u32 = (bytes: Uint8Array, at = 0) =>
    new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
  const api = {
    chip,
    board,
    command,
    async enterSwd(): Promise<number> {
      const mode = await command(block(0xf5), { inLength: 2 });
      if (mode[0] === 0) await command(block(0xf3, 0x07));
      return (await command(block(0xf2, 0x30, 0xa3), { inLength: 2 }))[0] ?? -1;
    },
    async read32(address: number, length = 4): Promise<Uint8Array> {
      return command(block(0xf2, 0x07, ...le32(address), ...le16(length)), { inLength: length });
    },
    async read16(address: number): Promise<number> {
      const data = await command(block(0xf2, 0x47, ...le32(address), ...le16(2)), { inLength: 2 });
      return (data[0] ?? 0) | ((data[1] ?? 0) << 8);
    },
    async write32(address: number, data: Uint8Array): Promise<void> {
      await command(block(0xf2, 0x08, ...le32(address), ...le16(data.length)), { data });
    },
    async writeDebug(address: number, value: number): Promise<number> {
      const reply = await command(block(0xf2, 0x35, ...le32(address), ...le32(value)), {
        inLength: 2,
      });
      return reply[0] ?? -1;
    },
    async readDebug(address: number): Promise<number> {
      return u32(await command(block(0xf2, 0x36, ...le32(address)), { inLength: 8 }), 4);
    },
    async lastStatus(): Promise<[number, number]> {
      const reply = await command(block(0xf2, 0x3e), { inLength: 12 });
      return [reply[0] ?? -1, u32(reply, 4)];
    },
  };
  return api;
}

test('L151CBxxA over ST-Link: IDCODE, the 0x6B80 flash-size register, a half-page write', async (t) => {
  const p = await probe({ device: 'STM32L151CBxxA' });
  t.is(await p.enterSwd(), 0x80);
  const idcode = await p.read32(0xe0042000);
  t.is(idcode[0]! | ((idcode[1]! & 0xf) << 8), 0x429);
  t.is(await p.read16(0x1ff8004c), 0x6b80);
  const nvm = 0x40023c00;
  for (const [reg, key] of [
    [0x0c, 0x89abcdef],
    [0x0c, 0x02030405],
    [0x10, 0x8c9daebf],
    [0x10, 0x13141516],
  ] as const) {
    t.is(await p.writeDebug(nvm + reg, key), 0x80);
  }
  await p.writeDebug(nvm + 0x04, (1 << 10) | (1 << 3)); // FPRG | PROG
  const data = Uint8Array.from({ length: 128 }, (_, i) => (i * 7 + 1) & 0xff);
  await p.write32(0x08000080, data);
  t.deepEqual(await p.lastStatus(), [0x80, 0]);
  let sr = await p.readDebug(nvm + 0x18);
  for (let i = 0; i < 20 && sr & 1; i++) sr = await p.readDebug(nvm + 0x18);
  t.is(sr & 0x3f03, 0x2, 'EOP, no error');
  t.deepEqual([...(await p.read32(0x08000080, 128))], [...data]);
});

test('F103RB at RDP level 1: a flash read over the ST-Link ends in an AP fault', async (t) => {
  const p = await probe({ device: 'STM32F103RB', rdp: 1 });
  t.is(await p.enterSwd(), 0x80);
  await p.read32(0x08000000, 4);
  const [status, address] = await p.lastStatus();
  t.is(status, 0x11, 'SWD_AP_FAULT');
  t.is(address, 0x08000000);
  await p.read32(0x20000000, 4);
  t.deepEqual(await p.lastStatus(), [0x80, 0], 'SRAM still readable');
});

test('RDP level 2: the SW-DP does not answer, so SWD entry fails', async (t) => {
  const p = await probe({ device: 'STM32F411RE', rdp: 2 });
  t.not(await p.enterSwd(), 0x80);
});

test('after a reset the core takes SP and PC from the flash vector table', async (t) => {
  const p = await probe({ device: 'STM32F103RB' });
  t.is(await p.enterSwd(), 0x80);
  const fpec = 0x40022000;
  await p.writeDebug(fpec + 0x04, 0x45670123);
  await p.writeDebug(fpec + 0x04, 0xcdef89ab);
  await p.writeDebug(fpec + 0x10, 1); // PG
  const vectors = [0x20005000, 0x08000131];
  for (let i = 0; i < 4; i++) {
    const half = (vectors[i >> 1]! >>> (16 * (i & 1))) & 0xffff;
    await p.command(block(0xf2, 0x48, ...le32(0x08000000 + 2 * i), ...le16(2)), {
      data: Uint8Array.from(le16(half)),
    });
  }
  t.deepEqual(await p.lastStatus(), [0x80, 0]);
  p.board.systemReset();
  t.is(p.board.core.coreRegister(15), 0x08000130);
  t.is(p.board.core.coreRegister(13), 0x20005000);
});
