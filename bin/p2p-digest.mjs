#!/usr/bin/env -S node --max-semi-space-size=16
// The p2p-digest command. The service is written in TypeScript and Node 24 runs it as it is
// (type stripping: the code uses only syntax that can be erased), so there is no build step
// and no loader between a checkout and a running service.
//
// --max-semi-space-size=16 (here, in the npm scripts, the image's command and the compose file):
// V8's young generation capped at 2 × 16 MB instead of growing to 2 × 32 MB. Under a digest
// round's allocation rate the young generation was the largest part of the worker's peak RSS
// (420-478 MB with the default, about 310 with the cap, the send hour as fast:
// docs/benchmark.md). It cannot be set from inside the process: V8 sizes its heap at start.
await import('../src/cli/main.ts');
