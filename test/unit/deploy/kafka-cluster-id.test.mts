import assert from 'node:assert/strict';
import { it } from 'node:test';
import { newClusterId } from '../../../dist/deploy/native/services/kafka.js';

it('draws again when a Kafka cluster id would start with "-", which StorageTool reads as an option', () => {
  // 0xf8 encodes to "-" as the first base64url character.
  const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x01)];
  const id = newClusterId(() => draws.shift()!);
  assert.equal(draws.length, 0);
  assert.equal(id, Buffer.alloc(16, 0x01).toString('base64url'));
  assert.equal(Buffer.from(id, 'base64url').length, 16);
});
