/**
 * A bench's output cut short (`| head -1`) closes its stdout: the next write fails with EPIPE,
 * which Node raises as an 'error' event on process.stdout and, unhandled, ends the process before
 * its clean-up ran (the scratch database and tenant roles stayed behind on the server). Imported
 * first by every bench: writes to a closed stdout are dropped and the clean-up runs.
 */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
