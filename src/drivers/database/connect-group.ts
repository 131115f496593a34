import { quoteIdent, quoteLiteral } from './identifiers.js';
import { doBlock } from './plpgsql.js';
import { DATABASE_ACLS_LOCK } from './tenant-role.js';

/**
 * How a SCHEMA_PER_TENANT tenant's role gets CONNECT on the shared database (PUBLIC holds it on a
 * new database, but an operator may have revoked it there).
 *
 * Granting each role CONNECT itself rewrites the shared database's one pg_database row per tenant,
 * and two sessions doing that at once fail ("tuple concurrently updated"), so tenants could only
 * be set up one after another. Instead one role without login, shared by the deployment's tenants
 * (TenantDatabaseSpec.connectGroup, named from its prefix), holds CONNECT: granted once, and each
 * tenant role is made a member, a row of pg_auth_members of its own that collides with nothing.
 *
 * The tenant role stays NOINHERIT; only this membership is granted WITH INHERIT TRUE (and SET
 * FALSE: it cannot become the group), per-grant options PostgreSQL has from version 16. Older
 * servers, and a spec without a group, grant the role CONNECT itself, only when it lacks it and
 * under the lock of database grants (tenant-role.ts).
 *
 * The group is made when missing, and trusted only when it is ours: marked by our comment,
 * without login, and a member of no role (its members inherit what it holds, so it must hold
 * nothing but CONNECT); otherwise the script fails with GROUP_REFUSED_SQLSTATE, permanently.
 * The lock is taken only to write (the group's first tenant, or a lost grant): tenants set up
 * afterwards only read. Meant as the last statement of the setup transaction, so that a lock it
 * takes is held only until the commit that follows.
 */
export const GROUP_MARK = 'matih tenant connect group';
const GROUP_REFUSED_SQLSTATE = 'MT002';
/** server_version_num from which GRANT ... WITH INHERIT exists. */
const PER_GRANT_INHERIT = 160_000;

export function connectStatement(role: string, group: string | undefined): string {
  const ownGrant = `IF NOT EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
             WHERE d.datname = current_database() AND a.grantee = ${quoteLiteral(role)}::regrole AND a.privilege_type = 'CONNECT') THEN
    PERFORM ${DATABASE_ACLS_LOCK};
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), ${quoteLiteral(role)});
  END IF;`;
  if (group === undefined) return doBlock(ownGrant);
  const g = quoteLiteral(group);
  const read = `SELECT shobj_description(r.oid, 'pg_authid'), r.rolcanlogin,
           (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid),
           EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a
                    WHERE d.datname = current_database() AND a.grantee = r.oid AND a.privilege_type = 'CONNECT')
      INTO g_mark, g_login, g_memberships, g_connect FROM pg_roles r WHERE r.rolname = ${g};`;
  return doBlock(
    `IF current_setting('server_version_num')::int < ${PER_GRANT_INHERIT} THEN
  ${ownGrant}
  RETURN;
END IF;
${read}
IF NOT FOUND OR NOT g_connect THEN
  PERFORM ${DATABASE_ACLS_LOCK};
  -- Again under the lock: another tenant's setup may have made it meanwhile.
  ${read}
  IF NOT FOUND THEN
    CREATE ROLE ${quoteIdent(group)} NOLOGIN NOINHERIT;
    COMMENT ON ROLE ${quoteIdent(group)} IS ${quoteLiteral(GROUP_MARK)};
    g_mark := ${quoteLiteral(GROUP_MARK)}; g_login := false; g_memberships := 0; g_connect := false;
  END IF;
END IF;
IF g_mark IS DISTINCT FROM ${quoteLiteral(GROUP_MARK)} OR g_login OR g_memberships > 0 THEN
  RAISE EXCEPTION USING ERRCODE = '${GROUP_REFUSED_SQLSTATE}', MESSAGE = format(
    'role %s exists but is not the tenants'' connect group (it must carry the comment %s, have no login and be a member of no role); refusing to use it',
    to_json(${g}::text), to_json(${quoteLiteral(GROUP_MARK)}::text));
END IF;
IF NOT g_connect THEN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), ${g});
END IF;
EXECUTE format('GRANT %I TO %I WITH INHERIT TRUE, SET FALSE', ${g}, ${quoteLiteral(role)});`,
    'g_mark text; g_login boolean; g_memberships integer; g_connect boolean;',
  );
}
