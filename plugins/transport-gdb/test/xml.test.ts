import test from 'ava';
import { parseMemoryMap } from '../src/memory-map.js';
import {
  fallbackArmRegisters,
  findRegister,
  loadTargetDescription,
} from '../src/target-description.js';
import { cortexMFeatures } from './helpers/fake-gdb-server.js';

test('memory map with flash and ram regions', (t) => {
  const result = parseMemoryMap(
    '<?xml version="1.0"?><!DOCTYPE memory-map PUBLIC "+//IDN gnu.org//DTD GDB Memory Map V1.0//EN" "http://sourceware.org/gdb/gdb-memory-map.dtd"><memory-map><memory type="ram" start="0x20000000" length="0x5000"/><memory type="flash" start="0x8000000" length="0x20000"><property name="blocksize">0x400</property></memory><memory type="rom" start="0" length="4096"/></memory-map>',
  );
  t.deepEqual(result, {
    regions: [
      { kind: 'rom', start: 0, end: 4096 },
      { kind: 'flash', start: 0x08000000, end: 0x08020000, blockSize: 0x400 },
      { kind: 'ram', start: 0x20000000, end: 0x20005000 },
    ],
  });
});

test('memory map problems are reported, not guessed around', (t) => {
  t.deepEqual(parseMemoryMap('<target/>'), { problem: 'not a <memory-map> document' });
  t.deepEqual(parseMemoryMap('not xml <<'), { problem: 'not a <memory-map> document' });
  const noBlock = parseMemoryMap(
    '<memory-map><memory type="flash" start="0x0" length="0x100"/></memory-map>',
  );
  t.true('problem' in noBlock && noBlock.problem.includes('blocksize'));
  const badType = parseMemoryMap(
    '<memory-map><memory type="eeprom" start="0x0" length="0x100"/></memory-map>',
  );
  t.true('problem' in badType && badType.problem.includes('eeprom'));
  const badStart = parseMemoryMap(
    '<memory-map><memory type="ram" start="zz" length="0x100"/></memory-map>',
  );
  t.true('problem' in badStart);
});

test('target description follows includes and numbers registers', async (t) => {
  const read: string[] = [];
  const registers = await loadTargetDescription((annex) => {
    read.push(annex);
    const doc = cortexMFeatures[annex];
    return doc === undefined ? Promise.reject(new Error(annex)) : Promise.resolve(doc);
  });
  t.deepEqual(read, ['target.xml', 'arm-m-profile.xml']);
  t.is(registers.length, 17);
  t.deepEqual(findRegister(registers, 'pc'), {
    name: 'pc',
    regnum: 15,
    bitSize: 32,
    feature: 'org.gnu.gdb.arm.m-profile',
  });
  t.is(findRegister(registers, 'R15')?.regnum, 15, 'r15 is an alias of pc');
  t.is(findRegister(registers, 'xpsr')?.regnum, 25);
  t.is(findRegister(registers, 'msp'), undefined);
});

test('target description: include loops end, malformed registers are errors', async (t) => {
  const loop = {
    'target.xml': '<target><xi:include href="a.xml"/></target>',
    'a.xml':
      '<feature name="f"><reg name="r0" bitsize="32"/><xi:include href="target.xml"/></feature>',
  } as Record<string, string>;
  const registers = await loadTargetDescription((annex) => Promise.resolve(loop[annex]!));
  t.is(registers.length, 1);
  await t.throwsAsync(
    loadTargetDescription(() => Promise.resolve('<target><reg name="x" bitsize="big"/></target>')),
    { message: /malformed/ },
  );
  await t.throwsAsync(
    loadTargetDescription(() => Promise.resolve('<<<')),
    { message: /not well-formed/ },
  );
});

test('fallback ARM register layout', (t) => {
  const registers = fallbackArmRegisters();
  t.is(registers.length, 16);
  t.is(findRegister(registers, 'r13')?.name, 'sp');
  t.is(findRegister(registers, 'pc')?.regnum, 15);
});
