/**
 * STM32L0/L1 data EEPROM through the CLI on virtual hardware: one image that covers program
 * memory and data EEPROM is erased, written and verified in one run.
 */
import test from 'ava';
import { ndjson, project, runCli } from './helpers/cli.js';

/** Intel HEX: `bytes` at `address`, in 16-byte records under one extended linear address. */
function hex(blocks: readonly { address: number; bytes: Uint8Array }[]): string {
  const record = (type: number, offset: number, data: readonly number[]): string => {
    const body = [data.length, (offset >> 8) & 0xff, offset & 0xff, type, ...data];
    const sum = -body.reduce((a, b) => a + b, 0) & 0xff;
    return `:${[...body, sum]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase()}`;
  };
  const lines: string[] = [];
  for (const { address, bytes } of blocks) {
    lines.push(record(4, 0, [address >>> 24, (address >>> 16) & 0xff]));
    for (let i = 0; i < bytes.length; i += 16) {
      lines.push(record(0, (address + i) & 0xffff, [...bytes.subarray(i, i + 16)]));
    }
  }
  return `${[...lines, ':00000001FF'].join('\n')}\n`;
}

const pattern = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => ((i * 7 + seed) % 255) + 1);

for (const device of ['STM32L151CB', 'STM32L073RZ']) {
  test(`${device}: an image over flash and data EEPROM is written and verified in one run`, async (t) => {
    const cwd = await project({
      'flashwright.config.yaml': [
        `target: { family: stm32, device: ${device} }`,
        `probe: { transport: virtual, options: { device: ${device} } }`,
        'image: { file: app.hex }',
        'steps: [connect, { erase: auto }, write, verify]',
        '',
      ].join('\n'),
      'app.hex': hex([
        { address: 0x08000000, bytes: pattern(4096, 3) },
        { address: 0x08080100, bytes: pattern(256, 11) },
      ]),
    });
    const run = await runCli(['run', '--json'], { cwd });
    t.is(run.code, 0, run.stderr);
    const verify = ndjson(run.stdout).find((e) => e['type'] === 'step-end' && e['id'] === 'verify');
    t.truthy(verify, 'the verify step ran');
  });
}
