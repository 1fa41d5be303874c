import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { parseEndpoint, parseHostPort } from './uri.ts';

test('peer and listen URIs: tcp://HOST:PORT and ws://HOST:PORT[/path]', () => {
  assert.deepEqual(parseEndpoint('tcp://127.0.0.1:7000', '--peer', 'any'), {
    scheme: 'tcp',
    host: '127.0.0.1',
    port: 7000,
    path: '/',
    text: 'tcp://127.0.0.1:7000',
  });
  const ws = parseEndpoint('ws://[::1]:80/pinecone', '--peer', 'any');
  assert.equal(ws.host, '::1');
  assert.equal(ws.path, '/pinecone');
  assert.equal(parseEndpoint('tcp://127.0.0.1:0', '--listen', 'tcp', true).port, 0);
  for (const bad of [
    '127.0.0.1:7000',
    'udp://127.0.0.1:1',
    'tcp://127.0.0.1',
    'tcp://127.0.0.1:0',
    'tcp://h:70000',
    'ws://h:1',
  ]) {
    assert.throws(
      () => parseEndpoint(bad, '--peer', bad.startsWith('ws') ? 'tcp' : 'any'),
      (e: unknown) => e instanceof InputError && e.message.startsWith(`--peer ${bad}:`),
    );
  }
});

test('admin HOST:PORT; a bare port binds 127.0.0.1', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:9000', '--admin'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseHostPort('9000', '--admin'), { host: '127.0.0.1', port: 9000 });
  assert.throws(() => parseHostPort('http://x:1', '--admin'), InputError);
});
