/**
 * OpenOCD 0.12 as an independent judge of the simulator: the sim serves a virtual ST-Link
 * over the stlink-server TCP protocol, OpenOCD (`st-link backend tcp`, dap-direct) identifies
 * the chip, programs and verifies an image with its stock target configs, and a new virtual
 * session on the same state file then reads the image back through the virtual ST-Link.
 * The simulator executes no code, so OpenOCD gets no work area and uses its direct-write
 * paths (WORKAREASIZE 0).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  createVirtualSession,
  startStlinkServer,
  type StlinkProbeKind,
  type VirtualSession,
} from '@flashwright/sim';

const peersRequired = process.env['FLASHWRIGHT_REQUIRE_PEERS'] === '1';

function openocdMissing(): string | undefined {
  const result = spawnSync('openocd', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined)
    return 'openocd is not installed (Debian: apt-get install openocd)';
  if (!/Open On-Chip Debugger 0\.1[2-9]/.test(result.stderr + result.stdout)) {
    return `openocd --version printed ${JSON.stringify((result.stderr + result.stdout).slice(0, 80))}`;
  }
  return undefined;
}

const missing = openocdMissing();
const openocdTest = missing !== undefined && !peersRequired ? test.skip : test.serial;
if (missing !== undefined) {
  if (peersRequired)
    test('openocd is required (FLASHWRIGHT_REQUIRE_PEERS=1)', (t) => t.fail(missing));
  else console.warn(`openocd e2e skipped: ${missing}`);
}

interface OpenocdRun {
  readonly code: number | null;
  readonly output: string;
}

function runOpenocd(args: readonly string[], timeoutMs = 90_000): Promise<OpenocdRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('openocd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A deterministic pseudo-random image (xorshift), so a failure can be reproduced. */
function image(bytes: number, seed: number): Uint8Array {
  const data = new Uint8Array(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  return data;
}

/** Reads memory through the virtual ST-Link with raw protocol commands. */
async function readBack(
  session: VirtualSession,
  address: number,
  length: number,
): Promise<Uint8Array> {
  const device = session.device;
  await device.open();
  await device.claimInterface(0);
  const out = device.variant.debugOut & 0x0f;
  const send = async (bytes: number[], inLength = 0): Promise<Uint8Array> => {
    const cmd = new Uint8Array(16);
    cmd.set(bytes);
    await device.transferOut(out, cmd);
    if (inLength === 0) return new Uint8Array(0);
    const reply = await device.transferIn(1, inLength, 500);
    return new Uint8Array(reply.data?.buffer ?? new ArrayBuffer(0));
  };
  const mode = await send([0xf5], 2);
  if (mode[0] === 0) await send([0xf3, 0x07]);
  await send([0xf2, 0x30, 0xa3], 2);
  const result = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 1024) {
    const chunk = Math.min(1024, length - offset);
    const a = address + offset;
    const data = await send(
      [
        0xf2,
        0x07,
        a & 0xff,
        (a >>> 8) & 0xff,
        (a >>> 16) & 0xff,
        a >>> 24,
        chunk & 0xff,
        chunk >>> 8,
      ],
      chunk,
    );
    const status = await send([0xf2, 0x3e], 12);
    if (status[0] !== 0x80)
      throw new Error(`read at 0x${a.toString(16)} failed: status 0x${status[0]?.toString(16)}`);
    result.set(data, offset);
  }
  return result;
}

interface Case {
  readonly device: string;
  readonly probe: StlinkProbeKind;
  readonly targetCfg: string;
  /** OpenOCD commands after the configs; IMG is replaced by the image path. */
  readonly commands: string;
  readonly expect: RegExp;
}

const FLASH = 0x08000000;

const cases: readonly Case[] = [
  {
    device: 'STM32F103RB',
    probe: 'stlink-v2',
    targetCfg: 'target/stm32f1x.cfg',
    commands: `program IMG ${FLASH} verify reset exit`,
    expect: /\*\* Verified OK \*\*/,
  },
  {
    device: 'STM32F411RE',
    probe: 'stlink-v2-1',
    targetCfg: 'target/stm32f4x.cfg',
    commands: `program IMG ${FLASH} verify reset exit`,
    expect: /\*\* Verified OK \*\*/,
  },
  {
    // stm32l1.cfg's reset-init enables the HSI through RCC, which the L1 model does not
    // map, and OpenOCD's erase leaves PECR.ERASE|PROG set before its direct word writes
    // (see the sim README): so a blank part, no reset-init, no erase.
    device: 'STM32L151CBxxA',
    probe: 'stlink-v3',
    targetCfg: 'target/stm32l1.cfg',
    commands: `init; halt; flash write_image IMG ${FLASH}; verify_image IMG ${FLASH}; echo VERIFY-PASSED; shutdown`,
    expect: /VERIFY-PASSED/,
  },
];

for (const c of cases) {
  openocdTest(
    `OpenOCD identifies, programs and verifies a ${c.device} behind a virtual ${c.probe}`,
    async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'fw-openocd-'));
      const state = join(dir, 'board.json');
      const imagePath = join(dir, 'image.bin');
      const data = image(3000, c.device.length * 7919);
      writeFileSync(imagePath, data);

      const session = createVirtualSession({ probe: c.probe, device: c.device, state });
      const server = await startStlinkServer({ session, port: 0 });
      let run: OpenocdRun;
      try {
        run = await runOpenocd([
          '-f',
          'interface/stlink-dap.cfg',
          '-c',
          `st-link backend tcp ${server.port}`,
          '-c',
          'set WORKAREASIZE 0',
          // Other tests may run an OpenOCD at the same time: no fixed listening ports.
          '-c',
          'gdb_port disabled; tcl_port disabled; telnet_port disabled',
          '-f',
          c.targetCfg,
          '-c',
          c.commands.replaceAll('IMG', imagePath),
        ]);
      } finally {
        await server.close();
      }
      t.log(`virtual time: ${session.stats().virtualMs.toFixed(0)} ms`);
      t.is(run.code, 0, run.output);
      t.regex(run.output, /stlink-server API v2/);
      t.regex(run.output, /SWD DPIDR 0x[0-9a-f]{8}/);
      t.regex(run.output, c.expect, run.output);

      const check = createVirtualSession({ probe: c.probe, device: c.device, state });
      try {
        t.deepEqual(await readBack(check, FLASH, data.length), data);
      } finally {
        await check.close();
      }
    },
  );
}
