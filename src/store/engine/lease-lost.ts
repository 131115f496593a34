/**
 * A worker's write found the job no longer held by it (its lease expired and another worker
 * claimed the job, or the job was changed under it). The write changed nothing; the worker
 * must stop working on the job.
 */
export class LeaseLostError extends Error {
  constructor(jobId: string, owner: string) {
    super(`job ${jobId} is no longer held by ${owner}`);
    this.name = 'LeaseLostError';
  }
}
