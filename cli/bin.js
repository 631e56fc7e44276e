#!/usr/bin/env node
// Entry point for `npx fullcycle`: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
