import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../support/temporal.js';

// Scores a tiny exported model in a fresh process whose HOME is a temporary
// folder, then looks for the device id and event cache that onnxruntime's
// telemetry writes under ~/.cache/Microsoft when it is on. There is no test
// with telemetry on: its uploader would try to reach Microsoft's servers.
const SCRIPT = `
  import { exportToOnnx } from '${repoPath('core/onnx/export.ts')}';
  import { OnnxScorer } from '${repoPath('core/onnx/scorer.ts')}';
  const pre = { inputOrder: [{ name: 'x', type: 'numeric' }], categorical: [], encodedNames: ['x'],
    numeric: [{ name: 'x', imputeValue: 0, mean: 0, std: 1, clipMin: null, clipMax: null }] };
  const model = { family: 'logistic_regression', layers: [{ inputs: 1, units: 1, weights: [1], bias: [0], activation: 'sigmoid' }] };
  const scorer = await OnnxScorer.load(exportToOnnx(model, pre, { modelVersion: 'm', projectId: 'p', producerVersion: 't' }), pre);
  console.log((await scorer.score([{ x: 0 }]))[0]);
`;

async function scoreInFreshProcess(home: string): Promise<string> {
  const script = path.join(home, 'score.mts');
  await writeFile(script, SCRIPT);
  const { ORT_DISABLE_TELEMETRY: _inherited, ...parentEnv } = process.env;
  return execFileSync(repoPath('node_modules/.bin/tsx'), [script], {
    cwd: repoPath('.'),
    env: { ...parentEnv, HOME: home },
    encoding: 'utf8',
  }).trim();
}

describe('onnxruntime telemetry', () => {
  it('is off when the scorer loads', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'fullcycle-home-'));
    try {
      expect(await scoreInFreshProcess(home)).toBe('0.5');
      expect(existsSync(path.join(home, '.cache', 'Microsoft'))).toBe(false);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
