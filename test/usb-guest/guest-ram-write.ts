/**
 * Runs in the guest: writes a file to target RAM through flashwright's ST-Link transport on
 * the `usb` package (the path `flashwright flash` takes, which refuses images outside flash).
 * Usage: node guest-ram-write.js SERIAL FILE ADDRESS
 */
import { readFileSync } from 'node:fs';
import { plugin } from '@flashwright/transport-stlink';

const [serial, file, addressText] = process.argv.slice(2);
if (serial === undefined || file === undefined || addressText === undefined) {
  console.error('usage: guest-ram-write.js SERIAL FILE ADDRESS');
  process.exit(2);
}
const transport = plugin().transports?.[0];
if (!transport) throw new Error('the ST-Link plugin has no transport');
const quiet = { debug: () => {}, info: () => {}, warn: (m: string) => console.error(m) };
const probe = await transport.open({ serial, options: {}, recipeDir: process.cwd(), log: quiet });
try {
  await probe.connect();
  const data = new Uint8Array(readFileSync(file));
  await probe.memory.write(Number(addressText), data);
  console.log(`wrote ${data.length} bytes at ${addressText}`);
} finally {
  await probe.close();
}
