/** The one-of-each helpers: lists, endpoints, errno words, usage errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RttscanError, usageError } from '../../src/errors.js';
import { endpointText } from '../../src/flow/address.js';
import { errnoReason, readFailure, writeFailure } from '../../src/util/errno.js';
import { commaItems, listItems } from '../../src/util/lists.js';

function errno(code: string, message = `${code}: something`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

test('lists: comma-separated, repeated values add up, trimmed; empty items kept only by commaItems', () => {
  assert.deepEqual(listItems(['80, 443', '', '8080,']), ['80', '443', '8080']);
  assert.deepEqual(commaItems(['eth0,', ' lo']), ['eth0', '', 'lo']);
  assert.deepEqual(commaItems('100,2000'), ['100', '2000']);
});

test('endpointText brackets IPv6 only, told by the text', () => {
  assert.equal(endpointText('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(endpointText('2001:db8::1', 443), '[2001:db8::1]:443');
  assert.equal(endpointText('::ffff:10.0.0.1', 0), '[::ffff:10.0.0.1]:0');
  assert.equal(endpointText('statsd.local', 8125), 'statsd.local:8125');
});

test('errno words: a missing path is the file read or the directory written in; others as the system says', () => {
  assert.equal(readFailure(errno('ENOENT')), 'no such file');
  assert.equal(readFailure(errno('ENOTDIR')), 'no such file (a parent is not a directory)');
  assert.equal(readFailure(errno('EACCES')), 'permission denied');
  assert.equal(readFailure(errno('EWEIRD', 'weird\nthing')), 'cannot read (weird\\nthing)');
  assert.equal(writeFailure(errno('ENOENT')), 'cannot write (no such directory)');
  assert.equal(writeFailure(errno('ENOSPC')), 'cannot write (no space left on device)');
  assert.equal(errnoReason(errno('EADDRINUSE')), 'address in use');
  assert.equal(errnoReason(errno('ENOTFOUND')), undefined);
  assert.equal(errnoReason(undefined), undefined);
});

test('usageError is an RttscanError with code usage', () => {
  const err = usageError('--x: bad');
  assert.ok(err instanceof RttscanError);
  assert.equal(err.code, 'usage');
  assert.equal(err.message, '--x: bad');
});
