import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';

/** MATIH_ARCHIVE_STORE=s3 and its MATIH_ARCHIVE_S3_* settings (issue 16 item 7). */
describe('the S3 archive settings', () => {
  it('read the bucket, prefix, region and endpoint; path-style addressing follows the endpoint unless set', () => {
    expect(loadConfig({ MATIH_ARCHIVE_STORE: 's3', MATIH_ARCHIVE_S3_BUCKET: 'matih-archive' }).lifecycle).toMatchObject({
      archiveStore: 's3',
      archiveS3: { bucket: 'matih-archive', prefix: undefined, region: 'us-east-1', endpoint: undefined, forcePathStyle: false, credentials: undefined },
    });
    const minio = loadConfig({
      MATIH_ARCHIVE_STORE: 's3',
      MATIH_ARCHIVE_S3_BUCKET: 'matih-archive',
      MATIH_ARCHIVE_S3_PREFIX: '/prod/eu/',
      MATIH_ARCHIVE_S3_REGION: 'eu-central-1',
      MATIH_ARCHIVE_S3_ENDPOINT: 'http://minio.storage:9000',
      MATIH_ARCHIVE_S3_ACCESS_KEY_ID: 'matih',
      MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY: 'minio-secret',
    }).lifecycle.archiveS3;
    expect(minio).toEqual({
      bucket: 'matih-archive',
      prefix: 'prod/eu',
      region: 'eu-central-1',
      endpoint: 'http://minio.storage:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'matih', secretAccessKey: 'minio-secret' },
    });
    const virtualHosts = { MATIH_ARCHIVE_STORE: 's3', MATIH_ARCHIVE_S3_BUCKET: 'b-1', MATIH_ARCHIVE_S3_ENDPOINT: 'https://s3.example.com', MATIH_ARCHIVE_S3_FORCE_PATH_STYLE: 'false' };
    expect(loadConfig(virtualHosts).lifecycle.archiveS3?.forcePathStyle).toBe(false);
  });

  it('refuse s3 without a bucket at start, naming the variable', () => {
    expect(configProblems({ MATIH_ARCHIVE_STORE: 's3' })).toEqual(['MATIH_ARCHIVE_S3_BUCKET must be set when MATIH_ARCHIVE_STORE=s3']);
  });

  it('refuse a bad bucket, prefix, endpoint or half a key pair, without echoing the secret', () => {
    const problems = configProblems({
      MATIH_ARCHIVE_STORE: 's3',
      MATIH_ARCHIVE_S3_BUCKET: 'my bucket',
      MATIH_ARCHIVE_S3_PREFIX: 'a/../b',
      MATIH_ARCHIVE_S3_ENDPOINT: 'minio:9000',
      MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY: 'half-a-secret',
      MATIH_ARCHIVE_S3_FORCE_PATH_STYLE: 'maybe',
    });
    expect(problems).toEqual([
      expect.stringContaining('MATIH_ARCHIVE_S3_BUCKET="my bucket"'),
      expect.stringContaining('MATIH_ARCHIVE_S3_PREFIX="a/../b"'),
      expect.stringContaining('MATIH_ARCHIVE_S3_ENDPOINT="minio:9000"'),
      expect.stringContaining('MATIH_ARCHIVE_S3_ACCESS_KEY_ID and MATIH_ARCHIVE_S3_SECRET_ACCESS_KEY go together'),
      expect.stringContaining('MATIH_ARCHIVE_S3_FORCE_PATH_STYLE="maybe"'),
    ]);
    expect(problems.join('\n')).not.toContain('half-a-secret');
  });

  it('refuse S3 settings for another store: the archive would not go where the operator meant', () => {
    expect(configProblems({ MATIH_ARCHIVE_S3_BUCKET: 'matih-archive' })).toEqual([
      'MATIH_ARCHIVE_S3_BUCKET is set but MATIH_ARCHIVE_STORE is not s3: set it to s3, or unset them',
    ]);
    expect(configProblems({ MATIH_ARCHIVE_STORE: 'directory', MATIH_ARCHIVE_S3_BUCKET: 'b-1', MATIH_ARCHIVE_S3_REGION: 'eu-west-1' })).toEqual([
      expect.stringContaining('MATIH_ARCHIVE_S3_BUCKET, MATIH_ARCHIVE_S3_REGION are set but'),
    ]);
    expect(loadConfig({}).lifecycle.archiveS3).toBeUndefined();
  });
});
