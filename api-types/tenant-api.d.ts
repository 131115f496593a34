/**
 * Generated from the OpenAPI document of the tenant API (GET /openapi.json on port 8082)
 * by `npm run generate:api-types` (scripts/generate-api-types.ts). Do not edit: change the route schemas
 * in src/api and run the command again (test/api/generated-api-types.test.ts fails until then).
 */

export interface paths {
  "/health": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @enum {string} */
              status: "UP";
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/ready": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: the database answers, every migration is applied, and the process is not stopping */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              status: string;
              database: string;
              migrations: string;
            };
          };
        };
        /** @description Default Response */
        503: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              status: string;
              database: string;
              migrations: string;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/metrics": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List tenants, newest first (a tenant-scoped caller sees only its own) */
    get: {
      parameters: {
        query: {
          /** @description Filter by status (any case) */
          status?: string;
          /** @description Filter by tier (any case) */
          tier?: string;
          /** @description Text in the name or slug */
          q?: string;
          /** @description nextCursor of the previous page */
          cursor?: string;
          limit: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: components["schemas"]["Tenant"][];
              /** @description Pass as cursor for the next page; null on the last */
              nextCursor: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    /** Create a tenant (control-plane tier, synchronous); provisioning continues in the background */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @example Acme Corporation */
            name: string;
            /** @example acme */
            slug: string;
            /**
             * @description FREE, PROFESSIONAL or ENTERPRISE (any case)
             * @example PROFESSIONAL
             */
            tier: string;
            /** @example admin@acme.com */
            adminEmail: string;
            /** @description AZURE (default), AWS or GCP */
            cloudProvider?: string;
            /**
             * @description A region of the provider; default: the provider's first
             * @example eastus
             */
            region?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Tenant"] & {
              initialApiKey: {
                /** Format: uuid */
                id: string;
                /** @description Shown once, never again: store it now */
                key: string;
                role: string;
              };
              /** Format: uuid */
              provisioningJobId: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        413: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        415: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read one tenant */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description The tenant record of spec/003 */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Tenant"];
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Delete the tenant with a confirmation code: archive its audit logs, tear down its data plane, remove its record (platform admin) */
    delete: {
      parameters: {
        query?: never;
        header?: {
          /** @description The confirmation code (or `confirmationCode` in the body) */
          "x-confirmation-code"?: string;
        };
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            confirmationCode?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              /** @description The tenant status now */
              status: string;
              /** @description The job carrying the operation out; null when there was nothing to do */
              jobId: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    /** Change the tier or the infrastructure configuration; an update job moves the tenant to it (platform admin) */
    patch: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description FREE, PROFESSIONAL or ENTERPRISE (a change to or from ENTERPRISE is refused: it is a migration) */
            tier?: string;
            /** @description spec/000 configuration fields to change: databaseSize, storageGb, enableHa, and (ENTERPRISE) quota: {cpuRequests, cpuLimits, memoryRequests, memoryLimits, pods, services, persistentVolumeClaims}, null for none */
            configuration?: {
              [key: string]: unknown;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              tenant: components["schemas"]["Tenant"];
              jobId: null;
              generation: number;
            };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              tenant: components["schemas"]["Tenant"];
              jobId: string | null;
              generation: number;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    trace?: never;
  };
  "/api/v1/tenants/{id}/suspend": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Suspend: keys and tokens refused at once, workloads scaled to zero, data kept (platform admin) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description Why; kept in the audit log and the event */
            reason?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              /** @description The tenant status now */
              status: string;
              /** @description The job carrying the operation out; null when there was nothing to do */
              jobId: string | null;
            };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              /** @description The tenant status now */
              status: string;
              /** @description The job carrying the operation out; null when there was nothing to do */
              jobId: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/reactivate": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Reactivate: workloads back to their replicas, ACTIVE once every service is healthy (platform admin) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description Why; kept in the audit log and the event */
            reason?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              /** @description The tenant status now */
              status: string;
              /** @description The job carrying the operation out; null when there was nothing to do */
              jobId: string | null;
            };
          };
        };
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              /** @description The tenant status now */
              status: string;
              /** @description The job carrying the operation out; null when there was nothing to do */
              jobId: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/deletion-requests": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Issue a one-time deletion confirmation code (platform admin); it expires (MATIH_DELETION_CODE_TTL_S) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": Record<string, never>;
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              slug: string;
              /** @description Shown once. Send it with DELETE /api/v1/tenants/{id} before it expires */
              confirmationCode: string;
              /** Format: date-time */
              expiresAt: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/users": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the tenant's users with their roles */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                tenantId: string;
                email: string;
                displayName: string | null;
                status: string;
                isTenantAdmin: boolean;
                roles: string[];
                /** Format: date-time */
                createdAt: string;
              }[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/roles": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the tenant's roles and their permissions */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                /** Format: uuid */
                id: string;
                /** Format: uuid */
                tenantId: string;
                name: string;
                description: string;
                permissions: string[];
                isSystem: boolean;
                /** Format: date-time */
                createdAt: string;
              }[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/settings": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Read the tenant's settings; the ETag is their version */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              settings: {
                /**
                 * @description IANA time zone
                 * @example Europe/Berlin
                 */
                timezone: string;
                /**
                 * @description BCP 47 locale
                 * @example de-DE
                 */
                locale: string;
                /** @description At most the tier limit */
                queryTimeoutSeconds: number;
                dataRetentionDays: number;
                aiModelPreference: "gpt-4o" | "gpt-4" | "claude" | "llama" | "custom";
                branding: {
                  displayName: string | null;
                  /** @example #2563eb */
                  primaryColor: string;
                  logoUrl: string | null;
                };
                notifications: {
                  /** @description Alerts by email, to alertEmail or, while that is null, to the tenant's admin */
                  email: boolean;
                  alertEmail: string | null;
                  webhookUrl: string | null;
                };
              };
              /** @description Also sent as the ETag; send it back as If-Match to update safely */
              version: number;
              /** Format: date-time */
              updatedAt: string;
              updatedBy: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change settings with a JSON merge patch; send If-Match with the ETag to avoid lost updates */
    patch: {
      parameters: {
        query?: never;
        header?: {
          "if-match"?: string;
        };
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /**
             * @description IANA time zone
             * @example Europe/Berlin
             */
            timezone?: string;
            /**
             * @description BCP 47 locale
             * @example de-DE
             */
            locale?: string;
            /** @description At most the tier limit */
            queryTimeoutSeconds?: number;
            dataRetentionDays?: number;
            aiModelPreference?: "gpt-4o" | "gpt-4" | "claude" | "llama" | "custom";
            branding?: {
              displayName?: string | null;
              /** @example #2563eb */
              primaryColor?: string;
              logoUrl?: string | null;
            };
            notifications?: {
              /** @description Alerts by email, to alertEmail or, while that is null, to the tenant's admin */
              email?: boolean;
              alertEmail?: string | null;
              webhookUrl?: string | null;
            };
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              settings: {
                /**
                 * @description IANA time zone
                 * @example Europe/Berlin
                 */
                timezone: string;
                /**
                 * @description BCP 47 locale
                 * @example de-DE
                 */
                locale: string;
                /** @description At most the tier limit */
                queryTimeoutSeconds: number;
                dataRetentionDays: number;
                aiModelPreference: "gpt-4o" | "gpt-4" | "claude" | "llama" | "custom";
                branding: {
                  displayName: string | null;
                  /** @example #2563eb */
                  primaryColor: string;
                  logoUrl: string | null;
                };
                notifications: {
                  /** @description Alerts by email, to alertEmail or, while that is null, to the tenant's admin */
                  email: boolean;
                  alertEmail: string | null;
                  webhookUrl: string | null;
                };
              };
              /** @description Also sent as the ETag; send it back as If-Match to update safely */
              version: number;
              /** Format: date-time */
              updatedAt: string;
              updatedBy: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        412: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    trace?: never;
  };
  "/api/v1/tenants/{id}/features": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Resolve the tenant's feature flags for its tier and overrides; the ETag is the overrides' version */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              tier: "FREE" | "PROFESSIONAL" | "ENTERPRISE";
              /** @description Every flag of the catalogue, resolved for the tier and the overrides */
              features: {
                /** @example ai.chat */
                name: string;
                description: string;
                minimumTier: "FREE" | "PROFESSIONAL" | "ENTERPRISE";
                /** @description What the tier alone gives */
                tierDefault: boolean;
                enabled: boolean;
                /** @description `override` when a stored override decided the value; `tier` otherwise */
                source: "tier" | "override";
                /** @description The stored override, also when the tier caps it (an "on" left above the tier by a downgrade is ignored) */
                override: boolean | null;
              }[];
              /** @description The resolved flags by name: what the data plane receives */
              flags: {
                [key: string]: boolean;
              };
              /** @description The stored overrides */
              overrides: {
                [key: string]: boolean;
              };
              /** @description Version of the overrides (0: none yet); also the ETag. Send it back as If-Match to update safely */
              version: number;
              updatedAt: string | null;
              updatedBy: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change feature overrides with a JSON merge patch (true/false sets, null removes). A flag may be switched off at any tier, on only within the tenant's tier; unknown flags are refused. Send If-Match with the ETag to avoid lost updates */
    patch: {
      parameters: {
        query?: never;
        header?: {
          "if-match"?: string;
        };
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      /** @description Flags: analytics.basic (FREE+), ai.assist (FREE+), analytics.full (PROFESSIONAL+), ai.chat (PROFESSIONAL+), ml.workbench (PROFESSIONAL+), ai.customModels (ENTERPRISE+), support.sla (ENTERPRISE+) */
      requestBody: {
        content: {
          /**
           * @example {
           *       "ai.chat": false,
           *       "ml.workbench": null
           *     }
           */
          "application/json": {
            [key: string]: boolean | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              tenantId: string;
              tier: "FREE" | "PROFESSIONAL" | "ENTERPRISE";
              /** @description Every flag of the catalogue, resolved for the tier and the overrides */
              features: {
                /** @example ai.chat */
                name: string;
                description: string;
                minimumTier: "FREE" | "PROFESSIONAL" | "ENTERPRISE";
                /** @description What the tier alone gives */
                tierDefault: boolean;
                enabled: boolean;
                /** @description `override` when a stored override decided the value; `tier` otherwise */
                source: "tier" | "override";
                /** @description The stored override, also when the tier caps it (an "on" left above the tier by a downgrade is ignored) */
                override: boolean | null;
              }[];
              /** @description The resolved flags by name: what the data plane receives */
              flags: {
                [key: string]: boolean;
              };
              /** @description The stored overrides */
              overrides: {
                [key: string]: boolean;
              };
              /** @description Version of the overrides (0: none yet); also the ETag. Send it back as If-Match to update safely */
              version: number;
              updatedAt: string | null;
              updatedBy: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        412: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    trace?: never;
  };
  "/api/v1/tenants/{id}/api-keys": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the tenant's API keys (never their secrets) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                /** Format: uuid */
                id: string;
                tenantId: string | null;
                name: string;
                role: string;
                /** @description What the key may be used for: the scopes it was given, or every scope of its role when it was given none */
                scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
                createdBy: string;
                /** Format: date-time */
                createdAt: string;
                expiresAt: string | null;
                lastUsedAt: string | null;
                revokedAt: string | null;
              }[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    /** Create an API key for a tenant role, with scopes and an expiry; the key is in this response only */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            name: string;
            /** @description Admin, Analyst or Viewer */
            role: string;
            /** @description What the key may be used for, within its role: read, create, update, suspend, delete, infrastructure, audit. Default: every scope the role allows (and the caller has) */
            scopes?: string[];
            /** @description The key stops working this many days from now; default: never */
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              id: string;
              tenantId: string | null;
              name: string;
              role: string;
              /** @description What the key may be used for: the scopes it was given, or every scope of its role when it was given none */
              scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
              createdBy: string;
              /** Format: date-time */
              createdAt: string;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
            } & {
              key: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/api-keys/{keyId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke an API key; tokens exchanged for it stop working too */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          id: string;
          keyId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              id: string;
              tenantId: string | null;
              name: string;
              role: string;
              /** @description What the key may be used for: the scopes it was given, or every scope of its role when it was given none */
              scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
              createdBy: string;
              /** Format: date-time */
              createdAt: string;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/api-keys": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List the platform-admin API keys (never their secrets; platform admin) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                /** Format: uuid */
                id: string;
                tenantId: string | null;
                name: string;
                role: string;
                /** @description What the key may be used for: the scopes it was given, or every scope of its role when it was given none */
                scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
                createdBy: string;
                /** Format: date-time */
                createdAt: string;
                expiresAt: string | null;
                lastUsedAt: string | null;
                revokedAt: string | null;
              }[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    /**
     * Create a platform-admin API key, with scopes and an expiry (platform admin); the key is in this response only
     * @description For automation: a CI key that may only create tenants is `{"name": "ci", "scopes": ["create"]}`.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            name: string;
            /** @description What the key may be used for, within its role: read, create, update, suspend, delete, infrastructure, audit. Default: every scope the role allows (and the caller has) */
            scopes?: string[];
            /** @description The key stops working this many days from now; default: never */
            expiresInDays?: number;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              id: string;
              tenantId: string | null;
              name: string;
              role: string;
              /** @description What the key may be used for: the scopes it was given, or every scope of its role when it was given none */
              scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
              createdBy: string;
              /** Format: date-time */
              createdAt: string;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
            } & {
              key: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/api-keys/{keyId}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke a platform-admin API key (platform admin); tokens exchanged for it stop working too */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          keyId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              id: string;
              tenantId: string | null;
              name: string;
              role: string;
              /** @description What the key may be used for: the scopes it was given, or every scope of its role when it was given none */
              scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
              createdBy: string;
              /** Format: date-time */
              createdAt: string;
              expiresAt: string | null;
              lastUsedAt: string | null;
              revokedAt: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/oidc/config": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** How to sign in through the OpenID Provider (404 without one) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              issuer: string;
              /** @description The provider's authorization endpoint, from its discovery document */
              authorizationEndpoint: string;
              /** @description Where to end the provider's session (RP-initiated logout), when it has one */
              endSessionEndpoint: string | null;
              /** @description The dashboard's client id; null: the dashboard has no SSO sign-in */
              clientId: string | null;
              /** @description matihctl's client id (a native, public client); null: no `login --oidc` */
              cliClientId: string | null;
              /** @description What to ask for; matihctl adds offline_access when the provider supports it, for a refresh token */
              scopes: string[];
              /** @description The provider lists the offline_access scope */
              offlineAccess: boolean;
              /** @description The API's identifier at the provider: accepted access tokens carry it in `aud` */
              audience: string;
              /** @description The RFC 8707 `resource` to send with the authorization and token requests; null: send none */
              resource: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/oidc/token": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Redeem an authorization code (with its PKCE verifier) or a refresh token at the OpenID Provider's token endpoint */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            grantType: "authorization_code" | "refresh_token";
            /** @description The dashboard's or matihctl's client id (GET /api/v1/auth/oidc/config) */
            clientId: string;
            code?: string;
            /** @description The PKCE code verifier (RFC 7636): required with a code */
            codeVerifier?: string;
            redirectUri?: string;
            refreshToken?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description The bearer token for this API */
              accessToken: string;
              tokenType: string;
              expiresIn: number | null;
              expiresAt: string | null;
              refreshToken: string | null;
              scope: string | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/token": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Exchange an API key for a short-lived access token (JWT) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description An API key (mtk_...) */
            apiKey: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              accessToken: string;
              /** @enum {string} */
              tokenType: "Bearer";
              /** @description Seconds */
              expiresIn: number;
              /** Format: date-time */
              expiresAt: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/whoami": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Who the presented token is */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              actor: string;
              role: string;
              tenantId: string | null;
              via: string;
              /** @description An OpenID Provider token's email claim */
              email?: string;
              permissions: string[];
              /** @description What this credential may be used for: its API key's scopes, or every scope of its role */
              scopes: ("read" | "create" | "update" | "suspend" | "delete" | "infrastructure" | "audit")[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/revoke": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Revoke an access token: the caller's own, or (platform admin, or same tenant admin) another */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description The JWT to revoke; default: the one making this request */
            token?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/signing-keys/rotate": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Make a new JWT signing key now (platform admin); with endIssuedTokens, every token issued so far stops working
     * @description Keys rotate by age anyway (MATIH_JWT_KEY_ROTATION_DAYS). This is for a leak: the other replicas read the new key at the next token that names it, and stop accepting the forgotten ones within 30 seconds.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          "application/json": {
            /** @description Forget the other keys at once, so every token issued so far stops working (after a leak); default: they verify until their tokens expire */
            endIssuedTokens?: boolean;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description The key that signs from now on */
              kid: string;
              endedIssuedTokens: boolean;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/provisioning/status": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Where provisioning stands: phase, steps, progress, ETA, retries, last error */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["ProvisioningStatus"];
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/provisioning/history": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every step and stage transition, oldest first (provisioning_audit_logs) */
    get: {
      parameters: {
        query: {
          /** @description Only entries after this sequence number */
          after: number;
          limit: number;
        };
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                seq: number;
                jobId: string | null;
                kind: string;
                fromState: string | null;
                toState: string | null;
                step: string | null;
                trigger: string;
                details: {
                  [key: string]: unknown;
                };
                actor: string;
                /** Format: date-time */
                createdAt: string;
              }[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/provisioning/retry": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Restart a FAILED or CANCELLED job from the first step not completed (platform admin) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              jobId: string;
              status: string;
              fromStep?: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/provisioning/cancel": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop a running job and roll back what it did (platform admin) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        202: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: uuid */
              jobId: string;
              status: string;
              fromStep?: string;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        409: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tenants/{id}/audit": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every transition and operation of the tenant with actor, trigger and details, oldest first */
    get: {
      parameters: {
        query: {
          /** @description RFC 3339; entries at or after this time */
          from?: string;
          /** @description RFC 3339; entries before this time */
          to?: string;
          /** @description Repeatable or comma-separated, any case: JOB, STAGE, STEP, ROLLBACK, OPERATION */
          kind?: string[];
          /** @description Repeatable or comma-separated triggers, e.g. step.failed,job.retried */
          trigger?: string[];
          /** @description nextCursor of the previous page: entries after this sequence number */
          after: number;
          limit: number;
        };
        header?: never;
        path: {
          /** @description Tenant id */
          id: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: {
                /** @description Position in the tenant's history: 1, 2, 3... */
                seq: number;
                /** Format: date-time */
                time: string;
                /** @description One of JOB, STAGE, STEP, ROLLBACK, OPERATION */
                kind: string;
                /** @description What happened, e.g. job.started, step.completed, job.retried */
                trigger: string;
                fromState: string | null;
                toState: string | null;
                step: string | null;
                jobId: string | null;
                /** @description Who did it: bootstrap, api-key:<id>, or the engine worker that ran the job */
                actor: string;
                details: {
                  [key: string]: unknown;
                };
              }[];
              /** @description Pass as after for the next page; null on the last */
              nextCursor: number | null;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/sim/objects": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The objects the simulated cluster holds, with their simulated status; Secret values redacted (platform admin) */
    get: {
      parameters: {
        query?: {
          /** @description Only objects in this namespace */
          namespace?: string;
          /**
           * @description Only objects of this kind, e.g. Deployment
           * @example Deployment
           */
          kind?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              items: ({
                apiVersion: string;
                kind: string;
                metadata: {
                  name: string;
                  namespace?: string;
                } & {
                  [key: string]: unknown;
                };
              } & {
                [key: string]: unknown;
              })[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Delete one object behind the engine's back, as someone with kubectl would (platform admin) */
    delete: {
      parameters: {
        query: {
          /** @example apps/v1 */
          apiVersion: string;
          /** @example Deployment */
          kind: string;
          name: string;
          /** @description Absent or empty for cluster-scoped objects */
          namespace?: string;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/tls/ca.pem": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The local CA's certificate (PEM) that signs tenant certificates */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description PEM */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": string;
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/system/status": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Jobs by status, outbox backlog, workers and their leases, recent drift (platform admin) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** Format: date-time */
              time: string;
              jobs: {
                /** @description Jobs of every kind by status */
                byStatus: {
                  [key: string]: number;
                };
                /** @description PENDING jobs whose next retry is still ahead */
                waitingForRetry: number;
              };
              outbox: {
                /** @description Events some sink does not have yet */
                undelivered: number;
                /** @description Of those, events whose last delivery failed */
                failing: number;
                oldestAgeSeconds: number | null;
              };
              /** @description Workers holding leases now (a worker with nothing claimed does not show) */
              workers: {
                owner: string;
                jobs: number;
                /** Format: date-time */
                latestLeaseUntil: string;
              }[];
              leases: {
                jobId: string;
                tenantId: string;
                slug: string | null;
                kind: string;
                status: string;
                currentStep: string | null;
                leaseOwner: string;
                /** Format: date-time */
                leaseUntil: string;
                /** @description Past its lease: the worker died or stalled; another worker takes the job */
                expired: boolean;
              }[];
              /** @description The newest drift.detected entries across tenants */
              recentDrift: {
                tenantId: string;
                slug: string | null;
                seq: number;
                actor: string;
                differences: string[];
                /** Format: date-time */
                createdAt: string;
              }[];
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/admin/secret-key/rotation": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** How many sealed values each key opens: safe to drop MATIH_SECRET_KEY_PREVIOUS when none needs a previous key (platform admin) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description Sealed values MATIH_SECRET_KEY opens */
              current: number;
              /** @description Sealed values only a key of MATIH_SECRET_KEY_PREVIOUS opens: they still need the new key */
              previous: number;
              /** @description Values no key of this service opens: sealed with a key it was not given, or altered. Never changed */
              unreadable: number;
              /** @description Up to 100 of them: signing-key/<id>, step-output/<job id>/<step>.<field>, phase-output/<tenant id>/<step>.<field> */
              unreadableValues: string[];
              /** @description Keys this replica was given in MATIH_SECRET_KEY_PREVIOUS */
              previousKeys: number;
              /** @description Every sealed value opens with MATIH_SECRET_KEY: MATIH_SECRET_KEY_PREVIOUS may be removed */
              safeToDropPrevious: boolean;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    put?: never;
    /**
     * Seal every sealed value again with MATIH_SECRET_KEY (platform admin); idempotent, safe beside running jobs and other replicas
     * @description Values are replaced by compare-and-set, in batches; values no key opens are counted and named, never changed. Run it after every replica has the new MATIH_SECRET_KEY and the old one in MATIH_SECRET_KEY_PREVIOUS; remove MATIH_SECRET_KEY_PREVIOUS once safeToDropPrevious is true.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": {
              /** @description Values sealed again with MATIH_SECRET_KEY */
              resealed: number;
              /** @description Values already under MATIH_SECRET_KEY */
              alreadyCurrent: number;
              /** @description Values no key of this service opens: sealed with a key it was not given, or altered. Never changed */
              unreadable: number;
              /** @description Up to 100 of them: signing-key/<id>, step-output/<job id>/<step>.<field>, phase-output/<tenant id>/<step>.<field> */
              unreadableValues: string[];
              /** @description Values still found under a previous key by the last walk (a replica still sealing with an old key); 0 after a complete rotation */
              remaining: number;
              /** @description Walks over every sealed value; the last found none left under a previous key */
              passes: number;
              /** @description Keys this replica was given in MATIH_SECRET_KEY_PREVIOUS */
              previousKeys: number;
              /** @description Every sealed value opens with MATIH_SECRET_KEY: MATIH_SECRET_KEY_PREVIOUS may be removed */
              safeToDropPrevious: boolean;
            };
          };
        };
        /** @description RFC 9457 problem details */
        400: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        401: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        403: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
        /** @description RFC 9457 problem details */
        404: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            "application/json": components["schemas"]["Problem"];
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description RFC 9457 problem details */
    Problem: {
      type: string;
      title: string;
      status: number;
      /** @description Stable machine-readable error code */
      code: string;
      detail: string;
      instance: string;
      requestId: string;
      errors?: {
        field: string;
        message: string;
        in: string;
      }[];
    };
    /** @description The tenant record of spec/003 */
    Tenant: {
      /** Format: uuid */
      id: string;
      name: string;
      slug: string;
      tier: "FREE" | "PROFESSIONAL" | "ENTERPRISE";
      status: "PROVISIONING" | "ACTIVE" | "FAILED" | "SUSPENDED" | "DELETING" | "DELETED" | "DEPROVISIONING" | "DEPROVISIONED";
      region: string;
      cloudProvider: "AZURE" | "AWS" | "GCP";
      adminEmail: string;
      provisioningStartedAt: string | null;
      deploymentType: string | null;
      kubernetesNamespace: string | null;
      azureAksClusterName: string | null;
      provisioningCompletedAt: string | null;
      provisioningError: string | null;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    ProvisioningStatus: {
      /** Format: uuid */
      tenantId: string;
      /** @description The tenant status: PROVISIONING, ACTIVE, FAILED... */
      status: string;
      currentPhase: string;
      completedPhases: string[];
      remainingPhases: string[];
      progress: number;
      startedAt: string | null;
      estimatedCompletion: string | null;
      retryCount: number;
      currentStep: string | null;
      steps: {
        name: string;
        stage: string;
        position: number;
        status: string;
        attempts: number;
        startedAt: string | null;
        completedAt: string | null;
        lastError: string | null;
      }[];
      errorMessage: string | null;
      nextRetryAt: string | null;
      completedAt: string | null;
      /** @description spec/003 TenantProvisioningJob */
      job: {
        /** Format: uuid */
        id: string;
        kind: string;
        status: string;
        maxRetries: number;
        /** @description Who asked for the job, as a principal reference: `bootstrap` (the bootstrap token), `api-key:{keyId}` (an API key, or a token exchanged for one: GET /api/v1/tenants/{id}/api-keys names it), or `reconciler` (a drift repair) */
        initiatedBy: string;
        /** @description The tier the job runs for (a tier change runs at the new tier) */
        tier: string;
        /** @description spec/003 TenantProvisioningJob.currentState: the stage the job is in */
        currentState: string;
        /** @description spec/003 TenantProvisioningJob.context: what asked for the job (trigger) and what it carries out (generation, configuration, reason); never a secret */
        context: {
          [key: string]: unknown;
        };
      };
      /** @description The newest history sequence number; resume the WebSocket from here */
      lastSequence: number;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

/** The JSON body of the answer `S` (default 200; a union for several) to `M P`. */
export type ResponseJson<P extends keyof paths, M extends "get" | "put" | "post" | "delete" | "patch", S extends number = 200> =
  paths[P] extends Record<M, { responses: Record<S, { content: { "application/json": infer B } }> }> ? B : never;
