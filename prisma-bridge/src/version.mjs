// What the bridge reports as its engine version. Kept free of imports so that
// `--version`, which prisma-client-py runs before every connect, stays fast.

// The engine commit prisma-client-py 0.11.0 expects (its expected_engine_version)
// and the Prisma CLI 5.4.2 ships with.
export const ENGINE_COMMIT = 'ac9d7041ed77bcc8a8dbd2ab6616b39013829574';

export const wantsVersion = (argv) => argv.includes('--version') || argv.includes('-V');
