#!/usr/bin/env node
// The p2p-digest command. The service is written in TypeScript and Node 24 runs it as it is
// (type stripping: the code uses only syntax that can be erased), so there is no build step
// and no loader between a checkout and a running service.
await import('../src/cli/main.ts');
