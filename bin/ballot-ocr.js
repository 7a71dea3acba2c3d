#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=2
// Thin launcher: the compiled CLI lives in dist/ (run `npm run build` first).
//
// Run as `./bin/ballot-ocr.js` (or the installed `ballot-ocr`), the line above starts Node with
// three memory settings that only take effect at start-up. A run has about 20 threads: glibc gives
// each its own malloc arena and, once a large buffer is freed, keeps later ones of that size in
// those arenas instead of returning them; V8 lets the main thread's young generation grow to
// 32 MB. Together they are about 90 MB of a run's peak (README, Benchmarks: memory).
// `node bin/ballot-ocr.js` skips them and works the same, with that much more memory.
import { collectGarbageEarly } from "../dist/basics/early-collection.js";
import { main } from "../dist/cli/main.js";

// A run's garbage (page buffers, results) piles up faster than V8 collects it on its own (see early-collection.ts).
collectGarbageEarly();
process.exitCode = await main(process.argv);
