#!/usr/bin/env node
// The project runs its TypeScript sources directly (Node >= 22.18 strips types natively).
if (!process.features.typescript) {
  process.stderr.write(
    `tokenswap needs Node.js 22.18 or newer (this is ${process.version}).\n` +
      'Inside the repository, run it through npm (npx tokenswap, npm run ...), which uses the pinned Node 24.\n',
  );
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
