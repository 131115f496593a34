import { createApp, createLogger } from './app.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { DataDirLockedError } from './store/server/data-dir-lock.js';
import { LegacyDataDirError } from './store/server/legacy-data-dir.js';
import { EmbeddedPostgresUnavailableError } from './store/server/postgres-binaries.js';

/** Process entry: configuration, start, listen, and a graceful stop on SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config);

  let app;
  try {
    app = await createApp(config, logger);
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof LegacyDataDirError || error instanceof EmbeddedPostgresUnavailableError) {
      console.error(`matih: cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }

  const { tenantUrl, infraUrl } = await app.listen();
  logger.info({ tenantUrl, infraUrl, database: app.database.kind, dataDir: config.dataDir }, 'MATIH control plane ready');
  if (app.bootstrap.generated) {
    // The one time this secret is shown; the logger never sees it.
    console.log(
      `\nBootstrap platform-admin token (shown once; also saved in ${app.bootstrap.file ?? 'nowhere'}):\n\n  ${app.bootstrap.token}\n`,
    );
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      logger.error('shutdown grace period over: exiting with work unfinished');
      process.exit(1);
    }, config.shutdownDelayMs + config.shutdownGraceMs);
    force.unref();
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('matih: failed to start:', error);
  process.exit(1);
});
