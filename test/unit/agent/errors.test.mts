import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { ErrorCodes, VigilConfigError, VigilError } from 'vigil';

it('documents every error code in docs/errors.md', () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
  for (const code of Object.values(ErrorCodes)) assert.ok(doc.includes(`\`${code}\``), `${code} is not documented`);
});

it('gives config errors a code, the option, the value and what is allowed', () => {
  const error = new VigilConfigError('tier', 9, 'an integer from 1 to 4');
  assert.ok(error instanceof VigilError);
  assert.equal(error.code, ErrorCodes.INVALID_OPTION);
  assert.deepEqual([error.option, error.value, error.allowed], ['tier', 9, 'an integer from 1 to 4']);
  assert.equal(error.message, 'VIGIL_ERR_INVALID_OPTION: option tier has value 9; allowed: an integer from 1 to 4');
});
