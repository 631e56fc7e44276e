import { describe, expect, it } from 'vitest';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { durationToMs } from '../../core/spec.js';

// The spec validates durations with durationToMs, while the workflow reads
// them with the Temporal SDK's parser; both must agree on every unit.
describe('spec durations', () => {
  it.each(['500ms', '30s', '15m', '72h', '7d', '365d', '1m'])(
    'agree with the SDK for %s',
    (text) => {
      expect(durationToMs(text)).toBe(msToNumber(text));
    },
  );

  it('rejects a unit the spec does not allow', () => {
    expect(() => durationToMs('2w')).toThrow(
      'invalid duration "2w": expected an integer and a unit (ms, s, m, h, d)',
    );
  });
});
