import { CompiledQuery, type Kysely } from 'kysely';

/**
 * One SQL session over the control plane's Kysely, for code that speaks SQL text rather than
 * Kysely: the tenant database driver on the embedded database (drivers/database). The store may
 * not import the drivers, so the two shapes are declared here as well; they are the drivers'
 * SqlClient and SqlSessionProvider, structurally.
 */
export interface SqlSessionClient {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export type SqlSession = <T>(work: (client: SqlSessionClient) => Promise<T>) => Promise<T>;

/**
 * A provider of exclusive sessions: `work` gets one connection for its whole run
 * (`db.connection()`), so its BEGIN ... COMMIT is its own. On PGlite that connection is the only
 * one, held under the dialect's mutex: every other user of `db` waits until `work` is done, so
 * `work` must not use `db` itself (it would wait for itself). On a pool it is one pooled client.
 *
 * Statements go as they are, without the plugins of `db`: the CamelCasePlugin would rename the
 * columns of the rows (rolsuper stays rolsuper; schema_version would not). Without parameters, a
 * text may hold several statements (both dialects then use the simple protocol).
 *
 * If `work` fails with a transaction still open on the connection, it is rolled back before the
 * connection is handed on: a transaction left open on PGlite's one connection would swallow the
 * writes of everyone after. (A ROLLBACK outside a transaction is only a warning.)
 */
export function sqlSession<DB>(db: Kysely<DB>): SqlSession {
  const plain = db.withoutPlugins();
  return <T>(work: (client: SqlSessionClient) => Promise<T>) =>
    plain.connection().execute(async (conn) => {
      const client: SqlSessionClient = {
        query: async <R>(text: string, params: unknown[] = []) => {
          const result = await conn.executeQuery<R>(CompiledQuery.raw(text, params));
          return { rows: result.rows };
        },
      };
      try {
        return await work(client);
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    });
}
