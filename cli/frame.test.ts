import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { decodeHexToJson, encodeJsonToHex } from './frame.ts';

const EXAMPLES = [
  '70696e6500000000000a',
  '70696e6500030000005700020004010281480001018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3946869',
  '70696e65000300000074000200000001018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3948a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c006869',
  '70696e650002000000b400678139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3948a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c00b0b7f6c5ec008a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c01fd2ac3454c3a059c3efd27f54abc73808b3044b7174c3203c882023dd7ee7b0758aadf27404796f19e53b72de1dd8da8c7ce30883507bc53a589db15a26d710b',
  '70696e650001000000ef00e38a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c01018a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5cff89960dbc4fe6149da0411d5e62ea0decbdec6f5bce6e85e15fec10c3458c6580c6d5bc7e5060e7895cc538ec6a4164ceb56f105bc89730dd4173f5051c010b038139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39406d17394993ce0dfef90118896f539fd45e11cbfa6acdf1950a9eea05170b6f5c678fe3003c22854ed813ee21a66a714c6bade6dc01282c6fc7cc8c17563c908',
  // [HEAD] wakeup broadcast with extra/hop-limit bytes set and an unsigned payload.
  `70696e6500040305008e0062${'11'.repeat(32)}05${'22'.repeat(32)}07${'00'.repeat(64)}`,
];

test('frame CLI: decode → JSON → encode round-trips every example', () => {
  for (const hex of EXAMPLES) {
    const json = decodeHexToJson(hex);
    assert.equal(encodeJsonToHex(JSON.stringify(json)), hex);
  }
});

test('frame CLI: decoded JSON shows coordinates, hops and signature validity', () => {
  const e2 = decodeHexToJson(EXAMPLES[4] as string) as {
    announcement: { coords: number[]; signaturesValid: boolean };
  };
  assert.deepEqual(e2.announcement.coords, [1, 3]);
  assert.equal(e2.announcement.signaturesValid, true);
  const d = decodeHexToJson(EXAMPLES[3] as string) as {
    bootstrap: { seq: number; signatureValid: boolean };
  };
  assert.equal(d.bootstrap.seq, 1664280000000);
  assert.equal(d.bootstrap.signatureValid, true);
  const forged = `${(EXAMPLES[3] as string).slice(0, -2)}0c`;
  assert.equal((decodeHexToJson(forged) as typeof d).bootstrap.signatureValid, false);
  assert.equal(decodeHexToJson('70696e6500090000000a').type, 'unknown');
  // Decoded fields instead of raw payload hex also encode.
  const json = decodeHexToJson(EXAMPLES[3] as string) as Record<string, unknown>;
  delete json.payload;
  assert.equal(encodeJsonToHex(JSON.stringify(json)), EXAMPLES[3]);
});

test('frame CLI: bad hex, bad frames and bad JSON are InputErrors naming the problem', () => {
  assert.throws(() => decodeHexToJson('abc'), InputError);
  assert.throws(() => decodeHexToJson('zz'), /hex digits/);
  assert.throws(() => decodeHexToJson('70696e6500000000000b'), /bad-length/);
  assert.throws(() => decodeHexToJson('70696e6600000000000a'), /bad-magic/);
  assert.throws(() => encodeJsonToHex('{'), /not valid JSON/);
  assert.throws(() => encodeJsonToHex('{"type":"nope"}'), /field "type"/);
  assert.throws(
    () => encodeJsonToHex('{"type":"traffic","destinationCoords":[-1]}'),
    /destinationCoords\[0\]/,
  );
  assert.throws(() => encodeJsonToHex('{"type":"wakeup-broadcast","sourceKey":"00"}'), /sourceKey/);
});

test('frame CLI: the pinelab binary exits 2 without a stack trace on a bad frame', () => {
  const main = new URL('./main.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'frame', 'decode', '70696e65'], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bad-length/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  const ok = spawnSync(
    process.execPath,
    ['--import', 'tsx', main, 'frame', 'encode', '{"type":"keepalive"}'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), '70696e6500000000000a');
});
