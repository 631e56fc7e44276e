// Entry point of a trial's worker thread. Worker threads do not inherit the
// TypeScript loader of the main thread, so this plain module registers tsx
// before loading the thread's TypeScript code.
import { register } from 'tsx/esm/api';

register();
await import('./trial-thread.ts');
