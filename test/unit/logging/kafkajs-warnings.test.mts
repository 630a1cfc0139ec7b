import assert from 'node:assert/strict';
import { once } from 'node:events';
import { it } from 'node:test';
import { muteNegativeTimeoutWarnings } from '../../../dist/agent/logging/kafkajs-warnings.js';

it('drops the warning of a negative timer and lets every other warning through', async () => {
  const original = process.emitWarning;
  // Node.js prints warnings through a listener of its own; the ones let through here are the test's.
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(warning.name);
  process.on('warning', onWarning);
  try {
    muteNegativeTimeoutWarnings();
    await new Promise((resolve) => setTimeout(resolve, -1_000));
    process.emitWarning('still shown', 'ExperimentalWarning');
    process.emitWarning('shown as well', { type: 'DeprecationWarning', code: 'VIGIL_TEST' });
    await once(process, 'warning');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings, ['ExperimentalWarning', 'DeprecationWarning']);
  } finally {
    process.emitWarning = original;
    process.off('warning', onWarning);
    for (const printer of printers) process.on('warning', printer);
  }
});
