#!/usr/bin/env node
// A shim: the program lives in src/cli (compiled to dist/cli by `npm install`).
import { main } from '../dist/cli/main.js';

await main();
