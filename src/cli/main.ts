/** The `cloudspark` bin (built to dist/esm/cli.js with a `#!/usr/bin/env node` line). */
import { run } from './program.js';

// `| head` closing the pipe early is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

run(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
});
