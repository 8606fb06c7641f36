#!/usr/bin/env node
// Runs the TypeScript CLI directly: Node 22.18+/24 strip types natively (see docs/decisions).
import '../src/cli/main.ts';
