/**
 * The USB guest rig: virtual probes served by `flashwright sim --usbredir` (one process per
 * probe, each listening on loopback), attached to a Linux guest under QEMU as real USB
 * devices (qemu-xhci + usb-redir, QEMU connecting to each server as a client chardev). The
 * guest is the machine's own kernel with an initramfs built at test time (initramfs.ts); it
 * mounts the host's root filesystem read-only over virtio-9p and a writable shared folder
 * at the same path as on the host, runs a script there in a chroot, and powers off. The
 * host programs (node, st-info, openocd) run in the guest unchanged.
 *
 * Everything has a timeout and QEMU and the servers are always killed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startSim as startSimPeer } from '../e2e/helpers/peer.js';
import { buildInitramfs, findKernel } from './initramfs.js';

export const QBOOT = '/usr/share/qemu/qboot.rom';

/** Why the rig cannot run here (undefined: it can), with what installs the missing piece. */
export function missingTools(
  extra: readonly { command: string; args: string[]; pkg: string }[] = [],
): string | undefined {
  const missing: string[] = [];
  const tool = (command: string, args: string[], pkg: string): void => {
    if (spawnSync(command, args, { stdio: 'ignore' }).error !== undefined)
      missing.push(`${command} (${pkg})`);
  };
  tool('qemu-system-x86_64', ['--version'], 'qemu-system-x86');
  if (!existsSync(QBOOT)) missing.push(`${QBOOT} (qemu-system-data)`);
  if (!findKernel())
    missing.push('a kernel with modules in /boot and /lib/modules (linux-image-amd64)');
  if (
    !existsSync('/bin/busybox') ||
    !/statically linked/.test(
      spawnSync('file', ['/bin/busybox'], { encoding: 'utf8' }).stdout ?? 'statically linked',
    )
  ) {
    missing.push('/bin/busybox, statically linked (busybox-static)');
  }
  tool('cpio', ['--version'], 'cpio');
  for (const t of extra) tool(t.command, t.args, t.pkg);
  return missing.length === 0
    ? undefined
    : `missing: ${missing.join(', ')} (Debian: apt-get install ${[...new Set(missing.map((m) => /\(([^)]+)\)$/.exec(m)?.[1] ?? ''))].join(' ')})`;
}

/** One `flashwright sim --usbredir` process. */
export interface SimProcess {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `ms`; resolves once it has exited (its state saved). */
  stop(ms?: number): Promise<void>;
}

export async function startSim(name: string, recipe: string, cwd: string): Promise<SimProcess> {
  const port = await freePort();
  const args = ['--usbredir', `127.0.0.1:${port}`, '-c', recipe, '-v'];
  const peer = await startSimPeer(args, cwd).catch((error: unknown) => {
    throw new Error(`sim ${name}: ${error instanceof Error ? error.message : String(error)}`);
  });
  return {
    name,
    port,
    child: peer.child,
    output: () => peer.output(),
    stop: async (ms = 10_000) => {
      const timer = setTimeout(() => peer.child.kill('SIGKILL'), ms);
      await peer.stop('SIGTERM');
      clearTimeout(timer);
    },
  };
}

export interface GuestRun {
  readonly accel: 'kvm' | 'tcg';
  /** The guest script's exit status (undefined: it never finished). */
  readonly rc: number | undefined;
  readonly console: string;
  readonly log: string;
  readonly wallMs: number;
}

interface BootOptions {
  readonly share: string;
  readonly initramfs: string;
  readonly kernel: string;
  readonly ports: readonly number[];
  readonly accel: 'kvm' | 'tcg';
  readonly timeoutMs: number;
  /** Give up this early when the guest has not said FW-GUEST-READY (KVM that cannot boot it). */
  readonly readyTimeoutMs: number;
}

function qemuArgs(o: BootOptions): string[] {
  const args = [
    '-machine',
    'q35',
    '-bios',
    QBOOT,
    '-m',
    '1536',
    '-smp',
    '1',
    '-nographic',
    '-no-reboot',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-kernel',
    o.kernel,
    '-initrd',
    o.initramfs,
    '-append',
    'console=ttyS0 quiet panic=-1',
    '-virtfs',
    'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs',
    `local,path=${o.share},mount_tag=share,security_model=none,multidevs=remap`,
    // USB 2 ports for every probe (the xHCI has up to 15).
    '-device',
    `qemu-xhci,id=xhci,p2=${Math.min(15, Math.max(4, o.ports.length))},p3=1`,
  ];
  o.ports.forEach((port, i) => {
    args.push('-chardev', `socket,id=usbredir${i},host=127.0.0.1,port=${port},nodelay=on`);
    args.push('-device', `usb-redir,chardev=usbredir${i},bus=xhci.0`);
  });
  if (o.accel === 'kvm') args.push('-enable-kvm');
  return args;
}

function boot(
  o: BootOptions,
): Promise<{ rc: number | undefined; console: string; ready: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('qemu-system-x86_64', qemuArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready = false;
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const overall = setTimeout(kill, o.timeoutMs);
    const readyTimer = setTimeout(() => {
      if (!ready) kill();
    }, o.readyTimeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (!ready && output.includes('FW-GUEST-READY')) ready = true;
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const cleanup = (): void => kill();
    process.once('exit', cleanup);
    child.once('error', (error) => {
      output += `\n${error.message}`;
    });
    child.once('close', () => {
      clearTimeout(overall);
      clearTimeout(readyTimer);
      process.off('exit', cleanup);
      const rcFile = join(o.share, 'guest.rc');
      const rc = existsSync(rcFile) ? Number(readFileSync(rcFile, 'utf8').trim()) : undefined;
      resolve({ rc, console: output, ready });
    });
  });
}

function kvmUsable(): boolean {
  if (process.env['FLASHWRIGHT_GUEST_ACCEL'] === 'tcg') return false;
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes a shared folder unless FLASHWRIGHT_KEEP_GUEST=1 asks to keep it for a look. */
export function removeShare(share: string): void {
  if (share === '' || process.env['FLASHWRIGHT_KEEP_GUEST'] === '1') return;
  rmSync(share, { recursive: true, force: true });
}

/** A fresh shared folder: the guest sees it read-write at the same path. */
export function makeShare(prefix = 'fw-usb-guest-'): string {
  const share = mkdtempSync(join(tmpdir(), prefix));
  for (const dir of ['tmp', 'home', 'out']) mkdirSync(join(share, dir));
  return share;
}

/**
 * Boots the guest once with the given usbredir ports and runs `script` (sh, in a chroot of
 * the host root; $SHARE is the shared folder, $OUT its out/ folder). KVM is tried first
 * where /dev/kvm is usable; a guest that does not come up under it is booted again under TCG.
 */
export async function runGuest(options: {
  readonly share: string;
  readonly script: string;
  readonly ports: readonly number[];
  readonly timeoutMs: number;
}): Promise<GuestRun> {
  const kernel = findKernel();
  if (!kernel) throw new Error('no guest kernel');
  const { share } = options;
  const initramfs = join(share, 'initramfs.cpio');
  const work = mkdtempSync(join(tmpdir(), 'fw-initramfs-'));
  try {
    buildInitramfs(kernel, share, work, initramfs);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  writeFileSync(
    join(share, 'guest.sh'),
    `export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport SHARE=${share} OUT=${share}/out HOME=${share}/home TMPDIR=${share}/tmp\ncd "$SHARE"\n${options.script}\n`,
  );
  const started = Date.now();
  const base = {
    share,
    initramfs,
    kernel: kernel.vmlinuz,
    ports: options.ports,
    timeoutMs: options.timeoutMs,
  };
  let accel: 'kvm' | 'tcg' = kvmUsable() ? 'kvm' : 'tcg';
  let result = await boot({ ...base, accel, readyTimeoutMs: accel === 'kvm' ? 15_000 : 60_000 });
  if (accel === 'kvm' && !result.ready) {
    accel = 'tcg';
    result = await boot({
      ...base,
      accel,
      readyTimeoutMs: 60_000,
      timeoutMs: options.timeoutMs - (Date.now() - started),
    });
  }
  const logFile = join(share, 'guest.log');
  return {
    accel,
    rc: result.rc,
    console: result.console,
    log: existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
    wallMs: Date.now() - started,
  };
}

/** What a guest step left in $OUT: its exit status, output and wall time in the guest. */
export function step(
  share: string,
  name: string,
): { rc: number | undefined; out: string; wallMs: number | undefined } {
  const file = (ext: string): string => join(share, 'out', `${name}.${ext}`);
  const number = (ext: string): number | undefined =>
    existsSync(file(ext)) ? Number(readFileSync(file(ext), 'utf8').trim()) : undefined;
  return {
    rc: number('rc'),
    out: existsSync(file('out'))
      ? readFileSync(file('out'), 'utf8')
      : '(no output: the step did not run)',
    wallMs: number('ms'),
  };
}

/**
 * The sh functions guest scripts use: `step NAME SECONDS CMD...` records status, output and
 * wall time; `wait_usb N` waits for N USB devices that are not hubs (bDeviceClass 09): the
 * root hubs, and the hub QEMU adds once the probes outnumber the xHCI ports, would otherwise
 * count as probes and let the script start before the last probe has enumerated.
 */
export const STEP_FUNCTION = `step() { name=$1; secs=$2; shift 2; t0=$(date +%s%N); timeout -k 5 "$secs" "$@" >"$OUT/$name.out" 2>&1; echo $? >"$OUT/$name.rc"; echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$OUT/$name.ms"; }
wait_usb() { n=$1; i=0; while [ $(cat /sys/bus/usb/devices/*/bDeviceClass 2>/dev/null | grep -vc '^09$') -lt "$n" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; }`;
