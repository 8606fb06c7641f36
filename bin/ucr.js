#!/usr/bin/env node
// Runs the TypeScript CLI directly: Node 22.18+/24 strip types natively (see docs/decisions).
// The compile cache keeps compiled modules on disk between starts (faster start, P4).
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('../src/cli/main.ts');
