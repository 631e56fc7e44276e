import { describe, expect, it } from 'vitest';
import {
  deserializeEncodedSplits,
  serializeEncodedSplits,
  type EncodedSplits,
} from '../../core/encoded.js';

function sampleSplits(): EncodedSplits {
  const split = (rows: number, offset: number) => ({
    x: { rows, cols: 3, data: Float32Array.from({ length: rows * 3 }, (_, i) => offset + i / 8) },
    y: Float32Array.from({ length: rows }, (_, i) => i % 2),
  });
  return {
    featureNames: ['a', 'b', 'c=x'],
    train: split(5, 100),
    validation: split(2, 200),
    test: split(3, 300),
  };
}

describe('encoded splits', () => {
  it('round-trip every split', () => {
    const original = sampleSplits();
    const copy = deserializeEncodedSplits(serializeEncodedSplits(original));
    expect(copy.featureNames).toEqual(['a', 'b', 'c=x']);
    for (const name of ['train', 'validation', 'test'] as const) {
      expect(copy[name].x.rows).toBe(original[name].x.rows);
      expect(copy[name].x.cols).toBe(3);
      expect([...copy[name].x.data]).toEqual([...original[name].x.data]);
      expect([...copy[name].y]).toEqual([...original[name].y]);
    }
  });

  it('read bytes from a pooled Buffer view', () => {
    const bytes = serializeEncodedSplits(sampleSplits());
    // Buffer.from on a small array lands in Node's shared pool at a non-zero offset.
    const pooled = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(bytes)]).subarray(3);
    expect(pooled.byteOffset).not.toBe(0);
    const copy = deserializeEncodedSplits(pooled);
    expect([...copy.test.y]).toEqual([0, 1, 0]);
    expect(copy.train.x.data[4]).toBeCloseTo(100.5, 6);
  });

  it('reject bytes of another format', () => {
    expect(() => deserializeEncodedSplits(new TextEncoder().encode('{"not":"encoded"}'))).toThrow(
      'not an encoded-splits file: expected magic FCENC1, found "{"not""',
    );
  });
});
