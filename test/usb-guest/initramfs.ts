/**
 * Builds the guest's initramfs at test time from the machine's Debian packages: the static
 * busybox (busybox-static), the kernel modules of linux-image-amd64 that the guest needs
 * (USB host controller, 9p over virtio, USB HID with hidraw for CMSIS-DAP v1) with their dependencies from modules.dep, and an
 * init script. Nothing is downloaded and nothing binary is committed.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';

/** Modules the guest loads; their dependencies come first (modules.dep, right to left). */
const WANTED = ['xhci-pci', '9pnet_virtio', '9p', 'virtio_pci', 'usbhid', 'hid-generic'];

export interface GuestKernel {
  readonly version: string;
  readonly vmlinuz: string;
  readonly modulesDir: string;
}

/** The newest installed kernel that has its modules (linux-image-amd64). */
export function findKernel(): GuestKernel | undefined {
  if (!existsSync('/boot') || !existsSync('/lib/modules')) return undefined;
  const versions = readdirSync('/lib/modules')
    .filter(
      (v) =>
        existsSync(join('/boot', `vmlinuz-${v}`)) &&
        existsSync(join('/lib/modules', v, 'modules.dep')),
    )
    .sort();
  const version = versions.at(-1);
  if (version === undefined) return undefined;
  return {
    version,
    vmlinuz: join('/boot', `vmlinuz-${version}`),
    modulesDir: join('/lib/modules', version),
  };
}

/** Module files to load, in load order, resolved from modules.dep. */
export function moduleLoadOrder(modulesDir: string, wanted: readonly string[] = WANTED): string[] {
  const deps = new Map<string, string[]>();
  const byName = new Map<string, string>();
  for (const line of readFileSync(join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const file = line.slice(0, colon);
    deps.set(
      file,
      line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean),
    );
    byName.set(
      basename(file)
        .replace(/\.ko(\.\w+)?$/, '')
        .replace(/-/g, '_'),
      file,
    );
  }
  const order: string[] = [];
  const visit = (file: string): void => {
    if (order.includes(file)) return;
    // modules.dep lists every (transitive) dependency, the deepest last.
    for (const dep of [...(deps.get(file) ?? [])].reverse()) visit(dep);
    order.push(file);
  };
  for (const name of wanted) {
    const file = byName.get(name.replace(/-/g, '_'));
    if (file === undefined)
      throw new Error(`kernel module ${name} is not in ${modulesDir}/modules.dep`);
    visit(file);
  }
  return order;
}

function initScript(share: string, modules: readonly string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
for m in ${modules.map((m) => basename(m)).join(' ')}; do
  insmod /lib/modules/$m || echo "FW-GUEST: insmod $m failed"
done
mkdir -p /mnt/host
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /mnt/host || echo "FW-GUEST: no host root"
mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 share /mnt/host${share} || echo "FW-GUEST: no share"
mount -t proc proc /mnt/host/proc
mount -t sysfs sysfs /mnt/host/sys
mount -t devtmpfs devtmpfs /mnt/host/dev
echo FW-GUEST-READY
chroot /mnt/host /bin/sh ${share}/guest.sh >/mnt/host${share}/guest.log 2>&1
echo $? >/mnt/host${share}/guest.rc
sync
echo FW-GUEST-DONE
reboot -f
`;
}

/**
 * Writes the initramfs (an uncompressed newc cpio archive, which the kernel unpacks
 * as it is) to `out`. `share` is the host folder the guest mounts read-write at the same path.
 */
export function buildInitramfs(
  kernel: GuestKernel,
  share: string,
  work: string,
  out: string,
): void {
  const root = join(work, 'initramfs');
  for (const dir of ['bin', 'dev', 'proc', 'sys', 'mnt', 'lib/modules'])
    mkdirSync(join(root, dir), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const modules = moduleLoadOrder(kernel.modulesDir);
  for (const file of modules)
    copyFileSync(join(kernel.modulesDir, file), join(root, 'lib/modules', basename(file)));
  writeFileSync(join(root, 'init'), initScript(share, modules), { mode: 0o755 });
  const cpio = spawnSync('sh', ['-c', `find . | cpio -o -H newc --quiet > '${out}'`], {
    cwd: root,
    encoding: 'utf8',
  });
  if (cpio.status !== 0) throw new Error(`cpio failed: ${cpio.stderr}`);
}
