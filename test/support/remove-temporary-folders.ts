/**
 * A setup file (vitest.config.ts `setupFiles`): after each test file, the temp folders the
 * spawn-cli harness made for it (the socket guard's, `temporaryFolder()`'s) are removed,
 * so a run of the suite leaves nothing in the system temp folder.
 */
import { afterAll } from 'vitest';
import { removeTemporaryFolders } from './spawn-cli.js';

afterAll(() => removeTemporaryFolders());
