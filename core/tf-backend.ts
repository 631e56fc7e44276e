import * as tf from '@tensorflow/tfjs-core';
// Importing the backends registers them with the tfjs engine. In Node the
// wasm backend reads its .wasm binary from its own package folder.
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';

/**
 * A TensorFlow.js backend: `wasm` (default, no native code), `cpu` (plain JS),
 * or the native TensorFlow bindings `tensorflow` (`@tensorflow/tfjs-node`) and
 * `tensorflow-gpu` (`@tensorflow/tfjs-node-gpu`), which are optional packages.
 */
export type TensorflowBackend = 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu';

/** The backend in use after initTensorflow, and why the preferred one was not used if it wasn't. */
export interface BackendChoice {
  /** The tfjs backend name now active, such as `wasm`. */
  backend: string;
  /** The preferred backend, present only when another one was chosen. */
  fellBackFrom?: TensorflowBackend;
  /** The failure of each skipped backend, present only with `fellBackFrom`. */
  reason?: string;
}

const FALLBACKS: Record<TensorflowBackend, TensorflowBackend[]> = {
  'tensorflow-gpu': ['tensorflow-gpu', 'wasm', 'cpu'],
  tensorflow: ['tensorflow', 'wasm', 'cpu'],
  wasm: ['wasm', 'cpu'],
  cpu: ['cpu'],
};

const NATIVE_PACKAGES: Partial<Record<TensorflowBackend, string>> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

/**
 * Activates a TensorFlow.js backend, trying `preferred` first and then falling
 * back to `wasm` and then `cpu`. The native backends need their optional
 * package installed; a missing package or a failed initialisation is reported
 * in `reason`, not thrown. Calling it again is safe and re-selects the backend.
 *
 * @throws Error when no backend at all can be initialised.
 */
export async function initTensorflow(
  preferred: TensorflowBackend = 'wasm',
): Promise<BackendChoice> {
  const failures: string[] = [];

  for (const candidate of FALLBACKS[preferred]) {
    const failure = await activate(candidate);
    if (failure === undefined) {
      const backend = tf.getBackend();
      if (failures.length === 0) return { backend };
      return { backend, fellBackFrom: preferred, reason: failures.join('; ') };
    }
    failures.push(`${candidate}: ${failure}`);
  }
  throw new Error(`no TensorFlow.js backend could be initialised: ${failures.join('; ')}`);
}

/** Returns undefined on success, or why the backend could not be used. */
async function activate(candidate: TensorflowBackend): Promise<string | undefined> {
  const nativePackage = NATIVE_PACKAGES[candidate];
  if (nativePackage !== undefined) {
    const loadFailure = await loadOptionalPackage(nativePackage);
    if (loadFailure !== undefined) return loadFailure;
  }

  // Both native packages register their backend under the name `tensorflow`.
  const name = nativePackage === undefined ? candidate : 'tensorflow';
  try {
    if (!(await tf.setBackend(name))) return `backend "${name}" failed to initialise`;
    await tf.ready();
    return undefined;
  } catch (error) {
    return `backend "${name}" failed to initialise: ${messageOf(error)}`;
  }
}

async function loadOptionalPackage(packageName: string): Promise<string | undefined> {
  try {
    // A variable module name keeps the type checker from resolving a package
    // that is deliberately not a dependency.
    const specifier: string = packageName;
    await import(specifier);
    return undefined;
  } catch (error) {
    const cause = messageOf(error);
    return `${packageName} could not be loaded (${cause}); install it to use this backend`;
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0] ?? text;
  return firstLine.length > 200 ? `${firstLine.slice(0, 197)}...` : firstLine;
}
