#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (run `npm run build` first).
import { collectDeadBuffersEarly } from "../dist/basics/dead-buffers.js";
import { main } from "../dist/cli/main.js";

// A batch's page buffers die faster than V8 collects them on its own (see dead-buffers.ts).
collectDeadBuffersEarly();
process.exitCode = await main(process.argv);
